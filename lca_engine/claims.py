"""Claim check: does the micro-factory do what is claimed, and how sure are we?

A claim is data — an indicator and the relative change it asserts against the baseline. The verdict uses the
paired Monte Carlo: P(claim holds) = share of draws in which the relative change is at least as good as claimed.

* supported      — P ≥ 0.95
* not supported  — P ≤ 0.05
* inconclusive   — in between (the uncertainty of the data cannot decide)
* not assessable — the inventories do not state what the claim is about (e.g. labour productivity, downtime)
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import InventoryError, Problem
from .indicators import INDICATORS
from .tomlfile import read_toml

#: Claims about operations rather than the life cycle; assessed from socio-economic inventory data when stated.
OPERATIONAL = {"output_per_labour_hour": "higher is better", "downtime_hours": "lower is better"}
SUPPORTED, NOT_SUPPORTED = 0.95, 0.05


class Verdict(StrEnum):
    """What the claim check concludes (the module docstring gives the thresholds)."""

    SUPPORTED = "supported"
    NOT_SUPPORTED = "not supported"
    INCONCLUSIVE = "inconclusive"
    NOT_ASSESSABLE = "not assessable"


def verdict_of(p: float) -> Verdict:
    """The verdict for P(claim holds)."""
    return (
        Verdict.SUPPORTED if p >= SUPPORTED else Verdict.NOT_SUPPORTED if p <= NOT_SUPPORTED else Verdict.INCONCLUSIVE
    )


class Claim(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    text: str = Field(min_length=1)
    indicator: str
    relative_change: float  # asserted change vs baseline: -0.8 = 80 % less, +0.15 = 15 % more
    source: str = ""


def _check_indicator(claim: Claim, where: dict) -> None:
    if claim.indicator not in INDICATORS and claim.indicator not in OPERATIONAL:
        raise InventoryError(
            f"claim '{claim.id}' names an unknown indicator '{claim.indicator}'",
            fix=f"use one of: {', '.join([*INDICATORS, *OPERATIONAL])}",
            **where,
        )


def load_claims(path: str | Path | None = None) -> list[Claim]:
    from .background.catalog import default_inventories_dir

    path = Path(path) if path else default_inventories_dir() / "claims.toml"
    data = read_toml(path, "claims file", fix="give an existing claims.toml")
    claims, problems = [], []
    for i, entry in enumerate(data.get("claims", [])):
        try:
            c = Claim.model_validate(entry)
            _check_indicator(c, {"file": str(path), "field": f"claims[{i}].indicator"})
            claims.append(c)
        except ValidationError as exc:
            for err in exc.errors():
                problems.append(
                    Problem(
                        err["msg"],
                        fix="each claim needs id, text, indicator, relative_change",
                        file=str(path),
                        field=f"claims[{i}]." + ".".join(map(str, err["loc"])),
                    )
                )
        except InventoryError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InventoryError(problems)
    return claims


def _holds(relative: np.ndarray, target: float) -> np.ndarray:
    """A reduction claim holds when the change is at least as negative; an increase claim when as positive."""
    return relative <= target if target < 0 else relative >= target


def operations_of(factories) -> dict[str, dict[str, float]]:
    """Operating figures per factory id from their ``[production]`` sections (absent = not stated)."""
    out = {}
    for f in factories:
        p = f.production
        if p is None:
            continue
        figures = {}
        if p.output_per_labour_hour is not None:
            figures["output_per_labour_hour"] = p.output_per_labour_hour
        if p.planned_downtime_hours is not None and p.unplanned_downtime_hours is not None:
            figures["downtime_hours"] = p.planned_downtime_hours + p.unplanned_downtime_hours
        out[f.id] = figures
    return out


def evaluate(
    claims: list[Claim], comparison: pd.DataFrame, mc=None, operations: dict[str, dict[str, float]] | None = None
) -> pd.DataFrame:
    """One row per (micro-factory, claim): measured relative change, P(claim holds), verdict.

    ``comparison`` is :meth:`Assessment.comparison`; ``mc`` an optional paired Monte Carlo result holding the
    micro-factories and their baselines (without it the verdict is deterministic and says so); ``operations``
    the stated productivity and downtime figures (:func:`operations_of`) for the operational claims.
    """
    rows = []
    pairs = comparison[["factory", "baseline"]].drop_duplicates().itertuples(index=False)
    for factory, baseline in pairs:
        for c in claims:
            _check_indicator(c, {"field": f"claim {c.id}"})
            base = {
                "factory": factory,
                "baseline": baseline,
                "claim": c.id,
                "text": c.text,
                "indicator": c.indicator,
                "claimed_change": c.relative_change,
            }
            if c.indicator in OPERATIONAL and baseline and operations is not None:
                fm = operations.get(factory, {}).get(c.indicator)
                bm = operations.get(baseline, {}).get(c.indicator)
                if fm is not None and bm is not None and bm > 0:
                    measured = fm / bm - 1
                    ok = bool(_holds(np.array([measured]), c.relative_change)[0])
                    rows.append(
                        base
                        | {
                            "measured_change": measured,
                            "p_claim_holds": 1.0 if ok else 0.0,
                            "verdict": verdict_of(1.0 if ok else 0.0).value,
                            "why": "stated operating figures (no uncertainty carried)",
                        }
                    )
                    continue
            if c.indicator in OPERATIONAL or not baseline:
                why = (
                    "no baseline"
                    if not baseline
                    else (f"the inventories do not state {c.indicator.replace('_', ' ')} for both factories")
                )
                rows.append(
                    base
                    | {
                        "measured_change": np.nan,
                        "p_claim_holds": np.nan,
                        "verdict": Verdict.NOT_ASSESSABLE.value,
                        "why": why,
                    }
                )
                continue
            row = comparison[(comparison.factory == factory) & (comparison.indicator == c.indicator)]
            measured = float(row["relative_change"].iloc[0]) if len(row) else np.nan
            b = float(row["baseline_value"].iloc[0]) if len(row) else np.nan
            if not np.isfinite(measured) or b == 0:
                rows.append(
                    base
                    | {
                        "measured_change": measured,
                        "p_claim_holds": np.nan,
                        "verdict": Verdict.NOT_ASSESSABLE.value,
                        "why": "the baseline's value is zero",
                    }
                )
                continue
            target = c.relative_change
            if mc is not None and factory in mc.demand_names and baseline in mc.demand_names:
                fa, ba = mc.of(factory, c.indicator), mc.of(baseline, c.indicator)
                rel = np.divide(fa - ba, ba, out=np.full_like(fa, np.nan), where=ba != 0)
                p = float(np.mean(_holds(rel[np.isfinite(rel)], target)))
                why = f"paired Monte Carlo, {mc.draws} draws"
            else:
                p = 1.0 if _holds(np.array([measured]), target)[0] else 0.0
                why = "deterministic (no Monte Carlo run)"
            verdict = verdict_of(p).value
            rows.append(base | {"measured_change": measured, "p_claim_holds": p, "verdict": verdict, "why": why})
    return pd.DataFrame(
        rows,
        columns=[
            "factory",
            "baseline",
            "claim",
            "text",
            "indicator",
            "claimed_change",
            "measured_change",
            "p_claim_holds",
            "verdict",
            "why",
        ],
    )
