"""Symbiosis across a portfolio (pure): every factory's supplies and demands, the matches within a radius, each
with its CO2e per year and both factories' MCI before and after that link alone (:mod:`.whatif`).

The MCI (EMF 2019) is the product's: its feedstock and its end of use. A giver's MCI therefore does not move when
its process waste goes to another factory (that shows in its CTI and ISO 59020 outflow figures); the receiver's
rises with its recycled feedstock share."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..background.catalog import Catalog
from ..circularity.graph_indicators import factory_mci
from ..model import Factory
from .distance import Circuity
from .flows import Unclassified, demands, supplies
from .matching import Match, match
from .savings import savings
from .whatif import link

COLUMNS = [
    "giver",
    "giver_flow",
    "receiver",
    "receiver_flow",
    "material_class",
    "giver_quality",
    "receiver_quality",
    "t_per_year",
    "great_circle_km",
    "road_km",
    "circuity",
    "circuity_status",
    "virgin_avoided_kg_co2e",
    "treatment_avoided_kg_co2e",
    "secondary_burden_kg_co2e",
    "transport_added_kg_co2e",
    "net_avoided_kg_co2e",
    "giver_mci_before",
    "giver_mci_after",
    "receiver_mci_before",
    "receiver_mci_after",
    "factors",
    "notes",
]
UNCLASSIFIED_COLUMNS = ["factory", "flow", "side", "reason"]


@dataclass(frozen=True)
class Symbiosis:
    matches: pd.DataFrame  # COLUMNS, one row per match in allocation order
    unclassified: pd.DataFrame  # UNCLASSIFIED_COLUMNS
    radius_km: float
    circuity: Circuity
    year: int


def mci_value(factory: Factory) -> float | None:
    return factory_mci(factory).get("value")


def _row(m: Match, by_id: dict[str, tuple[Factory, str | None]], catalog: Catalog, c: Circuity) -> dict:
    (giver, gfile), (receiver, rfile) = by_id[m.giver.factory], by_id[m.receiver.factory]
    s = savings(m, giver.flow(m.giver.flow), receiver.flow(m.receiver.flow), catalog)
    files = (gfile, rfile)
    g2, r2, lk = link(giver, m.giver.flow, receiver, m.receiver.flow, m.t_per_year, m.road_km, catalog.factors, files)
    return {
        "giver": giver.id,
        "giver_flow": m.giver.flow,
        "receiver": receiver.id,
        "receiver_flow": m.receiver.flow,
        "material_class": m.giver.material_class,
        "giver_quality": m.giver.quality,
        "receiver_quality": m.receiver.quality,
        "t_per_year": m.t_per_year,
        "great_circle_km": m.great_circle_km,
        "road_km": m.road_km,
        "circuity": c.value,
        "circuity_status": c.status,
        "virgin_avoided_kg_co2e": s.virgin_avoided,
        "treatment_avoided_kg_co2e": s.treatment_avoided,
        "secondary_burden_kg_co2e": s.secondary_burden,
        "transport_added_kg_co2e": s.transport_added,
        "net_avoided_kg_co2e": s.net,
        "giver_mci_before": mci_value(giver),
        "giver_mci_after": mci_value(g2),
        "receiver_mci_before": mci_value(receiver),
        "receiver_mci_after": mci_value(r2),
        "factors": "; ".join(f"{k} = {v:g}" for k, v in s.factors),
        "notes": "; ".join((*s.notes, *lk.notes)),
    }


def symbiosis(
    factories: list[tuple[Factory, str | None]], radius_km: float, catalog: Catalog, circuity: Circuity
) -> Symbiosis:
    """Matches among ``factories`` (each with the file it came from, or None) within ``radius_km`` of road."""
    offered, wanted, unclassified = [], [], []
    for f, file in factories:
        for collect, into in ((supplies, offered), (demands, wanted)):
            found, missing = collect(f, file)
            into.extend(found)
            unclassified.extend(missing)
    matches = match(offered, wanted, radius_km, circuity)
    by_id = {f.id: (f, file) for f, file in factories}
    rows = [_row(m, by_id, catalog, circuity) for m in matches]
    un = pd.DataFrame([vars(u) for u in unclassified], columns=UNCLASSIFIED_COLUMNS)
    return Symbiosis(pd.DataFrame(rows, columns=COLUMNS), un, float(radius_km), circuity, catalog.year)


__all__ = ["Symbiosis", "Unclassified", "symbiosis"]
