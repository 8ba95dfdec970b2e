"""Renewable energy share (ISO 59020:2024, optional indicator), market-based and on-site only.

delivered energy E    = Σ energy bought (market) or generated on site (environment), kWh per FU
electricity E_el      = grid electricity bought + on-site generation, kWh per FU
on-site renewable G   = energy flows from 'environment' (generation modelled in the inventory)
renewable R           = max(G, s · E_el) with s the stated ``renewable_electricity_share`` (on-site generation
                        + renewable supply contracts); without s, R = G + electricity bought on a renewable
                        tariff (background key RENEWABLE_TARIFF)
renewable energy share          = R / E   (market-based: contracts count, as in GHG Protocol scope 2)
renewable energy share, on site = G / E   (physical generation only; the grid mix is not credited)
"""

from __future__ import annotations

from ..model import ENVIRONMENT, MARKET, Factory
from ..units import convert, parse_unit, ureg
from .common import indicator, share

#: Background factor of electricity bought on a renewable tariff (scenario variants link it).
RENEWABLE_TARIFF = "facts.electricity.renewable_market_based"


def _is_electricity(keys: list[str]) -> bool:
    return any(k.split(".")[1:2] == ["electricity"] for k in keys)


def energy_kwh(factory: Factory) -> dict[str, float]:
    """kWh per FU: delivered energy, electricity, on-site generation, electricity on a renewable tariff."""
    t = dict.fromkeys(("energy", "electricity", "onsite", "tariff"), 0.0)
    dim = ureg.get_dimensionality("[mass]*[length]**2/[time]**2")
    for f in factory.flows:
        if f.kind != "energy" or f.from_ not in (MARKET, ENVIRONMENT) or parse_unit(f.unit).dimensionality != dim:
            continue
        e = convert(f.amount, f.unit, "kWh")
        t["energy"] += e
        if f.from_ == ENVIRONMENT:
            t["onsite"] += e
            t["electricity"] += e
        elif _is_electricity(f.background_keys):
            t["electricity"] += e
            t["tariff"] += e if RENEWABLE_TARIFF in f.background_keys else 0.0
    return t


def _stated_share(factory: Factory) -> float | None:
    se = factory.socio_economic
    s = se.renewable_electricity_share if se else None
    return None if s is None else float(s.value)


def renewable_energy(factory: Factory) -> dict:
    """Both renewable energy shares with their inputs and what each counts."""
    t = energy_kwh(factory)
    s = _stated_share(factory)
    if s is None:
        renewable = t["onsite"] + t["tariff"]
        note = (
            "renewable_electricity_share not stated: only on-site generation modelled as flows from 'environment' "
            "and electricity linked to a renewable tariff are counted"
        )
    else:
        renewable = max(t["onsite"], s * t["electricity"])
        note = (
            f"stated renewable_electricity_share {s:g} (on-site generation + renewable supply contracts) applied to "
            "all electricity: market-based — contracts count although the grid delivers its average mix"
        )
    inputs = {
        "renewable kWh": renewable,
        "on-site generation kWh": t["onsite"],
        "electricity kWh": t["electricity"],
        "delivered energy kWh": t["energy"],
        "stated renewable electricity share": s,
    }
    return {
        "renewable_energy_share": indicator(
            share(renewable, t["energy"]), "share", "renewable energy (market-based) / delivered energy", inputs, note
        ),
        "renewable_energy_share_onsite": indicator(
            share(t["onsite"], t["energy"]),
            "share",
            "on-site renewable generation / delivered energy",
            inputs,
            "physical view: only generation on site counts; grid electricity is not credited as renewable",
        ),
    }
