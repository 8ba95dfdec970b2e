"""Circular Economy Fund criteria (Welsh Government, run by WRAP Cymru): met / not met / not stated, with the figure
and its evidence; qualitative criteria are left to the assessor."""

from __future__ import annotations

import pandas as pd

from ..balance import flow_mass_kg
from ..geo import point_in_wales
from ..model import BOUNDARY_NODES, Factory
from .figures import _result, figures
from .policy import NOT_STATED, WalesPolicy


def _recycled_by_source(factory: Factory) -> dict[str, float]:
    """kg per FU of recycled / re-used inflows by recycled_source ('not stated' when absent)."""
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
    reused_in = fm.reused_kg  # products or parts given a further life
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

    def at_least(cid: str, name: str, minimum: float, shown: str) -> None:
        """A stated figure against the criterion's threshold (not stated when the inventory does not give it)."""
        v = fm.stated.get(name)
        status = NOT_STATED if v is None else "met" if v >= minimum else "not met"
        row(cid, status, NOT_STATED if v is None else shown.format(v), f"socio_economic.{name}")

    at_least("cef_trl7", "trl", 7, "TRL {:g}")
    eou = micro.end_of_use
    row(
        "cef_end_of_life",
        "met" if eou else NOT_STATED,
        "end-of-use shares given" if eou else "no [end_of_use] section",
        "[end_of_use]",
    )
    at_least("cef_match_funding_50pct", "match_funding_share", 0.5, "match funding {:.0%}")
    demand = fm.recycled_kg * micro.production.annual_output / 1000 if micro.production else None
    row(
        "cef_increase_demand_collection",
        NOT_STATED if demand is None else "met" if demand > 0 else "not met",
        NOT_STATED if demand is None else f"{demand:.3g} t per year of recycled / re-used input",
        "flows[].origin × production.annual_output",
    )
    row(
        "cef_location_wales",
        "met" if point_in_wales(micro.site.lat, micro.site.lon) else "not met",
        f"site {micro.site.name} ({micro.site.lat:.3f}, {micro.site.lon:.3f})",
        "site.lat, site.lon",
    )
    for cid in ("cef_beyond_state_of_art", "cef_viability", "cef_add_value", "cef_feedstock_recycled_not_waste"):
        row(cid, "assessor's judgement", "", "not computable from an inventory")
    return pd.DataFrame(rows)
