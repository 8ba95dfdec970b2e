"""*Beyond Recycling* (Welsh Government, 2021): process-waste recycling rate and landfill share against the targets.

Both systems are measured on the same basis: solid process waste leaving the factory
(:func:`lca_engine.circularity.waste_metrics`) — the dissolved load sent to waste-water treatment is effluent, not
waste to recycle; material the factory returns to its own production is in-house recovery, shown beside the row.
"""

from __future__ import annotations

import pandas as pd

from ..circularity import waste_metrics
from ..model import Factory
from .policy import NOT_STATED, WalesPolicy

#: The basis every Beyond Recycling row is measured on (printed with the table).
BASIS = (
    "solid process waste leaving the factory, for the micro-factory and the baseline alike: effluent to "
    "waste-water treatment excluded; in-house recovery (material returned to the factory's own production) "
    "shown apart"
)

#: Targets checked and what they are compared with.
BEYOND_RECYCLING = (
    ("lamw_recycling_2024_25", "recycling_rate", ">="),
    ("recycling_70pct_2025_all_sectors_consultation", "recycling_rate", ">="),
    ("landfill_max_5pct_2025_consultation", "landfill_share", "<="),
    ("recycling_100pct_2050_consultation", "recycling_rate", ">="),
    ("zero_waste_2050", "waste_not_recycled_kg", "zero"),
)


def measures(factory: Factory) -> dict[str, float | None]:
    """Recycling rate, landfill share and kg not recycled of solid process waste; in-house recovery beside them."""
    w = waste_metrics(factory)
    solid = w["process_waste"]["value"]
    recovered = w["recycling_rate"]["inputs"]["recovered kg"]
    return {
        "recycling_rate": w["recycling_rate"]["value"],
        "landfill_share": w["landfill_share"]["value"],
        "waste_not_recycled_kg": solid - recovered,
        "in_house_recovery": w["in_house_recovery"]["value"],
    }


def _status(measure: str, op: str, v: float | None, target: float | None) -> str:
    if v is None:
        return NOT_STATED if measure != "recycling_rate" else "no process waste stated"
    if op == ">=":
        return "meets" if v >= target - 1e-12 else "below"
    if op == "<=":
        return "meets" if v <= target + 1e-12 else "above"
    return "meets" if v <= 1e-12 else "not yet"


def _applies_as(tid: str, scope: str) -> str:
    if scope == "municipal":
        return "benchmark (binds local authorities' municipal waste)"
    return "consultation proposal, not a final target" if "consultation" in tid else "national ambition"


def beyond_recycling(policy: WalesPolicy, factory: Factory, baseline: Factory | None = None) -> pd.DataFrame:
    """The factory's (and, when given, its baseline's) process-waste recycling rate and landfill share against the
    strategy's targets, on the same basis (:data:`BASIS`). Targets for local-authority municipal waste are shown as
    benchmarks (they do not bind a factory), consultation proposals as such, with each target's verification
    status."""
    mine = measures(factory)
    theirs = measures(baseline) if baseline is not None else None
    rows = []
    for tid, measure, op in BEYOND_RECYCLING:
        t = policy.targets.get(tid)
        if t is None:
            continue
        v = mine[measure]
        row = {
            "target": t["text"],
            "target_id": tid,
            "year": t.get("year"),
            "target_value": t.get("value"),
            "scope": t.get("scope", ""),
            "applies_as": _applies_as(tid, t.get("scope", "")),
            "measure": measure,
            "basis": BASIS,
            "factory_value": v,
            "status": _status(measure, op, v, t.get("value")),
            "factory_in_house_recovery": mine["in_house_recovery"],
        }
        if theirs is not None:
            bv = theirs[measure]
            row |= {
                "baseline_value": bv,
                "baseline_status": _status(measure, op, bv, t.get("value")),
                "baseline_in_house_recovery": theirs["in_house_recovery"],
            }
        row |= {
            "target_checked": bool(t.get("verified")),
            "source": policy.cite(t.get("source")),
            "source_id": t.get("source", ""),
        }
        rows.append(row)
    return pd.DataFrame(rows)
