"""Sealed Brightway writes: write, check the processed datapackage reads back, and only then record "up to date".

Every database and method carries ``lca_engine_hash``, the digest of what it was built from. It is empty while
the data is being written and set only once the processed zip opens and holds every resource it lists, so a
process killed at any point leaves a part that :func:`db_fresh` / :func:`method_fresh` report stale (and the
next run rebuilds) — never one that looks up to date and fails when read.
"""

from __future__ import annotations

import hashlib
import json
import uuid
import zipfile
from pathlib import Path

import bw2data as bd

from ..errors import BackgroundError

HASH = "lca_engine_hash"
NONCE = "lca_engine_nonce"


def _canon(obj):
    if isinstance(obj, dict):
        return {str(k): _canon(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_canon(v) for v in obj]
    return obj


def digest(obj) -> str:
    return hashlib.sha256(json.dumps(_canon(obj), sort_keys=True, default=str).encode()).hexdigest()


def readable(path: Path) -> bool:
    """A processed datapackage is complete: the zip opens (its directory is written last) and holds every
    resource its ``datapackage.json`` lists. Reads the zip's directory and one small JSON member, not the arrays."""
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
            resources = json.loads(z.read("datapackage.json"))["resources"]
            return all(r["path"] in names for r in resources)
    except (OSError, zipfile.BadZipFile, KeyError, TypeError, ValueError):
        return False


def _processed(store) -> Path:
    # not ``Database.filepath_processed()``: that one re-processes (writes) a database flagged dirty
    return store.dirpath_processed() / store.filename_processed()


def db_fresh(name: str, want: str) -> bool:
    if name not in bd.databases:
        return False
    meta = bd.databases[name]
    return meta.get(HASH) == want and not meta.get("dirty") and readable(_processed(bd.Database(name)))


def nonce(name: str) -> str:
    """Changes at every rewrite of ``name`` (new node ids): dependants put it in their digests."""
    return bd.databases[name].get(NONCE, "") if name in bd.databases else ""


def _sealed(path: Path, what: str) -> None:
    if not readable(path):
        raise BackgroundError(
            f"{what} was written but its processed file cannot be read back",
            fix="check the data folder's free space and permissions, then run again",
            file=str(path),
        )


def unseal_db(name: str, **meta) -> None:
    """Delete ``name`` if present and register it empty, marked not up to date."""
    if name in bd.databases:
        del bd.databases[name]
    bd.Database(name).register(**{HASH: ""}, **meta)


def seal_db(name: str, want: str) -> None:
    _sealed(_processed(bd.Database(name)), f"database '{name}'")
    bd.databases[name] = {**bd.databases[name], HASH: want, NONCE: uuid.uuid4().hex}  # flushes to disk


def write_db(name: str, data: dict, want: str, **meta) -> None:
    unseal_db(name, **meta)
    # bw2data draws a tqdm bar per write unless config.is_test (used for nothing else in bw2data 4.8)
    old = getattr(bd.config, "is_test", False)
    bd.config.is_test = True
    try:
        bd.Database(name).write(data)
    finally:
        bd.config.is_test = old
    seal_db(name, want)


def method_fresh(name: tuple, want: str) -> bool:
    return name in bd.methods and bd.methods[name].get(HASH) == want and readable(_processed(bd.Method(name)))


def write_method(name: tuple, cfs: list, want: str, **meta) -> None:
    m = bd.Method(name)
    if m.registered:
        m.deregister()  # ``register`` leaves an existing entry as it is
    m.register(**{HASH: ""}, **meta)
    m.write(cfs)
    _sealed(_processed(m), f"LCIA method {name}")
    bd.methods[name] = {**bd.methods[name], HASH: want}  # flushes to disk
