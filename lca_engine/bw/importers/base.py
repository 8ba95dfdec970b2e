"""One interface for every format ``lca-engine background import`` reads (as bw2calc has one per solver).

An :class:`Importer` says whether it reads a path (:meth:`Importer.detect`) and turns it into :class:`Imported`:
Brightway's own importer (bw2io) after its strategies, technosphere linked inside the database, biosphere linked
to biosphere3, and what did not link kept apart for the linking report.
"""

from __future__ import annotations

import warnings
from abc import ABC, abstractmethod
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from ...background.imported import BackgroundFormat
from ..quiet import quiet
from .normalise import BIO3  # noqa: F401 - the name other importers take from here


@dataclass
class Imported:
    """A database as bw2io left it after its strategies: ``data`` is its list of activity dicts."""

    data: list[dict]
    #: (unit in the file, unit after bw2io's normalisation) -> exchanges changed
    units_changed: Counter = field(default_factory=Counter)
    #: what was read: the files, for the sha256
    files: list[Path] = field(default_factory=list)
    version: str = ""
    #: exchanges a bw2io strategy deleted (ecoinvent's known data issues): (strategy, activity, exchange dict)
    dropped: list[tuple[str, str, dict]] = field(default_factory=list)


class Importer(ABC):
    format: ClassVar[BackgroundFormat]
    #: what to give, in plain words, for the error when the path is not in this format
    expects: ClassVar[str]

    def __init__(self, workdir: Path, cache: Path | None = None) -> None:
        self.workdir = workdir  # an empty folder inside the data folder, deleted after the import
        self.cache = cache  # the data folder's cache (tables read once from bw2io's package data)

    @classmethod
    @abstractmethod
    def detect(cls, path: Path) -> bool:
        """True when ``path`` looks like this format (cheap: names and the first bytes, no parsing)."""

    @abstractmethod
    def importer(self, path: Path, database: str):
        """bw2io's importer for ``path``, extracted but no strategy applied."""

    def files(self, path: Path) -> list[Path]:
        return sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]

    def read(self, path: Path, database: str) -> Imported:
        with quiet(), warnings.catch_warnings():
            # e.g. "Skipping migration 'fix-ecoinvent-flows-pre-35' because it isn't installed": it renames flows of
            # ecoinvent before 3.5 only; what does not link is counted in the linking report either way
            warnings.simplefilter("ignore", UserWarning)
            imp = self.importer(path, database)
            units, dropped = apply_strategies(imp)
        return Imported(imp.data, units, self.files(path), self.version(imp), dropped)

    def version(self, imp) -> str:
        return ""


def _activities(data) -> list[dict]:
    """bw2io's data is a list of activities, except early on (JSON-LD: a dict of sections): then none yet."""
    return data if isinstance(data, list) else []


def exchange_units(data: list[dict]) -> list[str]:
    return [str(e.get("unit", "")) for ds in _activities(data) for e in ds.get("exchanges", [])]


def _exchanges(data: list[dict]) -> list[tuple[str, dict]]:
    return [(ds.get("name", ""), e) for ds in _activities(data) for e in ds.get("exchanges", [])]


def _snapshot(data) -> list[tuple[str, list[dict]]]:
    """Each activity's name and a shallow copy of its exchange list: one list copy per activity, not one tuple per
    exchange (a strategy pass over ecoinvent's 500,000 exchanges allocated a million objects for every strategy)."""
    return [(ds.get("name", ""), list(ds.get("exchanges", []))) for ds in _activities(data)]


def _count(data) -> int:
    return sum(len(ds.get("exchanges", [])) for ds in _activities(data))


def _flat(snapshot: list[tuple[str, list[dict]]]) -> list[tuple[str, dict]]:
    return [(act, e) for act, exchanges in snapshot for e in exchanges]


def _key(act: str, e: dict) -> tuple:
    return (act, str(e.get("name")), str(e.get("type")), repr(e.get("amount")))


def _deleted(before: list[tuple[str, dict]], after: list[tuple[str, dict]]) -> list[tuple[str, dict]]:
    """The exchanges a strategy removed (it may also have replaced the dicts of those it kept: compared by content)."""
    if len(after) >= len(before):
        return []
    left = Counter(_key(a, e) for a, e in after)
    out = []
    for act, e in before:
        if left[_key(act, e)]:
            left[_key(act, e)] -= 1
        else:
            out.append((act, e))
    return out


def _name(strategy) -> str:
    return getattr(strategy, "__name__", getattr(getattr(strategy, "func", None), "__name__", "strategy"))


def apply_strategies(imp) -> tuple[Counter, list[tuple[str, str, dict]]]:
    """Apply ``imp``'s strategies one by one; returns how many exchange units bw2io's normalisation changed, and
    the exchanges a strategy deleted (so the linking report can say so).

    Before each strategy only a shallow copy of each activity's exchange list is kept; the exchanges are compared
    by content (:func:`_deleted`) only after a strategy that left fewer of them, the units only around
    ``normalize_units``."""
    from bw2io.strategies import normalize_units

    changed: Counter = Counter()
    dropped: list[tuple[str, str, dict]] = []
    for strategy in imp.strategies:
        before = _snapshot(imp.data)
        units = exchange_units(imp.data) if strategy is normalize_units else None
        imp.apply_strategy(strategy, verbose=False)
        n_before, n_after = sum(len(x) for _, x in before), _count(imp.data)
        if units is not None and n_after == n_before:
            changed.update((a, b) for a, b in zip(units, exchange_units(imp.data), strict=True) if a != b)
        if n_after < n_before:
            dropped += [(_name(strategy), act, e) for act, e in _deleted(_flat(before), _exchanges(imp.data))]
    return changed, dropped
