"""Brightway Excel inventories (the layout of bw2io's ``ExcelImporter``): export our model, import ours and others'.

API
---
``write_bw_excel(factory, path, year=2025, *, catalog=None)`` writes a factory as a Brightway Excel inventory
(atomically; openpyxl only, Brightway is not imported). ``read_bw_excel(path, functional_unit=None, *, sector=None,
site=None, system="micro-factory", year=2025, catalog=None)`` reads one with ``bw2io.ExcelImporter`` (parsing
only: no strategies are applied and nothing is written to any Brightway project; bw2data, which bw2io imports,
is pointed at the product's data directory by :mod:`lca_engine.bw`'s import guard). bw2io's own
``write_lci_excel`` cannot be used for the export: it reads a database from a project, so it would need a project
write per export, and it writes 16 significant digits and no uncertainty columns.

Layout of an export (one worksheet, named after the factory id)
----------------------------------------------------------------
``Database | <factory id>`` followed by metadata rows: ``lca.format`` (marks the file as ours), ``lca.year``
(the DESNZ background year linked to), ``lca.functional_unit.activity`` (code of the functional-unit activity),
then every factory-level field flattened with dots (``lca.name``, ``lca.sector``, ``lca.system``,
``lca.description``, ``lca.baseline``, ``lca.functional_unit.amount|unit|description``,
``lca.site.name|lat|lon|former_use``, ``lca.schema_version``) and inline sources as
``lca.sources[<id>].<field>``.

One ``Activity`` block per process (code = process id, ``reference product`` "<name>, per functional unit",
unit ``unit``, location ``GB``, type ``process``; metadata rows ``lca.record = process``, ``lca.index`` and the
process's own fields ``lca.id|name|stage|description``), then one functional-unit activity (code ``functional-unit``, or
``functional-unit-2``… if a process already uses that id) whose exchanges take 1 unit of every process. Every
process produces 1 unit = "one functional unit's worth of this process". Each exchange table has the Brightway
columns ``name, amount, unit, database, location, categories, type, input, uncertainty type, loc, minimum,
maximum`` and then our columns ``lca.*``.

Each of our flows is exactly one row carrying all its fields (``lca.record = flow``, ``lca.index`` = position
in the file, ``lca.id``, ``lca.from``, ``lca.to``, ``lca.kind``, ``lca.amount`` and ``lca.unit`` as written,
``lca.name``, ``lca.material``, ``lca.origin``, ``lca.background``, ``lca.substance``, ``lca.compartment``,
``lca.category``, ``lca.mass_per_unit``, ``lca.balance``, ``lca.source``, ``lca.assumption.reasoning|low|high``,
``lca.note``; defaults are left blank). The row sits in the activity of the process that receives the flow
(``to``), else of the process that emits it (``from``), else (no process at either end) in the functional-unit
activity. Its Brightway columns depend on what Brightway can say about the flow:

* purchase or waste/water treatment with ``background`` (one end a boundary node) → one ``technosphere``
  exchange per background key to ``desnz-<year>`` (the database our pipeline builds, which also holds the
  ``facts.*`` keys; ``input`` = ``desnz-<year>::<key>``, name/unit of the factor), amount converted with pint to
  the factor's unit; an assumption range becomes a triangular distribution (uncertainty type 5);
* emission with ``substance`` → ``biosphere`` exchange (database ``biosphere3``, name = substance, categories =
  compartment, kilogram), linked by bw2io by name + categories;
* water to ``environment`` compartment ``air`` (evaporation) → ``biosphere`` exchange ``Water`` (air), m3;
* everything else (internal flows between processes, products, flows without a background link, water
  abstraction, waste to a boundary node without a factor …) → an exchange of type ``lca-engine flow``, which is
  not a Brightway matrix type: bw2data stores it and ignores it in calculations. Its ``input`` is the supplying
  process for internal flows and the activity itself otherwise, so bw2io counts it as linked and
  ``write_database`` accepts the file as it is.

A flow that needs several Brightway exchanges (several background keys, or a background and a substance) has
them on further rows marked ``lca.derived = <flow id>`` (ignored on re-import). Names that bw2io would take for a
section marker ("Activity", "Exchanges" …) get " (name)" appended in the Brightway columns only.
Stocks are rows of type ``lca-engine stock`` (``lca.record = stock``) in their process's activity.

Losslessness: our ``lca.*`` cells are the record; Brightway columns are derived from them on export and ignored
on re-import (an edited Brightway amount of an ``lca-engine`` row is reported as a warning: edit ``lca.*``).
Values survive Excel, openpyxl and bw2io's CSV-style transformations (strip, "::" → tuple, "true" → bool,
numeric text → float, "(Unknown)" dropped): strings those would change (empty, leading/trailing blanks, "::",
"true"/"false", numeric-looking, "(Unknown)", leading "=", control characters, "_xHHHH_"), lists (several
background keys) and floats that a 16-significant-digit writer would round are written as ``lca-json:<JSON>``
(":" escaped as ``\u003a``). Hence ``read_bw_excel(write_bw_excel(f)) == f`` for every model (tested on every
example and on a model made of awkward values) — even after a trip through Brightway (bw2io import with its
default strategies → bw2data → bw2io ``write_lci_excel`` → ``read_bw_excel``). Not kept: TOML comments and
formatting (the model holds none), and edits made only in the Brightway columns.

Foreign files (no ``lca.format``)
---------------------------------
The user names the functional-unit activity (name or code; if omitted, the only activity that no other activity
consumes is used) and gives ``sector`` and ``site``, which a Brightway file does not hold. Links inside the file
follow ``input`` (``db::code``), else ``database`` + ``code``, else the name (narrowed by reference product,
location, unit). Scaling is solved from the file's own exchanges: the square technosphere matrix among the
file's activities (diagonal = production, default 1; off-diagonal = minus technosphere inputs from other activities
of the file, cycles allowed) times s = one unit of the functional-unit activity's product. Each activity with
non-zero scaling becomes a process (id = its code, made id-safe) whose flows are its exchanges times its scaling,
in the exchange's own unit. Kinds are inferred as follows (documented rule):

* ``production`` of the functional-unit activity → ``product`` to ``market`` (amount = 1 functional unit);
* ``technosphere`` from another activity of the file → internal flow supplier → consumer, named after the
  supplier's reference product, kind by the unit rule below;
* link to ``desnz-<year>`` (by ``input`` code, ``code`` column, factor name or key) — or, for exchanges with no
  database at all (bw2io's own ``write_lci_excel`` writes none) that match no activity of the file, a DESNZ
  factor of the ``year`` argument with exactly that name → ``background`` = that key;
  kind and direction from the key: ``material.*`` purchase (origin from the route: primary → virgin,
  closed_loop → recycled, reused → reused), ``waste.<material>.<route>`` → ``waste`` to landfill / recycling
  (open and closed loop) / energy_recovery / composting (and anaerobic digestion), ``water.supply`` → water
  purchase, ``water.treatment`` → water to wastewater_treatment, fuels and electricity → energy, freight →
  transport;
* any other database → a purchase from ``market`` without background (with an ``ExcelImportWarning``); kind from
  the unit's dimension: energy → energy, mass × distance → transport, volume or mass named "water…" → water,
  mass / count / area / other volume → material (origin: "recycled"/"secondary" in the name → recycled,
  "reused"/"second-hand" → reused, else virgin, noted on the flow);
* ``biosphere`` to air / water / soil in mass units → ``emission`` (substance = name, compartment = first
  category); ``Water`` in volume to air/water → ``water`` to environment; natural resources: water → ``water``
  from environment (surface / ground water from the sub-category), energy → ``energy`` from environment;
  anything else (land occupation, radioactivity …) is left out with a warning.

Negative amounts are imported with a note on the flow: internal ones reversed (consumer supplies supplier),
negative links to DESNZ waste factors (ecoinvent-style waste treatment) as the outflow they mean, and negative
purchases (avoided products) as an outflow to market without background, with a warning.

Every imported flow cites one inline source that describes the file (title = file name, publisher "as stated in
the file", licence "unknown — check before use").
"""

