"""Build the embedded Brightway project from shipped data — and rebuild only what changed.

Each database and method stores the hash of what it was built from (``lca_engine_hash`` in its metadata);
a warm run compares hashes and skips the writes, so it costs only the calculation.

Foreground layout (see docs/architecture.md): every process is an activity whose reference product is its
*mass output* (all its outputs to other processes and products to market, in kg, per functional unit). An
internal flow j → i is a technosphere input of i from j, so reuse/recycling loops are cycles in the
technosphere matrix; a consistent inventory solves to scaling 1 everywhere. Processes whose outputs have no
mass (e.g. only energy or uncounted items) are "operations": production 1 per functional unit.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from functools import lru_cache

import bw2data as bd
import numpy as np

from ..background.catalog import Catalog
from ..balance import WATER_DENSITY, flow_mass_kg
from ..errors import BackgroundError, InventoryError
from ..indicators import INDICATORS, SHIPPED_METHODS
from ..model import BOUNDARY_NODES, Factory, Flow
from ..units import Q_, convert
from .flows import (
    BIOSPHERE,
    BIOSPHERE3,
    GAS_CODES,
    GHG_TOTAL,
    GHG_UNSPLIT,
    WATER_WITHDRAWAL,
    chemical_code,
    custom_flows,
    energy_code,
)
from .quiet import quiet

BUILD_VERSION = "4"
FU_CODE = "functional-unit"

_UNIT_NAMES = {
    "kWh": "kilowatt hour",
    "t": "ton",
    "kg": "kilogram",
    "m3": "cubic meter",
    "L": "litre",
    "t*km": "ton kilometer",
    "item": "unit",
}


def _canon(obj):
    if isinstance(obj, dict):
        return {str(k): _canon(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_canon(v) for v in obj]
    return obj


def _hash(obj) -> str:
    return hashlib.sha256(json.dumps(_canon(obj), sort_keys=True, default=str).encode()).hexdigest()


def background_db_name(year: int) -> str:
    return f"desnz-{year}"


def foreground_db_name(factory: Factory, year: int) -> str:
    return f"fg-{factory.id}-{year}"


def _fresh(name: str, digest: str) -> bool:
    return name in bd.databases and bd.databases[name].get("lca_engine_hash") == digest


def _write_db(name: str, data: dict, digest: str, **meta) -> None:
    if name in bd.databases:
        del bd.databases[name]
    db = bd.Database(name)
    db.register(lca_engine_hash="", **meta)
    # bw2data draws a tqdm bar per write unless config.is_test (used for nothing else in bw2data 4.8)
    old = getattr(bd.config, "is_test", False)
    bd.config.is_test = True
    try:
        db.write(data)
    finally:
        bd.config.is_test = old
    # A rewrite gives every node a new integer id, which the processed datapackages of *dependent* databases
    # and methods still point to: a fresh nonce per write goes into their hashes so they are rebuilt too.
    bd.databases[name] = {**bd.databases[name], "lca_engine_hash": digest, "lca_engine_nonce": uuid.uuid4().hex}
    bd.databases.flush()


def _nonce(name: str) -> str:
    return bd.databases[name].get("lca_engine_nonce", "") if name in bd.databases else ""


def _check_biosphere3() -> None:
    for (name, compartment), code in BIOSPHERE3.items():
        node = bd.get_node(database="biosphere3", code=code)
        if node["name"] != name or tuple(node["categories"]) != (compartment,):
            raise BackgroundError(
                f"biosphere3 flow {code} is '{node['name']}' {node['categories']}, expected '{name}' ({compartment})",
                fix="rebuild with a supported bw2io version",
            )


def ensure_base() -> bool:
    """biosphere3, the product's own elementary flows and every indicator's method. True if it wrote."""
    from .methods import indicator_cfs

    wrote = False
    if "biosphere3" not in bd.databases:
        with quiet():
            import bw2io as bi

            bi.create_default_biosphere3()
        _check_biosphere3()
        wrote = True
    flows = custom_flows()
    digest = _hash({"v": BUILD_VERSION, "flows": flows})
    if not _fresh(BIOSPHERE, digest):
        _write_db(BIOSPHERE, flows, digest, type="biosphere")
        wrote = True
    # Computing CFs means reading bw2io's 2 MB LCIA file (~2 s): skip it when nothing they depend on changed.
    from importlib.metadata import version

    from ..indicators import AR5_BY_GAS, AR6_BY_GAS, SAP102_PEF

    key = _hash(
        {
            "v": BUILD_VERSION,
            "bio": _nonce(BIOSPHERE),
            "bw2io": version("bw2io"),
            "methods": [(i.id, i.method, i.unit) for i in INDICATORS.values()],
            "facts": [AR5_BY_GAS, AR6_BY_GAS, SAP102_PEF],
        }
    )
    if bd.databases[BIOSPHERE].get("methods_key") == key and all(i.method in bd.methods for i in INDICATORS.values()):
        return wrote
    for ind in INDICATORS.values():
        cfs = indicator_cfs(ind.id)
        m_digest = _hash(
            {
                "cfs": cfs,
                "unit": ind.unit,
                "v": BUILD_VERSION,
                "bio": _nonce(BIOSPHERE),
                "bio3": len(bd.Database("biosphere3")),
            }
        )
        if ind.method in bd.methods and bd.methods[ind.method].get("lca_engine_hash") == m_digest:
            continue
        m = bd.Method(ind.method)
        source = "bw2io lcia_39_ecoinvent.zip" if ind.method in SHIPPED_METHODS else "lca-engine"
        m.register(unit=ind.unit, description=ind.basis, lca_engine_hash=m_digest, source=source)
        m.write(cfs)
        wrote = True
    bd.databases[BIOSPHERE] = {**bd.databases[BIOSPHERE], "methods_key": key}
    bd.databases.flush()
    return wrote


def background_data(catalog: Catalog) -> dict:
    from .methods import gas_masses

    name = background_db_name(catalog.year)
    data = {}
    for key, f in sorted(catalog.factors.items()):
        ex = [{"input": (name, key), "amount": 1.0, "type": "production"}]
        spread = _spread(f)
        if f.components:
            ex += [{"input": (name, c), "amount": 1.0, "type": "technosphere"} for c in f.components]
        elif f.value:
            ex.append({"input": (BIOSPHERE, GHG_TOTAL), "amount": f.value, "type": "biosphere", **spread})
            if f.gases:
                for gas, mass in sorted(gas_masses(f.gases).items()):
                    ex.append({"input": (BIOSPHERE, GAS_CODES[gas]), "amount": mass, "type": "biosphere"})
            else:
                ex.append({"input": (BIOSPHERE, GHG_UNSPLIT), "amount": f.value, "type": "biosphere", **spread})
        if f.consumption_m3:
            ex.append(
                {"input": ("biosphere3", BIOSPHERE3[("Water", "air")]), "amount": f.consumption_m3, "type": "biosphere"}
            )
        if f.carrier:
            ex.append({"input": (BIOSPHERE, energy_code(f.carrier)), "amount": f.energy_kwh, "type": "biosphere"})
        if f.water_m3:
            ex.append({"input": (BIOSPHERE, WATER_WITHDRAWAL), "amount": f.water_m3, "type": "biosphere"})
        data[(name, key)] = {
            "name": f.name,
            "unit": _UNIT_NAMES.get(f.unit, f.unit),
            "reference product": f.name,
            "location": "GB",
            "exchanges": ex,
            "lca_engine_unit": f.unit,
            "source": f.source,
            "desnz_id": f.desnz_id,
        }
    return data


def _spread(f) -> dict:
    """Triangular distribution over the DESNZ years' values (stats_arrays id 5), if they differ."""
    if f.low is None or f.high is None or not f.low < f.high:
        return {}
    return triangular(f.value, f.low, f.high)


