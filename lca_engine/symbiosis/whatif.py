"""What-if: "send giver X's waste flow F to receiver Y in place of Y's virgin inflow V", as two new factory models.

* In X, the matched part of F (t/yr ÷ X's annual output, kg per functional unit) leaves F and goes, from the same
  process, to the boundary node ``recycling`` in a new waste flow named as sent to Y. Recycling, not ``reuse``: the
  material becomes another factory's feedstock (ISO 14021 pre-consumer recycled content), it is not used again
  for its original purpose. The new flow carries no treatment factor: its transport is counted at Y.
* In Y, the matched part of V (t/yr ÷ Y's annual output) becomes a new inflow from the market, origin
  ``recycled``, ``recycled_source = "pre-consumer"``, linked to the closed-loop source factor of V's DESNZ item
  where the catalogue has one (``desnz.material.<item>.closed_loop``), else to no factor (listed in the link's
  notes); V keeps the rest. The road transport is a new transport flow into the same process (matched kg ÷ 1000
  × road km, ``desnz.freight.hgv``).

Each process keeps its inputs and outputs (a flow split in two), so both mass balances stay as they were. Amounts
scaled down keep their provenance (an assumption's range scaled alike); new amounts carry an assumption naming
the link. A link between different material classes, or of flows that are not a supply and a demand, is an error
naming both flows and the fix.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass

from ..balance import flow_mass_kg
from ..errors import InventoryError
from ..model import Assumption, Factory, Flow
from .classes import flow_class
from .flows import annual_output, demand_problem, supply_problem
from .savings import HGV, primary_key, secondary_key

ROUTE = "recycling"
#: Relative tolerance on the matched mass against the supply or demand (round-off of t/yr ↔ kg/FU).
TOLERANCE = 1e-9


@dataclass(frozen=True)
class Link:
    giver: str
    giver_flow: str
    receiver: str
    receiver_flow: str
    material_class: str
    t_per_year: float
    road_km: float
    giver_kg_per_fu: float
    receiver_kg_per_fu: float
    secondary_key: str | None
    new_flows: tuple[str, ...]
    notes: tuple[str, ...]


def _flow(factory: Factory, flow_id: str, file: str | None, what: str) -> Flow:
    try:
        return factory.flow(flow_id)
    except KeyError:
        ids = ", ".join(f.id for f in factory.flows)
        raise InventoryError(
            f"{what} '{factory.id}' has no flow '{flow_id}'", fix=f"name one of its flows: {ids}", file=file
        ) from None


def check_pair(giver: Factory, g: Flow, receiver: Factory, r: Flow, files: tuple) -> str:
    """The pair's class, or an error naming both flows and classes (or what is not a supply or a demand)."""
    if giver.id == receiver.id:
        raise InventoryError(
            f"giver and receiver are the same factory '{giver.id}'", fix="name two different factories"
        )
    if (why := supply_problem(g)) is not None:
        raise InventoryError(
            f"giver flow '{g.id}' is not a waste outflow to give: {why}",
            fix="name a waste flow leaving a process to landfill, recycling, reuse, energy recovery or composting",
            file=files[0],
            field=f"flows.{g.id}",
        )
    if (why := demand_problem(r)) is not None:
        raise InventoryError(
            f"receiver flow '{r.id}' is not a virgin inflow to replace: {why}",
            fix='name a material bought from the market with origin = "virgin"',
            file=files[1],
            field=f"flows.{r.id}",
        )
    gc, rc = flow_class(g), flow_class(r)
    if gc.material_class is None or gc.material_class != rc.material_class:
        raise InventoryError(
            f"incompatible material classes: giver {giver.id} flow '{g.id}' is {gc.material_class or 'unclassified'}"
            f" ({gc.basis}), receiver {receiver.id} flow '{r.id}' is {rc.material_class or 'unclassified'} "
            f"({rc.basis})",
            fix="link a flow to another of the same material class (`lca-engine symbiosis` lists the matches), "
            "or state the right material_class on the flows if one is wrong",
            file=files[1],
            field=f"flows.{r.id}.material_class",
        )
    return gc.material_class


def _scaled(flow: Flow, keep: float) -> Flow:
    """``flow`` with its amount (and its assumption's range) × ``keep``."""
    a = flow.assumption
    update = {"amount": flow.amount * keep}
    if a is not None:
        update["assumption"] = a.model_copy(update={"low": a.low * keep, "high": a.high * keep})
    return flow.model_copy(update=update)


def _replace(factory: Factory, old: Flow, kept: Flow, new: list[Flow]) -> Factory:
    """``factory`` with ``old`` replaced by ``kept`` (left out when nothing is kept) followed by ``new``."""
    flows = []
    for f in factory.flows:
        if f.id == old.id:
            flows += ([kept] if kept.amount > 0 else []) + new
        else:
            flows.append(f)
    return factory.model_copy(update={"flows": flows})


def _unique(factory: Factory, wanted: str) -> str:
    ids, n, candidate = {f.id for f in factory.flows}, 1, wanted[:120]
    while candidate in ids:
        n += 1
        candidate = f"{wanted[:116]}_{n}"
    return candidate


