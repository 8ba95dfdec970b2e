"""The dashboard's one door to ``lca_engine``: the pages call only this module (``engine.<name>``), which gathers
the names of the modules that do the work, one job each:

* :mod:`dashboard.settings` — paths, years, upload limits, headline indicators, the Brightway lock;
* :mod:`dashboard.views` — tables and figures read off an Assessment (both scopes, coverage, circularity pair);
* :mod:`dashboard.cache` — the cached assessment of the examples, the cached paired Monte Carlo of each
  micro-factory and its baseline (the report's draws) and what is read off it (claims, verdict blocks, Sobol), the
  report bytes;
* :mod:`dashboard.wales_cache` — the Welsh policy facts and the Wales alignment, cached;
* :mod:`dashboard.whatif` — the what-if scenario, what each scenario's parameters do, the named scenarios;
* :mod:`dashboard.upload_handler` — uploads checked, stored in a temporary folder and assessed;
* :mod:`dashboard.export` — result files and chart images for download;
* :mod:`dashboard.portfolio_cache` — a portfolio run folder read once (``lca_engine.portfolio.view``), whose
  aggregates, filters and table pages come from that module;
* material cycles: the inventories read and checked (``lca_engine.load``), their in-use stocks
  (``lca_engine.stocks``) and industrial symbiosis matches (``lca_engine.symbiosis``).

plus the library's vocabularies the pages show (scopes, sectors, circularity labels). Only public ``lca_engine``
names are used, and no page imports ``lca_engine`` itself. Importing this module on a fresh server's first run also
sends a deep link through ``app.py`` (:func:`dashboard.entry.ensure_app`).
"""

from __future__ import annotations

from dashboard.cache import claims, examples, examples_fingerprint, monte_carlo, paired_draws, report, sobol, verdicts
from dashboard.entry import ensure_app
from dashboard.export import chart_images, results_files
from dashboard.portfolio_cache import portfolio_run
from dashboard.settings import (
    DEFAULT_YEAR,
    EXAMPLES,
    HEADLINE,
    HEADLINE_LABELS,
    MAX_UPLOAD_BYTES,
    PORTFOLIO_RUN,
    ROOT,
    UPLOAD_TYPES,
    VERDICT_DRAWS,
    VERDICT_SEED,
    WALES_GEOJSON,
    YEARS,
)
from dashboard.upload_handler import Upload, assess_upload, check_upload, internal_error, safe_name, shipped_baselines
from dashboard.views import (
    all_totals,
    balance,
    baseline_of,
    baseline_sites,
    circularity,
    circularity_pair,
    comparison,
    completeness,
    contributions,
    coverage,
    factory,
    headline,
    indicator_ids,
    indicator_name,
    indicator_table,
    indicator_unit,
    label,
    loops,
    micro_ids,
    not_assessable,
    parameter_label,
    portfolio,
    portfolio_mci,
    run_columns,
    run_display,
    run_measures,
    sankey,
    sankey_legend,
    short_labels,
    stated_renewable_share,
    total,
    warnings_of,
)
from dashboard.wales_cache import DISCLAIMER as WALES_DISCLAIMER
from dashboard.wales_cache import (
    NOT_STATED,
    wales_alignment,
    wales_goals,
    wales_policy,
    wales_policy_fingerprint,
    wales_portfolio,
)
from dashboard.whatif import (
    PARAMETER_LABELS,
    WHAT_IF,
    grid_intensity,
    named_effects,
    named_scenarios,
    named_scenarios_table,
    scenario,
    what_if_effects,
)
from lca_engine.circularity.labels import FIGURES as CIRCULARITY_FIGURES
from lca_engine.circularity.labels import LOOP_COLUMNS as LOOP_HEADERS
from lca_engine.circularity.labels import SECTIONS as CIRCULARITY_SECTIONS
from lca_engine.circularity.labels import WASTE_NOTE, not_stated_reason
from lca_engine.collect import collect_files
from lca_engine.errors import LcaEngineError, Problem
from lca_engine.indicators import CRADLE_TO_GATE, SCOPE_LABELS, SCOPES, SITE
from lca_engine.load import load_checked
from lca_engine.model import SECTORS, SYSTEMS
from lca_engine.portfolio.view import GROUP_BY, OUTSIDE, aggregate, factory_table, filter_view, site_cells
from lca_engine.portfolio.view import page as table_page
from lca_engine.report.sankey import OKABE_ITO  # one palette for report and dashboard
from lca_engine.report.stocks_svg import ROUTE_COLOURS, STOCK_COLOUR
from lca_engine.stocks import EOL_ROUTES, SECONDARY_FORMULA, in_use_stocks
from lca_engine.stocks.horizon import END as STOCK_END
from lca_engine.stocks.horizon import START as STOCK_START
from lca_engine.symbiosis import find_matches as symbiosis_matches
from lca_engine.symbiosis.savings import WASTE_NOTE as SYMBIOSIS_WASTE_NOTE
from lca_engine.vocabulary import BASELINE, MICRO_FACTORY
from lca_engine.wales import WalesAlignment

