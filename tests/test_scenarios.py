"""Declarative scenarios, checked by hand on the tiny inventory."""

from __future__ import annotations

import pytest

from lca_engine import InventoryError, load
from lca_engine.scenarios import Scenario, apply, assess_scenarios, effects, load_scenarios

from .conftest import DATA
from .test_carbon_by_hand import BASELINE, ELEC, MICRO


@pytest.fixture(scope="module")
def runs(data_dir):
    scs = [
        Scenario(name="grid-0.05", electricity_intensity=0.05),
        Scenario(name="green", renewable_electricity_share=0.5),
        Scenario(name="green-no-td", renewable_electricity_share=0.5, renewable_keeps_td_losses=False),
        Scenario(name="util", utilisation=0.5, fixed_energy_share=0.4),
        Scenario(name="y2024", year=2024),
        Scenario(name="rec", recycled_share=0.5),
    ]
    return assess_scenarios([DATA / "tiny_micro.toml"], scs, data_dir=data_dir)


def value(a, factory, scenario, indicator="carbon"):
    r = a.results
    sel = r[
        (r.factory == factory)
        & (r.scenario == scenario)
        & (r.indicator == indicator)
        & (r.contributor_type == "total")
        & (r.scope == "cradle_to_gate")
    ]
    assert len(sel) == 1
    return float(sel["value"].iloc[0])


def test_default_is_unchanged(runs):
    assert value(runs, "tiny-micro", "default") == pytest.approx(MICRO, rel=1e-6)
    assert value(runs, "tiny-baseline", "default") == pytest.approx(BASELINE, rel=1e-6)


def test_user_grid_intensity(runs):
    # tiny-micro buys 2.5 kWh: carbon changes by 2.5 × (0.05 − 0.19553)
    assert value(runs, "tiny-micro", "grid-0.05") == pytest.approx(MICRO + 2.5 * (0.05 - ELEC), rel=1e-6)
    assert value(runs, "tiny-micro", "grid-0.05", "energy_electricity") == pytest.approx(2.5, rel=1e-6)
    assert value(runs, "tiny-baseline", "grid-0.05") == pytest.approx(BASELINE, rel=1e-6)  # no electricity


#: DESNZ 2025 UK electricity transmission and distribution losses, kg CO2e per kWh (test_carbon_by_hand header)
TD = 0.01853


def test_renewable_share(runs):
    # half the 2.5 kWh on a renewable tariff: zero generation emissions (market-based), the T&D losses stay:
    # carbon falls by 1.25 × 0.177 (generation only); delivered electricity unchanged
    assert value(runs, "tiny-micro", "green") == pytest.approx(MICRO - 1.25 * (ELEC - TD), rel=1e-6)
    assert value(runs, "tiny-micro", "green", "energy_delivered") == pytest.approx(2.5, rel=1e-6)
    # the user may choose to drop the losses too: carbon falls by 1.25 × (0.177 + 0.01853)
    assert value(runs, "tiny-micro", "green-no-td") == pytest.approx(MICRO - 1.25 * ELEC, rel=1e-6)
    assert value(runs, "tiny-micro", "green-no-td", "energy_delivered") == pytest.approx(2.5, rel=1e-6)


def test_every_scenario_says_what_it_did(runs):
    e = runs.effects.set_index(["scenario", "factory", "parameter"])
    green = e.loc[("green", "tiny-micro", "renewable_electricity_share")]
    assert green.applies and "market-based" in green.note and "losses kept" in green.note
    assert "losses removed" in e.loc[("green-no-td", "tiny-micro", "renewable_electricity_share"), "note"]
    # tiny's yarn is clothing: DESNZ has no closed-loop factor, so recycled-50 cannot act and says so
    rec = e.loc[("rec", "tiny-micro", "recycled_share")]
    assert not rec.applies and rec.note.startswith("not applicable: ")
    assert "desnz.material.clothing.closed_loop" in rec.note
    # the baseline buys no electricity: the grid scenarios cannot act on it
    assert not e.loc[("grid-0.05", "tiny-baseline", "electricity_intensity"), "applies"]


