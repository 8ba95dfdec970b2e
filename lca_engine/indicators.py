"""The indicators the engine reports — four families — named for what they are, with their basis.

Pure data (no Brightway): :mod:`lca_engine.bw.methods` turns each indicator into characterisation factors.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from .background.facts import gwp
from .model import CHEMICAL_CATEGORIES

#: IPCC AR5 GWP100 without climate-carbon feedback: the values DESNZ uses for its kg CO2e factors. Used (a) to
#: turn DESNZ per-gas CO2e rows back into gas masses and (b) for direct foreground emissions in the AR5-basis
#: indicator, so that it reproduces DESNZ totals exactly. Values and sources: inventories/background/facts.toml.
AR5_BY_GAS = gwp("ar5")
AR5_GWP100 = {
    "Carbon dioxide, fossil": AR5_BY_GAS["CO2"],
    "Methane, fossil": AR5_BY_GAS["CH4"],
    "Methane, non-fossil": AR5_BY_GAS["CH4"],
    "Dinitrogen monoxide": AR5_BY_GAS["N2O"],
}
#: IPCC AR6 (2021) GWP100, as in bw2io's shipped "IPCC 2021" method, for the DESNZ gas split (fossil CH4).
AR6_BY_GAS = gwp("ar6")

CARRIERS = ("electricity", "natural_gas", "diesel", "lpg", "onsite_renewable")

IPCC_2021_GWP100 = ("IPCC 2021", "climate change", "global warming potential (GWP100)")
EF31_WATER = ("EF v3.1", "water use", "user deprivation potential (deprivation-weighted water consumption)")
RECIPE_WCP = ("ReCiPe 2016 v1.03, midpoint (H)", "water use", "water consumption potential (WCP)")
EF31_ECOTOX = ("EF v3.1", "ecotoxicity: freshwater", "comparative toxic unit for ecosystems (CTUe)")
EF31_HTOX_C = ("EF v3.1", "human toxicity: carcinogenic", "comparative toxic unit for human (CTUh)")
EF31_HTOX_NC = ("EF v3.1", "human toxicity: non-carcinogenic", "comparative toxic unit for human (CTUh)")
#: Methods taken verbatim from bw2io's shipped LCIA file (offline workaround, see lca_engine.bw.methods).
SHIPPED_METHODS = (IPCC_2021_GWP100, EF31_WATER, RECIPE_WCP, EF31_ECOTOX, EF31_HTOX_C, EF31_HTOX_NC)


#: Where an indicator's number reaches (defined in words in :data:`SCOPE_DEFINITION`).
Scope = Literal["site", "cradle_to_gate"]
SCOPES: tuple[str, ...] = get_args(Scope)
SITE, CRADLE_TO_GATE = SCOPES
SCOPE_LABELS = {SITE: "site", CRADLE_TO_GATE: "cradle to gate"}
#: The scopes in words, once: a report paragraph, and a table caption (with coverage, as tables print it).
SCOPE_DEFINITION = (
    "Every indicator is given at two scopes. Site: the factory's own use — what it burns, draws, evaporates and emits "
    "there, and the energy and mains water it buys (carbon on site = direct emissions + purchased energy, as "
    "promoters' claims usually mean). Cradle to gate: with the supply chain of everything it buys. 'To check': the "
    "number rests on a background figure not yet read in its publisher's own text."
)
SCOPE_NOTE = (
    "Scope: site = the factory's own use (energy and mains water bought, fuels burnt, direct emissions); cradle to "
    "gate = with the supply chain of what it buys. Coverage = share of the inflows in scope the number characterises "
    "(micro-factory / baseline); 'to check' = a figure not yet read at its publisher."
)


def scoped_id(indicator: str, scope: str) -> str:
    """The id of an indicator at a scope in Monte Carlo results: the indicator id itself cradle to gate,
    ``<id>@site`` on site."""
    return indicator if scope == CRADLE_TO_GATE else f"{indicator}@{scope}"


Family = Literal["carbon", "energy", "water", "chemicals"]


@dataclass(frozen=True)
class Indicator:
    id: str
    family: Family
    name: str
    unit: str
    method: tuple[str, str, str]
    basis: str
    headline: bool = False
    short: str = ""  # the label of a dashboard card


def _m(*name: str) -> tuple[str, str, str]:
    return ("lca-engine", *name)  # type: ignore[return-value]


_INDICATORS = [
    Indicator(
        "carbon",
        "carbon",
        "Greenhouse gases, GWP100, IPCC AR5 basis (as DESNZ)",
        "kg CO2e",
        _m("climate change", "GWP100, IPCC AR5 basis (DESNZ kg CO2e)"),
        "DESNZ conversion factors are kg CO2e computed with IPCC AR5 GWP100 values (CH4 28, N2O 265); direct "
        "foreground emissions are characterised with the same values, so the total stays on one basis and equals "
        "what DESNZ-based company reporting would give.",
        headline=True,
        short="Carbon",
    ),
    Indicator(
        "carbon_ipcc2021",
        "carbon",
        "Greenhouse gases, GWP100, IPCC 2021 (AR6) where gases are known",
        "kg CO2e",
        _m("climate change", "GWP100, IPCC 2021 where DESNZ splits gases, else DESNZ AR5 CO2e"),
        "IPCC 2021 GWP100 (CO2 1, fossil CH4 29.8, N2O 273; bw2io's IPCC 2021 method for direct emissions) for "
        "the factors DESNZ splits by gas (energy, fuels, freight: per-gas CO2e rows converted to gas mass with the "
        "AR5 values DESNZ used); DESNZ AR5 CO2e for factors published as totals only (materials, waste, water). "
        "The share on the AR5 basis is reported with the result.",
    ),
    Indicator(
        "energy_delivered",
        "energy",
        "Delivered energy, all carriers",
        "kWh",
        _m("energy", "delivered energy, all carriers"),
        "Final energy bought or generated on site, by carrier; diesel in kWh gross CV derived from DESNZ's "
        "per-litre and per-kWh factors.",
        headline=True,
        short="Energy (delivered)",
    ),
    *[
        Indicator(
            f"energy_{c}",
            "energy",
            f"Delivered energy, {c.replace('_', ' ')}",
            "kWh",
            _m("energy", f"delivered energy, {c.replace('_', ' ')}"),
            "Final energy of this carrier.",
        )
        for c in CARRIERS
    ],
    Indicator(
        "primary_energy",
        "energy",
        "Primary energy, cumulative (non-renewable + renewable + published as a total only)",
        "MJ",
        _m("energy", "primary energy, cumulative, all"),
        "On site: delivered energy of each carrier times its primary energy factor (open.pef.*: UK SAP 10.2 / "
        "Home Energy Model factors for grid electricity, mains gas, LPG; diesel from the only open national "
        "factor found). Cradle to gate: plus the cumulative primary energy of bought materials from open, cited "
        "cradle-to-gate factors (background/open_factors). Flows without such a factor are not characterised: "
        "the coverage says how much of the inflow the number covers.",
        headline=True,
    ),
    Indicator(
        "primary_energy_nonrenewable",
        "energy",
        "Primary energy, non-renewable (where published split)",
        "MJ",
        _m("energy", "primary energy, cumulative, non-renewable"),
        "As primary energy, counting only figures published as non-renewable; factors published as a total "
        "only are not characterised here (see the coverage).",
    ),
    Indicator(
        "primary_energy_renewable",
        "energy",
        "Primary energy, renewable (where published split)",
        "MJ",
        _m("energy", "primary energy, cumulative, renewable"),
        "As primary energy, counting only figures published as renewable.",
    ),
    Indicator(
        "water_withdrawal",
        "water",
        "Water withdrawal (mains supply and abstraction)",
        "m3",
        _m("water", "withdrawal"),
        "Mains water bought plus water abstracted on site. Water recirculated inside the factory is not "
        "withdrawn again, so reuse loops lower this indicator.",
        headline=True,
        short="Water withdrawal",
    ),
    Indicator(
        "water_consumption",
        "water",
        "Water consumption (evaporated, to air)",
        "m3",
        _m("water", "consumption"),
        "Water leaving as vapour (elementary flow 'Water' to air), the consumption modelled by the shipped LCIA "
        "methods. Discharges to sewer or surface water are returned, not consumed.",
        headline=True,
    ),
    Indicator(
        "water_scarcity",
        "water",
        "Water use, EF v3.1 (AWARE user deprivation potential)",
        "m3 world eq.",
        EF31_WATER,
        "EF v3.1 method as shipped with bw2io (world-average AWARE factor for 'Water' to air).",
    ),
    Indicator(
        "water_wcp",
        "water",
        "Water consumption potential, ReCiPe 2016 midpoint (H)",
        "m3",
        RECIPE_WCP,
        "ReCiPe 2016 v1.03 midpoint (H) as shipped with bw2io.",
    ),
    Indicator(
        "chemicals_total",
        "chemicals",
        "Process chemicals used, all categories",
        "kg",
        _m("chemicals", "process chemicals used, all categories"),
        "On site: mass of the process chemicals the factory uses (inventory indicator). Cradle to gate: plus "
        "process chemicals embodied in bought materials where an open figure exists.",
        headline=True,
        short="Chemicals",
    ),
    *[
        Indicator(
            f"chemicals_{c}",
            "chemicals",
            f"Process chemicals used, {c.replace('_', ' / ')}",
            "kg",
            _m("chemicals", f"process chemicals used, {c}"),
            "Mass of purchased process chemicals in this category.",
        )
        for c in CHEMICAL_CATEGORIES
    ],
    Indicator(
        "ecotox_freshwater",
        "chemicals",
        "Freshwater ecotoxicity, EF v3.1",
        "CTUe",
        EF31_ECOTOX,
        "EF v3.1 (USEtox) for modelled chemical emissions; the DESNZ background carries no toxic emissions.",
    ),
    Indicator(
        "human_tox_cancer",
        "chemicals",
        "Human toxicity, cancer, EF v3.1",
        "CTUh",
        EF31_HTOX_C,
        "EF v3.1 (USEtox) for modelled chemical emissions; the DESNZ background carries no toxic emissions.",
    ),
    Indicator(
        "human_tox_noncancer",
        "chemicals",
        "Human toxicity, non-cancer, EF v3.1",
        "CTUh",
        EF31_HTOX_NC,
        "EF v3.1 (USEtox) for modelled chemical emissions; the DESNZ background carries no toxic emissions.",
    ),
]

INDICATORS: dict[str, Indicator] = {i.id: i for i in _INDICATORS}
CARBON = INDICATORS["carbon"]
HEADLINE = [i.id for i in _INDICATORS if i.headline] + ["carbon_ipcc2021"]
FAMILIES: tuple[str, ...] = get_args(Family)
#: One indicator per family for summary cards and portfolio columns, in family order.
CARDS = tuple(i.id for i in _INDICATORS if i.short)
