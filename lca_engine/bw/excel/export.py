"""Write a factory as a Brightway (bw2io) Excel inventory, linked to the DESNZ background of one year and to the
activities of imported backgrounds (``NAME:…`` links: the background's own database and code)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ... import atomic
from ...background.catalog import Catalog, Factor
from ...errors import InventoryError, UnitError
from ...model import Factory, Flow, Stock
from ...units import Q_, convert, parse_unit
from .cells import (
    BIOSPHERE_DB,
    BW_COLUMNS,
    FLOW_TYPE,
    FORMAT,
    FU_CODE,
    STOCK_TYPE,
    P,
    _bw_name,
    _bw_unit,
    _default_catalog,
    _enc,
    _flatten,
)


def _fu_code(factory: Factory) -> str:
    code, n = FU_CODE, 1
    while code in factory.process_ids():
        n += 1
        code = f"{FU_CODE}-{n}"
    return code


#: stats_arrays' parameters as bw2io's ExcelImporter reads them, every one a column (blank where the
#: distribution does not use it): an assumption's range is a triangular distribution (type 5, loc = the amount).
UNCERTAINTY_COLUMNS = ["uncertainty type", "loc", "scale", "shape", "minimum", "maximum"]
TRIANGULAR = 5
COLUMNS = [c for c in BW_COLUMNS if c not in UNCERTAINTY_COLUMNS] + UNCERTAINTY_COLUMNS


def _triangular(record: Flow | Stock, scale: float = 1.0) -> dict:
    """The distribution columns of a flow or stock with an assumption range, in the row's unit (× ``scale``)."""
    a, amount = record.assumption, record.amount if isinstance(record, Flow) else record.change
    if a is None or not (a.low < a.high and a.low <= amount <= a.high) or scale <= 0:
        return {}
    return {"uncertainty type": TRIANGULAR, "loc": amount * scale, "minimum": a.low * scale, "maximum": a.high * scale}


def _water_m3(flow: Flow) -> float:
    q = Q_(1.0, parse_unit(flow.unit))
    if q.check("[mass]"):
        return float((q / Q_(1.0, "kg/L")).to("m3").magnitude)
    return float(q.to("m3").magnitude)


def _activity_columns(factor: Factor, catalog: Catalog) -> dict:
    """Name, unit, database, location and input of the Brightway activity a background key names: an imported
    background's own activity (its database and code, as ``lca-engine background import`` wrote them), else the
    factor's activity in ``desnz-<year>`` (code = key)."""
    if factor.database and catalog.links is not None:  # (only a catalogue with links gives a linked factor)
        act = catalog.links.resolve(factor.key).activity
        return {
            "name": _bw_name(act.name),
            "unit": act.unit,
            "database": factor.database,
            "location": act.location,
            "input": f"{factor.database}::{factor.code}",
        }
    db = f"desnz-{catalog.year}"
    return {
        "name": _bw_name(factor.name),
        "unit": _bw_unit(factor.unit),
        "database": db,
        "location": "GB",
        "input": f"{db}::{factor.key}",
    }


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
            rows.append(
                {
                    **_activity_columns(factor, catalog),
                    "amount": flow.amount * scale,
                    "type": "technosphere",
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
    columns = COLUMNS + lca_cols
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
                    **_triangular(f),
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
                **_triangular(s),
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
