"""An inventory's ``NAME:…`` links resolved against the imported backgrounds of a data folder (no Brightway).

:class:`Links` reads each background's ``meta.json`` and ``index.json`` once (:mod:`.imported`) and turns a link
key into the activity it names (:class:`Linked`), or a user error: the background is not imported (named, with
``lca-engine background list``), no activity has that key (close matches, ``lca-engine factors --background``),
or the key names several activities. Brightway's unit names are mapped to the product's pint units here, once,
both ways (:data:`BW_UNITS`).

What an imported background characterises: only indicators whose characterisation holds a whole LCIA method of
bw2io over biosphere3 (:data:`CHARACTERISED`, every compartment and sub-compartment). The others count the
product's own elementary flows (delivered and primary energy, water withdrawal, process chemicals), which no
imported database carries, or a few biosphere3 flows in the top-level 'air' compartment only (carbon on the AR5
basis: CO2, CH4, N2O; water consumption: 'Water' to air), which would understate a database that reports its
emissions by sub-compartment. A link is therefore "not characterised" for those, never a number too small.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import BackgroundError
from .imported import (
    NAME_RE,
    Activity,
    ImportedBackground,
    Link,
    database_name,
    is_link,
    load_index,
    load_meta,
    parse_link,
)

#: Brightway's unit names (as bw2io normalises them) -> the product's pint spelling. One vocabulary, both ways.
BW_UNITS: dict[str, str] = {
    "kilogram": "kg",
    "gram": "g",
    "ton": "t",
    "kilowatt hour": "kWh",
    "watt hour": "Wh",
    "megawatt hour": "MWh",
    "megajoule": "MJ",
    "kilojoule": "kJ",
    "gigajoule": "GJ",
    "cubic meter": "m3",
    "normal cubic meter": "Nm3",
    "litre": "L",
    "ton kilometer": "t*km",
    "kilogram kilometer": "kg*km",
    "unit": "item",
    "square meter": "m2",
    "meter": "m",
    "kilometer": "km",
    "hectare": "ha",
    "hour": "h",
    "year": "year",
    "square meter-year": "m2*year",
    "cubic meter-year": "m3*year",
    "meter-year": "m*year",
    "kilometer-year": "km*year",
    "kilogram day": "kg*day",
}
PINT_UNITS: dict[str, str] = {v: k for k, v in BW_UNITS.items()}

#: Indicators that characterise an imported background's elementary flows (see the module docstring).
CHARACTERISED: tuple[str, ...] = (
    "carbon_ipcc2021",
    "water_scarcity",
    "water_wcp",
    "ecotox_freshwater",
    "human_tox_cancer",
    "human_tox_noncancer",
)
#: Indicator families a link gives figures for (a second link of the same family on one flow counts twice): carbon
#: (IPCC 2021) and water (scarcity, WCP). Its toxicity does not overlap the product's chemicals figures (mass of its
#: own chemical flows), so an open factor's chemicals may be linked beside it.
FAMILIES: tuple[str, ...] = ("carbon", "water")


def bw_unit(unit: str) -> str:
    """Brightway's name for a unit as the product writes it ('kWh' -> 'kilowatt hour'), else the unit itself."""
    return PINT_UNITS.get(unit, unit)


def pint_unit(name: str) -> str | None:
    """The product's pint spelling of a Brightway unit name, or None when it has none."""
    return BW_UNITS.get(name.strip().lower()) if isinstance(name, str) else None


def linked_backgrounds(factories) -> list[str]:
    """The imported backgrounds (names) that the flows of ``factories`` link to (``NAME:…`` keys)."""
    return sorted(
        {parse_link(k).background for f in factories for fl in f.flows for k in fl.background_keys if is_link(k)}
    )


def factors_hint(name: str, text: str) -> str:
    return f'`lca-engine factors --background {name} --contains "{text}"`'


@dataclass(frozen=True)
class Linked:
    """The activity a link key names, in the background it belongs to."""

    key: str  # as the inventory wrote it
    meta: ImportedBackground
    activity: Activity

    @property
    def database(self) -> str:
        return database_name(self.meta.name)

    @property
    def unit(self) -> str | None:
        return pint_unit(self.activity.unit)


