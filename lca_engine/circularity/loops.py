"""What each internal loop actually returns, counted once: water loops and material loops.

A loop (:func:`lca_engine.graph.find_loops`) is a cycle through processes. What it *returns* per functional unit is
the smallest mass carried by any of its edges (the mass that goes all the way round) — never the sum of its legs.
Loops that share an edge share that edge's mass: loops are taken in their listed order and each takes at most
what its edges still carry, so one kilogram (or litre) is never counted by two loops:

    returned(loop) = min over the loop's edges e of remaining(e);   remaining(e) −= returned(loop)

A loop is a **water loop** when at least one of its edges carries water only (e.g. a permeate or white-water
return); otherwise it is a **material loop** (e.g. trim re-pulped, yarn waste re-spun). Water that leaves a
process as vapour or to the sewer is not on a loop edge and is never counted as returned.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ..balance import flow_mass_kg
from ..graph import Loop
from ..model import Factory


class LoopKind(StrEnum):
    WATER = "water"
    MATERIAL = "material"


@dataclass(frozen=True)
class LoopReturn:
    loop: Loop
    kind: LoopKind
    returned_kg: float  # per functional unit, counted once across loops


def _edges(factory: Factory, loop: Loop) -> dict[tuple[str, str], list]:
    """The loop's edges (consecutive node pairs) with the flows each carries."""
    on_loop = set(loop.flows)
    nodes = loop.nodes
    edges = {(u, v): [] for u, v in zip(nodes, nodes[1:] + nodes[:1], strict=True)}
    for f in factory.flows:
        if f.id in on_loop and (f.from_, f.to) in edges:
            edges[(f.from_, f.to)].append(f)
    return edges


def loop_returns(factory: Factory, loops: list[Loop]) -> list[LoopReturn]:
    """Each loop's kind and returned mass per functional unit, no mass counted by two loops."""
    remaining: dict[tuple[str, str], float] = {}
    out = []
    for lp in loops:
        edges = _edges(factory, lp)
        for e, flows in edges.items():
            remaining.setdefault(e, sum(flow_mass_kg(f) or 0.0 for f in flows))
        water = any(flows and all(f.kind == "water" for f in flows) for flows in edges.values())
        returned = max(0.0, min(remaining[e] for e in edges))
        for e in edges:
            remaining[e] -= returned
        out.append(LoopReturn(lp, LoopKind.WATER if water else LoopKind.MATERIAL, returned))
    return out


def returned_kg(returns: list[LoopReturn], kind: LoopKind) -> float:
    """Total mass per functional unit returned by the loops of one kind."""
    return sum(r.returned_kg for r in returns if r.kind == kind)
