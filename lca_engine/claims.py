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

from .coverage import shortfall
from .errors import InventoryError, Problem
from .indicators import CRADLE_TO_GATE, INDICATORS, SCOPE_LABELS, SCOPES, SITE, Scope, scoped_id
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


#: Default least coverage (share of the inflows in scope a number characterises) for a comparison to be judged.
MIN_COVERAGE = 0.9


class Claim(BaseModel):
    """A claim: the relative change it asserts on an indicator, and the scope(s) it is checked at — the
    indicator may differ per scope (e.g. energy on site = delivered energy, cradle to gate = primary energy)."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    text: str = Field(min_length=1)
    indicator: str | dict[Scope, str]
    relative_change: float  # asserted change vs baseline: -0.8 = 80 % less, +0.15 = 15 % more
    scopes: list[Scope] = Field(default=[CRADLE_TO_GATE], min_length=1)
    #: a side whose coverage at the scope is below this makes the comparison "not assessable"
    min_coverage: float = Field(default=MIN_COVERAGE, ge=0, le=1)
    source: str = ""

    def indicator_at(self, scope: str) -> str:
        return self.indicator if isinstance(self.indicator, str) else self.indicator.get(scope, "")

    @property
    def operational(self) -> bool:
        return isinstance(self.indicator, str) and self.indicator in OPERATIONAL


def _check_indicator(claim: Claim, where: dict) -> None:
    names = [claim.indicator] if isinstance(claim.indicator, str) else list(claim.indicator.values())
    for scope in claim.scopes if not claim.operational else ():
        if not claim.indicator_at(scope):
            raise InventoryError(
                f"claim '{claim.id}' is checked at scope '{scope}' but names no indicator for it",
                fix=f'give indicator = {{ {scope} = "<indicator>" }} or drop the scope from scopes',
                **where,
            )
    for name in names:
        if name not in INDICATORS and name not in OPERATIONAL:
            raise InventoryError(
                f"claim '{claim.id}' names an unknown indicator '{name}'",
                fix=f"use one of: {', '.join([*INDICATORS, *OPERATIONAL])}",
                **where,
            )


_CLAIM_FIXES = {
    "scopes": f"list the scopes to check the claim at, from: {', '.join(SCOPES)}",
    "indicator": f'an indicator id, or one per scope: {{ {SITE} = "…", {CRADLE_TO_GATE} = "…" }}',
    "min_coverage": "a share between 0 and 1 (0.9 = 90 % of the inflows in scope characterised)",
}


def _claim_problems(exc: ValidationError, entry, where: str, file: str) -> list[Problem]:
    """One problem per error, named by field; for ``indicator`` only the branch of the union that was written (a
    table is checked as one indicator per scope, a string as one indicator)."""
    written = "dict" if isinstance(entry, dict) and isinstance(entry.get("indicator"), dict) else "str"
    out = []
    for err in exc.errors():
        loc = err["loc"]
        if loc[0] == "indicator" and len(loc) > 1 and not str(loc[1]).startswith(written):
            continue
        parts = [p for p in loc if isinstance(p, int) or ("[" not in str(p) and p != "str")]
        out.append(
            Problem(
                err["msg"] + (f" (got {err['input']!r})" if err["type"] == "literal_error" else ""),
                fix=_CLAIM_FIXES.get(loc[0], "each claim needs id, text, indicator, relative_change"),
                file=file,
                field=".".join([where, *map(str, parts)]),
            )
        )
    return out


def load_claims(path: str | Path | None = None) -> list[Claim]:
    from .background.catalog import default_inventories_dir

    path = Path(path) if path else default_inventories_dir() / "claims.toml"
    data = read_toml(path, "claims file", fix="give an existing claims.toml")
    claims, problems = [], []
    default = data.get("min_coverage", MIN_COVERAGE)
    for i, entry in enumerate(data.get("claims", [])):
        try:
            c = Claim.model_validate({"min_coverage": default, **entry} if isinstance(entry, dict) else entry)
            _check_indicator(c, {"file": str(path), "field": f"claims[{i}].indicator"})
            claims.append(c)
        except ValidationError as exc:
            problems += _claim_problems(exc, entry, f"claims[{i}]", str(path))
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


COLUMNS = [
    "factory",
    "baseline",
    "claim",
    "text",
    "indicator",
    "scope",
    "claimed_change",
    "measured_change",
    "coverage",
    "p_claim_holds",
    "verdict",
    "why",
]


def evaluate(
    claims: list[Claim],
    comparison: pd.DataFrame,
    mc=None,
    operations: dict[str, dict[str, float]] | None = None,
    coverage: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per (micro-factory, claim, scope): measured relative change, coverage, P(claim holds), verdict.

    ``comparison`` is :meth:`Assessment.comparison` (both scopes: ``comparison(scope=None)``; a table without a
    ``scope`` column is read as cradle to gate); ``mc`` an optional paired Monte Carlo result holding the
    micro-factories and their baselines, with site rows (``scoped_id``) for site claims (without it the verdict is
    deterministic and says so); ``operations`` the stated productivity and downtime figures (:func:`operations_of`);
    ``coverage`` :attr:`Assessment.coverage` — a side below the claim's ``min_coverage`` makes it not assessable.
    """
    if "scope" not in comparison.columns:
        comparison = comparison.assign(scope=CRADLE_TO_GATE)
    rows = []
    for factory, baseline in comparison[["factory", "baseline"]].drop_duplicates().itertuples(index=False):
        for c in claims:
            _check_indicator(c, {"field": f"claim {c.id}"})
            for scope in [""] if c.operational else c.scopes:
                head = {"factory": factory, "baseline": baseline, "claim": c.id, "text": c.text}
                head |= {"indicator": c.indicator_at(scope) if scope else c.indicator, "scope": scope}
                head |= {"claimed_change": c.relative_change}
                rows.append(head | _judge(c, scope, factory, baseline, comparison, mc, operations, coverage))
    return pd.DataFrame(rows, columns=COLUMNS)