def _stated(amount: float, reasoning: str) -> Assumption:
    return Assumption(reasoning=reasoning, low=amount, high=amount)


def _share(flow: Flow, kg: float, available_kg: float | None, what: str, file: str | None) -> float:
    """The share of ``flow`` the link takes (an error if it has no mass or the link takes more than there is)."""
    if available_kg is None:
        raise InventoryError(
            f"{what} flow '{flow.id}' has no mass", fix="give it a mass unit or mass_per_unit", file=file
        )
    if kg <= 0 or kg > available_kg * (1 + TOLERANCE):
        raise InventoryError(
            f"the link moves {kg:.6g} kg per functional unit of {what} flow '{flow.id}', which has "
            f"{available_kg:.6g} kg",
            fix="give a matched mass per year above 0 and at most the smaller of the supply and the demand",
            file=file,
            field="t_per_year",
        )
    return min(1.0, kg / available_kg)


def _giver_after(giver: Factory, g: Flow, receiver: Factory, kg: float, file: str | None) -> tuple[Factory, str]:
    share = _share(g, kg, flow_mass_kg(g), "giver", file)
    new_id = _unique(giver, f"{g.id}_to_{receiver.id}")
    sent = g.model_copy(
        update={
            "id": new_id,
            "to": ROUTE,
            "amount": kg,
            "unit": "kg",
            "mass_per_unit": None,
            "name": f"{g.name or g.id}, sent to {receiver.name} ({receiver.id}) as feedstock",
            "background": None,
            "source": None,
            "assumption": _stated(kg, f"symbiosis what-if: part of '{g.id}' sent to {receiver.id} (kg per FU)"),
            "note": "industrial symbiosis what-if link (lca_engine.symbiosis.whatif)",
        }
    )
    return _replace(giver, g, _scaled(g, 1.0 - share), [sent]), new_id


def _receiver_after(
    receiver: Factory, r: Flow, giver: Factory, kg: float, road_km: float, secondary: str | None, file: str | None
) -> tuple[Factory, tuple[str, str]]:
    share = _share(r, kg, flow_mass_kg(r), "receiver", file)
    why = f"symbiosis what-if: pre-consumer material from {giver.id} in place of part of '{r.id}'"
    new_id = _unique(receiver, f"{r.id}_from_{giver.id}")
    taken = r.model_copy(
        update={
            "id": new_id,
            "amount": kg,
            "unit": "kg",
            "mass_per_unit": None,
            "name": f"{r.name or r.id}, pre-consumer from {giver.name} ({giver.id})",
            "origin": "recycled",
            "recycled_source": "pre-consumer",
            "background": secondary,
            "source": None,
            "assumption": _stated(kg, why + " (kg per FU)"),
            "note": "industrial symbiosis what-if link (lca_engine.symbiosis.whatif)",
        }
    )
    tkm = kg / 1000.0 * road_km
    haul_id = _unique(receiver.model_copy(update={"flows": [*receiver.flows, taken]}), f"{new_id}_haul")
    haul = Flow(
        id=haul_id,
        from_="market",
        to=r.to,
        kind="transport",
        amount=tkm,
        unit="t*km",
        name=f"Road haul from {giver.id}",
        background=HGV,
        assumption=_stated(tkm, why + ": matched tonnes × road km"),
    )
    return _replace(receiver, r, _scaled(r, 1.0 - share), [taken, haul]), (new_id, haul_id)


def link(
    giver: Factory,
    giver_flow: str,
    receiver: Factory,
    receiver_flow: str,
    t_per_year: float,
    road_km: float,
    known_keys: Container[str],
    files: tuple[str | None, str | None] = (None, None),
) -> tuple[Factory, Factory, Link]:
    """(giver after, receiver after, the link) for ``t_per_year`` tonnes a year over ``road_km`` of road."""
    g = _flow(giver, giver_flow, files[0], "giver")
    r = _flow(receiver, receiver_flow, files[1], "receiver")
    cls = check_pair(giver, g, receiver, r, files)
    g_kg = t_per_year * 1000.0 / annual_output(giver, files[0])
    r_kg = t_per_year * 1000.0 / annual_output(receiver, files[1])
    secondary = secondary_key(r, known_keys)
    giver_after, sent_id = _giver_after(giver, g, receiver, g_kg, files[0])
    receiver_after, (taken_id, haul_id) = _receiver_after(receiver, r, giver, r_kg, road_km, secondary, files[1])
    notes = () if secondary else (f"no closed-loop factor for '{r.id}': its secondary inflow has no background",)
    dropped = [k for k in r.background_keys if k != primary_key(r)]
    if dropped:
        notes += (f"{', '.join(dropped)} of '{r.id}' not carried to its secondary part (figures for virgin material)",)
    new = (f"{giver.id}:{sent_id}", f"{receiver.id}:{taken_id}", f"{receiver.id}:{haul_id}")
    return (
        giver_after,
        receiver_after,
        Link(giver.id, g.id, receiver.id, r.id, cls, t_per_year, road_km, g_kg, r_kg, secondary, new, notes),
    )
