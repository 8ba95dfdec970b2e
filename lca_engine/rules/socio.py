"""Rules for the optional ``[socio_economic]`` section: each stated figure, then the figures against each other.

Which figures are shares, amounts or the TRL comes from :mod:`lca_engine.model` (``SOCIO_SHARES``,
``SOCIO_AMOUNTS``, ``SOCIO_STATED``, ``TRL_LEVELS``).
"""

from __future__ import annotations

from collections.abc import Callable

from ..model import SITE_STATUSES, SOCIO_AMOUNTS, SOCIO_SHARES, SOCIO_STATED, TRL_LEVELS
from .context import Ctx
from .provenance import provenance

SECTION = "socio_economic"


def share_in_range(ctx: Ctx, name: str, v: float) -> bool:
    """A share is a fraction from 0 to 1 (not a percentage)."""
    if name in SOCIO_SHARES and not 0 <= v <= 1:
        hint = f"; {v:g} % is written {v / 100:g}" if 1 < v <= 100 else ""
        ctx.error((SECTION, name, "value"), f"{name} = {v:g} is not a share from 0 to 1", f"give a fraction{hint}")
        return True
    return False


def amount_not_negative(ctx: Ctx, name: str, v: float) -> bool:
    """Counts and amounts (jobs, places, kW, kWh) are ≥ 0."""
    if name in SOCIO_AMOUNTS and v < 0:
        ctx.error(
            (SECTION, name, "value"), f"{name} = {v:g} is negative", "give a number ≥ 0 (or leave it out: 'not stated')"
        )
        return True
    return False


def trl_level(ctx: Ctx, name: str, v: float) -> bool:
    """The technology readiness level is a whole number of the TRL scale."""
    if name == "trl" and (v != int(v) or int(v) not in TRL_LEVELS):
        first, last = TRL_LEVELS[0], TRL_LEVELS[-1]
        ctx.error(
            (SECTION, name, "value"),
            f"trl = {v:g} is not a technology readiness level",
            f"give a whole number {first}–{last}",
        )
        return True
    return False


FIGURE_RULES: tuple[Callable[[Ctx, str, float], bool], ...] = (share_in_range, amount_not_negative, trl_level)


def figures(ctx: Ctx) -> None:
    """Every stated figure passes :data:`FIGURE_RULES`, then has its provenance checked."""
    se = ctx.factory.socio_economic
    for name in SOCIO_STATED:
        stated = getattr(se, name)
        if stated is not None and not any(rule(ctx, name, stated.value) for rule in FIGURE_RULES):
            provenance(ctx, (SECTION, name), stated, stated.value)


def jobs_created_within_jobs(ctx: Ctx) -> None:
    """New jobs are part of the site's jobs: jobs_created_fte ≤ jobs_fte."""
    se = ctx.factory.socio_economic
    if se.jobs_fte and se.jobs_created_fte and se.jobs_created_fte.value > se.jobs_fte.value:
        ctx.error(
            (SECTION, "jobs_created_fte"),
            f"jobs_created_fte {se.jobs_created_fte.value:g} exceeds jobs_fte {se.jobs_fte.value:g}",
            "new jobs are part of the site's jobs: check both figures",
        )


def local_share_has_radius(ctx: Ctx) -> None:
    """A local sourcing share says what 'local' means (local_radius_km)."""
    se = ctx.factory.socio_economic
    if se.local_sourcing_share and se.local_radius_km is None:
        ctx.error(
            (SECTION, "local_radius_km"),
            "local_sourcing_share is given without the radius it refers to",
            "add local_radius_km = <km>",
        )


def site_source_known(ctx: Ctx) -> None:
    """The site's source id is a known source."""
    se = ctx.factory.socio_economic
    if se.site_source and se.site_source not in ctx.sources:
        ctx.error((SECTION, "site_source"), f"unknown source id '{se.site_source}'", "add it to sources.toml")


def former_use_has_status(ctx: Ctx) -> None:
    """Warning: a former use suggests a site status other than greenfield."""
    se = ctx.factory.socio_economic
    if se.former_use and se.site_status in (None, "greenfield"):
        used = [s for s in SITE_STATUSES if s != "greenfield"]
        ctx.warn(
            (SECTION, "former_use"),
            f"former_use is given but site_status is {se.site_status or 'not stated'}",
            f"set site_status to one of {', '.join(repr(s) for s in used)} if the site had that use",
        )


SOCIO_RULES: tuple[Callable[[Ctx], None], ...] = (
    figures,
    jobs_created_within_jobs,
    local_share_has_radius,
    site_source_known,
    former_use_has_status,
)


def socio_economic(ctx: Ctx) -> None:
    """The socio-economic section, when present, passes :data:`SOCIO_RULES`."""
    if ctx.factory.socio_economic is not None:
        for rule in SOCIO_RULES:
            rule(ctx)
