"""Write a checked background into the project and the registry, all or nothing (write lock held by the caller).

Order: the stored data, index and linking report into a staging folder; the Brightway databases from the stored
data; the staging folder renamed to ``backgrounds/<NAME>``; ``meta.json`` last. Any failure or interruption before
``meta.json`` removes the databases and the folder again, so the background is either wholly there or not at all.
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

from .. import atomic
from ..background.imported import (
    DATA,
    INDEX,
    META,
    REPORT_CSV,
    REPORT_JSON,
    ImportedBackground,
    biosphere_name,
    database_name,
    index_json,
    meta_json,
    registry_dir,
)
from .gc_pause import collector_paused
from .import_checks import Checked
from .imported_db import dump_to, remove, sha256, write_data
from .importers.report import report_csv
from .parts import BIO3, _bio3_digest, _write_biosphere3
from .quiet import quiet
from .store import db_fresh


def ensure_biosphere3() -> None:
    """bw2io links elementary flows to biosphere3: write it first if it is missing or stale."""
    if not db_fresh(BIO3, _bio3_digest()):
        with quiet():
            _write_biosphere3()


def log_files() -> set[Path]:
    """bw2io's strategies log what they purge into the project's log folder (the linking report says it too)."""
    import bw2data as bd

    return set(Path(bd.projects.logs_dir).glob("*.log"))


def drop_new_logs(before: set[Path]) -> None:
    for path in log_files() - before:
        path.unlink(missing_ok=True)


def drop_leftovers(root: Path) -> list[str]:
    """What a killed import left (write lock held, so no import is running): databases of a background without
    ``meta.json``, its folder, and staging folders. Returns the names cleaned."""
    import bw2data as bd

    reg = registry_dir(root)
    names = {m.get("background") for m in bd.databases.values() if m.get("background")}
    names |= {p.name for p in reg.iterdir() if not p.name.startswith(".")} if reg.is_dir() else set()
    stale = sorted(n for n in names if not (reg / n / META).is_file())
    for name in stale:
        remove(name)
        shutil.rmtree(reg / name, ignore_errors=True)
    for folder in reg.glob(".import-*") if reg.is_dir() else ():
        shutil.rmtree(folder, ignore_errors=True)
    return stale


def _stage(stage: Path, checked: Checked) -> str:
    stage.mkdir(parents=True)
    dump_to(stage / DATA, checked.data, checked.biosphere)
    (stage / INDEX).write_text(index_json(checked.index), encoding="utf-8")
    (stage / REPORT_JSON).write_text(json.dumps(checked.report.to_json(), indent=1), encoding="utf-8")
    (stage / REPORT_CSV).write_text(report_csv(checked.report), encoding="utf-8")
    return sha256(stage / DATA)


def commit(root: Path, workdir: Path, checked: Checked, meta: ImportedBackground) -> ImportedBackground:
    """Stage, write the databases, move into the registry, write ``meta.json``; undo everything on any failure."""
    final = registry_dir(root) / meta.name
    moved = False
    try:
        with collector_paused():  # nothing to collect in the data being stored and written (see gc_pause)
            data_sha = _stage(workdir / "stage", checked)
            write_data(meta.name, checked.data, checked.biosphere, data_sha, format=meta.format, licence=meta.licence)
        os.rename(workdir / "stage", final)
        moved = True
        meta = _complete(meta, checked, data_sha)
        atomic.write_text(final / META, meta_json(meta))
        return meta
    except BaseException:
        remove(meta.name)
        if moved:
            shutil.rmtree(final, ignore_errors=True)
        raise


def _complete(meta: ImportedBackground, checked: Checked, data_sha: str) -> ImportedBackground:
    uncharacterised = sum(r.count for r in checked.report.unmatched)
    return ImportedBackground(
        **{
            **meta.__dict__,
            "database": database_name(meta.name),
            "activities": len(checked.data),
            "exchanges": sum(len(ds.get("exchanges", [])) for ds in checked.data),
            "biosphere": biosphere_name(meta.name) if checked.biosphere else "",
            "uncharacterised": uncharacterised,
            "data_sha256": data_sha,
            "imported": datetime.now(UTC).isoformat(timespec="seconds"),
            "version": meta.version or checked.version,
        }
    )


def delete(root: Path, name: str) -> None:
    """Remove a background: ``meta.json`` first (it leaves the registry at once), then databases and folder."""
    folder = registry_dir(root) / name
    (folder / META).unlink(missing_ok=True)
    remove(name)
    shutil.rmtree(folder, ignore_errors=True)
