"""Elementary flows the product defines itself, and the biosphere3 flows it uses by code.

Custom flows carry what the open background can say and biosphere3 cannot: DESNZ CO2e totals and gas splits,
delivered energy by carrier, water withdrawn, process chemicals by category.
"""

from __future__ import annotations

from ..indicators import CARRIERS
from ..model import CHEMICAL_CATEGORIES

BIOSPHERE = "lca-engine-biosphere"

GHG_TOTAL = "ghg-co2e-ar5-desnz"  # every DESNZ factor's CO2e total (AR5)
GHG_UNSPLIT = "ghg-co2e-ar5-unsplit"  # the same, only for factors DESNZ does not split by gas
GAS_CODES = {"CO2": "desnz-gas-co2-fossil", "CH4": "desnz-gas-ch4-fossil", "N2O": "desnz-gas-n2o"}
WATER_WITHDRAWAL = "water-withdrawal"
#: cumulative primary energy of bought materials (open cradle-to-gate factors), MJ
PRIMARY_ENERGY = {
    "nonrenewable": "primary-energy-nonrenewable",
    "renewable": "primary-energy-renewable",
    "unsplit": "primary-energy-unsplit",
}
CHEMICALS_EMBODIED = "chemicals-embodied"


def energy_code(carrier: str) -> str:
    return f"energy-delivered-{carrier}"


def chemical_code(category: str) -> str:
    return f"chemical-use-{category}"


def custom_flows() -> dict[tuple[str, str], dict]:
    def flow(name: str, unit: str, comment: str, categories=("air",), kind="emission") -> dict:
        return {"name": name, "unit": unit, "categories": categories, "type": kind, "comment": comment}

    out = {
        (BIOSPHERE, GHG_TOTAL): flow(
            "Greenhouse gases, CO2-equivalent (IPCC AR5 GWP100, as DESNZ)",
            "kilogram",
            "DESNZ kg CO2e total of a background factor; characterised at 1 by the AR5-basis carbon indicator.",
        ),
        (BIOSPHERE, GHG_UNSPLIT): flow(
            "Greenhouse gases, CO2-equivalent, not split by gas (IPCC AR5 GWP100, as DESNZ)",
            "kilogram",
            "Emitted only by factors DESNZ publishes as a CO2e total; used by the IPCC 2021 indicator.",
        ),
        (BIOSPHERE, WATER_WITHDRAWAL): flow(
            "Water withdrawal (mains supply or abstraction)",
            "cubic meter",
            "Inventory indicator flow, not an impact.",
            categories=("natural resource",),
            kind="natural resource",
        ),
    }
    for part, code in PRIMARY_ENERGY.items():
        out[(BIOSPHERE, code)] = flow(
            f"Primary energy, {'published as a total only' if part == 'unsplit' else part.replace('nonr', 'non-r')}",
            "megajoule",
            "Cumulative primary energy of a bought material (open cradle-to-gate factor); inventory indicator flow.",
            categories=("natural resource",),
            kind="natural resource",
        )
    out[(BIOSPHERE, CHEMICALS_EMBODIED)] = flow(
        "Process chemicals embodied in bought materials",
        "kilogram",
        "Open cradle-to-gate figure; inventory indicator flow.",
        categories=("natural resource",),
        kind="natural resource",
    )
    for gas, code in GAS_CODES.items():
        out[(BIOSPHERE, code)] = flow(
            f"{gas} (from DESNZ gas split)", "kilogram", f"Mass of {gas} = DESNZ 'kg CO2e of {gas}' / AR5 GWP100."
        )
    for c in CARRIERS:
        out[(BIOSPHERE, energy_code(c))] = flow(
            f"Delivered energy, {c.replace('_', ' ')}",
            "kilowatt hour",
            "Inventory indicator flow.",
            categories=("natural resource",),
            kind="natural resource",
        )
    for c in CHEMICAL_CATEGORIES:
        out[(BIOSPHERE, chemical_code(c))] = flow(
            f"Process chemicals used, {c}",
            "kilogram",
            "Inventory indicator flow.",
            categories=("natural resource",),
            kind="natural resource",
        )
    return out


#: biosphere3 codes used directly (checked against the installed biosphere3 when the project is built).
BIOSPHERE3 = {
    ("Carbon dioxide, fossil", "air"): "349b29d1-3e58-4c66-98b9-9d1a076efd2e",
    ("Methane, fossil", "air"): "0795345f-c7ae-410c-ad25-1845784c75f5",
    ("Methane, non-fossil", "air"): "da1157e2-7593-4dfd-80dd-a3449b37a4d8",
    ("Dinitrogen monoxide", "air"): "20185046-64bb-4c09-a8e7-e8a9e144ca98",
    ("Water", "air"): "075e433b-4be4-448e-9510-9a5029c1ce94",
}
