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
from pathlib import Path

import pandas as pd

from .circularity.graph_indicators import material_flows, waste_metrics
from .errors import InventoryError
from .model import SOCIO_STATED, Factory
from .tomlfile import read_toml

DISCLAIMER = (
    "Pre-assessment with evidence, not a funding decision: the figures come from the inventories and this engine's "
    "results; eligibility and awards are decided by the funder. Policy wording marked 'to check' was not read in "
    "the publisher's own text (see inventories/wales_policy_NOTES.md)."
)
NOT_STATED = "not stated"
NOT_ASSESSED = "not assessed"


@dataclass
class WalesPolicy:
    """The policy facts from ``wales_policy.toml``, keyed by id (national indicators by number)."""

    sources: dict[str, dict]
    goals: dict[str, dict]
    ways: dict[str, dict]
    indicators: dict[int, dict]
    targets: dict[str, dict]
    criteria: dict[str, dict]
    path: str = ""

    def cite(self, source_id: str | None) -> str:
        """'Publisher, title (edition), table' — the citation line shown next to a figure."""
        s = self.sources.get(source_id or "")
        if not s:
            return source_id or ""
        parts = [s.get("publisher", ""), s.get("title", "")]
        if s.get("edition"):
            parts.append(f"({s['edition']})")
        return " — ".join(p for p in parts[:2] if p) + (f" {parts[2]}" if len(parts) > 2 else "")


def default_policy_file() -> Path:
    from .background.catalog import default_inventories_dir

    return default_inventories_dir() / "wales_policy.toml"


def load_policy(path: str | Path | None = None) -> WalesPolicy:
    path = Path(path) if path else default_policy_file()
    data = read_toml(path, "Wales policy file", fix="give an existing wales_policy.toml")

    def by_id(key: str) -> dict[str, dict]:
        return {e["id"]: e for e in data.get(key, [])}

    indicators = {int(e["number"]): e for e in data.get("national_indicator", []) if "number" in e}
    policy = WalesPolicy(
        by_id("source"),
        by_id("goal"),
        by_id("way_of_working"),
        indicators,
        by_id("target"),
        by_id("grant_criterion"),
        str(path),
    )
    missing = [
        (where, sid)
        for where, entries in (("goal", policy.goals), ("target", policy.targets), ("grant_criterion", policy.criteria))
        for sid in {e.get("source") for e in entries.values()} - {None}
        if sid not in policy.sources
    ]
    if missing:
        raise InventoryError(
            f"{missing[0][0]} cites unknown source '{missing[0][1]}'",
            file=str(path),
            fix="add a [[source]] with that id",
        )
    return policy


# ----------------------------------------------------------------------------------------------------------------
# Figures from the inventory and the assessment
# ----------------------------------------------------------------------------------------------------------------


def _stated(factory: Factory | None, name: str) -> float | None:
    se = factory.socio_economic if factory else None
    v = getattr(se, name, None) if se else None
    return None if v is None else float(v.value)


def _result(comparison: pd.DataFrame, indicator: str, column: str) -> float | None:
    sel = comparison[(comparison.indicator == indicator) & (comparison.scenario == "default")]
    if sel.empty or pd.isna(sel[column].iloc[0]):
        return None
    return float(sel[column].iloc[0])


def site_energy_carbon(factory: Factory, results: pd.DataFrame) -> float | None:
    """kg CO2e per FU of the energy the site buys (fuels burnt on site and electricity: scopes 1 and 2), from the
    flow contributions of the result cube."""
    energy = {f.id for f in factory.flows if f.kind == "energy"}
    sel = results[
        (results.factory == factory.id)
        & (results.indicator == "carbon")
        & (results.contributor_type == "flow")
        & (results.scenario == "default")
        & (results.contributor.isin(energy))
    ]
    return float(sel["value"].sum()) if energy else None


