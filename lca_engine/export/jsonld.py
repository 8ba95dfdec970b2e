"""openLCA JSON-LD (``olca-schema`` 2.4) of factories: processes, flows, units and the links between them.

What the zip holds, for a micro-factory and its baseline (or any list of factories):

* a product system per factory (its functional-unit process, 1 item; every provider link a process link);
* one process per process node, producing 1 item of "<process>, one functional unit's worth" (the convention of
  our Brightway Excel export: a per-FU inventory solves to scaling 1), and one functional-unit process per factory
  taking 1 item of each of its processes, each input naming its provider (``defaultProvider``);
* every boundary flow with a background link is a product input from that background process, one exchange per
  link, the amount converted with pint to the reference unit of its quantity (kg, MJ, m3, t*km, m2, m, item);
  emissions with a substance, water to or from the environment are elementary flows of the owning process;
* one process per background factor used (``desnz-<year>::<key>``), producing 1 reference unit of its product and
  emitting the factor's characterised burden as elementary flows of ours: DESNZ kg CO2e (AR5 basis; a triangle
  over the range of the shipped DESNZ years where it varies) and water withdrawn (m3). Its supply chain is not
  modelled further: the factor *is* the background, as in our own project;
* one process per activity of an imported background linked (``bg-NAME::<code>``): its reference product only,
  named and located as the activity, its description naming the background, version and licence. The activity's
  inventory is not written (an imported background's data is licensed for results only): in openLCA, link the
  process to your own copy of that background; re-imported as it is, it adds nothing.

Not written: flows between processes (with a consistent per-FU inventory they change no result; the loops are in
our TOML and Excel exports), products to the market, and boundary flows with no background link and no
environment end (e.g. waste to a boundary node without a treatment factor). Ids are UUID-5 of the names, so a
re-export writes the same ids.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path

from .. import atomic
from ..background.catalog import Catalog, Factor
from ..errors import InventoryError, UnitError
from ..model import ENVIRONMENT, Factory, Flow
from ..units import convert, parse_unit

_NS = uuid.UUID("9b0d3b1e-2f5c-5a4e-8a57-6c1e0d7f4a21")

#: Quantities and their reference units (openLCA unit group, flow property).
QUANTITIES = (
    ("Mass", "kg"),
    ("Energy", "MJ"),
    ("Volume", "m3"),
    ("Goods transport (mass*distance)", "t*km"),
    ("Area", "m2"),
    ("Length", "m"),
    ("Number of items", "item"),
)

#: The characterised burdens a background process emits per unit of its factor: (flow name, unit, value of).
BURDENS = (
    ("Greenhouse gases, GWP100 IPCC AR5 basis (DESNZ kg CO2e)", "kg", lambda f: f.value),
    ("Water withdrawn (mains supply and abstraction)", "m3", lambda f: f.water_m3),
)


def uid(*parts: str) -> str:
    return str(uuid.uuid5(_NS, "\x1f".join(parts)))


def reference(unit: str) -> tuple[str, float]:
    """The reference unit of ``unit``'s quantity and how many of it one ``unit`` is."""
    dim = parse_unit(unit).dimensionality
    for _, ref in QUANTITIES:
        if parse_unit(ref).dimensionality == dim:
            return ref, convert(1.0, unit, ref)
    raise UnitError(f"unit '{unit}' has no openLCA quantity here", fix="use a mass, energy, volume, area or count")


@dataclass
class Package:
    """The entities of one JSON-LD zip, deduplicated by id."""

    entities: dict[str, object] = field(default_factory=dict)
    background: dict[str, tuple] = field(default_factory=dict)  # factor key -> (process, product, unit)

    def add(self, entity):
        entity.last_change = None  # stable bytes: the same factories give the same zip
        return self.entities.setdefault(entity.id, entity)

    def _property(self, ref_unit: str):
        import olca_schema as o

        name = next(n for n, r in QUANTITIES if r == ref_unit)
        unit = o.Unit(id=uid("unit", ref_unit), name=ref_unit, conversion_factor=1.0, is_ref_unit=True)
        group = self.add(o.UnitGroup(id=uid("unit group", name), name=f"Units of {name.lower()}", units=[unit]))
        prop = o.FlowProperty(id=uid("property", name), name=name, unit_group=group.to_ref())
        prop.unit_group.ref_unit = ref_unit
        group.default_flow_property = o.Ref(ref_type=o.RefType.FlowProperty, id=prop.id, name=name)
        return self.add(prop), unit

    def flow(self, name: str, ref_unit: str, elementary: bool = False, category: str = ""):
        import olca_schema as o

        prop, unit = self._property(ref_unit)
        kind = o.FlowType.ELEMENTARY_FLOW if elementary else o.FlowType.PRODUCT_FLOW
        flow = o.new_flow(name, kind, prop)
        flow.id = uid("flow", kind.value, name, category)
        flow.category = category or None
        return self.add(flow), unit

    def location(self, code: str = "GB", name: str = "United Kingdom"):
        import olca_schema as o

        return self.add(o.Location(id=uid("location", code), name=name, code=code))


