"""lca_engine — prove whether a micro-factory is circular and low-impact, against a conventional baseline.

Public API (Brightway is only imported when a calculation runs)::

    import lca_engine as le
    checked = le.load_checked("inventories/examples/textile_merthyr_micro.toml")
    result = le.assess_files(["inventories/examples"])
    result.comparison()
"""

from .assess import Assessment, assess, assess_files, collect_files, monte_carlo
from .background.catalog import Catalog, Factor, load_catalog
from .balance import BalanceResult, mass_balance
from .coverage import coverage as coverage_table
from .errors import BackgroundError, BalanceError, InventoryError, LcaEngineError, Problem, UnitError
from .graph import Loop, build_graph, find_loops, loops_table
from .indicators import CARBON, CRADLE_TO_GATE, INDICATORS, SCOPES, SITE, Indicator
from .inventory import dumps, load, loads, save
from .load import Checked, check_factory, load_checked
from .model import Assumption, Factory, Flow, FunctionalUnit, Process, Site, SocioEconomic, Source, Stated, Stock
from .reconciliation import Reconciled, reconcile, reconcile_factory
from .results import contributions, read_results, top_contributors, totals, write_results
from .units import Q_, ureg
from .wales import WalesAlignment, alignment, assessment_alignment, load_policy, portfolio_alignment

__version__ = "0.1.0"


def __getattr__(name: str):
    """Brightway-Excel interchange is loaded on first use: importing it imports Brightway."""
    if name in ("read_bw_excel", "write_bw_excel", "ExcelImportWarning"):
        from .bw import excel

        return getattr(excel, name)
    raise AttributeError(f"module 'lca_engine' has no attribute {name!r}")


__all__ = [
    "CARBON",
    "CRADLE_TO_GATE",
    "INDICATORS",
    "Q_",
    "SCOPES",
    "SITE",
    "Assessment",
    "Assumption",
    "BackgroundError",
    "BalanceError",
    "BalanceResult",
    "Catalog",
    "Checked",
    "Factor",
    "Factory",
    "Flow",
    "FunctionalUnit",
    "Indicator",
    "InventoryError",
    "LcaEngineError",
    "Loop",
    "Problem",
    "Process",
    "Reconciled",
    "Site",
    "SocioEconomic",
    "Source",
    "Stated",
    "Stock",
    "UnitError",
    "WalesAlignment",
    "alignment",
    "assess",
    "assess_files",
    "assessment_alignment",
    "build_graph",
    "check_factory",
    "collect_files",
    "contributions",
    "coverage_table",
    "dumps",
    "find_loops",
    "load",
    "load_catalog",
    "load_checked",
    "load_policy",
    "loads",
    "loops_table",
    "mass_balance",
    "monte_carlo",
    "portfolio_alignment",
    "read_results",
    "reconcile",
    "reconcile_factory",
    "save",
    "top_contributors",
    "totals",
    "ureg",
    "write_results",
]
