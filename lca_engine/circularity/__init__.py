"""Circularity credentials: MCI (Ellen MacArthur Foundation), CTI (WBCSD), ISO 59020 indicators, loop and
waste metrics — pure functions, plus adapters that read them off a factory's material-flow graph."""

from .graph_indicators import (
    circularity_report,
    cti,
    factory_mci,
    iso59020,
    loop_metrics,
    material_flows,
    waste_metrics,
)
from .mci import CircularityError, MCIResult, mci, portfolio_mci

__all__ = [
    "CircularityError",
    "MCIResult",
    "circularity_report",
    "cti",
    "factory_mci",
    "iso59020",
    "loop_metrics",
    "material_flows",
    "mci",
    "portfolio_mci",
    "waste_metrics",
]
