"""Supply and demand of one factory, per year.

* **Supply** (what a factory gives): its waste outflows — kind "waste", from one of its processes to an off-site
  waste route (landfill, recycling, reuse, energy recovery, composting; not waste-water treatment, which carries
  effluent) — that have a material class.
* **Demand** (what a factory could take instead of virgin material): its inflows bought from the market, kind
  "material", origin "virgin" (stated; an inflow without an origin is not counted as virgin demand), with a class.

Mass per year = :func:`lca_engine.balance.flow_mass_kg` (per functional unit) × ``[production] annual_output``
(functional units per year). A flow with no class, no mass, or of a factory that states no annual output is
listed as unclassified (with the reason), never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..balance import flow_mass_kg
from ..circularity.waste import EFFLUENT
from ..errors import InventoryError
from ..model import BOUNDARY_NODES, MARKET, WASTE_ROUTES, Factory, Flow, Site
from .classes import flow_class

#: Waste routes a supply may leave by (effluent to waste-water treatment is not material to give).
SUPPLY_ROUTES = tuple(r for r in WASTE_ROUTES if r != EFFLUENT)
SUPPLY, DEMAND = "supply", "demand"


@dataclass(frozen=True)
class Side:
    """One factory's flow offered (supply) or wanted (demand), per year."""

    factory: str
    file: str | None
    flow: str
    material_class: str
    quality: str
    t_per_year: float
    kg_per_fu: float
    site: Site


@dataclass(frozen=True)
class Unclassified:
    factory: str
    flow: str
    side: str
    reason: str


def annual_output(factory: Factory, file: str | None = None) -> float:
    """Functional units per year, required to turn per-FU amounts into mass per year."""
    if factory.production is None:
        raise InventoryError(
            f"factory '{factory.id}' states no annual output: its flows cannot be put per year",
            fix="add [production] annual_output = <functional units per year> to the inventory",
            file=file,
            field="production.annual_output",
        )
    return factory.production.annual_output


def supply_problem(flow: Flow) -> str | None:
    """Why ``flow`` is not a supply (None: it is one)."""
    if flow.kind != "waste":
        return f"kind is '{flow.kind}', not 'waste'"
    if flow.from_ in BOUNDARY_NODES or flow.to not in SUPPLY_ROUTES:
        return f"it goes {flow.from_} → {flow.to}, not from a process to one of {', '.join(SUPPLY_ROUTES)}"
    return None


def demand_problem(flow: Flow) -> str | None:
    """Why ``flow`` is not a demand (None: it is one)."""
    if flow.kind != "material" or flow.from_ != MARKET or flow.to in BOUNDARY_NODES:
        return "it is not a material bought from the market into a process"
    if flow.origin != "virgin":
        return f"its origin is {flow.origin or 'not stated'}, not 'virgin'"
    return None


def _unmatched(factory: Factory, material_class: str | None, basis: str, kg: float | None) -> str:
    """Why a supply or demand flow cannot be matched ("" if it can)."""
    if material_class is None:
        return basis
    if kg is None:
        return "no mass (give mass_per_unit)"
    if factory.production is None:
        return "the factory states no [production] annual_output: no mass per year"
    return ""


def _sides(factory: Factory, file: str | None, side: str) -> tuple[list[Side], list[Unclassified]]:
    problem = supply_problem if side == SUPPLY else demand_problem
    found, unclassified = [], []
    for f in factory.flows:
        if problem(f) is not None:
            continue
        cls, kg = flow_class(f), flow_mass_kg(f)
        reason = _unmatched(factory, cls.material_class, cls.basis, kg)
        if reason:
            unclassified.append(Unclassified(factory.id, f.id, side, reason))
            continue
        t = kg * annual_output(factory, file) / 1000.0
        found.append(Side(factory.id, file, f.id, cls.material_class, f.quality, t, kg, factory.site))
    return found, unclassified


def supplies(factory: Factory, file: str | None = None) -> tuple[list[Side], list[Unclassified]]:
    return _sides(factory, file, SUPPLY)


def demands(factory: Factory, file: str | None = None) -> tuple[list[Side], list[Unclassified]]:
    return _sides(factory, file, DEMAND)
