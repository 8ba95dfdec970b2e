"""Is a site in Wales? Point-in-polygon on the shipped ONS outline (``inventories/geo/wales.geojson``)."""

from __future__ import annotations

import json
from functools import cache

import numpy as np


@cache
def _rings() -> list[np.ndarray]:
    from .background.catalog import default_inventories_dir

    data = json.loads((default_inventories_dir() / "geo" / "wales.geojson").read_text(encoding="utf-8"))
    rings = []
    for feature in data["features"]:
        geom = feature["geometry"]
        polygons = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
        rings += [np.asarray(ring, dtype=float) for polygon in polygons for ring in polygon]
    return rings


def point_in_wales(lat: float, lon: float) -> bool:
    """Even–odd rule over every ring (outer rings and holes alike), ray cast towards +lon."""
    inside = False
    for ring in _rings():
        x0, y0 = ring[:-1, 0], ring[:-1, 1]
        x1, y1 = ring[1:, 0], ring[1:, 1]
        crosses = (y0 > lat) != (y1 > lat)
        with np.errstate(divide="ignore", invalid="ignore"):
            x_at = x0 + (lat - y0) * (x1 - x0) / (y1 - y0)
        inside ^= bool(np.count_nonzero(crosses & (x_at > lon)) % 2)
    return inside
