"""What the Wales mapping needs from one factory: inventory figures (material, waste, stated socio-economic data)
and indicator results from the cube. None = not stated or not computable, never 0."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..circularity.graph_indicators import material_flows
from ..indicators import CRADLE_TO_GATE
from ..model import SOCIO_STATED, Factory
from .recycling import measures


def _stated(factory: Factory | None, name: str) -> float | None:
    se = factory.socio_economic if factory else None
    v = getattr(se, name, None) if se else None
    return None if v is None else float(v.value)


def _result(comparison: pd.DataFrame, indicator: str, column: str) -> float | None:
    sel = comparison[(comparison.indicator == indicator) & (comparison.scenario == "default")]
    if sel.empty or pd.isna(sel[column].iloc[0]):
        return None
    return float(sel[column].iloc[0])


def site_energy_carbon(factory: Factory, results: pd.DataFrame) -> float | None:
    """kg CO2e per FU of the energy the site buys (fuels burnt on site and electricity: scopes 1 and 2), from the
    flow contributions of the result cube."""
    energy = {f.id for f in factory.flows if f.kind == "energy"}
    sel = results[
        (results.factory == factory.id)
        & (results.indicator == "carbon")
        & (results.contributor_type == "flow")
        & (results.scenario == "default")
        & (results.scope == CRADLE_TO_GATE)
        & (results.contributor.isin(energy))
    ]
    return float(sel["value"].sum()) if energy else None


@dataclass
class Figures:
    """What the mapping needs from one factory, micro-factory or baseline (None = not stated / not computable)."""

    carbon: float | None = None
    site_carbon: float | None = None
    water: float | None = None
    chemicals: float | None = None
    virgin_kg: float | None = None
    recycled_kg: float | None = None  # recycled + re-used inflows
    reused_kg: float | None = None
    inflow_kg: float | None = None
    waste_not_recycled_kg: float | None = None
    recycling_rate: float | None = None
    landfill_share: float | None = None
    output_per_labour_hour: float | None = None
    downtime_hours: float | None = None
    stated: dict[str, float | None] = field(default_factory=dict)


STATED_FIELDS = SOCIO_STATED


def figures(factory: Factory, results: pd.DataFrame | None = None) -> Figures:
    """Figures of one factory; indicator results from the cube when given."""
    mf = material_flows(factory)
    waste = measures(factory)  # solid process waste, the Beyond Recycling basis
    fig = Figures(
        virgin_kg=mf.inflow_by_origin.get("virgin", 0.0),
        recycled_kg=mf.inflow_by_origin.get("recycled", 0.0) + mf.inflow_by_origin.get("reused", 0.0),
        reused_kg=mf.inflow_by_origin.get("reused", 0.0),
        inflow_kg=mf.inflow_kg,
        waste_not_recycled_kg=waste["waste_not_recycled_kg"],
        recycling_rate=waste["recycling_rate"],
        landfill_share=waste["landfill_share"],
        stated={name: _stated(factory, name) for name in STATED_FIELDS},
    )
    prod = factory.production
    if prod:
        fig.output_per_labour_hour = prod.output_per_labour_hour
        if prod.planned_downtime_hours is not None or prod.unplanned_downtime_hours is not None:
            fig.downtime_hours = (prod.planned_downtime_hours or 0.0) + (prod.unplanned_downtime_hours or 0.0)
    if results is not None and not results.empty:
        tot = results[
            (results.factory == factory.id)
            & (results.contributor_type == "total")
            & (results.scenario == "default")
            & (results.scope == CRADLE_TO_GATE)
        ].set_index("indicator")["value"]
        fig.carbon = float(tot["carbon"]) if "carbon" in tot else None
        fig.water = float(tot["water_withdrawal"]) if "water_withdrawal" in tot else None
        fig.chemicals = float(tot["chemicals_total"]) if "chemicals_total" in tot else None
        fig.site_carbon = site_energy_carbon(factory, results)
    return fig
