"""Whole-factory validation: references, units, provenance, background links, loops — as a table of rules.

Structural checks happen when the model is built (:mod:`lca_engine.model`); here are the rules that need the
whole factory, one small function each in :mod:`lca_engine.rules` (flows, stocks, the functional unit, the
optional sections, socio-economic figures, closed loops). All problems are collected, so a user fixes a file in
one pass rather than one error at a time. The cost is linear in the size of the inventory.
"""

from __future__ import annotations

from collections.abc import Callable

from .background.catalog import Catalog
from .model import Factory, Source
from .rules import factory as f
from .rules.context import Ctx, Report
from .rules.flows import each_flow
from .rules.loops import no_closed_loop
from .rules.socio import socio_economic

__all__ = ["FACTORY_RULES", "Report", "check"]

#: Run in this order; :func:`~lca_engine.rules.loops.no_closed_loop` comes last, as it needs sound flows.
FACTORY_RULES: tuple[Callable[[Ctx], None], ...] = (
    f.unique_ids,
    f.process_ids_not_reserved,
    f.has_processes,
    each_flow,
    f.each_stock,
    f.functional_unit_delivered,
    f.end_of_use_shares,
    f.end_of_use_provenance,
    f.production_provenance,
    f.claims_valid,
    f.economics_provenance,
    socio_economic,
    f.baseline_named,
    f.baseline_names_none,
    no_closed_loop,
)


def check(
    factory: Factory,
    sources: dict[str, Source],
    catalog: Catalog | None = None,
    file: str | None = None,
    text: str | None = None,
) -> Report:
    """Validate a factory against its source registry and (optionally) a background catalogue."""
    ctx = Ctx(factory, sources, catalog, file, text)
    for rule in FACTORY_RULES:
        rule(ctx)
    return ctx.report