def _exchange(process, flow, unit, amount: float, *, is_input: bool, provider=None, reference: bool = False):
    import olca_schema as o

    exc = o.new_exchange(process, flow, amount, unit)
    exc.is_input = is_input
    exc.is_quantitative_reference = reference or None
    exc.flow_property = flow.flow_properties[0].flow_property
    exc.flow.flow_type = flow.flow_type
    exc.flow.ref_unit = unit.name
    if provider is not None:
        exc.default_provider = provider.to_ref()
    return exc


def _process(pkg: Package, pid: str, name: str, product: str, unit: str = "item"):
    import olca_schema as o

    proc = o.new_process(name)
    proc.id = uid("process", pid)
    proc.location = pkg.location().to_ref()
    out, u = pkg.flow(product, unit)
    _exchange(proc, out, u, 1.0, is_input=False, reference=True)
    return pkg.add(proc), out, u


def background_process(pkg: Package, factor: Factor, year: int) -> tuple:
    """The process of one background factor (1 reference unit of its product, its burdens as elementary flows):
    (process, product flow, unit), made once per package."""
    if factor.key in pkg.background:
        return pkg.background[factor.key]
    ref, per = reference(factor.unit)
    key = f"desnz-{year}::{factor.key}"
    made = _process(pkg, key, f"{factor.name} ({key})", f"{factor.name} [{factor.key}]", ref)
    made[0].description = f"background factor {factor.key} of the DESNZ {year} catalogue; source: {factor.source}"
    for name, unit, value_of in BURDENS:
        value = value_of(factor) / per
        if value:
            flow, u = pkg.flow(name, unit, elementary=True, category="lca-engine/characterised background")
            exc = _exchange(made[0], flow, u, value, is_input=False)
            if value_of(factor) == factor.value and factor.low is not None and factor.high is not None:
                exc.uncertainty = triangle(factor.low / per, value, factor.high / per)  # DESNZ years' range
    pkg.background[factor.key] = made
    return made


def imported_process(pkg: Package, factor: Factor, catalog: Catalog) -> tuple:
    """The process standing for an activity of an imported background (``NAME:…`` link): its reference product
    only, named and located as the activity. The activity's inventory stays out of the file — an imported
    background's data is licensed for results, never copied into outputs — so the process says which activity of
    which background it is, to be linked to the user's own copy: (process, product flow, unit), made once."""
    if factor.key in pkg.background:
        return pkg.background[factor.key]
    act = catalog.links.resolve(factor.key).activity
    key = f"{factor.database}::{factor.code}"
    made = _process(pkg, key, f"{act.name} ({key})", act.product, reference(factor.unit)[0])
    made[0].location = pkg.location(act.location, act.location).to_ref() if act.location else None
    made[0].description = (
        f"activity '{act.key}' (code {act.code}) of the imported background {factor.source}; its inventory is not "
        "in this file (the background's data is licensed for results only): link this process to that activity "
        "in your own copy of the background"
    )
    pkg.background[factor.key] = made
    return made


def triangle(low: float, mode: float, high: float):
    """openLCA's triangle distribution, or None where the range is a point or leaves out the mode."""
    import olca_schema as o

    if not (low < high and low <= mode <= high):
        return None
    return o.Uncertainty(
        distribution_type=o.UncertaintyType.TRIANGLE_DISTRIBUTION, minimum=low, mode=mode, maximum=high
    )


def _ours(exc, f: Flow, per: float) -> None:
    """Mark an exchange as our flow ``f`` (its id in the description) and give it the triangular distribution
    of the flow's assumption range, in the exchange's unit (``per`` of it in one unit of the flow)."""
    exc.description = f"lca-engine flow {f.id}"
    if f.assumption is not None:
        exc.uncertainty = triangle(f.assumption.low * per, f.amount * per, f.assumption.high * per)


