"""What the dashboard computes once and keeps: the assessment of the shipped examples (``st.cache_resource``, keyed
by year and a fingerprint of every file the numbers depend on), one paired Monte Carlo per assessment, draws and seed
(``st.cache_data``, keyed like the assessment), and what is read off it — the claim check, the verdict blocks, Sobol
indices — and the report bytes. Every engine call that touches Brightway holds :data:`dashboard.settings.LOCK`.

The Monte Carlo of a micro-factory samples it and its baseline alone (:func:`lca_engine.verdict.pair_monte_carlo`,
the report's function, draws and seed), so the Factory, Portfolio and Claims pages and page 1 of the report show the
same means, intervals and P(better) for it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import streamlit as st

import lca_engine as le
from dashboard.settings import DEFAULT_YEAR, EXAMPLES, INVENTORIES, LOCK, VERDICT_DRAWS, VERDICT_SEED
from dashboard.views import baseline_of, factory
from lca_engine.claims import check_claims
from lca_engine.indicators import INDICATORS
from lca_engine.verdict import pair_monte_carlo, verdict_block


def fingerprint(inventories: Path = INVENTORIES) -> str:
    """Changes whenever a shipped example inventory, the source registry or a background file the numbers depend on
    (open factors, DESNZ mapping, facts, claims) under ``inventories`` changes: part of every cache key."""
    from lca_engine.background.open_factors import open_factors_digest

    files = [*(inventories / "examples").glob("*.toml"), inventories / "sources.toml", inventories / "claims.toml"]
    files += [inventories / "background" / "desnz.toml", inventories / "background" / "facts.toml"]
    h = hashlib.sha256(open_factors_digest(inventories).encode())
    for p in sorted(files):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


def examples_fingerprint() -> str:
    return fingerprint(INVENTORIES)


@st.cache_resource(show_spinner="Assessing the example micro-factories and their baselines (Brightway)…")
def _examples(year: int, fingerprint: str) -> le.Assessment:
    with LOCK:
        return le.assess_files([EXAMPLES], year=year)


def examples(year: int = DEFAULT_YEAR) -> le.Assessment:
    """The assessment of every shipped example (micro-factories and the baselines they name)."""
    return _examples(year, examples_fingerprint())


@st.cache_resource(
    show_spinner="Paired Monte Carlo of the micro-factory and its baseline (once; then kept)…", max_entries=64
)
def _paired_draws(key: str, _a: le.Assessment, fid: str, draws: int, seed: int):
    with LOCK:
        return pair_monte_carlo(_a, fid, draws=draws, seed=seed)


def paired_draws(a: le.Assessment, key: str, fid: str, draws: int = VERDICT_DRAWS, seed: int = VERDICT_SEED):
    """The paired Monte Carlo of micro-factory ``fid`` and its baseline alone
    (:func:`lca_engine.verdict.pair_monte_carlo`, the report's draws; None without a baseline); ``key`` names the
    assessment (the cache key of :func:`examples` or of an upload)."""
    return _paired_draws(key, a, fid, int(draws), int(seed))


@st.cache_data(show_spinner=False, max_entries=64)
def _verdicts(key: str, _a: le.Assessment, fid: str, draws: int, seed: int) -> pd.DataFrame:
    return verdict_block(_a, fid, paired_draws(_a, key, fid, draws, seed))


def verdicts(a: le.Assessment, key: str, fid: str) -> pd.DataFrame:
    """The verdict block of one micro-factory (:func:`lca_engine.verdict.verdict_block`) on its cached draws."""
    return _verdicts(key, a, fid, VERDICT_DRAWS, VERDICT_SEED)


@st.cache_data(show_spinner=False, max_entries=64)
def _claims(key: str, _a: le.Assessment, fid: str, draws: int, seed: int) -> pd.DataFrame:
    table = check_claims(_a, paired_draws(_a, key, fid, draws, seed))
    return table[table.factory == fid].reset_index(drop=True)


def claims(a: le.Assessment, key: str, fid: str, draws: int = VERDICT_DRAWS, seed: int = VERDICT_SEED) -> pd.DataFrame:
    """The claim check of one micro-factory (:func:`lca_engine.claims.check_claims`) on its cached draws."""
    return _claims(key, a, fid, int(draws), int(seed))


def monte_carlo(a: le.Assessment, key: str, fid: str, draws: int = VERDICT_DRAWS, seed: int = VERDICT_SEED) -> dict:
    """The claim check and the difference micro-factory − baseline on the cached draws: ``claims``, ``draws``,
    ``seed``, and with a baseline ``difference`` (MonteCarloResult.difference), ``samples`` (indicator → draws) and
    ``solver`` (how the draws were solved: MonteCarloResult.solve_note)."""
    out = {"claims": claims(a, key, fid, draws, seed), "draws": int(draws), "seed": int(seed)}
    base = baseline_of(a, fid)
    if base:
        mc = paired_draws(a, key, fid, draws, seed)
        out["difference"] = mc.difference(fid, base)
        out["samples"] = {ind: mc.of(fid, ind) - mc.of(base, ind) for ind in INDICATORS}
        out["solver"] = mc.solve_note()
    return out


@st.cache_data(show_spinner="Sobol sensitivity…", max_entries=32)
def _sobol(key: str, _a: le.Assessment, fid: str, indicator: str, samples: int, seed: int) -> pd.DataFrame:
    from lca_engine.assess import matrix_system
    from lca_engine.sensitivity import sobol_difference

    base = baseline_of(_a, fid)
    with LOCK:
        system = matrix_system([factory(_a, fid), factory(_a, base)], year=_a.year, indicators=[indicator])
    return sobol_difference(system, fid, base, indicators=[indicator], samples=samples, seed=seed, top=8)


def sobol(a: le.Assessment, key: str, fid: str, indicator: str, samples: int = 64, seed: int = 1) -> pd.DataFrame:
    """Sobol first-order and total indices of micro-factory − baseline for one indicator (top 8 parameters)."""
    return _sobol(key, a, fid, indicator, int(samples), int(seed))


@st.cache_data(show_spinner="Writing the auditable report (HTML, PDF, JSON)…", max_entries=16)
def _report(key: str, _a: le.Assessment, fid: str, generated: str) -> dict[str, bytes]:
    from lca_engine.background import load_catalog
    from lca_engine.bw.project import DataDir, default_data_dir
    from lca_engine.report import build_content, dumps, render_html, render_pdf, sankey_svgs

    catalog = load_catalog(_a.year, cache_dir=DataDir(default_data_dir()).cache)
    content = build_content(_a, fid, catalog=catalog, generated=generated)
    (svgs,) = sankey_svgs([content])
    page = render_html(content, svgs)
    return {
        "html": page.encode("utf-8"),
        "pdf": render_pdf(page, title=content["title"]),
        "json": dumps(content).encode("utf-8"),
    }


def report(a: le.Assessment, key: str, fid: str) -> dict[str, bytes]:
    """The auditable report of a micro-factory and its baseline (lca_engine.report), as bytes per format, dated
    today (UTC, ISO) as ``lca-engine report`` dates it by default (kept for the day)."""
    from lca_engine.report import TODAY, generation_date

    with LOCK:
        return _report(key, a, fid, generation_date(TODAY))
