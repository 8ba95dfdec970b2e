"""Material-flow graph (networkx) of a factory: processes and boundary nodes, flows as edges, loops.

A reuse/recycling loop is a directed cycle through processes only (cycles through the market are trade, not
loops). Its recirculated mass per functional unit is the smallest mass carried by any edge of the cycle: the mass
that actually goes all the way round.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass

import networkx as nx
import pandas as pd

from .balance import flow_mass_kg
from .model import BOUNDARY_NODES, Factory


def build_graph(factory: Factory) -> nx.MultiDiGraph:
    """Nodes carry ``kind`` ('process' | 'boundary'); edges carry the flow (id, kind, amount, unit, mass_kg)."""
    g = nx.MultiDiGraph(name=factory.id, functional_unit=factory.functional_unit.label())
    for p in factory.processes:
        g.add_node(p.id, kind="process", label=p.name or p.id, stage=p.stage)
    used = {f.from_ for f in factory.flows} | {f.to for f in factory.flows}
    for b, desc in BOUNDARY_NODES.items():
        if b in used:
            g.add_node(b, kind="boundary", label=b, stage="", description=desc)
    for f in factory.flows:
        mass = flow_mass_kg(f)
        g.add_edge(
            f.from_,
            f.to,
            key=f.id,
            id=f.id,
            kind=f.kind,
            amount=f.amount,
            unit=f.unit,
            mass_kg=-1.0 if mass is None else mass,
            material=f.material,
            origin=f.origin or "",
            background=", ".join(f.background_keys),
        )
    return g


@dataclass(frozen=True)
class Loop:
    nodes: tuple[str, ...]  # cycle, starting at its alphabetically first process
    flows: tuple[str, ...]  # flow ids carrying mass along the cycle
    recirculated_kg: float  # per functional unit

    def label(self) -> str:
        return " → ".join((*self.nodes, self.nodes[0]))


#: At most this many loops are listed, found within this many seconds (a complete graph of n processes has more
#: than (n-1)! simple cycles); past either, a :class:`LoopsTruncatedWarning` says the list is incomplete.
MAX_LOOPS = 1000
MAX_LOOP_SECONDS = 5.0


def find_loops(
    factory: Factory,
    graph: nx.MultiDiGraph | None = None,
    *,
    max_loops: int = MAX_LOOPS,
    max_seconds: float = MAX_LOOP_SECONDS,
) -> list[Loop]:
    """Simple cycles through processes (bounded: see :data:`MAX_LOOPS`), sorted by their node sequence."""
    g = graph if graph is not None else build_graph(factory)
    procs = [n for n, d in g.nodes(data=True) if d["kind"] == "process"]
    simple = nx.DiGraph()
    simple.add_nodes_from(procs)
    for u, v, d in g.edges(data=True):
        if u in simple and v in simple and d["mass_kg"] > 0:
            if simple.has_edge(u, v):
                simple[u][v]["mass_kg"] += d["mass_kg"]
                simple[u][v]["flows"].append(d["id"])
            else:
                simple.add_edge(u, v, mass_kg=d["mass_kg"], flows=[d["id"]])
    loops = []
    cycles = nx.simple_cycles(simple)
    deadline = time.monotonic() + max_seconds
    for cycle in cycles:
        if len(loops) >= max_loops or time.monotonic() > deadline:
            _warn_truncated(factory, len(loops), max_loops, max_seconds)
            break
        i = cycle.index(min(cycle))
        cycle = cycle[i:] + cycle[:i]
        edges = list(zip(cycle, cycle[1:] + cycle[:1], strict=True))
        flows = tuple(fid for u, v in edges for fid in sorted(simple[u][v]["flows"]))
        loops.append(Loop(tuple(cycle), flows, min(simple[u][v]["mass_kg"] for u, v in edges)))
    return sorted(loops, key=lambda lp: lp.nodes)


class LoopsTruncatedWarning(UserWarning):
    """The factory has more loops than are listed (the count of simple cycles can grow exponentially)."""


def _warn_truncated(factory: Factory, found: int, max_loops: int, max_seconds: float) -> None:
    warnings.warn(
        f"{factory.id}: only the first {found} reuse/recycling loops are listed (limits: {max_loops} loops, "
        f"{max_seconds:g} s of search); a dense web of internal flows has too many loops to list them all — "
        "loop-based figures (recirculated mass per loop) cover the listed loops only",
        LoopsTruncatedWarning,
        stacklevel=3,
    )


def loops_table(loops: list[Loop]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"loop": lp.label(), "flows": ", ".join(lp.flows), "recirculated_kg_per_fu": lp.recirculated_kg}
            for lp in loops
        ],
        columns=["loop", "flows", "recirculated_kg_per_fu"],
    )


def to_json(graph: nx.MultiDiGraph) -> dict:
    return nx.node_link_data(graph, edges="edges")
