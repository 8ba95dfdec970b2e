"""Where the embedded Brightway project lives, and how it is opened safely by many processes at once.

Default: ``$LCA_ENGINE_DATA_DIR`` or the user cache folder (``~/.cache/lca-engine`` on Linux) — never
Brightway's own default directory. SQLite allows one writer, and bw2data keeps its metadata (``databases.json``,
``geomapping.pickle`` …) in memory per process: every write happens under the data folder's write lock, with the
metadata re-read once the lock is held; readers hold the read lock (shared) while they read.
"""

from __future__ import annotations

import os
import pickle
import shutil
import sqlite3
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from filelock import ReadWriteLock, Timeout
from platformdirs import user_cache_dir

from .. import atomic
from ..errors import BackgroundError

PROJECT = "lca-engine"
ENV = "LCA_ENGINE_DATA_DIR"
#: Seconds to wait for another process's build (a cold build takes ~10-30 s on a busy 2-core machine).
LOCK_TIMEOUT = 600.0
#: What a killed process can leave behind in bw2data's metadata files when they are not replaced atomically
#: (bw2data writes them through the system temp folder, which may be another file system).
CORRUPT = (ValueError, EOFError, pickle.UnpicklingError, sqlite3.DatabaseError)


class DataDirBusy(BackgroundError):
    """Another process held the data folder's lock for longer than the timeout."""


def default_data_dir() -> Path:
    env = os.environ.get(ENV)
    return Path(env) if env else Path(user_cache_dir("lca-engine", appauthor=False))


@dataclass(frozen=True)
class DataDir:
    root: Path

    @property
    def brightway(self) -> Path:
        return self.root / "brightway"

    @property
    def cache(self) -> Path:
        return self.root / "cache"

    @property
    def lock_file(self) -> Path:
        return self.root / "project.lock"

    @property
    def ready_marker(self) -> Path:
        """Written (last) once the Brightway project exists with all its metadata files."""
        return self.brightway / "lca-engine-project-ready"

    @contextmanager
    def write_lock(self, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
        """Exclusive: one writer, no reader."""
        with self._held(timeout, write=True):
            yield

    @contextmanager
    def read_lock(self, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
        """Shared between readers; no writer meanwhile."""
        with self._held(timeout, write=False):
            yield

    @contextmanager
    def _held(self, timeout: float, write: bool) -> Iterator[None]:
        lock = ReadWriteLock(str(self.lock_file), timeout=LOCK_TIMEOUT)  # one instance per file and process
        try:
            held = lock.write_lock(timeout) if write else lock.read_lock(timeout)
            held.__enter__()
        except Timeout:
            raise DataDirBusy(
                f"another process kept the data folder locked for more than {timeout:.0f} s",
                fix="wait for the other lca-engine process using this data folder (the lock is freed when it exits) "
                "or pass another --data-dir",
                file=str(self.lock_file),
            ) from None
        try:
            yield
        finally:
            held.__exit__(None, None, None)


_active: Path | None = None


def guard_import() -> None:
    """Call before ``import bw2data`` anywhere: if nothing chose a directory yet, choose ours.

    bw2data picks its directory at import time and would otherwise create ``~/.local/share/Brightway3``.
    """
    if "bw2data" not in sys.modules and not os.environ.get("BRIGHTWAY2_DIR"):
        d = DataDir(default_data_dir().resolve())
        d.brightway.mkdir(parents=True, exist_ok=True)
        os.environ["BRIGHTWAY2_DIR"] = str(d.brightway)


def activate(data_dir: str | Path | None = None, *, create: bool = True) -> DataDir:
    """Point Brightway at ``data_dir`` (created if needed) and open the product's project.

    Must run before any other Brightway call. If bw2data was already imported for another directory (tests,
    notebooks), it is switched over with ``projects.change_base_directories`` rather than re-imported.
    The first opening of a folder (importing bw2data creates its ``projects.db`` and a ``default`` project,
    then our project is created) happens under the write lock; once the ready marker exists, opening only reads.
    ``create=False`` (worker processes of a portfolio run) never writes: a folder without a ready project, or one
    whose project cannot be read, is a :class:`~lca_engine.errors.BackgroundError` instead of being (re)made.
    """
    d = DataDir(Path(data_dir).expanduser().resolve() if data_dir else default_data_dir().resolve())
    if not create:
        return _open_existing(d)
    for folder in (d.brightway / "logs", d.cache):
        folder.mkdir(parents=True, exist_ok=True)
    if not d.ready_marker.exists():
        with d.write_lock():
            if not d.ready_marker.exists():
                _open(d, repair=True)
                atomic.write_text(d.ready_marker, "project created\n")
                return d
    try:
        _open(d)
    except CORRUPT:
        with d.write_lock():
            _open(d, repair=True)
    return d


def _open_existing(d: DataDir) -> DataDir:
    from ..errors import BackgroundError

    refused = BackgroundError(
        f"the data folder {d.root} holds no ready Brightway project on this machine",
        fix="give the workers the same data folder as the run (a shared path, --data-dir), built once by the run",
        field="data_dir",
    )
    if not d.ready_marker.exists():
        raise refused
    try:
        _open(d)
    except CORRUPT:
        raise refused from None
    return d


def _open(d: DataDir, repair: bool = False) -> None:
    """Import bw2data for ``d`` and make our project current; ``repair`` (write lock held) recreates a project
    whose metadata files cannot be read."""
    global _active
    if "bw2data" not in sys.modules:
        os.environ["BRIGHTWAY2_DIR"] = str(d.brightway)
    warnings.filterwarnings("ignore", message="(?s).*pypardiso")  # we deliberately do not install pypardiso
    import bw2data as bd

    if _active != d.brightway:
        if Path(bd.projects._base_data_dir).resolve() != d.brightway:
            os.environ["BRIGHTWAY2_DIR"] = str(d.brightway)
            _repairing(lambda: bd.projects.change_base_directories(d.brightway, d.brightway / "logs", PROJECT), repair)
        _active = d.brightway
    if bd.projects.current != PROJECT:
        _repairing(lambda: bd.projects.set_current(PROJECT), repair)


def _repairing(step, repair: bool) -> None:
    try:
        step()
    except CORRUPT:
        if not repair:
            raise
        _recreate()


def _recreate() -> None:
    """Delete the project's folder (metadata half-written by a killed process) and create it again: its parts are
    then all stale and rebuilt. Write lock held."""
    import bw2data as bd

    shutil.rmtree(bd.projects.dir, ignore_errors=True)
    bd.projects.set_current(PROJECT)  # re-creates its folders, metadata files and SQLite tables


def reload(repair: bool = False) -> bool:
    """Re-read bw2data's metadata files (another process may have written since); call with a lock held.

    ``projects.set_current`` would do it too, but it also reopens SQLite behind two ``gc.collect()`` (0.4 s);
    the SQLite connections see other processes' commits anyway. False if a metadata file cannot be read (a
    writer was killed); with ``repair`` (write lock held) such a project is created again instead.
    """
    import bw2data as bd

    try:
        for meta in bd.config.metadata:
            meta.load()
    except CORRUPT:
        if not repair:
            return False
        _recreate()
    return True
