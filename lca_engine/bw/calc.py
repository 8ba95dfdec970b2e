"""Calculations: every factory × every indicator in one ``bc.MultiLCA`` pass, plus exact contributions.

Contributions are computed per inventory flow with the adjoint of the same matrices: for each indicator,
λ solves Aᵀλ = Bᵀc once (λ_k = score of one unit of product k), and a flow of amount a that process j buys
from product k contributes s_j · a · λ_k (plus s_j · a · c_b for its own elementary flows). Flow contributions
add up to the MultiLCA score exactly (tested), and group into processes, stages and background factors.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import bw2calc as bc
import bw2data as bd
import numpy as np
import pandas as pd
from scipy.sparse.linalg import splu

from ..background.catalog import Catalog
from ..background.imported import database_name
from ..background.links import CHARACTERISED, linked_backgrounds
from ..errors import BackgroundError, InventoryError
from ..indicators import CRADLE_TO_GATE, INDICATORS, SCOPES, SITE
from ..model import ENVIRONMENT, MARKET, WASTE_ROUTES, Factory
from .build import FU_CODE, background_db_name, foreground_db_name
from .exact import Exact, exact_matrices
from .parts import ensure, up_to_date
from .project import activate, reload

TIMINGS: dict[str, float] = {}

#: Life-cycle modules, named after EN 15804 A1-A3 (cradle to gate), for contribution by life-cycle stage.
MODULES = ("A1 raw materials", "A2 transport", "A3 manufacturing", "A3 waste and wastewater treatment")


#: Below this magnitude a result is floating-point noise of the solve (e.g. 4e-19 m3), reported as 0.
NOISE = 1e-15


def _clean(x) -> float:
    x = float(x)
    return 0.0 if abs(x) < NOISE else x


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
def built(factories: list[Factory], catalog: Catalog, data_dir: str | Path | None = None) -> Iterator[dict[str, bool]]:
    """Hold the data folder's read lock with every part the calculation needs up to date and readable.

    Checked under the read lock (readers share it); if anything is stale or half-written, it is written under
    the write lock (one writer, no reader) and checked again. Yields which parts this process (re)wrote.
    """
    d = activate(data_dir)
    wrote = dict.fromkeys(["base", "background", *(f.id for f in factories)], False)
    for _ in range(3):  # another process may rewrite a part between our write and our read (other inputs)
        with d.read_lock():
            if reload() and up_to_date(factories, catalog):
                yield wrote
                return
        with d.write_lock():
            reload(repair=True)
            wrote = {k: v or wrote[k] for k, v in ensure(factories, catalog).items()}
    raise BackgroundError(
        "other processes kept rewriting the Brightway project while this one was reading it",
        fix="run again once the other lca-engine processes have finished",
        file=str(d.brightway),
    )


def build(factories: list[Factory], catalog: Catalog, data_dir: str | Path | None = None) -> dict[str, bool]:
    """Create or refresh everything the calculation needs; returns which parts were (re)written."""
    with built(factories, catalog, data_dir) as wrote:
        return wrote


def calculate(
    factories: list[Factory],
    catalog: Catalog,
    data_dir: str | Path | None = None,
    indicators: list[str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (totals + per-flow contributions, per-flow characterisation check) as long tables, read while the
    project is held up to date (:func:`built`)."""
    t0 = time.perf_counter()
    with built(factories, catalog, data_dir):
        TIMINGS["build"] = time.perf_counter() - t0
        return _calculate(factories, catalog, indicators)


