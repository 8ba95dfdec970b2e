"""*Beyond Recycling* (Welsh Government, 2021): process-waste recycling rate and landfill share against the targets."""

from __future__ import annotations

import pandas as pd

from ..model import Factory
from .figures import figures
from .policy import NOT_STATED, WalesPolicy

#: Targets checked and what they are compared with.
BEYOND_RECYCLING = (
    ("lamw_recycling_2024_25", "recycling_rate", ">="),
    ("recycling_70pct_2025_all_sectors_consultation", "recycling_rate", ">="),
    ("landfill_max_5pct_2025_consultation", "landfill_share", "<="),
    ("recycling_100pct_2050_consultation", "recycling_rate", ">="),
    ("zero_waste_2050", "waste_not_recycled_kg", "zero"),
)


def beyond_recycling(policy: WalesPolicy, factory: Factory) -> pd.DataFrame:
    """The factory's process-waste recycling rate and landfill share against the strategy's targets. Targets for
    local-authority municipal waste are shown as benchmarks (they do not bind a factory), consultation proposals
    as such, with each target's verification status."""
    fig = figures(factory)
    rows = []
    for tid, measure, op in BEYOND_RECYCLING:
        t = policy.targets.get(tid)
        if t is None:
            continue
        v = getattr(fig, measure)
        if v is None:
            status = NOT_STATED if measure != "recycling_rate" else "no process waste stated"
        elif op == ">=":
            status = "meets" if v >= t["value"] - 1e-12 else "below"
        elif op == "<=":
            status = "meets" if v <= t["value"] + 1e-12 else "above"
        else:
            status = "meets" if v <= 1e-12 else "not yet"
        scope = t.get("scope", "")
        rows.append(
            {
                "target": t["text"],
                "target_id": tid,
                "year": t.get("year"),
                "target_value": t.get("value"),
                "scope": scope,
                "applies_as": "benchmark (binds local authorities' municipal waste)"
                if scope == "municipal"
                else "consultation proposal, not a final target"
                if "consultation" in tid
                else "national ambition",
                "measure": measure,
                "factory_value": v,
                "status": status,
                "target_checked": bool(t.get("verified")),
                "source": policy.cite(t.get("source")),
                "source_id": t.get("source", ""),
            }
        )
    return pd.DataFrame(rows)
