"""A factory modelled in another tool becomes our inventory: ``read_foreground`` (and ``lca-engine foreground
import``) for Brightway Excel, openLCA JSON-LD (a folder or its zip) and SimaPro CSV.

The format is named or detected; the file is read by its reader (:mod:`lca_engine.bw.foreground.read`) and
converted per functional unit by :func:`lca_engine.bw.foreground.to_factory` (Brightway Excel goes through
:func:`lca_engine.bw.excel.read_bw_excel`, as ``import-excel`` does). Where the file states its functional unit as
an amount (an openLCA product system's target amount, e.g. 2,914,841 kg), every flow is scaled to it. The inline
source states what the file says about itself, with its SHA-256; the licence is the one given, else
"unknown — check before use".
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import InventoryError
from .model import MICRO_FACTORY, Factory, Site

#: the formats, as ``lca_engine.bw.foreground.ForegroundFormat`` names them (not imported here: Brightway)
FORMATS = ("excel", "jsonld", "simapro")


def read_foreground(
    path: str | Path,
    *,
    format: str | None = None,
    functional_unit: str | None = None,
    sector: str | None = None,
    site: Site | dict | None = None,
    system: str = MICRO_FACTORY,
    year: int = 2025,
    licence: str | None = None,
    background: str | None = None,
    catalog=None,
) -> Factory:
    """The factory modelled in ``path`` (see the module docstring); problems the conversion meets but can carry
    over are warned as :class:`lca_engine.bw.foreground.ForeignImportWarning`. ``background``: an imported
    background that exchanges whose provider is not in the file link to, where it has that provider
    (:mod:`lca_engine.bw.foreground.background`; JSON-LD and SimaPro)."""
    path = Path(path).expanduser()
    request = Request(functional_unit, sector, site, system, year, licence, background, catalog)
    fmt = _format(path, format)
    return _excel(path, request) if fmt == "excel" else _foreign(path, fmt, request)


@dataclass(frozen=True)
class Request:
    """What the user states that the file does not: functional unit, sector, site, system, year, licence."""

    functional_unit: str | None
    sector: str | None
    site: Site | dict | None
    system: str
    year: int
    licence: str | None
    background: str | None
    catalog: object


def _excel(path: Path, r: Request) -> Factory:
    """Brightway Excel through :func:`lca_engine.bw.excel.read_bw_excel` (as ``import-excel``)."""
    from .bw.excel import read_bw_excel

    if r.background:
        raise InventoryError(
            "--background is for openLCA and SimaPro files: a Brightway Excel file names its providers' database in "
            "its exchanges",
            fix="write the background's database (bg-<NAME>) in the exchanges' 'database' column, or leave out "
            "--background",
            file=str(path),
            field="background",
        )
    factory = read_bw_excel(path, r.functional_unit, sector=r.sector, site=r.site, system=r.system, year=r.year,
                            catalog=r.catalog)  # fmt: skip
    return with_licence(factory, r.licence)


def _foreign(path: Path, fmt: str, r: Request) -> Factory:
    """openLCA JSON-LD or SimaPro CSV: the format's reader, biosphere3 names, the background, the converter."""
    from .bw.foreground import to_factory
    from .bw.foreground.elementary import to_biosphere3
    from .bw.foreground.read import readers

    got = readers()[fmt]().read(path, r.functional_unit)
    to_biosphere3(got.foreign, _cache(r.catalog))
    catalog = r.catalog
    if r.background:
        from .bw.foreground.background import link_background
        from .bw.foreground.convert import default_catalog

        catalog = catalog or default_catalog(r.year)
        link_background(got.foreign, r.background, catalog.links)
    factory = to_factory(
        got.foreign, functional_unit=got.functional_unit, sector=r.sector, site=r.site, system=r.system,
        year=r.year, catalog=catalog, licence=r.licence,
    )  # fmt: skip
    return scaled(factory, got.amount, got.stated) if got.amount != 1.0 else factory


def _cache(catalog) -> Path | None:
    """The data folder's cache (bw2io's tables are kept there), if there is one."""
    from .bw.project import default_data_dir

    root = catalog.links.root if catalog is not None and catalog.links is not None else default_data_dir()
    return Path(root) / "cache" if (Path(root) / "cache").is_dir() else None


def _format(path: Path, named: str | None):
    """The format named (checked against the file) or detected; errors name the path and what to give."""
    if not path.exists():
        raise InventoryError("file or folder not found", fix="check the path", file=str(path))
    from .bw.foreground.read import detect, readers

    found = detect(path)
    if named is not None and named not in FORMATS:
        raise InventoryError(f"unknown format {named!r}", fix=f"use one of {', '.join(FORMATS)}", field="format")
    if named is None and found is None:
        raise InventoryError(
            "not a foreground in any format this command reads",
            fix="give one of: a Brightway Excel workbook (.xlsx); "
            + "; ".join(c.expects for c in readers().values())
            + " (or name it with --format)",
            file=str(path),
        )
    if named is not None and found is not None and found.value != named:
        raise InventoryError(
            f"not {named} data: it looks like {found.value}", fix=f"use --format {found.value}", file=str(path)
        )
    if named is not None and found is None:
        expects = "a Brightway Excel workbook (.xlsx)" if named == "excel" else readers()[named].expects
        raise InventoryError(f"not {named} data", fix=f"give {expects}", file=str(path))
    return found.value


def scaled(factory: Factory, amount: float, stated: str) -> Factory:
    """``factory`` per ``amount`` of its functional unit (the file's own functional unit): every flow and its
    assumption range × amount."""
    data = factory.model_dump(by_alias=True, exclude_none=True)
    for f in data["flows"]:
        f["amount"] *= amount
        f["note"] = f"{f.get('note', '')}; × {amount:.10g} ({stated})".lstrip("; ")
        if f.get("assumption"):
            f["assumption"]["low"] *= amount
            f["assumption"]["high"] *= amount
    data["functional_unit"]["amount"] = amount
    return Factory.model_validate(data)


def with_licence(factory: Factory, licence: str | None) -> Factory:
    """The licence stated by the user on the file's inline sources (the Excel reader takes none)."""
    if not licence:
        return factory
    sources = {k: v.model_copy(update={"licence": licence}) for k, v in factory.sources.items()}
    return factory.model_copy(update={"sources": sources})
