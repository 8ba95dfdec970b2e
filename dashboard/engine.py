"""The dashboard's only door to ``lca_engine``: every number shown comes from a function here.

Expensive results are cached by Streamlit (``st.cache_resource`` for the assessment objects, ``st.cache_data`` for
derived tables), keyed by the background year and a fingerprint of the shipped inventories, so a control change
recomputes only what it touches. Brightway is not thread-safe and Streamlit runs every session in a thread of one
process: all engine calls that touch the Brightway project hold one process-wide lock.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import tempfile
import threading
import tomllib
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st

os.environ.setdefault("BRIGHTWAY_NO_STRUCTLOG", "1")  # bw2data logs to stdout otherwise

import lca_engine as le
from lca_engine.circularity import circularity_report
from lca_engine.circularity import portfolio_mci as _portfolio_mci
from lca_engine.coverage import of as coverage_of
from lca_engine.errors import LcaEngineError, Problem
from lca_engine.indicators import CARDS, CRADLE_TO_GATE, INDICATORS, SCOPE_LABELS, SCOPES, SITE
from lca_engine.limits import check_size, check_toml_text, check_xlsx
from lca_engine.model import MICRO_FACTORY
from lca_engine.model import SECTORS as SECTORS  # re-exported for the pages and charts
from lca_engine.report.sankey import OKABE_ITO as OKABE_ITO  # re-exported: one palette for report and dashboard
from lca_engine.wales import DISCLAIMER as WALES_DISCLAIMER
from lca_engine.wales import (
    NOT_STATED,
    WalesAlignment,
    assessment_alignment,
    default_policy_file,
    load_policy,
    portfolio_alignment,
)

__all__ = [
    "CRADLE_TO_GATE",
    "NOT_STATED",
    "SCOPES",
    "SCOPE_LABELS",
    "SITE",
    "WALES_DISCLAIMER",
    "LcaEngineError",
    "Problem",
    "WalesAlignment",
]

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "inventories" / "examples"
DATA = Path(__file__).resolve().parent / "data"
WALES_GEOJSON = DATA / "wales_principal_areas.geojson"
YEARS = (2023, 2024, 2025)
DEFAULT_YEAR = 2025
HEADLINE = CARDS
#: The card label of each headline indicator.
HEADLINE_LABELS = {i: INDICATORS[i].short for i in CARDS}
MAX_UPLOAD_BYTES = 2 * 1024 * 1024
UPLOAD_TYPES = ("toml", "xlsx")

_LOCK = threading.RLock()
_LOG = logging.getLogger("lca_engine.dashboard")


# ------------------------------------------------------------------------------------------- indicators


def indicator_name(ind: str) -> str:
    return INDICATORS[ind].name


def indicator_unit(ind: str) -> str:
    return INDICATORS[ind].unit


def indicator_ids() -> list[str]:
    return list(INDICATORS)


def indicator_table() -> pd.DataFrame:
    return pd.DataFrame(
        [(i.id, i.family, i.unit, i.name) for i in INDICATORS.values()],
        columns=["indicator", "family", "unit per functional unit", "name"],
    )


# ------------------------------------------------------------------------------------------- assessment


def examples_fingerprint() -> str:
    """Changes whenever a shipped example inventory, the source registry or a background file the numbers depend on
    (open factors, DESNZ mapping, facts, claims) changes: part of every cache key."""
    from lca_engine.background.open_factors import open_factors_digest

    inv = ROOT / "inventories"
    files = [*EXAMPLES.glob("*.toml"), inv / "sources.toml", inv / "claims.toml"]
    files += [inv / "background" / "desnz.toml", inv / "background" / "facts.toml"]
    h = hashlib.sha256(open_factors_digest(inv).encode())
    for p in sorted(files):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


@st.cache_resource(show_spinner="Assessing the example micro-factories and their baselines (Brightway)…")
def _examples(year: int, fingerprint: str) -> le.Assessment:
    with _LOCK:
        return le.assess_files([EXAMPLES], year=year)


def examples(year: int = DEFAULT_YEAR) -> le.Assessment:
    """The assessment of every shipped example (micro-factories and the baselines they name)."""
    return _examples(year, examples_fingerprint())


def comparison(a: le.Assessment) -> pd.DataFrame:
    return a.comparison()


def micro_ids(a: le.Assessment) -> list[str]:
    return [m for m, _ in a.pairs]


def baseline_of(a: le.Assessment, fid: str) -> str | None:
    return dict(a.pairs).get(fid)


def factory(a: le.Assessment, fid: str):
    return a.checked[fid].factory


def label(a: le.Assessment, fid: str) -> str:
    f = factory(a, fid)
    return f"{f.name} ({f.sector})"


def headline(a: le.Assessment, fid: str) -> pd.DataFrame:
    """Micro-factory vs baseline for every indicator at both scopes (rows of :meth:`Assessment.comparison`),
    indexed by (indicator, scope)."""
    comp = a.comparison(scope=None)
    return comp[(comp.factory == fid) & (comp.scenario == "default")].set_index(["indicator", "scope"])


def total(a: le.Assessment, fid: str, indicator: str, scope: str = CRADLE_TO_GATE) -> float:
    return a.total(fid, indicator, scope)


def coverage(a: le.Assessment, fid: str, indicator: str, scope: str) -> dict:
    """One number's coverage row (:attr:`Assessment.coverage`): coverage share, flows ``missing``, ``to_check``."""
    return coverage_of(a.coverage, fid, indicator, scope)


