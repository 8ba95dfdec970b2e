"""Circularity figures of two shipped examples (textile, packaging) worked out by hand from the TOML files.

Every expected value is plain arithmetic on the amounts read with ``tomllib`` (never the tool's output): water
reuse and circular water (ISO 59020), CTI with and without the recycling yield E_C, renewable energy share, the
solid-waste recycling rate and in-house recovery. A synthetic factory checks that a loop's water is counted once.
"""

from __future__ import annotations

import tomllib

import pytest

from lca_engine import Assumption, Factory, Flow, FunctionalUnit, Process, Site, load
from lca_engine.circularity import circularity_report

from .conftest import EXAMPLES

TEXTILE = EXAMPLES / "textile_merthyr_micro.toml"
PACKAGING = EXAMPLES / "packaging_micro.toml"


def _toml(path):
    with open(path, "rb") as fh:
        data = tomllib.load(fh)
    return data, {f["id"]: f["amount"] for f in data["flows"]}


def _kwh(data) -> float:
    return sum(f["amount"] for f in data["flows"] if f["kind"] == "energy" and f["unit"] == "kWh")


# --------------------------------------------------------------------------------------------------- textile --


def _report(path):
    """(circularity report, the TOML as read, {flow id: amount})."""
    return circularity_report(load(path)), *_toml(path)


textile = pytest.fixture(scope="module", name="textile")(lambda: _report(TEXTILE))


def test_textile_water_by_hand(textile):
    r, _, a = textile
    # withdrawal: mains to dyeing + mains for steam = 11.19 + 0.15 = 11.34 L
    withdrawal = a["water_dye_fresh"] + a["water_steam"]
    # the membrane loop dye → water_loop → dye returns min(17.71 L rinse, 9.74 L permeate) = 9.74 L: the rinse leg,
    # the garment moisture (evaporated in drying) and the concentrate are not returned water
    returned = min(a["rinse_to_loop"], a["water_permeate"])
    assert returned == 9.74
    iso = r["iso59020"]
    assert iso["water_withdrawal"]["value"] == pytest.approx(withdrawal / 1000)
    assert iso["water_reuse"]["value"] == pytest.approx(returned / (returned + withdrawal))
    assert iso["water_reuse"]["value"] == pytest.approx(0.4620, abs=5e-5)  # the 46.2 %
    assert iso["circular_water_withdrawal"]["value"] == 0.0  # no rainwater, no re-used water bought
    # discharged (liquid): dye bath 2.616 L + concentrate 7.97 L, none of it sent for reuse
    assert iso["circular_water_discharge"]["inputs"]["discharged m3"] == pytest.approx(
        (a["dye_bath_drain"] + a["membrane_concentrate"]) / 1000
    )
    assert iso["circular_water_discharge"]["value"] == 0.0
    (water_loop,) = [lp for lp in r["loops"] if lp["kind"] == "water"]
    assert water_loop["returned_kg_per_fu"] == pytest.approx(returned)
    assert water_loop["share_of_material_inflow"] is None  # water is not divided by a material inflow
    assert water_loop["share_of_water_use"] == pytest.approx(returned / (withdrawal + returned))


def test_textile_cti_with_and_without_yield_by_hand(textile):
    r, data, a = textile
    eou = data["end_of_use"]
    product = 0.5  # mass_per_unit of the jumper
    # outflows: product + dissolved effluent 0.2145 + fly to energy recovery 0.00775; none recovered
    out = product + a["dye_effluent_solids"] + a["recovery_loss"]
    cti_frac = eou["collected_for_reuse"] + eou["collected_for_recycling"]  # 0.48 + 0.14
    yield_frac = eou["collected_for_reuse"] + eou["collected_for_recycling"] * eou["recycling_efficiency_collection"]
    cti = r["cti"]
    assert cti["circular_outflow"]["value"] == pytest.approx(product * cti_frac / out)  # 42.9 %
    assert cti["circular_outflow_yield_adjusted"]["value"] == pytest.approx(product * yield_frac / out)  # 41.0 %
    assert (round(cti["circular_outflow"]["value"], 3), round(cti["circular_outflow_yield_adjusted"]["value"], 3)) == (
        0.429,
        0.410,
    )
    # circular inflow 0: all yarn, dyes and chemicals bought are virgin
    inflow = a["yarn_virgin"] + a["dyes"] + a["dye_chemicals"]
    assert cti["material_circularity"]["value"] == pytest.approx(product * cti_frac / (inflow + out))
    # ISO 59020 recycled outflow: collected for recycling 0.14 × 0.5 kg of the outflow, yield variant × E_C
    iso = r["iso59020"]
    assert iso["outflow_recycled"]["value"] == pytest.approx(product * eou["collected_for_recycling"] / out)
    assert iso["outflow_recycled_yield_adjusted"]["value"] == pytest.approx(
        product * eou["collected_for_recycling"] * eou["recycling_efficiency_collection"] / out
    )


