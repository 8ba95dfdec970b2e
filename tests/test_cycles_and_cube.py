"""Reuse loops are cycles in the technosphere, solved against a hand-derived closed form; the result cube
round-trips through Parquet; method problems give clear errors."""

from __future__ import annotations

import pandas as pd
import pytest

from lca_engine import BackgroundError, assess_files, load, read_results
from lca_engine.results import to_cube_dtypes, write_results

from .conftest import DATA

ELEC = 0.177 + 0.01853


@pytest.fixture(scope="module")
def tiny(data_dir):
    return assess_files([DATA / "tiny_micro.toml"], data_dir=data_dir)


def test_reuse_loop_is_a_technosphere_cycle_with_the_closed_form_solution(tiny, data_dir, catalog):
    """tiny_micro: knitting sends 0.05 kg offcuts to recovery, recovery returns 0.04 kg yarn.

    Per kg of output, knitting needs a = 0.04/0.54 kg of recovered yarn (its output is 0.49 kg garment + 0.05 kg
    offcuts = 0.54 kg), and recovery needs b = 0.05/0.04 kg of knitting output per kg of yarn. For a demand of
    d = 0.49 kg garment the loop solves to x_knit = d / (1 − a·b) and x_recover = a · x_knit (geometric series of
    the loop). Scaling s = x / reference output.
    """
    import bw2calc as bc
    import bw2data as bd

    from lca_engine.bw.build import FU_CODE, foreground_db_name
    from lca_engine.bw.project import activate

    activate(data_dir)
    db = foreground_db_name(load(DATA / "tiny_micro.toml"), 2025)
    knit, recover = (bd.get_node(database=db, code=c) for c in ("knit", "recover"))
    # the cycle is really in the matrix: each process takes an input from the other
    assert {e.input.key for e in knit.technosphere()} >= {recover.key}
    assert {e.input.key for e in recover.technosphere()} >= {knit.key}

    a, b, d = 0.04 / 0.54, 0.05 / 0.04, 0.49
    x_knit = d / (1 - a * b)
    x_recover = a * x_knit
    for demand in (1.0, 3.0):  # scaling is linear in the demand
        lca = bc.LCA({bd.get_node(database=db, code=FU_CODE): demand})
        lca.lci()
        s_knit = lca.supply_array[lca.dicts.activity[knit.id]]
        s_recover = lca.supply_array[lca.dicts.activity[recover.id]]
        assert s_knit * 0.54 == pytest.approx(demand * x_knit, rel=1e-6)
        assert s_recover * 0.04 == pytest.approx(demand * x_recover, rel=1e-6)
    # carbon from the closed form: each process's own purchases, times its scaling
    own_knit = 0.5 / 1000 * 22310 + 2 * ELEC + 10 / 1000 * 0.1913 + 0.05 * 0.10163
    own_recover = 0.010 / 1000 * 496.78228 + 0.5 * ELEC
    closed = x_knit / 0.54 * own_knit + x_recover / 0.04 * own_recover
    assert tiny.total("tiny-micro") == pytest.approx(closed, rel=1e-6)


def test_consistent_inventory_solves_to_scaling_one(data_dir):
    """Per-FU amounts that are consistent with each other solve back to the inventory itself."""
    import bw2calc as bc
    import bw2data as bd

    from lca_engine.bw.build import FU_CODE, foreground_db_name

    db = foreground_db_name(load(DATA / "tiny_micro.toml"), 2025)
    lca = bc.LCA({bd.get_node(database=db, code=FU_CODE): 1})
    lca.lci()
    for code in ("knit", "recover"):
        assert lca.supply_array[lca.dicts.activity[bd.get_node(database=db, code=code).id]] == pytest.approx(1.0)


def test_cube_parquet_round_trip_is_exact(tiny, tmp_path):
    path = tmp_path / "cube.parquet"
    write_results(tiny.results, path)
    back = read_results(path)
    pd.testing.assert_frame_equal(back, to_cube_dtypes(tiny.results), check_exact=True)
    assert dict(back.dtypes.astype(str)) == dict(to_cube_dtypes(tiny.results).dtypes.astype(str))
    assert back["year"].dtype == "int32" and back["value"].dtype == "float64"
    # and again: what was read writes and reads back identically
    write_results(back, tmp_path / "again.parquet")
    pd.testing.assert_frame_equal(read_results(tmp_path / "again.parquet"), back, check_exact=True)


