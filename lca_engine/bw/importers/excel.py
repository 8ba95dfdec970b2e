"""Brightway Excel (the layout of bw2io's ``ExcelImporter``) as a background: parameters, formulas and product nodes.

The workbook is read within the limits by :mod:`lca_engine.bw.excel.sheets` and its layout checked at sheet and row
(:mod:`lca_engine.bw.excel.layout`), as ``lca-engine import-excel`` does. Parameters and formulas are evaluated by
Brightway itself, as for a foreground (:func:`lca_engine.bw.excel.params.evaluate_parameters`: bw2io writes them
with ``activate_parameters=True`` into a scratch project in a child process and bw2data recalculates, with its
group rules), so a background and a foreground read from one workbook have the same amounts; the stored
background holds the numbers and the project no parameters. A parameter or formula Brightway cannot evaluate is
refused at its sheet and row, naming the parameter and the names it cannot resolve, before anything is written.
What bw2io's strategies leave unlinked is linked inside the workbook by name, unit and location; Brightway 2.5
``product`` nodes are then folded into the processes that make them (:mod:`.excel_products`), so bw2calc's matrix
is square and an inventory links the process; an exchange without a unit takes its input's (:mod:`.excel_units`).
"""

from __future__ import annotations

from pathlib import Path

from ...background.import_errors import WorkbookError
from ...background.imported import BackgroundFormat
from ...errors import InventoryError
from .base import Importer
from .excel_products import fold_products, tag, untag
from .excel_units import fill_units, link_unitless


def rename_database(data: list[dict], old: str, new: str) -> list[dict]:
    """The workbook's own database name → the background's (activities and the exchanges that name it)."""
    for ds in data:
        ds["database"] = new
        for e in ds.get("exchanges", []):
            if e.get("database") in (old, None) and e.get("type") in ("production", "technosphere", "substitution"):
                e["database"] = new
    return data


class Excel(Importer):
    format = BackgroundFormat.EXCEL
    expects = "a Brightway Excel workbook (.xlsx, the layout of bw2io's ExcelImporter)"

    @classmethod
    def detect(cls, path: Path) -> bool:
        return path.is_file() and path.suffix.lower() == ".xlsx"

    def importer(self, path: Path, database: str):
        from ..excel.cells import _Locator
        from ..excel.layout import check_layout
        from ..excel.params import evaluate_parameters
        from ..excel.sheets import importer, read_sheets

        try:
            sheets = read_sheets(path)
            check_layout(path, sheets)
            imp = importer(path, sheets)
            loc = _Locator(path, sheets)
            evaluate_parameters(path, imp, sheets, loc)
        except InventoryError as exc:  # the workbook's own sheet/row problems, as a background-import error
            raise WorkbookError(exc.problems) from None
        tag(imp.data)
        imp.data = rename_database(imp.data, imp.db_name, database)
        imp.db_name = database
        imp.strategies += [_link_by_name_unit_location(), link_unitless, *_checked(loc)]
        return imp


#: What bw2io's Excel strategies leave unlinked, linked inside the workbook as bw2io's documentation does it
#: (``match_database(fields=...)``): its default hash also takes reference product and categories, which an
#: exchange row rarely repeats, so a production or an input named after its activity stayed unlinked.
LINK_FIELDS = ("name", "unit", "location")


def _link_by_name_unit_location():
    from functools import partial

    from bw2io.strategies import link_iterable_by_fields

    return partial(
        link_iterable_by_fields, internal=True, fields=LINK_FIELDS, edge_kinds=["production", "technosphere"]
    )


def _checked(loc) -> list:
    """The strategies that need the rows' tags (product nodes, then units), and the one that takes the tags off."""

    def fold_product_nodes(data):
        return fold_products(data, loc)

    def units_from_the_linked_activity(data):
        return fill_units(data, loc)

    def untagged(data):
        untag(data)
        return data

    return [fold_product_nodes, units_from_the_linked_activity, untagged]
