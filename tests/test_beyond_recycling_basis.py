"""Beyond Recycling rows for the textile micro-factory and its baseline on the same basis (solid process waste
leaving the factory, effluent apart, in-house recovery beside), worked out by hand from the TOML files."""

from __future__ import annotations

import tomllib

import pytest

from lca_engine import load
from lca_engine.wales import load_policy
from lca_engine.wales.recycling import BASIS, beyond_recycling

from .conftest import EXAMPLES

MICRO = EXAMPLES / "textile_merthyr_micro.toml"
BASE = EXAMPLES / "textile_conventional_baseline.toml"


def _solid_waste_out(path) -> dict[str, float]:
    """kg per FU of waste leaving processes, per destination, without the effluent to waste-water treatment."""
    with open(path, "rb") as fh:
        data = tomllib.load(fh)
    procs = {p["id"] for p in data["processes"]}
    out: dict[str, float] = {}
    for f in data["flows"]:
        if f["from"] in procs and f["to"] not in procs and f["kind"] == "waste" and f["to"] != "wastewater_treatment":
            out[f["to"]] = out.get(f["to"], 0.0) + f["amount"]
    return out


def test_both_systems_on_the_solid_waste_basis():
    micro, base = _solid_waste_out(MICRO), _solid_waste_out(BASE)
    # micro: 0.00775 kg fly to energy recovery; baseline: 0.01349 + 0.0902 + 0.01546 kg landfilled, 0.0387 recycled
    assert micro == pytest.approx({"energy_recovery": 0.00775})
    assert base == pytest.approx({"landfill": 0.11915, "recycling": 0.0387})
    df = beyond_recycling(load_policy(), load(MICRO), load(BASE)).set_index("measure")
    assert set(df["basis"]) == {BASIS}
    rate = df.loc["recycling_rate"].iloc[0]
    assert rate.factory_value == 0.0 and rate.baseline_value == pytest.approx(0.0387 / (0.11915 + 0.0387))
    land = df.loc["landfill_share"]
    assert land.factory_value == 0.0 and land.baseline_value == pytest.approx(0.11915 / (0.11915 + 0.0387))
    assert (land.status, land.baseline_status) == ("meets", "above")
    not_recycled = df.loc["waste_not_recycled_kg"]
    assert not_recycled.factory_value == pytest.approx(0.00775)  # the 0.2145 kg dissolved effluent is not counted
    assert not_recycled.baseline_value == pytest.approx(0.11915)
    # in-house recovery beside the rows: 0.030 kg yarn returned of 0.030 + 0.00775 kg; the baseline has no loop
    assert rate.factory_in_house_recovery == pytest.approx(0.030 / 0.03775)
    assert rate.baseline_in_house_recovery == 0.0
