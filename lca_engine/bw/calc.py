"""Calculations: every factory × every indicator at both scopes, with the exact part of every flow.

The background is solved once per run (:mod:`.background_scores`: one factorisation, λ_k = score of one unit of
background product k per indicator and scope); each factory then solves only its own small system
(:mod:`.foreground_scores`): a flow of amount a that process j buys from product k contributes s_j · a · λ_k (plus
s_j · a · c_b for its own elementary flows). Flow contributions add up to the score exactly (tested against bw2calc's
``LCA``), and group into processes, stages and background factors.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import bw2data as bd
import pandas as pd

from ..background.catalog import Catalog
from ..background.links import linked_backgrounds
from ..errors import BackgroundError
from ..indicators import INDICATORS, SCOPES
from ..model import ENVIRONMENT, MARKET, WASTE_ROUTES, Factory
from .background_scores import BackgroundScores, background_scores
from .build import foreground_data, foreground_db_name
from .foreground_scores import foreground_scores
from .noise import clean
from .parts import ensure, up_to_date
from .project import activate, reload

#: Life-cycle modules, named after EN 15804 A1-A3 (cradle to gate), for contribution by life-cycle stage.
MODULES = ("A1 raw materials", "A2 transport", "A3 manufacturing", "A3 waste and wastewater treatment")


def module(flow) -> str:
    """Which life-cycle module a boundary flow belongs to (purchases of materials and chemicals are A1, freight
    A2, energy, water and direct emissions of the processes A3, treatment of outflows A3 waste)."""
    if flow.kind == "transport":
        return MODULES[1]
    if flow.from_ in (MARKET, ENVIRONMENT) and flow.kind in ("material", "chemical"):
        return MODULES[0]
    if flow.to in WASTE_ROUTES:
        return MODULES[3]
    return MODULES[2]


@contextmanager
def built(
    factories: list[Factory],
    catalog: Catalog,
    data_dir: str | Path | None = None,
    *,
    foregrounds: bool = True,
    backgrounds: tuple[str, ...] = (),
) -> Iterator[dict[str, bool]]:
    """Hold the data folder's read lock with every part the calculation needs up to date and readable (the
    factories' own databases only if ``foregrounds``: the deterministic results need only the backgrounds; the
    imported ``backgrounds`` besides those the factories link to).

    Checked under the read lock (readers share it); if anything is stale or half-written, it is written under
    the write lock (one writer, no reader) and checked again. Yields which parts this process (re)wrote.
    """
    d = activate(data_dir)
    wrote = dict.fromkeys(["base", "background", *(f.id for f in factories)], False)
    for _ in range(3):  # another process may rewrite a part between our write and our read (other inputs)
        with d.read_lock():
            if reload() and up_to_date(factories, catalog, foregrounds, backgrounds):
                yield wrote
                return
        with d.write_lock():
            reload(repair=True)
            wrote = {k: v or wrote[k] for k, v in ensure(factories, catalog, foregrounds, backgrounds).items()}
    raise BackgroundError(
        "other processes kept rewriting the Brightway project while this one was reading it",
        fix="run again once the other lca-engine processes have finished",
        file=str(d.brightway),
    )


def build(factories: list[Factory], catalog: Catalog, data_dir: str | Path | None = None) -> dict[str, bool]:
    """Create or refresh everything the calculation needs; returns which parts were (re)written."""
    with built(factories, catalog, data_dir) as wrote:
        return wrote


@dataclass(frozen=True)
class Timings:
    """Seconds spent: checking or (re)building the project, solving the background, the factories' own systems."""

    build: float
    background: float
    foregrounds: float
    factories: int
    indicators: int

    def as_dict(self) -> dict[str, float]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Calculation:
    cube: pd.DataFrame  # totals + per-flow contributions (long format)
    check: pd.DataFrame  # per flow and scope: which indicators characterise its link
    timings: Timings


