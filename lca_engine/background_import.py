"""``lca-engine background import|list|show|remove``: an LCI database becomes a named background, all or nothing.

Checks before anything is read (name, licence, path, limits, zip directory, format), then under the data folder's
write lock: bw2io's importer and strategies, the checks of :mod:`lca_engine.bw.import_checks` (nothing written
yet), and the write of :mod:`lca_engine.bw.import_write` that undoes itself on any failure.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from .background.import_errors import ImportFormatError, LicenceError, NameTakenError
from .background.import_input import IMPORT_LIMITS, ImportLimits, extract_zip, input_files, is_zip
from .background.imported import (
    META,
    REPORT_JSON,
    BackgroundFormat,
    ImportedBackground,
    check_name,
    database_name,
    list_backgrounds,
    load_meta,
    registry_dir,
)
from .errors import BackgroundError


@dataclass(frozen=True)
class ImportResult:
    meta: ImportedBackground
    report: dict  # the linking report, as written to linking-report.json
    folder: Path  # backgrounds/<NAME> in the data folder
    seconds: float


def check_request(name: str, licence: str) -> None:
    check_name(name)
    if name.endswith("-biosphere"):
        raise BackgroundError(
            f"background name {name!r} cannot end in '-biosphere'",
            fix="choose another name (bg-<NAME>-biosphere holds a background's own elementary flows)",
            field="name",
        )
    if not (licence or "").strip():
        raise LicenceError(
            "no licence stated for the imported data",
            fix="say under which licence you hold the data, e.g. --licence 'ecoinvent EULA, single user' "
            "or --licence CC-BY-4.0 (it is recorded and shown by 'lca-engine background list')",
            field="licence",
        )


def folder_sha256(files: list[Path], base: Path) -> str:
    h = hashlib.sha256()
    for f in files:
        h.update(str(f.relative_to(base) if f != base else f.name).encode())
        with open(f, "rb") as fh:
            while block := fh.read(1 << 20):
                h.update(block)
    return h.hexdigest()


def choose_importer(path: Path, fmt: BackgroundFormat | None, workdir: Path, cache: Path | None = None):
    from .bw.importers import IMPORTERS, detect

    found = detect(path)
    if fmt is None and found is None:
        names = ", ".join(f.value for f in IMPORTERS)
        raise ImportFormatError(
            "not a database in any format this command reads",
            fix=f"give one of: {'; '.join(c.expects for c in IMPORTERS.values())} (formats: {names})",
            file=str(path),
        )
    fmt = fmt or found
    cls = IMPORTERS.get(fmt)
    if cls is None or not cls.detect(path):
        seen = f" (it looks like {found.value})" if found and found != fmt else ""
        expects = cls.expects if cls else f"one of the formats {', '.join(IMPORTERS)}"
        raise ImportFormatError(
            f"not {fmt.value} data{seen}", fix=f"give {expects}, or the matching --format", file=str(path)
        )
    return cls(workdir, cache)


@dataclass(frozen=True)
class ImportRequest:
    path: Path
    name: str
    licence: str
    fmt: BackgroundFormat | None = None
    version: str = ""
    strict: bool = False  # an elementary flow not in biosphere3 is an error
    cut_off: bool = False  # technosphere exchanges that link to nothing are left out (and reported)
    limits: ImportLimits = IMPORT_LIMITS


def import_background(
    path: str | Path,
    name: str,
    licence: str,
    *,
    fmt: BackgroundFormat | str | None = None,
    version: str = "",
    strict: bool = False,
    cut_off: bool = False,
    data_dir: str | Path | None = None,
    limits: ImportLimits = IMPORT_LIMITS,
) -> ImportResult:
    """Import the LCI database at ``path`` as the background ``name`` (see the module's docstring)."""
    t0 = time.perf_counter()
    check_request(name, licence)
    req = ImportRequest(Path(path).expanduser(), name, licence.strip(), _format(fmt), version, strict, cut_off, limits)
    source_sha = folder_sha256(input_files(req.path, limits), req.path)
    from .bw import activate

    d = activate(data_dir)
    with d.write_lock():
        meta = _locked(d.root, req, source_sha)
    folder = registry_dir(d.root) / name
    report = json.loads((folder / REPORT_JSON).read_text(encoding="utf-8"))
    return ImportResult(meta, report, folder, time.perf_counter() - t0)


def _format(fmt: BackgroundFormat | str | None) -> BackgroundFormat | None:
    if not fmt:
        return None
    try:
        return BackgroundFormat(fmt)
    except ValueError:
        raise ImportFormatError(
            f"unknown format {fmt!r}", fix=f"use one of {', '.join(BackgroundFormat)}", field="format"
        ) from None


def _locked(root: Path, req: ImportRequest, source_sha: str) -> ImportedBackground:
    from .bw import import_write as w
    from .bw.project import reload

    reload(repair=True)
    if (registry_dir(root) / req.name / META).is_file():
        raise NameTakenError(
            f"a background named {req.name!r} is already imported",
            fix=f"run 'lca-engine background remove {req.name}' first, or choose another --name",
            field="name",
        )
    w.drop_leftovers(root)
    w.ensure_biosphere3()
    existed, logs = registry_dir(root).is_dir(), w.log_files()
    workdir = registry_dir(root) / f".import-{req.name}-{os.getpid()}"
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    try:
        return _read_and_write(root, req, source_sha, workdir)
    finally:
        w.drop_new_logs(logs)
        shutil.rmtree(workdir, ignore_errors=True)
        if not existed and not any(registry_dir(root).iterdir()):
            registry_dir(root).rmdir()


def _read_and_write(root: Path, req: ImportRequest, source_sha: str, workdir: Path) -> ImportedBackground:
    from .bw import import_write as w
    from .bw.import_checks import check

    source = extract_zip(req.path, workdir / "unzipped", req.limits) if is_zip(req.path) else req.path
    importer = choose_importer(source, req.fmt, workdir, root / "cache")
    checked = check(importer, source, req.name, req.strict, req.cut_off)
    meta = ImportedBackground(
        req.name, database_name(req.name), importer.format.value, str(req.path), source_sha, req.licence,
        req.version, "", 0, 0,
    )  # fmt: skip
    return w.commit(root, workdir, checked, meta)


def list_imported(data_dir: str | Path | None = None) -> list[ImportedBackground]:
    from .bw import default_data_dir

    return list_backgrounds(Path(data_dir) if data_dir else default_data_dir())


def show(name: str, data_dir: str | Path | None = None) -> tuple[ImportedBackground, dict, Path]:
    from .bw import default_data_dir

    root = Path(data_dir) if data_dir else default_data_dir()
    meta = load_meta(root, name)
    if meta is None:
        raise BackgroundError(
            f"no background named {name!r} is imported",
            fix="see 'lca-engine background list' for the names, or import it first",
            field="name",
        )
    folder = registry_dir(root) / name
    return meta, json.loads((folder / REPORT_JSON).read_text(encoding="utf-8")), folder


def remove_background(name: str, data_dir: str | Path | None = None) -> ImportedBackground:
    from .bw import activate
    from .bw.import_write import delete
    from .bw.project import reload

    meta, _, _ = show(name, data_dir)
    d = activate(data_dir)
    with d.write_lock():
        reload(repair=True)
        delete(d.root, name)
    return meta