from __future__ import annotations

import json
import math
import re
import warnings
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, get_args

import numpy as np
from pydantic import ValidationError

from .. import atomic
from ..background.catalog import Catalog, load_catalog
from ..errors import InventoryError, LcaEngineError, Problem, UnitError
from ..inventory import field_path
from ..model import BOUNDARY_NODES, SECTORS, Factory, Flow, FunctionalUnit, Process, Site, Source, Stock
from ..units import Q_, convert, parse_unit, ureg
from .project import default_data_dir
from .quiet import quiet

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
#: Brightway unit names ⇄ our pint spellings.
BW_UNITS = {
    "kg": "kilogram",
    "g": "gram",
    "t": "ton",
    "kWh": "kilowatt hour",
    "MJ": "megajoule",
    "kJ": "kilojoule",
    "GJ": "gigajoule",
    "MWh": "megawatt hour",
    "m3": "cubic meter",
    "L": "litre",
    "m2": "square meter",
    "m": "meter",
    "km": "kilometer",
    "t*km": "ton kilometer",
    "item": "unit",
}
_FROM_BW_UNITS = {v: k for k, v in BW_UNITS.items()} | {
    "tonne": "t",
    "metric ton": "t",
    "liter": "L",
    "cubic metre": "m3",
    "square metre": "m2",
    "metre": "m",
    "kilometre": "km",
    "tonne kilometer": "t*km",
    "ton kilometre": "t*km",
    "tonne kilometre": "t*km",
    "metric ton*km": "t*km",
    "kilogram kilometer": "kg*km",
    "units": "item",
    "item": "item",
    "items": "item",
    "piece": "item",
    "pieces": "item",
    "p": "item",
    "watt hour": "Wh",
    "kilowatthour": "kWh",
}
#: First cells that bw2io's ExcelImporter reads as section markers (must never start an exchange row).
_RESERVED = {"activity", "database", "project parameters", "database parameters", "exchanges", "parameters"}
_WASTE_ROUTES = {
    "landfill": "landfill",
    "closed_loop": "recycling",
    "open_loop": "recycling",
    "energy_recovery": "energy_recovery",
    "composting": "composting",
    "anaerobic_digestion": "composting",
}
_MATERIAL_ROUTES = {"primary": "virgin", "closed_loop": "recycled", "reused": "reused"}
_PRODUCTION = ("production", "generic production")
_CONSUMPTION = ("technosphere", "generic consumption", "substitution")


class ExcelImportWarning(UserWarning):
    """Something in a foreign Brightway file could not be carried over exactly (the message says what)."""


# --------------------------------------------------------------------------------------------- cell values
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
    return BW_UNITS.get(unit, unit)


# --------------------------------------------------------------------------------------------- export
def _default_catalog(year: int) -> Catalog:
    return load_catalog(year, cache_dir=default_data_dir() / "cache")


def _fu_code(factory: Factory) -> str:
    code, n = FU_CODE, 1
    while code in factory.process_ids():
        n += 1
        code = f"{FU_CODE}-{n}"
    return code


def _triangular(flow: Flow, scale: float) -> dict:
    a = flow.assumption
    if a is None or not (a.low < a.high and a.low <= flow.amount <= a.high) or scale <= 0:
        return {}
    return {"uncertainty type": 5, "loc": flow.amount * scale, "minimum": a.low * scale, "maximum": a.high * scale}


def _water_m3(flow: Flow) -> float:
    q = Q_(1.0, parse_unit(flow.unit))
    if q.check("[mass]"):
        return float((q / Q_(1.0, "kg/L")).to("m3").magnitude)
    return float(q.to("m3").magnitude)


