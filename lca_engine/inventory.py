"""TOML ⇄ :class:`~lca_engine.model.Factory`, with every error mapped to file, field and line.

Reading is strict (UTF-8, TOML 1.0, no unknown keys); writing is atomic and loss-free for data (comments are
not kept: the model holds data, not formatting).
"""

from __future__ import annotations

import bisect
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import tomli_w
from pydantic import ValidationError

from . import atomic
from .errors import InventoryError
from .limits import LIMITS, Limits, check_file_size, check_size
from .model import Factory
from .pydantic_errors import field_path as field_path  # re-exported: the loaders of other files use it
from .pydantic_errors import problems_from_validation
from .tomlfile import parse_text

_HEADER = re.compile(r"\[\[?\s*(.*?)\s*\]\]?")
_KEY = re.compile(r"\s*(\"?)([^=\"]*?)\1\s*=")


class LineIndex:
    """Where headers and keys are in a TOML text, built in one pass so that any number of look-ups is cheap.

    ``aot[name]``: lines of the ``[[name]]`` headers, in order; ``tables[name]``: line of the first ``[name]``;
    ``top[key]``: first line of ``key =`` anywhere; ``keys[start][key]``: first line of ``key =`` in the section
    that begins at line ``start`` (a section ends at the next line starting with '['). Lines are 0-based here.
    """

    def __init__(self, text: str):
        self.aot: dict[str, list[int]] = {}
        self.tables: dict[str, int] = {}
        self.top: dict[str, int] = {}
        self.keys: dict[int, dict[str, int]] = {}
        self.subtables: dict[str, list[int]] = {}  # lines of every [name] header (e.g. [flows.lifetime]), in order
        section: dict[str, int] = {}
        for i, line in enumerate(text.split("\n")):
            stripped = line.strip()
            if stripped.startswith("["):
                section = self.keys.setdefault(i, {})
                self._header(i, stripped)
                continue
            m = _KEY.match(line)
            if m:
                section.setdefault(m.group(2).strip(), i)
                if not m.group(1):
                    self.top.setdefault(m.group(2).strip(), i)

    def _header(self, i: int, stripped: str) -> None:
        m = _HEADER.fullmatch(stripped)
        if not m:
            return
        if stripped.startswith("[[") and stripped.endswith("]]"):
            self.aot.setdefault(m.group(1), []).append(i)
        elif not stripped.startswith("[["):
            self.tables.setdefault(m.group(1), i)
            self.subtables.setdefault(m.group(1), []).append(i)

    def line_of(self, loc: tuple[Any, ...]) -> int | None:
        """Best-effort line number (1-based) of a field, e.g. ('flows', 3, 'amount')."""
        head = str(loc[0])
        index = loc[1] if len(loc) > 1 and isinstance(loc[1], int) else None
        rest = [str(p) for p in loc[1:] if not isinstance(p, int)]
        if index is None and rest and f"{head}.{rest[0]}" in self.tables:
            return self.tables[f"{head}.{rest[0]}"] + 1  # a sub-table with its own header, [socio_economic.jobs_fte]
        headers = self.aot.get(head, [])
        if index is not None:
            start = headers[index] if index < len(headers) else None
        else:
            start = self.tables.get(head)
        if start is None:  # top-level key, or an inline table written as `head = {...}`
            line = self.top.get(head)
            return None if line is None else line + 1
        if rest and rest[0] in self.keys.get(start, {}):
            return self.keys[start][rest[0]] + 1
        if index is not None and rest:  # a sub-table of this entry, [flows.lifetime] under its [[flows]]
            sub = self._subtable(f"{head}.{rest[0]}", start, headers[index + 1] if index + 1 < len(headers) else None)
            if sub is not None:
                return self.keys.get(sub, {}).get(rest[1], sub) + 1 if len(rest) > 1 else sub + 1
        return start + 1

    def _subtable(self, name: str, start: int, stop: int | None) -> int | None:
        """Line of the first [name] header after ``start`` and before ``stop`` (the entry's next sibling)."""
        lines = self.subtables.get(name, [])
        i = bisect.bisect_right(lines, start)
        return lines[i] if i < len(lines) and (stop is None or lines[i] < stop) else None