def all_totals(a: le.Assessment, fid: str, baseline: str | None) -> pd.DataFrame:
    """Every indicator at both scopes: values, difference, change and each side's coverage."""
    rows = []
    for ind in INDICATORS:
        for scope in SCOPES:
            m = a.total(fid, ind, scope)
            b = a.total(baseline, ind, scope) if baseline else np.nan
            rows.append(
                {
                    "indicator": ind,
                    "scope": SCOPE_LABELS[scope],
                    "name": INDICATORS[ind].name,
                    "unit per FU": INDICATORS[ind].unit,
                    "micro-factory": m,
                    "coverage": coverage(a, fid, ind, scope)["coverage"],
                    "baseline": b,
                    "baseline coverage": coverage(a, baseline, ind, scope)["coverage"] if baseline else np.nan,
                    "difference": m - b,
                    "change": (m - b) / b if baseline and b else np.nan,
                }
            )
    return pd.DataFrame(rows)


def portfolio(a: le.Assessment) -> pd.DataFrame:
    """One row per micro-factory: site, headline change vs its baseline (relative) at each scope — columns
    ``<indicator> change|micro|baseline <scope>`` — and its MCI."""
    comp = a.comparison(scope=None)
    rows = []
    for fid, base in a.pairs:
        f = factory(a, fid)
        c = comp[(comp.factory == fid) & (comp.scenario == "default")].set_index(["indicator", "scope"])
        circ = circularity_report(a.checked[fid])
        row = {
            "factory": fid,
            "name": f.name,
            "sector": f.sector,
            "site": f.site.name if f.site else "",
            "lat": f.site.lat if f.site else np.nan,
            "lon": f.site.lon if f.site else np.nan,
            "functional unit": f.functional_unit.label(),
            "baseline": base or "",
            "baseline site": factory(a, base).site.name if base and factory(a, base).site else "",
        }
        for ind in HEADLINE:
            for scope in SCOPES:
                r = c.loc[(ind, scope)] if (ind, scope) in c.index else None
                for col, name in (
                    ("change", "relative_change"),
                    ("micro", "micro_factory"),
                    ("baseline", "baseline_value"),
                ):
                    row[f"{ind} {col} {scope}"] = float(r[name]) if r is not None else np.nan
        row["MCI"] = circ["mci"].get("value")
        row["product kg"] = circ["material_flows"]["product_kg"]
        rows.append(row)
    return pd.DataFrame(rows)


def portfolio_mci(df: pd.DataFrame) -> float | None:
    ok = df[df["MCI"].notna() & (df["product kg"] > 0)]
    if ok.empty:
        return None
    return _portfolio_mci(list(zip(ok["product kg"], ok["MCI"], strict=True)))


