"""The dashboard's one door to ``lca_engine``: the pages call only this module (``engine.<name>``), which gathers
the names of the modules that do the work, one job each:

* :mod:`dashboard.settings` — paths, years, upload limits, headline indicators, the Brightway lock;
* :mod:`dashboard.views` — tables and figures read off an Assessment (both scopes, coverage, circularity pair);
* :mod:`dashboard.cache` — the cached assessment of the examples, the cached paired Monte Carlo and what is read
  off it (claims, verdict blocks, Sobol), the report bytes;
* :mod:`dashboard.wales_cache`, :mod:`dashboard.whatif` — the Wales alignment and the what-if scenario, cached;
* :mod:`dashboard.upload_handler` — uploads checked, stored in a temporary folder and assessed;
* :mod:`dashboard.export` — result files and chart images for download.

Only public ``lca_engine`` names are used. Importing this module on a fresh server's first run also sends a deep
link through ``app.py`` (:func:`dashboard.entry.ensure_app`).
"""

from __future__ import annotations

from dashboard.cache import claims, examples, examples_fingerprint, monte_carlo, paired_draws, report, sobol, verdicts
from dashboard.entry import ensure_app
from dashboard.export import chart_images, results_files
from dashboard.settings import (
    DATA,
    DEFAULT_YEAR,
    EXAMPLES,
    HEADLINE,
    HEADLINE_LABELS,
    MAX_UPLOAD_BYTES,
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
    parameter_label,
    portfolio,
    portfolio_mci,
    sankey,
    sankey_legend,
    total,
    warnings_of,
)
from dashboard.wales_cache import DISCLAIMER as WALES_DISCLAIMER
from dashboard.wales_cache import NOT_STATED, wales_alignment, wales_goals, wales_policy_fingerprint, wales_portfolio
from dashboard.whatif import grid_intensity, named_scenarios, scenario
from lca_engine.errors import LcaEngineError, Problem
from lca_engine.indicators import CRADLE_TO_GATE, SCOPE_LABELS, SCOPES, SITE
from lca_engine.model import SECTORS
from lca_engine.report.sankey import OKABE_ITO  # one palette for report and dashboard
from lca_engine.wales import WalesAlignment

__all__ = [
    "CRADLE_TO_GATE",
    "DATA",
    "DEFAULT_YEAR",
    "EXAMPLES",
    "HEADLINE",
    "HEADLINE_LABELS",
    "MAX_UPLOAD_BYTES",
    "NOT_STATED",
    "OKABE_ITO",
    "ROOT",
    "SCOPES",
    "SCOPE_LABELS",
    "SECTORS",
    "SITE",
    "UPLOAD_TYPES",
    "VERDICT_DRAWS",
    "VERDICT_SEED",
    "WALES_DISCLAIMER",
    "WALES_GEOJSON",
    "YEARS",
    "LcaEngineError",
    "Problem",
    "Upload",
    "WalesAlignment",
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
    "comparison",
    "completeness",
    "contributions",
    "coverage",
    "examples",
    "examples_fingerprint",
    "factory",
    "grid_intensity",
    "headline",
    "indicator_ids",
    "indicator_name",
    "indicator_table",
    "indicator_unit",
    "internal_error",
    "label",
    "loops",
    "micro_ids",
    "monte_carlo",
    "named_scenarios",
    "paired_draws",
    "parameter_label",
    "portfolio",
    "portfolio_mci",
    "report",
    "results_files",
    "safe_name",
    "sankey",
    "sankey_legend",
    "scenario",
    "shipped_baselines",
    "sobol",
    "total",
    "verdicts",
    "wales_alignment",
    "wales_goals",
    "wales_policy_fingerprint",
    "wales_portfolio",
    "warnings_of",
]

ensure_app()
