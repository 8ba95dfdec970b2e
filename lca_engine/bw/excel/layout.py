"""What a workbook is, decided on its rows before bw2io reads it: the conditions bw2io's ExcelImporter would fail
on (no readable sheet, no or several 'Database' rows, a 'cutoff' row that cuts every column) as user errors at
their sheet and row, and the two kinds of workbook that are not inventories (an LCIA method table; a sheet of
plain values) named as such. bw2io's own rules: a sheet is read only if cell A1 is text other than 'skip'; the
database is the row whose first cell is 'Database' (any case); 'cutoff | N' in A1/B1 keeps the first N columns.
"""

from __future__ import annotations

from typing import Any

from ...errors import InventoryError
from .sheets import Sheets

#: The columns of bw2io's ExcelLCIAImporter table (characterisation factors), lower case.
LCIA_COLUMNS = {"name", "categories", "amount"}


def _readable(rows: list[list[Any]]) -> bool:
    return bool(rows) and bool(rows[0]) and hasattr(rows[0][0], "lower") and rows[0][0].lower() != "skip"


def _where(path, sheet: str, row: int | None = None) -> dict:
    return {"file": f"{path} [sheet '{sheet}']", **({"line": row} if row else {})}


def check_layout(path, sheets: Sheets) -> None:
    """Raise :class:`InventoryError` when bw2io could not read ``sheets`` as one inventory (see module doc)."""
    readable = [(name, rows) for name, rows in sheets if _readable(rows)]
    if not readable:
        raise _unreadable(path, sheets)
    databases = [(name, i) for name, rows in readable for i, row in enumerate(rows, 1) if _is_database(row)]
    if not databases:
        raise _no_database(path, readable)
    if len(databases) > 1:
        raise InventoryError(
            f"more than one 'Database' block (rows {', '.join(f'{s}:{i}' for s, i in databases)})",
            fix="keep exactly one row 'Database | <database name>' per file",
            **_where(path, *databases[1]),
        )
    for name, rows in readable:
        _check_cutoff(path, name, rows)


def _is_database(row: list) -> bool:
    return bool(row) and hasattr(row[0], "lower") and row[0].lower() == "database"


def _unreadable(path, sheets: Sheets) -> InventoryError:
    filled = [(name, rows) for name, rows in sheets if any(any(v is not None for v in r) for r in rows)]
    if not filled:
        return InventoryError(
            "no worksheet with data: every sheet is empty",
            fix="put the 'Database' row in cell A1 of the first worksheet",
            file=str(path),
        )
    name, rows = filled[0]
    first = rows[0][0] if rows and rows[0] else None
    if first is None or isinstance(first, str):
        what = "has an empty cell A1" if first is None else "starts with 'skip'"
    else:
        what = (
            f"has {first!r} in cell A1, not text: a sheet of plain values or formulas, not a Brightway Excel inventory"
        )
    return InventoryError(
        f"no worksheet with data: every sheet is empty, starts with an empty cell A1 or with 'skip' (sheet "
        f"'{name}' {what})",
        fix="put the 'Database' row in cell A1 of the first worksheet, then 'Activity' blocks with their 'Exchanges'",
        **_where(path, name, 1),
    )


def _no_database(path, readable: list) -> InventoryError:
    name, rows = readable[0]
    header = {str(v).strip().lower() for v in rows[0] if v is not None}
    if LCIA_COLUMNS <= header:
        return InventoryError(
            f"this is an LCIA method workbook (a table of characterisation factors: {', '.join(sorted(header))}; "
            "the layout of bw2io's ExcelLCIAImporter), not an inventory: it has no 'Database' block",
            fix="import an inventory workbook ('Database' row, 'Activity' blocks with 'Exchanges'); lca-engine's "
            "indicators and their methods are fixed (`lca-engine indicators`)",
            **_where(path, name, 1),
        )
    return InventoryError(
        "no 'Database' block",
        fix="start the first worksheet with a row 'Database | <database name>' (exactly one per file)",
        **_where(path, name),
    )


def _check_cutoff(path, name: str, rows: list[list[Any]]) -> None:
    if rows[0][0].lower() != "cutoff":
        return
    value = rows[0][1] if len(rows[0]) > 1 else None
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise InventoryError(
            f"cell A1 'cutoff' needs a whole number of columns in B1, found {value!r}",
            fix="write in B1 the number of the first column bw2io should ignore (e.g. 10 keeps columns A to I)",
            **_where(path, name, 1),
        )
    if int(value) < 2:
        raise InventoryError(
            f"cell A1 'cutoff' with B1 = {int(value)} tells bw2io to keep only the first {int(value)} column(s): "
            "every 'Activity' row and exchange table of the sheet is cut away, so nothing of it is read",
            fix="set B1 to the number of the first column to ignore (at least the exchange table's width), or "
            "delete the cutoff row",
            **_where(path, name, 1),
        )