@lru_cache(maxsize=2)
def line_index(text: str) -> LineIndex:
    """The index of a text, built once per text (callers pass the same string for all of a file's errors)."""
    return LineIndex(text)


def locate(text: str | None, loc: tuple[Any, ...]) -> int | None:
    """Best-effort line number (1-based) of a field in TOML text, for error messages (O(1) after the first call)."""
    if not text or not loc:
        return None
    return line_index(text).line_of(tuple(loc))


def parse_factory(data: dict, file: str | None = None, text: str | None = None) -> Factory:
    """Dict (as read from TOML) -> Factory, or InventoryError listing every structural problem."""
    if not data:
        raise InventoryError("the inventory is empty", fix="start from an example in inventories/examples/", file=file)
    try:
        return Factory.model_validate(data)
    except ValidationError as exc:
        raise InventoryError(problems_from_validation(exc, file, lambda loc: locate(text, loc))) from None


def read_text(path: str | Path, limits: Limits = LIMITS) -> str:
    """The file's text, refused before reading if it is larger than ``limits.file_bytes``."""
    path = Path(path)
    try:
        check_file_size(path, limits)
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InventoryError("file not found", fix="check the path", file=str(path)) from None
    except IsADirectoryError:
        raise InventoryError("is a directory, expected a .toml file", fix="name a file", file=str(path)) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InventoryError(
            f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start})",
            fix="save the file as UTF-8 (most editors: 'Save with encoding' → UTF-8)",
            file=str(path),
            line=line,
        ) from None


def loads(text: str, file: str | None = None, limits: Limits = LIMITS) -> Factory:
    """Parse TOML text into a Factory (structural validation only; see :func:`lca_engine.validate.check`).

    The text is measured against ``limits`` (size, nesting, key and line lengths) before the TOML parser sees it."""
    if not text.strip():
        raise InventoryError("the file is empty", fix="start from an example in inventories/examples/", file=file)
    check_size(len(text), file or "<text>", limits.file_bytes)
    data = parse_text(text, file, limits=limits)
    return parse_factory(data, file=file, text=text)


@lru_cache(maxsize=16)
def loads_shared(text: str, file: str | None = None) -> Factory:
    """:func:`loads` for text read recently again (a micro-factory's check reads the baseline that is assessed
    next to it): one parse, one Factory for both — never changed in place by the engine (variants are copies)."""
    return loads(text, file=file)


def load(path: str | Path) -> Factory:
    """Read one inventory file (structure only). Use :func:`lca_engine.load_checked` for full validation."""
    return loads(read_text(path), file=str(path))


def to_dict(factory: Factory) -> dict:
    """Model -> plain dict ready for TOML (defaults and empty values dropped, 'from' spelled as in files)."""
    data = factory.model_dump(by_alias=True, exclude_none=True, exclude_defaults=True)
    data.setdefault("schema_version", factory.schema_version)
    data["schema_version"] = factory.schema_version
    # keep a readable key order: scalars first, then tables, then arrays of tables
    order = [
        "schema_version",
        "id",
        "name",
        "sector",
        "system",
        "description",
        "baseline",
        "functional_unit",
        "site",
        "end_of_use",
        "economics",
        "production",
        "socio_economic",
        "sources",
        "processes",
        "flows",
        "stocks",
        "claims",
    ]
    return {k: data[k] for k in order if k in data}


def dumps(factory: Factory) -> str:
    return tomli_w.dumps(to_dict(factory))


def save(factory: Factory, path: str | Path) -> None:
    """Write atomically; an existing file is replaced only once the new one is complete."""
    atomic.write_text(path, dumps(factory))
