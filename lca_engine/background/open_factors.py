"""The open, cited cradle-to-gate factors (``inventories/background/open_factors/*.toml``): read and checked.

Each file holds ``[factors."<key>"]`` tables (name, unit, boundary, geography, note) with one sub-table per
quantity (``carbon``, ``primary_energy_*``, ``water_*``, ``chemicals_embodied``), each a :class:`Figure`: a value
with its published low/high range, the source id it comes from (in ``sources.toml``), where in the source, and
whether it was checked against the publisher's text (``verified``; unchecked figures are shown "to check").
Every problem of every file is collected into one :class:`InventoryError` (file, field, line, fix).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from hashlib import sha256
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from pydantic import BeforeValidator, ConfigDict, Field, StrictBool, ValidationError
from pydantic_core import PydanticCustomError

from ..errors import InventoryError, Problem, UnitError
from ..inventory import line_index, locate
from ..limits import check_file_size
from ..model import FLOAT32, Source, _Model
from ..tomlfile import read_toml
from ..units import parse_unit

Quantity = Literal[
    "carbon",
    "primary_energy_total",
    "primary_energy_nonrenewable",
    "primary_energy_renewable",
    "water_withdrawal",
    "water_consumption",
    "chemicals_embodied",
]
QUANTITIES: tuple[str, ...] = get_args(Quantity)
#: unit of each quantity per unit of the factor
QUANTITY_UNITS: dict[Quantity, str] = {
    "carbon": "kg CO2e",
    "primary_energy_total": "MJ",
    "primary_energy_nonrenewable": "MJ",
    "primary_energy_renewable": "MJ",
    "water_withdrawal": "m3",
    "water_consumption": "m3",
    "chemicals_embodied": "kg",
}
#: The split of primary energy; ``primary_energy_total`` is for sources that give no split (never both).
ENERGY_SPLIT: tuple[Quantity, ...] = ("primary_energy_nonrenewable", "primary_energy_renewable")
PREFIX = "open."
FOLDER = Path("background") / "open_factors"  # relative to the inventories folder
#: Keys as written in the files: lower_snake words joined by dots (they become Brightway codes "open.<key>").
KEY_PATTERN = re.compile(r"[a-z0-9_]{1,64}(?:\.[a-z0-9_]{1,64}){0,7}")
KEY_RULE = "lower-case letters, digits and '_', with '.' between variants (e.g. \"carbon_fibre.virgin\")"
DATE_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")
WHAT = "open factors file"


def _number(v: Any) -> Any:
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise PydanticCustomError("number", "must be a number", {"fix": "write a plain number, e.g. 2.89 (no quotes)"})
    return v


def _date_text(v: Any) -> Any:
    return v.isoformat() if isinstance(v, date) else v  # TOML may write read = 2026-12-05 unquoted


Number = Annotated[float, BeforeValidator(_number)]
Text = Annotated[str, Field(min_length=1)]


class _Frozen(_Model):
    model_config = ConfigDict(frozen=True)


class Figure(_Frozen):
    """One published figure of one quantity per unit of the factor, with its range and provenance."""

    value: Number
    low: Number
    high: Number
    source: Text
    where: Text
    verified: StrictBool
    verified_against: str = ""
    read: Annotated[str, BeforeValidator(_date_text)] = ""
    gwp_basis: str = ""
    range_from: tuple[str, ...] = ()
    note: str = ""

    @property
    def to_check(self) -> bool:
        """Not checked against the publisher's stored text: shown as "to check" wherever it is used."""
        return not self.verified


class _Head(_Frozen):
    """A factor's own fields (its quantity tables are read as :class:`Figure`)."""

    name: Text
    unit: Text
    boundary: Text
    geography: str = ""
    note: str = ""


class OpenFactor(_Frozen):
    key: str  # "open.<key as written>"
    name: str
    unit: str
    boundary: str
    geography: str = ""
    note: str = ""
    figures: dict[Quantity, Figure]
    file: str  # relative to the inventories folder, e.g. "background/open_factors/construction_metals.toml"


