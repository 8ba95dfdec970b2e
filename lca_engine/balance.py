"""Mass balance per process and per factory: inputs = outputs + stock change, within a tolerance.

Only flows with a mass are balanced: mass units directly, other units through ``mass_per_unit``, and water
volumes at 1 kg/L (stated convention, not a guess: water is the one volume flow whose density we may assume).
Energy and transport flows, and flows marked ``balance = false``, are listed as excluded — never silently dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache

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


COLUMNS = ("node", "input_kg", "output_kg", "stock_change_kg", "imbalance_kg", "relative", "ok")


@lru_cache(maxsize=256)
def _stock_kg_per_unit(unit: str) -> float:
    """kg per one ``unit`` of a stock change (pint's error if it is not a mass)."""
    return float(Q_(1.0, unit).to("kg").magnitude)


@dataclass(frozen=True)
class NodeBalance:
    """One row of the balance: a process, or the whole factory (node ``"factory"``)."""

    node: str
    input_kg: float
    output_kg: float
    stock_change_kg: float
    tolerance: float

    @property
    def imbalance_kg(self) -> float:
        return self.input_kg - self.output_kg - self.stock_change_kg

    @property
    def relative(self) -> float:
        """|imbalance| over the larger of input and output; 0 when both are 0."""
        scale = max(self.input_kg, self.output_kg)
        return abs(self.imbalance_kg) / scale if scale > 0 else 0.0

    @property
    def ok(self) -> bool:
        return self.relative <= self.tolerance + 1e-12


@dataclass(frozen=True)
class BalanceResult:
    nodes: tuple[NodeBalance, ...]  # one per process + one 'factory' row, last
    excluded: list[str]  # flow ids left out of the balance, with reason
    tolerance: float

    @property
    def ok(self) -> bool:
        return all(n.ok for n in self.nodes)

    @cached_property
    def table(self) -> pd.DataFrame:
        """Columns :data:`COLUMNS`, one row per node (built when asked: checking a portfolio never needs it)."""
        return pd.DataFrame([[getattr(n, c) for c in COLUMNS] for n in self.nodes], columns=list(COLUMNS))

    def failures(self) -> pd.DataFrame:
        return self.table[~self.table["ok"]]

    def problems(self, file: str | None = None) -> list[Problem]:
        return [_problem(n, self.tolerance, file) for n in self.nodes if not n.ok]


def _problem(n: NodeBalance, tolerance: float, file: str | None) -> Problem:
    return Problem(
        f"mass balance does not close: in {n.input_kg:.6g} kg, out {n.output_kg:.6g} kg, "
        f"stock change {n.stock_change_kg:.6g} kg, imbalance {n.imbalance_kg:+.6g} kg "
        f"({n.relative:.2%} > {tolerance:.2%})",
        fix="check amounts and units of this process's flows, add the missing flow (e.g. losses to "
        "environment or waste), or record a stock change",
        file=file,
        field="processes" if n.node == "factory" else f"process '{n.node}'",
    )


def mass_balance(factory: Factory, tolerance: float = DEFAULT_TOLERANCE) -> BalanceResult:
    """Balance of every process and of the factory: input_kg, output_kg, stock_change_kg, imbalance_kg, relative
    (|imbalance| / max(input, output)), ok (relative ≤ tolerance)."""
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
            stock[s.process] += s.change * _stock_kg_per_unit(s.unit)
    nodes = [NodeBalance(p, inp[p], out[p], stock[p], tolerance) for p in procs]
    nodes.append(NodeBalance("factory", f_in, f_out, sum(stock.values()), tolerance))
    return BalanceResult(tuple(nodes), excluded, tolerance)


def require_balance(result: BalanceResult, file: str | None = None) -> None:
    if not result.ok:
        raise BalanceError(result.problems(file))