__all__ = [
    "BASELINE",
    "CIRCULARITY_FIGURES",
    "CIRCULARITY_SECTIONS",
    "CRADLE_TO_GATE",
    "DEFAULT_YEAR",
    "EOL_ROUTES",
    "EXAMPLES",
    "GROUP_BY",
    "HEADLINE",
    "HEADLINE_LABELS",
    "LOOP_HEADERS",
    "MAX_UPLOAD_BYTES",
    "MICRO_FACTORY",
    "NOT_STATED",
    "OKABE_ITO",
    "OUTSIDE",
    "PARAMETER_LABELS",
    "PORTFOLIO_RUN",
    "ROOT",
    "ROUTE_COLOURS",
    "SCOPES",
    "SCOPE_LABELS",
    "SECONDARY_FORMULA",
    "SECTORS",
    "SITE",
    "STOCK_COLOUR",
    "STOCK_END",
    "STOCK_START",
    "SYMBIOSIS_WASTE_NOTE",
    "SYSTEMS",
    "UPLOAD_TYPES",
    "VERDICT_DRAWS",
    "VERDICT_SEED",
    "WALES_DISCLAIMER",
    "WALES_GEOJSON",
    "WASTE_NOTE",
    "WHAT_IF",
    "YEARS",
    "LcaEngineError",
    "Problem",
    "Upload",
    "WalesAlignment",
    "aggregate",
    "all_totals",
    "assess_upload",
    "balance",
    "baseline_of",
    "baseline_sites",
    "chart_images",
    "check_upload",
    "circularity",
    "circularity_pair",
    "claims",
    "collect_files",
    "comparison",
    "completeness",
    "contributions",
    "coverage",
    "examples",
    "examples_fingerprint",
    "factory",
    "factory_table",
    "filter_view",
    "grid_intensity",
    "headline",
    "in_use_stocks",
    "indicator_ids",
    "indicator_name",
    "indicator_table",
    "indicator_unit",
    "internal_error",
    "label",
    "load_checked",
    "loops",
    "micro_ids",
    "monte_carlo",
    "named_effects",
    "named_scenarios",
    "named_scenarios_table",
    "not_assessable",
    "not_stated_reason",
    "paired_draws",
    "parameter_label",
    "portfolio",
    "portfolio_mci",
    "portfolio_run",
    "report",
    "results_files",
    "run_columns",
    "run_display",
    "run_measures",
    "safe_name",
    "sankey",
    "sankey_legend",
    "scenario",
    "shipped_baselines",
    "short_labels",
    "site_cells",
    "sobol",
    "stated_renewable_share",
    "symbiosis_matches",
    "table_page",
    "total",
    "verdicts",
    "wales_alignment",
    "wales_goals",
    "wales_policy",
    "wales_policy_fingerprint",
    "wales_portfolio",
    "warnings_of",
    "what_if_effects",
]

ensure_app()
