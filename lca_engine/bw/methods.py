"""Characterisation factors for every indicator, and the offline install of bw2io's shipped LCIA methods."""

from __future__ import annotations

import json
import os
import zipfile
from functools import lru_cache
from pathlib import Path

import bw2data as bd

from ..background.open_background import carrier_primary_energy
from ..background.open_factors import load_open_factors
from ..errors import BackgroundError
from ..indicators import AR5_BY_GAS, AR5_GWP100, AR6_BY_GAS, CARRIERS, INDICATORS, SHIPPED_METHODS
from ..model import CHEMICAL_CATEGORIES
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

#: The primary energy flows each primary energy indicator counts.
PRIMARY_ENERGY_PARTS = {
    "primary_energy": ("nonrenewable", "renewable", "unsplit"),
    "primary_energy_nonrenewable": ("nonrenewable",),
    "primary_energy_renewable": ("renewable",),
}
#: open.pef.* quantity of each primary energy part (MJ per kWh delivered)
_PEF_QUANTITY = {
    "nonrenewable": "primary_energy_nonrenewable",
    "renewable": "primary_energy_renewable",
    "unsplit": "primary_energy_total",
}


@lru_cache(maxsize=1)
def carrier_pefs() -> dict[str, dict[str, float]]:
    """{carrier: {open quantity: MJ per kWh delivered}} from the shipped open factors."""
    return carrier_primary_energy(load_open_factors())


def _carrier_pef_cfs(parts: tuple[str, ...]) -> list[tuple[tuple[str, str], float]]:
    """Delivered energy of each carrier characterised by the sum of its primary energy figures for ``parts``."""
    out = []
    for carrier, figures in sorted(carrier_pefs().items()):
        quantities = [_PEF_QUANTITY[p] for p in parts if _PEF_QUANTITY[p] in figures]
        if quantities:
            out.append((_b(energy_code(carrier)), sum(figures[q] for q in quantities)))
    return out


@lru_cache(maxsize=1)
def shipped_lcia() -> dict[tuple, dict]:
    """bw2io's LCIA implementation file (ecoinvent 3.9 LCIA), read once. Offline workaround for
    ``create_default_lcia_methods`` (shipped keys are lists; bw2data wants tuples)."""
    from .quiet import quiet

    with quiet():
        import bw2io
    path = Path(os.path.dirname(bw2io.__file__)) / "data" / "lcia" / "lcia_39_ecoinvent.zip"
    with zipfile.ZipFile(path) as z:
        data = json.loads(z.read("data.json"))
    return {tuple(m["name"]): m for m in data}


def shipped_cfs(name: tuple) -> tuple[list, str]:
    methods = shipped_lcia()
    if name not in methods:
        raise BackgroundError(
            f"LCIA method {name} is not in bw2io's shipped file", fix="use a method listed by `lca-engine methods`"
        )
    m = methods[name]
    return [(("biosphere3", e["input"][1]), float(e["amount"])) for e in m["exchanges"]], m.get("unit", "")


def _b(code: str) -> tuple[str, str]:
    return (BIOSPHERE, code)


def _b3(name: str, compartment: str = "air") -> tuple[str, str]:
    return ("biosphere3", BIOSPHERE3[(name, compartment)])


def indicator_cfs(indicator_id: str) -> list[tuple[tuple[str, str], float]]:
    """CFs for one indicator, in a fixed order (so the method hash is stable)."""
    if indicator_id == "carbon":
        return [(_b(GHG_TOTAL), 1.0)] + [(_b3(n), v) for n, v in sorted(AR5_GWP100.items())]
    if indicator_id == "carbon_ipcc2021":
        cfs, _ = shipped_cfs(SHIPPED_METHODS[0])
        return cfs + [(_b(GHG_UNSPLIT), 1.0)] + [(_b(GAS_CODES[g]), AR6_BY_GAS[g]) for g in sorted(GAS_CODES)]
    if indicator_id == "energy_delivered":
        return [(_b(energy_code(c)), 1.0) for c in CARRIERS]
    if indicator_id.startswith("energy_") and indicator_id[7:] in CARRIERS:
        return [(_b(energy_code(indicator_id[7:])), 1.0)]
    if indicator_id in PRIMARY_ENERGY_PARTS:
        parts = PRIMARY_ENERGY_PARTS[indicator_id]
        return _carrier_pef_cfs(parts) + [(_b(PRIMARY_ENERGY[p]), 1.0) for p in parts]
    if indicator_id == "water_withdrawal":
        return [(_b(WATER_WITHDRAWAL), 1.0)]
    if indicator_id == "water_consumption":
        return [(_b3("Water"), 1.0)]
    if indicator_id == "chemicals_total":
        return [(_b(chemical_code(c)), 1.0) for c in CHEMICAL_CATEGORIES] + [(_b(CHEMICALS_EMBODIED), 1.0)]
    if indicator_id.startswith("chemicals_") and indicator_id[10:] in CHEMICAL_CATEGORIES:
        return [(_b(chemical_code(indicator_id[10:])), 1.0)]
    method = INDICATORS[indicator_id].method
    if method in SHIPPED_METHODS:
        return shipped_cfs(method)[0]
    raise BackgroundError(f"no characterisation defined for indicator '{indicator_id}'", fix="this is a bug")


def gas_masses(gases: tuple[tuple[str, float], ...]) -> dict[str, float]:
    """DESNZ per-gas kg CO2e (AR5) -> kg of gas."""
    return {g: v / AR5_BY_GAS[g] for g, v in gases}


def require_methods(names: list[tuple]) -> None:
    missing = [n for n in names if n not in bd.methods]
    if missing:
        raise BackgroundError(
            f"LCIA method(s) not installed in the project: {missing}",
            fix="run `lca-engine assess` once to build the project, or install the method",
        )
