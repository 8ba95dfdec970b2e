"""``export``: an inventory and its baseline in a format other LCA tools read (LCAx, openLCA JSON-LD, Brightway
Excel with uncertainty columns)."""

from __future__ import annotations

from pathlib import Path

import typer

from ..errors import LcaEngineError
from .common import DataDirOpt, _fail, app, err, out

#: the values of lca_engine.export.ExportFormat (not imported here: start-up time; a test checks they agree)
FORMATS_HELP = "lcax (results per EN 15804 module), jsonld (openLCA JSON-LD) or excel (Brightway Excel)."
_WHAT = {
    "lcax": "LCAx project (results per EN 15804 module, cradle to gate)",
    "jsonld": "openLCA JSON-LD zip (processes, flows, background links)",
    "excel": "Brightway Excel workbook (with uncertainty columns)",
}


@app.command("export")
def export(
    file: Path = typer.Argument(..., help="Inventory TOML file; LCAx and JSON-LD include the baseline it names."),
    fmt: str = typer.Option(..., "--format", help=FORMATS_HELP),
    out_file: Path = typer.Option(..., "--out", help="File to write (replaced if it exists)."),
    year: int = typer.Option(2025, "--year", help="DESNZ background year."),
    data_dir: Path | None = DataDirOpt,
) -> None:
    """Write results (LCAx) or the inventory (openLCA JSON-LD, Brightway Excel) for other LCA tools."""
    from ..export import ExportFormat
    from ..export.run import export_file

    try:
        chosen = ExportFormat(fmt.strip().lower())
    except ValueError:
        err.print(f"--format must be one of: {', '.join(ExportFormat)} (got '{fmt}')")
        raise typer.Exit(2) from None
    try:
        written = export_file(file, chosen, out_file, year=year, data_dir=data_dir)
    except LcaEngineError as exc:
        _fail(exc)
    out.print(f"wrote {written.path}: {_WHAT[written.format]} of {', '.join(written.factories)}")
