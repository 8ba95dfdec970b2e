"""Export one inventory file (and the baseline it names) in a format other LCA tools read: the API behind
``lca-engine export``. I/O at this edge; the writers are in the format modules."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import ExportError, ExportFormat


@dataclass(frozen=True)
class Written:
    """What an export wrote: the file and the factories in it (the file's own first)."""

    path: Path
    format: ExportFormat
    factories: tuple[str, ...]


def _load(file: Path, year: int, data_dir: Path | None):
    """The file's checked factory and its baseline's, the file's first, with the year's catalogue."""
    from ..assess import load_many
    from ..background.catalog import load_catalog
    from ..bw.project import activate

    catalog = load_catalog(year, cache_dir=activate(data_dir).cache)
    checked, _ = load_many([file], catalog, strict_balance=False)
    own = next(c for c in checked.values() if Path(c.file).resolve() == Path(file).resolve())
    return [own.factory, *(c.factory for c in checked.values() if c is not own)], catalog


def export_file(file: Path, fmt: ExportFormat, out: Path, *, year: int = 2025, data_dir: Path | None = None):
    """Write ``file`` as ``fmt`` to ``out``: LCAx and JSON-LD with the baseline the file names, Brightway Excel
    the file's factory alone (one database per workbook)."""
    out = Path(out)
    if out.is_dir():
        raise ExportError(f"{out} is a folder", fix="give the path of the file to write", file=str(out))
    factories, catalog = _load(file, year, data_dir)
    if fmt is ExportFormat.EXCEL:
        factories = factories[:1]
    write = _writer(fmt, factories, catalog, year, data_dir)
    try:
        write(out)
    except OSError as exc:
        raise ExportError(
            f"cannot write {out}: {exc.strerror or exc}", fix="choose a folder you can write to", file=str(out)
        ) from None
    return Written(out, fmt, tuple(f.id for f in factories))


def _writer(fmt: ExportFormat, factories: list, catalog, year: int, data_dir: Path | None):
    """A function writing the export to a path; LCAx assesses first (errors there are not write errors)."""
    if fmt is ExportFormat.EXCEL:
        from ..bw.excel import write_bw_excel

        return lambda out: write_bw_excel(factories[0], out, year=year, catalog=catalog)
    if fmt is ExportFormat.JSONLD:
        from .jsonld import write_jsonld

        return lambda out: write_jsonld(factories, catalog, out)
    from ..assess import assess
    from .lcax import write_lcax

    result = assess(*factories[:2], year=year, data_dir=data_dir, strict_balance=False)
    return lambda out: write_lcax(result.results, factories, out, year)