def baseline_sites(a: le.Assessment) -> pd.DataFrame:
    rows = []
    for fid, base in a.pairs:
        if base:
            f = factory(a, base)
            rows.append(
                {"baseline": base, "for": fid, "name": f.name, "lat": f.site.lat, "lon": f.site.lon}
                if f.site
                else {"baseline": base, "for": fid, "name": f.name, "lat": np.nan, "lon": np.nan}
            )
    return pd.DataFrame(rows, columns=["baseline", "for", "name", "lat", "lon"])


def contributions(
    a: le.Assessment, fid: str, indicator: str, by: str = "process", cutoff: float = 0.02, scope: str = CRADLE_TO_GATE
) -> pd.DataFrame:
    return le.contributions(a.results, fid, indicator, by=by, cutoff=cutoff, scope=scope)


def balance(a: le.Assessment, fid: str):
    """(closes?, per-process table, flows not in the balance, tolerance)."""
    b = a.checked[fid].balance
    return b.ok, b.table, list(b.excluded)


def loops(a: le.Assessment, fid: str) -> pd.DataFrame:
    return le.loops_table(le.find_loops(factory(a, fid)))


def completeness(a: le.Assessment, fid: str) -> pd.DataFrame:
    c = a.completeness
    return c[c.factory == fid]


def warnings_of(a: le.Assessment, fid: str) -> list[str]:
    return [w.format() for w in a.checked[fid].warnings]


def sankey(a: le.Assessment, fid: str):
    """(plotly figure, data) of the material-flow Sankey drawn by the report (loops in orange)."""
    from lca_engine.report.content import sankey_data
    from lca_engine.report.sankey import figure

    data = sankey_data(factory(a, fid))
    if not data["links"]:
        return None, data
    fig = figure(data)
    return fig, data


def sankey_legend() -> list[tuple[str, str]]:
    from lca_engine.report.sankey import LEGEND

    return list(LEGEND)


def circularity(a: le.Assessment, fid: str) -> dict:
    return circularity_report(a.checked[fid])


# ------------------------------------------------------------------------------------------- Wales alignment


def wales_policy_fingerprint() -> str:
    """Changes whenever the policy facts (inventories/wales_policy.toml) change: part of the Wales cache keys."""
    return hashlib.sha256(default_policy_file().read_bytes()).hexdigest()[:16]


@st.cache_data(show_spinner=False, max_entries=4)
def _wales_goals(policy: str) -> pd.DataFrame:
    goals = load_policy().goals
    return pd.DataFrame(
        [(gid, g.get("name", gid), g.get("description", "")) for gid, g in goals.items()],
        columns=["goal_id", "goal", "description"],
    )


def wales_goals() -> pd.DataFrame:
    """The seven well-being goals of the Act in its order (goal_id, goal, description) from wales_policy.toml."""
    return _wales_goals(wales_policy_fingerprint())


@st.cache_data(show_spinner="Mapping onto the Welsh policy goals…", max_entries=64)
def _wales_alignment(key: str, policy: str, _a: le.Assessment, fid: str) -> WalesAlignment:
    return assessment_alignment(_a, fid)


def wales_alignment(a: le.Assessment, key: str, fid: str) -> WalesAlignment:
    """Well-being of Future Generations goals and National Indicators, five ways of working, Beyond Recycling and
    the Circular Economy Fund checklist of one micro-factory (:func:`lca_engine.wales.assessment_alignment`)."""
    return _wales_alignment(key, wales_policy_fingerprint(), a, fid)


@st.cache_data(show_spinner="Mapping the portfolio onto the Welsh policy goals…", max_entries=16)
def _wales_portfolio(key: str, policy: str, _a: le.Assessment) -> pd.DataFrame:
    return portfolio_alignment(_a)


def wales_portfolio(a: le.Assessment, key: str) -> pd.DataFrame:
    """One row per micro-factory with the counts of :func:`lca_engine.wales.portfolio_alignment`."""
    return _wales_portfolio(key, wales_policy_fingerprint(), a)


# ------------------------------------------------------------------------------------------- uncertainty


