"""What ``lca-engine background import`` accepts as input, checked before any parser opens it (no Brightway).

The path must exist and be a regular file or a folder; its files are counted and measured (a folder of ecoinvent
3.10 cut-off is ~21,000 files, ~2 GB); a zip is judged by its directory — entry count, declared total size,
every name staying inside the folder it is extracted to — before one byte is inflated, then extracted with each
entry's size capped at what it declared.
"""

from __future__ import annotations

import shutil
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .import_errors import ArchiveError, ImportPathError

GB = 1024**3


@dataclass(frozen=True)
class ImportLimits:
    bytes: int = 8 * GB  # files read, or a zip's declared content
    files: int = 200_000  # files in the folder, or entries in the zip
    zip_bytes: int = 2 * GB  # the zip file itself


IMPORT_LIMITS = ImportLimits()


def input_files(path: Path, limits: ImportLimits = IMPORT_LIMITS) -> list[Path]:
    """The regular files at ``path`` (the file, or every file under the folder), within the limits."""
    if not path.exists():
        raise ImportPathError(
            "the path to import does not exist", fix="give the folder or file of the LCI database", file=str(path)
        )
    if not (path.is_file() or path.is_dir()):
        raise ImportPathError(
            "the path to import is not a regular file or a folder (a pipe, device or socket)",
            fix="give the folder or file of the LCI database itself",
            file=str(path),
        )
    files = [path] if path.is_file() else [p for p in path.rglob("*") if _regular(p)]
    if len(files) > limits.files:
        raise ImportPathError(
            f"the folder holds more than {limits.files:,} files (the limit)",
            fix="give the folder of the datasets only",
            file=str(path),
        )
    total = sum(p.stat().st_size for p in files)
    if total > limits.bytes:
        raise ImportPathError(
            f"the input is {total:,} bytes, more than the limit of {limits.bytes:,}",
            fix="import the database in parts, or only the datasets you link to",
            file=str(path),
        )
    return sorted(files)


def _regular(p: Path) -> bool:
    try:
        return stat.S_ISREG(p.stat().st_mode)
    except OSError:
        return False


def is_zip(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() == ".zip"


def _escapes(name: str) -> bool:
    p = PurePosixPath(name.replace("\\", "/"))
    return p.is_absolute() or ".." in p.parts or (len(name) > 1 and name[1] == ":")


def check_zip(path: Path, limits: ImportLimits = IMPORT_LIMITS) -> list[zipfile.ZipInfo]:
    """The zip's entries, after its directory passed the limits and no entry escapes the folder."""
    file = str(path)
    if path.stat().st_size > limits.zip_bytes:
        raise ArchiveError(
            f"the zip is larger than {limits.zip_bytes:,} bytes", fix="unzip it and import the folder", file=file
        )
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        raise ArchiveError(f"not a readable zip archive ({exc})", fix="export the archive again", file=file) from None
    bad = [i.filename for i in infos if _escapes(i.filename) or stat.S_ISLNK(i.external_attr >> 16)]
    if bad:
        raise ArchiveError(
            f"{len(bad)} zip entries would be written outside the folder they are unzipped to, e.g. {bad[0]!r}",
            fix="this archive is damaged or crafted; export the data again from the tool that made it",
            file=file,
        )
    total = sum(i.file_size for i in infos)
    if len(infos) > limits.files or total > limits.bytes:
        raise ArchiveError(
            f"the zip holds {len(infos):,} entries inflating to {total:,} bytes; the limits are "
            f"{limits.files:,} entries and {limits.bytes:,} bytes",
            fix="import the database in parts, or only the datasets you link to",
            file=file,
        )
    return infos


def extract_zip(path: Path, target: Path, limits: ImportLimits = IMPORT_LIMITS) -> Path:
    """Unzip ``path`` into ``target`` (checked first); each entry is read only up to the size it declares."""
    infos = check_zip(path, limits)
    with zipfile.ZipFile(path) as zf:
        for info in infos:
            dest = target / PurePosixPath(info.filename.replace("\\", "/"))
            if info.is_dir():
                dest.mkdir(parents=True, exist_ok=True)
                continue
            dest.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as src, open(dest, "wb") as out:
                shutil.copyfileobj(_capped(src, info), out)
    return target


class _capped:
    """A reader that refuses to give more bytes than the entry declared (a lying zip directory)."""

    def __init__(self, src, info: zipfile.ZipInfo) -> None:
        self.src, self.info, self.read_so_far = src, info, 0

    def read(self, n: int = -1) -> bytes:
        block = self.src.read(n if n > 0 else 1 << 20)
        self.read_so_far += len(block)
        if self.read_so_far > self.info.file_size:
            raise ArchiveError(
                f"zip entry '{self.info.filename}' holds more than the {self.info.file_size:,} bytes it declares",
                fix="this archive is damaged or crafted; export the data again",
            )
        return block