def test_utilisation(runs):
    # energy × (0.4 / 0.5 + 0.6) = × 1.4
    assert value(runs, "tiny-micro", "util", "energy_delivered") == pytest.approx(2.5 * 1.4, rel=1e-6)
    assert value(runs, "tiny-micro", "util") == pytest.approx(MICRO + 2.5 * 0.4 * ELEC, rel=1e-6)


def test_year(runs, catalog):
    from lca_engine import load_catalog

    c24 = load_catalog(2024)
    e24 = c24.factors["desnz.electricity.uk"].value
    cl24 = c24.factors["desnz.material.clothing.primary"].value
    expected = (
        0.5 / 1000 * cl24
        + 0.010 / 1000 * c24.factors["desnz.waste.clothing.landfill"].value
        + 2.5 * e24
        + 10 / 1000 * c24.factors["desnz.water.supply"].value
        + 0.05 * c24.factors["desnz.freight.hgv"].value
    )
    assert value(runs, "tiny-micro", "y2024") == pytest.approx(expected, rel=1e-6)


def test_recycled_share_only_where_a_closed_loop_factor_exists(catalog):
    f = load(DATA / "tiny_micro.toml")
    # DESNZ has no closed-loop factor for clothing: nothing changes
    assert apply(f, Scenario(name="r", recycled_share=0.5), catalog).flows == f.flows
    pet = f.model_copy(
        update={
            "flows": [f.flows[0].model_copy(update={"background": "desnz.material.plastics_pet.primary"}), *f.flows[1:]]
        }
    )
    out = apply(pet, Scenario(name="r", recycled_share=0.25), catalog)
    virgin, recycled = out.flows[0], out.flows[1]
    assert (virgin.amount, recycled.amount) == pytest.approx((0.375, 0.125))
    assert recycled.origin == "recycled" and recycled.background == ["desnz.material.plastics_pet.closed_loop"]
    assert f.flows[0].amount == 0.5  # the input model is not changed
    (ok,) = effects(pet, Scenario(name="r", recycled_share=0.25), catalog)
    assert ok.applies and ok.note == "25% of " + pet.flows[0].id + " replaced by closed-loop recycled material"


def test_recycled_share_on_the_textile_example_is_not_applicable(catalog):
    from .conftest import EXAMPLES

    f = load(EXAMPLES / "textile_merthyr_micro.toml")
    sc = next(s for s in load_scenarios() if s.name == "recycled-50")
    assert apply(f, sc, catalog).flows == f.flows
    (e,) = effects(f, sc, catalog)
    assert (e.parameter, e.applies) == ("recycled_share", False)
    assert e.note == "not applicable: DESNZ has no closed-loop factor (desnz.material.clothing.closed_loop)"


def test_shipped_renewable_scenario_keeps_the_losses_and_is_market_based(catalog):
    sc = next(s for s in load_scenarios() if s.name == "renewable-100")
    assert sc.renewable_keeps_td_losses and "market-based" in sc.description
    f = load(DATA / "tiny_micro.toml")
    renewable = [x for x in apply(f, sc, catalog).flows if x.id.endswith("_renewable")]
    assert renewable and all(x.background == ["facts.electricity.renewable_market_based", "desnz.electricity.uk.td"]
                             for x in renewable)  # fmt: skip


def test_unknown_parameter_and_bad_values(tmp_path):
    (tmp_path / "s.toml").write_text(
        '[[scenarios]]\nname = "x"\ngrid_year = 2023\n\n[[scenarios]]\nname = "y"\nrecycled_share = 1.5\n'
    )
    with pytest.raises(InventoryError) as e:
        load_scenarios(tmp_path / "s.toml")
    msgs = {p.field: p for p in e.value.problems}
    assert "unknown scenario parameter 'grid_year'" in msgs["scenarios[0].grid_year"].message
    assert "year" in msgs["scenarios[0].grid_year"].fix
    assert "scenarios[1].recycled_share" in msgs


def test_shipped_scenarios_load():
    names = {s.name for s in load_scenarios()}
    assert {"grid-2023", "grid-2024", "grid-0.05", "renewable-100", "recycled-50", "utilisation-70"} <= names
