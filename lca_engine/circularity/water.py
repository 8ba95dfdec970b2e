"""Water circularity as ISO 59020:2024 lists it (circular water withdrawal, circular water discharge, water reuse).

    withdrawal            = Σ water entering processes from the market (mains) or the environment (abstraction,
                            rainwater), m3 per FU
    circular withdrawal   = (rainwater harvested + water bought as re-used or recycled water) / withdrawal
    discharge             = Σ liquid water leaving processes (sewer / treatment, to surface water or soil, sent
                            off site); vapour to air is consumption, not discharge
    circular discharge    = water sent off site for reuse or recycling / discharge
    water reuse           = water returned by water loops / (water returned + withdrawal)

Water returned by a loop is the loop's own returned amount, counted once (:mod:`.loops`): not both legs of the
loop, not parallel edges, not water that evaporates.
"""

from __future__ import annotations

from ..balance import flow_mass_kg
from ..model import BOUNDARY_NODES, ENVIRONMENT, MARKET, SECONDARY_ORIGINS, Factory
from .common import indicator, share
from .loops import LoopKind, LoopReturn, returned_kg

#: Where discharged water is used again by someone else (circular discharge).
CIRCULAR_DISCHARGE = ("reuse", "recycling")
#: Water bought from another user's re-used / recycled supply counts as a circular withdrawal.
CIRCULAR_WATER_ORIGINS = SECONDARY_ORIGINS


def _m3(f) -> float:
    kg = flow_mass_kg(f)
    return 0.0 if kg is None else kg / 1000


def water_balance(factory: Factory) -> dict[str, float]:
    """m3 per FU: withdrawal, its circular part, discharge (liquid), its circular part, vapour to air."""
    t = dict.fromkeys(("withdrawal", "rainwater", "circular_supply", "discharge", "circular_discharge", "vapour"), 0.0)
    for f in factory.flows:
        if f.kind != "water":
            continue
        if f.from_ in (MARKET, ENVIRONMENT) and f.to not in BOUNDARY_NODES:
            t["withdrawal"] += _m3(f)
            t["rainwater"] += _m3(f) if f.compartment == "rainwater" else 0.0
            t["circular_supply"] += _m3(f) if f.origin in CIRCULAR_WATER_ORIGINS else 0.0
        elif f.from_ not in BOUNDARY_NODES and f.to in BOUNDARY_NODES:
            if f.to == ENVIRONMENT and f.compartment == "air":
                t["vapour"] += _m3(f)
                continue
            t["discharge"] += _m3(f)
            t["circular_discharge"] += _m3(f) if f.to in CIRCULAR_DISCHARGE else 0.0
    return t


def water_indicators(factory: Factory, returns: list[LoopReturn]) -> dict:
    """The ISO 59020 water figures the inventory supports, with their inputs."""
    t = water_balance(factory)
    returned = returned_kg(returns, LoopKind.WATER) / 1000
    circular_in = t["rainwater"] + t["circular_supply"]
    return {
        "water_withdrawal": indicator(t["withdrawal"], "m3 per FU", "mains + abstracted + harvested water", {}),
        "circular_water_withdrawal": indicator(
            share(circular_in, t["withdrawal"]),
            "share",
            "(rainwater harvested + re-used / recycled water bought) / withdrawal",
            {
                "rainwater m3": t["rainwater"],
                "re-used or recycled supply m3": t["circular_supply"],
                "withdrawal m3": t["withdrawal"],
            },
        ),
        "circular_water_discharge": indicator(
            share(t["circular_discharge"], t["discharge"]),
            "share",
            "water sent off site for reuse or recycling / liquid water discharged",
            {
                "to reuse or recycling m3": t["circular_discharge"],
                "discharged m3": t["discharge"],
                "evaporated m3 (consumed, not discharged)": t["vapour"],
            },
        ),
        "water_reuse": indicator(
            share(returned, returned + t["withdrawal"]),
            "share",
            "water returned by water loops (each loop's returned amount, counted once) / (returned + withdrawal)",
            {"returned m3": returned, "withdrawal m3": t["withdrawal"]},
            "a loop returns the smallest amount on any of its edges: not both legs, not parallel edges, "
            "not water that evaporates",
        ),
    }
