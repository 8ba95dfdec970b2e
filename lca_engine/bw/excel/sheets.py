"""Read a workbook once, within the limits, and hand the rows to bw2io's ExcelImporter.

The archive is measured before openpyxl opens it (:func:`lca_engine.limits.check_xlsx`: compressed size, total
decompressed size from the zip directory, declared sizes verified with a byte cap); the sheets are then streamed
(openpyxl read-only mode) with rows and cells counted, stopping at the limit. The same rows serve bw2io and the
row locator, so the file is parsed once. bw2io's ``process_activities`` copies the rest of the sheet for every
activity (``ws[index:]``: quadratic in rows); :func:`importer` gives each activity only its own rows.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from ...errors import InventoryError
from ...limits import LIMITS, Limits, check_xlsx, sheet_limit_error

Sheets = list[tuple[str, list[list[Any]]]]


@dataclass
class _Count:
    rows: int = 0
    cells: int = 0


def read_sheets(path: Path, limits: Limits = LIMITS) -> Sheets:
    """Every worksheet as rows of cell values (strings stripped, error cells None), as bw2io's extractor gives."""
    check_xlsx(path, limits)
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types on a file that is not a workbook
        raise InventoryError(
            f"not an Excel workbook ({exc.__class__.__name__}: {exc})",
            fix="give a Brightway Excel inventory saved as .xlsx (Excel: File › Save As › Excel Workbook)",
            file=str(path),
        ) from None
    count = _Count()
    try:
        return [(name, _rows(wb[name], str(path), count, limits)) for name in wb.sheetnames]
    except InventoryError:
        raise
    except Exception as exc:  # a damaged sheet XML
        raise InventoryError(
            f"a worksheet cannot be read ({exc.__class__.__name__}: {exc})",
            fix="open the file in Excel and save it again as .xlsx",
            file=str(path),
        ) from None
    finally:
        wb.close()


def _rows(ws, file: str, count: _Count, limits: Limits) -> list[list[Any]]:
    out = []
    for row in ws.rows:
        count.rows += 1
        count.cells += len(row)
        if count.rows > limits.xlsx_rows or count.cells > limits.xlsx_cells:
            raise sheet_limit_error(file, ws.title, count.rows, count.cells, limits)
        out.append([_value(c) for c in row])
    return out


def _value(cell) -> Any:
    if getattr(cell, "data_type", None) == "e":
        return None
    v = cell.value
    return v.strip() if isinstance(v, str) else v


def importer(path: Path, sheets: Sheets):
    """bw2io's ExcelImporter on rows already read (parse only: no strategies, nothing written)."""
    return _importer_class()(path, sheets)


@cache
def _importer_class():
    from bw2io import ExcelImporter

    class _Importer(ExcelImporter):
        def __init__(self, path: Path, sheets: Sheets):
            self.extractor = SimpleNamespace(extract=lambda filepath, sheet_name=None: sheets)
            super().__init__(str(path))

        def process_activities(self, data):
            """As bw2io's, but each activity gets its own rows (bw2io slices the whole rest of the sheet)."""
            results = []
            for sn, ws in data:
                ws = _cut(ws)
                if not any(line for line in ws):
                    warnings.warn(f"All data cutoff in worksheet {sn}", stacklevel=2)
                    continue
                starts = [i for i, line in enumerate(ws) if _new_activity(line)]
                for k, start in enumerate(starts):
                    end = starts[k + 1] if k + 1 < len(starts) else len(ws)
                    results.append(self.get_activity(sn, ws[start:end]))
            return results

    return _Importer


def _new_activity(row: list) -> bool:
    return len(row) > 1 and isinstance(row[0], str) and isinstance(row[1], str) and row[0].strip().lower() == "activity"


def _cut(ws: list[list]) -> list[list]:
    """bw2io's 'cutoff' row: keep only the first N columns."""
    if isinstance(ws[0][0], str) and ws[0][0].lower() == "cutoff":
        try:
            cutoff = int(ws[0][1])
        except (TypeError, ValueError, IndexError):
            raise ValueError("Can't understand cutoff index") from None
        return [x[:cutoff] for x in ws]
    return ws
