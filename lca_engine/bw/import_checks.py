"""Read a background with its importer and refuse what cannot become a correct database (no writes here)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..background.import_errors import (
    DuplicateActivityError,
    EmptyDatabaseError,
    ImportFormatError,
    UnitMismatchError,
    UnlinkedError,
    UnmatchedFlowError,
)
from ..background.imported import Activity, biosphere_name, database_name
from ..errors import Problem
from .gc_pause import collector_paused
from .importers import Importer
from .importers.report import (
    LinkingReport,
    activity,
    drop_unlinked,
    duplicates,
    linking_report,
    separate_biosphere,
    unit_mismatches,
    unit_suspects,
    unlinked,
    unmatched,
)

#: at most this many problems listed in one error (the linking report lists them all)
SHOWN = 20


@dataclass
class Checked:
    data: list[dict]
    biosphere: list[dict]  # flows for the background's own biosphere database
    index: list[Activity]
    report: LinkingReport
    version: str


def read(importer: Importer, path: Path, name: str) -> object:
    """bw2io's data after its strategies; what bw2io cannot read is a format error naming the importer."""
    try:
        return importer.read(path, database_name(name))
    except ImportFormatError:
        raise
    except Exception as exc:  # bw2io raises whatever its parser or strategy met: all mean "cannot read this"
        raise ImportFormatError(
            f"Brightway's {importer.format} importer could not read it: {type(exc).__name__}: {exc}",
            fix=f"give {importer.expects}; check the file is a complete export (or name another --format)",
            file=str(path),
        ) from None


def check(importer: Importer, path: Path, name: str, strict: bool = False, cut_off: bool = False) -> Checked:
    """``strict``: an elementary flow not in biosphere3 is an error; ``cut_off``: technosphere exchanges that link
    to nothing are left out (and listed in the report) instead of refused."""
    with collector_paused():
        return _check(importer, path, name, strict, cut_off)


def _check(importer: Importer, path: Path, name: str, strict: bool, cut_off: bool) -> Checked:
    imported = read(importer, path, name)
    data = imported.data
    if not data:
        raise EmptyDatabaseError("the data holds no activity", fix=f"give {importer.expects}", file=str(path))
    _refuse_duplicates(data, path)
    # technosphere exchanges a bw2io strategy deleted (linked to nothing; those of amount 0 change nothing)
    ghosts = [(a, e) for _, a, e in imported.dropped if e.get("type") != "biosphere" and e.get("amount")]
    bad = unlinked(data) + ghosts
    _refuse_units(unit_suspects(data, bad), path)  # also with --cut-off: a provider is there, in another unit
    if not cut_off:
        _refuse_unlinked(bad, path)
    drop_unlinked(data)
    _refuse_unit_mismatches(data, database_name(name), path)
    found = unmatched(data)
    if strict and found:
        raise UnmatchedFlowError(_flow_problems(found, path))
    biosphere = separate_biosphere(data, biosphere_name(name))
    return Checked(data, biosphere, [activity(ds) for ds in data], linking_report(imported, found), imported.version)


def _refuse_duplicates(data: list[dict], path: Path) -> None:
    dup = duplicates(data)
    if dup:
        raise DuplicateActivityError(
            [
                Problem(
                    f"activity '{key}' occurs {len(files)} times: a link to it would be ambiguous"
                    + (f" (files: {', '.join(sorted(f for f in files if f))})" if any(files) else ""),
                    fix="import each dataset once (remove the copy from the folder)",
                    file=str(path),
                )
                for key, files in dup[:SHOWN]
            ]
        )


def _refuse_unlinked(bad: list[tuple[str, dict]], path: Path) -> None:
    if bad:
        problems = [
            Problem(
                f"activity '{act}': {e.get('type')} exchange '{e.get('name')}' ({e.get('amount')} {e.get('unit')}) "
                "links to no activity of the database",
                fix="import the providing datasets too (the whole system model), or pass --cut-off to leave "
                "such exchanges out (each is listed in the linking report with its amount)",
                file=str(path),
            )
            for act, e in bad[:SHOWN]
        ]
        if len(bad) > SHOWN:
            problems.append(Problem(f"… and {len(bad) - SHOWN} more unlinked exchanges", file=str(path)))
        raise UnlinkedError(problems)


def _refuse_unit_mismatches(data: list[dict], database: str, path: Path) -> None:
    _refuse_units(unit_mismatches(data, database), path)


def _refuse_units(bad: list[tuple[str, dict, str]], path: Path) -> None:
    if bad:
        raise UnitMismatchError(
            [
                Problem(
                    f"activity '{act}': exchange '{e.get('name')}' is in {e.get('unit')} but its provider's "
                    f"reference unit is {unit}",
                    fix=f"express the exchange in {unit} (its provider's reference unit), converting the amount",
                    file=str(path),
                )
                for act, e, unit in bad[:SHOWN]
            ]
        )


def _flow_problems(found: list[tuple[str, dict]], path: Path) -> list[Problem]:
    return [
        Problem(
            f"activity '{act}': elementary flow '{e.get('name')}' {tuple(e.get('categories') or ())} "
            f"({e.get('unit')}) is not in biosphere3",
            fix="rename the flow to its biosphere3 name, or import without --strict (it is then kept in the "
            "background's own biosphere database and counted as uncharacterised)",
            file=str(path),
        )
        for act, e in found[:SHOWN]
    ]
