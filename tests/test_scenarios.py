"""Declarative scenarios, checked by hand on the tiny inventory."""

from __future__ import annotations

import pytest

from lca_engine import InventoryError, load
from lca_engine.scenarios import Scenario, apply, assess_scenarios, load_scenarios

from .conftest import DATA
from .test_carbon_by_hand import BASELINE, ELEC, MICRO


@pytest.fixture(scope="module")
def runs(data_dir):
    scs = [
        Scenario(name="grid-0.05", electricity_intensity=0.05),
        Scenario(name="green", renewable_electricity_share=0.5),
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


def test_renewable_share(runs):
    # half the 2.5 kWh on a zero-carbon tariff; delivered electricity unchanged
    assert value(runs, "tiny-micro", "green") == pytest.approx(MICRO - 1.25 * ELEC, rel=1e-6)
    assert value(runs, "tiny-micro", "green", "energy_delivered") == pytest.approx(2.5, rel=1e-6)


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
