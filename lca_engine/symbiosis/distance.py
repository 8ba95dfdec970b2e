"""Road distance between two factories: great-circle distance between their sites × a road circuity factor.

Great-circle distance by the haversine formula on a sphere of the mean Earth radius R1 = (2a + b) / 3 =
6,371.0088 km of the Geodetic Reference System 1980 (H. Moritz, "Geodetic Reference System 1980", Journal of
Geodesy 74 (2000) 128–133; the IUGG mean radius). The circuity factor (road network distance / straight-line
distance) is data: ``inventories/symbiosis.toml`` with its source and whether it was read at the publisher
(``checked``; false is shown as "to check").
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from ..errors import InventoryError
from ..model import Site
from ..tomlfile import read_toml

EARTH_MEAN_RADIUS_KM = 6371.0088
#: The data file, relative to the inventories folder.
DATA_FILE = "symbiosis.toml"


@dataclass(frozen=True)
class Circuity:
    """Road network distance per straight-line distance, with its provenance."""

    value: float
    low: float
    high: float
    source: str
    where: str
    checked: bool
    note: str = ""

    @property
    def status(self) -> str:
        return "checked" if self.checked else "to check"


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine distance in km between two points given in degrees."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_MEAN_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def site_km(a: Site, b: Site) -> float:
    return great_circle_km(a.lat, a.lon, b.lat, b.lon)


def load_circuity(inventories: Path | None = None) -> Circuity:
    """The road circuity factor of ``inventories/symbiosis.toml`` (the shipped folder by default)."""
    from ..background.catalog import default_inventories_dir

    path = Path(inventories or default_inventories_dir()) / DATA_FILE
    data = read_toml(path, "symbiosis data file", fix="restore inventories/symbiosis.toml").get("circuity", {})
    try:
        c = Circuity(
            float(data["value"]),
            float(data["low"]),
            float(data["high"]),
            str(data["source"]),
            str(data.get("where", "")),
            data["checked"] is True,
            str(data.get("note", "")),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise InventoryError(
            f"[circuity] lacks or misstates {exc}",
            fix="give value, low, high (numbers), source and checked = true/false",
            file=str(path),
            field="circuity",
        ) from None
    if not (1.0 <= c.low <= c.value <= c.high and math.isfinite(c.high)):
        raise InventoryError(
            f"circuity {c.value} outside its range [{c.low}, {c.high}] or below 1",
            fix="a road is never shorter than the straight line: give 1 ≤ low ≤ value ≤ high",
            file=str(path),
            field="circuity.value",
        )
    return c
