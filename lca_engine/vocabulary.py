"""Values the command line shows in its help, in a module that imports nothing: ``lca-engine --help`` must not load
pandas, pint or pydantic to print them. Each is defined here once; :mod:`.model` and :mod:`.balance` take theirs
from here (tests/test_startup.py checks they are the same)."""

from __future__ import annotations

from typing import Literal, get_args

System = Literal["micro-factory", "baseline"]
SYSTEMS: tuple[str, ...] = get_args(System)
MICRO_FACTORY, BASELINE = SYSTEMS

#: Relative mass-balance tolerance (0.01 = 1 %) when none is given.
DEFAULT_TOLERANCE = 0.01

#: Material classes for industrial symbiosis (one factory's waste matched to another's virgin inflow). A class
#: groups what can stand in for one another as feedstock, and no more: polymers apart (PET, PP, PE, PS and PVC do
#: not substitute for one another in a process; an unsorted or averaged plastic is ``plastics_mixed``), cotton apart
#: from synthetic and mixed textiles, steel and average metals apart from aluminium, glass apart from mineral
#: insulation, finished concrete and brick apart from loose aggregates, electrical items (WEEE) apart from Li-ion cells.
#: A flow states its class (``material_class``) or takes it from its DESNZ material/waste key
#: (:data:`lca_engine.symbiosis.classes.DESNZ_ITEM_CLASS`); a flow with neither is not matched.
MaterialClass = Literal[
    "paper_board",
    "plastics_pet",
    "plastics_pp",
    "plastics_pe",
    "plastics_ps",
    "plastics_pvc",
    "plastics_mixed",
    "textile_cotton",
    "textile_synthetic",
    "textile_mixed",
    "carbon_fibre",
    "glass_fibre",
    "wood",
    "steel_metals",
    "aluminium",
    "glass",
    "insulation",
    "plasterboard",
    "concrete_brick",
    "aggregates",
    "asphalt",
    "soils",
    "electronics",
    "li_ion_cells",
    "tyres",
    "mineral_oil",
]
MATERIAL_CLASSES: tuple[str, ...] = get_args(MaterialClass)
