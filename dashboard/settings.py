"""The dashboard's fixed settings: where the shipped data is, the background years, the upload limits, the headline
indicators, and the one process-wide lock around Brightway (not thread-safe, while Streamlit runs every session in
a thread of one process)."""

from __future__ import annotations

import os
import threading
from pathlib import Path

os.environ.setdefault("BRIGHTWAY_NO_STRUCTLOG", "1")  # bw2data logs to stdout otherwise

from lca_engine.indicators import CARDS, INDICATORS
from lca_engine.verdict import DEFAULT_DRAWS, DEFAULT_SEED

ROOT = Path(__file__).resolve().parent.parent
INVENTORIES = ROOT / "inventories"
EXAMPLES = INVENTORIES / "examples"
#: the 22 principal areas, shipped once with the engine's data (provenance and attribution in inventories/geo/SOURCE.md)
WALES_GEOJSON = INVENTORIES / "geo" / "wales_principal_areas.geojson"
YEARS = (2023, 2024, 2025)
DEFAULT_YEAR = 2025
HEADLINE = CARDS
#: The card label of each headline indicator.
HEADLINE_LABELS = {i: INDICATORS[i].short for i in CARDS}
MAX_UPLOAD_BYTES = 2 * 1024 * 1024
UPLOAD_TYPES = ("toml", "xlsx")
#: A portfolio run folder (``lca-engine portfolio assess … --out DIR``) the Portfolio page opens on, if set.
PORTFOLIO_RUN = os.environ.get("LCA_ENGINE_PORTFOLIO", "").strip()
#: Monte Carlo draws and seed of the verdict shown on every page: the report's (the Claims page may ask for others).
VERDICT_DRAWS, VERDICT_SEED = DEFAULT_DRAWS, DEFAULT_SEED

#: Held around every engine call that touches the Brightway project.
LOCK = threading.RLock()
