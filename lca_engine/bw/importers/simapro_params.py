"""SimaPro input parameters with a distribution → the uncertainty of the exchanges whose formula they drive.

bw_simapro_csv evaluates every formula (the exchange's ``amount``) and keeps each input parameter's distribution
(``uncertainty type``, ``loc``, ``scale``, ``minimum``, ``maximum``, with the parameter's ``amount``), but an
exchange computed from a parameter gets no distribution of its own. Here, an exchange without a distribution of
its own whose formula is *proportional* to exactly one uncertain input parameter (``f(p) = k·p``, checked by
re-evaluating every parameter and the formula — with bw2parameters, as bw_simapro_csv does — at 0, p and 2p,
the other uncertain parameters held) takes that parameter's distribution scaled by ``k`` (bw2io's
``rescale_exchange``), and names the parameter in ``uncertainty parameter``. Formulas of several uncertain
parameters, or not proportional to one (a sum with a constant, a product of two), keep no distribution: a
distribution of the result would need sampling, which a parameterised Brightway dataset does and this does not.
"""

from __future__ import annotations

import math

#: uncertainty types carried (stats_arrays ids): lognormal, normal, uniform, triangular
CARRIED = (2, 3, 4, 5)
FIELDS = ("uncertainty type", "loc", "scale", "shape", "minimum", "maximum", "negative")
#: a proportional formula gives f(2p) = 2 f(p) and f(0) = 0 within this relative tolerance
RTOL = 1e-9


def _blocks(spcsv, *names: str) -> list[dict]:
    return [p for b in spcsv.blocks if type(b).__name__ in names for p in (b.parsed or [])]


def _inputs(params: list[dict], over: dict[str, float]) -> dict[str, float]:
    return {p["name"]: over.get(p["name"], p["amount"]) for p in params if isinstance(p.get("amount"), int | float)}


def _calculated(params: list[dict], given: dict[str, float]) -> dict[str, float]:
    from bw2parameters import ParameterSet

    defs = {p["name"]: {"formula": p["formula"]} for p in params if p.get("formula")}
    return {**given, **ParameterSet(defs, dict(given)).evaluate()} if defs else dict(given)


class Parameters:
    """The parameters one process sees (database/project ones, then its own), re-evaluated for overrides."""

    def __init__(self, spcsv, block) -> None:
        self.g_in = _blocks(spcsv, "DatabaseInputParameters", "ProjectInputParameters")
        self.g_calc = _blocks(spcsv, "DatabaseCalculatedParameters", "ProjectCalculatedParameters")
        own = getattr(block, "blocks", {}) or {}
        self.l_in = list(getattr(own.get("Input parameters"), "parsed", None) or [])
        self.l_calc = list(getattr(own.get("Calculated parameters"), "parsed", None) or [])
        self.uncertain = {
            p["name"]: p for p in self.g_in + self.l_in if p.get("uncertainty type") in CARRIED and p.get("amount")
        }

    def values(self, over: dict[str, float]) -> dict[str, float]:
        glob = _calculated(self.g_calc, _inputs(self.g_in, over))
        return _calculated(self.l_calc, {**glob, **_inputs(self.l_in, over)})

    def formula(self, formula: str, over: dict[str, float]) -> float:
        from bw2parameters import Interpreter

        interp = Interpreter()
        interp.symtable.update(self.values(over))
        return float(interp(formula))


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=RTOL, abs_tol=RTOL * max(abs(a), abs(b), 1e-300))


def driver(params: Parameters, formula: str) -> tuple[str, float] | None:
    """(name, k) when ``formula`` = k · (one uncertain parameter) and depends on no other uncertain one; else None."""
    try:
        base = params.formula(formula, {})
        found = []
        for name, p in params.uncertain.items():
            doubled = params.formula(formula, {name: 2 * p["amount"]})
            if _close(doubled, base):
                continue
            zero = params.formula(formula, {name: 0.0})
            found.append((name, base / p["amount"], _close(doubled, 2 * base) and abs(zero) <= RTOL * abs(base)))
    except Exception:  # a formula bw2parameters cannot evaluate again (e.g. a division by zero at 0): not carried
        return None
    if len(found) != 1 or not found[0][2] or base == 0:
        return None
    return found[0][0], found[0][1]


def scaled(param: dict, k: float) -> dict:
    """The parameter's distribution times ``k`` (bw2io's rescaling of an exchange)."""
    from bw2io.utils import rescale_exchange

    exc = {f: param[f] for f in FIELDS if f in param}
    exc["amount"] = param["amount"]
    return rescale_exchange(exc, k)


def carry_parameter_uncertainty(spcsv, processes: list[dict]) -> list[dict]:
    """Give each exchange driven by one uncertain input parameter that parameter's distribution (see the module)."""
    blocks = {
        str(b.parsed.get("metadata", {}).get("Process identifier") or ""): b
        for b in spcsv.blocks
        if type(b).__name__ == "Process"
    }
    for ds in processes:
        block = blocks.get(str(ds.get("code") or ""))
        params = Parameters(spcsv, block) if block is not None else None
        if params is None or not params.uncertain:
            continue
        for e in ds.get("exchanges", []):
            if not e.get("formula") or e.get("uncertainty type", 0) in CARRIED:
                continue
            found = driver(params, e["formula"])
            if found is not None:
                dist = scaled(params.uncertain[found[0]], found[1])
                e.update({f: dist[f] for f in FIELDS if f in dist})
                e["uncertainty parameter"] = params.uncertain[found[0]].get("original_name", found[0])
    return processes
