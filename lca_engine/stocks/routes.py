"""Where a product goes after use, from its factory's ``[end_of_use]``: the route vocabulary and the shares.

Routes are the model's recovery routes (:data:`lca_engine.model.RECOVERY_NODES`: reuse C_U, recycling C_R,
composting C_C, energy recovery C_E, each read from ``collected_for_<route>``) and ``landfill`` for the rest
(landfill and anything else not collected: 1 − C_U − C_R − C_C − C_E).

Secondary material available (in Wales, where the portfolio's products are used and collected) is the mass re-used
plus the mass that comes out of recycling as material:

    secondary = outflow × (C_U + C_R × E_C)          E_C = recycling_efficiency_collection
"""

from __future__ import annotations

from ..model import RECOVERY_NODES, WASTE_ROUTES, EndOfUse

#: Everything not collected for a recovery route: landfill and other disposal (a route of the model's vocabulary).
LANDFILL = "landfill"
#: The end-of-life routes, in the order the tables list them.
EOL_ROUTES: tuple[str, ...] = (*RECOVERY_NODES, LANDFILL)
if LANDFILL not in WASTE_ROUTES:  # pragma: no cover — the model's vocabulary names it
    raise ImportError(f"'{LANDFILL}' is not a waste route of lca_engine.model")

SECONDARY_FORMULA = "outflow × (C_U + C_R × E_C)"


def route_shares(eou: EndOfUse | None) -> dict[str, float]:
    """Share of the end-of-life outflow on each route (they sum to 1); without ``[end_of_use]``, all to landfill."""
    collected = {route: getattr(eou, f"collected_for_{route}") if eou else 0.0 for route in RECOVERY_NODES}
    return {**collected, LANDFILL: max(0.0, 1.0 - sum(collected.values()))}


def secondary_share(eou: EndOfUse | None) -> float:
    """Share of the outflow that becomes secondary material: C_U + C_R × E_C (0 without ``[end_of_use]``)."""
    if eou is None:
        return 0.0
    return eou.collected_for_reuse + eou.collected_for_recycling * eou.recycling_efficiency_collection
