"""The verdict block: for each headline indicator and scope, how the micro-factory compares with its baseline and
how sure we are — one table for every page that shows a result.

For each row:

* the **point estimate** — the inventories as written (each input at its most likely value): micro-factory,
  baseline, difference and relative change;
* the **Monte Carlo** difference over paired draws (every input sampled over its range, shared background draws
  equal on both sides): mean and 95 % interval, and P(better) = P(micro-factory < baseline);
* the **verdict**: better if P(better) ≥ 0.95, worse if ≤ 0.05, uncertain in between; no difference where the two
  are equal in every draw (e.g. both 0: P(better) is then 0, which must not read "worse"); not assessable where either
  side's coverage at that scope is below ``min_coverage`` (the flows not covered are named) or there is no baseline;
* a note when the point difference and the Monte Carlo mean differ by more than 5 % of the mean: the ranges are
  asymmetric (e.g. a triangular range whose most likely value sits near one end), so the mean over the ranges is
  not the value at the most likely inputs — both are right, they answer different questions (:data:`POINT_VS_MEAN`,
  the one sentence the report and the dashboard print).

The draws behind a verdict block come from :func:`pair_monte_carlo`: the micro-factory and its baseline alone,
:data:`DEFAULT_DRAWS` draws with :data:`DEFAULT_SEED`, so every page and the report show the same numbers for it
whatever else was assessed with it.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import numpy as np
import pandas as pd

from .claims import MIN_COVERAGE
from .coverage import shortfall
from .errors import LcaEngineError
from .indicators import INDICATORS, SCOPES, scoped_id

#: The indicators a verdict block shows by default (one or two per family), in this order.
BLOCK_INDICATORS = ("carbon", "energy_delivered", "primary_energy", "water_withdrawal", "chemicals_total")
BETTER_AT, WORSE_AT = 0.95, 0.05
#: Point difference and Monte Carlo mean further apart than this share of the mean get a note.
ASYMMETRY_NOTE_AT = 0.05
#: The paired Monte Carlo behind every verdict block (report page 1, dashboard): draws and seed.
DEFAULT_DRAWS = 1000
DEFAULT_SEED = 1
#: The one sentence on why the point change and the Monte Carlo mean differ (report and dashboard).
POINT_VS_MEAN = (
    "The point change takes every input at its most likely value; the Monte Carlo mean averages over the input "
    "ranges, which are often asymmetric (a most likely value near one end of its range), so the two differ: both "
    "are right, they answer different questions."
)


class Direction(StrEnum):
    """The verdict of one comparison (thresholds in the module docstring)."""

    BETTER = "better"
    WORSE = "worse"
    UNCERTAIN = "uncertain"
    NO_DIFFERENCE = "no difference"
    NOT_ASSESSABLE = "not assessable"


COLUMNS = [
    "factory",
    "baseline",
    "indicator",
    "scope",
    "unit",
    "micro_factory",
    "baseline_value",
    "point_difference",
    "point_change",
    "mean_difference",
    "p2_5",
    "p97_5",
    "p_better",
    "verdict",
    "coverage",
    "to_check",
    "note",
]


def verdict_block(
    assessment,
    factory: str,
    mc=None,
    indicators: tuple[str, ...] = BLOCK_INDICATORS,
    min_coverage: float = MIN_COVERAGE,
) -> pd.DataFrame:
    """One row per indicator × scope for ``factory`` against its baseline (:data:`COLUMNS`); ``mc`` a paired Monte
    Carlo result holding both (without it, the Monte Carlo columns are empty and the verdict is not given)."""
    baseline = dict(assessment.pairs).get(factory)
    table = assessment.coverage
    cov = table.set_index(["factory", "indicator", "scope"])
    rows = []
    for ind in indicators:
        for scope in SCOPES:
            micro = assessment.total(factory, ind, scope)
            base = assessment.total(baseline, ind, scope) if baseline else np.nan
            sides = [s for s in (factory, baseline) if s]
            worst, short = shortfall(table, sides, ind, scope, min_coverage)
            row = {
                "factory": factory,
                "baseline": baseline or "",
                "indicator": ind,
                "scope": scope,
                "unit": INDICATORS[ind].unit,
                "micro_factory": micro,
                "baseline_value": base,
                "point_difference": micro - base,
                "point_change": (micro - base) / base if base else np.nan,
                "coverage": worst,
                "to_check": "; ".join(sorted({x for s in sides for x in _split(cov.loc[(s, ind, scope), "to_check"])})),
            }
            rows.append(row | _judged(row, mc, sides, scoped_id(ind, scope), short))
    return pd.DataFrame(rows, columns=COLUMNS)


def _judged(row: dict, mc, sides: list[str], key: str, short: str) -> dict:
    """Monte Carlo columns, verdict and note of one row; ``short``: why its coverage is too low (or "")."""
    empty = {"mean_difference": np.nan, "p2_5": np.nan, "p97_5": np.nan, "p_better": np.nan}
    if not row["baseline"]:
        return empty | {"verdict": Direction.NOT_ASSESSABLE.value, "note": "no baseline"}
    if short:
        return empty | {"verdict": Direction.NOT_ASSESSABLE.value, "note": short}
    if mc is None or key not in mc.indicators or not set(sides) <= set(mc.demand_names):
        return empty | {"verdict": "", "note": "no Monte Carlo run: point estimate only"}
    d = mc.of(row["factory"], key) - mc.of(row["baseline"], key)
    p = float(np.mean(d < 0))
    out = {
        "mean_difference": float(d.mean()),
        "p2_5": float(np.percentile(d, 2.5)),
        "p97_5": float(np.percentile(d, 97.5)),
        "p_better": p,
        "verdict": draws_direction(d).value,
    }
    return out | {"note": point_vs_mean(row["point_difference"], out["mean_difference"])}


def direction(p_better: float) -> Direction:
    """The verdict for P(micro-factory < baseline)."""
    if p_better >= BETTER_AT:
        return Direction.BETTER
    return Direction.WORSE if p_better <= WORSE_AT else Direction.UNCERTAIN


def draws_direction(d: np.ndarray) -> Direction:
    """The verdict for paired draws of micro-factory − baseline: no difference when every draw is 0, else by
    P(micro-factory < baseline)."""
    return Direction.NO_DIFFERENCE if not np.any(d) else direction(float(np.mean(d < 0)))


def point_vs_mean(point: float, mean: float) -> str:
    """One sentence when the point difference and the Monte Carlo mean differ noticeably, else ""."""
    if not np.isfinite(point) or not np.isfinite(mean) or abs(point - mean) <= ASYMMETRY_NOTE_AT * abs(mean):
        return ""
    return (
        f"point estimate {point:+.4g} (inputs at their most likely values) vs Monte Carlo mean {mean:+.4g} (averaged "
        "over the input ranges, which are asymmetric): both are right, they answer different questions"
    )


def check_draws(draws: int) -> int:
    """``draws`` as given when it is a whole number ≥ 0 (0: no Monte Carlo), else a user error."""
    if isinstance(draws, bool) or not isinstance(draws, int) or draws < 0:
        raise LcaEngineError(
            f"draws = {draws!r} is not a whole number of draws",
            fix="give --draws 0 (no Monte Carlo) or a positive number, e.g. --draws 1000",
            field="draws",
        )
    return draws


def pair_monte_carlo(
    assessment,
    factory_id: str,
    draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
    data_dir: str | Path | None = None,
):
    """The paired Monte Carlo of the micro-factory ``factory_id`` and its baseline alone (so its numbers do not
    depend on which other inventories were assessed with it): the draws behind every verdict block, claim check and
    difference shown for it. None without a baseline or with 0 draws."""
    baseline = dict(assessment.pairs).get(factory_id)
    if not check_draws(draws) or not baseline:
        return None
    from .assess import monte_carlo

    factories = [assessment.checked[factory_id].factory, assessment.checked[baseline].factory]
    return monte_carlo(factories, draws=draws, seed=seed, year=int(assessment.year), data_dir=data_dir)


def _split(text) -> list[str]:
    return [x for x in str(text or "").split("; ") if x]
