"""lca_engine — prove whether a micro-factory is circular and low-impact, against a conventional baseline.

Public API (each name is imported on first use, so ``import lca_engine`` stays fast; Brightway is only imported
when a calculation runs)::

    import lca_engine as le
    checked = le.load_checked("inventories/examples/textile_merthyr_micro.toml")
    result = le.assess_files(["inventories/examples"])
    result.comparison()
"""

from __future__ import annotations

import importlib
import sys
import types

__version__ = "0.1.0"

#: public name → the submodule that defines it (and the name there, where it differs)
_SOURCES: dict[str, tuple[str, str]] = {
    **{n: (".assess", n) for n in ("Assessment", "assess", "assess_files", "monte_carlo")},
    "collect_files": (".collect", "collect_files"),
    "read_foreground": (".foreground_import", "read_foreground"),
    **{n: (".background.catalog", n) for n in ("Catalog", "Factor", "load_catalog")},
    **{n: (".balance", n) for n in ("BalanceResult", "mass_balance")},
    "coverage_table": (".coverage", "coverage"),
    **{
        n: (".errors", n)
        for n in ("BackgroundError", "BalanceError", "InventoryError", "LcaEngineError", "Problem", "UnitError")
    },
    **{n: (".graph", n) for n in ("Loop", "build_graph", "find_loops", "loops_table")},
    **{n: (".indicators", n) for n in ("CARBON", "CRADLE_TO_GATE", "INDICATORS", "SCOPES", "SITE", "Indicator")},
    **{n: (".inventory", n) for n in ("dumps", "load", "loads", "save")},
    **{n: (".load", n) for n in ("Checked", "check_factory", "load_checked")},
    **{
        n: (".model", n)
        for n in (
            "Assumption",
            "Factory",
            "Flow",
            "FunctionalUnit",
            "Process",
            "Site",
            "SocioEconomic",
            "Source",
            "Stated",
            "Stock",
        )
    },
    **{n: (".reconciliation", n) for n in ("Reconciled", "reconcile", "reconcile_factory")},
    **{n: (".results", n) for n in ("contributions", "read_results", "top_contributors", "totals", "write_results")},
    **{n: (".stocks", n) for n in ("InUseStocks", "in_use_stocks")},
    "symbiosis_matches": (".symbiosis", "find_matches"),
    "symbiosis_what_if": (".symbiosis", "what_if"),
    **{n: (".units", n) for n in ("Q_", "ureg")},
    **{
        n: (".wales", n)
        for n in ("WalesAlignment", "alignment", "assessment_alignment", "load_policy", "portfolio_alignment")
    },
    # Brightway-Excel interchange: importing it imports Brightway
    **{n: (".bw.excel", n) for n in ("ExcelImportWarning", "read_bw_excel", "write_bw_excel")},
}

__all__ = sorted(n for n in _SOURCES if n not in ("ExcelImportWarning", "read_bw_excel", "write_bw_excel"))


def __getattr__(name: str):
    """Import a public name's submodule on first use and keep the name here."""
    try:
        module, attr = _SOURCES[name]
    except KeyError:
        raise AttributeError(f"module 'lca_engine' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module, __name__), attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_SOURCES})


class _Package(types.ModuleType):
    """``lca_engine.assess`` and ``lca_engine.load`` are functions, as they always were: importing the submodules
    of the same names (which Python records on the package) must not replace them."""

    def __setattr__(self, name: str, value) -> None:
        if name in _SOURCES and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
