"""The Scenarios page's what-if: one declarative scenario applied in memory (lca_engine.scenarios), cached by the
inventory files' bytes and every control value; what each scenario's parameters do to an inventory
(:func:`lca_engine.scenarios.effects`, with the year's catalogue) and the named scenarios as a table."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import streamlit as st

import lca_engine as le
from dashboard.settings import LOCK
from dashboard.views import baseline_of
from lca_engine.errors import LcaEngineError

#: The name of the what-if scenario (its rows in :func:`scenario`'s table).
WHAT_IF = "dashboard-what-if"
#: Scenario parameters (lca_engine.scenarios.Scenario fields) in words.
PARAMETER_LABELS = {
    "year": "DESNZ background year",
    "electricity_intensity": "grid intensity",
    "renewable_electricity_share": "renewable electricity share",
    "recycled_share": "recycled share",
    "utilisation": "utilisation",
    "fill_unpublished_from": "fill unpublished factors from year",
    "fixed_energy_share": "fixed share of energy",
    "renewable_keeps_td_losses": "renewable keeps T&D losses",
}
EFFECT_COLUMNS = ["scenario", "system", "parameter", "acts", "what it does"]


def named_scenarios():
    from lca_engine.scenarios import load_scenarios

    return load_scenarios()


def named_scenarios_table() -> pd.DataFrame:
    """The named scenarios of inventories/scenarios.toml, one row each, parameters in words ('—': not set)."""
    rows = [{k: "—" if v is None else str(v) for k, v in s.model_dump().items()} for s in named_scenarios()]
    return pd.DataFrame(rows).rename(columns=PARAMETER_LABELS)


def what_if(year: int, controls: tuple):
    """The what-if :class:`lca_engine.scenarios.Scenario` of the controls (scenario year, grid intensity,
    renewable share, recycled share, utilisation, fixed energy share) on an assessment of ``year``."""
    from lca_engine.scenarios import Scenario

    scenario_year, electricity_intensity, renewable_share, recycled_share, utilisation, fixed_energy_share = controls
    return Scenario(
        name=WHAT_IF,
        year=scenario_year if scenario_year and scenario_year != year else None,
        electricity_intensity=electricity_intensity,
        renewable_electricity_share=renewable_share or None,
        recycled_share=recycled_share or None,
        utilisation=utilisation if utilisation != 1.0 else None,
        fixed_energy_share=fixed_energy_share,
    )


@st.cache_data(show_spinner="Recomputing the scenario…", max_entries=64)
def _scenario(file: str, fingerprint: str, year: int, controls: tuple) -> pd.DataFrame:
    from lca_engine.scenarios import assess_scenarios

    with LOCK:
        res = assess_scenarios([file], [what_if(year, controls)], year=year)
    return res.comparison()


def scenario(a: le.Assessment, fid: str, **controls) -> pd.DataFrame:
    """The micro-factory and its baseline as written ("default") and under the what-if scenario
    ("dashboard-what-if"): rows of :meth:`Assessment.comparison` from :func:`lca_engine.scenarios.assess_scenarios`.
    ``controls``: scenario_year, electricity_intensity, renewable_share, recycled_share, utilisation,
    fixed_energy_share (:func:`_controls`; unknown names are a TypeError)."""
    file = a.checked[fid].file
    if not file:
        raise LcaEngineError("this factory has no inventory file", fix="assess it from a file")
    base = baseline_of(a, fid)
    controls = _controls(**controls)
    fingerprint = files_fingerprint(file, base and a.checked[base].file)
    return _scenario(str(Path(file).resolve()), fingerprint, int(a.year), controls)


def _controls(
    scenario_year: int | None = None,
    electricity_intensity: float | None = None,
    renewable_share: float = 0.0,
    recycled_share: float = 0.0,
    utilisation: float = 1.0,
    fixed_energy_share: float = 0.3,
) -> tuple:
    """The controls as the cache key and :func:`what_if` read them."""
    return (
        int(scenario_year) if scenario_year else None,
        float(electricity_intensity) if electricity_intensity is not None else None,
        float(renewable_share),
        float(recycled_share),
        float(utilisation),
        float(fixed_energy_share),
    )


@st.cache_resource(show_spinner=False, max_entries=4)
def _catalog(year: int):
    """The DESNZ catalogue of a year: effects need it to know which closed-loop factors exist."""
    from lca_engine.background import load_catalog
    from lca_engine.bw.project import DataDir, default_data_dir

    return load_catalog(year, cache_dir=DataDir(default_data_dir()).cache)


def scenario_effects(a: le.Assessment, fid: str, scenarios: list) -> pd.DataFrame:
    """What each scenario's parameters do to micro-factory ``fid`` and its baseline
    (:func:`lca_engine.scenarios.effects`), one row per parameter (:data:`EFFECT_COLUMNS`)."""
    from lca_engine.scenarios import effects

    ids = [i for i in (fid, baseline_of(a, fid)) if i]
    rows = [
        {
            "scenario": sc.name,
            "system": a.checked[i].factory.name,
            "parameter": PARAMETER_LABELS.get(e.parameter, e.parameter),
            "acts": "yes" if e.applies else "no",
            "what it does": e.note,
        }
        for sc in scenarios
        for i in ids
        for e in effects(a.checked[i].factory, sc, _catalog(sc.year or int(a.year)))
    ]
    return pd.DataFrame(rows, columns=EFFECT_COLUMNS)


def what_if_effects(a: le.Assessment, fid: str, **controls) -> pd.DataFrame:
    """:func:`scenario_effects` of the what-if scenario the controls give (the keyword arguments of
    :func:`scenario`)."""
    return scenario_effects(a, fid, [what_if(int(a.year), _controls(**controls))])


def named_effects(a: le.Assessment, fid: str) -> pd.DataFrame:
    """:func:`scenario_effects` of every named scenario (inventories/scenarios.toml)."""
    return scenario_effects(a, fid, named_scenarios())


def files_fingerprint(*files) -> str:
    h = hashlib.sha256()
    for f in files:
        if f:
            h.update(Path(f).read_bytes())
    return h.hexdigest()[:16]


def grid_intensity(year: int) -> float:
    """DESNZ UK electricity delivered (generation + T&D), kg CO2e per kWh, for the scenario control's default."""
    from lca_engine.scenarios import GRID

    return float(_catalog(int(year)).factors[GRID].value)
