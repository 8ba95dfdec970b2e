"""Results and inventories out, for other LCA tools: one module per format.

* :mod:`.lcax` — LCAx (building-sector result format, ``lcax`` package): the assessed results per EN 15804 module;
* :mod:`.jsonld` — openLCA JSON-LD (``olca-schema``): a factory's processes, flows and background links, importable
  back (bw2io's JSON-LD importer) to the same results;
* Brightway Excel with uncertainty columns lives with the rest of the Brightway-Excel interchange in
  :mod:`lca_engine.bw.excel`.

:mod:`.modules` defines, once, which EN 15804 life-cycle module each part of a result belongs to; :mod:`.mapping`
which of our indicators go to which LCAx impact category, and why.
"""

from __future__ import annotations

from enum import StrEnum

from ..errors import LcaEngineError


class ExportFormat(StrEnum):
    """The formats ``lca-engine export --format`` writes."""

    LCAX = "lcax"
    JSONLD = "jsonld"
    EXCEL = "excel"


class ExportError(LcaEngineError):
    """The export cannot be written where it was asked to go (a folder, no permission, a full disk)."""

    title = "cannot write the export"
