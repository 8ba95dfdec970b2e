"""Carbon through the full Brightway pipeline equals plain arithmetic on the DESNZ 2025 factors.

Factors (DESNZ 2025 flat file, kg CO2e; the values below are exactly those published):
  UK electricity generation 0.177 /kWh, T&D 0.01853 /kWh, natural gas 0.18296 /kWh (gross CV),
  diesel 2.57082 /L, water supply 0.1913 /m3, water treatment 0.17088 /m3, HGV average laden 0.10163 /t.km,
  clothing primary 22310 /t, clothing landfill 496.78228 /t.
"""

from __future__ import annotations

import pytest

from lca_engine import assess_files, load

from .conftest import DATA

ELEC = 0.177 + 0.01853
MICRO = (
    0.5 / 1000 * 22310  # yarn, 0.5 kg virgin clothing material
    + 0.010 / 1000 * 496.78228  # 10 g recovery loss to landfill
    + 2 * ELEC  # knitting, 2 kWh
    + 1800 / 3600 * ELEC  # recovery, 1800 kJ = 0.5 kWh
    + 10 / 1000 * 0.1913  # 10 L mains water
    + 0.05 * 0.10163  # 0.05 t.km HGV
)
BASELINE = (
    0.7 / 1000 * 22310  # fabric
    + 0.2 / 1000 * 496.78228  # cutting waste to landfill
    + 3 * 0.18296  # gas
    + 0.1 * 2.57082  # diesel
    + 0.05 * 0.17088  # waste water treatment
)


@pytest.fixture(scope="module")
def tiny(data_dir):
    return assess_files([DATA / "tiny_micro.toml"], year=2025, data_dir=data_dir)


def test_micro_and_baseline_equal_hand_arithmetic(tiny):
    assert tiny.total("tiny-micro") == pytest.approx(MICRO, rel=1e-9)
    assert tiny.total("tiny-baseline") == pytest.approx(BASELINE, rel=1e-9)


def test_comparison_is_difference_of_totals(tiny):
    row = tiny.comparison().iloc[0]
    assert (row.factory, row.baseline) == ("tiny-micro", "tiny-baseline")
    assert row.difference == pytest.approx(MICRO - BASELINE, rel=1e-6)
    assert row.relative_change == pytest.approx((MICRO - BASELINE) / BASELINE, rel=1e-6)


def test_contributions_add_up_and_name_the_factors(tiny):
    from lca_engine.results import contributions

    by_factor = contributions(tiny.results, "tiny-micro", "carbon", by="factor", cutoff=0).set_index("factor")
    by_process = contributions(tiny.results, "tiny-micro", "carbon", by="process", cutoff=0).set_index("process")
    by_flow = contributions(tiny.results, "tiny-micro", "carbon", by="flow", cutoff=0).set_index("flow")
    for table in (by_factor, by_process, by_flow):
        assert table["value"].sum() == pytest.approx(MICRO, rel=1e-6)
        assert table["share"].sum() == pytest.approx(1.0, rel=1e-6)
    assert by_factor.loc["desnz.material.clothing.primary", "value"] == pytest.approx(0.5 / 1000 * 22310, rel=1e-6)
    assert by_factor.loc["desnz.electricity.uk", "value"] == pytest.approx(2.5 * ELEC, rel=1e-6)
    assert by_flow.loc["power_recover", "value"] == pytest.approx(0.5 * ELEC, rel=1e-6)
    assert by_process.loc["recover", "value"] == pytest.approx(0.010 / 1000 * 496.78228 + 0.5 * ELEC, rel=1e-6)
    # the cut-off merges small parts into one row, keeping the sum
    cut = contributions(tiny.results, "tiny-micro", "carbon", by="flow", cutoff=0.05)
    assert cut["flow"].iloc[-1] == "other (< 5%)"
    assert cut["value"].sum() == pytest.approx(MICRO, rel=1e-6)


def test_direct_emissions_use_ar5_gwp(data_dir, tmp_path):
    """A foreground CH4 emission counts at 28 (AR5, the DESNZ basis) on top of the DESNZ totals."""
    from lca_engine import Assumption, Flow, assess

    f = load(DATA / "tiny_baseline.toml")
    f.flows.append(
        Flow.model_validate(
            {
                "id": "ch4",
                "from": "cut_sew",
                "to": "environment",
                "kind": "emission",
                "amount": 2,
                "unit": "g",
                "substance": "Methane, fossil",
                "compartment": "air",
                "balance": False,
                "assumption": Assumption(reasoning="test emission, not real data", low=0, high=5),
            }
        )
    )
    a = assess(f, data_dir=data_dir)
    assert a.total("tiny-baseline") == pytest.approx(BASELINE + 0.002 * 28, rel=1e-6)


def test_other_year_uses_that_years_factors(data_dir):
    a = assess_files([DATA / "tiny_baseline.toml"], year=2023, data_dir=data_dir)
    # 2023 factors as stored (unrounded) in the 2023 flat file, read independently with openpyxl
    import openpyxl

    from lca_engine.background import default_inventories_dir

    wb = openpyxl.load_workbook(
        default_inventories_dir() / "background/desnz/ghg-conversion-factors-2023-flat-file-update.xlsx", read_only=True
    )
    want = {
        "1_100_1004_6_1": None,
        "1_101_1011_8_1": None,
        "18_405_4006_1_1": None,
        "19_501_5060_15_1": None,
        "20_501_5278_15_1": None,
    }
    for row in wb["Factors by Category"].iter_rows(values_only=True):
        if row[0] in want:
            want[row[0]] = row[9]
    expected = (
        0.7 / 1000 * want["19_501_5060_15_1"]
        + 0.2 / 1000 * want["20_501_5278_15_1"]
        + 3 * want["1_100_1004_6_1"]
        + 0.1 * want["1_101_1011_8_1"]
        + 0.05 * want["18_405_4006_1_1"]
    )
    assert a.total("tiny-baseline") == pytest.approx(expected, rel=1e-6)
