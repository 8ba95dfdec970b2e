"""Importer for the official DESNZ GHG conversion factor *flat files* (xlsx).

Reads the sheet "Factors by Category" as published, so that next year's file can be dropped in unchanged.
Returns a tidy DataFrame; selection of the factors the product uses is done by :mod:`.catalog`.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pandas as pd

from ..errors import BackgroundError

SHEET = "Factors by Category"
_COLUMNS = ["id", "scope", "level1", "level2", "level3", "level4", "column_text", "uom", "ghg_unit", "value"]


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read_flat_file(path: str | Path) -> pd.DataFrame:
    """All rows of a DESNZ flat file as a tidy table (strings stripped, blanks as '', value float or NaN)."""
    path = Path(path)
    try:
        raw = pd.read_excel(path, sheet_name=SHEET, header=None, dtype=object, engine="openpyxl")
    except FileNotFoundError:
        raise BackgroundError("DESNZ flat file not found", fix="check [files] in desnz.toml", file=str(path)) from None
    except ValueError as exc:
        raise BackgroundError(
            f"not a DESNZ flat file ({exc})",
            fix=f"use the official flat-format workbook with a sheet '{SHEET}'",
            file=str(path),
        ) from None
    header_rows = raw.index[raw.iloc[:, 0].astype(str).str.strip() == "ID"]
    if len(header_rows) == 0:
        raise BackgroundError(
            "no header row starting with 'ID' found", fix="use the official flat file", file=str(path), field=SHEET
        )
    h = header_rows[0]
    header = [str(c).strip() for c in raw.iloc[h].tolist()]
    value_col = next((c for c in header if re.fullmatch(r"GHG Conversion Factor \d{4}", c)), None)
    if value_col is None or len(header) < 10:
        raise BackgroundError(
            f"unexpected header {header}", fix="use the official flat file", file=str(path), field=SHEET
        )
    year = int(value_col[-4:])
    body = raw.iloc[h + 1 :, :10].copy()
    body.columns = _COLUMNS
    body = body[body["id"].notna()]
    for col in _COLUMNS[:-1]:
        body[col] = body[col].map(lambda v: "" if pd.isna(v) else str(v).strip())
    body["value"] = pd.to_numeric(body["value"], errors="coerce")
    body["year"] = year
    return body.reset_index(drop=True)
