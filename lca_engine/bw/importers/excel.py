"""Brightway Excel (the layout of bw2io's ``ExcelImporter``), parameters and formulas evaluated in memory.

The workbook is read within the limits by :mod:`lca_engine.bw.excel.sheets` (as ``lca-engine import-excel`` does).
bw2io evaluates parameters only when it writes them into the project's parameter tables (``activate_parameters``);
here project, database and activity parameters are evaluated with bw2parameters (what bw2io uses) and each exchange
with a formula gets its amount from it, so the stored background holds numbers and the project no parameters.
"""

from __future__ import annotations

from pathlib import Path

from ...background.imported import BackgroundFormat
from .base import Importer


def _values(params: list[dict], known: dict) -> dict:
    from bw2parameters import ParameterSet

    return {**known, **ParameterSet({p["name"]: dict(p) for p in params}, dict(known)).evaluate()} if params else known


def evaluate_formulas(imp) -> None:
    """Every exchange with a ``formula``: its amount from the formula, with project, database and activity
    parameters in scope (each level may use the ones above it)."""
    from bw2parameters import Interpreter

    known = _values(getattr(imp, "database_parameters", None) or [], _values(imp.project_parameters or [], {}))
    for ds in imp.data:
        scope = _values(ds.get("parameters") or [], known)
        for e in ds.get("exchanges", []):
            if e.get("formula"):
                interpreter = Interpreter()
                interpreter.symtable.update(scope)
                e["amount"] = float(interpreter(e["formula"]))


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
        from ..excel.sheets import importer, read_sheets

        imp = importer(path, read_sheets(path))
        imp.data = rename_database(imp.data, imp.db_name, database)
        imp.db_name = database
        imp.strategies.append(self._formulas(imp))
        return imp

    @staticmethod
    def _formulas(imp):
        def evaluate_parameters_and_formulas(data):
            evaluate_formulas(imp)
            return data

        return evaluate_parameters_and_formulas
