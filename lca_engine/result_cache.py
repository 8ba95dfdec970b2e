"""Content-addressed cache of assessment outputs: the same input bytes give the same files, without recalculating.

The key is the SHA-256 of everything the numbers and messages depend on: the bytes of every named inventory and
the path it was named by (messages print it), every ``sources.toml`` from the filesystem root down to each of them,
every file of the shipped background folder and sources, the options, the product's version and source code, and
the versions of the libraries that compute or write the results. Files read only once the inventories are parsed
(the baselines they name, and the ``sources.toml`` above those) are listed in the entry with their digests and
checked again on every lookup.

An entry is one zip under the data folder's ``cache/results``, written atomically (temporary file, fsync, rename);
zip members carry a CRC that reading checks, so an entry a kill or a full disk left damaged is a miss and is
written again, never trusted.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import stat
import time
import zipfile
from dataclasses import asdict, dataclass
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from . import atomic
from .errors import Problem
from .limits import LIMITS

#: Bump when what an entry holds changes.
CACHE_VERSION = "1"
#: Entries kept per data folder (the oldest are removed beyond this).
MAX_ENTRIES = 64
#: Seconds after which a temporary file of an entry being written is taken as left by a killed writer.
STALE_TMP = 3600.0
META = "entry.json"
#: The libraries whose version can change a number or a written byte.
LIBRARIES = ("bw2calc", "bw2data", "bw2io", "bw-processing", "numpy", "scipy", "pandas", "pyarrow", "pint", "pydantic")
_PACKAGE = Path(__file__).resolve().parent


def file_digest(path: Path) -> str:
    """SHA-256 of a regular file's bytes, read in blocks. OSError for anything else — missing, a folder, a FIFO, larger
    than an inventory may be (:data:`~lca_engine.limits.LIMITS`) — so that the run goes on without the cache and
    reports the file as it always does."""
    path = Path(path)
    info = path.stat()
    if not stat.S_ISREG(info.st_mode) or info.st_size > max(LIMITS.file_bytes, LIMITS.xlsx_bytes):
        raise OSError(f"{path}: not digested for the result cache")
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


@lru_cache(maxsize=1)
def code_digest() -> str:
    """The product's own source: a changed line of code is a different key, whatever the version says."""
    h = hashlib.sha256()
    for path in sorted(_PACKAGE.rglob("*.py")):
        h.update(str(path.relative_to(_PACKAGE)).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def _version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return ""


def sources_above(file: Path) -> list[Path]:
    """Every ``sources.toml`` from the filesystem root down to the file's folder (they overlay each other)."""
    folder = Path(file).resolve().parent
    return [p / "sources.toml" for p in reversed([folder, *folder.parents]) if (p / "sources.toml").is_file()]


def shipped_inputs(inventories: Path) -> list[Path]:
    """The shipped files every assessment reads: the background folder and the source registry."""
    return sorted(p for p in (inventories / "background").rglob("*") if p.is_file()) + [inventories / "sources.toml"]


def _listed(paths: list[Path]) -> list[tuple[str, str]]:
    return [(str(p), file_digest(p)) for p in paths]


def imported_backgrounds(root: Path | None) -> list[Path]:
    """The record of every background imported into the data folder at ``root`` (its ``meta.json`` names the
    imported data's SHA-256 and the import time, so a re-import under the same name changes the key)."""
    from .background.imported import META, registry_dir

    return sorted(registry_dir(root).glob(f"*/{META}")) if root else []


def key(files: list[Path], inventories: Path, options: dict, data_root: Path | None = None) -> str:
    """The digest of the named files and everything else a run reads before it parses them, the imported
    backgrounds of the data folder at ``data_root`` included (OSError: a file that cannot be digested, see
    :func:`file_digest`)."""
    from . import __version__

    above = sorted({s for f in files for s in sources_above(f)})
    content = {
        "v": CACHE_VERSION,
        "package": __version__,
        "code": code_digest(),
        "libraries": {name: _version(name) for name in LIBRARIES},
        "options": options,
        "files": _listed(files),
        "sources": _listed(above),
        "shipped": _listed(shipped_inputs(inventories)),
        "imported": _listed(imported_backgrounds(data_root)),
    }
    return hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()


def also_read(files: list[Path], read: list[str | None]) -> list[tuple[str, str]]:
    """The files a run read besides the named ones (baselines, and the ``sources.toml`` above them), digested."""
    named = {Path(f).resolve() for f in files}
    extra = [Path(f) for f in read if f is not None and Path(f).resolve() not in named]
    above = sorted({s for f in extra for s in sources_above(f)} - {s for f in files for s in sources_above(f)})
    return _listed(extra + above)


@dataclass(frozen=True)
class Entry:
    """What a run wrote (file name -> bytes) and what it printed besides its tables."""

    outputs: dict[str, bytes]
    warnings: list[tuple[str | None, list[Problem]]]  # per checked inventory: its file and its warnings
    timings: dict[str, float]
    also: list[tuple[str, str]]


def _path(cache_dir: Path, digest: str) -> Path:
    return Path(cache_dir) / "results" / f"{digest}.zip"


def store(cache_dir: Path, digest: str, entry: Entry) -> bool:
    """Write the entry atomically, then keep the newest :data:`MAX_ENTRIES`. A cache that cannot be written (full
    disk, read-only folder) costs the next run its time, not this run its results: False, nothing raised."""
    meta = {
        "outputs": list(entry.outputs),
        "warnings": [{"file": f, "problems": [asdict(p) for p in ps]} for f, ps in entry.warnings],
        "timings": entry.timings,
        "also": entry.also,
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        for name, data in entry.outputs.items():
            z.writestr(name, data)
        z.writestr(META, json.dumps(meta, sort_keys=True))
    target = _path(cache_dir, digest)
    try:
        atomic.write_bytes(target, buf.getvalue())
        _prune(target.parent)
    except OSError:
        return False
    return True


def _prune(folder: Path) -> None:
    """Remove all but the :data:`MAX_ENTRIES` most recently used entries, and temporary files a killed writer left
    more than :data:`STALE_TMP` seconds ago (other processes may prune too)."""
    dated = []
    for entry in [*folder.glob("*.zip"), *folder.glob(".*.tmp")]:
        try:
            dated.append((entry.stat().st_mtime, entry))
        except OSError:
            continue  # removed meanwhile
    entries = sorted(((t, e) for t, e in dated if e.suffix == ".zip"), reverse=True)
    stale = [e for t, e in dated if e.suffix == ".tmp" and t < time.time() - STALE_TMP]
    for old in [e for _, e in entries[MAX_ENTRIES:]] + stale:
        old.unlink(missing_ok=True)


def fetch(cache_dir: Path, digest: str) -> Entry | None:
    """The entry stored under ``digest`` if it reads back whole and the files it also read are unchanged."""
    path = _path(cache_dir, digest)
    try:
        with zipfile.ZipFile(path) as z:
            meta = json.loads(z.read(META))
            outputs = {name: z.read(name) for name in meta["outputs"]}  # CRC-checked
        entry = Entry(
            outputs,
            [(w["file"], [Problem(**p) for p in w["problems"]]) for w in meta["warnings"]],
            {k: float(v) for k, v in meta["timings"].items()},
            [(str(p), str(d)) for p, d in meta["also"]],
        )
        if any(file_digest(Path(p)) != d for p, d in entry.also):
            return None
    except (OSError, EOFError, zipfile.BadZipFile, KeyError, TypeError, ValueError):
        return None  # absent, damaged or of another layout: computed again and written anew
    with contextlib.suppress(OSError):
        os.utime(path)  # recently used: kept by the pruning
    return entry