def calculate(
    factories: list[Factory],
    catalog: Catalog,
    data_dir: str | Path | None = None,
    indicators: list[str] | None = None,
) -> Calculation:
    """Every factory × indicator at both scopes, read while the project is held up to date (:func:`built`)."""
    t0 = time.perf_counter()
    with built(factories, catalog, data_dir):  # their databases too: the Monte Carlo and exports read them
        t1 = time.perf_counter()
        chosen = chosen_indicators(indicators)
        bg = background_scores(catalog, chosen, linked_backgrounds(factories))
    t2 = time.perf_counter()
    cube, check = factory_rows(factories, catalog, bg)
    timings = Timings(t1 - t0, t2 - t1, time.perf_counter() - t2, len(factories), len(chosen))
    return Calculation(cube, check, timings)


def factory_rows(
    factories: list[Factory], catalog: Catalog, bg: BackgroundScores, contributions: bool = True
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The cube rows (totals, and each flow's part if ``contributions``) and characterisation checks of
    ``factories`` on the solved background (no Brightway)."""
    rows, check = [], []
    for f in factories:
        cube, checked = factory_row_dicts(f, catalog, bg, contributions)
        rows += cube
        check += checked
    return pd.DataFrame(rows), pd.DataFrame(check)


def factory_row_dicts(
    factory: Factory, catalog: Catalog, bg: BackgroundScores, contributions: bool = True
) -> tuple[list[dict], list[dict]]:
    """One factory's cube rows and characterisation checks as dicts (:func:`factory_rows`; many factories' rows
    make one table at once)."""
    chosen = list(bg.indicators)
    fg = foreground_scores(foreground_data(factory, catalog), foreground_db_name(factory, catalog.year), bg)
    rows = _cube_rows(factory, catalog.year, chosen, fg.totals, fg.parts if contributions else {})
    return rows, _check_rows(factory, chosen, fg.parts)


def chosen_indicators(indicators: list[str] | None) -> list:
    """The indicators of ``indicators`` (ids; ``None``: all), each with its method installed in the project."""
    unknown = [i for i in (indicators or []) if i not in INDICATORS]
    if unknown:
        raise BackgroundError(
            f"unknown indicator(s) {unknown}", fix=f"choose from {', '.join(INDICATORS)}", field="indicators"
        )
    chosen = [INDICATORS[i] for i in (indicators or list(INDICATORS))]
    missing = [i.method for i in chosen if i.method not in bd.methods]
    if missing:
        raise BackgroundError(
            f"LCIA method(s) not installed: {missing}",
            fix="rebuild the project (delete the data directory) or choose installed methods",
        )
    return chosen


def _cube_rows(f: Factory, year: int, chosen: list, totals: dict, parts: dict) -> list[dict]:
    stage = {p.id: p.stage for p in f.processes}
    flows = {fl.id: fl for fl in f.flows}
    rows = []
    for scope in SCOPES:
        for k, ind in enumerate(chosen):
            base = dict(
                factory=f.id,
                factory_name=f.name,
                system=f.system,
                sector=f.sector,
                functional_unit=f.functional_unit.label(),
                year=year,
                indicator=ind.id,
                indicator_name=ind.name,
                family=ind.family,
                unit=ind.unit,
                scope=scope,
            )
            rows.append(
                {**base, "contributor_type": "total", "contributor": "", "process": "", "stage": "", "module": ""}
                | {"factor": "", "value": clean(totals[scope][k])}
            )
            for (fid, proc, factor), part in sorted(parts.items()):
                rows.append(
                    {**base, "contributor_type": "flow", "contributor": fid, "process": proc, "stage": stage[proc]}
                    | {"module": module(flows[fid]), "factor": factor, "value": clean(part.value[scope][k])}
                )
    return rows


def _check_rows(f: Factory, chosen: list, parts: dict) -> list[dict]:
    """Which indicators characterise each flow's link, per scope (a flow contributes exactly where it is)."""
    kinds = {fl.id: fl.kind for fl in f.flows}
    return [
        {
            "factory": f.id,
            "flow": fid,
            "process": proc,
            "kind": kinds[fid],
            "factor": factor,
            "scope": scope,
            "characterised_by": ",".join(ind.id for k, ind in enumerate(chosen) if part.characterised[scope][k]),
        }
        for (fid, proc, factor), part in sorted(parts.items())
        for scope in SCOPES
    ]
