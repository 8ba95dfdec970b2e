"""One factory's results from its own small system and the background's per-unit scores (no Brightway).

The foreground of a factory is the data :func:`.build.foreground_data` writes into the project: one activity per
process and one for the functional unit. Its supply s solves A_f s = e_FU (A_f: production on the diagonal,
internal flows off it); a flow of amount a that process j buys from background product k contributes
s_j · a · λ_k, an elementary flow of its own s_j · a · c (on site). The parts add up to the factory's total exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import splu

from ..errors import InventoryError
from ..indicators import CRADLE_TO_GATE, SITE
from .background_scores import BackgroundScores, Key
from .build import FU_CODE
from .noise import denoise

F32 = np.finfo(np.float32)


@dataclass
class FlowPart:
    """One flow's link (a background product or an elementary flow) in one process: its contribution per scope
    and whether one unit of it is characterised at all, per indicator."""

    value: dict[str, np.ndarray]
    characterised: dict[str, np.ndarray]


@dataclass(frozen=True)
class ForegroundResult:
    supply: dict[str, float]  # activity code -> amount per functional unit
    totals: dict[str, np.ndarray]  # scope -> score per indicator
    parts: dict[tuple[str, str, str], FlowPart]  # (flow id, process id, factor) -> its part


def float32_problems(data: dict) -> list[str]:
    """Activities with an amount Brightway's float32 matrices would hold as 0 or infinity (the Monte Carlo reads
    them), e.g. a process that makes 1e-40 kg: in float32 it makes nothing and the system is singular."""
    return sorted(
        {
            f"{key[0]}:{key[1]} ({ex['amount']:.3g})"
            for key, act in data.items()
            for ex in act["exchanges"]
            if ex["amount"] and not F32.tiny <= abs(ex["amount"]) <= F32.max
        }
    )


def supply_of(data: dict, database: str) -> dict[str, float]:
    """s with A_f s = e_FU over the factory's own activities."""
    codes = [code for _, code in data]
    col = {code: j for j, code in enumerate(codes)}
    r, c, v = [], [], []
    for (_, code), act in data.items():
        for ex in act["exchanges"]:
            db, inp = ex["input"]
            if ex["type"] == "production" or (ex["type"] == "technosphere" and db == database):
                r.append(col[inp])
                c.append(col[code])
                v.append(ex["amount"] if ex["type"] == "production" else -ex["amount"])
    a = sp.csc_matrix((v, (r, c)), shape=(len(codes), len(codes)))
    demand = np.zeros(len(codes))
    demand[col[FU_CODE]] = 1.0
    try:
        s = denoise(splu(a).solve(demand))
    except RuntimeError:  # SuperLU: "Factor is exactly singular"
        raise InventoryError(
            f"the foreground {database} cannot be solved (singular technosphere matrix): a process sends (almost) "
            "nothing on, or processes feed each other with nothing leaving",
            fix="give every process a mass output of a realistic size, and let every loop lead to a product or waste",
        ) from None
    return dict(zip(codes, s.tolist(), strict=True))


def crosses_boundary(ex: dict, database: str) -> bool:
    """A purchase or an elementary flow of a process (not production, not a flow inside the foreground
    ``database``, not the functional unit's inputs, which carry no flow id): what a factory's results are made of."""
    return ex.get("flow") is not None and ex["type"] != "production" and ex["input"][0] != database


def _unit(ex: dict, bg: BackgroundScores) -> tuple[str, dict[str, np.ndarray]]:
    """The factor label and the score of one unit of what an exchange takes, per scope."""
    key: Key = tuple(ex["input"])
    if ex["type"] == "technosphere":
        row = bg.product_row[key]
        return bg.product_label[key], {CRADLE_TO_GATE: bg.lam[row], SITE: bg.lam_site[row]}
    c = bg.flow_cf(key)
    return bg.flow_label[key], {CRADLE_TO_GATE: c, SITE: c}  # the process's own elementary flow: on site


def _parts(data: dict, database: str, supply: dict[str, float], bg: BackgroundScores) -> dict:
    parts: dict[tuple[str, str, str], FlowPart] = {}
    for (_, code), act in data.items():
        for ex in act["exchanges"]:
            if not crosses_boundary(ex, database):
                continue  # production, the functional unit's inputs, internal flows (counted where produced)
            fid = ex["flow"]
            factor, unit = _unit(ex, bg)
            part = parts.setdefault(
                (fid, code, factor),
                FlowPart({k: 0.0 for k in unit}, {k: np.zeros(len(v), bool) for k, v in unit.items()}),
            )
            for scope, u in unit.items():
                part.value[scope] = part.value[scope] + supply[code] * ex["amount"] * u
                part.characterised[scope] = part.characterised[scope] | (np.abs(u) > 0)
    return parts


def foreground_scores(data: dict, database: str, bg: BackgroundScores) -> ForegroundResult:
    """Supply, totals at both scopes and the part of every flow of the foreground ``data`` (named ``database``)."""
    lost = float32_problems(data)
    if lost:
        raise InventoryError(
            f"an amount of {', '.join(lost)} once converted to the activity's unit is outside the float32 range "
            "Brightway stores (1.2e-38 to 3.4e38), so it would become 0 or infinite there (a process that makes "
            "nothing makes the technosphere singular)",
            fix="give the amount in a unit that keeps it within that range once converted to kg, kWh or m3",
        )
    supply = supply_of(data, database)
    parts = _parts(data, database, supply, bg)
    zero = np.zeros(len(bg.indicators))
    totals = {scope: sum((p.value[scope] for p in parts.values()), zero) for scope in (CRADLE_TO_GATE, SITE)}
    return ForegroundResult(supply, totals, parts)
