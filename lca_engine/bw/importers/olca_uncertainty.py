"""openLCA distributions through bw2io's JSON-LD import, as stats_arrays fields.

bw2io's ``JSONLDImporter`` (0.9.17) keeps each exchange's olca-schema ``uncertainty`` object as it is and gives it
no stats_arrays field: its strategy list holds only a placeholder comment ("Transform uncertainties") and no
``json_ld_*`` strategy reads the object. A triangle or log-normal in a JSON-LD file — our own export's assumption
ranges among them — would reach Brightway as a fixed amount. Two strategies carry it:

* :func:`mark_amounts` — first, on bw2io's raw data: each uncertain exchange's amount as the file states it
  (``olca amount``), in the file's unit, before bw2io allocates multi-output processes and converts to reference
  units (both scale ``amount`` and nothing else);
* :func:`olca_distributions` — last: the distribution as stats_arrays fields (:func:`stats_arrays_fields`), scaled
  by what bw2io did to the amount (``amount / olca amount``).

Wire them with ``imp.strategies.insert(0, mark_amounts)`` and ``imp.strategies.append(olca_distributions)``.
"""

from __future__ import annotations

import math

#: the exchange field holding the file's own amount between the two strategies
RAW = "olca amount"
#: stats_arrays ids of the distributions olca-schema names
LOGNORMAL, NORMAL, UNIFORM, TRIANGULAR = 2, 3, 4, 5


def _number(x) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


def stats_arrays_fields(u: dict, factor: float = 1.0) -> dict | None:
    """An olca-schema ``Uncertainty`` (as JSON) as bw2io's stats_arrays fields, its values times ``factor``
    (the unit or allocation factor applied to the amount); None when it is none of the four or lacks a parameter."""
    kind = u.get("distributionType")
    if kind == "LOG_NORMAL_DISTRIBUTION":
        gm, gsd = u.get("geomMean"), u.get("geomSd")
        if not (_number(gm) and _number(gsd)) or gm == 0 or gsd <= 1:
            return None
        return {"uncertainty type": LOGNORMAL, "loc": math.log(abs(gm * factor)), "scale": math.log(gsd),
                "negative": gm * factor < 0}  # fmt: skip
    if kind == "NORMAL_DISTRIBUTION":
        mean, sd = u.get("mean"), u.get("sd")
        if not (_number(mean) and _number(sd)):
            return None
        return {"uncertainty type": NORMAL, "loc": mean * factor, "scale": abs(sd * factor)}
    if kind not in ("UNIFORM_DISTRIBUTION", "TRIANGLE_DISTRIBUTION"):
        return None
    lo, hi = u.get("minimum"), u.get("maximum")
    if not (_number(lo) and _number(hi)):
        return None
    lo, hi = sorted((lo * factor, hi * factor))
    if kind == "UNIFORM_DISTRIBUTION":
        return {"uncertainty type": UNIFORM, "minimum": lo, "maximum": hi}
    mode = u.get("mode")
    if not _number(mode) or not lo <= mode * factor <= hi:
        return None
    return {"uncertainty type": TRIANGULAR, "minimum": lo, "maximum": hi, "loc": mode * factor}


def mark_amounts(data: dict) -> dict:
    """bw2io's raw JSON-LD data: every exchange with a distribution keeps its stated amount under :data:`RAW`."""
    for proc in (data.get("processes") or {}).values():
        for e in proc.get("exchanges") or []:
            if e.get("uncertainty") and _number(e.get("amount")):
                e[RAW] = e["amount"]
    return data


def olca_distributions(db: list[dict]) -> list[dict]:
    """bw2io's datasets after its strategies: each marked exchange gets its distribution's stats_arrays fields."""
    for ds in db:
        for e in ds.get("exchanges") or []:
            raw, u = e.pop(RAW, None), e.get("uncertainty")
            if not raw or not isinstance(u, dict) or not _number(e.get("amount")):
                continue
            fields = stats_arrays_fields(u, e["amount"] / raw)
            if fields:
                e.update(fields)
    return db
