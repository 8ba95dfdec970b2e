"""Where is a site? Point-in-polygon on the shipped ONS boundaries (``inventories/geo/``): in Wales
(``wales.geojson``, the outline) and in which of the 22 principal areas (``wales_principal_areas.geojson``)."""

from __future__ import annotations

import json
from functools import cache

import numpy as np

#: Points tested against one ring at a time: bounds the edges × points temporaries (rings have ≤ 365 edges).
_BLOCK = 1024


def _geojson(name: str) -> dict:
    from .background.catalog import default_inventories_dir

    return json.loads((default_inventories_dir() / "geo" / name).read_text(encoding="utf-8"))


def _feature_rings(feature: dict) -> list[np.ndarray]:
    geom = feature["geometry"]
    polygons = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
    return [np.asarray(ring, dtype=float) for polygon in polygons for ring in polygon]


@cache
def _rings() -> list[np.ndarray]:
    return [ring for feature in _geojson("wales.geojson")["features"] for ring in _feature_rings(feature)]


@cache
def _areas() -> tuple[tuple[str, ...], tuple[list[np.ndarray], ...], np.ndarray]:
    """(names, rings of each area, bounding box of each area as lon_min, lat_min, lon_max, lat_max)."""
    features = _geojson("wales_principal_areas.geojson")["features"]
    rings = tuple(_feature_rings(f) for f in features)
    boxes = np.array([[*np.vstack(r).min(axis=0), *np.vstack(r).max(axis=0)] for r in rings])
    return tuple(f["properties"]["name"] for f in features), rings, boxes


def _crossings(ring: np.ndarray, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """Per point: does a ray cast towards +lon cross ``ring`` an odd number of times?"""
    x0, y0 = ring[:-1, 0, None], ring[:-1, 1, None]
    x1, y1 = ring[1:, 0, None], ring[1:, 1, None]
    crosses = (y0 > lats) != (y1 > lats)
    with np.errstate(divide="ignore", invalid="ignore"):
        x_at = x0 + (lats - y0) * (x1 - x0) / (y1 - y0)
    return np.count_nonzero(crosses & (x_at > lons), axis=0) % 2 == 1


def _inside(rings: list[np.ndarray], lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """Even–odd rule over every ring (outer rings and holes alike)."""
    inside = np.zeros(lats.shape, dtype=bool)
    for start in range(0, len(lats), _BLOCK):
        part = slice(start, start + _BLOCK)
        for ring in rings:
            inside[part] ^= _crossings(ring, lats[part], lons[part])
    return inside


def point_in_wales(lat: float, lon: float) -> bool:
    """Is (lat, lon) inside the Wales outline? Even–odd rule over every ring, ray cast towards +lon (one point: no
    points axis, twice as fast as :func:`_inside` for the generator's rejection sampling)."""
    inside = False
    for ring in _rings():
        x0, y0 = ring[:-1, 0], ring[:-1, 1]
        x1, y1 = ring[1:, 0], ring[1:, 1]
        crosses = (y0 > lat) != (y1 > lat)
        with np.errstate(divide="ignore", invalid="ignore"):
            x_at = x0 + (lat - y0) * (x1 - x0) / (y1 - y0)
        inside ^= bool(np.count_nonzero(crosses & (x_at > lon)) % 2)
    return inside


def principal_areas(lats, lons) -> np.ndarray:
    """The principal area (English name, e.g. 'Blaenau Gwent') of each point, ``None`` outside Wales or where a
    coordinate is missing: an object array as long as ``lats``. Each area is tested only on the points in its box."""
    lats = np.asarray(lats, dtype=float).ravel()
    lons = np.asarray(lons, dtype=float).ravel()
    out = np.full(lats.shape, None, dtype=object)
    names, rings, boxes = _areas()
    for name, area, (x0, y0, x1, y1) in zip(names, rings, boxes, strict=True):
        todo = np.flatnonzero((out == None) & (lons >= x0) & (lons <= x1) & (lats >= y0) & (lats <= y1))  # noqa: E711
        if len(todo):
            out[todo[_inside(area, lats[todo], lons[todo])]] = name
    return out


def principal_area(lat: float, lon: float) -> str | None:
    """The principal area of one point, ``None`` outside Wales."""
    return principal_areas([lat], [lon])[0]


def area_names() -> tuple[str, ...]:
    """The 22 principal areas' names, in the file's order."""
    return _areas()[0]
