"""Material-flow graph, loops and mass balance on hand-worked cases."""

from __future__ import annotations

import json

import networkx as nx
import pytest
from typer.testing import CliRunner

from lca_engine import Assumption, Factory, Flow, FunctionalUnit, Process, Site, build_graph, find_loops, load
from lca_engine.balance import flow_mass_kg, mass_balance
from lca_engine.cli import app

from .conftest import DATA

A = Assumption(reasoning="hand-worked test value", low=0, high=1e6)


def _flow(fid, src, dst, amount, unit="kg", kind="material", **kw):
    return Flow.model_validate(
        {"id": fid, "from": src, "to": dst, "kind": kind, "amount": amount, "unit": unit, "assumption": A, **kw}
    )


def _factory(flows, processes=("a", "b", "c"), stocks=()):
    return Factory(
        id="t",
        name="t",
        sector="green tech",
        site=Site(name="x", lat=51.5, lon=-3.2),
        functional_unit=FunctionalUnit(amount=1, unit="item", description="one thing"),
        processes=[Process(id=p) for p in processes],
        flows=flows,
        stocks=list(stocks),
    )


def test_tiny_inventory_loop_and_balance():
    f = load(DATA / "tiny_micro.toml")
    loops = find_loops(f)
    assert len(loops) == 1
    assert loops[0].nodes == ("knit", "recover")
    # offcuts 0.05 kg out, 40 g back: what goes all the way round is 0.04 kg
    assert loops[0].recirculated_kg == pytest.approx(0.04)
    assert set(loops[0].flows) == {"offcuts", "recovered_yarn"}
    table = mass_balance(f).table.set_index("node")
    assert table.loc["knit", "input_kg"] == pytest.approx(0.5 + 0.04)  # yarn + recovered yarn
    assert table.loc["knit", "output_kg"] == pytest.approx(0.49 + 0.05)  # garment + offcuts
    assert table.loc["factory", "input_kg"] == pytest.approx(0.5)
    assert table.loc["factory", "output_kg"] == pytest.approx(0.49 + 0.01)


def test_two_nested_loops_and_parallel_flows():
    # a -> b -> c -> a (0.3 kg on the c->a return), and b <-> c (two parallel b->c flows, 0.2 + 0.1)
    flows = [
        _flow("in", "market", "a", 1.0, origin="virgin"),
        _flow("ab", "a", "b", 1.3),
        _flow("bc1", "b", "c", 0.9),
        _flow("bc2", "b", "c", 0.6),
        _flow("cb", "c", "b", 0.2),
        _flow("ca", "c", "a", 0.3),
        _flow("out", "c", "market", 1.0, kind="product", unit="item", mass_per_unit="1 kg/item"),
    ]
    f = _factory(flows)
    loops = {lp.nodes: lp for lp in find_loops(f)}
    assert set(loops) == {("a", "b", "c"), ("b", "c")}
    assert loops[("a", "b", "c")].recirculated_kg == pytest.approx(0.3)
    assert loops[("b", "c")].recirculated_kg == pytest.approx(0.2)
    assert loops[("b", "c")].flows == ("bc1", "bc2", "cb")
    assert mass_balance(f).ok


def test_stock_change_closes_the_balance():
    from lca_engine import Stock

    flows = [
        _flow("in", "market", "a", 1.0, origin="virgin"),
        _flow("out", "a", "market", 0.8, kind="product", unit="item", mass_per_unit="1 kg/item"),
    ]
    open_ = mass_balance(_factory(flows, processes=("a",)))
    assert not open_.ok
    assert open_.table.set_index("node").loc["a", "imbalance_kg"] == pytest.approx(0.2)
    stock = Stock(id="s", process="a", change=200, unit="g", assumption=A)
    assert mass_balance(_factory(flows, processes=("a",), stocks=[stock])).ok


def test_tolerance_is_relative_to_throughput():
    flows = [
        _flow("in", "market", "a", 1.0, origin="virgin"),
        _flow("out", "a", "market", 0.995, kind="product", unit="item", mass_per_unit="1 kg/item"),
    ]
    f = _factory(flows, processes=("a",))
    assert mass_balance(f, tolerance=0.01).ok
    assert not mass_balance(f, tolerance=0.001).ok
    with pytest.raises(ValueError):
        mass_balance(f, tolerance=1.5)


