"""Process-waste figures: solid waste and dissolved effluent apart, in-house recovery as its own figure.

effluent load       = waste flows to waste-water treatment (dissolved salts, auxiliaries, fibre impurities):
                      reported, but not "waste" for the recycling rate (it cannot be recycled as solid waste)
solid waste S       = every other process waste and by-product leaving the factory, kg per FU
recycling rate      = (recycling + reuse + composting + sold by-products) / S
landfill share      = landfill / S;  landfill diversion = 1 − landfill share
in-house recovery   = material returned by the factory's own material loops (counted once, :mod:`.loops`)
                      / (that returned material + S): the share of solid waste generated that comes back
                      into production inside the factory
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model import MATERIAL_RECOVERY_NODES
from .common import indicator, share
from .loops import LoopKind, LoopReturn, returned_kg

if TYPE_CHECKING:
    from .graph_indicators import MaterialFlows

EFFLUENT = "wastewater_treatment"
#: Off-site routes and by-products that keep solid waste in use.
RECOVERED_OFFSITE = (*MATERIAL_RECOVERY_NODES, "sold by-product")


def solid_waste(mf: MaterialFlows) -> dict[str, float]:
    """kg per FU leaving to each destination, effluent excluded."""
    return {k: v for k, v in mf.outflow_by_destination.items() if k != EFFLUENT}


def waste_figures(mf: MaterialFlows, returns: list[LoopReturn]) -> dict:
    out = solid_waste(mf)
    total = sum(out.values())
    recovered = sum(out[d] for d in RECOVERED_OFFSITE)
    in_house = returned_kg(returns, LoopKind.MATERIAL)
    effluent = mf.outflow_by_destination.get(EFFLUENT, 0.0)
    return {
        "process_waste": indicator(
            total, "kg per FU", "Σ solid process waste and by-products leaving the factory (effluent apart)", out
        ),
        "effluent_load": indicator(
            effluent,
            "kg per FU",
            "Σ waste flows to waste-water treatment (dissolved load)",
            {},
            "treated as effluent, not as solid waste: excluded from the recycling rate and landfill figures",
        ),
        "recycling_rate": indicator(
            share(recovered, total),
            "share",
            "(recycling + reuse + composting + sold by-products) / solid process waste",
            {"recovered kg": recovered, "solid waste kg": total},
        ),
        "landfill_diversion": indicator(
            share(total - out["landfill"], total),
            "share",
            "1 − landfill / solid process waste",
            {"landfill kg": out["landfill"], "solid waste kg": total},
        ),
        "landfill_share": indicator(
            share(out["landfill"], total),
            "share",
            "landfill / solid process waste",
            {"landfill kg": out["landfill"], "solid waste kg": total},
        ),
        "in_house_recovery": indicator(
            share(in_house, in_house + total),
            "share",
            "material returned by the factory's own loops / (returned + solid process waste leaving)",
            {"returned in house kg": in_house, "solid waste leaving kg": total},
        ),
    }
