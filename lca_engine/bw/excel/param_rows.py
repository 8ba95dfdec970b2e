"""Where each parameter of a workbook is written: (level, activity index, name) → sheet and row.

Walks the sheets as bw2io's ExcelImporter does (sheets starting with an empty A1 or 'skip' are not read; a new
'Activity' row with a name starts the next activity), and reads each parameter table: 'Project parameters',
'Database parameters', and an activity's 'Parameters'.
"""

from __future__ import annotations

from .sheets import Sheets

_SECTIONS = {"project parameters": "project", "database parameters": "database", "parameters": "activity"}
_ENDS = {"database", "exchanges", "activity"}


def parameter_rows(sheets: Sheets, path: str = "") -> dict[tuple[str, int | None, str], dict]:
    out: dict[tuple[str, int | None, str], dict] = {}
    activity = -1
    for sheet, rows in sheets:
        if not rows or not rows[0] or not isinstance(rows[0][0], str) or rows[0][0].lower() == "skip":
            continue
        section, header = None, None
        for i, row in enumerate(rows, start=1):
            first = row[0].strip().lower() if row and isinstance(row[0], str) else None
            if first == "activity" and len(row) > 1 and isinstance(row[1], str):
                activity += 1
            if first in _SECTIONS:
                section, header = _SECTIONS[first], None
            elif first in _ENDS:
                section = None
            elif section and header is None and any(v is not None for v in row):
                header = [str(v).strip().lower() if v is not None else "" for v in row]
            elif section and header and "name" in header and len(row) > header.index("name"):
                name = row[header.index("name")]
                if name not in (None, ""):
                    key = (section, activity if section == "activity" else None, str(name))
                    out[key] = {"file": f"{path} [sheet '{sheet}']", "line": i}
    return out
