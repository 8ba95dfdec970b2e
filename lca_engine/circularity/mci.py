"""Material Circularity Indicator (Ellen MacArthur Foundation & Granta Design, methodology 2015, updated 2019).

Pure functions of numbers: the graph adapter is in :mod:`lca_engine.circularity.graph_indicators`.

    V   = M (1 − F_R − F_U − F_S)                      virgin feedstock
    W_0 = M (1 − C_R − C_U − C_C − C_E)                unrecoverable waste after use
    W_C = M (1 − E_C) C_R                              waste from recycling the product
    W_F = M (1 − E_F) F_R / E_F                        waste from producing the recycled feedstock
    W   = W_0 + (W_F + W_C) / 2
    LFI = (V + W) / (2M + (W_F − W_C) / 2)             linear flow index
    F(X) = 0.9 / X,  X = (L / L_av)(U / U_av)           utility factor
    MCI = max(0, 1 − LFI · F(X))
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal, get_args

from ..errors import LcaEngineError

FORMULA = {
    "V": "M (1 − F_R − F_U − F_S)",
    "W_0": "M (1 − C_R − C_U − C_C − C_E)",
    "W_C": "M (1 − E_C) C_R",
    "W_F": "M (1 − E_F) F_R / E_F",
    "W": "W_0 + (W_F + W_C) / 2",
    "LFI": "(V + W) / (2M + (W_F − W_C) / 2)",
    "F(X)": "0.9 / X",
    "MCI": "max(0, 1 − LFI · F(X))",
}


#: Where the utility X comes from: the products' lifetime data (L/L_av from [flows.lifetime] mean and average),
#: the ratio typed in [end_of_use] (lifetime_ratio), or nothing stated (X = 1).
UtilityBasis = Literal["lifetime data", "typed ratio", "not stated"]
UTILITY_BASES: tuple[str, ...] = get_args(UtilityBasis)
LIFETIME_DATA, TYPED_RATIO, NOT_STATED = UTILITY_BASES


class CircularityError(LcaEngineError):
    """Inputs to a circularity indicator are not valid fractions, masses or efficiencies."""


@dataclass(frozen=True)
class MCIResult:
    mass: float
    recycled_feedstock: float
    reused_feedstock: float
    bio_feedstock: float
    collected_for_reuse: float
    collected_for_recycling: float
    collected_for_composting: float
    collected_for_energy_recovery: float
    recycling_efficiency_collection: float
    recycling_efficiency_feedstock: float
    utility: float
    virgin_mass: float  # V
    unrecoverable_waste: float  # W_0
    recycling_waste: float  # W_C
    feedstock_waste: float  # W_F
    waste_mass: float  # W
    lfi: float
    utility_factor: float  # F(X)
    mci: float
    utility_basis: UtilityBasis = TYPED_RATIO  # where X comes from (UTILITY_BASES)

    def to_dict(self) -> dict:
        return {
            **asdict(self),
            "formula": dict(FORMULA),
            "method": "Ellen MacArthur Foundation & Granta Design, Circularity Indicators methodology (2019)",
        }


def _fraction(name: str, value: float) -> float:
    if not isinstance(value, int | float) or value != value:
        raise CircularityError(
            f"{name} must be a number, got {value!r}", fix="give a fraction between 0 and 1", field=name
        )
    if not 0.0 <= value <= 1.0:
        raise CircularityError(
            f"{name} = {value} is outside 0–1", fix="give a fraction between 0 and 1 (e.g. 0.25 for 25 %)", field=name
        )
    return float(value)


def mci(
    mass: float,
    recycled_feedstock: float = 0,
    reused_feedstock: float = 0,
    bio_feedstock: float = 0,
    collected_for_reuse: float = 0,
    collected_for_recycling: float = 0,
    collected_for_composting: float = 0,
    collected_for_energy_recovery: float = 0,
    recycling_efficiency_collection: float = 1,
    recycling_efficiency_feedstock: float = 1,
    utility: float = 1,
    utility_basis: UtilityBasis = TYPED_RATIO,
) -> MCIResult:
    """Material Circularity Indicator of one product of mass ``mass`` (any mass unit; the result is a ratio);
    ``utility_basis`` says where ``utility`` X comes from and is kept on the result."""
    if not isinstance(mass, int | float) or not mass > 0:
        raise CircularityError(f"mass = {mass!r} must be a positive number", fix="give the product mass", field="mass")
    if not isinstance(utility, int | float) or not utility > 0:
        raise CircularityError(
            f"utility = {utility!r} must be positive", fix="X = (L/L_av)(U/U_av) > 0", field="utility"
        )
    if utility_basis not in UTILITY_BASES:
        raise CircularityError(
            f"utility_basis = {utility_basis!r} is not known",
            fix=f"use one of: {', '.join(UTILITY_BASES)}",
            field="utility_basis",
        )
    f_r = _fraction("recycled_feedstock", recycled_feedstock)
    f_u = _fraction("reused_feedstock", reused_feedstock)
    f_s = _fraction("bio_feedstock", bio_feedstock)
    c_u = _fraction("collected_for_reuse", collected_for_reuse)
    c_r = _fraction("collected_for_recycling", collected_for_recycling)
    c_c = _fraction("collected_for_composting", collected_for_composting)
    c_e = _fraction("collected_for_energy_recovery", collected_for_energy_recovery)
    e_c = _fraction("recycling_efficiency_collection", recycling_efficiency_collection)
    e_f = _fraction("recycling_efficiency_feedstock", recycling_efficiency_feedstock)
    if f_r + f_u + f_s > 1 + 1e-12:
        raise CircularityError(
            f"feedstock shares add up to {f_r + f_u + f_s:g} > 1",
            fix="recycled + reused + bio-based feedstock fractions must sum to at most 1",
            field="recycled_feedstock",
        )
    if c_u + c_r + c_c + c_e > 1 + 1e-12:
        raise CircularityError(
            f"end-of-use collection shares add up to {c_u + c_r + c_c + c_e:g} > 1",
            fix="collected for reuse + recycling + composting + energy recovery must sum to at most 1",
            field="collected_for_recycling",
        )
    if f_r > 0 and e_f == 0:
        raise CircularityError(
            "recycled feedstock with a feedstock recycling efficiency of 0 is impossible (W_F would be infinite)",
            fix="give the efficiency of the recycling process that produced the feedstock (> 0)",
            field="recycling_efficiency_feedstock",
        )
    m = float(mass)
    v = m * (1 - f_r - f_u - f_s)
    w0 = m * (1 - c_r - c_u - c_c - c_e)
    wc = m * (1 - e_c) * c_r
    wf = m * (1 - e_f) * f_r / e_f if f_r > 0 else 0.0
    w = w0 + (wf + wc) / 2
    lfi = (v + w) / (2 * m + (wf - wc) / 2)
    fx = 0.9 / utility
    value = max(0.0, 1 - lfi * fx)
    return MCIResult(
        m, f_r, f_u, f_s, c_u, c_r, c_c, c_e, e_c, e_f, float(utility), v, w0, wc, wf, w, lfi, fx, value, utility_basis
    )


def portfolio_mci(items: list[tuple[float, float]]) -> float:
    """Company / portfolio MCI: the mass-weighted average of product MCIs; ``items`` = [(mass, mci), …]."""
    total = sum(mass for mass, _ in items)
    if not items or total <= 0:
        raise CircularityError("no product mass to weight", fix="give at least one product with a positive mass")
    return sum(mass * value for mass, value in items) / total
