"""Well-being of Future Generations (Wales) Act 2015: each measure placed under its National Indicator and goals,
with the direction of change and its evidence; the five ways of working from what the inventory states."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..model import Factory
from .figures import Figures, figures
from .policy import NOT_ASSESSED, NOT_STATED, WalesPolicy


@dataclass(frozen=True)
class Rule:
    """One mapping rule: a measure of the factory placed under a National Indicator (or only under goals)."""

    key: str
    measure: str
    unit: str
    better: str  # "lower" | "higher" | "present" (a contribution only the micro-factory can make)
    evidence: str
    indicator: int | None = None
    goals: tuple[str, ...] = ()  # used when there is no National Indicator (else the policy file's goals)


RULES: tuple[Rule, ...] = (
    Rule("site_carbon", "GHG from the energy the site buys (scopes 1 + 2)", "kg CO2e per FU", "lower",
         "carbon contributions of the inventory's energy flows (result cube)", 41),
    Rule("carbon", "Life-cycle GHG, cradle to gate (consumption view)", "kg CO2e per FU", "lower",
         "indicator 'carbon' (AR5 GWP100, DESNZ) of the result cube", 42),
    Rule("virgin_kg", "Virgin material input", "kg per FU", "lower",
         "material and chemical inflows by origin (flows[].origin)", 14),
    Rule("waste_not_recycled_kg", "Solid process waste not recycled, re-used or composted (effluent excluded)",
         "kg per FU", "lower", "solid process waste leaving to landfill or energy recovery (flows[].to); effluent "
         "to waste-water treatment excluded, as in Beyond Recycling", 15),
    Rule("onsite_generation_kw", "Renewable generating capacity installed on site", "kW", "higher",
         "socio_economic.onsite_generation_kw", 12),
    Rule("renewable_electricity_share", "Share of electricity from renewables (on site or contracted)", "share",
         "higher", "socio_economic.renewable_electricity_share", 12),
    Rule("output_per_labour_hour", "Output per labour-hour (physical productivity)", "FU per labour-hour", "higher",
         "production.output_per_labour_hour", 9),
    Rule("living_wage_share", "Jobs on permanent contracts paid at least the real Living Wage", "share", "higher",
         "socio_economic.living_wage_share", 16),
    Rule("jobs_fte", "Jobs at the site", "FTE", "higher", "socio_economic.jobs_fte (and jobs_created_fte)", 21),
    Rule("skills", "Apprenticeships and training places", "places per year", "higher",
         "socio_economic.apprenticeships + training_places", 8),
    Rule("water", "Water withdrawal, cradle to gate", "m3 per FU", "lower",
         "indicator 'water_withdrawal' of the result cube",
         None, ("resilient", "globally_responsible")),
    Rule("chemicals", "Process chemicals, cradle to gate", "kg per FU", "lower",
         "indicator 'chemicals_total' of the result cube",
         None, ("healthier", "resilient")),
    Rule("welsh_sourcing_share", "Inputs by mass sourced within Wales", "share", "higher",
         "socio_economic.welsh_sourcing_share", None, ("prosperous", "globally_responsible")),
    Rule("site_reuse", "Re-use of a former industrial or brownfield site", "—", "present",
         "socio_economic.site_status, former_use", None, ("resilient", "cohesive_communities")),
    Rule("air_no2", "NO2 emissions to air", "—", "present",
         "no NOx/NO2 flows in the open background: not assessed", 4),
)  # fmt: skip


def _value(rule: Rule, fig: Figures | None, factory: Factory | None) -> float | None:
    if fig is None:
        return None
    if rule.key == "skills":
        a, t = fig.stated.get("apprenticeships"), fig.stated.get("training_places")
        return None if a is None and t is None else (a or 0.0) + (t or 0.0)
    if rule.key in fig.stated:
        return fig.stated[rule.key]
    return getattr(fig, rule.key, None)


def _direction(rule: Rule, micro: float | None, base: float | None) -> str:
    if micro is None:
        return NOT_STATED
    if base is None:
        return "contributes" if micro > 0 else "no contribution"
    if abs(micro - base) <= 1e-9 * max(abs(micro), abs(base), 1e-12):
        return "no change"
    lower = micro < base
    return "better" if lower == (rule.better == "lower") else "worse"


def wfg_table(
    policy: WalesPolicy,
    micro: Factory,
    baseline: Factory | None,
    results: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per (goal, measure): the micro-factory and its baseline, the direction of change, the evidence,
    and the National Indicator (number, wording, whether the wording was checked against the publisher); whether
    the goal's wording was checked, and the copies that disagree with it."""
    fm = figures(micro, results)
    fb = figures(baseline, results) if baseline else None
    rows = []
    for rule in RULES:
        ni = policy.indicators.get(rule.indicator) if rule.indicator else None
        goals = tuple(ni.get("goals", ())) if ni else rule.goals
        m, b = _value(rule, fm, micro), _value(rule, fb, baseline)
        if rule.key == "site_reuse":
            status = micro.socio_economic.site_status if micro.socio_economic else None
            m, b = None, None
            direction = (
                NOT_STATED
                if status is None
                else "contributes"
                if status in ("former industrial", "brownfield", "existing building")
                else "no contribution"
            )
            shown = status or ""
            if status and micro.socio_economic.former_use:
                shown += f" (former use: {micro.socio_economic.former_use})"
        elif rule.key == "air_no2":
            direction, shown = NOT_ASSESSED, ""
        else:
            direction, shown = _direction(rule, m, b), ""
            if rule.better == "higher" and b is None and m is not None and baseline is not None:
                direction = "contributes" if m > 0 else "no contribution"  # baseline does not state it
        change = (m - b) / b if m is not None and b not in (None, 0) else None
        for goal in goals:
            rows.append(
                {
                    "goal": policy.goals.get(goal, {}).get("name", goal),
                    "goal_id": goal,
                    "goal_checked": bool(policy.goals.get(goal, {}).get("verified")),
                    "goal_conflicts": "; ".join(policy.goals.get(goal, {}).get("conflicts", ())),
                    "national_indicator": rule.indicator,
                    "indicator_wording": ni["wording"] if ni else "",
                    "indicator_checked": bool(ni and ni.get("verified")),
                    "measure": rule.measure,
                    "unit": rule.unit,
                    "micro_factory": m,
                    "baseline": b,
                    "relative_change": change,
                    "stated": shown,
                    "direction": direction,
                    "evidence": rule.evidence,
                    "source": policy.cite(ni["source"]) if ni else policy.cite("wfg-act-2015"),
                    "source_id": ni["source"] if ni else "wfg-act-2015",
                }
            )
    order = list(policy.goals)
    df = pd.DataFrame(rows)
    df["national_indicator"] = df["national_indicator"].astype("Int64")
    df["_g"] = df["goal_id"].map({g: i for i, g in enumerate(order)}).fillna(len(order))
    return (
        df.sort_values(["_g", "national_indicator"], na_position="last", kind="stable")
        .drop(columns="_g")
        .reset_index(drop=True)
    )


def ways_of_working(policy: WalesPolicy, factory: Factory) -> pd.DataFrame:
    """The five ways of working, filled only from what the inventory states."""
    stated = factory.socio_economic.ways_of_working if factory.socio_economic else {}
    return pd.DataFrame(
        [
            {
                "way": w.get("name", wid) + " (commentary label)",
                "way_id": wid,
                "what the Act asks": w.get("act_text") or w.get("description", ""),
                "checked": bool(w.get("verified")),
                "conflicts": "; ".join(w.get("conflicts", ())),
                "what the inventory states": stated.get(wid, NOT_STATED),
                "source": policy.cite(w.get("source")),
                "source_id": w.get("source", ""),
            }
            for wid, w in policy.ways.items()
        ]
    )
