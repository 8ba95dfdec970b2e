"""EN 15804 life-cycle modules of a result, defined once from our scopes, flow kinds and process stages.

The result cube already names a module per flow contribution (``lca_engine.bw.calc.module``): purchases of
materials and chemicals are A1, freight A2, the processes' energy, water and direct emissions A3, the treatment of
what they send out A3 as well (waste treatment). EN 15804 adds the construction stage, which an inventory states
by giving a process the stage ``installation`` (the housing examples' delivery and erection): freight bought by
such a process is A4 (transport to the building site), everything else it buys or emits is A5 (installation).
Nothing here invents B, C or D modules: our inventories end at the erected product (cradle to gate, or to the
building site), so no use, end-of-life or beyond-the-system results exist to report.
"""

from __future__ import annotations

from enum import StrEnum

#: The process stage that marks the construction stage (EN 15804 A4-A5).
INSTALLATION_STAGE = "installation"


class Module(StrEnum):
    """EN 15804 modules our results can fall in."""

    A1 = "A1"  # raw material supply: upstream of the materials and chemicals bought
    A2 = "A2"  # transport to the manufacturer: freight bought
    A3 = "A3"  # manufacturing: energy, water, direct emissions, treatment of process waste and wastewater
    A4 = "A4"  # transport to the building site (freight bought by an installation process)
    A5 = "A5"  # installation (everything else of an installation process)


#: The cube's module labels (lca_engine.bw.calc.MODULES) by their EN 15804 code.
_CUBE = {"A1 raw materials": Module.A1, "A2 transport": Module.A2}
#: Product stage modules (LCAx reports them as one module, A1-A3).
PRODUCT_STAGE = (Module.A1, Module.A2, Module.A3)


def module(cube_module: str, stage: str) -> Module:
    """The EN 15804 module of one flow contribution: its cube module label and its process's stage."""
    base = _CUBE.get(cube_module, Module.A3)
    if stage == INSTALLATION_STAGE:
        return Module.A4 if base is Module.A2 else Module.A5
    return base