def test_totals_pivot_and_top_contributors(tiny):
    from lca_engine import top_contributors, totals

    wide = totals(tiny.results)
    assert set(wide.factory) == {"tiny-micro", "tiny-baseline"}
    assert wide.set_index("factory").loc["tiny-micro", "carbon"] == pytest.approx(tiny.total("tiny-micro"))
    top = top_contributors(tiny.results, by="factor", n=2)
    first = top[(top.factory == "tiny-micro") & (top.indicator == "carbon")].iloc[0]
    assert first.factor == "desnz.material.clothing.primary"


def test_completeness_lists_uncharacterised_flows(tiny):
    c = tiny.completeness.set_index(["factory", "flow", "scope"])
    assert c.loc[("tiny-micro", "yarn", "cradle_to_gate"), "status"] == "characterised"
    assert c.loc[("tiny-micro", "yarn", "site"), "status"] == "not characterised"  # bought yarn: supply chain only
    assert "carbon" in c.loc[("tiny-micro", "power", "site"), "characterised_by"]
    assert "energy_electricity" in c.loc[("tiny-micro", "power", "site"), "characterised_by"]
    # the water bought: withdrawal on site, its supply's carbon only cradle to gate
    site = set(c.loc[("tiny-micro", "water", "site"), "characterised_by"].split(","))
    c2g = set(c.loc[("tiny-micro", "water", "cradle_to_gate"), "characterised_by"].split(","))
    assert "water_withdrawal" in site and "carbon" not in site and {"carbon", "water_withdrawal"} <= c2g


def test_uncharacterised_flow_is_reported(data_dir, tmp_path):
    text = (DATA / "tiny_micro.toml").read_text().replace('background = "desnz.freight.hgv"\n', "")
    (tmp_path / "m.toml").write_text(text)
    (tmp_path / "tiny_baseline.toml").write_text((DATA / "tiny_baseline.toml").read_text())
    a = assess_files([tmp_path / "m.toml"], data_dir=data_dir)
    c = a.completeness.set_index(["factory", "flow", "scope"])
    assert c.loc[("tiny-micro", "delivery", "cradle_to_gate"), "status"] == "not characterised"


def test_unknown_indicator_and_missing_method_errors(data_dir, catalog):
    from lca_engine.bw.calc import calculate
    from lca_engine.bw.methods import require_methods, shipped_cfs

    with pytest.raises(BackgroundError) as e:
        calculate([load(DATA / "tiny_baseline.toml")], catalog, data_dir, indicators=["carbon", "happiness"])
    assert "unknown indicator(s) ['happiness']" in e.value.problems[0].message
    with pytest.raises(BackgroundError) as e:
        require_methods([("EF v3.1", "happiness", "smiles")])
    assert "not installed" in e.value.problems[0].message and e.value.problems[0].fix
    with pytest.raises(BackgroundError) as e:
        shipped_cfs(("EF v3.1", "happiness", "smiles"))
    assert "not in bw2io's shipped file" in e.value.problems[0].message


def test_contribution_by_life_cycle_module(tiny):
    from lca_engine import contributions

    by_module = contributions(tiny.results, "tiny-micro", "carbon", by="module", cutoff=0).set_index("module")
    assert by_module.loc["A1 raw materials", "value"] == pytest.approx(0.5 / 1000 * 22310, rel=1e-6)
    assert by_module.loc["A2 transport", "value"] == pytest.approx(0.05 * 0.10163, rel=1e-6)
    assert by_module.loc["A3 waste and wastewater treatment", "value"] == pytest.approx(
        0.01 / 1000 * 496.78228, rel=1e-6
    )
    assert by_module["value"].sum() == pytest.approx(tiny.total("tiny-micro"), rel=1e-6)