@st.cache_data(show_spinner="Paired Monte Carlo…", max_entries=32)
def _monte_carlo(key: str, _a: le.Assessment, fid: str, draws: int, seed: int) -> dict:
    from lca_engine.claims import check_claims

    base = baseline_of(_a, fid)
    facs = [factory(_a, fid)] + ([factory(_a, base)] if base else [])
    with _LOCK:
        mc = le.monte_carlo(facs, draws=draws, seed=seed, year=_a.year)
    verdicts = check_claims(_a, mc)
    verdicts = verdicts[verdicts.factory == fid].reset_index(drop=True)
    out = {"claims": verdicts, "draws": draws, "seed": seed}
    if base:
        out["difference"] = mc.difference(fid, base)
        out["samples"] = {ind: mc.of(fid, ind) - mc.of(base, ind) for ind in INDICATORS}
    return out


def monte_carlo(a: le.Assessment, key: str, fid: str, draws: int = 1000, seed: int = 1) -> dict:
    """Paired Monte Carlo of a micro-factory and its baseline, with the claim check on the same draws.

    Returns ``claims`` (claims.evaluate), ``difference`` (MonteCarloResult.difference) and ``samples``
    (indicator → draws of micro-factory − baseline)."""
    return _monte_carlo(key, a, fid, int(draws), int(seed))


@st.cache_data(show_spinner="Sobol sensitivity…", max_entries=32)
def _sobol(key: str, _a: le.Assessment, fid: str, indicator: str, samples: int, seed: int) -> pd.DataFrame:
    from lca_engine.assess import matrix_system
    from lca_engine.sensitivity import sobol_difference

    base = baseline_of(_a, fid)
    with _LOCK:
        system = matrix_system([factory(_a, fid), factory(_a, base)], year=_a.year, indicators=[indicator])
    return sobol_difference(system, fid, base, indicators=[indicator], samples=samples, seed=seed, top=8)


def sobol(a: le.Assessment, key: str, fid: str, indicator: str, samples: int = 64, seed: int = 1) -> pd.DataFrame:
    """Sobol first-order and total indices of micro-factory − baseline for one indicator (top 8 parameters)."""
    return _sobol(key, a, fid, indicator, int(samples), int(seed))


def parameter_label(name: str) -> str:
    """A Monte Carlo parameter name ('fg-<id>-<year>:process ← desnz-<year>:factor') in fewer words."""
    name = re.sub(r"fg-(.+?)-\d{4}:", r"\1 · ", name)
    name = re.sub(r"desnz-\d{4}:", "", name)
    return name


# ------------------------------------------------------------------------------------------- scenarios


def named_scenarios():
    from lca_engine.scenarios import load_scenarios

    return load_scenarios()


@st.cache_data(show_spinner="Recomputing the scenario…", max_entries=64)
def _scenario(
    file: str,
    fingerprint: str,
    year: int,
    scenario_year: int | None,
    electricity_intensity: float | None,
    renewable_share: float,
    recycled_share: float,
    utilisation: float,
    fixed_energy_share: float,
) -> pd.DataFrame:
    from lca_engine.scenarios import Scenario, assess_scenarios

    sc = Scenario(
        name="dashboard-what-if",
        year=scenario_year if scenario_year != year else None,
        electricity_intensity=electricity_intensity,
        renewable_electricity_share=renewable_share or None,
        recycled_share=recycled_share or None,
        utilisation=utilisation if utilisation != 1.0 else None,
        fixed_energy_share=fixed_energy_share,
    )
    with _LOCK:
        res = assess_scenarios([file], [sc], year=year)
    return res.comparison()


def scenario(
    a: le.Assessment,
    fid: str,
    *,
    scenario_year: int | None = None,
    electricity_intensity: float | None = None,
    renewable_share: float = 0.0,
    recycled_share: float = 0.0,
    utilisation: float = 1.0,
    fixed_energy_share: float = 0.3,
) -> pd.DataFrame:
    """The micro-factory and its baseline as written ("default") and under the what-if scenario
    ("dashboard-what-if"): rows of :meth:`Assessment.comparison` from :func:`lca_engine.scenarios.assess_scenarios`."""
    file = a.checked[fid].file
    if not file:
        raise LcaEngineError("this factory has no inventory file", fix="assess it from a file")
    return _scenario(
        str(Path(file).resolve()),
        _file_fingerprint(file, baseline_of(a, fid) and a.checked[baseline_of(a, fid)].file),
        int(a.year),
        int(scenario_year) if scenario_year else None,
        float(electricity_intensity) if electricity_intensity is not None else None,
        float(renewable_share),
        float(recycled_share),
        float(utilisation),
        float(fixed_energy_share),
    )


