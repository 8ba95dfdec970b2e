"""Claim check: declarative claims, verdicts from the paired Monte Carlo, clear errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lca_engine import Assumption, InventoryError, load
from lca_engine.claims import Claim, evaluate, load_claims
from lca_engine.model import Production

from .conftest import DATA


def comparison(rel: float, indicator="energy_delivered", base=10.0) -> pd.DataFrame:
    return pd.DataFrame(
        [{"factory": "m", "baseline": "b", "indicator": indicator, "relative_change": rel, "baseline_value": base}]
    )


class FakeMC:
    """Stands in for a MonteCarloResult with chosen draws (a plain container, not a mock of the engine)."""

    def __init__(self, micro, base, indicator="energy_delivered"):
        self.demand_names, self.draws, self.indicators = ["m", "b"], len(micro), [indicator]
        self._d = {("m", indicator): np.asarray(micro, float), ("b", indicator): np.asarray(base, float)}

    def of(self, demand, indicator):
        return self._d[(demand, indicator)]


def test_shipped_claims_load():
    claims = {c.id: c for c in load_claims()}
    e80 = claims["energy-80"]
    assert e80.relative_change == -0.8 and e80.scopes == ["site", "cradle_to_gate"]
    assert e80.indicator_at("site") == "energy_delivered" and e80.indicator_at("cradle_to_gate") == "primary_energy"
    assert claims["water-90"].indicator == "water_withdrawal" and claims["water-90"].min_coverage == 0.9
    assert {"chemicals-50", "productivity-15", "downtime-50"} <= set(claims)


def test_verdicts_from_draws():
    claim = [Claim(id="e80", text="80 % less energy", indicator="energy_delivered", relative_change=-0.8)]
    # 100 draws of the baseline at 10; micro at 1 (−90 %) in 96 draws and 5 (−50 %) in 4: P = 0.96 -> supported
    mc = FakeMC([1] * 96 + [5] * 4, [10] * 100)
    assert evaluate(claim, comparison(-0.86), mc).iloc[0]["verdict"] == "supported"
    mc = FakeMC([1] * 50 + [5] * 50, [10] * 100)  # P = 0.5 -> inconclusive
    row = evaluate(claim, comparison(-0.7), mc).iloc[0]
    assert row["verdict"] == "inconclusive" and row["p_claim_holds"] == pytest.approx(0.5)
    mc = FakeMC([9] * 100, [10] * 100)  # −10 % in every draw -> not supported
    assert evaluate(claim, comparison(-0.1), mc).iloc[0]["verdict"] == "not supported"
    # without a Monte Carlo the verdict is deterministic and says so
    row = evaluate(claim, comparison(-0.85)).iloc[0]
    assert row["verdict"] == "supported" and "deterministic" in row["why"]


def test_increase_claims_and_not_assessable_cases():
    up = [Claim(id="p", text="15 % more", indicator="energy_delivered", relative_change=0.15)]
    assert evaluate(up, comparison(0.2)).iloc[0]["verdict"] == "supported"
    assert evaluate(up, comparison(0.1)).iloc[0]["verdict"] == "not supported"
    ops = [Claim(id="d", text="50 % less downtime", indicator="downtime_hours", relative_change=-0.5)]
    row = evaluate(ops, comparison(-0.9)).iloc[0]
    assert row["verdict"] == "not assessable" and "downtime" in row["why"]
    zero = evaluate(up, comparison(np.nan, base=0.0)).iloc[0]
    assert zero["verdict"] == "not assessable"


def test_claim_on_unknown_indicator_is_an_error(tmp_path):
    (tmp_path / "c.toml").write_text(
        '[[claims]]\nid = "x"\ntext = "x"\nindicator = "happiness"\nrelative_change = -0.5\n'
    )
    with pytest.raises(InventoryError) as e:
        load_claims(tmp_path / "c.toml")
    assert "unknown indicator 'happiness'" in e.value.problems[0].message
    assert e.value.problems[0].field == "claims[0].indicator"
    with pytest.raises(InventoryError):
        evaluate([Claim(id="x", text="x", indicator="happiness", relative_change=-0.5)], comparison(-0.6))


def test_claim_in_an_inventory_is_validated(tmp_path, catalog):
    from lca_engine import load_checked

    text = (DATA / "tiny_micro.toml").read_text() + (
        '\n[[claims]]\nid = "mine"\ntext = "we halve carbon"\nindicator = "carbn"\nrelative_change = -0.5\n'
    )
    (tmp_path / "m.toml").write_text(text)
    (tmp_path / "tiny_baseline.toml").write_text((DATA / "tiny_baseline.toml").read_text())
    with pytest.raises(InventoryError) as e:
        load_checked(tmp_path / "m.toml", catalog=catalog)
    assert "unknown indicator 'carbn'" in e.value.problems[0].message


def test_cli_compare_on_tiny(tmp_path, data_dir):
    from typer.testing import CliRunner

    from lca_engine.cli import app

    text = (DATA / "tiny_micro.toml").read_text() + (
        '\n[production]\nannual_output = 20000\nassumption = { reasoning = "two shifts, test value", low = 10000, '
        "high = 30000 }\n"
        '\n[[claims]]\nid = "carbon-25"\ntext = "a quarter less carbon"\nindicator = "carbon"\n'
        "relative_change = -0.25\n"
    )
    (tmp_path / "m.toml").write_text(text)
    (tmp_path / "tiny_baseline.toml").write_text((DATA / "tiny_baseline.toml").read_text())
    res = CliRunner().invoke(
        app,
        [
            "compare",
            str(tmp_path / "m.toml"),
            "--draws",
            "500",
            "--seed",
            "4",
            "--out",
            str(tmp_path / "out"),
            "--data-dir",
            str(data_dir),
        ],
    )
    assert res.exit_code == 0, res.output
    verdicts = pd.read_csv(tmp_path / "out" / "claims.csv").set_index("claim")
    # tiny: 11.656 vs 16.531 kg CO2e, −29.5 %, and nothing in tiny is uncertain enough to change that
    from .test_carbon_by_hand import BASELINE, MICRO

    assert verdicts.loc["carbon-25", "measured_change"] == pytest.approx(MICRO / BASELINE - 1, rel=1e-6)
    assert verdicts.loc["carbon-25", "verdict"] == "supported"
    assert verdicts.loc["downtime-50", "verdict"] == "not assessable"
    # per year of output: difference × 20,000 items
    from lca_engine import assess_files

    comp = assess_files([tmp_path / "m.toml"], data_dir=data_dir).comparison().set_index("indicator")
    assert comp.loc["carbon", "difference_per_year"] == pytest.approx(comp.loc["carbon", "difference"] * 20000)
    assert load(tmp_path / "m.toml").production.annual_output == 20000


def test_productivity_and_downtime_claims_from_stated_figures():
    from lca_engine.claims import operations_of

    a = Assumption(reasoning="stated by the operator, test value", low=1, high=1e6)
    micro = load(DATA / "tiny_micro.toml").model_copy(
        update={
            "production": Production(
                annual_output=20000,
                output_per_labour_hour=6.0,
                planned_downtime_hours=100,
                unplanned_downtime_hours=60,
                assumption=a,
            )
        }
    )
    base = load(DATA / "tiny_baseline.toml").model_copy(
        update={
            "production": Production(
                annual_output=500000,
                output_per_labour_hour=5.0,
                planned_downtime_hours=200,
                unplanned_downtime_hours=200,
                assumption=a,
            )
        }
    )
    claims = {c.id: c for c in load_claims()}
    comp = pd.DataFrame(
        [
            {
                "factory": "tiny-micro",
                "baseline": "tiny-baseline",
                "indicator": "carbon",
                "relative_change": -0.3,
                "baseline_value": 16.5,
            }
        ]
    )
    ops = operations_of([micro, base])
    out = evaluate([claims["productivity-15"], claims["downtime-50"]], comp, None, ops).set_index("claim")
    # 6 / 5 − 1 = +20 % ≥ +15 %: supported; downtime 160 / 400 − 1 = −60 % ≤ −50 %: supported
    assert out.loc["productivity-15", "measured_change"] == pytest.approx(0.2)
    assert out.loc["productivity-15", "verdict"] == "supported"
    assert out.loc["downtime-50", "measured_change"] == pytest.approx(-0.6)
    assert out.loc["downtime-50", "verdict"] == "supported"
    # one figure missing on either side -> not assessable, never read as zero
    ops["tiny-baseline"].pop("downtime_hours")
    again = evaluate([claims["downtime-50"]], comp, None, ops).iloc[0]
    assert again["verdict"] == "not assessable" and "not state" in again["why"]
