"""Rules for one flow: its ends, unit, mass, fields that belong to some kinds only, background link, provenance.

:data:`FLOW_RULES` is the table; each rule takes the context and a :class:`FlowAt` (the flow, where it is, and its
unit, parsed once by :func:`flow_unit`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache

import pint

from ..background.imported import is_link
from ..background.links import bw_unit
from ..errors import LcaEngineError, ProblemKind
from ..limits import LIMITS
from ..model import (
    BOUNDARY,
    CHEMICAL_CATEGORIES,
    COMPARTMENTS_FROM,
    COMPARTMENTS_TO,
    ENVIRONMENT,
    KIND_DIMENSIONS,
    MARKET,
    ORIGINS,
    PURCHASED_KINDS,
    SECONDARY_ORIGINS,
    WASTE_ROUTES,
    Flow,
)
from ..units import describe_dimension, parse_unit, ureg
from .context import Ctx
from .lifetime import flow_lifetime
from .provenance import provenance

#: '<number> <unit>': the unit's own limit plus room for a number; checked before pint reads the text.
MASS_PER_UNIT_CHARS = LIMITS.unit_chars + 32


def _quoted(values) -> str:
    return ", ".join(repr(v) for v in values)


def _or(values) -> str:
    values = [f'"{v}"' for v in values]
    return ", ".join(values[:-1]) + " or " + values[-1]


@dataclass(frozen=True)
class FlowAt:
    loc: tuple  # ("flows", i)
    flow: Flow
    unit: pint.Unit | None  # None when the unit is unknown or of the wrong dimension (already reported)


def flow_unit(ctx: Ctx, loc: tuple, flow: Flow) -> pint.Unit | None:
    """Units per kind: the unit is known and has a dimension the flow's kind allows (energy in kWh, MJ …)."""
    try:
        unit = parse_unit(flow.unit)
    except LcaEngineError as exc:
        ctx.error(loc + ("unit",), exc.problems[0].message, exc.problems[0].fix)
        return None
    if unit.dimensionality not in _dimensions(flow.kind):
        allowed = " or ".join(describe_dimension(d) for d in KIND_DIMENSIONS[flow.kind])
        ctx.error(
            loc + ("unit",),
            f"unit '{flow.unit}' is {describe_dimension(str(unit.dimensionality))}, but a {flow.kind} flow expects "
            f"{allowed}",
            f"give the amount in a unit of {allowed}",
        )
        return None
    return unit


@cache
def _dimensions(kind: str) -> tuple:
    """The dimensionalities a flow of ``kind`` may have."""
    return tuple(ureg.get_dimensionality(d) for d in KIND_DIMENSIONS[kind])


def ends_known(ctx: Ctx, at: FlowAt) -> None:
    """References: 'from' and 'to' each name a process of this factory or a boundary node."""
    for end, name in (("from", at.flow.from_), ("to", at.flow.to)):
        if name not in ctx.nodes:
            ctx.error(at.loc + (end,), f"'{name}' is neither a process id nor a boundary node", ctx.node_hint)


def not_to_itself(ctx: Ctx, at: FlowAt) -> None:
    """A flow connects two different nodes."""
    if at.flow.from_ == at.flow.to:
        ctx.error(at.loc + ("to",), f"flow goes from '{at.flow.from_}' to itself", "a flow must connect two nodes")


def enters_factory(ctx: Ctx, at: FlowAt) -> None:
    """At least one end of a flow is a process: a flow between two boundary nodes never enters the factory."""
    if at.flow.from_ in BOUNDARY and at.flow.to in BOUNDARY:
        ctx.error(
            at.loc + ("to",),
            "flow connects two boundary nodes and never enters the factory",
            "one end must be a process of this factory",
        )


def _short(text: str, n: int = 80) -> str:
    return text if len(text) <= n else text[:n] + "…"


def kg_per_unit(flow: Flow) -> float | None:
    """kg in one of the flow's unit by its 'mass_per_unit' ('<number> <mass>/<the flow's unit>'); None if it has none.

    ValueError if the text is not such a mass per unit (too long, no number, or pint cannot read it)."""
    if flow.mass_per_unit is None:
        return None
    return _kg_per_unit(flow.mass_per_unit.strip(), flow.unit)


@lru_cache(maxsize=1024)
def _kg_per_unit(written: str, unit: str) -> float:
    """:func:`kg_per_unit` of the text (cached: an inventory repeats a few; pint reads one in ~0.2 ms)."""
    if " " not in written or len(written) > MASS_PER_UNIT_CHARS:
        raise ValueError(written)
    try:
        parse_unit(written.split(maxsplit=1)[1])
        mass = ureg.Quantity(written) * ureg.Quantity(1, parse_unit(unit))
        if mass.dimensionality != ureg.get_dimensionality("[mass]"):
            raise ValueError(written)
        return float(mass.to("kg").magnitude)
    except Exception as exc:  # pint raises many types on text it cannot read: all mean "not a mass per unit"
        raise ValueError(written) from exc


