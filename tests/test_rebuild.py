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


def test_changing_the_factor_mapping_rebuilds_the_background(tmp_path, data_dir):
    """Adding a factor to desnz.toml must reach the Brightway background (found by a real stale-cache bug)."""
    import shutil

    from lca_engine.background import default_inventories_dir, load_catalog
    from lca_engine.bw.calc import build

    inv = tmp_path / "inventories"
    shutil.copytree(default_inventories_dir() / "background", inv / "background")
    shutil.copy(default_inventories_dir() / "sources.toml", inv / "sources.toml")
    cache = tmp_path / "cache"
    before = load_catalog(2025, inventories=inv, cache_dir=cache)
    build([], before, data_dir)
    mapping = inv / "background" / "desnz.toml"
    mapping.write_text(
        mapping.read_text() + '\n[factors."freight.rail"]\nname = "Rail freight"\n'
        'level1 = "Freighting goods"\nlevel2 = "Rail"\nlevel3 = "Freight train"\nuom = "tonne.km"\n'
        'unit = "t*km"\n'
    )
    after = load_catalog(2025, inventories=inv, cache_dir=cache)
    assert "desnz.freight.rail" in after.factors and "desnz.freight.rail" not in before.factors
    assert build([], after, data_dir)["background"] is True
    import bw2data as bd

    assert bd.get_node(database="desnz-2025", code="desnz.freight.rail")["name"] == "Rail freight"
    build([], load_catalog(2025, cache_dir=data_dir / "cache"), data_dir)  # restore the shipped background
