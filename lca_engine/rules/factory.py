"""Rules for the factory as a whole: ids, processes, stocks, the functional unit, the optional sections, claims
and the baseline it names (the file itself is checked by :mod:`lca_engine.load`, which reads it)."""

from __future__ import annotations

from collections import Counter

import pint
from pydantic import ValidationError

from ..claims import Claim, _check_indicator
from ..errors import LcaEngineError
from ..model import BASELINE, BOUNDARY, MICRO_FACTORY, EndOfUse, Flow
from ..units import parse_unit, ureg
from .context import Ctx
from .flows import kg_per_unit
from .provenance import provenance

#: The end-of-use shares that together cannot exceed the whole product (read from the model).
COLLECTED = tuple(name for name in EndOfUse.model_fields if name.startswith("collected_for_"))


def unique_ids(ctx: Ctx) -> None:
    """Ids are unique within processes, within flows and within stocks (each duplicate reported once)."""
    f = ctx.factory
    for group, items in (("processes", f.processes), ("flows", f.flows), ("stocks", f.stocks)):
        counts = Counter(x.id for x in items)
        for i, x in enumerate(items):
            if counts[x.id] > 1:
                ctx.error((group, i, "id"), f"duplicate id '{x.id}' in {group}", "give every entry a unique id")
                counts[x.id] = 0  # report once


def process_ids_not_reserved(ctx: Ctx) -> None:
    """A process id is not the name of a boundary node."""
    for i, p in enumerate(ctx.factory.processes):
        if p.id in BOUNDARY:
            ctx.error(
                ("processes", i, "id"), f"process id '{p.id}' is reserved for a boundary node", "rename the process"
            )


def has_processes(ctx: Ctx) -> None:
    """A factory has at least one process."""
    if not ctx.factory.processes:
        ctx.error(("processes",), "the factory has no processes", "add at least one [[processes]] block")


def each_stock(ctx: Ctx) -> None:
    """A stock belongs to a process of this factory, is a mass, and has provenance."""
    for i, s in enumerate(ctx.factory.stocks):
        if s.process not in ctx.process_index:
            ctx.error(
                ("stocks", i, "process"),
                f"stock refers to unknown process '{s.process}'",
                "use a process id defined in [[processes]]",
            )
        try:
            if parse_unit(s.unit).dimensionality != ureg.get_dimensionality("[mass]"):
                ctx.error(("stocks", i, "unit"), f"stock unit '{s.unit}' is not a mass", "use kg or t")
        except LcaEngineError as exc:
            ctx.error(("stocks", i, "unit"), exc.problems[0].message, exc.problems[0].fix)
        provenance(ctx, ("stocks", i), s, s.change)


def in_fu_unit(flow: Flow, fu_unit: pint.Unit) -> float | None:
    """A product flow's amount in the functional unit's unit: directly, or (items, m2 … to a mass) through its
    mass_per_unit; None if neither applies. Raises LcaEngineError or ValueError on an unreadable unit."""
    unit = parse_unit(flow.unit)
    if unit.dimensionality == fu_unit.dimensionality:
        return float(flow.quantity.to(fu_unit).magnitude)
    kg = kg_per_unit(flow)
    if kg is not None and fu_unit.dimensionality == ureg.get_dimensionality("[mass]"):
        return float(ureg.Quantity(flow.amount * kg, "kg").to(fu_unit).magnitude)
    return None


def _delivered(ctx: Ctx, fu_unit: pint.Unit) -> list[tuple[Flow, float | None]]:
    """Each product flow to market with its amount in the functional unit's unit (None: not convertible). Empty if
    a unit or mass_per_unit cannot be read (reported by the flow's own rules)."""
    products = [f for f in ctx.factory.flows if f.kind == "product" and f.to == "market"]
    try:
        return [(f, in_fu_unit(f, fu_unit)) for f in products]
    except (LcaEngineError, ValueError):
        return []


