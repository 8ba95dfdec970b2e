"""Circular Economy Fund criteria (Welsh Government, run by WRAP Cymru) as a table of rules.

Each rule is one small function of what the inventory states (:class:`Facts`) returning an :class:`Outcome`: a
:class:`GrantStatus`, the figure it rests on and its evidence (inventory fields, results). The criterion's wording
and source come from ``inventories/wales_policy.toml`` by id; thresholds are the named constants below, each
quoting the published text it comes from. Qualitative criteria are left to the assessor.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

import pandas as pd

from ..balance import flow_mass_kg
from ..geo import point_in_wales
from ..model import BOUNDARY_NODES, SECONDARY_ORIGINS, Factory
from .figures import Figures, _result, figures
from .policy import NOT_STATED, WalesPolicy


class GrantStatus(StrEnum):
    """The status of one criterion ("not stated": the inventory does not give what the rule needs)."""

    MET = "met"
    NOT_MET = "not met"
    NOT_STATED = NOT_STATED
    ASSESSOR = "assessor's judgement"


#: cef_trl: "Projects must be Technology Readiness Level (TRL) 7 and above".
TRL_MIN = 7
#: cef_match_funding: "the ability to match fund at 50%" (applicant's share of the eligible cost).
MATCH_FUNDING_MIN = 0.5
#: Strategies that extend the life of products or materials (cef_extend_product_life).
LIFE_EXTENDING = frozenset({"repair", "reuse", "refurbishment", "remanufacture"})


@dataclass(frozen=True)
class Facts:
    """What the rules read about one micro-factory, computed once."""

    micro: Factory
    fm: Figures
    fb: Figures | None
    comparison: pd.DataFrame
    by_source: dict[str, float]  # kg per FU of recycled / re-used inflow by recycled_source


@dataclass(frozen=True)
class Outcome:
    status: GrantStatus
    figure: str
    evidence: str


@dataclass(frozen=True)
class GrantRule:
    """One criterion: its id in wales_policy.toml (wording and source are read from there) and its rule."""

    id: str
    rule: Callable[[Facts], Outcome]


def _recycled_by_source(factory: Factory) -> dict[str, float]:
    """kg per FU of recycled / re-used inflows by recycled_source ('not stated' when absent)."""
    out: dict[str, float] = {}
    for f in factory.flows:
        if f.from_ in BOUNDARY_NODES and f.to not in BOUNDARY_NODES and f.origin in SECONDARY_ORIGINS:
            key = f.recycled_source or NOT_STATED
            out[key] = out.get(key, 0.0) + (flow_mass_kg(f) or 0.0)
    return out


def _share(fig: Figures | None) -> float | None:
    return fig.recycled_kg / fig.inflow_kg if fig and fig.inflow_kg else None


def recycled_content(x: Facts) -> Outcome:
    share_m, share_b = _share(x.fm), _share(x.fb)
    if share_m is None:
        return Outcome(GrantStatus.NOT_STATED, "no material inflows with a mass", "flows[].origin")
    if share_b is None:
        return Outcome(GrantStatus.NOT_STATED, f"recycled content {share_m:.1%}; baseline not given", "flows[].origin")
    return Outcome(
        GrantStatus.MET if share_m > share_b + 1e-12 else GrantStatus.NOT_MET,
        f"recycled + re-used content {share_m:.1%} vs baseline {share_b:.1%} of input mass",
        "flows[].origin of material and chemical inflows",
    )


def _by_source_outcome(x: Facts, met: Callable[[float, float], bool], source: str) -> Outcome:
    """A rule on where recycled input comes from: not stated if any of it has no recycled_source."""
    total = sum(x.by_source.values())
    if not total:
        return Outcome(GrantStatus.NOT_MET, "no recycled or re-used inflow", "flows[].origin")
    if x.by_source.get(NOT_STATED, 0.0):
        status = GrantStatus.NOT_STATED
    else:
        status = GrantStatus.MET if met(x.by_source.get(source, 0.0), total) else GrantStatus.NOT_MET
    return Outcome(status, "", "flows[].recycled_source")


def not_own_process_waste(x: Facts) -> Outcome:
    out = _by_source_outcome(x, lambda own, total: own < total, "own-process")
    parts = ", ".join(f"{k} {v:.3g} kg" for k, v in sorted(x.by_source.items()))
    return out if not parts else Outcome(out.status, f"recycled/re-used inflows per FU: {parts}", out.evidence)


def post_consumer_source(x: Facts) -> Outcome:
    out = _by_source_outcome(x, lambda post, total: post > 0, "post-consumer")
    total = sum(x.by_source.values())
    if not total:
        return out
    post = x.by_source.get("post-consumer", 0.0)
    return Outcome(out.status, f"post-consumer {post / total:.0%} of {total:.3g} kg per FU", out.evidence)


def extend_product_life(x: Facts) -> Outcome:
    se = x.micro.socio_economic
    life = LIFE_EXTENDING & set(se.circular_strategies if se else ())
    reused_in = x.fm.reused_kg  # products or parts given a further life
    if life or reused_in:
        what = ", ".join(sorted(life)) or "re-used inflows"
        return Outcome(
            GrantStatus.MET,
            f"{what}; re-used input {reused_in:.3g} kg per FU",
            "socio_economic.circular_strategies, flows[].origin = 'reused'",
        )
    return Outcome(
        GrantStatus.NOT_MET if se else GrantStatus.NOT_STATED,
        "no reuse, repair, refurbishment or remanufacture stated",
        "socio_economic.circular_strategies",
    )


def added_value_outcomes(x: Facts) -> Outcome:
    per_year = _result(x.comparison, "carbon", "difference_per_year")
    jobs, created = x.fm.stated.get("jobs_fte"), x.fm.stated.get("jobs_created_fte")
    if per_year is None and jobs is None:
        return Outcome(
            GrantStatus.NOT_STATED,
            "no CO2e per year (annual output) and no jobs stated",
            "production.annual_output, socio_economic.jobs_fte",
        )
    bits = []
    if per_year is not None:
        verb = "avoided" if per_year < 0 else "added"
        bits.append(f"CO2e {verb} {abs(per_year) / 1000:.3g} t per year")
    bits.append(f"jobs {jobs:g} FTE" if jobs is not None else f"jobs {NOT_STATED}")
    if created is not None:
        bits.append(f"of which new {created:g}")
    se = x.micro.socio_economic
    if se and se.community_benefits:
        bits.append(f"community: {se.community_benefits}")
    good = (per_year is not None and per_year < 0) or bool(created)
    return Outcome(
        GrantStatus.MET if good else GrantStatus.NOT_MET,
        "; ".join(bits),
        "comparison difference_per_year (carbon), socio_economic.jobs_fte / jobs_created_fte",
    )


def _at_least(x: Facts, name: str, minimum: float, shown: str) -> Outcome:
    """A stated figure against a threshold (not stated when the inventory does not give it)."""
    v = x.fm.stated.get(name)
    if v is None:
        return Outcome(GrantStatus.NOT_STATED, NOT_STATED, f"socio_economic.{name}")
    status = GrantStatus.MET if v >= minimum else GrantStatus.NOT_MET
    return Outcome(status, shown.format(v, minimum), f"socio_economic.{name}")


def technology_readiness(x: Facts) -> Outcome:
    return _at_least(x, "trl", TRL_MIN, "TRL {:g} (at least {:g})")


def match_funding(x: Facts) -> Outcome:
    return _at_least(x, "match_funding_share", MATCH_FUNDING_MIN, "match funding {:.0%} (at least {:.0%})")


def end_of_life(x: Facts) -> Outcome:
    if x.micro.end_of_use:
        return Outcome(GrantStatus.MET, "end-of-use shares given", "[end_of_use]")
    return Outcome(GrantStatus.NOT_STATED, "no [end_of_use] section", "[end_of_use]")


def increase_demand_collection(x: Facts) -> Outcome:
    evidence = "flows[].origin × production.annual_output"
    if x.micro.production is None:
        return Outcome(GrantStatus.NOT_STATED, NOT_STATED, evidence)
    demand = x.fm.recycled_kg * x.micro.production.annual_output / 1000
    status = GrantStatus.MET if demand > 0 else GrantStatus.NOT_MET
    return Outcome(status, f"{demand:.3g} t per year of recycled / re-used input", evidence)


def legal_entity_in_wales(x: Facts) -> Outcome:
    """Two conditions: a registered legal entity, and the activity located in Wales. The site's coordinates decide
    the second automatically; the first is the assessor's judgement unless the inventory states the registration
    (``socio_economic.registered_entity``), in which case the criterion is met as stated."""
    s = x.micro.site
    where = f"site {s.name} ({s.lat:.3f}, {s.lon:.3f})"
    if not point_in_wales(s.lat, s.lon):
        return Outcome(GrantStatus.NOT_MET, f"{where} is outside Wales", "site.lat, site.lon")
    entity = x.micro.socio_economic.registered_entity if x.micro.socio_economic else ""
    if entity:
        return Outcome(
            GrantStatus.MET,
            f"{where} is in Wales; registered legal entity as stated: {entity}",
            "site.lat, site.lon; socio_economic.registered_entity",
        )
    return Outcome(
        GrantStatus.ASSESSOR,
        f"{where} is in Wales (checked from the site); registered legal entity: the assessor checks the applicant's "
        "registration (state it as socio_economic.registered_entity)",
        "site.lat, site.lon; no registration stated",
    )


def assessor(x: Facts) -> Outcome:
    return Outcome(GrantStatus.ASSESSOR, "", "not computable from an inventory")


GRANT_RULES: tuple[GrantRule, ...] = (
    GrantRule("cef_recycled_content", recycled_content),
    GrantRule("cef_not_own_process_waste", not_own_process_waste),
    GrantRule("cef_post_consumer_source", post_consumer_source),
    GrantRule("cef_extend_product_life", extend_product_life),
    GrantRule("cef_added_value_outcomes", added_value_outcomes),
    GrantRule("cef_trl", technology_readiness),
    GrantRule("cef_end_of_life", end_of_life),
    GrantRule("cef_match_funding", match_funding),
    GrantRule("cef_increase_demand_collection", increase_demand_collection),
    GrantRule("cef_location_wales", legal_entity_in_wales),
    GrantRule("cef_beyond_state_of_art", assessor),
    GrantRule("cef_viability", assessor),
    GrantRule("cef_add_value", assessor),
    GrantRule("cef_feedstock_recycled_not_waste", assessor),
)


def grant_checklist(
    policy: WalesPolicy,
    micro: Factory,
    baseline: Factory | None,
    comparison: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per criterion of :data:`GRANT_RULES` present in the policy file: its published wording and source, the
    status, the figure and its evidence."""
    comp = comparison if comparison is not None else pd.DataFrame(columns=["indicator", "scenario"])
    facts = Facts(micro, figures(micro), figures(baseline) if baseline else None, comp, _recycled_by_source(micro))
    rows = []
    for r in GRANT_RULES:
        c = policy.criteria.get(r.id)
        if c is None:
            continue
        out = r.rule(facts)
        rows.append(
            {
                "criterion": c["text"],
                "criterion_id": r.id,
                "scheme": c.get("scheme", ""),
                "status": out.status.value,
                "figure": out.figure,
                "evidence": out.evidence,
                "criterion_checked": bool(c.get("verified")),
                "read": str(c.get("read", "")),
                "conflicts": "; ".join(c.get("conflicts", ())),
                "source": policy.cite(c.get("source")),
                "source_id": c.get("source", ""),
            }
        )
    return pd.DataFrame(rows)
