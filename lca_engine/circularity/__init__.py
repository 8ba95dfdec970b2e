"""Circularity credentials: MCI (Ellen MacArthur Foundation), CTI (WBCSD), ISO 59020 indicators, loop and
waste metrics — pure functions, plus adapters that read them off a factory's material-flow graph."""

from .energy import renewable_energy
from .graph_indicators import (
    YIELD_NOTE,
    circularity_report,
    cti,
    factory_mci,
    iso59020,
    loop_metrics,
    material_flows,
    waste_metrics,
)
from .loops import LoopKind, LoopReturn, loop_returns
from .mci import CircularityError, MCIResult, mci, portfolio_mci
from .water import water_indicators

__all__ = [
    "YIELD_NOTE",
    "CircularityError",
    "LoopKind",
    "LoopReturn",
    "MCIResult",
    "circularity_report",
    "cti",
    "factory_mci",
    "iso59020",
    "loop_metrics",
    "loop_returns",
    "material_flows",
    "mci",
    "portfolio_mci",
    "renewable_energy",
    "waste_metrics",
    "water_indicators",
]
