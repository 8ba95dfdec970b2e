"""The report's verdict block (page 1): :func:`lca_engine.verdict.verdict_block` for the micro-factory against its
baseline, on a paired Monte Carlo of the two alone (so the report does not depend on which other inventories were
assessed with it), with a fixed seed so the same inputs give the same report."""

from __future__ import annotations

import math
from pathlib import Path

from ..errors import LcaEngineError
from ..indicators import INDICATORS, SCOPE_LABELS
from ..verdict import BETTER_AT, WORSE_AT, Direction, point_vs_mean, verdict_block

DEFAULT_DRAWS = 1000
DEFAULT_SEED = 1
#: The one sentence on why the point change and the Monte Carlo mean differ.
POINT_VS_MEAN = (
    "The point change takes every input at its most likely value; the Monte Carlo mean averages over the input "
    "ranges, which are often asymmetric (a most likely value near one end of its range), so the two differ: both "
    "are right, they answer different questions."
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


def paired_draws(assessment, factory_id: str, draws: int, seed: int, data_dir: str | Path | None = None):
    """The paired Monte Carlo of the micro-factory and its baseline (None without a baseline or with 0 draws)."""
    baseline = dict(assessment.pairs).get(factory_id)
    if not check_draws(draws) or not baseline:
        return None
    from ..assess import monte_carlo

    factories = [assessment.checked[factory_id].factory, assessment.checked[baseline].factory]
    return monte_carlo(factories, draws=draws, seed=seed, year=int(assessment.year), data_dir=data_dir)


def verdict_section(assessment, factory_id: str, mc, draws: int, seed: int) -> dict:
    """The verdict block as report content: rows, the draws and seed, the thresholds, and each distinct reason a
    comparison is not assessable (numbered as the rows cite them)."""
    block = verdict_block(assessment, factory_id, mc)
    reasons: list[str] = []
    rows = []
    for r in block.to_dict("records"):
        reason = r["note"] if r["verdict"] == Direction.NOT_ASSESSABLE else ""
        if reason and reason not in reasons:
            reasons.append(reason)
        rows.append(_row(r) | {"reason": reasons.index(reason) + 1 if reason else None})
    return {
        "baseline": dict(assessment.pairs).get(factory_id) or "",
        "monte_carlo": mc is not None,
        "draws": draws if mc is not None else 0,
        "seed": seed if mc is not None else None,
        "better_at": BETTER_AT,
        "worse_at": WORSE_AT,
        "point_vs_mean": POINT_VS_MEAN,
        "rows": rows,
        "reasons": reasons,
    }


def _row(r: dict) -> dict:
    out = {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in r.items() if k != "note"}
    mean = r["mean_difference"]
    return out | {
        "name": INDICATORS[r["indicator"]].name,
        "scope_label": SCOPE_LABELS[r["scope"]],
        "asymmetric": bool(point_vs_mean(r["point_difference"], mean)),
    }
