"""The Scenarios page's what-if: one declarative scenario applied in memory (lca_engine.scenarios), cached by the
inventory files' bytes and every control value."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import streamlit as st

import lca_engine as le
from dashboard.settings import LOCK
from dashboard.views import baseline_of
from lca_engine.errors import LcaEngineError


def named_scenarios():
    from lca_engine.scenarios import load_scenarios

    return load_scenarios()


@st.cache_data(show_spinner="Recomputing the scenario…", max_entries=64)
def _scenario(file: str, fingerprint: str, year: int, controls: tuple) -> pd.DataFrame:
    from lca_engine.scenarios import Scenario, assess_scenarios

    scenario_year, electricity_intensity, renewable_share, recycled_share, utilisation, fixed_energy_share = controls
    sc = Scenario(
        name="dashboard-what-if",
        year=scenario_year if scenario_year != year else None,
        electricity_intensity=electricity_intensity,
        renewable_electricity_share=renewable_share or None,
        recycled_share=recycled_share or None,
        utilisation=utilisation if utilisation != 1.0 else None,
        fixed_energy_share=fixed_energy_share,
    )
    with LOCK:
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
    base = baseline_of(a, fid)
    controls = (
        int(scenario_year) if scenario_year else None,
        float(electricity_intensity) if electricity_intensity is not None else None,
        float(renewable_share),
        float(recycled_share),
        float(utilisation),
        float(fixed_energy_share),
    )
    fingerprint = files_fingerprint(file, base and a.checked[base].file)
    return _scenario(str(Path(file).resolve()), fingerprint, int(a.year), controls)


def files_fingerprint(*files) -> str:
    h = hashlib.sha256()
    for f in files:
        if f:
            h.update(Path(f).read_bytes())
    return h.hexdigest()[:16]


def grid_intensity(year: int) -> float:
    """DESNZ UK electricity delivered (generation + T&D), kg CO2e per kWh, for the scenario control's default."""
    from lca_engine.background import load_catalog
    from lca_engine.bw.project import DataDir, default_data_dir
    from lca_engine.scenarios import GRID

    cat = load_catalog(year, cache_dir=DataDir(default_data_dir()).cache)
    return float(cat.factors[GRID].value)