def ensure_background(catalog: Catalog) -> bool:
    """One background database per data year: each factor an activity emitting its CO2e and indicator flows."""
    name = background_db_name(catalog.year)
    digest = _hash({"v": BUILD_VERSION, "catalog": catalog.fingerprint()})
    if _fresh(name, digest):
        return False
    _write_db(
        name, background_data(catalog), digest, year=catalog.year, source=f"DESNZ GHG conversion factors {catalog.year}"
    )
    return True


@lru_cache(maxsize=256)
def _biosphere3_key(name: str, compartment: str) -> tuple[str, str] | None:
    if (name, compartment) in BIOSPHERE3:
        return ("biosphere3", BIOSPHERE3[(name, compartment)])
    hits = [f.key for f in bd.Database("biosphere3") if f["name"] == name and tuple(f["categories"]) == (compartment,)]
    return hits[0] if len(hits) == 1 else None


def triangular(loc: float, low: float, high: float) -> dict:
    """Triangular distribution (stats_arrays id 5), or {} if it would be degenerate once stored as float32
    (Brightway's datapackages hold distribution parameters in float32; stats_arrays rejects min >= max)."""
    lo, mode, hi = sorted((float(np.float32(low)), float(np.float32(loc)), float(np.float32(high))))
    if not lo < hi or float(np.float32(loc)) != mode:
        return {}
    return {"uncertainty type": 5, "loc": loc, "minimum": low, "maximum": high}


