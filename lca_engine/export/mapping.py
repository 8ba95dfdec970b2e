"""Which of our 24 indicators go to which LCAx / EN 15804 impact category, and on what basis — defined once.

Checked against the characterisation factors bw2io ships (``lcia_39_ecoinvent.zip``, methods ``EF v3.0 EN15804``
and ``EF v3.1 EN15804``; ``tests/test_export_lcax.py`` reads them):

* EN 15804+A2 GWP-total is the EF climate-change method: N2O 298 and fossil CH4 36.8 (EF 3.0, IPCC AR5 *with*
  climate-carbon feedback) or N2O 273 and fossil CH4 29.8 (EF 3.1, IPCC AR6). Our ``carbon`` is DESNZ kg CO2e,
  IPCC AR5 *without* feedback (N2O 265, CH4 28), with no biogenic carbon; ``carbon_ipcc2021`` mixes AR6 (where DESNZ
  splits gases) with AR5 totals. Neither is GWP-total: ``carbon`` goes in LCAx's ``gwp`` slot because it is the
  only GWP100 total we have for every flow, and the project's ``lciaMethod`` and ``metaData`` say it is the DESNZ
  AR5 basis, not EN 15804+A2.
* Water use (AWARE), freshwater ecotoxicity and human toxicity (cancer / non-cancer) ARE the EN 15804+A2
  characterisations: bw2io's ``EF v3.1`` and ``EF v3.1 EN15804`` methods have identical factors for them. They
  are incomplete cradle to gate (the DESNZ background carries no water consumption or toxic emissions), which the
  coverage of each number says.
* Primary energy non-renewable / renewable: EN 15804's PENRT / PERT are inventory indicators (MJ, net calorific
  value, energy and material use); ours count only open figures published with that split (partial coverage).

Not exported (no LCAx category): delivered energy by carrier, total primary energy (published as a total only),
water withdrawal and consumption (not EN 15804's net fresh water use, FW), ReCiPe water consumption potential,
process chemicals used.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Mapped:
    """One of our indicators in an LCAx impact category (``category``: LCAx's ``ImpactCategoryKey`` name)."""

    indicator: str
    category: str
    en15804: bool  # the same characterisation as EN 15804+A2 (EF 3.1), not only the same slot
    basis: str


LCAX_CATEGORIES: tuple[Mapped, ...] = (
    Mapped(
        "carbon",
        "GWP",
        False,
        "DESNZ kg CO2e, IPCC AR5 GWP100 without climate-carbon feedback (CH4 28, N2O 265), no biogenic carbon; "
        "NOT EN 15804+A2 GWP-total (EF 3.0: N2O 298, fossil CH4 36.8; EF 3.1: N2O 273, fossil CH4 29.8)",
    ),
    Mapped(
        "primary_energy_nonrenewable",
        "PENRT",
        False,
        "cumulative non-renewable primary energy of open figures published with that split (partial coverage)",
    ),
    Mapped(
        "primary_energy_renewable",
        "PERT",
        False,
        "cumulative renewable primary energy of open figures published with that split (partial coverage)",
    ),
    Mapped("water_scarcity", "WDP", True, "EF v3.1 water use (AWARE), same factors as EF v3.1 EN15804"),
    Mapped("ecotox_freshwater", "ETP_FW", True, "EF v3.1 freshwater ecotoxicity (USEtox), same as EF v3.1 EN15804"),
    Mapped("human_tox_cancer", "HTP_C", True, "EF v3.1 human toxicity, cancer (USEtox), same as EF v3.1 EN15804"),
    Mapped("human_tox_noncancer", "HTP_NC", True, "EF v3.1 human toxicity, non-cancer, same as EF v3.1 EN15804"),
)
