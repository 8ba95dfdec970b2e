"""Whole-factory validation: references, units, provenance and background links.

Structural checks happen when the model is built (:mod:`lca_engine.model`); here are the rules that need the
whole factory. All problems are collected, so a user fixes a file in one pass rather than one error at a time.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from .background.catalog import Catalog
from .errors import InventoryError, LcaEngineError, Problem
from .inventory import locate
from .model import BOUNDARY_NODES, SOCIO_AMOUNTS, SOCIO_SHARES, SOCIO_STATED, Factory, Flow, Source
from .units import KIND_DIMENSIONS, describe_dimension, parse_unit, ureg

_TO_ENV = ("air", "water", "soil")
_FROM_ENV = ("surface water", "ground water", "rainwater", "air", "soil")

#: Boundary nodes a background factor may be attached to, by direction.
_BACKGROUND_FROM = ("market",)
_BACKGROUND_TO = ("landfill", "recycling", "reuse", "energy_recovery", "composting", "wastewater_treatment")


@dataclass
class Report:
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def raise_if_errors(self) -> None:
        if self.errors:
            raise InventoryError(self.errors)


class _Ctx:
    def __init__(self, factory: Factory, file: str | None, text: str | None, report: Report):
        self.factory, self.file, self.text, self.report = factory, file, text, report

    def _p(self, loc: tuple, message: str, fix: str) -> Problem:
        name = ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in loc).replace(".[", "[")
        return Problem(message, fix=fix, file=self.file, field=name, line=locate(self.text, loc))

    def error(self, loc: tuple, message: str, fix: str) -> None:
        self.report.errors.append(self._p(loc, message, fix))

    def warn(self, loc: tuple, message: str, fix: str) -> None:
        self.report.warnings.append(self._p(loc, message, fix))


def _dims(kind: str) -> list:
    return [ureg.get_dimensionality(d) for d in KIND_DIMENSIONS[kind]]


def _check_unit(ctx: _Ctx, loc: tuple, unit: str, kind: str):
    try:
        u = parse_unit(unit)
    except LcaEngineError as exc:
        p = exc.problems[0]
        ctx.error(loc, p.message, p.fix)
        return None
    if u.dimensionality not in _dims(kind):
        allowed = " or ".join(describe_dimension(d) for d in KIND_DIMENSIONS[kind])
        ctx.error(
            loc,
            f"unit '{unit}' is {describe_dimension(str(u.dimensionality))}, but a {kind} flow expects {allowed}",
            f"give the amount in a unit of {allowed}",
        )
        return None
    return u


def _check_socio_economic(ctx: _Ctx, factory: Factory, sources: dict[str, Source]) -> None:
    se = factory.socio_economic
    for name in SOCIO_STATED:
        stated = getattr(se, name)
        if stated is None:
            continue
        loc = ("socio_economic", name)
        v = stated.value
        if name in SOCIO_SHARES and not 0 <= v <= 1:
            hint = f"; {v:g} % is written {v / 100:g}" if 1 < v <= 100 else ""
            ctx.error(loc + ("value",), f"{name} = {v:g} is not a share from 0 to 1", f"give a fraction{hint}")
            continue
        if name in SOCIO_AMOUNTS and v < 0:
            ctx.error(
                loc + ("value",), f"{name} = {v:g} is negative", "give a number ≥ 0 (or leave it out: 'not stated')"
            )
            continue
        if name == "trl" and (v != int(v) or not 1 <= v <= 9):
            ctx.error(loc + ("value",), f"trl = {v:g} is not a technology readiness level", "give a whole number 1–9")
            continue
        _check_provenance(ctx, loc, stated, v, sources)
    if se.jobs_fte and se.jobs_created_fte and se.jobs_created_fte.value > se.jobs_fte.value:
        ctx.error(
            ("socio_economic", "jobs_created_fte"),
            f"jobs_created_fte {se.jobs_created_fte.value:g} exceeds jobs_fte {se.jobs_fte.value:g}",
            "new jobs are part of the site's jobs: check both figures",
        )
    if se.local_sourcing_share and se.local_radius_km is None:
        ctx.error(
            ("socio_economic", "local_radius_km"),
            "local_sourcing_share is given without the radius it refers to",
            "add local_radius_km = <km>",
        )
    if se.site_source and se.site_source not in sources:
        ctx.error(("socio_economic", "site_source"), f"unknown source id '{se.site_source}'", "add it to sources.toml")
    if se.former_use and se.site_status in (None, "greenfield"):
        ctx.warn(
            ("socio_economic", "former_use"),
            f"former_use is given but site_status is {se.site_status or 'not stated'}",
            'set site_status = "former industrial" or "brownfield" if the site had that use',
        )


def _check_provenance(ctx: _Ctx, loc: tuple, item, amount: float, sources: dict[str, Source]) -> None:
    if item.source and item.assumption:
        ctx.error(
            loc + ("source",),
            "both 'source' and 'assumption' are given",
            "cite a source, or mark the number as an assumption — not both",
        )
    elif not item.source and not item.assumption:
        ctx.error(
            loc + ("source",),
            "the number has no provenance",
            'add source = "<id in sources.toml>" or assumption = {reasoning = "…", low = …, high = …}',
        )
    elif item.source and item.source not in sources:
        known = ", ".join(sorted(sources)[:8])
        ctx.error(
            loc + ("source",),
            f"unknown source id '{item.source}'",
            f"add it to sources.toml (or [sources.{item.source}] in this file); known ids include: {known}",
        )
    elif item.assumption:
        a = item.assumption
        if a.low > a.high:
            ctx.error(loc + ("assumption",), f"assumption range low={a.low} > high={a.high}", "swap low and high")
        elif not (a.low <= amount <= a.high):
            ctx.error(
                loc + ("assumption",),
                f"value {amount} lies outside its assumption range [{a.low}, {a.high}]",
                "widen the range or correct the value",
            )


def _check_flow(ctx: _Ctx, i: int, flow: Flow, nodes: set[str], sources, catalog: Catalog | None) -> None:
    loc = ("flows", i)
    for end, name in (("from", flow.from_), ("to", flow.to)):
        if name not in nodes:
            ctx.error(
                loc + (end,),
                f"'{name}' is neither a process id nor a boundary node",
                f"use a process id ({', '.join(ctx.factory.process_ids()) or 'none defined'}) "
                f"or one of: {', '.join(BOUNDARY_NODES)}",
            )
    if flow.from_ == flow.to:
        ctx.error(loc + ("to",), f"flow goes from '{flow.from_}' to itself", "a flow must connect two nodes")
    if flow.from_ in BOUNDARY_NODES and flow.to in BOUNDARY_NODES:
        ctx.error(
            loc + ("to",),
            "flow connects two boundary nodes and never enters the factory",
            "one end must be a process of this factory",
        )
    unit = _check_unit(ctx, loc + ("unit",), flow.unit, flow.kind)
    if flow.mass_per_unit is not None and unit is not None:
        try:
            mpu = parse_unit(flow.mass_per_unit.split(maxsplit=1)[1]) if " " in flow.mass_per_unit.strip() else None
            q = ureg.Quantity(flow.mass_per_unit)
            if mpu is None or (q * ureg.Quantity(1, unit)).dimensionality != ureg.get_dimensionality("[mass]"):
                raise ValueError
        except Exception:
            ctx.error(
                loc + ("mass_per_unit",),
                f"mass_per_unit '{flow.mass_per_unit}' does not turn '{flow.unit}' into a mass",
                f"write it as '<number> kg/{flow.unit}'",
            )
    if flow.kind == "material" and flow.from_ in BOUNDARY_NODES and flow.origin is None:
        ctx.error(
            loc + ("origin",),
            "material inflow has no origin",
            'add origin = "virgin", "recycled", "reused" or "renewable"',
        )
    if flow.substance is not None and (flow.kind != "emission" or flow.to != "environment"):
        ctx.error(
            loc + ("substance",),
            "'substance' is only for emission flows to 'environment'",
            'set kind = "emission" and to = "environment", or remove \'substance\'',
        )
    if "environment" in (flow.from_, flow.to):
        allowed = _TO_ENV if flow.to == "environment" else _FROM_ENV
        if flow.compartment is None:
            ctx.error(
                loc + ("compartment",),
                "a flow to or from 'environment' needs a compartment",
                f"add compartment = one of {', '.join(repr(c) for c in allowed)} (water to 'air' is evaporation, "
                "i.e. consumption; water to 'water' is a discharge)",
            )
        elif flow.compartment not in allowed:
            direction = "to" if flow.to == "environment" else "from"
            ctx.error(
                loc + ("compartment",),
                f"compartment '{flow.compartment}' does not fit a flow {direction} the environment",
                f"use one of {', '.join(repr(c) for c in allowed)}",
            )
    elif flow.compartment is not None:
        ctx.error(
            loc + ("compartment",),
            "'compartment' is only for flows to or from 'environment'",
            'remove it, or set from/to = "environment"',
        )
    if flow.category is not None and flow.kind != "chemical":
        ctx.error(loc + ("category",), "'category' is only for chemical flows", 'remove it or set kind = "chemical"')
    if flow.kind == "chemical" and flow.from_ in BOUNDARY_NODES and flow.category is None:
        ctx.error(
            loc + ("category",),
            "purchased chemical has no category",
            'add category = "dyes_auxiliaries", "solvents", "acids_alkalis", "resins_binders" or "other"',
        )
    if flow.background is not None:
        if flow.from_ not in _BACKGROUND_FROM and flow.to not in _BACKGROUND_TO:
            ctx.error(
                loc + ("background",),
                f"a background factor is attached to a flow from '{flow.from_}' to '{flow.to}'",
                'attach background factors to purchases (from = "market") or to '
                "outflows to a waste/water treatment node",
            )
        elif not flow.background_keys or len(set(flow.background_keys)) != len(flow.background_keys):
            ctx.error(loc + ("background",), "background list is empty or repeats a key", "list each factor key once")
        elif catalog is not None:
            for key in flow.background_keys:
                try:
                    factor = catalog.get(key)
                except LcaEngineError as exc:
                    ctx.error(loc + ("background",), exc.problems[0].message, exc.problems[0].fix)
                    continue
                if unit is not None and parse_unit(factor.unit).dimensionality != unit.dimensionality:
                    want = describe_dimension(str(parse_unit(factor.unit).dimensionality))
                    ctx.error(
                        loc + ("unit",),
                        f"unit '{flow.unit}' is {describe_dimension(str(unit.dimensionality))}"
                        f" but factor '{factor.key}' is per {factor.unit} ({want})",
                        f"give the amount in a unit of {want}, or choose another factor",
                    )
    elif flow.from_ == "market" and flow.kind in ("material", "energy", "water", "chemical", "transport"):
        ctx.warn(
            loc + ("background",),
            f"purchased {flow.kind} '{flow.id}' has no background factor: its upstream impact is not counted",
            'add background = "<key>" (see `lca-engine factors`)',
        )
    _check_provenance(ctx, loc, flow, flow.amount, sources)


def check(
    factory: Factory,
    sources: dict[str, Source],
    catalog: Catalog | None = None,
    file: str | None = None,
    text: str | None = None,
) -> Report:
    """Validate a factory against its source registry and (optionally) a background catalogue."""
    report = Report()
    ctx = _Ctx(factory, file, text, report)
    all_sources = {**sources, **factory.sources}
    for group, items in (("processes", factory.processes), ("flows", factory.flows), ("stocks", factory.stocks)):
        counts = Counter(x.id for x in items)
        for i, x in enumerate(items):
            if counts[x.id] > 1:
                ctx.error((group, i, "id"), f"duplicate id '{x.id}' in {group}", "give every entry a unique id")
                counts[x.id] = 0  # report once
    for i, p in enumerate(factory.processes):
        if p.id in BOUNDARY_NODES:
            ctx.error(
                ("processes", i, "id"), f"process id '{p.id}' is reserved for a boundary node", "rename the process"
            )
    if not factory.processes:
        ctx.error(("processes",), "the factory has no processes", "add at least one [[processes]] block")
    nodes = set(factory.process_ids()) | set(BOUNDARY_NODES)
    for i, flow in enumerate(factory.flows):
        _check_flow(ctx, i, flow, nodes, all_sources, catalog)
    for i, s in enumerate(factory.stocks):
        if s.process not in factory.process_ids():
            ctx.error(
                ("stocks", i, "process"),
                f"stock refers to unknown process '{s.process}'",
                "use a process id defined in [[processes]]",
            )
        try:
            if not parse_unit(s.unit).dimensionality == ureg.get_dimensionality("[mass]"):
                ctx.error(("stocks", i, "unit"), f"stock unit '{s.unit}' is not a mass", "use kg or t")
        except LcaEngineError as exc:
            ctx.error(("stocks", i, "unit"), exc.problems[0].message, exc.problems[0].fix)
        _check_provenance(ctx, ("stocks", i), s, s.change, all_sources)
    # the functional unit must be delivered by product flows to the market
    try:
        fu_unit = parse_unit(factory.functional_unit.unit)
    except LcaEngineError as exc:
        ctx.error(("functional_unit", "unit"), exc.problems[0].message, exc.problems[0].fix)
    else:
        delivered = [f for f in factory.flows if f.kind == "product" and f.to == "market"]
        if not delivered:
            ctx.error(
                ("flows",),
                "no product flow to 'market' delivers the functional unit",
                'add a flow with kind = "product", to = "market" for the functional unit',
            )
        else:
            try:
                total = sum(
                    f.quantity.to(fu_unit).magnitude
                    for f in delivered
                    if parse_unit(f.unit).dimensionality == fu_unit.dimensionality
                )
            except LcaEngineError:
                total = None
            if total is not None and abs(total - factory.functional_unit.amount) > 1e-9 * max(1.0, total):
                ctx.error(
                    ("functional_unit", "amount"),
                    f"product flows to market deliver {total:g} "
                    f"{factory.functional_unit.unit}, but the functional unit is "
                    f"{factory.functional_unit.amount:g} {factory.functional_unit.unit}",
                    "every flow is per functional unit: scale the inventory or correct the product flow",
                )
    eou = factory.end_of_use
    if eou is not None:
        total = (
            eou.collected_for_reuse
            + eou.collected_for_recycling
            + eou.collected_for_composting
            + eou.collected_for_energy_recovery
        )
        if total > 1 + 1e-9:
            ctx.error(
                ("end_of_use",),
                f"end-of-use collection fractions add up to {total:g} > 1",
                "the shares of the product collected for reuse, recycling, composting and energy recovery "
                "must sum to at most 1",
            )
        if bool(eou.source) == bool(eou.assumption):
            ctx.error(
                ("end_of_use", "source"),
                "end-of-use data needs exactly one provenance",
                'add source = "<id>" or assumption = "<reasoning>" (not both)',
            )
        elif eou.source and eou.source not in all_sources:
            ctx.error(("end_of_use", "source"), f"unknown source id '{eou.source}'", "add it to sources.toml")
    if factory.production is not None:
        _check_provenance(ctx, ("production",), factory.production, factory.production.annual_output, all_sources)
    for i, raw in enumerate(factory.claims):
        from pydantic import ValidationError

        from .claims import Claim, _check_indicator

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
    if factory.economics is not None:
        _check_provenance(ctx, ("economics",), factory.economics, factory.economics.revenue_per_fu, all_sources)
    if factory.socio_economic is not None:
        _check_socio_economic(ctx, factory, all_sources)
    for i, f in enumerate(factory.flows):
        if f.recycled_source and f.origin not in ("recycled", "reused"):
            ctx.error(
                ("flows", i, "recycled_source"),
                f"recycled_source '{f.recycled_source}' on a flow whose origin is {f.origin or 'not given'}",
                'set origin = "recycled" or "reused", or remove recycled_source',
            )
    if factory.system == "micro-factory" and not factory.baseline:
        ctx.warn(
            ("baseline",),
            "no conventional baseline is named: results cannot be compared",
            'add baseline = "<file>.toml" naming an inventory for the same functional unit',
        )
    if factory.system == "baseline" and factory.baseline:
        ctx.error(
            ("baseline",),
            "a baseline inventory must not name a baseline of its own",
            "remove 'baseline' or set system = \"micro-factory\"",
        )
    return report
