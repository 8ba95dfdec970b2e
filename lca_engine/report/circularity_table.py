"""The report's circularity tables: every figure of the micro-factory and its baseline side by side (one table),
project variants named as such with the yield note, figures without a value as "not stated" with the reason, the
waste note, and each system's loops with plain headers. Pure: circularity reports in, JSON-able dict out."""

from __future__ import annotations

from ..circularity import YIELD_NOTE
from ..circularity.labels import FIGURES, LOOP_COLUMNS, SECTIONS, WASTE_NOTE, metric, not_stated_reason


def _cell(m: dict) -> dict:
    value = m.get("value")
    return {"value": value, "unit": m.get("unit", ""), "reason": None if value is not None else not_stated_reason(m)}


def side_by_side(reports: dict[str, dict], ids: list[str]) -> dict:
    """One row per figure (:data:`~lca_engine.circularity.labels.FIGURES`) that any report in ``ids`` has, one cell
    per system ("not stated" with the reason where a system has no value)."""
    rows = []
    for fig in FIGURES:
        found = {fid: metric(reports[fid], fig) for fid in ids}
        if all(m is None for m in found.values()):
            continue
        rows.append(
            {
                "section": SECTIONS[fig.section],
                "key": f"{fig.section}.{fig.key}" if fig.key else fig.section,
                "label": fig.label,
                "variant": fig.variant,
                "footnote": "a" if fig.variant else "b" if fig.section == "waste" else "",
                "cells": {fid: _cell(m or {}) for fid, m in found.items()},
            }
        )
    return {
        "rows": rows,
        "yield_note": YIELD_NOTE,
        "waste_note": WASTE_NOTE,
        "loop_columns": [{"key": k, "header": h, "unit": u} for k, h, u in LOOP_COLUMNS],
        "loops": {fid: reports[fid].get("loops", []) for fid in ids},
    }