def _calculate(
    factories: list[Factory], catalog: Catalog, indicators: list[str] | None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    t1 = time.perf_counter()
    chosen = _chosen(indicators)
    mlca = _multilca(factories, catalog, chosen)
    t2 = time.perf_counter()
    adj = _adjoint(mlca, exact_matrices(mlca, factories, catalog, chosen), catalog, chosen, factories)
    rows, check, nodes = [], [], {}
    for f in factories:
        parts = _flow_parts(f, mlca, catalog, adj, nodes)
        supply = adj.supply[f.id]
        totals = {CRADLE_TO_GATE: list(supply @ adj.direct), SITE: list(supply @ adj.direct_site)}
        rows += _cube_rows(f, catalog.year, chosen, totals, parts)
        check += _check_rows(f, chosen, parts)
    TIMINGS.update(
        multilca=t2 - t1,
        contributions=time.perf_counter() - t2,
        factories=len(factories),
        indicators=len(chosen),
    )
    return pd.DataFrame(rows), pd.DataFrame(check)


def _chosen(indicators: list[str] | None) -> list:
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


def _multilca(factories: list[Factory], catalog: Catalog, chosen: list) -> bc.MultiLCA:
    """Every factory's functional unit × every indicator in one MultiLCA: its matrices and indices, not solved."""
    demands = {}
    for f in factories:
        node = bd.get_node(database=foreground_db_name(f, catalog.year), code=FU_CODE)
        demands[f.id] = {node.id: 1.0}
    config = {"impact_categories": [i.method for i in chosen]}
    with warnings.catch_warnings():
        # bw2calc warns when a method characterises nothing in these systems (e.g. toxicity with no toxic
        # emissions); the completeness table reports that per flow instead.
        warnings.filterwarnings("ignore", message="All values in characterization matrix")
        warnings.filterwarnings("ignore", message="No valid biosphere flows found")
        mlca = bc.MultiLCA(demands=demands, method_config=config, data_objs=bd.get_multilca_data_objs(demands, config))
        # the matrices only: the system is solved once, by :func:`_adjoint` (bw2calc's own solve would factorise A a
        # second time, seconds on an imported background of ecoinvent's size)
        mlca.load_lci_data()
        mlca.build_demand_array()
        if mlca.dicts.biosphere:  # no characterisation matrices when no activity has an elementary flow
            mlca.load_lcia_data()  # (then every score is 0 and every flow is listed as not characterised)
    return mlca


@dataclass(frozen=True)
class Adjoint:
    """Supply of every activity per functional unit, per-unit scores of every product (λ, product × indicator)
    cradle to gate and on site, and the characterisation of every elementary flow (C, flow × indicator)."""

    supply: dict[str, np.ndarray]
    C: np.ndarray
    lam: np.ndarray
    lam_site: np.ndarray
    direct: np.ndarray  # activity × indicator: score of the activity's own elementary flows
    direct_site: np.ndarray  # the same, counted on site


def _adjoint(mlca, ex: Exact, catalog: Catalog, chosen: list, factories: list[Factory]) -> Adjoint:
    """One factorisation of A: the supply of each functional unit, then one transposed solve per indicator and
    scope (all at once)."""
    imported = imported_ids(linked_backgrounds(factories))
    direct = np.asarray(ex.B.T @ ex.C) * link_mask(mlca, chosen, imported)  # activity × ind
    direct_site = direct * site_mask(mlca, catalog, chosen, imported)
    try:
        lu = splu(ex.A)
        supply = {f.id: denoise(lu.solve(np.asarray(mlca.demand_arrays[f.id], dtype=float))) for f in factories}
        lam, lam_site = denoise(lu.solve(direct, trans="T")), denoise(lu.solve(direct_site, trans="T"))
    except RuntimeError:  # SuperLU: "Factor is exactly singular"
        raise InventoryError(
            "the foreground cannot be solved (singular technosphere matrix) for "
            + ", ".join(sorted(mlca.demands))
            + ": a process sends (almost) nothing on — Brightway stores amounts as float32, so an amount below "
            "about 1e-38 kg is 0 — or processes feed each other with nothing leaving",
            fix="give every process a mass output of a realistic size, and let every loop lead to a product or waste",
        ) from None
    return Adjoint(supply, ex.C, lam, lam_site, direct, direct_site)


#: A solved value smaller than this share of the largest in its column is the solver's round-off (LU's error bound
#: is a multiple of machine epsilon times the column's norm), e.g. 1e-17 kg of an activity no demand reaches.
SOLVE_NOISE = 1e-13


def denoise(x: np.ndarray) -> np.ndarray:
    """``x`` with its round-off set to 0, column by column (see :data:`SOLVE_NOISE`)."""
    x = np.array(x, dtype=float)
    scale = np.abs(x).max(axis=0, keepdims=True) if x.size else 0.0
    x[np.abs(x) <= SOLVE_NOISE * scale] = 0.0
    return x


def site_mask(mlca, catalog: Catalog, chosen: list, imported: frozenset[int] = frozenset()) -> np.ndarray:
    """activity × indicator: 1 where an activity's own elementary flows count on site for the indicator's family
    (every foreground process; background factors of purchased energy and mains water, see ``Factor.site``; never
    an activity of an imported background, ``imported``: its supply chain is off site)."""
    families = np.array([i.family for i in chosen])
    background = {node.id: node["code"] for node in bd.Database(background_db_name(catalog.year))}
    mask = np.ones((len(mlca.dicts.activity), len(chosen)))
    for node_id, col in mlca.dicts.activity.items():
        if node_id in background:
            mask[col] = np.isin(families, catalog.factors[background[node_id]].site)
        elif node_id in imported:
            mask[col] = 0.0
    return mask


def link_mask(mlca, chosen: list, imported: frozenset[int]) -> np.ndarray:
    """activity × indicator: 0 for an activity of an imported background and an indicator that does not
    characterise imported backgrounds (:data:`~lca_engine.background.links.CHARACTERISED`), else 1 — so such a
    number leaves the link out (and coverage names it) instead of counting the few flows it happens to match."""
    mask = np.ones((len(mlca.dicts.activity), len(chosen)))
    cols = [col for node_id, col in mlca.dicts.activity.items() if node_id in imported]
    if cols:
        mask[np.ix_(cols, [k for k, i in enumerate(chosen) if i.id not in CHARACTERISED])] = 0.0
    return mask


def imported_ids(names: list[str]) -> frozenset[int]:
    """Node ids of the activities of the imported backgrounds ``names`` (one query, however large)."""
    if not names:
        return frozenset()
    from bw2data.backends import ActivityDataset as AD

    dbs = [database_name(n) for n in names]
    return frozenset(r.id for r in AD.select(AD.id).where(AD.database << dbs))


@dataclass
class FlowPart:
    """One flow's link (a background product or an elementary flow) in one process: its contribution per scope
    and whether one unit of it is characterised at all, per indicator."""

    value: dict[str, np.ndarray]
    characterised: dict[str, np.ndarray]


def _input(exc, nodes: dict) -> object:
    """The node an exchange takes from, read from the project once per key (``exc.input`` reads it every time)."""
    key = tuple(exc["input"])
    if key not in nodes:
        nodes[key] = bd.get_node(database=key[0], code=key[1])
    return nodes[key]


def _flow_parts(f: Factory, mlca, catalog: Catalog, adj: Adjoint, nodes: dict) -> dict[tuple[str, str, str], FlowPart]:
    db = foreground_db_name(f, catalog.year)
    bg = background_db_name(catalog.year)
    names = {database_name(n): n for n in linked_backgrounds([f])}
    supply = adj.supply[f.id]
    act_col, prod_row, bio_row = mlca.dicts.activity, mlca.dicts.product, mlca.dicts.biosphere
    parts: dict[tuple[str, str, str], FlowPart] = {}
    for act in bd.Database(db):
        if act["code"] == FU_CODE:
            continue
        s = supply[act_col[act.id]]
        for exc in act.exchanges():
            fid = exc.get("flow")
            if fid is None or exc["type"] == "production":
                continue
            inp = _input(exc, nodes)
            if exc["type"] == "technosphere":
                if inp["database"] == db:
                    continue  # internal flow: its burden is counted where it is produced
                unit = {CRADLE_TO_GATE: adj.lam[prod_row[inp.id]], SITE: adj.lam_site[prod_row[inp.id]]}
                factor = inp["code"] if inp["database"] == bg else f"{names[inp['database']]}:{inp['code']}"
            else:
                c = adj.C[bio_row[inp.id]] if inp.id in bio_row else np.zeros(adj.C.shape[1])
                unit = {CRADLE_TO_GATE: c, SITE: c}  # the process's own elementary flow: on site
                factor = f"{inp['database']}:{inp['name']}"
            part = parts.setdefault(
                (fid, act["code"], factor),
                FlowPart({k: 0.0 for k in unit}, {k: np.zeros(len(v), bool) for k, v in unit.items()}),
            )
            for scope, u in unit.items():
                part.value[scope] = part.value[scope] + s * exc["amount"] * u
                part.characterised[scope] = part.characterised[scope] | (np.abs(u) > 0)
    return parts


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
                | {"factor": "", "value": _clean(totals[scope][k])}
            )
            for (fid, proc, factor), part in sorted(parts.items()):
                rows.append(
                    {**base, "contributor_type": "flow", "contributor": fid, "process": proc, "stage": stage[proc]}
                    | {"module": module(flows[fid]), "factor": factor, "value": _clean(part.value[scope][k])}
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
