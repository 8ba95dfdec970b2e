"""The report's verdict block (page 1): :func:`lca_engine.verdict.verdict_block` for the micro-factory against its
baseline, on a paired Monte Carlo of the two alone (so the report does not depend on which other inventories were
assessed with it), with a fixed seed so the same inputs give the same report."""

from __future__ import annotations

import math

from ..indicators import INDICATORS, SCOPE_LABELS
from ..verdict import (
    BETTER_AT,
    DEFAULT_DRAWS,
    DEFAULT_SEED,
    POINT_VS_MEAN,
    WORSE_AT,
    Direction,
    check_draws,
    point_vs_mean,
    verdict_block,
)
from ..verdict import pair_monte_carlo as paired_draws

__all__ = ["DEFAULT_DRAWS", "DEFAULT_SEED", "check_draws", "paired_draws", "verdict_section"]


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
        "solver": mc.solve_note() if mc is not None else "",
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
