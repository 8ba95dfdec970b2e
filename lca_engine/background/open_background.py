"""The open cradle-to-gate factors (``background/open_factors/*.toml``) as catalogue factors, one per indicator
family, so that a flow links exactly the families it needs.

An open factor ``open.<key>`` becomes

* ``open.<key>/<family>`` for each family it has figures for — ``carbon`` (kg CO2e), ``energy`` (primary energy,
  non-renewable / renewable / unsplit, MJ), ``water`` (blue water withdrawn and consumed, m3), ``chemicals``
  (process chemicals embodied, kg) — each carrying only that family's figures and their ranges;
* ``open.<key>``, the composite of all of them (technosphere inputs, so contributions name each family).

A flow may link a DESNZ factor for carbon and an open factor's other families, e.g.
``background = ["desnz.material.metals.primary", "open.steel.primary/energy", "open.steel.primary/water"]``;
validation refuses two links that give the same family (counted twice). The primary energy factors of energy
carriers (``open.pef.*``, MJ per kWh delivered) are not activities: they characterise delivered energy
(:func:`carrier_primary_energy`).
"""

from __future__ import annotations

from dataclasses import dataclass

from .catalog import Factor
from .open_factors import OpenFactor, Quantity


@dataclass(frozen=True)
class QuantityUse:
    """Where an open quantity goes: its indicator family, the catalogue factor's field that carries it (per unit of
    the factor), and the indicators it feeds (a figure "to check" marks these numbers)."""

    family: str
    field: str
    indicators: tuple[str, ...]


QUANTITY_USE: dict[Quantity, QuantityUse] = {
    "carbon": QuantityUse("carbon", "value", ("carbon", "carbon_ipcc2021")),
    "primary_energy_total": QuantityUse("energy", "pe_unsplit_mj", ("primary_energy",)),
    "primary_energy_nonrenewable": QuantityUse(
        "energy", "pe_nonrenewable_mj", ("primary_energy", "primary_energy_nonrenewable")
    ),
    "primary_energy_renewable": QuantityUse(
        "energy", "pe_renewable_mj", ("primary_energy", "primary_energy_renewable")
    ),
    "water_withdrawal": QuantityUse("water", "water_m3", ("water_withdrawal",)),
    "water_consumption": QuantityUse("water", "consumption_m3", ("water_consumption", "water_scarcity", "water_wcp")),
    "chemicals_embodied": QuantityUse("chemicals", "chemicals_kg", ("chemicals_total",)),
}
PEF_PREFIX = "open.pef."
#: Delivered-energy carrier -> its primary energy factor (``open.pef.*``, MJ per kWh delivered).
CARRIER_PEF = {
    "electricity": "open.pef.electricity_gb",
    "natural_gas": "open.pef.natural_gas",
    "diesel": "open.pef.diesel",
    "lpg": "open.pef.lpg",
}


def open_catalog_factors(factors: dict[str, OpenFactor], year: int) -> dict[str, Factor]:
    """Catalogue factors for every open factor but the carriers' primary energy factors."""
    out: dict[str, Factor] = {}
    for key, of in sorted(factors.items()):
        if key.startswith(PEF_PREFIX):
            continue
        parts = []
        for family in sorted({QUANTITY_USE[q].family for q in of.figures}):
            part = _family_factor(of, family, year)
            out[part.key] = part
            parts.append(part.key)
        first = of.figures[next(iter(of.figures))]
        out[key] = Factor(key, of.name, of.unit, 0.0, year, first.source, table="open", components=tuple(parts))
    return out


def _family_factor(of: OpenFactor, family: str, year: int) -> Factor:
    figures = {q: fig for q, fig in of.figures.items() if QUANTITY_USE[q].family == family}
    values = {QUANTITY_USE[q].field: fig.value for q, fig in figures.items()}
    carbon = figures.get("carbon")
    return Factor(
        f"{of.key}/{family}",
        f"{of.name} ({family})",
        of.unit,
        year=year,
        source=next(iter(figures.values())).source,
        table="open",
        low=carbon.low if carbon else None,
        high=carbon.high if carbon else None,
        spreads=tuple((q, fig.value, fig.low, fig.high) for q, fig in sorted(figures.items())),
        to_check=tuple(sorted(q for q, fig in figures.items() if not fig.verified)),
        **{"value": 0.0, **values},
    )


def figure_sources(key: str, factors: dict[str, OpenFactor]) -> list[str]:
    """Every source an open catalogue key rests on (its figures' sources and the sources of their ranges);
    [] for any other key."""
    base, _, family = key.partition("/")
    of = factors.get(base)
    if of is None:
        return []
    figures = [fig for q, fig in of.figures.items() if not family or QUANTITY_USE[q].family == family]
    return sorted({fig.source for fig in figures} | {sid for fig in figures for sid in fig.range_from})


def carrier_to_check(factors: dict[str, OpenFactor]) -> dict[str, tuple[str, ...]]:
    """{carrier: quantities of its primary energy factor not checked against the publisher's text}."""
    return {
        carrier: tuple(sorted(q for q, fig in factors[key].figures.items() if not fig.verified))
        for carrier, key in CARRIER_PEF.items()
        if key in factors
    }


def unverified_links(factors: dict[str, Factor]) -> dict[str, frozenset[str]]:
    """{catalogue key: indicators for which a figure behind it is "to check"} (a composite: its components')."""
    own = {k: {i for q in f.to_check for i in QUANTITY_USE[q].indicators} for k, f in factors.items()}
    out = {k: set(v).union(*(own.get(c, set()) for c in f.components)) for k, f in factors.items() for v in [own[k]]}
    return {k: frozenset(v) for k, v in out.items() if v}


def carrier_primary_energy(factors: dict[str, OpenFactor]) -> dict[str, dict[str, float]]:
    """{carrier: {quantity: MJ per kWh delivered}} for every carrier with an open primary energy factor."""
    return {
        carrier: {q: fig.value for q, fig in factors[key].figures.items()}
        for carrier, key in CARRIER_PEF.items()
        if key in factors
    }