def _file_fingerprint(*files) -> str:
    h = hashlib.sha256()
    for f in files:
        if f:
            h.update(Path(f).read_bytes())
    return h.hexdigest()[:16]


def grid_intensity(year: int) -> float:
    """DESNZ UK electricity delivered (generation + T&D), kg CO2e per kWh, for the scenario control's default."""
    from lca_engine.background.catalog import load_catalog
    from lca_engine.bw.project import DataDir, default_data_dir
    from lca_engine.scenarios import GRID

    cat = load_catalog(year, cache_dir=DataDir(default_data_dir()).cache)
    return float(cat.factors[GRID].value)


# ------------------------------------------------------------------------------------------- report


@st.cache_data(show_spinner="Writing the auditable report (HTML, PDF, JSON)…", max_entries=16)
def _report(key: str, _a: le.Assessment, fid: str) -> dict[str, bytes]:
    from lca_engine.background.catalog import load_catalog
    from lca_engine.bw.project import DataDir, default_data_dir
    from lca_engine.report import build_content, dumps, render_html, render_pdf, sankey_svgs

    catalog = load_catalog(_a.year, cache_dir=DataDir(default_data_dir()).cache)
    content = build_content(_a, fid, catalog=catalog)
    (svgs,) = sankey_svgs([content])
    page = render_html(content, svgs)
    return {
        "html": page.encode("utf-8"),
        "pdf": render_pdf(page, title=content["title"]),
        "json": dumps(content).encode("utf-8"),
    }


def report(a: le.Assessment, key: str, fid: str) -> dict[str, bytes]:
    """The auditable report of a micro-factory and its baseline (lca_engine.report), as bytes per format."""
    with _LOCK:
        return _report(key, a, fid)


# ------------------------------------------------------------------------------------------- downloads


def results_files(a: le.Assessment) -> dict[str, bytes]:
    """The result cube, the comparison (both scopes) and the coverage table, as ``lca-engine assess`` writes them
    (Parquet through lca_engine.results)."""
    with tempfile.TemporaryDirectory(prefix="lca-dashboard-") as tmp:
        le.write_results(a.results, Path(tmp) / "results.parquet")
        from lca_engine.results import write_comparison, write_coverage

        comp = a.comparison(scope=None)
        write_comparison(comp, Path(tmp) / "comparison.parquet")
        write_coverage(a.coverage, Path(tmp) / "coverage.parquet")
        return {
            "results.parquet": (Path(tmp) / "results.parquet").read_bytes(),
            "results.csv": a.results.to_csv(index=False).encode("utf-8"),
            "comparison.parquet": (Path(tmp) / "comparison.parquet").read_bytes(),
            "comparison.csv": comp.to_csv(index=False).encode("utf-8"),
            "coverage.parquet": (Path(tmp) / "coverage.parquet").read_bytes(),
            "coverage.csv": a.coverage.to_csv(index=False).encode("utf-8"),
        }


def chart_images(charts: dict[str, object], fmt: str = "png"):
    """PNG or SVG images of the charts (plotly figures; a dict is a Sankey's ``sankey_data``) as
    :class:`dashboard.images.ChartImages`. With a Chromium, kaleido draws them as the dashboard shows them; without
    one the Sankeys come from the report's SVG writer and the rest from matplotlib (:mod:`dashboard.static`), and a
    chart neither can draw is named in ``need_chromium`` instead of failing the others."""
    from dashboard import images, static
    from lca_engine.report.sankey import figure

    figures = {name: figure(c) if isinstance(c, dict) else c for name, c in charts.items()}
    try:
        with _LOCK:
            return images.ChartImages(images.kaleido_images(figures, fmt), browser=True)
    except images.NoBrowser:
        pass
    out = images.ChartImages({}, browser=False)
    for name, chart in charts.items():
        try:
            out.files[f"{name}.{fmt}"] = _static_image(name, chart, fmt)
        except (static.Unsupported, ValueError, TypeError):
            out.need_chromium.append(name)
    return out