def functional_unit_delivered(ctx: Ctx) -> None:
    """Product flows to market deliver exactly the functional unit (every flow is per functional unit); a product
    counted in items (or m2 …) delivers a functional unit stated as a mass through its mass_per_unit."""
    fu = ctx.factory.functional_unit
    try:
        fu_unit = parse_unit(fu.unit)
    except LcaEngineError as exc:
        ctx.error(("functional_unit", "unit"), exc.problems[0].message, exc.problems[0].fix)
        return
    if not any(f.kind == "product" and f.to == "market" for f in ctx.factory.flows):
        ctx.error(
            ("flows",),
            "no product flow to 'market' delivers the functional unit",
            'add a flow with kind = "product", to = "market" for the functional unit',
        )
        return
    delivered = _delivered(ctx, fu_unit)
    amounts = [amount for _, amount in delivered if amount is not None]
    if delivered and not amounts:
        units = ", ".join(sorted({f"'{f.unit}' ({f.id})" for f, _ in delivered}))
        ctx.error(
            ("functional_unit", "unit"),
            f"the functional unit is in '{fu.unit}' but the product flows to market are in {units}",
            f"state the product in '{fu.unit}', or give it a mass_per_unit when the functional unit is a mass",
        )
    elif amounts and abs(sum(amounts) - fu.amount) > 1e-9 * max(1.0, sum(amounts)):
        ctx.error(
            ("functional_unit", "amount"),
            f"product flows to market deliver {sum(amounts):g} {fu.unit}, "
            f"but the functional unit is {fu.amount:g} {fu.unit}",
            "every flow is per functional unit: scale the inventory or correct the product flow",
        )


def end_of_use_shares(ctx: Ctx) -> None:
    """The shares of the product collected for reuse, recycling, composting and energy recovery sum to ≤ 1."""
    eou = ctx.factory.end_of_use
    total = sum(getattr(eou, name) for name in COLLECTED) if eou is not None else 0.0
    if total > 1 + 1e-9:
        ctx.error(
            ("end_of_use",),
            f"end-of-use collection fractions add up to {total:g} > 1",
            f"the shares of the product collected ({', '.join(COLLECTED)}) must sum to at most 1",
        )


def end_of_use_provenance(ctx: Ctx) -> None:
    """End-of-use data has exactly one provenance: a known source or an assumption (reasoning text)."""
    eou = ctx.factory.end_of_use
    if eou is None:
        return
    if bool(eou.source) == bool(eou.assumption):
        ctx.error(
            ("end_of_use", "source"),
            "end-of-use data needs exactly one provenance",
            'add source = "<id>" or assumption = "<reasoning>" (not both)',
        )
    elif eou.source and eou.source not in ctx.sources:
        ctx.error(("end_of_use", "source"), f"unknown source id '{eou.source}'", "add it to sources.toml")


def production_provenance(ctx: Ctx) -> None:
    """The [production] figures cite a source or are an assumption whose range holds the annual output."""
    p = ctx.factory.production
    if p is not None:
        provenance(ctx, ("production",), p, p.annual_output)


def economics_provenance(ctx: Ctx) -> None:
    """The [economics] figures cite a source or are an assumption whose range holds the revenue."""
    e = ctx.factory.economics
    if e is not None:
        provenance(ctx, ("economics",), e, e.revenue_per_fu)


def claims_valid(ctx: Ctx) -> None:
    """Each extra claim has the claim fields and names a known indicator."""
    for i, raw in enumerate(ctx.factory.claims):
        try:
            _check_indicator(Claim.model_validate(raw), {})
        except ValidationError as exc:
            ctx.error(
                ("claims", i),
                f"invalid claim: {exc.errors()[0]['msg']}",
                "each claim needs id, text, indicator and relative_change",
            )
        except LcaEngineError as exc:
            ctx.error(("claims", i, "indicator"), exc.problems[0].message, exc.problems[0].fix)


def baseline_named(ctx: Ctx) -> None:
    """Warning: a micro-factory names the baseline it is compared with."""
    if ctx.factory.system == MICRO_FACTORY and not ctx.factory.baseline:
        ctx.warn(
            ("baseline",),
            "no conventional baseline is named: results cannot be compared",
            'add baseline = "<file>.toml" naming an inventory for the same functional unit',
        )


def baseline_names_none(ctx: Ctx) -> None:
    """A baseline inventory does not name a baseline of its own."""
    if ctx.factory.system == BASELINE and ctx.factory.baseline:
        ctx.error(
            ("baseline",),
            "a baseline inventory must not name a baseline of its own",
            f"remove 'baseline' or set system = \"{MICRO_FACTORY}\"",
        )
