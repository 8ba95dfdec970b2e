"""Mass balance per process and per factory: inputs = outputs + stock change, within a tolerance.

Only flows with a mass are balanced: mass units directly, other units through ``mass_per_unit``, and water
volumes at 1 kg/L (stated convention, not a guess: water is the one volume flow whose density we may assume).
Energy and transport flows, and flows marked ``balance = false``, are listed as excluded — never silently dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from .errors import BalanceError, Problem
from .model import BOUNDARY_NODES, Factory, Flow
from .units import Q_, parse_unit, ureg
from .vocabulary import DEFAULT_TOLERANCE

WATER_DENSITY = Q_(1.0, "kg/L")


def flow_mass_kg(flow: Flow) -> float | None:
    """Mass of a flow in kg, or None if it has no mass (energy, transport, count without mass_per_unit)."""
    factor = _kg_per_unit(flow.unit, flow.mass_per_unit or "", flow.kind == "water")
    return None if factor is None else flow.amount * factor


@lru_cache(maxsize=1024)
def _kg_per_unit(unit: str, mass_per_unit: str, water: bool) -> float | None:
    """kg per one ``unit`` (cached: pint's conversions cost ~0.3 ms, and an inventory repeats a few units)."""
    one = Q_(1.0, parse_unit(unit))
    if one.dimensionality == ureg.get_dimensionality("[mass]"):
        return float(one.to("kg").magnitude)
    if mass_per_unit:
        return float((one * Q_(mass_per_unit)).to("kg").magnitude)
    if water and one.dimensionality == ureg.get_dimensionality("[length]**3"):
        return float((one * WATER_DENSITY).to("kg").magnitude)
    return None


@dataclass
class BalanceResult:
    table: pd.DataFrame  # one row per process + one 'factory' row
    excluded: list[str]  # flow ids left out of the balance, with reason
    tolerance: float

    @property
    def ok(self) -> bool:
        return bool(self.table["ok"].all())

    def failures(self) -> pd.DataFrame:
        return self.table[~self.table["ok"]]

    def problems(self, file: str | None = None) -> list[Problem]:
        out = []
        for _, row in self.failures().iterrows():
            field = "processes" if row["node"] == "factory" else f"process '{row['node']}'"
            out.append(
                Problem(
                    f"mass balance does not close: in {row['input_kg']:.6g} kg, out {row['output_kg']:.6g} kg, "
                    f"stock change {row['stock_change_kg']:.6g} kg, imbalance {row['imbalance_kg']:+.6g} kg "
                    f"({row['relative']:.2%} > {self.tolerance:.2%})",
                    fix="check amounts and units of this process's flows, add the missing flow (e.g. losses to "
                    "environment or waste), or record a stock change",
                    file=file,
                    field=field,
                )
            )
        return out


def mass_balance(factory: Factory, tolerance: float = DEFAULT_TOLERANCE) -> BalanceResult:
    """Balance table: node, input_kg, output_kg, stock_change_kg, imbalance_kg, relative, ok."""
    if not 0 <= tolerance < 1:
        raise ValueError("tolerance must be a fraction in [0, 1), e.g. 0.01 for 1 %")
    procs = factory.process_ids()
    inp = dict.fromkeys(procs, 0.0)
    out = dict.fromkeys(procs, 0.0)
    stock = dict.fromkeys(procs, 0.0)
    excluded = []
    f_in = f_out = 0.0
    for flow in factory.flows:
        mass = flow_mass_kg(flow) if flow.balance else None
        if mass is None:
            reason = "balance = false" if not flow.balance else f"no mass ({flow.kind}, {flow.unit})"
            excluded.append(f"{flow.id}: {reason}")
            continue
        if flow.to in inp:
            inp[flow.to] += mass
        if flow.from_ in out:
            out[flow.from_] += mass
        if flow.from_ in BOUNDARY_NODES:
            f_in += mass
        if flow.to in BOUNDARY_NODES:
            f_out += mass
    for s in factory.stocks:
        if s.process in stock:
            stock[s.process] += float(Q_(s.change, s.unit).to("kg").magnitude)
    rows = [(p, inp[p], out[p], stock[p]) for p in procs]
    rows.append(("factory", f_in, f_out, sum(stock.values())))
    df = pd.DataFrame(rows, columns=["node", "input_kg", "output_kg", "stock_change_kg"])
    df["imbalance_kg"] = df["input_kg"] - df["output_kg"] - df["stock_change_kg"]
    scale = df[["input_kg", "output_kg"]].max(axis=1)
    df["relative"] = (df["imbalance_kg"].abs() / scale.where(scale > 0)).fillna(0.0)
    df["ok"] = df["relative"] <= tolerance + 1e-12
    return BalanceResult(df, excluded, tolerance)


def require_balance(result: BalanceResult, file: str | None = None) -> None:
    if not result.ok:
        raise BalanceError(result.problems(file))