def _uncertainty(flow: Flow, scale: float) -> dict:
    """Triangular distribution from an assumption's range, in the exchange's unit."""
    a = flow.assumption
    if a is None or a.high <= a.low or scale <= 0:
        return {}
    return triangular(flow.amount * scale, a.low * scale, a.high * scale)


def process_modes(factory: Factory) -> dict[str, float]:
    """Reference output per process in kg (mass mode), or 0.0 for an 'operation' process."""
    procs = set(factory.process_ids())
    out: dict[str, float] = dict.fromkeys(factory.process_ids(), 0.0)
    massless: set[str] = set()
    for f in factory.flows:
        if f.from_ in procs and (f.to in procs or (f.to == "market" and f.kind == "product")):
            m = flow_mass_kg(f)
            if m is None:
                massless.add(f.from_)
            else:
                out[f.from_] += m
    return {p: (0.0 if p in massless else v) for p, v in out.items()}


def foreground_data(factory: Factory, catalog: Catalog) -> dict:
    """Foreground activities (one per process + a functional-unit activity), linked to the background."""
    name = foreground_db_name(factory, catalog.year)
    bg = background_db_name(catalog.year)
    modes = process_modes(factory)
    data = {}
    for p in factory.processes:
        ref = modes[p.id]
        data[(name, p.id)] = {
            "name": p.name or p.id,
            "unit": "kilogram" if ref else "unit",
            "reference product": f"output of {p.name or p.id}" if ref else f"{p.name or p.id}, per functional unit",
            "location": "GB",
            "stage": p.stage,
            "exchanges": [{"input": (name, p.id), "amount": ref or 1.0, "type": "production"}],
        }
    fu_inputs: dict[str, float] = {p: 0.0 for p in factory.process_ids() if not modes[p]}
    fu_inputs = {p: 1.0 for p in fu_inputs}

    def add(owner: str, exchange: dict) -> None:
        data[(name, owner)]["exchanges"].append(exchange)

    for f in factory.flows:
        src_proc, dst_proc = f.from_ not in BOUNDARY_NODES, f.to not in BOUNDARY_NODES
        if src_proc and dst_proc:
            if modes[f.from_]:
                kg = flow_mass_kg(f)
                # No distribution on internal flows: the producer's reference output is the sum of its outputs,
                # so sampling one internal flow alone would break the mass balance it belongs to (and can drive a
                # loop's gain above 1). Uncertainty enters through what crosses the factory boundary.
                add(f.to, {"input": (name, f.from_), "amount": kg, "type": "technosphere", "flow": f.id})
            continue
        if src_proc and f.to == "market" and f.kind == "product":
            if modes[f.from_]:
                fu_inputs[f.from_] = fu_inputs.get(f.from_, 0.0) + flow_mass_kg(f)
            continue
        owner = f.to if not src_proc else f.from_
        for bkey in f.background_keys:
            factor = catalog.get(bkey)
            scale = convert(1.0, f.unit, factor.unit)
            add(
                owner,
                {
                    "input": (bg, factor.key),
                    "amount": f.amount * scale,
                    "type": "technosphere",
                    "flow": f.id,
                    **_uncertainty(f, scale),
                },
            )
        for key, scale in _elementary(f, factory):
            add(
                owner,
                {"input": key, "amount": f.amount * scale, "type": "biosphere", "flow": f.id, **_uncertainty(f, scale)},
            )
    data[(name, FU_CODE)] = {
        "name": f"{factory.name}, per {factory.functional_unit.label()}",
        "unit": "unit",
        "reference product": factory.functional_unit.description,
        "location": "GB",
        "exchanges": [{"input": (name, FU_CODE), "amount": 1.0, "type": "production"}]
        + [{"input": (name, p), "amount": a, "type": "technosphere"} for p, a in sorted(fu_inputs.items())],
    }
    return data