def mass_per_unit_makes_mass(ctx: Ctx, at: FlowAt) -> None:
    """'mass_per_unit' is '<number> <mass>/<the flow's unit>': amount × mass_per_unit is a mass."""
    flow = at.flow
    if flow.mass_per_unit is None or at.unit is None:
        return
    try:
        kg_per_unit(flow)
    except ValueError:
        ctx.error(
            at.loc + ("mass_per_unit",),
            f"mass_per_unit '{_short(flow.mass_per_unit)}' does not turn '{flow.unit}' into a mass"
            + (
                f" (longer than {MASS_PER_UNIT_CHARS} characters)"
                if len(flow.mass_per_unit) > MASS_PER_UNIT_CHARS
                else ""
            ),
            f"write it as '<number> kg/{flow.unit}'",
        )


def inflow_has_origin(ctx: Ctx, at: FlowAt) -> None:
    """A material bought in or taken from the environment states its origin (virgin, recycled …)."""
    if at.flow.kind == "material" and at.flow.from_ in BOUNDARY and at.flow.origin is None:
        ctx.error(at.loc + ("origin",), "material inflow has no origin", f"add origin = {_or(ORIGINS)}")


def recycled_source_on_secondary(ctx: Ctx, at: FlowAt) -> None:
    """'recycled_source' is only for recycled or re-used input."""
    flow = at.flow
    if flow.recycled_source and flow.origin not in SECONDARY_ORIGINS:
        ctx.error(
            at.loc + ("recycled_source",),
            f"recycled_source '{flow.recycled_source}' on a flow whose origin is {flow.origin or 'not given'}",
            f"set origin = {_or(SECONDARY_ORIGINS)}, or remove recycled_source",
        )


def substance_on_emission(ctx: Ctx, at: FlowAt) -> None:
    """'substance' is only for emissions to the environment."""
    if at.flow.substance is not None and (at.flow.kind != "emission" or at.flow.to != ENVIRONMENT):
        ctx.error(
            at.loc + ("substance",),
            f"'substance' is only for emission flows to '{ENVIRONMENT}'",
            f'set kind = "emission" and to = "{ENVIRONMENT}", or remove \'substance\'',
        )


def compartment_fits(ctx: Ctx, at: FlowAt) -> None:
    """A flow to or from the environment names a compartment that fits its direction; no other flow has one."""
    flow, loc = at.flow, at.loc + ("compartment",)
    if ENVIRONMENT not in (flow.from_, flow.to):
        if flow.compartment is not None:
            ctx.error(
                loc,
                f"'compartment' is only for flows to or from '{ENVIRONMENT}'",
                f'remove it, or set from/to = "{ENVIRONMENT}"',
            )
        return
    allowed = COMPARTMENTS_TO if flow.to == ENVIRONMENT else COMPARTMENTS_FROM
    if flow.compartment is None:
        ctx.error(
            loc,
            f"a flow to or from '{ENVIRONMENT}' needs a compartment",
            f"add compartment = one of {_quoted(allowed)} (water to 'air' is evaporation, i.e. consumption; water "
            "to 'water' is a discharge)",
        )
    elif flow.compartment not in allowed:
        direction = "to" if flow.to == ENVIRONMENT else "from"
        ctx.error(
            loc,
            f"compartment '{flow.compartment}' does not fit a flow {direction} the environment",
            f"use one of {_quoted(allowed)}",
        )


def category_on_chemical(ctx: Ctx, at: FlowAt) -> None:
    """'category' is only for chemicals; a purchased chemical needs one (the chemicals indicator sums by it)."""
    flow = at.flow
    if flow.category is not None and flow.kind != "chemical":
        ctx.error(at.loc + ("category",), "'category' is only for chemical flows", 'remove it or set kind = "chemical"')
    elif flow.kind == "chemical" and flow.from_ in BOUNDARY and flow.category is None:
        ctx.error(
            at.loc + ("category",), "purchased chemical has no category", f"add category = {_or(CHEMICAL_CATEGORIES)}"
        )


def _background_placed(flow: Flow) -> bool:
    return flow.from_ == MARKET or flow.to in WASTE_ROUTES


def background_placement(ctx: Ctx, at: FlowAt) -> None:
    """Background factors belong to purchases (from the market) or to outflows to a treatment route."""
    flow = at.flow
    if flow.background is not None and not _background_placed(flow):
        ctx.error(
            at.loc + ("background",),
            f"a background factor is attached to a flow from '{flow.from_}' to '{flow.to}'",
            f'attach background factors to purchases (from = "{MARKET}") or to outflows to a waste/water treatment '
            f"node ({', '.join(WASTE_ROUTES)})",
        )


