"""The Brightway databases of an imported background, written from the data stored in the registry folder.

``backgrounds/<NAME>/data.pickle.gz`` holds bw2io's linked data (and the background's own elementary flows), so the
databases can be written again whenever biosphere3 is rebuilt (new node ids): :func:`imported_fresh` says whether
they are up to date, :func:`write_imported` writes them (write lock held, as for every part).
"""

from __future__ import annotations

import gzip
import hashlib
import pickle
from pathlib import Path

import bw2data as bd

from ..background.imported import DATA, biosphere_name, database_name, load_meta, registry_dir
from .gc_pause import collector_paused
from .importers.base import BIO3
from .quiet import quiet
from .store import db_fresh, digest, nonce, seal_db, unseal_db

VERSION = "1"


def dump(data: list[dict], biosphere: list[dict]) -> bytes:
    return gzip.compress(pickle.dumps({"data": data, "biosphere": biosphere}, protocol=5), compresslevel=3)


def dump_to(path: Path, data: list[dict], biosphere: list[dict]) -> None:
    """:func:`dump` streamed into the file ``path``: neither the whole pickle nor its compressed bytes held in memory
    (for a database of ecoinvent's size, hundreds of MB at the peak of the import)."""
    with gzip.open(path, "wb", compresslevel=3) as fh:
        pickle.dump({"data": data, "biosphere": biosphere}, fh, protocol=5)


def load(path: Path) -> dict:
    with gzip.open(path, "rb") as fh:
        return pickle.load(fh)  # written by this module into the user's own data folder


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            h.update(block)
    return h.hexdigest()


def _want(data_sha: str, bio: str = "") -> str:
    return digest({"v": VERSION, "data": data_sha, "bio3": nonce(BIO3), "bio": nonce(bio) if bio else ""})


def write_from(path: Path, name: str, data_sha: str, **meta) -> None:
    """Write the background ``name``'s databases from its stored data at ``path``."""
    with collector_paused():
        stored = load(path)
        write_data(name, stored.pop("data"), stored.pop("biosphere"), data_sha, **meta)


def write_data(name: str, data: list[dict], biosphere: list[dict], data_sha: str, **meta) -> None:
    """Write the background ``name``'s databases from ``data`` and ``biosphere`` as :func:`dump` stored them in the
    file whose sha256 is ``data_sha`` (the import writes from the objects it has just stored, not a second copy)."""
    bio = biosphere_name(name) if biosphere else ""
    # bw2data warns that locations are not geocollections ("not ready for regionalization")
    with collector_paused(), quiet():
        if bio:
            _write(bio, _keyed(biosphere), _want(data_sha), type="biosphere", background=name)
        _write(database_name(name), _keyed(data), _want(data_sha, bio), background=name, **meta)


def _keyed(datasets: list[dict]) -> dict:
    return {(ds["database"], ds["code"]): ds for ds in datasets}


def _write(name: str, data: dict, want: str, **meta) -> None:
    """:func:`~.store.write_db` with bw2data's write options for data bw2io has already checked: no typo check of
    every key (it only warns, and bw2io wrote the keys), no full-text search index (nothing here searches
    Brightway: ``lca-engine factors --background`` reads the background's index.json)."""
    unseal_db(name, **meta)
    old = getattr(bd.config, "is_test", False)
    bd.config.is_test = True  # no tqdm bar per write (see store.write_db)
    try:
        bd.Database(name).write(data, searchable=False, check_typos=False)
    finally:
        bd.config.is_test = old
    seal_db(name, want)


def remove(name: str) -> None:
    """Delete the background's databases, if there."""
    for db in (database_name(name), biosphere_name(name)):
        if db in bd.databases:
            del bd.databases[db]


def imported_fresh(name: str, root: Path) -> bool:
    """The databases of the background ``name`` (registered under ``root``) are written from its stored data."""
    meta = load_meta(root, name)
    if meta is None:
        return False
    bio = meta.biosphere
    return (not bio or db_fresh(bio, _want(meta.data_sha256))) and db_fresh(meta.database, _want(meta.data_sha256, bio))


def write_imported(name: str, root: Path) -> None:
    """(Re)write the background's databases from ``backgrounds/<name>/data.pickle.gz`` (write lock held)."""
    meta = load_meta(root, name)
    path = registry_dir(root) / name / DATA
    write_from(path, name, meta.data_sha256, format=meta.format, licence=meta.licence, version=meta.version)
