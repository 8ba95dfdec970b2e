"""A Brightway biosphere exchange → one of our flows to or from ``environment`` (or None: no counterpart)."""

from __future__ import annotations

from ...model import COMPARTMENTS_TO
from .kinds import ENERGY, MASS, VOLUME, categories, dim


def biosphere_flow(base: dict, exc: dict, amount: float, me: str, note: str) -> tuple[dict | None, str | None]:
    """(flow, None), or (None, why it is left out). ``base`` holds name and unit; ``me`` is the process id."""
    cats = categories(exc.get("categories"))
    top = cats[0] if cats else ""
    name = base["name"]
    if len(cats) > 1:
        note += f"; categories {'::'.join(cats)} taken as '{top}'"
    if amount < 0:
        return None, f"biosphere exchange '{name}' is negative: not representable, left out"
    out = {**base, "amount": amount, "note": note}
    flow = _emission(out, top, me) if top in COMPARTMENTS_TO else None
    if top == "natural resource":
        flow = _resource(out, cats[1].lower() if len(cats) > 1 else "", me)
    if flow is not None:
        return flow, None
    return None, (
        f"biosphere exchange '{name}' ({'::'.join(cats) or 'no category'}, {exc.get('unit')}) "
        "has no counterpart in the lca-engine model: left out"
    )


def _emission(out: dict, top: str, me: str) -> dict | None:
    d = dim(out["unit"])
    to_env = {"from": me, "to": "environment", "compartment": top}
    if d == MASS:
        return {**out, **to_env, "kind": "emission", "substance": out["name"]}
    if d == VOLUME and out["name"].lower().startswith("water"):
        return {**out, **to_env, "kind": "water"}
    return None


def _resource(out: dict, sub: str, me: str) -> dict | None:
    d, low = dim(out["unit"]), out["name"].lower()
    from_env = {"from": "environment", "to": me}
    if "water" in low and d in (VOLUME, MASS):
        comp = "ground water" if "ground" in sub or "well" in low else "surface water"
        return {**out, **from_env, "kind": "water", "compartment": comp}
    if d == ENERGY:
        comp = "soil" if "ground" in sub and "air" not in sub else "air"
        return {**out, **from_env, "kind": "energy", "compartment": comp}
    return None