FIGURE_FIELDS = tuple(Figure.model_fields)
HEAD_FIELDS = tuple(_Head.model_fields)


# ------------------------------------------------------------------------------------------ places in a file
@dataclass(frozen=True)
class _Place:
    """A factor table in a file: names fields as ``factors."<key>".carbon.low`` and finds their lines."""

    file: str
    text: str
    key: str

    def field(self, *parts: str) -> str:
        return ".".join((f'factors."{self.key}"', *parts))

    def line(self, *parts: str) -> int | None:
        heads = [f'factors."{self.key}"', f"factors.'{self.key}'", f"factors.{self.key}"]
        if parts:  # a quantity's own [factors."k".carbon] header, else `carbon = {…}` inline in the factor
            for head in heads:
                if (line := _table_line(self.text, f"{head}.{parts[0]}", parts[1:])) is not None:
                    return line
        for head in heads:
            if (line := _table_line(self.text, head, parts[:1])) is not None:
                return line
        return None

    def problem(self, message: str, fix: str, *parts: str) -> Problem:
        return Problem(message, fix=fix, file=self.file, field=self.field(*parts), line=self.line(*parts))


def _table_line(text: str, header: str, rest: tuple[str, ...]) -> int | None:
    """Line of key ``rest[0]`` in the table with this header (the header's line without a key), None if absent."""
    if header not in line_index(text).tables:
        return None
    return locate(text, (header, *(r.partition("[")[0] for r in rest[:1])))  # range_from[1] is on range_from's line


# ------------------------------------------------------------------------------------------ checks
_FIXES = {
    "bool_type": "write true or false (no quotes)",
    "string_type": "write the value as a quoted string",
    "tuple_type": 'write an array of source ids, e.g. ["id-a", "id-b"]',
    "model_type": 'write the quantity as a table, [factors."<key>".<quantity>] with value, low, high, source, where, '
    "verified",
}


def _validation_problems(exc: ValidationError, place: _Place, allowed: tuple[str, ...], *prefix: str) -> list[Problem]:
    problems = []
    for err in exc.errors():
        parts = (*prefix, *_loc_parts(err["loc"]))
        leaf = parts[-1] if parts else ""
        fix = (err.get("ctx") or {}).get("fix", "")
        if err["type"] == "missing":
            message, fix = "required field is missing", "add the field"
        elif err["type"] == "extra_forbidden":
            message, fix = f"unknown field '{leaf}'", "allowed fields: " + ", ".join(allowed)
        elif err["type"] == "string_too_short":
            message, fix = "must not be empty", "write a non-empty value"
        else:
            got = err.get("input")
            message = err["msg"] + ("" if isinstance(got, dict | list) else f" (got {_short(got)})")
            fix = fix or _FIXES.get(err["type"], "correct the value (see inventories/background/README.md)")
        problems.append(place.problem(message, fix, *parts))
    return problems


def _loc_parts(loc: tuple) -> list[str]:
    """('range_from', 1) -> ['range_from[1]']."""
    parts: list[str] = []
    for p in loc:
        if isinstance(p, int) and parts:
            parts[-1] += f"[{p}]"
        else:
            parts.append(str(p))
    return parts


