"""A file exchange's uncertainty distribution → an ``assumption`` range on our flow (triangular in Monte Carlo).

Our model holds uncertainty only as an assumption's low/high, which the Brightway build turns into a triangular
distribution around the amount (:func:`lca_engine.bw.build._uncertainty`). A distribution in the file is carried
as its central 95 % (2.5 and 97.5 percentiles, computed here from the stats_arrays parameters bw2io gives),
scaled like the amount, with reasoning that names the file's distribution and says how it is modelled. Other
distributions, and ranges that do not contain the amount, are left out with a warning.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from .kinds import number

Z = 1.959963984540054  # the standard normal's 97.5 percentile

#: stats_arrays uncertainty type ids (as bw2io writes them) → name.
NAMES = {0: "undefined", 1: "none", 2: "lognormal", 3: "normal", 4: "uniform", 5: "triangular"}


def with_uncertainty(flow: dict, exc: dict, scale: float, warn: Callable[[dict, str], None], where: dict) -> dict:
    """``flow`` with an assumption carrying ``exc``'s distribution (or unchanged, with a warning if it cannot)."""
    kind = number(exc.get("uncertainty type"))
    if kind is None or kind in (0.0, 1.0):
        return flow
    amount = number(exc.get("amount"))
    bounds = _central_95(int(kind), exc)
    label = NAMES.get(int(kind), f"type {int(kind)}")
    if bounds is None or not amount:
        warn(
            where,
            f"exchange '{exc.get('name')}': its {label} uncertainty is not carried over (only lognormal, "
            "normal, uniform and triangular are)",
        )
        return flow
    lo, hi = sorted(b / amount for b in bounds)
    if not lo <= 1.0 <= hi:
        warn(
            where,
            f"exchange '{exc.get('name')}': the central 95 % of its {label} distribution "
            f"({bounds[0]:.6g} to {bounds[1]:.6g}) does not contain the amount {amount:.6g}: not carried over",
        )
        return flow
    reasoning = (
        f"the file gives a {label} distribution ({_params(exc)}); its 2.5–97.5 % range "
        f"{bounds[0]:.6g} to {bounds[1]:.6g} {exc.get('unit')} is modelled as a triangular distribution around the "
        "amount, scaled like it"
    )
    return {**flow, "assumption": {"reasoning": reasoning, "low": flow["amount"] * lo, "high": flow["amount"] * hi}}


def _params(exc: dict) -> str:
    keys = ("loc", "scale", "shape", "minimum", "maximum", "negative")
    return ", ".join(f"{k} {exc[k]}" for k in keys if exc.get(k) not in (None, ""))


def _central_95(kind: int, exc: dict) -> tuple[float, float] | None:
    loc, scale = number(exc.get("loc")), number(exc.get("scale"))
    lo, hi = number(exc.get("minimum")), number(exc.get("maximum"))
    if kind == 2 and loc is not None and scale is not None:
        sign = -1.0 if exc.get("negative") is True or (number(exc.get("amount")) or 0) < 0 else 1.0
        return sign * math.exp(loc - Z * scale), sign * math.exp(loc + Z * scale)
    if kind == 3 and loc is not None and scale is not None:
        return loc - Z * scale, loc + Z * scale
    if kind == 4 and lo is not None and hi is not None and hi > lo:
        return lo + 0.025 * (hi - lo), hi - 0.025 * (hi - lo)
    if kind == 5 and lo is not None and hi is not None and hi > lo:
        mode = loc if loc is not None else number(exc.get("amount"))
        return _triangular_ppf(0.025, lo, mode, hi), _triangular_ppf(0.975, lo, mode, hi)
    return None


def _triangular_ppf(q: float, a: float, c: float, b: float) -> float:
    """Inverse CDF of the triangular distribution on [a, b] with mode c."""
    f = (c - a) / (b - a)
    if q < f:
        return a + math.sqrt(q * (b - a) * (c - a))
    return b - math.sqrt((1 - q) * (b - a) * (b - c))
