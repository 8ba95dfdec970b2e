"""Rebuild only what changed: a warm run writes nothing; editing one factory rewrites only its database."""

from __future__ import annotations

from lca_engine import load

from .conftest import DATA


def test_second_build_writes_nothing_and_edits_rewrite_one_database(tmp_path, catalog):
    from lca_engine.bw.calc import build

    data_dir = tmp_path / "fresh"
    micro, base = load(DATA / "tiny_micro.toml"), load(DATA / "tiny_baseline.toml")
    first = build([micro, base], catalog, data_dir)
    assert all(first.values()), first  # a fresh folder builds everything
    second = build([micro, base], catalog, data_dir)
    assert not any(second.values()), second
    micro.flows[4].amount = 2.5  # 2 -> 2.5 kWh of electricity
    third = build([micro, base], catalog, data_dir)
    assert third == {"base": False, "background": False, "tiny-micro": True, "tiny-baseline": False}


def test_edit_changes_the_result(tmp_path, catalog):
    import pytest

    from lca_engine import assess

    data_dir = tmp_path / "edit"
    micro = load(DATA / "tiny_micro.toml")
    before = assess(micro, data_dir=data_dir).total("tiny-micro")
    micro.flows[4].amount = 3.0  # +1 kWh
    after = assess(micro, data_dir=data_dir).total("tiny-micro")
    assert after - before == pytest.approx(0.177 + 0.01853, rel=1e-5)