@dataclass(frozen=True)
class _Index:
    meta: ImportedBackground
    by_key: dict[str, list[Activity]]
    by_code: dict[str, Activity]


@dataclass
class Links:
    """The imported backgrounds of the data folder at ``root``, each read on first use."""

    root: Path
    _read: dict[str, _Index | None] = field(default_factory=dict)

    def backgrounds(self) -> list[str]:
        from .imported import list_backgrounds

        return [m.name for m in list_backgrounds(self.root)]

    def index(self, name: str) -> _Index | None:
        if name not in self._read:
            meta = load_meta(self.root, name) if NAME_RE.match(name) else None  # never a path outside the registry
            self._read[name] = None if meta is None else _read_index(meta, load_index(self.root, name))
        return self._read[name]

    def matching(self, name: str, text: str) -> list[Activity]:
        """The activities of background ``name`` whose link key or code contains ``text`` (any case), by key."""
        index = self.index(name)
        if index is None:
            raise _not_imported(name, self.root, field=None)
        text = text.lower()
        found = [a for a in index.by_code.values() if text in a.key.lower() or text in a.code.lower()]
        return sorted(found, key=lambda a: (a.key, a.code))

    def resolve(self, key: str) -> Linked:
        """The activity ``key`` names, else a :class:`BackgroundError` saying what is wrong and what to do."""
        link = parse_link(key)
        index = self.index(link.background)
        if index is None:
            raise _not_imported(link.background, self.root)
        return Linked(key, index.meta, _activity(key, link, index))


def _not_imported(name: str, root: Path, field: str | None = "background") -> BackgroundError:
    return BackgroundError(
        f"background '{name}' is not imported in the data folder {root}",
        fix="see the imported backgrounds with `lca-engine background list`; import one with "
        f"`lca-engine background import PATH --name {name} --licence TEXT`",
        field=field,
    )


#: difflib compares a misspelt key with this many keys at most: those sharing the most words with it.
CANDIDATES = 300


def close_matches(wanted: str, pool: list[str], n: int = 3) -> list[str]:
    """Up to ``n`` keys of ``pool`` close to ``wanted`` (difflib), compared only with the keys that share the most
    words with it — an ecoinvent-sized index has ~25,000 keys, too many for difflib alone (seconds)."""
    words = set(_WORD.findall(wanted.lower()))
    if len(pool) > CANDIDATES:
        shared = [len(words.intersection(_WORD.findall(k.lower()))) for k in pool]
        pool = [pool[i] for i in sorted(range(len(pool)), key=lambda i: -shared[i])[:CANDIDATES]]
    return difflib.get_close_matches(wanted, pool, n=n, cutoff=0.6)


_WORD = re.compile(r"[a-z0-9]+")


def _read_index(meta: ImportedBackground, activities: list[Activity]) -> _Index:
    by_key: dict[str, list[Activity]] = {}
    for a in activities:
        by_key.setdefault(a.key, []).append(a)
    return _Index(meta, by_key, {a.code: a for a in activities})


def _activity(key: str, link: Link, index: _Index) -> Activity:
    name = link.background
    if link.code is not None:
        if link.code in index.by_code:
            return index.by_code[link.code]
        found, wanted, text = [], link.code, link.code
    else:
        wanted = f"{link.activity}|{link.product}|{link.location}"
        found, text = index.by_key.get(wanted, []), link.activity or ""
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        codes = ", ".join(f"{name}:{a.code}" for a in found[:5])
        raise BackgroundError(
            f"background link '{key}' names {len(found)} activities of background '{name}'",
            fix=f"link one of them by its code: {codes}",
            field="background",
        )
    close = close_matches(wanted, list(index.by_code) if link.code is not None else list(index.by_key))
    similar = f"similar: {'; '.join(f'{name}:{c}' for c in close)}; " if close else ""
    raise BackgroundError(
        f"background '{name}' has no activity '{wanted}'",
        fix=f"{similar}list its activities with {factors_hint(name, text)}",
        field="background",
    )