def _bw_rows(flow: Flow, index: int, procs: set[str], catalog: Catalog) -> list[dict]:
    """Brightway exchange columns for one flow (empty list: no Brightway counterpart)."""
    if flow.from_ in procs and flow.to in procs:
        return []
    where = {"field": f"flows[{index}]"}
    rows: list[dict] = []
    try:
        for key in flow.background_keys:
            factor = catalog.get(key, where=where)
            scale = convert(1.0, flow.unit, factor.unit)
            db = f"desnz-{catalog.year}"
            rows.append(
                {
                    "name": _bw_name(factor.name),
                    "amount": flow.amount * scale,
                    "unit": _bw_unit(factor.unit),
                    "database": db,
                    "location": "GB",
                    "type": "technosphere",
                    "input": f"{db}::{factor.key}",
                    **_triangular(flow, scale),
                }
            )
        if flow.substance:
            scale = convert(1.0, flow.unit, "kg")
            rows.append(
                {
                    "name": _bw_name(flow.substance),
                    "amount": flow.amount * scale,
                    "unit": "kilogram",
                    "database": BIOSPHERE_DB,
                    "categories": flow.compartment or "air",
                    "type": "biosphere",
                    **_triangular(flow, scale),
                }
            )
        elif flow.kind == "water" and flow.to == "environment" and flow.compartment == "air":
            scale = _water_m3(flow)
            rows.append(
                {
                    "name": "Water",
                    "amount": flow.amount * scale,
                    "unit": "cubic meter",
                    "database": BIOSPHERE_DB,
                    "categories": "air",
                    "type": "biosphere",
                    **_triangular(flow, scale),
                }
            )
    except UnitError as exc:
        p = exc.problems[0]
        raise InventoryError(p.message, fix=p.fix, field=f"flows[{index}].unit") from None
    return rows


def _record(obj, kind: str, index: int | None = None) -> dict[str, Any]:
    data = obj.model_dump(by_alias=True, exclude_defaults=True, exclude_none=True)
    out = {f"{P}record": kind}
    if index is not None:
        out[f"{P}index"] = index
    out.update({P + k: v for k, v in _flatten(data).items()})
    return out


def _exchange_table(rows: list[dict]) -> list[list]:
    lca_cols: list[str] = []
    for r in rows:
        for k in r:
            if k.startswith(P) and k not in lca_cols:
                lca_cols.append(k)
    columns = BW_COLUMNS + lca_cols
    return [columns] + [[_enc(r.get(c)) if c.startswith(P) else r.get(c) for c in columns] for r in rows]


def _factory_rows(factory: Factory, catalog: Catalog) -> list[list]:
    db = factory.id
    procs = set(factory.process_ids())
    fu = _fu_code(factory)
    head = factory.model_dump(
        by_alias=True, exclude_defaults=True, exclude_none=True, exclude={"processes", "flows", "stocks", "sources"}
    )
    head["schema_version"] = factory.schema_version
    rows: list[list] = [
        ["Database", db],
        [f"{P}format", FORMAT],
        [f"{P}year", catalog.year],
        [f"{P}functional_unit.activity", _enc(fu)],
    ]
    rows += [[P + k, _enc(v)] for k, v in _flatten(head).items()]
    for sid, src in factory.sources.items():
        for k, v in src.model_dump(exclude_defaults=True).items():
            rows.append([f"{P}sources[{sid}].{k}", _enc(v)])
    rows.append([])

    owned: dict[str, list[dict]] = {p: [] for p in [*factory.process_ids(), fu]}
    for i, f in enumerate(factory.flows):
        owner = f.to if f.to in procs else f.from_ if f.from_ in procs else fu
        bw = _bw_rows(f, i, procs, catalog)
        rec = _record(f, "flow", i)
        if not bw:
            supplier = f.from_ if f.from_ in procs and f.to in procs else owner
            bw = [
                {
                    "name": _bw_name(f.name or f.id),
                    "amount": f.amount,
                    "unit": f.unit,
                    "database": db,
                    "type": FLOW_TYPE,
                    "input": f"{db}::{supplier}",
                }
            ]
        owned[owner].append({**bw[0], **rec})
        for extra in bw[1:]:
            owned[owner].append({**extra, f"{P}derived": f.id})
    for i, s in enumerate(factory.stocks):
        owner = s.process if s.process in procs else fu
        owned[owner].append(
            {
                "name": _bw_name(s.material or s.id),
                "amount": s.change,
                "unit": s.unit,
                "database": db,
                "type": STOCK_TYPE,
                "input": f"{db}::{owner}",
                **_record(s, "stock", i),
            }
        )

    names = {p.id: _bw_name(p.name.strip() or p.id) for p in factory.processes}
    for n, p in enumerate(factory.processes):
        rows += [
            ["Activity", names[p.id]],
            ["code", p.id],
            ["reference product", f"{names[p.id]}, per functional unit"],
            ["unit", "unit"],
            ["location", "GB"],
            ["type", "process"],
        ]
        rows += [[k, _enc(v)] for k, v in _record(p, "process", n).items()]
        production = {
            "name": names[p.id],
            "amount": 1.0,
            "unit": "unit",
            "database": db,
            "location": "GB",
            "type": "production",
            "input": f"{db}::{p.id}",
        }
        rows += [["Exchanges"], *_exchange_table([production, *owned[p.id]]), []]
    label = factory.functional_unit.label()
    rows += [
        ["Activity", _bw_name(f"{factory.name}, per {label}")],
        ["code", fu],
        ["reference product", _bw_name(factory.functional_unit.description)],
        ["unit", "unit"],
        ["location", "GB"],
        ["type", "process"],
        [f"{P}record", "functional unit"],
    ]
    fu_rows = [
        {
            "name": _bw_name(f"{factory.name}, per {label}"),
            "amount": 1.0,
            "unit": "unit",
            "database": db,
            "location": "GB",
            "type": "production",
            "input": f"{db}::{fu}",
        }
    ]
    fu_rows += [
        {
            "name": names[p.id],
            "amount": 1.0,
            "unit": "unit",
            "database": db,
            "location": "GB",
            "type": "technosphere",
            "input": f"{db}::{p.id}",
        }
        for p in factory.processes
    ]
    rows += [["Exchanges"], *_exchange_table(fu_rows + owned[fu])]
    return rows