def _static_image(name: str, chart, fmt: str) -> bytes:
    """One chart drawn without a browser."""
    from dashboard import static
    from lca_engine.report.sankey_layout import layout
    from lca_engine.report.sankey_svg import to_svg

    if not isinstance(chart, dict):
        return static.figure_image(chart, fmt)
    if fmt == "svg":
        svg = to_svg(chart, name, f"Material flows, kg per functional unit ({name})")
        return ('<?xml version="1.0" encoding="UTF-8"?>\n' + svg + "\n").encode("utf-8")
    return static.sankey_image(layout(chart), fmt)


# ------------------------------------------------------------------------------------------- upload


@dataclass
class Upload:
    """An uploaded inventory, assessed like the shipped ones."""

    assessment: le.Assessment
    micro: list[str]
    workdir: Path
    key: str
    notes: list[str] = field(default_factory=list)


_SAFE = re.compile(r"[^A-Za-z0-9_.-]")


def _safe_name(name: str) -> str:
    base = _SAFE.sub("_", Path(str(name).replace("\\", "/")).name).lstrip(".")
    return base or "upload"


def _problem(message: str, fix: str, file: str | None = None, field_: str = "upload") -> LcaEngineError:
    return LcaEngineError(Problem(message, fix=fix, file=file, field=field_))


def internal_error(exc: Exception, names: list[str]) -> LcaEngineError:
    """An engine defect met on an upload, as a plain message (the traceback goes to the server log, not the page)."""
    _LOG.error("internal error on upload %s", names, exc_info=exc)
    return _problem(
        f"the engine failed on this upload (internal error: {type(exc).__name__}); the file was not stored",
        "this is a defect of lca-engine, not of your file alone: report it with the file; the server log has details",
        file=names[0] if len(names) == 1 else None,
    )


def check_upload(name: str, size: int, data: bytes | None = None) -> None:
    """Size and type of one uploaded file, and a TOML upload's text against the engine's limits (nesting, key and
    line lengths: lca_engine.limits, as for a file given to the CLI); raises a plain-words error with the fix."""
    check_size(size, name, MAX_UPLOAD_BYTES, what="the uploaded file")
    if size == 0:
        raise _problem("the file is empty", "upload a TOML inventory or a Brightway Excel (.xlsx) file", file=name)
    suffix = Path(name).suffix.lower().lstrip(".")
    if suffix not in UPLOAD_TYPES:
        raise _problem(
            f"'.{suffix}' files are not accepted",
            "upload a TOML inventory (.toml) or a Brightway Excel inventory (.xlsx)",
            file=name,
        )
    if data is not None and suffix == "toml":
        check_toml_text(data.decode("utf-8", errors="replace"), name)


def _toml_baseline(path: Path) -> str | None:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError):
        return None  # the engine's loader reports it with line numbers
    ref = data.get("baseline") if isinstance(data, dict) else None
    return ref if isinstance(ref, str) and ref else None


def _shipped_ids() -> set[str]:
    ids = set()
    for path in EXAMPLES.glob("*.toml"):
        m = re.search(r'^id\s*=\s*"([^"]+)"', path.read_text(encoding="utf-8"), re.MULTILINE)
        if m:
            ids.add(m.group(1))
    return ids


def _rename_if_shipped(path: Path, shipped: set[str], notes: list[str]) -> None:
    """An upload that reuses a shipped example's id gets the id "upload-<id>", so that assessing it never rebuilds
    the example's Brightway database. Only the id line changes: every other line keeps its number for errors."""
    text = path.read_text(encoding="utf-8", errors="replace")
    m = re.search(r'^(id\s*=\s*")([^"]+)(")', text, re.MULTILINE)
    if m and m.group(2) in shipped:
        new = f"upload-{m.group(2)}"
        path.write_text(text[: m.start()] + m.group(1) + new + m.group(3) + text[m.end() :], encoding="utf-8")
        notes.append(f"'{path.name}' reuses the id of a shipped example: assessed as '{new}'")


