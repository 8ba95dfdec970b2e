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
