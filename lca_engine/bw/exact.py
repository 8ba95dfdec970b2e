"""Brightway's matrices with the exact values the product wrote into them.

bw_processing stores every matrix value as float32, so a result read straight from bw2calc carries ~1e-7 relative
rounding (an amount of 5.73 is stored as 5.7300000191). The deterministic results use the same matrices — same
rows, columns and structure, as bw2calc built them from the project — with each value replaced by the float64
number written into the project (the exchanges of :func:`.build.background_data` and of the imported
backgrounds' stored data, and the characterisation factors :func:`.methods.indicator_cfs` wrote into each method).
Each rebuilt matrix is checked against bw2calc's own to float32 rounding, so the two cannot drift apart unnoticed;
Monte Carlo keeps bw2calc's values (its spread is far larger than the rounding).
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass

import bw2data as bd
import numpy as np
import scipy.sparse as sp
from bw2data.backends import ActivityDataset as AD
from bw2data.errors import MissingIntermediateData

from ..background.catalog import Catalog
from ..background.imported import database_name
from ..errors import InventoryError, LcaEngineError
from .build import background_data, background_db_name
from .methods import indicator_cfs
from .stored import BIOSPHERE, Stored, stored

MissingCfs = (OSError, EOFError, ValueError, TypeError, pickle.UnpicklingError, MissingIntermediateData)

#: Largest relative difference allowed between a rebuilt value and bw2calc's float32 copy of it.
FLOAT32_TOLERANCE = 1e-6
F32 = np.finfo(np.float32)


@dataclass(frozen=True)
class Exact:
    A: sp.csc_matrix  # technosphere, products × activities
    B: sp.csr_matrix  # biosphere, flows × activities
    C: np.ndarray  # characterisation, flows × indicators


def exact_matrices(mlca, catalog: Catalog, chosen: list, backgrounds: list[str]) -> Exact:
    """A, B and C of ``mlca`` (the background of ``catalog``'s year and the imported ``backgrounds``) with the
    float64 values written into the project (checked against bw2calc's)."""
    data = dict(background_data(catalog))
    imported = {db: stored(db) for db in (database_name(n) for n in backgrounds)}
    ids = _node_ids([background_db_name(catalog.year)])
    ids |= _bulk_ids(list(imported))
    flows = {ex["input"] for act in data.values() for ex in act["exchanges"] if ex["type"] == "biosphere"}
    for st in imported.values():
        bio = st.kind == BIOSPHERE
        flows |= set(zip(st.input_db[bio].tolist(), st.input_code[bio].tolist(), strict=True))
    ids |= _flow_ids(flows)
    A, B = _matrices(mlca, data, ids)
    for db, st in imported.items():
        a, b = _stored_matrices(mlca, db, st, ids)
        A, B = A + a, B + b
    C = np.zeros((B.shape[0], len(chosen)))
    rows = mlca.dicts.biosphere
    for k, ind in enumerate(chosen):
        for node, cf in method_cfs(ind, ids):
            if node in rows:
                C[rows[node], k] = cf
    names = {
        col: key for key, node in ids.items() if node in mlca.dicts.activity for col in [mlca.dicts.activity[node]]
    }
    _check(A, mlca.technosphere_matrix, "technosphere", names)
    _check(B, mlca.biosphere_matrix, "biosphere", names)
    if mlca.dicts.biosphere:
        theirs = np.column_stack([mlca.characterization_matrices[i.method].diagonal() for i in chosen])
        _check(sp.csr_matrix(C), sp.csr_matrix(theirs), "characterisation", {})
    return Exact(A.tocsc(), B.tocsr(), C)


def method_cfs(ind, ids: dict[tuple[str, str], int]) -> list[tuple[int, float]]:
    """(flow node id, CF) of an indicator's method as the project holds it: the float64 list
    :func:`.methods.indicator_cfs` wrote, kept by bw2data beside the processed file (read in ~0.2 ms, where computing
    the CFs again parses bw2io's LCIA file, ~2 s). If that copy is gone, they are computed again (flows in ``ids``)."""
    try:
        return [(int(node), float(cf)) for node, cf in bd.Method(ind.method).load()]
    except MissingCfs:
        return [(ids[key], cf) for key, cf in indicator_cfs(ind.id) if key in ids]


def _node_ids(databases: list[str]) -> dict[tuple[str, str], int]:
    return {(db, node["code"]): node.id for db in databases for node in bd.Database(db)}


def _flow_ids(keys: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
    ids = _bulk_ids(sorted({db for db, _ in keys}))
    return {key: ids[key] for key in keys}


def _bulk_ids(databases: list[str]) -> dict[tuple[str, str], int]:
    """(database, code) -> node id of every node of ``databases``, one query (an imported database may be large)."""
    if not databases:
        return {}
    rows = AD.select(AD.id, AD.database, AD.code).where(AD.database << list(databases))
    return {(r.database, r.code): r.id for r in rows}


def _matrices(mlca, data: dict, ids: dict) -> tuple[sp.coo_matrix, sp.coo_matrix]:
    cols, prods, flows = mlca.dicts.activity, mlca.dicts.product, mlca.dicts.biosphere
    a_entries: list[tuple[int, int, float]] = []
    b_entries: list[tuple[int, int, float]] = []
    for key, act in data.items():
        if ids[key] not in cols:
            continue  # a database the demands do not reach (e.g. the background of a factory that links none)
        col = cols[ids[key]]
        for ex in act["exchanges"]:
            node = ids[tuple(ex["input"])]
            if ex["type"] == "biosphere":
                b_entries.append((flows[node], col, ex["amount"]))
            else:
                sign = 1.0 if ex["type"] == "production" else -1.0
                a_entries.append((prods[node], col, sign * ex["amount"]))
    return _coo(a_entries, mlca.technosphere_matrix.shape), _coo(b_entries, mlca.biosphere_matrix.shape)


def _stored_matrices(mlca, database: str, st: Stored, ids: dict) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """A and B entries of an imported database, from its stored float64 exchanges (vectorised: it may be large)."""
    cols, prods, flows = mlca.dicts.activity, mlca.dicts.product, mlca.dicts.biosphere
    node = [ids[(database, c)] for c in st.output.tolist()]
    col = np.array([cols[n] if n in cols else -1 for n in node], dtype=np.int64)
    inp = [ids[k] for k in zip(st.input_db.tolist(), st.input_code.tolist(), strict=True)]
    bio, keep = st.kind == BIOSPHERE, col >= 0  # columns the demands do not reach are not in the matrices
    row = np.array([(flows if b else prods)[n] if k else -1 for n, b, k in zip(inp, bio, keep, strict=True)])
    a, b = keep & ~bio, keep & bio
    shape_a, shape_b = mlca.technosphere_matrix.shape, mlca.biosphere_matrix.shape
    sign = st.kind[a].astype(float)
    A = sp.coo_matrix((st.amount[a] * sign, (row[a], col[a])), shape=shape_a)
    B = sp.coo_matrix((st.amount[b], (row[b], col[b])), shape=shape_b)
    return A.tocsr(), B.tocsr()


def _coo(entries: list[tuple[int, int, float]], shape: tuple[int, int]) -> sp.coo_matrix:
    if not entries:
        return sp.coo_matrix(shape)
    r, c, v = (np.array(x) for x in zip(*entries, strict=True))
    return sp.coo_matrix((v.astype(float), (r.astype(int), c.astype(int))), shape=shape)


def _check(ours, theirs, what: str, names: dict) -> None:
    """Our matrix equals bw2calc's up to its float32 storage (same positions, values within rounding); a value
    float32 cannot hold (Brightway keeps 0 or infinity) is the inventory's problem, anything else a bug."""
    ours, theirs = sp.csr_matrix(ours, dtype=float), sp.csr_matrix(theirs, dtype=float)
    diff = (ours - theirs).tocoo()
    if not diff.nnz:
        return
    mine = np.asarray(ours[diff.row, diff.col]).ravel()
    scale = np.maximum(np.abs(mine), np.abs(np.asarray(theirs[diff.row, diff.col]).ravel()))
    bad = np.abs(diff.data) > FLOAT32_TOLERANCE * scale
    lost = bad & ((np.abs(mine) < F32.tiny) | (np.abs(mine) > F32.max))
    if lost.any():
        where = sorted({":".join(names.get(int(c), ("?", "?"))) for c in diff.col[lost]})
        raise InventoryError(
            f"an amount of {', '.join(where)} is {mine[lost][0]:.3g} once converted to the activity's unit: outside "
            "the float32 range Brightway stores (1.2e-38 to 3.4e38), so it would become 0 or infinite there "
            "(a process that makes nothing makes the technosphere singular)",
            fix="give the amount in a unit that keeps it within that range once converted to kg, kWh or m3",
        )
    if bad.any():
        raise LcaEngineError(
            f"the {what} matrix rebuilt from the data written into the Brightway project differs from bw2calc's "
            f"in {int(bad.sum())} entries",
            fix="this is a bug (the project and the data it was built from disagree); please report it",
        )
