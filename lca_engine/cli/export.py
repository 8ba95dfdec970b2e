"""``export``: an inventory and its baseline in a format other LCA tools read (LCAx, openLCA JSON-LD, Brightway
Excel with uncertainty columns)."""

from __future__ import annotations

from pathlib import Path

import typer

from ..errors import LcaEngineError
from ..export import ExportFormat
from .common import DataDirOpt, _fail, app, out

_WHAT = {
    ExportFormat.LCAX: "LCAx project (results per EN 15804 module, cradle to gate)",
    ExportFormat.JSONLD: "openLCA JSON-LD zip (processes, flows, background links)",
    ExportFormat.EXCEL: "Brightway Excel workbook (with uncertainty columns)",
}


@app.command("export")
def export(
    file: Path = typer.Argument(..., help="Inventory TOML file; LCAx and JSON-LD include the baseline it names."),
    fmt: ExportFormat = typer.Option(..., "--format", help="lcax, jsonld or excel.", case_sensitive=False),
    out_file: Path = typer.Option(..., "--out", help="File to write (replaced if it exists)."),
    year: int = typer.Option(2025, "--year", help="DESNZ background year."),
    data_dir: Path | None = DataDirOpt,
) -> None:
    """Write results (LCAx) or the inventory (openLCA JSON-LD, Brightway Excel) for other LCA tools."""
    from ..export.run import export_file

    try:
        written = export_file(file, fmt, out_file, year=year, data_dir=data_dir)
    except LcaEngineError as exc:
        _fail(exc)
    out.print(f"wrote {written.path}: {_WHAT[written.format]} of {', '.join(written.factories)}")
