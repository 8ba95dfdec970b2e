"""The data of the embedded Brightway project: the DESNZ background database and one foreground per factory.

What is written when, and how a write is made crash-safe, is in :mod:`.parts` and :mod:`.store`.

Foreground layout (see docs/architecture.md): every process is an activity whose reference product is its
*mass output* (all its outputs to other processes and products to market, in kg, per functional unit). An
internal flow j → i is a technosphere input of i from j, so reuse/recycling loops are cycles in the
technosphere matrix; a consistent inventory solves to scaling 1 everywhere. Processes whose outputs have no
mass (e.g. only energy or uncounted items) are "operations": production 1 per functional unit.
"""

from __future__ import annotations

from functools import lru_cache

import bw2data as bd
import numpy as np

from ..background.catalog import Catalog
from ..background.links import bw_unit
from ..balance import WATER_DENSITY, flow_mass_kg
from ..errors import InventoryError
from ..model import BOUNDARY_NODES, Factory, Flow
from ..units import Q_, convert
from .flows import (
    BIOSPHERE,
    BIOSPHERE3,
    CHEMICALS_EMBODIED,
    GAS_CODES,
    GHG_TOTAL,
    GHG_UNSPLIT,
    PRIMARY_ENERGY,
    WATER_WITHDRAWAL,
    chemical_code,
    energy_code,
)

FU_CODE = "functional-unit"


def background_db_name(year: int) -> str:
    return f"desnz-{year}"


def foreground_db_name(factory: Factory, year: int) -> str:
    return f"fg-{factory.id}-{year}"


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
        if f.carrier:
            ex.append({"input": (BIOSPHERE, energy_code(f.carrier)), "amount": f.energy_kwh, "type": "biosphere"})
        ex += _open_exchanges(f)
        data[(name, key)] = {
            "name": f.name,
            "unit": bw_unit(f.unit),
            "reference product": f.name,
            "location": "GB",
            "exchanges": ex,
            "lca_engine_unit": f.unit,
            "source": f.source,
            "desnz_id": f.desnz_id,
        }
    return data


#: Elementary flow of each per-unit quantity a factor may carry besides CO2e and delivered energy.
_QUANTITY_FLOWS = {
    "water_m3": ("water_withdrawal", (BIOSPHERE, WATER_WITHDRAWAL)),
    "consumption_m3": ("water_consumption", ("biosphere3", BIOSPHERE3[("Water", "air")])),
    "pe_nonrenewable_mj": ("primary_energy_nonrenewable", (BIOSPHERE, PRIMARY_ENERGY["nonrenewable"])),
    "pe_renewable_mj": ("primary_energy_renewable", (BIOSPHERE, PRIMARY_ENERGY["renewable"])),
    "pe_unsplit_mj": ("primary_energy_total", (BIOSPHERE, PRIMARY_ENERGY["unsplit"])),
    "chemicals_kg": ("chemicals_embodied", (BIOSPHERE, CHEMICALS_EMBODIED)),
}


def _open_exchanges(f) -> list[dict]:
    """Water, primary energy and embodied chemicals per unit, each with its published range (triangular)."""
    spreads = {q: (low, high) for q, _, low, high in f.spreads}
    out = []
    for attr, (quantity, key) in _QUANTITY_FLOWS.items():
        amount = getattr(f, attr)
        if amount:
            low, high = spreads.get(quantity, (amount, amount))
            out.append({"input": key, "amount": amount, "type": "biosphere", **triangular(amount, low, high)})
    return out


def _spread(f) -> dict:
    """Triangular distribution over the DESNZ years' values (stats_arrays id 5), if they differ."""
    if f.low is None or f.high is None or not f.low < f.high:
        return {}
    return triangular(f.value, f.low, f.high)


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
                    "input": (factor.database or bg, factor.code or factor.key),
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
