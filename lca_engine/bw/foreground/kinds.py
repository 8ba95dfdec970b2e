"""Vocabulary and small pure rules shared by every foreground format: exchange types, units, flow kinds, ids."""

from __future__ import annotations

import re
from typing import Any

from ...background.links import pint_unit as _bw_to_pint
from ...errors import LcaEngineError
from ...model import BOUNDARY_NODES
from ...units import parse_unit, ureg

#: Brightway exchange types that produce the activity's reference product.
PRODUCTION = ("production", "generic production")
#: Brightway exchange types that take an input from another activity (substitution: an avoided one).
CONSUMPTION = ("technosphere", "generic consumption", "substitution")
#: Brightway 2.5 node types that are products (made by a process's production exchange), not processes.
PRODUCT_NODES = ("product",)
#: DESNZ waste routes (last part of a ``waste.*`` key) → our boundary node.
WASTE_ROUTES = {
    "landfill": "landfill",
    "closed_loop": "recycling",
    "open_loop": "recycling",
    "energy_recovery": "energy_recovery",
    "composting": "composting",
    "anaerobic_digestion": "composting",
}
#: DESNZ material routes (last part of a ``material.*`` key) → our origin.
MATERIAL_ROUTES = {"primary": "virgin", "closed_loop": "recycled", "reused": "reused"}

ENERGY = str(ureg.get_dimensionality("[mass] * [length] ** 2 / [time] ** 2"))
TRANSPORT = str(ureg.get_dimensionality("[mass] * [length]"))
MASS = str(ureg.get_dimensionality("[mass]"))
VOLUME = str(ureg.get_dimensionality("[length] ** 3"))
_MATERIAL_DIMS = {MASS, str(ureg.get_dimensionality("[item]")), str(ureg.get_dimensionality("[length] ** 2")), VOLUME}


def pint_unit(unit: Any) -> str | None:
    """A Brightway unit name (or a unit pint reads) → our unit string; None if not understood."""
    if not isinstance(unit, str) or not unit.strip():
        return None
    mapped = _bw_to_pint(unit)
    if mapped:
        return mapped
    try:
        parse_unit(unit.strip())
    except LcaEngineError:
        return None
    return unit.strip()


def dim(unit: str) -> str:
    return str(parse_unit(unit).dimensionality)


def kind_by_unit(unit: str, name: str) -> str | None:
    """The flow kind a purchase in ``unit`` has (documented rule), or None when no kind fits."""
    d = dim(unit)
    if d == ENERGY:
        return "energy"
    if d == TRANSPORT:
        return "transport"
    if d in (VOLUME, MASS) and "water" in name.lower():
        return "water"
    if d in _MATERIAL_DIMS:
        return "material"
    return None


def origin_by_name(name: str) -> str:
    low = name.lower()
    if "recycled" in low or "secondary" in low:
        return "recycled"
    if "reused" in low or "re-used" in low or "second-hand" in low:
        return "reused"
    return "virgin"


def categories(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(c.strip() for c in value.split("::")) if value.strip() else ()
    if isinstance(value, list | tuple):
        return tuple(str(c) for c in value)
    return ()


def split_input(value: Any) -> tuple[str, str] | None:
    """``input`` as (database, code): bw2io's tuple, or the ``db::code`` text of a cell."""
    if isinstance(value, str) and "::" in value:
        db, _, code = value.partition("::")
        return db.strip(), code.strip()
    if isinstance(value, list | tuple) and len(value) == 2:
        return str(value[0]), str(value[1])
    return None


def number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def slug(text: Any) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", str(text)).strip("_.-") or "x"


def unique(base: str, taken: set[str]) -> str:
    out, n = base, 1
    while out in taken or out in BOUNDARY_NODES:
        n += 1
        out = f"{base}-{n}"
    taken.add(out)
    return out