def test_flow_mass_rules():
    assert flow_mass_kg(_flow("w", "market", "a", 2, unit="L", kind="water")) == pytest.approx(2.0)
    assert flow_mass_kg(_flow("e", "market", "a", 2, unit="kWh", kind="energy")) is None
    assert flow_mass_kg(_flow("p", "a", "market", 3, unit="item", kind="product")) is None
    assert flow_mass_kg(
        _flow("p", "a", "market", 3, unit="item", kind="product", mass_per_unit="250 g/item")
    ) == pytest.approx(0.75)
    assert flow_mass_kg(_flow("t", "market", "a", 2, unit="t")) == pytest.approx(2000)


def test_graph_structure_and_exports(tmp_path):
    f = load(DATA / "tiny_micro.toml")
    g = build_graph(f)
    assert g.nodes["knit"]["kind"] == "process" and g.nodes["market"]["kind"] == "boundary"
    assert g.number_of_edges() == len(f.flows)
    assert g.edges["knit", "recover", "offcuts"]["mass_kg"] == pytest.approx(0.05)
    res = CliRunner().invoke(
        app,
        [
            "graph",
            str(DATA / "tiny_micro.toml"),
            "--graphml",
            str(tmp_path / "g.graphml"),
            "--json",
            str(tmp_path / "g.json"),
        ],
    )
    assert res.exit_code == 0, res.output
    assert "knit → recover → knit" in res.output
    back = nx.read_graphml(tmp_path / "g.graphml")
    assert back.number_of_edges() == len(f.flows)
    data = json.loads((tmp_path / "g.json").read_text())
    assert {n["id"] for n in data["nodes"]} >= {"knit", "recover", "market", "landfill"}


def test_loop_listing_is_bounded_on_a_dense_graph():
    """A complete graph of 8 processes has sum_k C(8,k)(k-1)! = 16,064 simple cycles (k = 2..8): the listing stops at
    the cap with a warning instead of growing exponentially; a sparse factory lists all its loops silently."""
    import math
    import warnings

    from lca_engine.graph import LoopsTruncatedWarning

    procs = [f"p{i}" for i in range(8)]
    assert sum(math.comb(8, k) * math.factorial(k - 1) for k in range(2, 9)) == 16_064
    flows = [_flow(f"{u}-{v}", u, v, 1.0) for u in procs for v in procs if u != v]
    dense = _factory(flows, processes=procs)
    with pytest.warns(LoopsTruncatedWarning, match="only the first 100 "):
        loops = find_loops(dense, max_loops=100)
    assert len(loops) == 100
    assert len(find_loops(dense, max_loops=20_000)) == 16_064
    with warnings.catch_warnings():
        warnings.simplefilter("error", LoopsTruncatedWarning)
        assert len(find_loops(_factory([_flow("ab", "a", "b", 1), _flow("ba", "b", "a", 1)]))) == 1


def test_mass_from_cached_unit_factors_matches_hand_values():
    """kg per flow from cached per-unit factors: g, t, lb, item with mass_per_unit, water in L and m3 (1 kg/L)."""
    cases = [
        (_flow("g", "a", "b", 40, "g"), 0.04),
        (_flow("t", "a", "b", 2.5, "t"), 2500.0),
        (_flow("lb", "a", "b", 10, "lb"), 4.5359237),
        (_flow("it", "a", "b", 3, "item", mass_per_unit="0.49 kg/item"), 1.47),
        (_flow("wl", "a", "b", 10, "L", kind="water"), 10.0),
        (_flow("wm", "a", "b", 0.002, "m3", kind="water"), 2.0),
        (_flow("e", "a", "b", 2, "kWh", kind="energy"), None),
    ]
    for flow, kg in cases:
        got = flow_mass_kg(flow)
        assert got == kg if kg is None else got == pytest.approx(kg, rel=1e-12), flow.id
