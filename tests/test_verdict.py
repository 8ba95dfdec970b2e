"""The verdict block: point estimate, paired Monte Carlo difference, P(better), verdict and coverage per headline
indicator and scope, checked against the draws themselves (plain numpy) and the coverage table."""

from __future__ import annotations

import numpy as np
import pytest

from lca_engine import assess_files, monte_carlo
from lca_engine.verdict import BLOCK_INDICATORS, Direction, direction, point_vs_mean, verdict_block

from .conftest import EXAMPLES

MICRO, BASE = "textile-merthyr-micro", "textile-conventional-baseline"


@pytest.fixture(scope="module")
def pair(data_dir):
    a = assess_files([EXAMPLES / "textile_merthyr_micro.toml"], data_dir=data_dir)
    facs = [a.checked[MICRO].factory, a.checked[BASE].factory]
    return a, monte_carlo(facs, draws=1000, seed=7, data_dir=data_dir)


def test_every_row_against_the_draws_and_the_coverage_table(pair):
    a, mc = pair
    block = verdict_block(a, MICRO, mc)
    assert len(block) == len(BLOCK_INDICATORS) * 2
    cov = a.coverage.set_index(["factory", "indicator", "scope"])["coverage"]
    for r in block.itertuples():
        assert r.micro_factory == a.total(MICRO, r.indicator, r.scope)
        assert r.point_difference == pytest.approx(r.micro_factory - a.total(BASE, r.indicator, r.scope))
        least = min(cov[(MICRO, r.indicator, r.scope)], cov[(BASE, r.indicator, r.scope)])
        assert r.coverage == least
        if least < 0.9:
            missing = a.coverage.set_index(["factory", "indicator", "scope"]).loc[
                (MICRO, r.indicator, r.scope), "missing"
            ]
            assert r.verdict == Direction.NOT_ASSESSABLE and missing and missing in r.note and np.isnan(r.p_better)
            continue
        key = r.indicator if r.scope == "cradle_to_gate" else f"{r.indicator}@site"
        d = mc.of(MICRO, key) - mc.of(BASE, key)
        assert r.mean_difference == pytest.approx(d.mean()) and r.p_better == pytest.approx(np.mean(d < 0))
        assert (r.p2_5, r.p97_5) == pytest.approx((np.percentile(d, 2.5), np.percentile(d, 97.5)))
        assert r.verdict == (Direction.NO_DIFFERENCE if not np.any(d) else direction(r.p_better))
    site_water = block[(block.indicator == "water_withdrawal") & (block.scope == "site")].iloc[0]
    assert site_water.verdict == Direction.BETTER  # -86 % on site, every draw lower
    c2g_carbon = block[(block.indicator == "carbon") & (block.scope == "cradle_to_gate")].iloc[0]
    assert c2g_carbon.verdict == Direction.NOT_ASSESSABLE  # dyes and dye chemicals have no factor


def test_equal_in_every_draw_is_no_difference_not_worse(data_dir):
    """The e-bike pair withdraws no water on site on either side: every paired difference is 0, P(better) is 0,
    and the verdict must say there is no difference (it said 'worse')."""
    micro, base = "emobility-llanelli-micro", "emobility-newpack-baseline"
    a = assess_files([EXAMPLES / "emobility_micro.toml"], data_dir=data_dir)
    mc = monte_carlo([a.checked[micro].factory, a.checked[base].factory], draws=200, seed=3, data_dir=data_dir)
    row = verdict_block(a, micro, mc).set_index(["indicator", "scope"]).loc[("water_withdrawal", "site")]
    d = mc.of(micro, "water_withdrawal@site") - mc.of(base, "water_withdrawal@site")
    assert not np.any(d)
    assert a.total(micro, "water_withdrawal", "site") == a.total(base, "water_withdrawal", "site") == 0
    assert row.p_better == 0 and row.verdict == Direction.NO_DIFFERENCE


def test_thresholds_and_the_point_versus_mean_sentence():
    assert [direction(p) for p in (0.95, 0.951, 0.5, 0.05, 0.0)] == [
        Direction.BETTER,
        Direction.BETTER,
        Direction.UNCERTAIN,
        Direction.WORSE,
        Direction.WORSE,
    ]
    assert point_vs_mean(-3.82, -4.685).startswith("point estimate -3.82")
    assert point_vs_mean(-4.0, -4.1) == ""  # within 5 % of the mean


def test_without_monte_carlo_or_baseline(pair):
    a, _ = pair
    block = verdict_block(a, MICRO)
    assert set(block.verdict) <= {"", Direction.NOT_ASSESSABLE}
    assert (block[block.verdict == ""].note == "no Monte Carlo run: point estimate only").all()