def write_bw_excel(factory: Factory, path: str | Path, year: int = 2025, *, catalog: Catalog | None = None) -> None:
    """Write ``factory`` as a Brightway Excel inventory (one worksheet; layout in the module docstring).

    Background links go to database ``desnz-<year>``; ``catalog`` (that year's factor catalogue) is loaded
    from the shipped flat file if not given. The file is replaced atomically.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    catalog = catalog if catalog is not None else _default_catalog(year)
    if catalog.year != year:
        raise InventoryError(
            f"catalogue is for {catalog.year}, export asked for {year}", fix="pass the catalogue of the same year"
        )
    rows = _factory_rows(factory, catalog)
    wb = Workbook()
    ws = wb.active
    ws.title = factory.id[:31]
    bold = Font(bold=True)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if value is None:
                continue
            cell = ws.cell(row=r, column=c, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula
            if c == 1 and row[0] in ("Database", "Activity", "Exchanges"):
                cell.font = bold
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 40
    with atomic.atomic_path(path) as tmp:
        wb.save(tmp)


# --------------------------------------------------------------------------------------------- import
@dataclass
class _Block:
    sheet: str
    activity_row: int
    header_row: int | None = None
    exchange_rows: list[int] = field(default_factory=list)


class _Locator:
    """Worksheet row numbers of activities and exchanges, found the way bw2io's ExcelImporter walks the sheet."""

    def __init__(self, path: Path):
        self.path = path

    @cached_property
    def blocks(self) -> list[_Block]:
        from openpyxl import load_workbook

        out: list[_Block] = []
        try:
            wb = load_workbook(self.path, read_only=True, data_only=True)
        except Exception:
            return out
        for name in wb.sheetnames:
            rows = [[c.value for c in row] for row in wb[name].rows]
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
        wb.close()
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


def _read_importer(path: Path):
    """bw2io's ExcelImporter on ``path`` (parse only), with its failures turned into our errors."""
    where = {"file": str(path)}
    if not path.exists():
        raise InventoryError("file not found", fix="check the path", **where)
    if path.is_dir():
        raise InventoryError("is a directory, expected an .xlsx file", fix="name a file", **where)
    from openpyxl import load_workbook

    try:
        load_workbook(path, read_only=True).close()
    except Exception as exc:
        raise InventoryError(
            f"not an Excel workbook ({exc.__class__.__name__}: {exc})",
            fix="give a Brightway Excel inventory saved as .xlsx (Excel: File › Save As › Excel Workbook)",
            **where,
        ) from None
    with quiet(), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        from bw2io import ExcelImporter

        try:
            imp = ExcelImporter(str(path))
        except ValueError as exc:
            if "database" in str(exc).lower() and "section" in str(exc).lower():
                msg = "no 'Database' block" if "No" in str(exc) else "more than one 'Database' block"
                raise InventoryError(
                    f"{msg} (bw2io: {exc})",
                    fix="start the first worksheet with a row 'Database | <database name>' (exactly one per file)",
                    **where,
                ) from None
            raise InventoryError(f"bw2io cannot read the file: {exc}", fix="check the layout", **where) from None
        except AssertionError as exc:
            raise InventoryError(
                f"bw2io cannot read the file: {exc or 'a section has no name or an empty column label'}",
                fix="give every 'Database'/'Activity' row a name in column B and every table column a label",
                **where,
            ) from None
        except Exception as exc:
            raise InventoryError(
                f"bw2io cannot read the file ({exc.__class__.__name__}: {exc})",
                fix="check it against the Brightway Excel layout (Database block, Activity blocks with Exchanges)",
                **where,
            ) from None
    if not hasattr(imp, "db_name"):
        skipped = [str(w.message) for w in caught]
        raise InventoryError(
            "no worksheet with data: every sheet is empty, starts with an empty cell A1 or with 'skip'"
            + (f" ({'; '.join(skipped)})" if skipped else ""),
            fix="put the 'Database' row in cell A1 of the first worksheet",
            **where,
        )
    return imp


def read_bw_excel(
    path: str | Path,
    functional_unit: str | None = None,
    *,
    sector: str | None = None,
    site: Site | dict | None = None,
    system: str = "micro-factory",
    year: int = 2025,
    catalog: Catalog | None = None,
) -> Factory:
    """Read a Brightway Excel inventory into a :class:`Factory`.

    Our own exports come back as the identical model (``functional_unit`` may be omitted). A foreign file is
    converted per one unit of the ``functional_unit`` activity's product (name or code); it carries no sector or
    site, so pass ``sector`` (one of the six sectors) and ``site`` (``Site`` or ``{"name", "lat", "lon"}``).
    Exchanges to ``desnz-<y>`` link to that year's factors; exchanges with no database (as Brightway's own
    exporter writes them) that match no activity of the file are linked by factor name to ``year``'s factors.
    ``catalog``: a factor catalogue to use for its year (loaded from the shipped files if not given).
    Problems that make a flow impossible to carry over are reported as :class:`ExcelImportWarning`.
    """
    path = Path(path)
    imp = _read_importer(path)
    loc = _Locator(path)
    meta = {k: _dec(v) for k, v in (imp.metadata or {}).items()}
    if meta.get(f"{P}format") == FORMAT:
        return _read_own(path, imp, meta, loc, functional_unit)
    return _read_foreign(path, imp, meta, loc, functional_unit, sector, site, system, year, catalog)


# ------------------------------------------------------------------------------------------ own exports
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


def _lca(data: dict) -> dict:
    return {k[len(P) :]: _dec(v) for k, v in data.items() if isinstance(k, str) and k.startswith(P)}


def _read_own(path: Path, imp, meta: dict, loc: _Locator, functional_unit: str | None) -> Factory:
    fu_code = meta.get(f"{P}functional_unit.activity", FU_CODE)
    if functional_unit is not None:
        fu_names = {fu_code} | {ds.get("name") for ds in imp.data if ds.get("code") == fu_code}
        if functional_unit not in fu_names:
            raise InventoryError(
                f"this file is an lca-engine export whose functional-unit activity is '{fu_code}', "
                f"not '{functional_unit}'",
                fix="omit the functional unit for lca-engine exports",
                file=str(path),
            )
    head: dict[str, Any] = {}
    sources: dict[str, dict] = {}
    for k, v in meta.items():
        if not isinstance(k, str) or not k.startswith(P) or k in (f"{P}format", f"{P}year"):
            continue
        if k == f"{P}functional_unit.activity":
            continue
        m = re.fullmatch(rf"{re.escape(P)}sources\[(.*)\]\.(\w+)", k)
        if m:
            sources.setdefault(m.group(1), {})[m.group(2)] = v
        else:
            head[k[len(P) :]] = v
    data = _unflatten(head)
    data["sources"] = {sid: _coerce_strings(Source, s) for sid, s in sources.items()}
    for key, model in (("site", Site), ("functional_unit", FunctionalUnit)):
        if isinstance(data.get(key), dict):
            _coerce_strings(model, data[key])
    _coerce_strings(Factory, data)
    processes, flows, stocks = [], [], []
    problems: list[Problem] = []
    for a, ds in enumerate(imp.data):
        rec = _lca(ds)
        if rec.get("record") == "process":
            rec.pop("record")
            index = rec.pop("index", None)
            try:
                processes.append((index, Process.model_validate(_coerce_strings(Process, _unflatten(rec)))))
            except ValidationError as exc:
                problems += _validation_problems(exc, f"processes[{len(processes)}]", loc.where(a))
        for e, exc_data in enumerate(ds.get("exchanges", [])):
            rec = _lca(exc_data)
            kind = rec.pop("record", None)
            if kind not in ("flow", "stock") or "derived" in rec:
                continue
            index = rec.pop("index", None)
            model = Flow if kind == "flow" else Stock
            try:
                obj = model.model_validate(_coerce_strings(model, _unflatten(rec)))
            except ValidationError as err:
                problems += _validation_problems(err, f"{kind}s[{rec.get('id', '?')}]", loc.where(a, e))
                continue
            _check_bw_amount(obj, exc_data, loc.where(a, e))
            (flows if kind == "flow" else stocks).append((index, obj))
    if problems:
        raise InventoryError(problems)
    order = lambda item: (item[0] is None, item[0] if isinstance(item[0], int | float) else 0)  # noqa: E731
    data["processes"] = [p for _, p in sorted(processes, key=order)]
    data["flows"] = [f for _, f in sorted(flows, key=order)]
    data["stocks"] = [s for _, s in sorted(stocks, key=order)]
    try:
        return Factory.model_validate(data)
    except ValidationError as exc:
        raise InventoryError(_validation_problems(exc, "", {"file": f"{path} ['Database' block]"})) from None


