"""``lca-engine foreground import``: a factory modelled in openLCA (JSON-LD), SimaPro (CSV) or Brightway (Excel)
written as our TOML inventory, with the file's own provenance (issue 18)."""

from __future__ import annotations

from pathlib import Path

import typer

from ..errors import LcaEngineError
from ..vocabulary import MICRO_FACTORY, SYSTEMS
from .common import DataDirOpt, _print_warnings, app, err, out, problems_text, styled

foreground_app = typer.Typer(
    no_args_is_help=True,
    rich_markup_mode=None,
    help="Import a factory modelled in another tool (openLCA JSON-LD, SimaPro CSV, Brightway Excel) as an inventory.",
)
app.add_typer(foreground_app, name="foreground")

#: lca_engine.foreground_import.FORMATS (not imported here: start-up time)
FORMATS_HELP = "excel, jsonld or simapro (default: detected from the file)."
#: a file that cannot become an inventory: exit 1 ("invalid", as validate, import-excel and background import);
#: a command line that cannot be read (e.g. --site) is a usage error: exit 2, as click gives for its own
EXIT_INVALID = 1
EXIT_USAGE = 2


def parse_site(site: str | None) -> dict | None:
    """'Name,lat,lon' → the site; a usage error (exit 2) otherwise."""
    if not site:
        return None
    parts = [p.strip() for p in site.split(",")]
    if len(parts) != 3:
        err.print('--site must be "Name,lat,lon", e.g. "Merthyr Tydfil,51.7487,-3.3816"')
        raise typer.Exit(EXIT_USAGE)
    try:
        return {"name": parts[0], "lat": float(parts[1]), "lon": float(parts[2])}
    except ValueError:
        err.print("--site: lat and lon must be numbers")
        raise typer.Exit(EXIT_USAGE) from None


def _refuse(exc: LcaEngineError) -> None:
    err.print(styled(exc.heading(), "bold red", ":"))
    err.print(problems_text(exc.problems))
    raise typer.Exit(EXIT_INVALID)


@foreground_app.command("import")
def import_(
    path: Path = typer.Argument(..., help="The export: a JSON-LD folder or .zip, a SimaPro .csv, an .xlsx workbook."),
    out_file: Path = typer.Option(..., "--out", help="Inventory TOML file to write."),
    fmt: str | None = typer.Option(None, "--format", help=FORMATS_HELP),
    functional_unit: str | None = typer.Option(
        None,
        "--functional-unit",
        help="The process (name or id) whose product is the functional unit, or the openLCA product system "
        "(default: the product system, else the only process no other consumes).",
    ),
    sector: str | None = typer.Option(None, "--sector", help="Sector of the factory (the files do not say)."),
    site: str | None = typer.Option(None, "--site", help='Site as "Name,lat,lon" (the files do not say).'),
    system: str = typer.Option(MICRO_FACTORY, "--system", help=" or ".join(SYSTEMS) + "."),
    year: int = typer.Option(2025, "--year", help="DESNZ background year exchanges are linked to by name."),
    licence: str | None = typer.Option(
        None, "--licence", help="Licence of the data (default: 'unknown — check before use')."
    ),
    background: str | None = typer.Option(
        None,
        "--background",
        help="An imported background: exchanges whose provider is not in the file link to it where it has that "
        "provider (by the openLCA provider's id, else by product and location).",
    ),
    data_dir: Path | None = DataDirOpt,
) -> None:
    """Read PATH into our per-functional-unit model and write it as TOML, with an inline source describing the file."""
    import warnings

    from ..background.catalog import load_catalog
    from ..bw.foreground import ForeignImportWarning
    from ..bw.project import activate
    from ..foreground_import import read_foreground
    from ..inventory import save
    from ..load import check_factory

    site_dict = parse_site(site)
    try:
        d = activate(data_dir)
        catalog = load_catalog(year, cache_dir=d.cache)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ForeignImportWarning)
            factory = read_foreground(
                path, format=fmt, functional_unit=functional_unit, sector=sector, site=site_dict, system=system,
                year=year, licence=licence, background=background, catalog=catalog,
            )  # fmt: skip
        for w in caught:
            if issubclass(w.category, ForeignImportWarning):
                err.print(styled("import warning:", "yellow", f" {w.message}"))
        checked = check_factory(factory, catalog=catalog, strict_balance=False)
        save(factory, out_file)
        _print_warnings(checked.warnings)
    except LcaEngineError as exc:
        _refuse(exc)
    out.print(f"wrote {out_file}: {factory.name} — {len(factory.processes)} processes, {len(factory.flows)} flows")