def _short(value: Any, most: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= most else text[: most - 1] + "…"


def _number_problems(fig: Figure, place: _Place, q: str) -> list[Problem]:
    problems = [
        place.problem(
            f"{name} = {v!r} must be a finite number >= 0 (at most {float(FLOAT32.max):.2e})",
            "write the figure from the source as a non-negative number in the unit of the quantity "
            f"({QUANTITY_UNITS[q]} per unit of the factor)",
            q,
            name,
        )
        for name, v in (("value", fig.value), ("low", fig.low), ("high", fig.high))
        if not (math.isfinite(v) and 0 <= v <= FLOAT32.max)
    ]
    if not problems and not fig.low <= fig.value <= fig.high:
        problems.append(
            place.problem(
                f"low {fig.low:g} <= value {fig.value:g} <= high {fig.high:g} does not hold",
                "give the range the sources publish around the value (low = high = value when there is no "
                "published range, and say so in note)",
                q,
                "low" if fig.low > fig.value else "high",
            )
        )
    return problems


def _source_problems(fig: Figure, place: _Place, q: str, sources: dict[str, Source]) -> list[Problem]:
    cited = [("source", fig.source)] + [(f"range_from[{i}]", sid) for i, sid in enumerate(fig.range_from)]
    problems = []
    for name, sid in cited:
        if sid not in sources:
            fix = f"add a [{sid}] entry (publisher, title, edition, table, licence, url) to inventories/sources.toml"
            problems.append(
                place.problem(f"source '{sid}' is not in sources.toml", fix + ", or cite an existing id", q, name)
            )
        elif not sources[sid].licence.strip():
            fix = f"state the licence of [{sid}] in inventories/sources.toml"
            problems.append(place.problem(f"source '{sid}' has no licence in sources.toml", fix, q, name))
    return problems


def _verified_problems(fig: Figure, place: _Place, q: str) -> list[Problem]:
    problems = []
    if fig.verified and not fig.verified_against.strip():
        fix = "name what was read (address and part), or set verified = false"
        problems.append(place.problem("verified = true needs verified_against", fix, q, "verified_against"))
    if fig.verified and not fig.read:
        fix = 'give the date the figure was read, read = "YYYY-MM-DD"'
        problems.append(place.problem("verified = true needs read (a date)", fix, q, "read"))
    if fig.read and not _is_date(fig.read):
        fix = 'write the date as "YYYY-MM-DD", e.g. "2026-12-05"'
        problems.append(place.problem(f"read = {fig.read!r} is not a date", fix, q, "read"))
    return problems


def _is_date(text: str) -> bool:
    if not DATE_PATTERN.fullmatch(text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _figure(entry: Any, place: _Place, q: str, sources: dict[str, Source]) -> tuple[Figure | None, list[Problem]]:
    try:
        fig = Figure.model_validate(entry)
    except ValidationError as exc:
        return None, _validation_problems(exc, place, FIGURE_FIELDS, q)
    problems = _number_problems(fig, place, q) + _source_problems(fig, place, q, sources)
    return fig, problems + _verified_problems(fig, place, q)


def _quantity_problems(tables: dict[str, Any], place: _Place) -> list[Problem]:
    allowed = ", ".join(QUANTITIES)
    problems = [
        place.problem(f"unknown quantity '{q}'", f"use one of: {allowed}", q) for q in tables if q not in QUANTITIES
    ]
    given = [q for q in tables if q in QUANTITIES]
    if not given:
        problems.append(place.problem("the factor has no quantity table", f"add at least one of: {allowed}"))
    elif "primary_energy_total" in given and any(q in given for q in ENERGY_SPLIT):
        fix = "give primary_energy_total (no split published) OR the non-renewable/renewable pair, not both"
        problems.append(place.problem("primary energy is given both as a total and split", fix, "primary_energy_total"))
    return problems


def _head(fields: dict[str, Any], place: _Place) -> tuple[_Head | None, list[Problem]]:
    try:
        head = _Head.model_validate(fields)
    except ValidationError as exc:
        return None, _validation_problems(exc, place, HEAD_FIELDS + QUANTITIES)
    try:
        parse_unit(head.unit)
    except UnitError as exc:
        return head, [place.problem(p.message, p.fix, "unit") for p in exc.problems]
    return head, []


def _factor(
    entry: Any, place: _Place, sources: dict[str, Source], file: str
) -> tuple[OpenFactor | None, list[Problem]]:
    """One ``[factors."<key>"]`` table: the factor, or None and every problem found in it."""
    if not isinstance(entry, dict):
        return None, [place.problem("must be a table", 'write [factors."<key>"] with name, unit, boundary')]
    problems = [] if KEY_PATTERN.fullmatch(place.key) else [place.problem(f"key is not {KEY_RULE}", f"use {KEY_RULE}")]
    tables = {k: v for k, v in entry.items() if isinstance(v, dict) or k in QUANTITIES}
    head, found = _head({k: v for k, v in entry.items() if k not in tables}, place)
    problems += found + _quantity_problems(tables, place)
    figures = {}
    for q in (q for q in QUANTITIES if q in tables):
        figures[q], found = _figure(tables[q], place, q, sources)
        problems += found
    if problems or head is None:
        return None, problems
    return OpenFactor(key=PREFIX + place.key, figures=figures, file=file, **head.model_dump()), []


# ------------------------------------------------------------------------------------------ files
def _files(inventories: Path) -> list[Path]:
    return sorted((inventories / FOLDER).glob("*.toml"))


def _read_file(path: Path, inventories: Path, sources: dict[str, Source]) -> tuple[list[OpenFactor], list[Problem]]:
    data = read_toml(path, WHAT, fix="give an existing file")
    text = path.read_text(encoding="utf-8")  # for the line numbers of the problems
    file, rel = str(path), path.relative_to(inventories).as_posix()
    problems = [
        Problem(
            f"unknown top-level entry '{name}'",
            fix='an open factors file holds only [factors."<key>"] tables; sources go in inventories/sources.toml',
            file=file,
            field=name,
            line=locate(text, (name,)),
        )
        for name in data
        if name != "factors"
    ]
    tables = data.get("factors", {})
    if not isinstance(tables, dict):
        fix = 'write one [factors."<key>"] table per factor'
        return [], [*problems, Problem("'factors' must be tables", fix=fix, file=file, field="factors")]
    factors = []
    for key, entry in tables.items():
        factor, found = _factor(entry, _Place(file, text, key), sources, rel)
        problems += found
        factors += [factor] if factor else []
    return factors, problems


def _duplicates(factors: Iterable[OpenFactor], inventories: Path) -> tuple[dict[str, OpenFactor], list[Problem]]:
    out: dict[str, OpenFactor] = {}
    problems = []
    for f in factors:
        if f.key in out:
            first, key = out[f.key].file, f.key.removeprefix(PREFIX)
            path = inventories / f.file
            place = _Place(str(path), path.read_text(encoding="utf-8"), key)
            message = f"factor '{key}' is defined in both {first} and {f.file}"
            problems.append(place.problem(message, f"keep one of them, or give one a different key (e.g. '{key}.v2')"))
        else:
            out[f.key] = f
    return out, problems


def _default_sources(inventories: Path) -> dict[str, Source]:
    """The inventories folder's ``sources.toml``, or the shipped one where that folder has none."""
    from ..sources import load_sources
    from .catalog import default_inventories_dir

    own = inventories / "sources.toml"
    return load_sources(own if own.exists() else default_inventories_dir() / "sources.toml")


def load_open_factors(
    inventories_dir: Path | None = None, sources: dict[str, Source] | None = None
) -> dict[str, OpenFactor]:
    """Every open factor, keyed ``open.<key>``, from ``<inventories>/background/open_factors/*.toml`` (sorted);
    InventoryError listing every problem of every file. Default: the shipped inventories and their sources."""
    from .catalog import default_inventories_dir

    inventories = Path(inventories_dir) if inventories_dir else default_inventories_dir()
    paths = _files(inventories)
    if not paths:
        return {}
    registry = sources if sources is not None else _default_sources(inventories)
    factors, problems = [], []
    for path in paths:
        found, wrong = _read_file(path, inventories, registry)
        factors += found
        problems += wrong
    out, repeated = _duplicates(factors, inventories)
    if problems or repeated:
        raise InventoryError(problems + repeated)
    return out


def open_factors_digest(inventories_dir: Path | None = None) -> str:
    """SHA-256 over the factor files (name, size, bytes) in sorted order: changes whenever any factor changes."""
    from .catalog import default_inventories_dir

    inventories = Path(inventories_dir) if inventories_dir else default_inventories_dir()
    h = sha256()
    for path in _files(inventories):
        check_file_size(path, what=WHAT)
        raw = path.read_bytes()
        h.update(f"{path.name}\0{len(raw)}\0".encode())
        h.update(raw)
    return h.hexdigest()