def assess_upload(
    files: list[tuple[str, bytes]],
    *,
    year: int = DEFAULT_YEAR,
    functional_unit: str | None = None,
    sector: str | None = None,
    site: dict | None = None,
    workdir: str | Path | None = None,
) -> Upload:
    """Check, store (in a fresh temporary folder, never beside the shipped data) and assess uploaded inventories.

    Files are only parsed (TOML, or Excel through the Brightway Excel importer), never executed. A micro-factory's
    ``baseline`` must be a plain file name: one of the uploaded files, or else a shipped example baseline of that
    name (copied into the temporary folder). Raises :class:`LcaEngineError` with the field and the fix.
    """
    if not files:
        raise _problem("no file uploaded", "choose a TOML or Brightway Excel inventory")
    seen = set()
    for name, data in files:
        check_upload(name, len(data), data)
        safe = _safe_name(name)
        if safe in seen:
            raise _problem("two uploaded files have the same name", "rename one of them", file=name)
        seen.add(safe)
    h = hashlib.sha256()
    for name, data in sorted(files):
        h.update(_safe_name(name).encode() + b"\0" + data)
    key = f"upload-{year}-{h.hexdigest()[:16]}"
    work = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix="lca-dashboard-upload-"))
    work.mkdir(parents=True, exist_ok=True)
    notes: list[str] = []
    inventories: list[Path] = []
    for name, data in files:
        path = work / _safe_name(name)
        path.write_bytes(data)
        path.chmod(0o600)
        if path.suffix.lower() == ".xlsx":
            check_xlsx(path, name=name)  # zip directory and declared sizes, before openpyxl opens it
            inventories.append(_from_excel(path, year, functional_unit, sector, site, notes))
        elif path.name != "sources.toml":
            inventories.append(path)
    shipped = _shipped_ids()
    for path in list(inventories):
        _rename_if_shipped(path, shipped, notes)
    for path in list(inventories):
        ref = _toml_baseline(path)
        if not ref:
            continue
        if Path(ref).name != ref or ref in ("", ".", ".."):
            raise _problem(
                f"baseline = '{ref}' points into another folder",
                "in an uploaded inventory, name the baseline by file name only: upload it together with the "
                "micro-factory, or name one of the shipped example baselines",
                file=path.name,
                field_="baseline",
            )
        if not (work / ref).exists() and (EXAMPLES / ref).is_file():
            shutil.copyfile(EXAMPLES / ref, work / ref)
            notes.append(f"baseline '{ref}' taken from the shipped examples (inventories/examples)")
    if not inventories:
        raise _problem("no inventory among the uploaded files", "upload a TOML or Brightway Excel inventory")
    with _LOCK:
        a = le.assess_files(inventories, year=year)
    asked = {p.resolve() for p in inventories}
    micro = [fid for fid, _ in a.pairs if a.checked[fid].file and Path(a.checked[fid].file).resolve() in asked]
    if not micro:
        raise _problem(
            "the upload holds no micro-factory",
            f'upload a micro-factory inventory (system = "{MICRO_FACTORY}"); its baseline is assessed with it',
            field_="system",
        )
    return Upload(a, micro, work, key, notes)


def _from_excel(path: Path, year: int, functional_unit, sector, site, notes: list[str]) -> Path:
    from lca_engine.background.catalog import load_catalog
    from lca_engine.bw.excel import ExcelImportWarning, read_bw_excel
    from lca_engine.bw.project import activate

    try:
        with _LOCK, warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ExcelImportWarning)
            catalog = load_catalog(year, cache_dir=activate(None).cache)
            f = read_bw_excel(
                path,
                functional_unit or None,
                sector=sector,
                site=site,
                system=MICRO_FACTORY,
                year=year,
                catalog=catalog,
            )
    except LcaEngineError:
        raise
    except Exception as exc:  # a damaged or foreign workbook: say so in plain words, no traceback
        raise _problem(
            f"could not read the workbook as a Brightway Excel inventory ({type(exc).__name__}: {exc})",
            "export it again with Brightway (bw2io write_lci_excel) or `lca-engine export-excel`",
            file=path.name,
        ) from None
    notes.extend(f"Excel import: {w.message}" for w in caught if issubclass(w.category, ExcelImportWarning))
    out = path.with_suffix(".toml")
    le.save(f, out)
    notes.append(f"'{path.name}' was converted to the TOML inventory '{out.name}'")
    return out
