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
from pathlib import Path

import bw2calc as bc
import bw2data as bd
import numpy as np
import pandas as pd
from scipy.sparse.linalg import splu

from ..background.catalog import Catalog
from ..errors import BackgroundError, InventoryError
from ..indicators import INDICATORS
from ..model import ENVIRONMENT, MARKET, WASTE_ROUTES, Factory
from .build import FU_CODE, background_db_name, foreground_db_name
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
        mlca.lci()
        characterised = bool(mlca.dicts.biosphere)
        if characterised:  # bw2calc refuses LCIA (EmptyBiosphere) when no activity has an elementary flow
            mlca.lcia()
    t2 = time.perf_counter()

    # no elementary flow anywhere: every score is 0 and the completeness table lists every flow as not characterised
    scores = mlca.scores if characterised else {(i.method, f.id): 0.0 for i in chosen for f in factories}
    # adjoint: one factorisation of Aᵀ, one solve per indicator (all at once)
    A = mlca.technosphere_matrix.tocsc()
    B = mlca.biosphere_matrix
    C = (
        np.column_stack([mlca.characterization_matrices[i.method].diagonal() for i in chosen])
        if characterised
        else np.zeros((0, len(chosen)))
    )  # bio × ind
    direct = B.T @ C  # activity × ind
    try:
        lam = splu(A.T.tocsc()).solve(np.asarray(direct, dtype=float))  # product × ind
    except RuntimeError:  # SuperLU: "Factor is exactly singular"
        raise InventoryError(
            "the foreground cannot be solved (singular technosphere matrix) for "
            + ", ".join(f.id for f in factories)
            + ": a process sends (almost) nothing on — Brightway stores amounts as float32, so an amount below "
            "about 1e-38 kg is 0 — or processes feed each other with nothing leaving",
            fix="give every process a mass output of a realistic size, and let every loop lead to a product or waste",
        ) from None
    prod_row = mlca.dicts.product
    act_col = mlca.dicts.activity
    bio_row = mlca.dicts.biosphere

    rows, check = [], []
    for f in factories:
        db = foreground_db_name(f, catalog.year)
        supply = mlca.supply_arrays[f.id]
        stage = {p.id: p.stage for p in f.processes}
        flow_kind = {fl.id: fl for fl in f.flows}
        contrib: dict[tuple[str, str, str], np.ndarray] = {}
        for act in bd.Database(db):
            if act["code"] == FU_CODE:
                continue
            s = supply[act_col[act.id]]
            for exc in act.exchanges():
                fid = exc.get("flow")
                if fid is None or exc["type"] == "production":
                    continue
                inp = exc.input
                if exc["type"] == "technosphere":
                    if inp["database"] != background_db_name(catalog.year):
                        continue  # internal flow: its burden is counted where it is produced
                    vec = s * exc["amount"] * lam[prod_row[inp.id]]
                    factor = inp["code"]
                else:
                    vec = s * exc["amount"] * C[bio_row[inp.id]]
                    factor = f"{inp['database']}:{inp['name']}"
                key = (fid, act["code"], factor)
                contrib[key] = contrib.get(key, 0.0) + vec
        for ind_i, ind in enumerate(chosen):
            base = dict(
                factory=f.id,
                factory_name=f.name,
                system=f.system,
                sector=f.sector,
                functional_unit=f.functional_unit.label(),
                year=catalog.year,
                indicator=ind.id,
                indicator_name=ind.name,
                family=ind.family,
                unit=ind.unit,
            )
            rows.append(
                {
                    **base,
                    "contributor_type": "total",
                    "contributor": "",
                    "process": "",
                    "stage": "",
                    "module": "",
                    "factor": "",
                    "value": _clean(scores[(ind.method, f.id)]),
                }
            )
            for (fid, proc, factor), vec in sorted(contrib.items()):
                rows.append(
                    {
                        **base,
                        "contributor_type": "flow",
                        "contributor": fid,
                        "process": proc,
                        "stage": stage[proc],
                        "module": module(flow_kind[fid]),
                        "factor": factor,
                        "value": _clean(vec[ind_i]),
                    }
                )
        for (fid, proc, factor), vec in sorted(contrib.items()):
            fl = flow_kind[fid]
            check.append(
                {
                    "factory": f.id,
                    "flow": fid,
                    "process": proc,
                    "kind": fl.kind,
                    "factor": factor,
                    "characterised_by": ",".join(ind.id for k, ind in enumerate(chosen) if vec[k] != 0),
                }
            )
    TIMINGS.update(
        multilca=t2 - t1,
        contributions=time.perf_counter() - t2,
        factories=len(factories),
        indicators=len(chosen),
    )
    return pd.DataFrame(rows), pd.DataFrame(check)