@dataclass
class Figures:
    """What the mapping needs from one factory, micro-factory or baseline (None = not stated / not computable)."""

    carbon: float | None = None
    site_carbon: float | None = None
    water: float | None = None
    chemicals: float | None = None
    virgin_kg: float | None = None
    recycled_kg: float | None = None
    inflow_kg: float | None = None
    waste_not_recycled_kg: float | None = None
    recycling_rate: float | None = None
    landfill_share: float | None = None
    output_per_labour_hour: float | None = None
    downtime_hours: float | None = None
    stated: dict[str, float | None] = field(default_factory=dict)


STATED_FIELDS = SOCIO_STATED


def figures(factory: Factory, results: pd.DataFrame | None = None) -> Figures:
    """Figures of one factory; indicator results from the cube when given."""
    mf = material_flows(factory)
    wm = waste_metrics(factory, mf)
    out = mf.outflow_by_destination
    recovered = out["recycling"] + out["reuse"] + out["composting"] + out["sold by-product"]
    fig = Figures(
        virgin_kg=mf.inflow_by_origin.get("virgin", 0.0),
        recycled_kg=mf.inflow_by_origin.get("recycled", 0.0) + mf.inflow_by_origin.get("reused", 0.0),
        inflow_kg=mf.inflow_kg,
        waste_not_recycled_kg=mf.waste_kg - recovered,
        recycling_rate=wm["recycling_rate"]["value"],
        landfill_share=wm["landfill_share"]["value"],
        stated={name: _stated(factory, name) for name in STATED_FIELDS},
    )
    prod = factory.production
    if prod:
        fig.output_per_labour_hour = prod.output_per_labour_hour
        if prod.planned_downtime_hours is not None or prod.unplanned_downtime_hours is not None:
            fig.downtime_hours = (prod.planned_downtime_hours or 0.0) + (prod.unplanned_downtime_hours or 0.0)
    if results is not None and not results.empty:
        tot = results[
            (results.factory == factory.id) & (results.contributor_type == "total") & (results.scenario == "default")
        ].set_index("indicator")["value"]
        fig.carbon = float(tot["carbon"]) if "carbon" in tot else None
        fig.water = float(tot["water_withdrawal"]) if "water_withdrawal" in tot else None
        fig.chemicals = float(tot["chemicals_total"]) if "chemicals_total" in tot else None
        fig.site_carbon = site_energy_carbon(factory, results)
    return fig


