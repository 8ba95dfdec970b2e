"""Uploaded inventories: size and type checks against the engine's limits before parsing, a fresh temporary folder
(never beside the shipped data), the baseline found by file name only, Excel converted through the Brightway Excel
importer, and the assessment. Files are only parsed, never executed. Errors are :class:`LcaEngineError` with the
file, field and fix — and never the server's temporary path.

A foreign model (Brightway Excel, or openLCA / SimaPro converted to TOML) rarely closes its mass balance: with
``lenient`` the upload is assessed anyway, as ``lca-engine assess --lenient`` does, and each process's imbalance
comes back in :attr:`Upload.imbalances` for the page to show as a warning; without it the refusal says how to ask
for that."""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import logging
import re
import shutil
import tempfile
import tomllib
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import lca_engine as le
from dashboard.settings import DEFAULT_YEAR, EXAMPLES, LOCK, MAX_UPLOAD_BYTES, UPLOAD_TYPES
from lca_engine.errors import BalanceError, LcaEngineError, Problem
from lca_engine.limits import check_size, check_toml_text, check_xlsx
from lca_engine.model import MICRO_FACTORY

_LOG = logging.getLogger("lca_engine.dashboard")
_SAFE = re.compile(r"[^A-Za-z0-9_.-]")


@dataclass
class Upload:
    """An uploaded inventory, assessed like the shipped ones."""

    assessment: le.Assessment
    micro: list[str]
    workdir: Path
    key: str
    notes: list[str] = field(default_factory=list)
    #: mass balances that do not close (only with ``lenient``): one problem per process, file names only
    imbalances: list[Problem] = field(default_factory=list)


#: The page's choice that assesses an upload whose mass balance does not close (named in the refusal's fix).
LENIENT_LABEL = "Accept a mass imbalance (report it as a warning)"


def safe_name(name: str) -> str:
    """The uploaded file's own name without folders or characters outside [A-Za-z0-9_.-]."""
    base = _SAFE.sub("_", Path(str(name).replace("\\", "/")).name).lstrip(".")
    return base or "upload"


def _problem(message: str, fix: str, file: str | None = None, field_: str = "upload") -> LcaEngineError:
    return LcaEngineError(Problem(message, fix=fix, file=file, field=field_))


def internal_error(exc: Exception, names: list[str]) -> LcaEngineError:
    """An engine defect met on an upload, as a plain message (the traceback goes to the server log, not the page)."""
    _LOG.error("internal error on upload %s", names, exc_info=exc)
    return _problem(
        f"the engine failed on this upload (internal error: {type(exc).__name__}); the file was not stored",
        "this is a defect of lca-engine, not of your file alone: report it with the file; the server log has details",
        file=names[0] if len(names) == 1 else None,
    )


def check_upload(name: str, size: int, data: bytes | None = None) -> None:
    """Size and type of one uploaded file, and a TOML upload's text against the engine's limits (nesting, key and
    line lengths: lca_engine.limits, as for a file given to the CLI); raises a plain-words error with the fix."""
    check_size(size, name, MAX_UPLOAD_BYTES, what="the uploaded file")
    if size == 0:
        raise _problem("the file is empty", "upload a TOML inventory or a Brightway Excel (.xlsx) file", file=name)
    suffix = Path(name).suffix.lower().lstrip(".")
    if suffix not in UPLOAD_TYPES:
        raise _problem(
            f"'.{suffix}' files are not accepted",
            "upload a TOML inventory (.toml) or a Brightway Excel inventory (.xlsx)",
            file=name,
        )
    if data is not None and suffix == "toml":
        check_toml_text(data.decode("utf-8", errors="replace"), name)


def _toml_baseline(path: Path) -> str | None:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError):
        return None  # the engine's loader reports it with line numbers
    ref = data.get("baseline") if isinstance(data, dict) else None
    return ref if isinstance(ref, str) and ref else None


def shipped_baselines() -> list[str]:
    """The file names of the shipped example baselines an upload may name."""
    return sorted(p.name for p in EXAMPLES.glob("*.toml") if 'system = "baseline"' in p.read_text(encoding="utf-8"))