def _elementary(f: Flow, factory: Factory) -> list[tuple[tuple[str, str], float]]:
    """Elementary exchanges implied by a boundary flow: (flow key, amount per unit of the flow's own unit)."""
    out = []
    if f.kind == "chemical" and f.from_ in BOUNDARY_NODES and f.category:
        kg = flow_mass_kg(f)
        if kg is not None:
            out.append(((BIOSPHERE, chemical_code(f.category)), kg / f.amount if f.amount else 0.0))
    if f.kind == "water" and f.from_ == "environment":
        out.append(((BIOSPHERE, WATER_WITHDRAWAL), _water_m3(f)))
    if f.kind == "water" and f.to == "environment" and f.compartment == "air":
        out.append((("biosphere3", BIOSPHERE3[("Water", "air")]), _water_m3(f)))
    if f.kind == "energy" and f.from_ == "environment":
        out.append(((BIOSPHERE, energy_code("onsite_renewable")), convert(1.0, f.unit, "kWh")))
    if f.substance:
        key = _biosphere3_key(f.substance, f.compartment or "air")
        if key is None:
            raise InventoryError(
                f"no biosphere3 elementary flow '{f.substance}' in compartment '{f.compartment}'",
                fix="use the exact biosphere3 name (e.g. 'Carbon dioxide, fossil', 'Zinc II') and a top-level "
                "compartment (air, water, soil)",
                field=f"flows[{factory.flows.index(f)}].substance",
            )
        out.append((key, convert(1.0, f.unit, "kg")))
    return out


def _water_m3(f: Flow) -> float:
    """m3 per unit of the flow (water mass converts at 1 kg/L, the convention of the mass balance)."""
    q = Q_(1.0, f.unit)
    if q.check("[mass]"):
        return float((q / WATER_DENSITY).to("m3").magnitude)
    return float(q.to("m3").magnitude)


def ensure_foreground(factory: Factory, catalog: Catalog) -> bool:
    name = foreground_db_name(factory, catalog.year)
    digest = _hash(
        {
            "v": BUILD_VERSION,
            "factory": factory.model_dump(mode="json"),
            "bg": catalog.fingerprint(),
            "bg_nonce": _nonce(background_db_name(catalog.year)),
            "bio": _nonce(BIOSPHERE),
        }
    )
    if _fresh(name, digest):
        return False
    _write_db(name, foreground_data(factory, catalog), digest, factory=factory.id, system=factory.system)
    return True
