"""Brightway Excel interchange commands: export-excel, import-excel."""

from __future__ import annotations

from pathlib import Path

import typer

from ..errors import LcaEngineError
from ..vocabulary import MICRO_FACTORY, SYSTEMS
from .common import DataDirOpt, _fail, _print_warnings, app, err, out, styled


@app.command("export-excel")
def export_excel(
    file: Path = typer.Argument(..., help="Inventory TOML file."),
    out_file: Path = typer.Option(..., "--out", help="Brightway Excel file to write (.xlsx)."),
    year: int = typer.Option(2025, "--year", help="DESNZ background year the links point to (desnz-<year>)."),
    data_dir: Path | None = DataDirOpt,
) -> None:
    """Write an inventory as a Brightway (bw2io) Excel inventory; our own exports re-import losslessly."""
    from ..background.catalog import load_catalog
    from ..bw.excel import write_bw_excel
    from ..bw.project import DataDir, default_data_dir
    from ..load import load_checked

    try:
        catalog = load_catalog(year, cache_dir=DataDir(data_dir or default_data_dir()).cache)
        factory = load_checked(file, catalog=catalog, strict_balance=False).factory
        write_bw_excel(factory, out_file, year=year, catalog=catalog)
    except LcaEngineError as exc:
        _fail(exc)
    out.print(f"wrote {out_file} ({len(factory.processes)} processes, {len(factory.flows)} flows)")


@app.command("import-excel")
def import_excel(
    file: Path = typer.Argument(..., help="Brightway Excel inventory (.xlsx)."),
    out_file: Path = typer.Option(..., "--out", help="Inventory TOML file to write."),
    functional_unit: str | None = typer.Option(
        None,
        "--functional-unit",
        help="Name of the activity that is the functional unit (needed for files not written by lca-engine).",
    ),
    sector: str | None = typer.Option(None, "--sector", help="Sector of the factory (foreign files)."),
    site: str | None = typer.Option(None, "--site", help='Site as "Name,lat,lon" (foreign files).'),
    system: str = typer.Option(MICRO_FACTORY, "--system", help=" or ".join(SYSTEMS) + "."),
    year: int = typer.Option(2025, "--year"),
    data_dir: Path | None = DataDirOpt,
) -> None:
    """Read a Brightway (bw2io) Excel inventory into our per-functional-unit model and save it as TOML."""
    import warnings

    from ..background.catalog import load_catalog
    from ..bw.excel import ExcelImportWarning, read_bw_excel
    from ..bw.project import activate
    from ..inventory import save
    from ..load import check_factory
    from .foreground import parse_site

    site_dict = parse_site(site)
    try:
        d = activate(data_dir)
        catalog = load_catalog(year, cache_dir=d.cache)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ExcelImportWarning)
            factory = read_bw_excel(
                file, functional_unit, sector=sector, site=site_dict, system=system, year=year, catalog=catalog
            )
        for w in caught:
            if issubclass(w.category, ExcelImportWarning):
                err.print(styled("import warning:", "yellow", f" {w.message}"))
        save(factory, out_file)
        checked = check_factory(factory, catalog=catalog, strict_balance=False)
        _print_warnings(checked.warnings)
    except LcaEngineError as exc:
        _fail(exc)
    out.print(f"wrote {out_file}: {factory.name} — {len(factory.processes)} processes, {len(factory.flows)} flows")
