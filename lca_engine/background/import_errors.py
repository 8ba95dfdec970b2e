"""The ways ``lca-engine background import`` refuses its input, one type each (chosen by type, never by text)."""

from __future__ import annotations

from ..errors import BackgroundImportError


class ImportPathError(BackgroundImportError):
    """The path is missing, or not a file or folder an importer reads."""


class ImportFormatError(BackgroundImportError):
    """The data is not in the format named (or any format) — or the importer cannot read it."""


class WorkbookError(ImportFormatError):
    """A Brightway Excel workbook that cannot become a correct background, at its sheet and row: a layout bw2io
    cannot read, a parameter or formula Brightway cannot evaluate, a product node that cannot be folded."""


class ArchiveError(BackgroundImportError):
    """A zip that escapes its folder or is larger than the limits."""


class NameTakenError(BackgroundImportError):
    """A background of that name is already imported."""


class UnlinkedError(BackgroundImportError):
    """Technosphere exchanges that link to no activity of the database."""


class UnmatchedFlowError(BackgroundImportError):
    """Elementary flows not in biosphere3 (only with ``--strict``)."""


class UnitMismatchError(BackgroundImportError):
    """An exchange whose unit is not its provider's reference unit."""


class DuplicateActivityError(BackgroundImportError):
    """Two activities with the same name, reference product and location (or code)."""


class EmptyDatabaseError(BackgroundImportError):
    """The data holds no activity."""


class LicenceError(BackgroundImportError):
    """No licence stated."""
