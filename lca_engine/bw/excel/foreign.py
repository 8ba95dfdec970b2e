"""A foreign Brightway Excel inventory: bw2io's parse, checked per sheet/row, handed to the foreground converter."""

from __future__ import annotations

from pathlib import Path

from ...background.catalog import Catalog
from ...errors import InventoryError, Problem
from ...model import SECTORS
from ..foreground import ForegroundFormat, ForeignFile, to_factory
from .cells import ExcelImportWarning, _Locator
from .params import evaluate_parameters

#: The exchange columns every foreign exchange table needs ('unit' may be left out where the linked activity
#: gives it, as in Brightway: the converter says where it cannot).
REQUIRED = ("name", "amount", "type")


def _check_columns(acts: list[dict], loc: _Locator) -> None:
    """Each activity's exchange table has the required columns (named at the table's header row)."""
    problems = []
    for a, ds in enumerate(acts):
        excs = ds.get("exchanges", [])
        columns = set().union(*(e.keys() for e in excs)) if excs else set(REQUIRED)
        problems += [
            Problem(
                f"the exchange table of activity '{ds.get('name')}' has no '{col}' column",
                fix=f"add a '{col}' column (Brightway exchange columns: name, amount, unit, type, database,"
                " categories, location)",
                **loc.where(a, header=True),
            )
            for col in REQUIRED
            if col not in columns
        ]
    if problems:
        raise InventoryError(problems)


def _foreign_file(path: Path, imp, loc: _Locator) -> ForeignFile:
    if not imp.data:
        raise InventoryError(
            "the file has a 'Database' block but no 'Activity' blocks",
            fix="add Activity blocks with their Exchanges",
            file=str(path),
        )
    from bw2io.strategies import normalize_units

    meta = imp.metadata or {}
    description = meta.get("description")
    return ForeignFile(
        path=path,
        format=ForegroundFormat.EXCEL,
        database=str(imp.db_name),
        activities=normalize_units(list(imp.data)),  # bw2io's unit names ('kg' → 'kilogram')
        locator=loc,
        provenance={"title": path.name, **({"description": description} if isinstance(description, str) else {})},
    )


def _read_foreign(path, imp, meta, loc, functional_unit, sector, site, system, year, catalog: Catalog | None):
    _check_columns(list(imp.data), loc)
    evaluate_parameters(path, imp, loc.sheets, loc)
    foreign = _foreign_file(path, imp, loc)
    if sector is None and meta.get("sector") in SECTORS:
        sector = meta["sector"]
    return to_factory(
        foreign,
        functional_unit=functional_unit,
        sector=sector,
        site=site,
        system=system,
        year=year,
        catalog=catalog,
        warning=ExcelImportWarning,
    )