def _shipped_ids() -> set[str]:
    ids = set()
    for path in EXAMPLES.glob("*.toml"):
        m = re.search(r'^id\s*=\s*"([^"]+)"', path.read_text(encoding="utf-8"), re.MULTILINE)
        if m:
            ids.add(m.group(1))
    return ids


def _rename_if_shipped(path: Path, shipped: set[str], notes: list[str]) -> None:
    """An upload that reuses a shipped example's id gets the id "upload-<id>", so that assessing it never rebuilds
    the example's Brightway database. Only the id line changes: every other line keeps its number for errors."""
    text = path.read_text(encoding="utf-8", errors="replace")
    m = re.search(r'^(id\s*=\s*")([^"]+)(")', text, re.MULTILINE)
    if m and m.group(2) in shipped:
        new = f"upload-{m.group(2)}"
        path.write_text(text[: m.start()] + m.group(1) + new + m.group(3) + text[m.end() :], encoding="utf-8")
        notes.append(f"'{path.name}' reuses the id of a shipped example: assessed as '{new}'")


def _resolve_baseline(path: Path, work: Path, notes: list[str]) -> None:
    """The baseline a micro-factory names: an uploaded file of that name, else a shipped example baseline (copied
    into the upload folder); otherwise an error saying which file name to upload with it."""
    ref = _toml_baseline(path)
    if not ref or (work / ref).is_file():
        return
    where = {"file": path.name, "field_": "baseline"}
    if Path(ref).name != ref or ref in (".", ".."):
        raise _problem(
            f"baseline = '{ref}' points into another folder",
            "in an uploaded inventory, name the baseline by file name only: upload it together with the "
            "micro-factory, or name one of the shipped example baselines",
            **where,
        )
    if (EXAMPLES / ref).is_file():
        shutil.copyfile(EXAMPLES / ref, work / ref)
        notes.append(f"baseline '{ref}' taken from the shipped examples (inventories/examples)")
        return
    raise _problem(
        f"the baseline file '{ref}' that this inventory names was not uploaded",
        f"upload the baseline inventory together with the micro-factory, in the same upload (select both files), "
        f"under the file name '{ref}'; or name one of the shipped baselines: {', '.join(shipped_baselines())}",
        **where,
    )


def _without_path(exc: LcaEngineError, work: Path) -> LcaEngineError:
    """The engine's error with the server's upload folder taken out of every problem (file names stay)."""
    prefixes = [str(work.resolve()) + "/", str(work) + "/", str(work.resolve()), str(work)]

    def clean(text):
        for p in prefixes:
            text = text.replace(p, "") if isinstance(text, str) else text
        return text

    return _edited(exc, message=clean, fix=clean, file=clean)


def _edited(exc: LcaEngineError, **edit) -> LcaEngineError:
    """A copy of ``exc`` (same type) with each problem's fields passed through ``edit[field]``."""
    out = copy.copy(exc)
    out.problems = [dataclasses.replace(p, **{k: f(getattr(p, k)) for k, f in edit.items()}) for p in exc.problems]
    out.args = (out.format(),)
    return out


def _store(files: list[tuple[str, bytes]], work: Path, year: int, excel: dict, notes: list[str]) -> list[Path]:
    """Write the uploads into ``work`` (owner-only) and return the inventories to assess (Excel converted)."""
    inventories = []
    for name, data in files:
        path = work / safe_name(name)
        path.write_bytes(data)
        path.chmod(0o600)
        if path.suffix.lower() == ".xlsx":
            check_xlsx(path, name=name)  # zip directory and declared sizes, before openpyxl opens it
            inventories.append(_from_excel(path, year, notes, **excel))
        elif path.name != "sources.toml":
            inventories.append(path)
    return inventories


def _checked_names(files: list[tuple[str, bytes]]) -> None:
    if not files:
        raise _problem("no file uploaded", "choose a TOML or Brightway Excel inventory")
    seen = set()
    for name, data in files:
        check_upload(name, len(data), data)
        if safe_name(name) in seen:
            raise _problem("two uploaded files have the same name", "rename one of them", file=name)
        seen.add(safe_name(name))


def upload_key(files: list[tuple[str, bytes]], year: int) -> str:
    h = hashlib.sha256()
    for name, data in sorted(files):
        h.update(safe_name(name).encode() + b"\0" + data)
    return f"upload-{year}-{h.hexdigest()[:16]}"