def _judge(c: Claim, scope: str, factory: str, baseline: str, comparison, mc, operations, coverage) -> dict:
    """measured_change, coverage, p_claim_holds, verdict and why for one claim at one scope."""
    if c.operational:
        return _operational(c, factory, baseline, operations)
    if not baseline:
        return _not_assessable("no baseline")
    ind = c.indicator_at(scope)
    row = comparison[(comparison.factory == factory) & (comparison.indicator == ind) & (comparison.scope == scope)]
    measured = float(row["relative_change"].iloc[0]) if len(row) else np.nan
    b = float(row["baseline_value"].iloc[0]) if len(row) else np.nan
    covered, short = shortfall(coverage, (factory, baseline), ind, scope, c.min_coverage)
    if short:
        return _not_assessable(short, measured, covered)
    if not len(row):
        return _not_assessable(f"no {ind} result at scope {SCOPE_LABELS.get(scope, scope)}")
    if not np.isfinite(measured) or b == 0:
        return _not_assessable("the baseline's value is zero", measured, covered)
    key = scoped_id(ind, scope)
    if mc is not None and factory in mc.demand_names and baseline in mc.demand_names and key in mc.indicators:
        fa, ba = mc.of(factory, key), mc.of(baseline, key)
        rel = np.divide(fa - ba, ba, out=np.full_like(fa, np.nan), where=ba != 0)
        p = float(np.mean(_holds(rel[np.isfinite(rel)], c.relative_change)))
        why = f"paired Monte Carlo, {mc.draws} draws"
    else:
        p = 1.0 if _holds(np.array([measured]), c.relative_change)[0] else 0.0
        why = "deterministic (no Monte Carlo run)"
    return {"measured_change": measured, "coverage": covered, "p_claim_holds": p, "verdict": verdict_of(p).value} | {
        "why": why
    }


def _not_assessable(why: str, measured: float = np.nan, covered: float = np.nan) -> dict:
    return {"measured_change": measured, "coverage": covered, "p_claim_holds": np.nan} | {
        "verdict": Verdict.NOT_ASSESSABLE.value,
        "why": why,
    }


def _operational(c: Claim, factory: str, baseline: str, operations) -> dict:
    fm = (operations or {}).get(factory, {}).get(c.indicator)
    bm = (operations or {}).get(baseline, {}).get(c.indicator) if baseline else None
    if not baseline:
        return _not_assessable("no baseline")
    if fm is None or bm is None or bm <= 0:
        return _not_assessable(f"the inventories do not state {c.indicator.replace('_', ' ')} for both factories")
    measured = fm / bm - 1
    p = 1.0 if _holds(np.array([measured]), c.relative_change)[0] else 0.0
    return {"measured_change": measured, "coverage": np.nan, "p_claim_holds": p, "verdict": verdict_of(p).value} | {
        "why": "stated operating figures (no uncertainty carried)"
    }


def check_claims(assessment, mc=None, claims: list[Claim] | None = None) -> pd.DataFrame:
    """Every micro-factory of ``assessment`` against its baseline: the shared claims (``claims``, default the
    shipped claims file) plus the micro-factory's own ``[[claims]]``, at each scope they name, with coverage and —
    given a paired Monte Carlo ``mc`` of the same factories — P(claim holds). One table (:data:`COLUMNS`)."""
    shared = load_claims() if claims is None else list(claims)
    comp = assessment.comparison(scope=None)
    ops = operations_of(c.factory for c in assessment.checked.values())
    tables = []
    for micro, _ in assessment.pairs:
        own = [Claim.model_validate(c) for c in assessment.checked[micro].factory.claims]
        tables.append(evaluate(shared + own, comp[comp.factory == micro], mc, ops, assessment.coverage))
    return pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=COLUMNS)
