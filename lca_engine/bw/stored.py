"""The float64 exchanges of an imported background, as the project stores them, read once per write.

bw_processing keeps matrix values as float32; the deterministic results use the float64 amounts written into the
project (:mod:`.exact`). For the product's own databases those are recomputed from its inputs; an imported database
is read back from SQLite — every exchange's pickled data, seconds for a database of ecoinvent's size — so the
arrays are kept beside the project, named by the database's nonce (a new one at every rewrite), and read from there
(milliseconds) until the database is written again. A copy that cannot be read is read from SQLite again.
"""

from __future__ import annotations

import io
import pickle
import zipfile
from dataclasses import dataclass, fields

import bw2data as bd
import numpy as np
from bw2data.backends import ActivityDataset as AD
from bw2data.backends import ExchangeDataset as ED
from bw2data.configuration import labels

from .. import atomic
from .store import nonce

#: Folder of the project (beside bw2data's own) holding the copies.
FOLDER = "lca-engine-stored"
BIOSPHERE, POSITIVE, NEGATIVE = 0, 1, -1


@dataclass(frozen=True)
class Stored:
    """One row per exchange: the activity (code), the input (database, code), amount and kind."""

    output: np.ndarray
    input_db: np.ndarray
    input_code: np.ndarray
    amount: np.ndarray  # float64, as written
    kind: np.ndarray  # BIOSPHERE, POSITIVE (production: + in A) or NEGATIVE (technosphere: − in A)


def stored(database: str) -> Stored:
    """The exchanges of ``database``, from the copy of its current write, else from SQLite (and copied)."""
    path = bd.projects.dir / FOLDER / f"{database}-{nonce(database)}.npz"
    try:
        with np.load(path, allow_pickle=False) as z:
            return Stored(*(z[f.name] for f in fields(Stored)))
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):
        pass
    s = _read(database)
    buf = io.BytesIO()
    np.savez(buf, **{f.name: getattr(s, f.name) for f in fields(Stored)})
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic.write_bytes(path, buf.getvalue())
    return s


def _kind(edge: str) -> int:
    if edge in labels.biosphere_edge_types:
        return BIOSPHERE
    return POSITIVE if edge in labels.technosphere_positive_edge_types else NEGATIVE


def _read(database: str) -> Stored:
    """From SQLite, with bw2data's implicit production exchange (1) of nodes of its types that have none."""
    sql = "SELECT output_code, input_database, input_code, type, data FROM exchangedataset WHERE output_database = ?"
    rows = ED._meta.database.execute_sql(sql, (database,)).fetchall()
    out, in_db, in_code = ([r[i] for r in rows] for i in range(3))
    amount = [float(pickle.loads(bytes(r[4]))["amount"]) for r in rows]  # the project's own data
    kind = [_kind(r[3]) for r in rows]
    produced = {o for o, k in zip(out, kind, strict=True) if k == POSITIVE}
    types = labels.implicit_production_allowed_node_types
    implicit = AD.select(AD.code).where(AD.database == database, AD.type << types).tuples()
    for code in sorted({c for (c,) in implicit} - produced):
        for column, value in ((out, code), (in_db, database), (in_code, code), (amount, 1.0), (kind, POSITIVE)):
            column.append(value)
    return Stored(
        np.array(out, dtype=str),
        np.array(in_db, dtype=str),
        np.array(in_code, dtype=str),
        np.array(amount, dtype=np.float64),
        np.array(kind, dtype=np.int8),
    )
