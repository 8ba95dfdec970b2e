"""One interface for every format ``lca-engine foreground import`` reads (as :mod:`lca_engine.bw.importers` has one
for backgrounds): a :class:`ForegroundReader` says whether it reads a path (:meth:`~ForegroundReader.detect`,
cheap) and turns it into a :class:`Read` — the :class:`~.convert.ForeignFile` and, where the file names it, the
functional unit. ``READERS`` is the one table of them, in the order :func:`detect` tries them.
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from ...errors import InventoryError, Problem
from .convert import ForegroundFormat, ForeignFile


@dataclass(frozen=True)
class Read:
    """A file read: ``functional_unit`` is the code of the functional-unit activity when the file names it (an
    openLCA product system), ``amount`` how many of its reference unit the file's functional unit is."""

    foreign: ForeignFile
    functional_unit: str | None = None
    amount: float = 1.0
    #: what the file says the functional unit is, in words (for the notes)
    stated: str = ""


class ForegroundReader(ABC):
    format: ClassVar[ForegroundFormat]
    #: what to give, in plain words, for the error when the path is not in this format
    expects: ClassVar[str]

    @classmethod
    @abstractmethod
    def detect(cls, path: Path) -> bool:
        """True when ``path`` looks like this format (names and the first bytes, no parsing)."""

    @abstractmethod
    def read(self, path: Path, functional_unit: str | None) -> Read:
        """The file in bw2io's format; ``functional_unit`` as the user named it (the reader may resolve it)."""


#: at most this many problems in one error
SHOWN = 20


def check_units(foreign: ForeignFile) -> ForeignFile:
    """Every technosphere exchange (what is bought, made or sent on) in a unit pint reads: else an error at the
    exchange. Left out, its upstream burden would silently not count (elementary flows in units the model has no
    counterpart for, e.g. kBq, are left out with a warning by the converter)."""
    from .kinds import pint_unit

    bad = [
        (a, k, e)
        for a, ds in enumerate(foreign.activities)
        for k, e in enumerate(ds.get("exchanges", []))
        if e.get("type") != "biosphere" and e.get("unit") not in (None, "") and pint_unit(e.get("unit")) is None
    ]
    if bad:
        raise InventoryError([_unit_problem(foreign, a, k, e) for a, k, e in bad[:SHOWN]])
    return foreign


def _unit_problem(foreign: ForeignFile, a: int, k: int, e: dict) -> Problem:
    where = foreign.locator.where(a, k)
    where["field"] = f"{where['field']}.unit" if where.get("field") else "unit"
    tool = "openLCA" if foreign.format == ForegroundFormat.JSONLD else "SimaPro"
    return Problem(
        f"exchange '{e.get('name')}' is in '{e.get('unit')}', a unit lca-engine cannot read",
        fix=f"give it in {tool} in a unit of mass, energy, volume, area, length, count, mass × distance or time "
        "before exporting (e.g. person-km as the vehicle's km), or remove it",
        **where,
    )


def by_product(acts: list[dict], functional_unit: str | None) -> str | None:
    """``functional_unit`` as the converter takes it (an activity's name or code); a product's name (what a
    SimaPro or openLCA user calls the process by: 'Steel bracket', 'Steel bracket {GB}| pressing') becomes the code
    of the one activity making it."""
    if functional_unit is None:
        return None
    wanted = functional_unit.strip()
    if any(wanted in (str(ds.get("name")), str(ds.get("code"))) for ds in acts):
        return functional_unit
    makers = [ds for ds in acts if wanted in (str(ds.get("reference product")), str(ds.get("simapro name")))]
    return str(makers[0]["code"]) if len(makers) == 1 else functional_unit


def sha256(path: Path) -> str:
    """SHA-256 of a file, or of a folder's files (relative names and bytes, in sorted order)."""
    h = hashlib.sha256()
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    for f in files:
        if f != path:
            h.update(f.relative_to(path).as_posix().encode())
        with open(f, "rb") as fh:
            while block := fh.read(1 << 20):
                h.update(block)
    return h.hexdigest()


def readers() -> dict[ForegroundFormat, type[ForegroundReader]]:
    from .jsonld import JsonLdReader
    from .simapro import SimaProReader

    return {ForegroundFormat.JSONLD: JsonLdReader, ForegroundFormat.SIMAPRO: SimaProReader}


def detect(path: Path) -> ForegroundFormat | None:
    """The format whose reader recognises ``path`` (Brightway Excel: an .xlsx file), or None."""
    if path.is_file() and path.suffix.lower() in (".xlsx", ".xlsm"):
        return ForegroundFormat.EXCEL
    return next((fmt for fmt, cls in readers().items() if cls.detect(path)), None)