def _check_bw_amount(obj, exc: dict, where: dict) -> None:
    """Warn when someone edited the Brightway amount of a row of ours: the lca.* cells are what counts."""
    want = obj.amount if isinstance(obj, Flow) else obj.change
    if exc.get("type") in ("technosphere", "biosphere"):  # amount in the Brightway unit: convert ours to it
        unit = _pint_unit(exc.get("unit"))
        try:
            want = convert(want, obj.unit, unit) if unit else None
        except LcaEngineError:
            want = None  # e.g. water given in kg, exported in m3: no plain conversion to compare with
    elif exc.get("type") not in (FLOW_TYPE, STOCK_TYPE):
        return
    got = exc.get("amount")
    if want is None or not isinstance(got, int | float) or isinstance(got, bool):
        return
    if not math.isclose(float(got), want, rel_tol=1e-9, abs_tol=1e-300):
        warnings.warn(
            f"{where.get('file')}:{where.get('line')}: the Brightway 'amount' {got} {exc.get('unit')} differs "
            f"from lca.amount {obj.amount if isinstance(obj, Flow) else obj.change} {obj.unit}; "
            "the lca.* cells are used (edit those)",
            ExcelImportWarning,
            stacklevel=4,
        )


# ----------------------------------------------------------------------------------------- foreign files
def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", str(text)).strip("_.-") or "x"


def _unique(base: str, taken: set[str]) -> str:
    out, n = base, 1
    while out in taken or out in BOUNDARY_NODES:
        n += 1
        out = f"{base}-{n}"
    taken.add(out)
    return out


def _pint_unit(unit: Any) -> str | None:
    """Brightway unit name (or a unit pint knows) → our unit string; None if not understood."""
    if not isinstance(unit, str) or not unit.strip():
        return None
    u = unit.strip()
    mapped = _FROM_BW_UNITS.get(u) or _FROM_BW_UNITS.get(u.lower())
    if mapped:
        return mapped
    try:
        parse_unit(u)
    except LcaEngineError:
        return None
    return u


def _dim(unit: str) -> str:
    return str(parse_unit(unit).dimensionality)


_ENERGY = str(ureg.get_dimensionality("[mass] * [length] ** 2 / [time] ** 2"))
_TRANSPORT = str(ureg.get_dimensionality("[mass] * [length]"))
_MASS = str(ureg.get_dimensionality("[mass]"))
_VOLUME = str(ureg.get_dimensionality("[length] ** 3"))
_MATERIAL_DIMS = {_MASS, str(ureg.get_dimensionality("[item]")), str(ureg.get_dimensionality("[length] ** 2")), _VOLUME}


def _kind_by_unit(unit: str, name: str) -> str | None:
    d = _dim(unit)
    if d == _ENERGY:
        return "energy"
    if d == _TRANSPORT:
        return "transport"
    if d in (_VOLUME, _MASS) and "water" in name.lower():
        return "water"
    if d in _MATERIAL_DIMS:
        return "material"
    return None


def _origin_by_name(name: str) -> str:
    low = name.lower()
    if "recycled" in low or "secondary" in low:
        return "recycled"
    if "reused" in low or "re-used" in low or "second-hand" in low:
        return "reused"
    return "virgin"


