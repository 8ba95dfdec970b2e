"""Plain names for the circularity figures of :func:`lca_engine.circularity.circularity_report`, defined once for
the report, the CLI and anything else that shows them: which figure, under which method, and whether it is a
project variant (see :data:`lca_engine.circularity.YIELD_NOTE`) rather than the method's own figure."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    """One figure: ``section`` and ``key`` locate it in the circularity report (``mci`` has no key)."""

    section: str
    key: str
    label: str
    variant: bool = False  # a project variant (yield-adjusted), not part of the named method


#: The methods' headings, by section of the circularity report.
SECTIONS = {
    "mci": "Material Circularity Indicator (Ellen MacArthur Foundation, 2019)",
    "cti": "WBCSD Circular Transition Indicators v4.0",
    "iso59020": "ISO 59020:2024",
    "waste": "Process waste",
}

#: The methods' short names (column headers), by section.
SHORT = {"mci": "", "cti": "CTI", "iso59020": "ISO 59020", "waste": ""}

VARIANT = "project variant, yield-adjusted"

FIGURES: tuple[Figure, ...] = (
    Figure("mci", "", "Material Circularity Indicator (MCI, 0-1)"),
    Figure("cti", "circular_inflow", "% circular inflow"),
    Figure("cti", "circular_outflow", "% circular outflow"),
    Figure("cti", "material_circularity", "% material circularity"),
    Figure("cti", "circular_material_productivity", "circular material productivity"),
    Figure("cti", "circular_outflow_yield_adjusted", f"% circular outflow ({VARIANT})", True),
    Figure("cti", "material_circularity_yield_adjusted", f"% material circularity ({VARIANT})", True),
    Figure("iso59020", "recycled_inflow_content", "recycled content of inflow"),
    Figure("iso59020", "reused_inflow_content", "reused content of inflow"),
    Figure("iso59020", "renewable_inflow_content", "renewable content of inflow"),
    Figure("iso59020", "outflow_reused", "outflow reused"),
    Figure("iso59020", "outflow_recycled", "outflow recycled"),
    Figure("iso59020", "outflow_recycled_yield_adjusted", f"outflow recycled ({VARIANT})", True),
    Figure("iso59020", "outflow_bio_recirculated", "outflow recirculated in the biological cycle (composted)"),
    Figure("iso59020", "product_lifetime_relative_to_industry_average", "lifetime relative to industry average"),
    Figure("iso59020", "renewable_energy_share", "renewable energy share (market-based: contracts count)"),
    Figure("iso59020", "renewable_energy_share_onsite", "renewable energy share (on-site generation only)"),
    Figure("iso59020", "water_withdrawal", "water withdrawal"),
    Figure("iso59020", "circular_water_withdrawal", "circular water withdrawal"),
    Figure("iso59020", "circular_water_discharge", "circular water discharge"),
    Figure("iso59020", "water_reuse", "water reuse (returned by the factory's water loops)"),
    Figure("iso59020", "material_productivity", "material productivity"),
    Figure("waste", "process_waste", "solid process waste"),
    Figure("waste", "effluent_load", "effluent to waste-water treatment"),
    Figure("waste", "recycling_rate", "recycling rate of solid process waste"),
    Figure("waste", "landfill_diversion", "landfill diversion of solid process waste"),
    Figure("waste", "landfill_share", "landfill share of solid process waste"),
    Figure("waste", "in_house_recovery", "in-house recovery"),
)

#: Why the recycling rate and the landfill diversion of one factory can differ (printed beside the waste rows).
WASTE_NOTE = (
    "Recycling rate, landfill diversion and landfill share are shares of the solid process waste leaving the "
    "factory: the effluent sent to waste-water treatment (dissolved load) is excluded and reported on its own. "
    "Waste sent to energy recovery is diverted from landfill but not recycled, so the two rates can differ. "
    "Material the factory returns to its own production through its loops is counted apart, as in-house "
    "recovery (returned / (returned + solid waste leaving)), not in the recycling rate."
)

#: Columns of the loops table: key of a loop record, header, unit of its values ("share" shown as a percentage).
LOOP_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("loop", "loop (processes in order)", ""),
    ("kind", "kind", ""),
    ("returned_kg_per_fu", "returned per FU, kg (counted once)", ""),
    ("recirculated_kg_per_fu", "largest recirculated flow per FU, kg", ""),
    ("share_of_material_inflow", "share of material inflow", "share"),
    ("share_of_water_use", "share of water used", "share"),
)


def metric(report: dict, fig: Figure) -> dict | None:
    """The figure's dict (value, unit, formula, inputs, note) in one circularity report; None if it has none."""
    found = report.get(fig.section)
    found = found.get(fig.key) if fig.key and isinstance(found, dict) else found
    return found if isinstance(found, dict) and "value" in found else None


def not_stated_reason(m: dict) -> str:
    """Why a figure has no value: without inputs the inventory does not state them (the figure's note says what to
    add); with inputs, the division has no divisor in this inventory."""
    if not m.get("inputs"):
        return str(m.get("note") or "not stated in the inventory")
    return f"nothing to divide by in this inventory ({m.get('formula', '')})"
