"""In-use stocks of a portfolio's products: inflows from each factory's annual output, flodym's dynamic stock model
per product, end-of-life outflows by route and the secondary material they make available.

For each product a factory sells to the market with a lifetime (``[flows.lifetime]``):

    inflow (t/year)  = annual output (FU/year, ``[production]``) × product mass (kg/FU) → tonnes, every year
    stock, outflow   = flodym InflowDrivenDSM(inflow, lifetime)   (see :mod:`.lifetimes` for when products enter)
    outflow by route = outflow × C_route from ``[end_of_use]``; landfill/other = 1 − C_U − C_R − C_C − C_E
    secondary (t)    = outflow × (C_U + C_R × E_C)

A product without a lifetime, a factory without ``[production]`` or a product without a mass is left out and listed
in :attr:`InUseStocks.left_out`, never counted as zero.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..balance import flow_mass_kg
from ..model import EndOfUse, Factory, Flow
from ..rules.lifetime import is_sold_product
from ..units import convert
from .dsm import stock_and_outflow
from .horizon import END, START, Horizon, StockError
from .lifetimes import INFLOW_AT, in_years
from .result import ROUTE_COLUMNS, SECONDARY_COLUMNS, STOCK_COLUMNS, InUseStocks, LeftOut
from .routes import route_shares, secondary_share

#: The material column of a product flow that names none.
NOT_STATED = "not stated"


@dataclass(frozen=True)
class _Product:
    factory: str
    flow: Flow
    field: str  # where its lifetime is, for errors: flows[i].lifetime
    file: str | None
    inflow_t: float  # tonnes per year
    end_of_use: EndOfUse | None


def _why_left_out(factory: Factory, flow: Flow) -> str | None:
    if flow.lifetime is None:
        return "no lifetime stated: add [flows.lifetime] under the product flow"
    if factory.production is None:
        return "the factory states no annual output: add [production] annual_output"
    if flow_mass_kg(flow) is None:
        return "the product has no mass per functional unit: give mass_per_unit"
    return None


def _products(item) -> tuple[list[_Product], list[LeftOut]]:
    """The products of one factory (a ``Checked`` or a ``Factory``) that enter the stock model, and those left out."""
    factory: Factory = getattr(item, "factory", item)
    runs, left = [], []
    for i, flow in enumerate(factory.flows):
        if not is_sold_product(flow):
            continue
        reason = _why_left_out(factory, flow)
        if reason:
            left.append(LeftOut(factory.id, flow.id, reason))
            continue
        kg_per_year = flow_mass_kg(flow) * factory.production.annual_output  # kg/FU × FU/year
        field = f"flows[{i}].lifetime"
        runs.append(
            _Product(
                factory.id,
                flow,
                field,
                getattr(item, "file", None),
                convert(kg_per_year, "kg", "t"),
                factory.end_of_use,
            )
        )
    return runs, left


def _tables(p: _Product, horizon: Horizon) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """One product's stock, route and secondary rows."""
    inflow = np.full(len(horizon), p.inflow_t)
    stock, outflow = stock_and_outflow(inflow, horizon, in_years(p.flow.lifetime, p.field, p.file))
    keys = {"factory": p.factory, "product": p.flow.id, "material": p.flow.material or NOT_STATED}
    years = horizon.years
    stocks = pd.DataFrame({**keys, "year": years, "inflow_t": inflow, "stock_t": stock, "outflow_t": outflow})
    routes = pd.concat(
        [
            pd.DataFrame({**keys, "year": years, "route": route, "outflow_t": outflow * share})
            for route, share in route_shares(p.end_of_use).items()
        ],
        ignore_index=True,
    )
    secondary = pd.DataFrame({**keys, "year": years, "secondary_t": outflow * secondary_share(p.end_of_use)})
    return stocks, routes, secondary


def _frame(parts: list[pd.DataFrame], columns: tuple[str, ...]) -> pd.DataFrame:
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=float if c.endswith("_t") else object) for c in columns})
    return pd.concat(parts, ignore_index=True)[list(columns)]


def _notes(items: list, runs: list[_Product]) -> tuple[str, ...]:
    modelled = {p.factory for p in runs}
    return tuple(
        f"{f.id}: no [end_of_use] section — all its end-of-life outflow is counted as landfill/other (a lower bound "
        "on recovery and on secondary material)"
        for f in (getattr(item, "factory", item) for item in items)
        if f.id in modelled and f.end_of_use is None
    )


def in_use_stocks(factories: Iterable, start: int = START, end: int = END) -> InUseStocks:
    """In-use stocks, end-of-life outflows by route and secondary material, years ``start`` … ``end``, of the
    products of ``factories`` (checked factories, ``Checked`` or ``Factory``), in tonnes (module docstring)."""
    horizon, items = Horizon(start, end), list(factories)
    ids = Counter(getattr(item, "factory", item).id for item in items)
    twice = sorted(i for i, n in ids.items() if n > 1)
    if twice:
        raise StockError(f"factory id given more than once: {', '.join(twice)}", fix="give each factory once")
    runs, left_out = [], []
    for item in items:
        ran, left = _products(item)
        runs += ran
        left_out += left
    tables = [_tables(p, horizon) for p in runs]
    return InUseStocks(
        horizon=horizon,
        stocks=_frame([t[0] for t in tables], STOCK_COLUMNS),
        outflows=_frame([t[1] for t in tables], ROUTE_COLUMNS),
        secondary=_frame([t[2] for t in tables], SECONDARY_COLUMNS),
        left_out=tuple(left_out),
        notes=_notes(items, runs),
        inflow_at=INFLOW_AT,
    )
