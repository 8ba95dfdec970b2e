"""Which material class a flow belongs to: stated on the flow, else read from its DESNZ material or waste key, else
none (the flow is listed as unclassified and never matched — a class is never guessed from a name)."""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Flow
from ..vocabulary import MaterialClass

#: DESNZ material-use and waste-disposal items (``desnz.material.<item>.<route>``, ``desnz.waste.<item>.<route>``)
#: → material class, defined once for both families. Items left out on purpose, so that their flows stay
#: unclassified: averaged or mixed streams that say nothing of what they are made of (average plastics — film,
#: rigid or all —, average metals and scrap metal, average construction, commercial and industrial waste,
#: household residual waste, mixed cans, batteries of unstated chemistry, alkaline and NiMH batteries), hazardous
#: waste (asbestos), food, garden and compost streams (no factory's virgin input is substituted by another's food
#: or garden waste), and waste electrical equipment (WEEE: its condition is unknown, so it is never taken to stand
#: in for new electrical items — a factory whose WEEE is reusable states ``material_class = "electronics"``).
#: Inventories use averaged keys as proxies (PC/ABS priced as average plastics): their flows state a class or stay
#: unmatched. DESNZ 'Clothing' states no fibre, so it is ``textile_mixed``, never ``textile_cotton``; DESNZ
#: 'Insulation' states no material, so it is ``insulation``.
DESNZ_ITEM_CLASS: dict[str, MaterialClass] = {
    "paper_and_board_board": "paper_board",
    "paper_and_board_mixed": "paper_board",
    "paper_and_board_paper": "paper_board",
    "books": "paper_board",
    "plastics_pet": "plastics_pet",
    "plastics_pp": "plastics_pp",
    "plastics_hdpe": "plastics_pe",
    "plastics_ldpe_and_lldpe": "plastics_pe",
    "plastics_ps": "plastics_ps",
    "plastics_pvc": "plastics_pvc",
    "clothing": "textile_mixed",
    "wood": "wood",
    "metal_steel_cans": "steel_metals",
    "metal_aluminium_cans_and_foil": "aluminium",
    "glass": "glass",
    "insulation": "insulation",
    "plasterboard": "plasterboard",
    "concrete": "concrete_brick",
    "bricks": "concrete_brick",
    "aggregates": "aggregates",
    "asphalt": "asphalt",
    "soils": "soils",
    "electrical_items_fridges_and_freezers": "electronics",
    "electrical_items_it": "electronics",
    "electrical_items_large": "electronics",
    "electrical_items_small": "electronics",
    "batteries_li_ion": "li_ion_cells",
    "tyres": "tyres",
    "mineral_oil": "mineral_oil",
}

#: The DESNZ key families a class is read from.
FAMILIES = ("material", "waste")


@dataclass(frozen=True)
class Classified:
    """A flow's class (None: unclassified) and where it comes from: "stated", the DESNZ key, or why there is none."""

    material_class: str | None
    basis: str


def desnz_item(key: str) -> str | None:
    """The item of a ``desnz.material.<item>.<route>`` or ``desnz.waste.<item>.<route>`` key, else None."""
    parts = key.split(".")
    if len(parts) == 4 and parts[0] == "desnz" and parts[1] in FAMILIES:
        return parts[2]
    return None


def flow_class(flow: Flow) -> Classified:
    """The flow's stated class, else the one class its DESNZ material/waste keys give, else none with the reason."""
    if flow.material_class:
        return Classified(flow.material_class, "stated")
    found = {k: DESNZ_ITEM_CLASS.get(desnz_item(k) or "") for k in flow.background_keys if desnz_item(k)}
    classes = {c for c in found.values() if c}
    if len(classes) == 1:
        key = next(k for k, c in found.items() if c)
        return Classified(classes.pop(), key)
    if len(classes) > 1:
        return Classified(None, f"its DESNZ keys give different classes ({', '.join(sorted(classes))}): state one")
    if found:
        return Classified(None, f"DESNZ item of {', '.join(found)} has no material class: state material_class")
    return Classified(None, "no material_class and no DESNZ material or waste key")
