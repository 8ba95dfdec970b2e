"""Supplies matched to other factories' demands of the same material class within a road radius.

Rule (deterministic): every compatible pair (same class, different factories, road distance ≤ radius) is taken in
order of road distance, ties broken by giver id, giver flow, receiver id, receiver flow; each pair moves
min(what the giver has left, what the receiver still needs). So each giver's supply goes to its nearest receivers
first, and each receiver is served by its nearest givers first.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..errors import LcaEngineError
from .distance import Circuity, site_km
from .flows import Side

#: Matched masses below this many tonnes per year (1 g) are round-off, not a match.
MIN_T = 1e-6


@dataclass(frozen=True)
class Match:
    giver: Side
    receiver: Side
    t_per_year: float
    great_circle_km: float
    road_km: float


def check_radius(radius_km: float) -> float:
    """The radius as a float, or an error naming ``radius`` with the fix."""
    try:
        r = float(radius_km)
    except (TypeError, ValueError):
        r = math.nan
    if not math.isfinite(r) or r <= 0:
        raise LcaEngineError(
            f"match radius {radius_km!r} km is not a positive finite number",
            fix="give the road distance within which factories may exchange material, e.g. --radius 50 (km)",
            field="radius",
        )
    return r


def _pairs(supplies: list[Side], demands: list[Side], radius_km: float, circuity: Circuity) -> list[tuple]:
    pairs = []
    for g in supplies:
        for r in demands:
            if g.material_class != r.material_class or g.factory == r.factory:
                continue
            gc = site_km(g.site, r.site)
            road = gc * circuity.value
            if road <= radius_km:
                pairs.append((road, g.factory, g.flow, r.factory, r.flow, gc, g, r))
    return sorted(pairs, key=lambda p: p[:5])


def match(supplies: list[Side], demands: list[Side], radius_km: float, circuity: Circuity) -> list[Match]:
    """Matches in allocation order (see the module's rule)."""
    radius = check_radius(radius_km)
    left = {("g", s.factory, s.flow): s.t_per_year for s in supplies}
    left.update({("r", d.factory, d.flow): d.t_per_year for d in demands})
    out = []
    for road, *_, gc, g, r in _pairs(supplies, demands, radius, circuity):
        gk, rk = ("g", g.factory, g.flow), ("r", r.factory, r.flow)
        t = min(left[gk], left[rk])
        if t <= MIN_T:
            continue
        left[gk] -= t
        left[rk] -= t
        out.append(Match(g, r, t, gc, road))
    return out
