"""CO2e of one match per year, from the factories' own catalogue factors (never a factor of our own):

* virgin production avoided = matched t/yr × the receiver inflow's DESNZ primary-production factor
  (its ``desnz.material.<item>.primary`` key);
* the giver's treatment avoided = matched t/yr × its waste flow's DESNZ waste-disposal factor
  (its ``desnz.waste.<item>.<route>`` key);
* the secondary material's own burden = matched t/yr × the receiver's DESNZ closed-loop factor of the same item
  (``desnz.material.<item>.closed_loop``, where the catalogue has one: :func:`secondary_key`, the factor the
  what-if gives the secondary inflow) — the recycled input is not free;
* transport added = matched t/yr × road km × DESNZ road freight, HGV all diesel, average laden
  (``desnz.freight.hgv``, the year's value);
* net avoided = virgin avoided + treatment avoided − secondary burden − transport added (kg CO2e, AR5 GWP100, per
  year): what the what-if re-assessment of both factories shows, to the per-FU rounding of its flows.

A part without its factor is not counted and the match says so (the net then leaves it out). DESNZ warns that its
waste-disposal factors are for reporting, not for comparing treatment routes: the treatment avoided is indicative.
Without a closed-loop factor the secondary burden is not counted and the match says so (the what-if then links the
secondary inflow to no factor either).
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass

from ..background.catalog import Catalog
from ..model import Flow
from ..units import convert
from .classes import desnz_item
from .matching import Match

HGV = "desnz.freight.hgv"
WASTE_NOTE = "DESNZ waste-disposal factors are for reporting, not for comparing treatment routes"


@dataclass(frozen=True)
class Savings:
    """kg CO2e per year (None: no factor, not counted) and the keys and values used."""

    virgin_avoided: float | None
    treatment_avoided: float | None
    secondary_burden: float | None
    transport_added: float
    factors: tuple[tuple[str, float], ...]
    notes: tuple[str, ...]

    @property
    def net(self) -> float:
        avoided = (self.virgin_avoided or 0.0) + (self.treatment_avoided or 0.0)
        return avoided - (self.secondary_burden or 0.0) - self.transport_added


def primary_key(flow: Flow) -> str | None:
    return next((k for k in flow.background_keys if k.startswith("desnz.material.") and k.endswith(".primary")), None)


def secondary_key(flow: Flow, known: Container[str]) -> str | None:
    """The closed-loop factor of the item ``flow`` buys as primary, if ``known`` (the catalogue's factors) has it."""
    key = primary_key(flow)
    item = desnz_item(key) if key else None
    closed = f"desnz.material.{item}.closed_loop" if item else None
    return closed if closed in known else None


def waste_key(flow: Flow) -> str | None:
    return next((k for k in flow.background_keys if k.startswith("desnz.waste.")), None)


def per_tonne(catalog: Catalog, key: str) -> float:
    """kg CO2e per tonne of the factor ``key`` (the catalogue's value in its own unit, converted)."""
    f = catalog.get(key)
    return f.value / convert(1.0, f.unit, "t")


def savings(m: Match, giver_flow: Flow, receiver_flow: Flow, catalog: Catalog) -> Savings:
    factors, notes = [], []
    virgin = treatment = burden = None
    if key := primary_key(receiver_flow):
        factors.append((key, per_tonne(catalog, key)))
        virgin = m.t_per_year * factors[-1][1]
    else:
        notes.append(f"virgin production avoided not counted: {receiver_flow.id} has no desnz.material.*.primary key")
    if key := waste_key(giver_flow):
        factors.append((key, per_tonne(catalog, key)))
        treatment = m.t_per_year * factors[-1][1]
        notes.append(WASTE_NOTE)
    else:
        notes.append(f"treatment avoided not counted: {giver_flow.id} has no desnz.waste key")
    if key := secondary_key(receiver_flow, catalog.factors):
        factors.append((key, per_tonne(catalog, key)))
        burden = m.t_per_year * factors[-1][1]
    else:
        notes.append(f"secondary material's burden not counted: no closed-loop factor for {receiver_flow.id}")
    hgv = catalog.get(HGV)
    per_tkm = hgv.value / convert(1.0, hgv.unit, "t*km")
    factors.append((HGV, per_tkm))
    transport = m.t_per_year * m.road_km * per_tkm
    return Savings(virgin, treatment, burden, transport, tuple(factors), tuple(notes))