def test_textile_renewable_energy_and_waste_by_hand(textile):
    r, data, a = textile
    kwh = _kwh(data)  # all electricity: 2 + 1 + 0.06 + 0.55 + 1 + 0.15 = 4.76 kWh
    assert kwh == pytest.approx(4.76)
    stated = data["socio_economic"]["renewable_electricity_share"]["value"]
    iso = r["iso59020"]
    assert iso["renewable_energy_share"]["value"] == pytest.approx(stated * kwh / kwh)  # 0.3, market-based
    assert iso["renewable_energy_share_onsite"]["value"] == 0.0  # no on-site generation modelled as flows
    w = r["waste"]
    # solid process waste leaving: only the fly to energy recovery; the dissolved load is effluent
    assert w["process_waste"]["value"] == pytest.approx(a["recovery_loss"])
    assert w["effluent_load"]["value"] == pytest.approx(a["dye_effluent_solids"])
    assert w["recycling_rate"]["value"] == 0.0
    assert w["landfill_share"]["value"] == 0.0 and w["landfill_diversion"]["value"] == 1.0
    # in house: 0.030 kg recovered yarn back to knitting of 0.030 + 0.00775 kg solid waste generated = 79.5 %
    in_house = a["yarn_recovered"] / (a["yarn_recovered"] + a["recovery_loss"])
    assert w["in_house_recovery"]["value"] == pytest.approx(in_house)
    assert round(in_house, 3) == 0.795


# ------------------------------------------------------------------------------------------------- packaging --


packaging = pytest.fixture(scope="module", name="packaging")(lambda: _report(PACKAGING))


def test_packaging_water_by_hand(packaging):
    r, _, a = packaging
    # intake: mains 72.2 L + 2.0 kg moisture arriving with the bales
    withdrawal = a["water_fresh"] + a["bale_moisture"]
    # the white-water loop pulping → forming → water_recovery → pulping returns min(stock 1879.6 − 1.565 kg taken by
    # the re-pulping loop, white water 1818.9, clarified water 1786.9) = 1786.9 kg
    returned = min(a["stock"] - a["repulped_trays"], a["white_water"], a["water_recirculated"])
    assert returned == a["water_recirculated"]
    iso = r["iso59020"]
    assert iso["water_reuse"]["value"] == pytest.approx(returned / (returned + withdrawal))
    # discharged (liquid): bleed 30 L + sludge water 1.4 kg; vapour 41.09 kg is consumed, not discharged
    disc = iso["circular_water_discharge"]["inputs"]
    assert disc["discharged m3"] == pytest.approx((a["bleed"] + a["sludge_water"]) / 1000)
    assert disc["evaporated m3 (consumed, not discharged)"] == pytest.approx(a["vapour"] / 1000)
    loops = {lp["kind"]: lp for lp in r["loops"]}
    assert loops["water"]["share_of_water_use"] == pytest.approx(returned / (withdrawal + returned))
    # the re-pulping loop: 1.565 kg per (17.05 + 1.0 + 0.3) kg material inflow
    inflow = a["recovered_paper"] + a["bale_contaminants"] + a["additives"]
    assert loops["material"]["share_of_material_inflow"] == pytest.approx(a["repulped_trays"] / inflow)


def test_packaging_cti_with_and_without_yield_by_hand(packaging):
    r, data, a = packaging
    eou = data["end_of_use"]
    product = 1000 * 0.018
    # only the bales' fibre is recycled inflow (moisture is water, contaminants are linear)
    inflow = a["recovered_paper"] + a["bale_contaminants"] + a["additives"]
    out = product + a["pulper_rejects"] + a["sludge"]  # sludge solids only; its water is not material
    circ_out = product * eou["collected_for_recycling"] + a["sludge"]
    circ_out_y = product * eou["collected_for_recycling"] * eou["recycling_efficiency_collection"] + a["sludge"]
    cti = r["cti"]
    assert cti["circular_inflow"]["value"] == pytest.approx(a["recovered_paper"] / inflow)
    assert cti["circular_outflow"]["value"] == pytest.approx(circ_out / out)
    assert cti["circular_outflow_yield_adjusted"]["value"] == pytest.approx(circ_out_y / out)
    assert cti["material_circularity"]["value"] == pytest.approx((a["recovered_paper"] + circ_out) / (inflow + out))
    # linear inflow: contaminants 1.0 kg + additives 0.3 kg (no [economics]: productivity not stated)
    assert r["material_flows"]["inflow_by_origin_kg"]["virgin"] == pytest.approx(
        a["bale_contaminants"] + a["additives"]
    )
    assert cti["circular_material_productivity"]["value"] is None
    iso = r["iso59020"]
    assert iso["recycled_inflow_content"]["value"] == pytest.approx(a["recovered_paper"] / inflow)
    assert iso["outflow_bio_recirculated"]["value"] == pytest.approx(a["sludge"] / out)


