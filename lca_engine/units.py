"""The single pint registry, and helpers that turn unit strings into checked quantities.

All amounts in the product pass through here: a unit that pint does not know, or a dimension that is not the
expected one, raises a :class:`~lca_engine.errors.UnitError` naming the field and the fix — never a guess.
"""

from __future__ import annotations

import threading
from functools import lru_cache

import pint

from .errors import UnitError
from .limits import check_unit_text

_BUILD = threading.Lock()


@lru_cache(maxsize=1)
def _registry() -> pint.UnitRegistry:
    reg = pint.UnitRegistry(autoconvert_offset_to_baseunit=False)
    # Counted things (garments, trays, panels) get their own base dimension so that "item" never silently
    # converts to kg or to a dimensionless number.
    reg.define("item = [item] = piece = pieces = pcs = items = unit_item")
    # Spellings LCA people and DESNZ use.
    reg.define("tkm = tonne * kilometer = t_km")
    reg.define("m2 = meter ** 2")
    reg.define("m3 = meter ** 3")
    reg.define("litres = liter")
    reg.define("Nm3 = meter ** 3")
    return reg


def registry() -> pint.UnitRegistry:
    """The one registry, built on first use (~0.15 s, so that importing the package stays fast); one lock so that
    threads (the dashboard's sessions) never build two — quantities of two registries cannot be combined."""
    with _BUILD:
        return _registry()


class _Registry:
    """``ureg``: stands for :func:`registry` (``ureg.kg``, ``ureg.get_dimensionality(...)`` …)."""

    __slots__ = ()

    def __getattr__(self, name: str):
        return getattr(registry(), name)

    def __repr__(self) -> str:
        return "<lca_engine unit registry>"


ureg = _Registry()


def Q_(value, unit=None) -> pint.Quantity:
    """A quantity of the product's registry."""
    return registry().Quantity(value, unit)


DIMENSION_NAMES = {
    "[mass]": "mass (kg, t)",
    "[item]": "count (item, piece)",
    "[length] ** 2": "area (m2)",
    "[length] ** 3": "volume (m3, L)",
    "[mass] * [length] ** 2 / [time] ** 2": "energy (kWh, MJ)",
    "[mass] * [length]": "transport work (t*km)",
    "[length]": "length (m)",
}

MASS = "[mass]"


@lru_cache(maxsize=512)
def parse_unit(unit: str) -> pint.Unit:
    """Parse a unit string or raise UnitError (cached: inventories repeat a handful of units).

    The text is checked first (length, no control or text-direction characters: :func:`limits.check_unit_text`);
    whatever pint or Python's tokenizer then raises becomes a UnitError naming the unit, never an internal error.
    """
    if not isinstance(unit, str) or not unit.strip():
        raise UnitError("unit is empty", fix="write a unit such as 'kg', 'kWh', 'm3', 't*km' or 'item'")
    check_unit_text(unit)
    try:
        parsed = ureg.Unit(unit.strip())
    except Exception as exc:  # pint raises tokenize, syntax, key, value … errors: all mean "unknown"
        what = "is not a unit pint knows" if isinstance(exc, pint.UndefinedUnitError) else "cannot be read as a unit"
        raise UnitError(
            f"unknown unit {unit!r}: {what}",
            fix="use a unit pint knows, e.g. kg, t, kWh, MJ, m3, L, m2, t*km, item",
        ) from None
    return parsed


def quantity(amount: float, unit: str) -> pint.Quantity:
    return Q_(amount, parse_unit(unit))


def dimension_of(unit: str) -> str:
    return str(parse_unit(unit).dimensionality)


def describe_dimension(dim: str) -> str:
    return DIMENSION_NAMES.get(dim, dim)


def has_dimension(unit: str, dim: str) -> bool:
    return parse_unit(unit).dimensionality == ureg.get_dimensionality(dim)


def convert(amount: float, from_unit: str, to_unit: str) -> float:
    """Convert between units of the same dimension; a mismatch is an error, never a guess."""
    src, dst = parse_unit(from_unit), parse_unit(to_unit)
    if src.dimensionality != dst.dimensionality:
        raise UnitError(
            f"cannot convert '{from_unit}' ({describe_dimension(str(src.dimensionality))}) "
            f"to '{to_unit}' ({describe_dimension(str(dst.dimensionality))})",
            fix=f"give the amount in a unit of {describe_dimension(str(dst.dimensionality))}",
        )
    factor = _factor(from_unit, to_unit)
    return float(Q_(amount, src).to(dst).magnitude) if factor is None else amount * factor


@lru_cache(maxsize=1024)
def _factor(from_unit: str, to_unit: str) -> float | None:
    """What one ``from_unit`` is in ``to_unit`` when the conversion is a product (pint multiplies by this same
    number), None for units with an offset (degC): cached, as inventories convert a handful of units many times."""
    src, dst = parse_unit(from_unit), parse_unit(to_unit)
    if Q_(0.0, src).to(dst).magnitude != 0:
        return None
    return float(Q_(1.0, src).to(dst).magnitude)


def is_mass(unit: str) -> bool:
    return has_dimension(unit, MASS)
