"""One product's in-use stock and end-of-life outflow, by flodym's inflow-driven dynamic stock model."""

from __future__ import annotations

import numpy as np

from .horizon import Horizon
from .lifetimes import LifetimeYears, flodym_model

#: flodym 1.1 computes year bounds from the midpoints between years: it needs three years.
FLODYM_MIN_YEARS = 3


def stock_and_outflow(inflow: np.ndarray, horizon: Horizon, lifetime: LifetimeYears) -> tuple[np.ndarray, np.ndarray]:
    """(stock at the end of each year, outflow in each year) of the inflows ``inflow`` (one per year of
    ``horizon``, any mass unit: the results are in the same unit) under ``lifetime``.

    flodym places its year bounds from three years at least: a shorter horizon runs over three and keeps its own
    years (a year's results depend on that year and the years before it only)."""
    import flodym as fd  # ~1 s to import (plotly): only when a stock model runs

    n = len(horizon)
    years = list(range(horizon.start, horizon.start + max(n, FLODYM_MIN_YEARS)))
    dims = fd.DimensionSet(dim_list=[fd.Dimension(name="Time", letter="t", items=years)])
    flows = fd.StockArray(dims=dims, name="inflow")
    flows.values[:n] = inflow
    dsm = fd.InflowDrivenDSM(dims=dims, lifetime_model=flodym_model(lifetime, dims), inflow=flows, name="in use")
    dsm.compute()
    return dsm.stock.values[:n].copy(), dsm.outflow.values[:n].copy()
