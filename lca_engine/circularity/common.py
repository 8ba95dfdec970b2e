"""The shape every circularity figure is reported in: value, unit, formula, inputs and an optional note."""

from __future__ import annotations


def share(part: float, whole: float) -> float | None:
    """part / whole, or None when there is no whole (never a made-up 0)."""
    return part / whole if whole > 0 else None


def indicator(value, unit: str, formula: str, inputs: dict, note: str = "") -> dict:
    out = {"value": value, "unit": unit, "formula": formula, "inputs": inputs}
    if note:
        out["note"] = note
    return out
