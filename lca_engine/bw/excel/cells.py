"""Shared pieces of the Brightway-Excel interchange: constants, cell encoding, names and units, the sheet locator."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, get_args

from pydantic import ValidationError

from ...background.links import bw_unit
from ...errors import Problem
from ...inventory import field_path
from ..foreground.convert import ForeignImportWarning, default_catalog
from ..foreground.kinds import pint_unit

_default_catalog = default_catalog  # export.py's name

FORMAT = "lca-engine bw-excel 1"


FLOW_TYPE = "lca-engine flow"


STOCK_TYPE = "lca-engine stock"


P = "lca."


MARKER = "lca-json:"


BIOSPHERE_DB = "biosphere3"


FU_CODE = "functional-unit"


BW_COLUMNS = [
    "name",
    "amount",
    "unit",
    "database",
    "location",
    "categories",
    "type",
    "input",
    "uncertainty type",
    "loc",
    "minimum",
    "maximum",
]


#: First cells that bw2io's ExcelImporter reads as section markers (must never start an exchange row).
_RESERVED = {"activity", "database", "project parameters", "database parameters", "exchanges", "parameters"}


class ExcelImportWarning(ForeignImportWarning):
    """Something in a foreign Brightway Excel file could not be carried over exactly (the message says what)."""


def _floatable(s: str) -> bool:
    try:
        float(s)
    except ValueError:
        return False
    return True


def _needs_escape(s: str) -> bool:
    return (
        s == ""
        or s != s.strip()
        or s.startswith(("=", MARKER))
        or "::" in s
        or s.lower() in ("true", "false")
        or s == "(Unknown)"
        or _floatable(s)
        or "\r" in s
        or bool(re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]|_x[0-9A-Fa-f]{4}_", s))
    )


def _enc(value: Any) -> Any:
    """A value of ours → a cell value that Excel, openpyxl and bw2io give back unchanged (see module doc)."""
    if isinstance(value, str):
        if not _needs_escape(value):
            return value
        text = json.dumps(value, ensure_ascii=False).replace(":", "\\u003a").replace("_x", "\\u005fx")
        return MARKER + text
    if isinstance(value, list | tuple):
        return MARKER + json.dumps(list(value), ensure_ascii=False).replace(":", "\\u003a").replace("_x", "\\u005fx")
    if isinstance(value, float) and not isinstance(value, bool):
        if math.isfinite(value) and float(f"{value:.16g}") != value:
            return MARKER + repr(value)  # Excel writers keep 16 significant digits: keep the exact value
        return value
    return value


def _dec(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(MARKER):
        return json.loads(value[len(MARKER) :])
    return value


def _flatten(data: dict, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in data.items():
        if isinstance(v, dict):
            out.update(_flatten(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out


def _unflatten(data: dict[str, Any]) -> dict:
    out: dict = {}
    for k, v in data.items():
        *head, leaf = k.split(".")
        node = out
        for h in head:
            node = node.setdefault(h, {})
        node[leaf] = v
    return out


def _coerce_strings(model, data: dict) -> dict:
    """Numbers typed into a text field in Excel (e.g. an edition '2025') come back as text."""
    for name, info in model.model_fields.items():
        key = info.alias or name
        if key in data and isinstance(data[key], int | float) and not isinstance(data[key], bool):
            if str in (info.annotation, *get_args(info.annotation)):
                v = data[key]
                data[key] = str(int(v)) if float(v).is_integer() else repr(v)
    return data


def _bw_name(text: str) -> str:
    """A Brightway-facing name that bw2io cannot mistake for a section marker or a tuple."""
    text = (text or "").replace("::", ": ").strip()
    return text + " (name)" if text.lower() in _RESERVED else text


def _bw_unit(unit: str) -> str:
    return bw_unit(unit)


@dataclass
class _Block:
    sheet: str
    activity_row: int
    header_row: int | None = None
    exchange_rows: list[int] = field(default_factory=list)


class _Locator:
    """Worksheet row numbers of activities and exchanges, found the way bw2io's ExcelImporter walks the sheet."""

    def __init__(self, path: Path, sheets: list[tuple[str, list[list[Any]]]]):
        self.path = path
        self.sheets = sheets

    @cached_property
    def blocks(self) -> list[_Block]:
        out: list[_Block] = []
        for name, rows in self.sheets:
            if not rows or not rows[0] or not isinstance(rows[0][0], str) or rows[0][0].lower() == "skip":
                continue
            current: _Block | None = None
            state = None
            for i, row in enumerate(rows, start=1):
                first = row[0].strip().lower() if row and isinstance(row[0], str) else None
                if first == "activity" and len(row) > 1 and isinstance(row[1], str):
                    current, state = _Block(name, i), "meta"
                    out.append(current)
                elif first in ("database", "project parameters"):
                    current, state = None, None
                elif current is not None and first == "exchanges":
                    state = "header"
                elif current is not None and state == "header" and any(v is not None for v in row):
                    current.header_row, state = i, "rows"
                elif current is not None and state == "rows" and any(v not in (None, "") for v in row):
                    current.exchange_rows.append(i)
        return out

    def where(self, activity: int, exchange: int | None = None, *, header: bool = False) -> dict:
        if activity >= len(self.blocks):
            return {"file": str(self.path)}
        b = self.blocks[activity]
        row = b.activity_row
        if header and b.header_row:
            row = b.header_row
        elif exchange is not None and exchange < len(b.exchange_rows):
            row = b.exchange_rows[exchange]
        return {"file": f"{self.path} [sheet '{b.sheet}']", "line": row}


def _validation_problems(exc: ValidationError, prefix: str, where: dict) -> list[Problem]:
    out = []
    for err in exc.errors():
        name = field_path((*([prefix] if prefix else []), *err["loc"]))
        msg = "required field is missing" if err["type"] == "missing" else err["msg"]
        if "input" in err and not isinstance(err["input"], dict | list) and err["type"] != "missing":
            msg += f" (got {err['input']!r})"
        out.append(
            Problem(msg, fix="correct the lca.* cell (see the module docstring for the layout)", **where, field=name)
        )
    return out


def _pint_unit(unit: Any) -> str | None:
    """Brightway unit name (or a unit pint knows) → our unit string; None if not understood."""
    return pint_unit(unit)
