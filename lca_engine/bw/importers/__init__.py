"""The importers of ``lca-engine background import``, one class per format behind :class:`~.base.Importer`.

``IMPORTERS`` is the one table of them, in the order :func:`detect` tries them (most specific first).
"""

from __future__ import annotations

from pathlib import Path

from ...background.imported import BackgroundFormat
from .base import Imported, Importer
from .ecospold import Ecospold1, Ecospold2
from .excel import Excel
from .jsonld import JsonLd
from .simapro import SimaPro

IMPORTERS: dict[BackgroundFormat, type[Importer]] = {
    BackgroundFormat.ECOSPOLD2: Ecospold2,
    BackgroundFormat.ECOSPOLD1: Ecospold1,
    BackgroundFormat.JSONLD: JsonLd,
    BackgroundFormat.EXCEL: Excel,
    BackgroundFormat.SIMAPRO: SimaPro,
}


def detect(path: Path) -> BackgroundFormat | None:
    """The first format whose importer recognises ``path``, or None."""
    return next((fmt for fmt, cls in IMPORTERS.items() if cls.detect(path)), None)


__all__ = ["IMPORTERS", "Imported", "Importer", "detect"]
