"""Foreground from other tools: a foreign file (Brightway Excel, openLCA JSON-LD, SimaPro CSV) read into bw2io's
format, then converted per functional unit into our model (:func:`to_factory`, no Brightway import)."""

from .convert import LABELS, ForegroundFormat, ForeignFile, ForeignImportWarning, to_factory
from .scaling import Locator

__all__ = ["LABELS", "ForegroundFormat", "ForeignFile", "ForeignImportWarning", "Locator", "to_factory"]
