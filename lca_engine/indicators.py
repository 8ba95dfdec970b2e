"""The indicators the engine reports, named for what they are (basis included), independent of Brightway."""

from __future__ import annotations

from dataclasses import dataclass

#: AR5 GWP100 values (IPCC AR5 WG1 ch. 8, Table 8.7 and 8.A.1, without climate-carbon feedback), the basis of
#: the DESNZ CO2e factors — used to put direct foreground emissions on the same basis.
AR5_GWP100 = {
    "Carbon dioxide, fossil": 1.0,
    "Methane, fossil": 30.0,
    "Methane, non-fossil": 28.0,
    "Dinitrogen monoxide": 265.0,
}


@dataclass(frozen=True)
class Indicator:
    id: str
    name: str
    unit: str
    method: tuple[str, str, str]
    basis: str


CARBON = Indicator(
    id="carbon",
    name="Greenhouse-gas emissions, GWP100 (IPCC AR5 basis, as DESNZ conversion factors)",
    unit="kg CO2e",
    method=("lca-engine", "climate change", "GWP100, IPCC AR5 basis (DESNZ kg CO2e)"),
    basis=(
        "Background factors are DESNZ kg CO2e totals, which DESNZ computes with IPCC AR5 GWP100 values. "
        "Direct foreground emissions of CO2, CH4 and N2O are characterised with the same AR5 values so the "
        "total stays on one basis. This is not labelled IPCC 2021 (AR6): the DESNZ totals cannot be re-based."
    ),
)

#: Installed alongside for users who plug in a background with elementary flows (e.g. ecoinvent).
IPCC_2021_GWP100 = ("IPCC 2021", "climate change", "global warming potential (GWP100)")

INDICATORS = {CARBON.id: CARBON}
