"""Closed loops: processes whose mass goes round among themselves and never reaches the functional unit.

The Brightway foreground (``lca_engine.bw.build``) makes each process an activity whose reference product is its
mass output to other processes plus its product sold to market; a process whose outputs carry no mass is an
"operation" demanded once per functional unit. Waste, emissions and water leaving to boundary nodes are not part
of the reference product. The technosphere matrix is then weakly diagonally dominant, and it is singular exactly
when a set of mass-producing processes sends all its mass to processes of the same set and none of it is sold: no
demand reaches that set, so its scale is undefined ("Factor is exactly singular"). This module finds such sets
(sink components of the mass graph that cannot reach a process selling a product or an operation) in linear time.
"""

from __future__ import annotations

import networkx as nx

from ..graph import build_graph
from ..model import MARKET, Factory
from .context import Ctx, some

_EXIT = object()  # a node every exit process points to, so one search finds all that reach an exit


def _mass_graph(factory: Factory) -> nx.DiGraph:
    """Processes; an edge p → q for mass sent from p to q; p → _EXIT if p sells product mass or is an operation."""
    g = build_graph(factory)
    procs = [n for n, d in g.nodes(data=True) if d["kind"] == "process"]
    out = nx.DiGraph()
    out.add_nodes_from(procs)
    out.add_node(_EXIT)
    massless, output = set(), dict.fromkeys(procs, 0.0)
    for u, v, d in g.edges(data=True):
        if u not in output or not (v in output or (v == MARKET and d["kind"] == "product")):
            continue
        if d["mass_kg"] < 0:
            massless.add(u)
            continue
        output[u] += d["mass_kg"]
        if d["mass_kg"] > 0:
            out.add_edge(u, _EXIT if v == MARKET else v)
    for p in procs:
        if p in massless or output[p] == 0:  # an operation: produced once per functional unit
            out.remove_edges_from(list(out.out_edges(p)))
            out.add_edge(p, _EXIT)
    return out


def closed_loops(factory: Factory) -> list[list[str]]:
    """Each set of processes (sorted) whose mass only circulates among themselves and is never sold."""
    g = _mass_graph(factory)
    stuck = set(g) - nx.ancestors(g, _EXIT) - {_EXIT}
    if not stuck:
        return []
    dag = nx.condensation(g.subgraph(stuck))
    sinks = [n for n in dag if dag.out_degree(n) == 0]
    return sorted(sorted(dag.nodes[n]["members"]) for n in sinks)


def no_closed_loop(ctx: Ctx) -> None:
    """Every loop of processes passes some of its mass on: to a process outside it or to market as a product.

    Runs only on a factory without other errors (its units and references are then known to be sound).
    """
    if ctx.report.errors:
        return
    for loop in closed_loops(ctx.factory):
        ctx.error(
            ("processes", ctx.process_index[loop[0]]),
            f"processes {some(repr(p) for p in loop)} form a closed loop: their mass goes round among them and none "
            "of it reaches the product (waste or emissions leaving the loop do not carry it out), so the loop has no "
            "scale per functional unit",
            'send what the loop makes on to a process outside it, or to market as kind = "product"; or merge the '
            "loop's processes into one process",
        )