def _categories(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(c.strip() for c in value.split("::")) if value.strip() else ()
    if isinstance(value, list | tuple):
        return tuple(str(c) for c in value)
    return ()


def _split_input(value: Any) -> tuple[str, str] | None:
    if isinstance(value, str) and "::" in value:
        db, _, code = value.partition("::")
        return db.strip(), code.strip()
    if isinstance(value, list | tuple) and len(value) == 2:
        return str(value[0]), str(value[1])
    return None


class _Foreign:
    def __init__(self, path: Path, imp, loc: _Locator, catalog: Catalog | None, year: int):
        self.path, self.imp, self.loc, self.year = path, imp, loc, year
        self.db = str(imp.db_name)
        self.acts: list[dict] = list(imp.data)
        self.catalogs: dict[int, Catalog | None] = {catalog.year: catalog} if catalog is not None else {}
        self.warnings: list[str] = []
        self._links: dict[int, int | None] = {}
        self.by_code: dict[str, list[int]] = {}
        self.by_name: dict[Any, list[int]] = {}
        for i, ds in enumerate(self.acts):
            if ds.get("code") not in (None, ""):
                self.by_code.setdefault(str(ds["code"]), []).append(i)
            self.by_name.setdefault(ds.get("name"), []).append(i)

    # -------------------------------------------------------------------- helpers
    def warn(self, where: dict, message: str) -> None:
        self.warnings.append(f"{where.get('file')}:{where.get('line')}: {message}")

    def catalog(self, year: int) -> Catalog | None:
        if year not in self.catalogs:
            try:
                self.catalogs[year] = _default_catalog(year)
            except LcaEngineError:
                self.catalogs[year] = None
        return self.catalogs[year]

    def check_columns(self) -> None:
        problems = []
        for a, ds in enumerate(self.acts):
            excs = ds.get("exchanges", [])
            if not excs:
                continue
            columns = set().union(*(e.keys() for e in excs))
            for col in ("name", "amount", "unit", "type"):
                if col in columns:
                    continue
                problems.append(
                    Problem(
                        f"the exchange table of activity '{ds.get('name')}' has no '{col}' column",
                        fix=f"add a '{col}' column (Brightway exchange columns: name, amount, unit, type, database,"
                        " categories, location)",
                        **self.loc.where(a, header=True),
                    )
                )
            for e, exc in enumerate(excs):
                missing = [c for c in ("name", "amount", "unit", "type") if c in columns and c not in exc]
                if missing:
                    problems.append(
                        Problem(
                            f"exchange of activity '{ds.get('name')}' has no {', '.join(missing)}",
                            fix="fill in the cell(s), or delete the row",
                            **self.loc.where(a, e),
                        )
                    )
                elif not isinstance(_number(exc.get("amount")), float):
                    problems.append(
                        Problem(
                            f"exchange '{exc.get('name')}' has a non-numeric amount {exc.get('amount')!r}",
                            fix="write a plain number (formulas are not evaluated)",
                            **self.loc.where(a, e),
                        )
                    )
        if problems:
            raise InventoryError(problems)

    def internal_link(self, a: int, exc: dict) -> int | None:
        """Index of the file's activity an exchange points to, or None if it points outside the file."""
        key = id(exc)
        if key not in self._links:
            self._links[key] = self._link(a, exc)
        return self._links[key]

    def _link(self, a: int, exc: dict) -> int | None:
        linked = _split_input(exc.get("input"))
        db, code = linked if linked else (exc.get("database"), exc.get("code"))
        if db not in (None, "", self.db):
            return None
        if code not in (None, ""):
            hits = list(self.by_code.get(str(code), []))
        else:
            hits = list(self.by_name.get(exc.get("name"), []))
            for field_name in ("reference product", "location", "unit"):
                if len(hits) > 1 and exc.get(field_name) is not None:
                    hits = [i for i in hits if self.acts[i].get(field_name) == exc.get(field_name)] or hits
        if len(hits) == 1:
            return hits[0]
        e = next(i for i, x in enumerate(self.acts[a]["exchanges"]) if x is exc)
        if not hits and db == self.db:
            raise InventoryError(
                f"technosphere exchange '{exc.get('name')}' points to database '{self.db}' but no activity of the "
                "file has that " + ("code" if code not in (None, "") else "name"),
                fix="correct the name (or input/code) so that it matches an 'Activity' block of the file",
                **self.loc.where(a, e),
            )
        if len(hits) > 1:
            raise InventoryError(
                f"technosphere exchange '{exc.get('name')}' matches {len(hits)} activities of the file",
                fix="add 'reference product', 'location' or 'code' columns to tell them apart",
                **self.loc.where(a, e),
            )
        return None

    def find_fu(self, functional_unit: str | None) -> int:
        names = [str(ds.get("name")) for ds in self.acts]
        if not self.acts:
            raise InventoryError(
                "the file has a 'Database' block but no 'Activity' blocks",
                fix="add Activity blocks with their Exchanges",
                file=str(self.path),
            )
        if functional_unit is None:
            consumed = {
                self.internal_link(a, e)
                for a, ds in enumerate(self.acts)
                for e in ds.get("exchanges", [])
                if e.get("type") in _CONSUMPTION
            }
            roots = [i for i in range(len(self.acts)) if i not in consumed]
            if len(roots) == 1:
                return roots[0]
            raise InventoryError(
                "name the functional-unit activity: the file has "
                + ("no activity that others do not consume" if not roots else f"{len(roots)} candidates"),
                fix="pass functional_unit= (CLI: --functional-unit) with one of: "
                + ", ".join(repr(names[i]) for i in (roots or range(len(names))))[:600],
                file=str(self.path),
            )
        hits = [i for i, ds in enumerate(self.acts) if functional_unit in (ds.get("name"), str(ds.get("code", "")))]
        if not hits:
            hits = [
                i
                for i, ds in enumerate(self.acts)
                if functional_unit.strip().lower() in (str(ds.get("name", "")).lower(), str(ds.get("code", "")).lower())
            ]
        if len(hits) == 1:
            return hits[0]
        if not hits:
            raise InventoryError(
                f"no activity named '{functional_unit}' in database '{self.db}'",
                fix="use the name (column B of an 'Activity' row) or code of one of: "
                + ", ".join(repr(n) for n in names)[:600],
                file=str(self.path),
            )
        raise InventoryError(
            f"{len(hits)} activities are named '{functional_unit}'",
            fix="name the activity by its code: " + ", ".join(repr(str(self.acts[i].get("code"))) for i in hits),
            file=str(self.path),
        )

    def scaling(self, fu: int) -> np.ndarray:
        n = len(self.acts)
        A = np.zeros((n, n))
        has_production = [False] * n
        for j, ds in enumerate(self.acts):
            for exc in ds.get("exchanges", []):
                t, amount = exc.get("type"), _number(exc.get("amount"))
                if t in _PRODUCTION:
                    i = self.internal_link(j, exc) if (exc.get("input") or exc.get("database")) else j
                    if i is None or i == j:
                        A[j, j] += amount
                        has_production[j] = True
                elif t in _CONSUMPTION:
                    i = self.internal_link(j, exc)
                    if i is not None:
                        A[i, j] += amount if t == "substitution" else -amount
        for j in range(n):
            if not has_production[j]:
                A[j, j] += 1.0  # Brightway's implicit production of 1
        f = np.zeros(n)
        f[fu] = 1.0
        singular = InventoryError(
            f"the technosphere matrix of the {n} activities in '{self.db}' is singular: the functional unit's "
            "supply chain has no unique solution",
            fix="check production amounts (none may be 0) and loops that consume all of their own output",
            file=str(self.path),
        )
        try:
            if np.linalg.cond(A) > 1e12:
                raise singular
            s = np.linalg.solve(A, f)
        except np.linalg.LinAlgError:
            raise singular from None
        if not np.all(np.isfinite(s)):
            raise singular
        return s

    # -------------------------------------------------------------------- conversion
    def convert(self, fu: int, sector, site, system) -> Factory:
        s = self.scaling(fu)
        used = [j for j in range(len(self.acts)) if abs(s[j]) > 1e-15]
        left_out = [str(self.acts[j].get("name")) for j in range(len(self.acts)) if j not in used]
        if left_out:
            self.warn(
                {"file": str(self.path)},
                f"activities outside the functional unit's supply chain are left out: {', '.join(left_out)}",
            )
        taken: set[str] = set()
        pid = {j: _unique(_slug(self.acts[j].get("code") or self.acts[j].get("name")), taken) for j in used}
        source_id = "bw-excel-" + _slug(self.path.stem).lower()
        fu_ds = self.acts[fu]
        fu_unit = _pint_unit(fu_ds.get("unit", "unit"))
        if fu_unit is None:
            raise InventoryError(
                f"unit '{fu_ds.get('unit')}' of the functional-unit activity is not understood",
                fix="use a Brightway unit name such as unit, kilogram, square meter, cubic meter",
                **self.loc.where(fu),
            )
        flows: list[dict] = []
        flow_ids: set[str] = set()
        for j in used:
            ds = self.acts[j]
            for e, exc in enumerate(ds.get("exchanges", [])):
                flow = self.flow(j, e, exc, s[j], pid, fu)
                if flow is None:
                    continue
                flow["id"] = _unique(f"{pid[j]}.{_slug(flow.pop('_id'))[:48]}", flow_ids)
                flow["source"] = source_id
                flows.append(flow)
        flows.append(
            {
                "id": _unique(f"{pid[fu]}.product", flow_ids),
                "from": pid[fu],
                "to": "market",
                "kind": "product",
                "amount": 1.0,
                "unit": fu_unit,
                "name": str(fu_ds.get("reference product") or fu_ds.get("name")),
                "source": source_id,
                "note": "the functional unit: one unit of the activity's reference product",
            }
        )
        processes = [
            {
                "id": pid[j],
                "name": str(self.acts[j].get("name", "")),
                **({"description": str(self.acts[j]["comment"])} if self.acts[j].get("comment") else {}),
            }
            for j in used
        ]
        site_data = site.model_dump() if isinstance(site, Site) else site
        meta_desc = self.imp.metadata.get("description") if self.imp.metadata else None
        data = {
            "id": _slug(self.db),
            "name": self.db,
            "sector": sector,
            "system": system,
            "description": (
                f"Imported from the Brightway Excel file '{self.path.name}' (database '{self.db}'), per one unit of "
                f"'{fu_ds.get('name')}'" + (f". {meta_desc}" if isinstance(meta_desc, str) else ".")
            ),
            "site": site_data,
            "functional_unit": {
                "amount": 1.0,
                "unit": fu_unit,
                "description": str(fu_ds.get("reference product") or fu_ds.get("name")),
            },
            "processes": processes,
            "flows": flows,
            "sources": {
                source_id: {
                    "publisher": "as stated in the file",
                    "title": self.path.name,
                    "licence": "unknown — check before use",
                    "note": f"Brightway Excel database '{self.db}', imported by lca-engine; flow amounts are the "
                    "file's exchanges times each activity's scaling to one functional unit.",
                }
            },
        }
        try:
            return Factory.model_validate(data)
        except ValidationError as exc:
            raise InventoryError(_validation_problems(exc, "", {"file": str(self.path)})) from None

    def flow(self, j: int, e: int, exc: dict, scale: float, pid: dict[int, str], fu: int) -> dict | None:
        where = self.loc.where(j, e)
        t = exc.get("type")
        name = str(exc.get("name"))
        if t in _PRODUCTION:
            return None  # the functional unit's product is added once; other products are the internal flows
        if t not in (*_CONSUMPTION, "biosphere"):
            self.warn(where, f"exchange '{name}' of type '{t}' is not a Brightway matrix type: left out")
            return None
        unit = _pint_unit(exc.get("unit"))
        if unit is None:
            self.warn(where, f"exchange '{name}': unit '{exc.get('unit')}' is not understood: left out")
            return None
        amount = _number(exc["amount"]) * scale
        if t == "substitution":
            amount = -amount
        me = pid[j]
        note = f"{exc.get('amount')} {exc.get('unit')} in the file × scaling {scale:.6g}"
        base = {"_id": name, "name": name, "unit": unit}
        if t == "biosphere":
            return self.biosphere(base, exc, amount, me, note, where)
        i = self.internal_link(j, exc)
        if i is not None:
            if i not in pid:  # supplier not needed by the FU (cannot happen with s from the same matrix)
                return None
            product = str(exc.get("reference product") or self.acts[i].get("reference product") or name)
            base = {**base, "_id": product, "name": product}
            kind = _kind_by_unit(unit, product) or "material"
            src, dst = pid[i], me
            if amount < 0:
                src, dst, amount = dst, src, -amount
                note += "; negative in the file: direction reversed"
            return {**base, "from": src, "to": dst, "kind": kind, "amount": amount, "note": note}
        db = str(exc.get("database") or (_split_input(exc.get("input")) or ("",))[0])
        m = re.fullmatch(r"desnz-(\d{4})", db)
        if m:
            return self.background(base, exc, int(m.group(1)), amount, me, note, where)
        if not db:  # Brightway's own exporter writes no 'database' column: match DESNZ factors by name
            catalog = self.catalog(self.year)
            if catalog is not None and self.factor_key(exc, base["name"], catalog):
                note += f"; linked by name to desnz-{self.year}"
                return self.background(base, exc, self.year, amount, me, note, where)
            self.warn(
                where,
                f"exchange '{name}' matches no activity of the file and no DESNZ {self.year} factor by name: "
                "imported without a background factor, so its upstream impact is not counted",
            )
            return self.purchase(base, amount, me, note + "; no database given, no match: no background", where)
        self.warn(
            where,
            f"exchange '{name}' links to database '{db}', which lca-engine does not have: imported without a "
            "background factor, so its upstream impact is not counted",
        )
        return self.purchase(base, amount, me, note + f"; database '{db}' not available: no background", where)

    @staticmethod
    def factor_key(exc: dict, name: str, catalog: Catalog) -> str | None:
        linked = _split_input(exc.get("input"))
        candidates = [linked[1]] if linked else []
        candidates += [str(exc["code"])] if exc.get("code") else []
        by_name = {f.name.lower(): k for k, f in catalog.factors.items()}
        candidates += [by_name.get(name.lower(), ""), name]
        return next((c for c in candidates if c in catalog.factors), None)

    def purchase(self, base: dict, amount: float, me: str, note: str, where: dict, kind: str | None = None) -> dict:
        kind = kind or _kind_by_unit(base["unit"], base["name"])
        if kind is None:
            self.warn(where, f"exchange '{base['name']}' in '{base['unit']}' has no matching flow kind: left out")
            return None
        out = {**base, "from": "market", "to": me, "kind": kind, "amount": amount, "note": note}
        if kind == "material":
            out["origin"] = out.get("origin") or _origin_by_name(base["name"])
            if "origin" not in base:
                out["note"] += f"; origin '{out['origin']}' inferred from the name"
        if amount < 0:
            self.warn(where, f"exchange '{base['name']}' is negative (avoided product): imported as an outflow")
            out.update({"from": me, "to": "market", "amount": -amount})
            out.pop("origin", None)
            out.pop("background", None)
            out["note"] += "; negative in the file (avoided product): reversed, no background"
        return out

    def background(self, base: dict, exc: dict, year: int, amount: float, me: str, note: str, where: dict):
        catalog = self.catalog(year)
        if catalog is None:
            self.warn(where, f"no DESNZ background for {year}: '{base['name']}' imported without a factor")
            return self.purchase(base, amount, me, note + f"; desnz-{year} not available", where)
        key = self.factor_key(exc, base["name"], catalog)
        if key is None:
            raise InventoryError(
                f"exchange '{base['name']}' links to desnz-{year}, but no DESNZ {year} factor has that name or key",
                fix=f"use a factor key or name listed by `lca-engine factors --year {year}`",
                **where,
            )
        factor = catalog.factors[key]
        if _dim(base["unit"]) != _dim(factor.unit):
            raise InventoryError(
                f"exchange '{base['name']}' is in '{exc.get('unit')}', but factor {key} is per {factor.unit}",
                fix=f"give the amount in a unit of the same kind as {factor.unit}",
                **where,
            )
        base = {**base, "_id": key.removeprefix("desnz.").replace(".", "_"), "background": key}
        parts = key.removeprefix("desnz.").split(".")
        if parts[0] == "waste" or key == "desnz.water.treatment":
            node = "wastewater_treatment" if parts[0] == "water" else _WASTE_ROUTES.get(parts[-1], "landfill")
            if amount < 0:
                amount = -amount
                note += "; negative in the file (waste treatment convention): taken as the outflow"
            kind = "water" if parts[0] == "water" else "waste"
            return {**base, "from": me, "to": node, "kind": kind, "amount": amount, "note": note}
        kind = {"material": "material", "freight": "transport", "water": "water"}.get(parts[0]) or _kind_by_unit(
            base["unit"], base["name"]
        )
        if parts[0] == "material":
            base["origin"] = _MATERIAL_ROUTES.get(parts[-1], "virgin")
        return self.purchase(base, amount, me, note, where, kind=kind)

    def biosphere(self, base: dict, exc: dict, amount: float, me: str, note: str, where: dict) -> dict | None:
        cats = _categories(exc.get("categories"))
        top = cats[0] if cats else ""
        d = _dim(base["unit"])
        name = base["name"]
        if len(cats) > 1:
            note += f"; categories {'::'.join(cats)} taken as '{top}'"
        if amount < 0:
            self.warn(where, f"biosphere exchange '{name}' is negative: not representable, left out")
            return None
        if top in ("air", "water", "soil"):
            if d == _MASS:
                return {
                    **base,
                    "from": me,
                    "to": "environment",
                    "kind": "emission",
                    "substance": name,
                    "compartment": top,
                    "amount": amount,
                    "note": note,
                }
            if d == _VOLUME and name.lower().startswith("water"):
                return {
                    **base,
                    "from": me,
                    "to": "environment",
                    "kind": "water",
                    "compartment": top,
                    "amount": amount,
                    "note": note,
                }
        elif top == "natural resource":
            sub = cats[1].lower() if len(cats) > 1 else ""
            if "water" in name.lower() and d in (_VOLUME, _MASS):
                comp = "ground water" if "ground" in sub or "well" in name.lower() else "surface water"
                return {
                    **base,
                    "from": "environment",
                    "to": me,
                    "kind": "water",
                    "compartment": comp,
                    "amount": amount,
                    "note": note,
                }
            if d == _ENERGY:
                comp = "air" if "air" in sub or not sub else "soil" if "ground" in sub else "air"
                return {
                    **base,
                    "from": "environment",
                    "to": me,
                    "kind": "energy",
                    "compartment": comp,
                    "amount": amount,
                    "note": note,
                }
        self.warn(
            where,
            f"biosphere exchange '{name}' ({'::'.join(cats) or 'no category'}, {exc.get('unit')}) "
            "has no counterpart in the lca-engine model: left out",
        )
        return None


def _number(value: Any) -> float | None:
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


def _read_foreign(path, imp, meta, loc, functional_unit, sector, site, system, year, catalog) -> Factory:
    conv = _Foreign(path, imp, loc, catalog, year)
    conv.check_columns()
    missing = []
    if sector is None and meta.get("sector") in SECTORS:
        sector = meta["sector"]
    if sector is None:
        missing.append(
            Problem(
                "a foreign Brightway file does not say which sector the factory is in",
                fix="pass sector= (CLI: --sector) with one of: " + ", ".join(repr(s) for s in SECTORS),
                file=str(path),
            )
        )
    if site is None:
        missing.append(
            Problem(
                "a foreign Brightway file does not give the factory's site",
                fix="pass site={'name': …, 'lat': …, 'lon': …} (CLI: --site 'Ebbw Vale,51.78,-3.21')",
                file=str(path),
            )
        )
    if missing:
        raise InventoryError(missing)
    fu = conv.find_fu(functional_unit)
    factory = conv.convert(fu, sector, site, system)
    for message in conv.warnings:
        warnings.warn(message, ExcelImportWarning, stacklevel=3)
    return factory


__all__ = ["ExcelImportWarning", "read_bw_excel", "write_bw_excel"]