def _elementary(pkg: Package, proc, f: Flow) -> None:
    ref, per = reference(f.unit)
    name = f.substance or ("Water" if f.kind == "water" else f.name or f.material or f.id)
    direction = "Emission to" if f.to == ENVIRONMENT else "Resource from"
    flow, u = pkg.flow(name, ref, elementary=True, category=f"Elementary flows/{direction} {f.compartment or 'air'}")
    _ours(_exchange(proc, flow, u, f.amount * per, is_input=f.from_ == ENVIRONMENT), f, per)


def _links(pkg: Package, proc, f: Flow, catalog: Catalog, index: int) -> None:
    for key in f.background_keys:
        factor = catalog.get(key, where={"field": f"flows[{index}].background"})
        made = imported_process(pkg, factor, catalog) if factor.database else None
        provider, product, unit = made or background_process(pkg, factor, catalog.year)
        try:
            per = convert(1.0, f.unit, unit.name)
        except UnitError as exc:
            p = exc.problems[0]
            raise InventoryError(p.message, fix=p.fix, field=f"flows[{index}].unit") from None
        _ours(_exchange(proc, product, unit, f.amount * per, is_input=True, provider=provider), f, per)


def add_factory(pkg: Package, factory: Factory, catalog: Catalog) -> None:
    """Add one factory's processes and functional-unit process (and the background processes it links)."""
    procs = {}
    for p in factory.processes:
        name = f"{p.name or p.id} ({factory.id})"
        procs[p.id] = _process(pkg, f"{factory.id}/{p.id}", name, f"{name}, one functional unit's worth")
    fu_name = f"{factory.name}, per {factory.functional_unit.label()}"
    fu, _, _ = _process(pkg, f"{factory.id}/functional unit", fu_name, fu_name)
    fu.description = factory.description or None
    for proc, product, unit in procs.values():
        _exchange(fu, product, unit, 1.0, is_input=True, provider=proc)
    for i, f in enumerate(factory.flows):
        if f.from_ in procs and f.to in procs:
            continue
        owner = f.to if f.to in procs else f.from_ if f.from_ in procs else None
        proc = procs[owner][0] if owner else fu
        if f.background_keys:
            _links(pkg, proc, f, catalog, i)
        elif ENVIRONMENT in (f.from_, f.to):
            _elementary(pkg, proc, f)
    pkg.add(product_system(pkg, factory.id, fu, [p for p, _, _ in procs.values()]))


def product_system(pkg: Package, factory_id: str, fu, processes: list):
    """The factory's product system: 1 functional unit of ``fu``, its processes and the background processes they
    link, every provider link as a process link."""
    import olca_schema as o

    members = [fu, *processes]
    members += list(
        {
            e.default_provider.id: pkg.entities[e.default_provider.id]
            for p in processes
            for e in p.exchanges
            if e.default_provider
        }.values()
    )
    links = [
        o.ProcessLink(
            provider=e.default_provider,
            flow=e.flow,
            process=p.to_ref(),
            exchange=o.ExchangeRef(internal_id=e.internal_id),
        )
        for p in members
        for e in p.exchanges
        if e.default_provider
    ]
    ref = next(e for e in fu.exchanges if e.is_quantitative_reference)
    return o.ProductSystem(
        id=uid("product system", factory_id),
        name=fu.name,
        ref_process=fu.to_ref(),
        ref_exchange=o.ExchangeRef(internal_id=ref.internal_id),
        target_amount=1.0,
        target_unit=ref.unit,
        target_flow_property=ref.flow_property,
        processes=[p.to_ref() for p in members],
        process_links=links,
    )


def functional_unit_id(factory: Factory) -> tuple[str, str]:
    """Ids of a factory's functional-unit process and of its product flow in the zip."""
    name = f"{factory.name}, per {factory.functional_unit.label()}"
    return uid("process", f"{factory.id}/functional unit"), uid("flow", "PRODUCT_FLOW", name, "")


def write_jsonld(factories: list[Factory], catalog: Catalog, path: str | Path) -> None:
    """Write the factories as one openLCA JSON-LD zip (atomically: olca-schema's ZipWriter appends to an existing
    file, so it writes a fresh temporary file that then replaces ``path``)."""
    from olca_schema import zipio

    pkg = Package()
    for factory in factories:
        add_factory(pkg, factory, catalog)
    with atomic.atomic_path(path) as tmp:
        Path(tmp).unlink(missing_ok=True)
        with zipio.ZipWriter(tmp) as w:
            for entity in pkg.entities.values():
                w.write(entity)
