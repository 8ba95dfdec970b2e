"""Wales alignment: a factory's results against the Well-being of Future Generations (Wales) Act 2015 goals and
National Indicators, the *Beyond Recycling* targets and the Circular Economy Fund criteria.

Pure functions over the inventory (:class:`~lca_engine.model.Factory`), its circularity figures and the
comparison table of an assessment; the policy facts (wording, numbers, years, sources, and whether each was
verified against the publisher's own text) live in ``inventories/wales_policy.toml``, not in code.

Rules of the road, stated in every output:

* it is a **pre-assessment with evidence, not a funding decision**;
* a figure the inventory does not give is **"not stated"**, never 0; a question the engine cannot answer from an
  inventory is **"not assessed"** (or "assessor's judgement" for qualitative criteria);
* each row names its evidence (inventory fields and results) and its policy source.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..circularity.labels import FIGURES
from ..model import Factory
from .figures import STATED_FIELDS, _stated, figures, site_energy_carbon
from .grants import GrantStatus, grant_checklist
from .policy import DISCLAIMER, NOT_ASSESSED, NOT_STATED, WalesPolicy, default_policy_file, load_policy
from .recycling import BEYOND_RECYCLING, beyond_recycling
from .wfg import RULES, Rule, ways_of_working, wfg_table


@dataclass
class WalesAlignment:
    factory: str
    baseline: str | None
    wfg: pd.DataFrame
    ways: pd.DataFrame
    beyond_recycling: pd.DataFrame
    grants: pd.DataFrame
    not_stated: list[str]
    sources: dict[str, dict] = field(default_factory=dict)  # policy sources cited by the rows, by id
    fund_status: dict = field(default_factory=dict)  # the fund's landing page as the policy file records it
    disclaimer: str = DISCLAIMER

    def to_dict(self) -> dict:
        def records(df: pd.DataFrame) -> list[dict]:
            return [
                {k: v if isinstance(v, list | tuple) or not pd.isna(v) else None for k, v in r.items()}
                for r in df.to_dict(orient="records")
            ]

        return {
            "factory": self.factory,
            "baseline": self.baseline,
            "disclaimer": self.disclaimer,
            "not_stated": self.not_stated,
            "wfg": records(self.wfg),
            "ways_of_working": records(self.ways),
            "beyond_recycling": records(self.beyond_recycling),
            "grant_criteria": records(self.grants),
            "policy_sources": self.sources,
            "fund_status": self.fund_status,
        }


#: The policy source recording whether the Circular Economy Fund accepts applications (its landing page).
FUND_LANDING_SOURCE = "wrap-cymru-cef-landing"
SOURCE_FIELDS = ("publisher", "title", "edition", "table", "url", "licence")


def fund_status(policy: WalesPolicy) -> dict:
    """The fund's landing page as recorded in the policy file (its note says whether applications are open), or
    {} when the file has no such source."""
    src = policy.sources.get(FUND_LANDING_SOURCE)
    if not src:
        return {}
    return {"source_id": FUND_LANDING_SOURCE, "note": src.get("note", "")} | {k: src.get(k, "") for k in SOURCE_FIELDS}


#: Unit and plain name of each Beyond Recycling measure (:data:`~lca_engine.wales.recycling.BEYOND_RECYCLING`),
#: the names as the circularity figures and the WFG rule call them.
MEASURE_UNITS = {"recycling_rate": "share", "landfill_share": "share", "waste_not_recycled_kg": "kg per FU"}
MEASURE_LABELS = {f.key: f.label for f in FIGURES if f.key in MEASURE_UNITS} | {
    r.key: r.measure for r in RULES if r.key in MEASURE_UNITS
}


def _with_target_evidence(df: pd.DataFrame, policy: WalesPolicy) -> pd.DataFrame:
    """Beyond Recycling rows with the measure's unit, each target's read date and the sources that disagree."""
    if df.empty:
        return df
    targets = [policy.targets[t] for t in df["target_id"]]
    return df.assign(
        unit=df["measure"].map(MEASURE_UNITS),
        measure_label=df["measure"].map(MEASURE_LABELS),
        target_read=[str(t.get("read", "")) for t in targets],
        target_conflicts=["; ".join(t.get("conflicts", ())) for t in targets],
    )


def alignment(
    micro: Factory,
    baseline: Factory | None,
    results: pd.DataFrame | None = None,
    comparison: pd.DataFrame | None = None,
    policy: WalesPolicy | None = None,
) -> WalesAlignment:
    policy = policy or load_policy()
    comp = None
    if comparison is not None and not comparison.empty:
        comp = comparison[comparison.factory == micro.id]
    missing = [name for name in STATED_FIELDS if _stated(micro, name) is None]
    if not (micro.socio_economic and micro.socio_economic.site_status):
        missing.append("site_status")
    tables = (
        wfg_table(policy, micro, baseline, results),
        ways_of_working(policy, micro),
        _with_target_evidence(beyond_recycling(policy, micro, baseline), policy),
        grant_checklist(policy, micro, baseline, comp),
    )
    cited = sorted({sid for df in tables for sid in df.get("source_id", []) if sid})
    known = [sid for sid in cited if sid in policy.sources]
    sources = {sid: {k: policy.sources[sid].get(k, "") for k in SOURCE_FIELDS} for sid in known}
    return WalesAlignment(micro.id, baseline.id if baseline else None, *tables, missing, sources, fund_status(policy))


def assessment_alignment(assessment, factory_id: str, policy: WalesPolicy | None = None) -> WalesAlignment:
    """Wales alignment of one micro-factory of an :class:`~lca_engine.assess.Assessment`."""
    base_id = dict(assessment.pairs).get(factory_id)
    micro = assessment.checked[factory_id].factory
    baseline = assessment.checked[base_id].factory if base_id else None
    return alignment(micro, baseline, assessment.results, assessment.comparison(), policy)


def portfolio_alignment(assessment, policy: WalesPolicy | None = None) -> pd.DataFrame:
    """One row per micro-factory: counts of better / worse / not stated measures, Beyond Recycling and grant
    criteria met — the portfolio view."""
    policy = policy or load_policy()
    rows = []
    for micro, _ in assessment.pairs:
        a = assessment_alignment(assessment, micro, policy)
        per_measure = a.wfg.drop_duplicates("measure")
        rows.append(
            {
                "factory": micro,
                "measures_better": int((per_measure.direction == "better").sum()),
                "measures_worse": int((per_measure.direction == "worse").sum()),
                "contributions": int((per_measure.direction == "contributes").sum()),
                "not_stated": int((per_measure.direction == NOT_STATED).sum()),
                "beyond_recycling_met": int((a.beyond_recycling.status == "meets").sum()),
                "beyond_recycling_checked": len(a.beyond_recycling),
                "grant_criteria_met": int((a.grants.status == GrantStatus.MET).sum()),
                "grant_criteria_not_met": int((a.grants.status == GrantStatus.NOT_MET).sum()),
                "grant_criteria_not_stated": int((a.grants.status == GrantStatus.NOT_STATED).sum()),
            }
        )
    return pd.DataFrame(rows)


__all__ = [
    "BEYOND_RECYCLING",
    "DISCLAIMER",
    "NOT_ASSESSED",
    "NOT_STATED",
    "RULES",
    "STATED_FIELDS",
    "GrantStatus",
    "Rule",
    "WalesAlignment",
    "WalesPolicy",
    "alignment",
    "assessment_alignment",
    "beyond_recycling",
    "default_policy_file",
    "figures",
    "fund_status",
    "grant_checklist",
    "load_policy",
    "portfolio_alignment",
    "site_energy_carbon",
    "ways_of_working",
    "wfg_table",
]
