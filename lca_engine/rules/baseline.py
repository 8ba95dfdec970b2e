"""Rules for a micro-factory and the baseline it is compared with: same sector, same functional unit, and the
baseline really is a baseline. Pure: :mod:`lca_engine.load` finds and reads the baseline file, the in-code API
passes both models."""

from __future__ import annotations

from collections.abc import Callable

from ..errors import LcaEngineError
from ..model import BASELINE, Factory
from ..units import parse_unit

#: (message, fix) of one way the pair does not fit, or None.
Finding = tuple[str, str] | None


def is_baseline(factory: Factory, baseline: Factory, name: str) -> Finding:
    """The named baseline is an inventory with system = "baseline" (not another micro-factory)."""
    if baseline.system != BASELINE:
        return (
            f"'{name}' is named as baseline but has system = \"{baseline.system}\"",
            f"name a conventional baseline inventory, or set system = \"{BASELINE}\" in '{name}'",
        )
    return None


def same_sector(factory: Factory, baseline: Factory, name: str) -> Finding:
    """The baseline makes the same kind of product: same sector."""
    if baseline.sector != factory.sector:
        return (
            f"baseline '{name}' is in sector '{baseline.sector}', this factory in '{factory.sector}'",
            "name a baseline of the same sector (a conventional way of making the same product)",
        )
    return None


def same_functional_unit(factory: Factory, baseline: Factory, name: str) -> Finding:
    """The baseline describes the same functional unit (same dimension and amount, units converted)."""
    fu, bu = factory.functional_unit, baseline.functional_unit
    try:
        a, b = parse_unit(fu.unit), parse_unit(bu.unit)
    except LcaEngineError:
        return None  # an unreadable unit is reported when that file itself is validated
    if a.dimensionality == b.dimensionality and abs(fu.quantity.to(b).magnitude - bu.amount) <= 1e-9 * bu.amount:
        return None
    return (
        f"functional unit {fu.label()} differs from the baseline's {bu.label()} ('{name}')",
        "a baseline must describe the same functional unit; scale one of the inventories",
    )


PAIR_RULES: tuple[Callable[[Factory, Factory, str], Finding], ...] = (is_baseline, same_sector, same_functional_unit)


def pair_findings(factory: Factory, baseline: Factory, name: str) -> list[tuple[str, str]]:
    """(message, fix) for every rule of :data:`PAIR_RULES` the pair breaks; ``name`` is how the baseline is named."""
    return [found for rule in PAIR_RULES if (found := rule(factory, baseline, name))]