def test_packaging_renewable_energy_and_waste_by_hand(packaging):
    r, data, a = packaging
    kwh = _kwh(data)  # 2 + 7.8 + 59 + 0.5 + 2 + 0.4 = 71.7 kWh, all electricity
    assert kwh == pytest.approx(71.7)
    stated = data["socio_economic"]["renewable_electricity_share"]["value"]
    assert r["iso59020"]["renewable_energy_share"]["value"] == pytest.approx(stated)  # 0.5
    w = r["waste"]
    solid = a["pulper_rejects"] + a["sludge"]  # 1.5 kg to energy recovery + 0.6 kg solids to composting
    assert w["process_waste"]["value"] == pytest.approx(solid)
    assert w["recycling_rate"]["value"] == pytest.approx(a["sludge"] / solid)
    assert w["in_house_recovery"]["value"] == pytest.approx(a["repulped_trays"] / (a["repulped_trays"] + solid))


def test_bales_and_sludge_split_keeps_the_masses(packaging):
    """Item 7: the parts add up to the former 20.05 kg bales and 2.0 kg wet sludge (mass balance unchanged)."""
    _, _, a = packaging
    assert a["recovered_paper"] + a["bale_moisture"] + a["bale_contaminants"] == pytest.approx(20.05)
    assert a["sludge"] + a["sludge_water"] == pytest.approx(2.0)


# ----------------------------------------------------------------------------- counted once: synthetic loops --

A = Assumption(reasoning="hand-worked test value", low=0, high=1e6)


def _f(fid, src, dst, amount, kind="water", **kw):
    return Flow.model_validate(
        {"id": fid, "from": src, "to": dst, "kind": kind, "amount": amount, "unit": "kg", "assumption": A, **kw}
    )


def test_parallel_edges_and_shared_legs_are_counted_once():
    """wash → filter (6 + 4 kg, two parallel flows) → wash (7 kg back), and a second loop wash → polish → filter →
    wash sharing the return leg. Withdrawal 5 kg, 3 kg evaporated, 2 kg to sewer.

    Loops in order: (filter, wash): min(7, 10) = 7 → the return leg is used up; (filter, wash, polish): wash →
    polish 1 kg, polish → filter 1 kg, filter → wash 0 left → 0. Water returned = 7 kg (not 6 + 4 + 7 + 1 + 1).
    Water reuse = 7 / (7 + 5)."""
    flows = [
        _f("mains", "market", "wash", 5),
        _f("to_filter_a", "wash", "filter", 6),
        _f("to_filter_b", "wash", "filter", 4),
        _f("to_polish", "wash", "polish", 1),
        _f("polished", "polish", "filter", 1),
        _f("back", "filter", "wash", 7),
        _f("vapour", "filter", "environment", 3, compartment="air"),
        _f("sewer", "filter", "wastewater_treatment", 2),
        _f("goods_in", "market", "wash", 1, kind="material", origin="virgin"),
        Flow.model_validate(
            {"id": "goods", "from": "wash", "to": "market", "kind": "product", "amount": 1, "unit": "item",
             "mass_per_unit": "1 kg/item", "assumption": A}
        ),
    ]  # fmt: skip
    f = Factory(
        id="loops",
        name="loops",
        sector="textiles",
        site=Site(name="x", lat=51.5, lon=-3.2),
        functional_unit=FunctionalUnit(amount=1, unit="item", description="one thing"),
        processes=[Process(id="wash"), Process(id="filter"), Process(id="polish")],
        flows=flows,
    )
    r = circularity_report(f)
    assert sum(lp["returned_kg_per_fu"] for lp in r["loops"]) == pytest.approx(7)
    assert r["iso59020"]["water_reuse"]["value"] == pytest.approx(7 / 12)
    assert r["iso59020"]["circular_water_discharge"]["inputs"]["discharged m3"] == pytest.approx(0.002)
    assert all(lp["kind"] == "water" for lp in r["loops"])