def assess_upload(
    files: list[tuple[str, bytes]],
    *,
    year: int = DEFAULT_YEAR,
    functional_unit: str | None = None,
    sector: str | None = None,
    site: dict | None = None,
    workdir: str | Path | None = None,
    lenient: bool = False,
) -> Upload:
    """Check, store (in a fresh temporary folder, never beside the shipped data) and assess uploaded inventories.

    A micro-factory's ``baseline`` must be a plain file name: one of the uploaded files, or else a shipped example
    baseline of that name (copied into the temporary folder). ``lenient``: a mass balance that does not close is
    reported in :attr:`Upload.imbalances` instead of refused. Raises :class:`LcaEngineError` with the field and the
    fix."""
    _checked_names(files)
    work = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix="lca-dashboard-upload-"))
    work.mkdir(parents=True, exist_ok=True)
    notes: list[str] = []
    excel = {"functional_unit": functional_unit, "sector": sector, "site": site}
    try:
        inventories = _store(files, work, year, excel, notes)
        a = _assess(inventories, work, year, lenient, notes)
    except BalanceError as exc:
        raise _without_path(_lenient_hint(exc), work) from None
    except LcaEngineError as exc:
        raise _without_path(exc, work) from None
    asked = {p.resolve() for p in inventories}
    micro = [fid for fid, _ in a.pairs if a.checked[fid].file and Path(a.checked[fid].file).resolve() in asked]
    if not micro:
        raise _problem(
            "the upload holds no micro-factory",
            f'upload a micro-factory inventory (system = "{MICRO_FACTORY}"); its baseline is assessed with it',
            field_="system",
        )
    return Upload(a, micro, work, upload_key(files, year), notes, imbalances(a))


def _assess(inventories: list[Path], work: Path, year: int, lenient: bool, notes: list[str]) -> le.Assessment:
    shipped = _shipped_ids()
    for path in inventories:
        _rename_if_shipped(path, shipped, notes)
        _resolve_baseline(path, work, notes)
    if not inventories:
        raise _problem("no inventory among the uploaded files", "upload a TOML or Brightway Excel inventory")
    with LOCK:
        return le.assess_files(inventories, year=year, strict_balance=not lenient)


def _lenient_hint(exc: BalanceError) -> LcaEngineError:
    """The refusal, each fix also naming the page's choice that assesses the upload anyway."""
    hint = f"or tick '{LENIENT_LABEL}' to assess it anyway (as `lca-engine assess --lenient`)"
    return _edited(exc, fix=lambda fix: f"{fix}; {hint}" if fix else hint)


def imbalances(a: le.Assessment) -> list[Problem]:
    """Every process (and factory) of the assessed files whose mass balance does not close, named by file name."""
    return [
        p
        for c in a.checked.values()
        if not c.balance.ok
        for p in c.balance.problems(Path(c.file).name if c.file else None)
    ]


def _from_excel(path: Path, year: int, notes: list[str], functional_unit, sector, site) -> Path:
    from lca_engine.background import load_catalog
    from lca_engine.bw.excel import ExcelImportWarning, read_bw_excel
    from lca_engine.bw.project import activate

    try:
        with LOCK, warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ExcelImportWarning)
            catalog = load_catalog(year, cache_dir=activate(None).cache)
            f = read_bw_excel(
                path,
                functional_unit or None,
                sector=sector,
                site=site,
                system=MICRO_FACTORY,
                year=year,
                catalog=catalog,
            )
    except LcaEngineError:
        raise
    except Exception as exc:  # a damaged or foreign workbook: say so in plain words, no traceback
        raise _problem(
            f"could not read the workbook as a Brightway Excel inventory ({type(exc).__name__}: {exc})",
            "export it again with Brightway (bw2io write_lci_excel) or `lca-engine export-excel`",
            file=path.name,
        ) from None
    notes.extend(f"Excel import: {w.message}" for w in caught if issubclass(w.category, ExcelImportWarning))
    out = path.with_suffix(".toml")
    le.save(f, out)
    notes.append(f"'{path.name}' was converted to the TOML inventory '{out.name}'")
    return out