# ----------------------------------------------------------------------------------------------------------------
# Well-being of Future Generations: goals and National Indicators
# ----------------------------------------------------------------------------------------------------------------


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
    Rule("waste_not_recycled_kg", "Process waste not recycled, re-used or composted", "kg per FU", "lower",
         "outflows to landfill / incineration / other disposal (flows[].to)", 15),
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
    Rule("water", "Water withdrawal", "m3 per FU", "lower", "indicator 'water_withdrawal' of the result cube",
         None, ("resilient", "globally_responsible")),
    Rule("chemicals", "Process chemicals", "kg per FU", "lower", "indicator 'chemicals_total' of the result cube",
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
    and the National Indicator (number, wording, whether the wording was checked against the publisher)."""
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
                "way": w.get("name", wid),
                "way_id": wid,
                "what the Act asks": w.get("description", ""),
                "what the inventory states": stated.get(wid, NOT_STATED),
                "source": policy.cite(w.get("source")),
                "source_id": w.get("source", ""),
            }
            for wid, w in policy.ways.items()
        ]
    )


# ----------------------------------------------------------------------------------------------------------------
# Beyond Recycling
# ----------------------------------------------------------------------------------------------------------------

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


# ----------------------------------------------------------------------------------------------------------------
# Circular Economy Fund criteria
# ----------------------------------------------------------------------------------------------------------------


def _recycled_by_source(factory: Factory) -> dict[str, float]:
    """kg per FU of recycled / re-used inflows by recycled_source ('not stated' when absent)."""
    from .balance import flow_mass_kg
    from .model import BOUNDARY_NODES

    out: dict[str, float] = {}
    for f in factory.flows:
        if f.from_ in BOUNDARY_NODES and f.to not in BOUNDARY_NODES and f.origin in ("recycled", "reused"):
            kg = flow_mass_kg(f) or 0.0
            key = f.recycled_source or NOT_STATED
            out[key] = out.get(key, 0.0) + kg
    return out


def grant_checklist(
    policy: WalesPolicy,
    micro: Factory,
    baseline: Factory | None,
    comparison: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Each Circular Economy Fund criterion the engine can test: met / not met / not stated, with the figure and
    its evidence; qualitative criteria are left to the assessor ("assessor's judgement")."""
    fm, fb = figures(micro), figures(baseline) if baseline else None
    se = micro.socio_economic
    comp = comparison if comparison is not None else pd.DataFrame(columns=["indicator", "scenario"])
    rows: list[dict] = []

    def row(cid: str, status: str, figure: str, evidence: str) -> None:
        c = policy.criteria.get(cid)
        if c is None:
            return
        rows.append(
            {
                "criterion": c["text"],
                "criterion_id": cid,
                "scheme": c.get("scheme", ""),
                "status": status,
                "figure": figure,
                "evidence": evidence,
                "criterion_checked": bool(c.get("verified")),
                "source": policy.cite(c.get("source")),
                "source_id": c.get("source", ""),
            }
        )

    share_m = fm.recycled_kg / fm.inflow_kg if fm.inflow_kg else None
    share_b = fb.recycled_kg / fb.inflow_kg if fb and fb.inflow_kg else None
    if share_m is None:
        row("cef_recycled_content", NOT_STATED, "no material inflows with a mass", "flows[].origin")
    elif share_b is None:
        row("cef_recycled_content", NOT_STATED, f"recycled content {share_m:.1%}; baseline not given", "flows[].origin")
    else:
        row(
            "cef_recycled_content",
            "met" if share_m > share_b + 1e-12 else "not met",
            f"recycled + re-used content {share_m:.1%} vs baseline {share_b:.1%} of input mass",
            "flows[].origin of material and chemical inflows",
        )
    by_source = _recycled_by_source(micro)
    total_rec = sum(by_source.values())
    if not total_rec:
        row("cef_not_own_process_waste", "not met", "no recycled or re-used inflow", "flows[].origin")
        row("cef_post_consumer_source", "not met", "no recycled or re-used inflow", "flows[].origin")
    else:
        parts = ", ".join(f"{k} {v:.3g} kg" for k, v in sorted(by_source.items()))
        unknown = by_source.get(NOT_STATED, 0.0)
        own = by_source.get("own-process", 0.0)
        post = by_source.get("post-consumer", 0.0)
        if unknown:
            status_own = status_post = NOT_STATED
        else:
            status_own = "met" if own < total_rec else "not met"
            status_post = "met" if post > 0 else "not met"
        row(
            "cef_not_own_process_waste",
            status_own,
            f"recycled/re-used inflows per FU: {parts}",
            "flows[].recycled_source",
        )
        row(
            "cef_post_consumer_source",
            status_post,
            f"post-consumer {post / total_rec:.0%} of {total_rec:.3g} kg per FU",
            "flows[].recycled_source",
        )
    strategies = set(se.circular_strategies) if se else set()
    reused_in = sum(
        v for k, v in material_flows(micro).inflow_by_origin.items() if k == "reused"
    )  # products or parts given a further life
    life = strategies & {"repair", "reuse", "refurbishment", "remanufacture"}
    if life or reused_in > 0:
        what = ", ".join(sorted(life)) or "re-used inflows"
        row(
            "cef_extend_product_life",
            "met",
            f"{what}; re-used input {reused_in:.3g} kg per FU",
            "socio_economic.circular_strategies, flows[].origin = 'reused'",
        )
    else:
        row(
            "cef_extend_product_life",
            "not met" if se else NOT_STATED,
            "no reuse, repair, refurbishment or remanufacture stated",
            "socio_economic.circular_strategies",
        )
    per_year = _result(comp, "carbon", "difference_per_year")
    jobs, created = fm.stated.get("jobs_fte"), fm.stated.get("jobs_created_fte")
    if per_year is None and jobs is None:
        row(
            "cef_added_value_outcomes",
            NOT_STATED,
            "no CO2e per year (annual output) and no jobs stated",
            "production.annual_output, socio_economic.jobs_fte",
        )
    else:
        bits = []
        if per_year is not None:
            bits.append(
                f"CO2e avoided {-per_year / 1000:.3g} t per year"
                if per_year < 0
                else f"CO2e added {per_year / 1000:.3g} t per year"
            )
        bits.append(f"jobs {jobs:g} FTE" if jobs is not None else f"jobs {NOT_STATED}")
        if created is not None:
            bits.append(f"of which new {created:g}")
        if se and se.community_benefits:
            bits.append(f"community: {se.community_benefits}")
        good = (per_year is not None and per_year < 0) or bool(created)
        row(
            "cef_added_value_outcomes",
            "met" if good else "not met",
            "; ".join(bits),
            "comparison difference_per_year (carbon), socio_economic.jobs_fte / jobs_created_fte",
        )
    trl = fm.stated.get("trl")
    row(
        "cef_trl7",
        NOT_STATED if trl is None else "met" if trl >= 7 else "not met",
        NOT_STATED if trl is None else f"TRL {trl:g}",
        "socio_economic.trl",
    )
    eou = micro.end_of_use
    row(
        "cef_end_of_life",
        "met" if eou else NOT_STATED,
        "end-of-use shares given" if eou else "no [end_of_use] section",
        "[end_of_use]",
    )
    share = fm.stated.get("match_funding_share")
    row(
        "cef_match_funding_50pct",
        NOT_STATED if share is None else "met" if share >= 0.5 else "not met",
        NOT_STATED if share is None else f"match funding {share:.0%}",
        "socio_economic.match_funding_share",
    )
    demand = fm.recycled_kg * micro.production.annual_output / 1000 if micro.production else None
    row(
        "cef_increase_demand_collection",
        NOT_STATED if demand is None else "met" if demand > 0 else "not met",
        NOT_STATED if demand is None else f"{demand:.3g} t per year of recycled / re-used input",
        "flows[].origin × production.annual_output",
    )
    in_wales = micro.site.lat and _in_wales(micro.site.lat, micro.site.lon)
    row(
        "cef_location_wales",
        "met" if in_wales else "not met",
        f"site {micro.site.name} ({micro.site.lat:.3f}, {micro.site.lon:.3f})",
        "site.lat, site.lon",
    )
    for cid in ("cef_beyond_state_of_art", "cef_viability", "cef_add_value", "cef_feedstock_recycled_not_waste"):
        row(cid, "assessor's judgement", "", "not computable from an inventory")
    return pd.DataFrame(rows)


def _in_wales(lat: float, lon: float) -> bool:
    from .geo import point_in_wales

    return point_in_wales(lat, lon)


# ----------------------------------------------------------------------------------------------------------------
# Everything for one factory, and the portfolio
# ----------------------------------------------------------------------------------------------------------------


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
        }


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
        beyond_recycling(policy, micro),
        grant_checklist(policy, micro, baseline, comp),
    )
    cited = sorted({sid for df in tables for sid in df.get("source_id", []) if sid})
    sources = {
        sid: {k: policy.sources[sid].get(k, "") for k in ("publisher", "title", "edition", "table", "url", "licence")}
        for sid in cited
        if sid in policy.sources
    }
    return WalesAlignment(micro.id, baseline.id if baseline else None, *tables, missing, sources)


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
                "grant_criteria_met": int((a.grants.status == "met").sum()),
                "grant_criteria_not_met": int((a.grants.status == "not met").sum()),
                "grant_criteria_not_stated": int((a.grants.status == NOT_STATED).sum()),
            }
        )
    return pd.DataFrame(rows)