def background_keys_once(ctx: Ctx, at: FlowAt) -> None:
    """A background list is not empty and names each factor once."""
    flow = at.flow
    if flow.background is not None and _background_placed(flow):
        keys = flow.background_keys
        if not keys or len(set(keys)) != len(keys):
            ctx.error(
                at.loc + ("background",), "background list is empty or repeats a key", "list each factor key once"
            )


def background_factors_fit(ctx: Ctx, at: FlowAt) -> None:
    """Every background key exists in the year's catalogue, or names an activity of a background imported into the
    data folder (``NAME:…``), per a unit the flow's unit converts to."""
    flow, keys = at.flow, at.flow.background_keys
    if ctx.catalog is None or not keys or not _background_placed(flow) or len(set(keys)) != len(keys):
        return
    for key in keys:
        try:
            factor = ctx.catalog.get(key)
        except LcaEngineError as exc:
            ctx.error(at.loc + ("background",), exc.problems[0].message, exc.problems[0].fix)
            continue
        per = parse_unit(factor.unit).dimensionality
        if at.unit is not None and per != at.unit.dimensionality:
            want = describe_dimension(str(per))
            ctx.error(
                at.loc + ("unit",),
                f"unit '{flow.unit}' is {describe_dimension(str(at.unit.dimensionality))}"
                f" but {_per(factor)} {factor.unit} ({want})",
                f"give the amount in a unit of {want}, or choose another "
                + ("activity" if factor.database else "factor"),
            )


def _per(factor) -> str:
    """What a factor is per, in words: a shipped factor by key; an imported activity by key and its own unit."""
    if factor.database:
        return f"activity '{factor.key}' is per '{bw_unit(factor.unit)}', i.e."
    return f"factor '{factor.key}' is per"


def background_families_once(ctx: Ctx, at: FlowAt) -> None:
    """No two linked factors give the same indicator family (it would be counted twice)."""
    flow, keys = at.flow, at.flow.background_keys
    if ctx.catalog is None or len(keys) < 2 or not _background_placed(flow):
        return
    given: dict[str, str] = {}
    for key in keys:
        factor = _known(ctx, key)
        for family in factor.families if factor else ():
            if family in given:
                ctx.error(
                    at.loc + ("background",),
                    f"'{given[family]}' and '{key}' both give {family}: it would be counted twice",
                    f"link one factor per family; an open factor's families can be linked one by one, "
                    f"e.g. '{key.split('/')[0]}/energy'",
                )
            given.setdefault(family, key)


def _known(ctx: Ctx, key: str):
    """The factor of ``key`` (a shipped factor, or an imported activity a link names), else None (an unknown key is
    reported by :func:`background_factors_fit`)."""
    if key in ctx.catalog.factors or not is_link(key):
        return ctx.catalog.factors.get(key)
    try:
        return ctx.catalog.get(key)
    except LcaEngineError:
        return None


def purchase_has_background(ctx: Ctx, at: FlowAt) -> None:
    """Warning: a purchase without a background factor has its upstream impact left out."""
    flow = at.flow
    if flow.background is None and flow.from_ == MARKET and flow.kind in PURCHASED_KINDS:
        ctx.warn(
            at.loc + ("background",),
            f"purchased {flow.kind} '{flow.id}' has no background factor: its upstream impact is not counted",
            'add background = "<key>" (see `lca-engine factors`)',
            kind=ProblemKind.NO_BACKGROUND,
            subject=flow.id,
        )


def flow_provenance(ctx: Ctx, at: FlowAt) -> None:
    """The amount cites a source or is an assumption whose range holds it."""
    provenance(ctx, at.loc, at.flow, at.flow.amount)


FLOW_RULES: tuple[Callable[[Ctx, FlowAt], None], ...] = (
    ends_known,
    not_to_itself,
    enters_factory,
    mass_per_unit_makes_mass,
    inflow_has_origin,
    substance_on_emission,
    compartment_fits,
    category_on_chemical,
    background_placement,
    background_keys_once,
    background_factors_fit,
    background_families_once,
    purchase_has_background,
    flow_provenance,
    recycled_source_on_secondary,
    flow_lifetime,
)


def each_flow(ctx: Ctx) -> None:
    """Every flow passes :data:`FLOW_RULES`."""
    for i, flow in enumerate(ctx.factory.flows):
        loc = ("flows", i)
        at = FlowAt(loc, flow, flow_unit(ctx, loc, flow))
        for rule in FLOW_RULES:
            rule(ctx, at)
