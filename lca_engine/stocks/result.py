"""What :func:`lca_engine.stocks.in_use_stocks` returns: tidy tables in tonnes, what was left out and why."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .horizon import Horizon
from .routes import EOL_ROUTES, SECONDARY_FORMULA

KEYS = ("factory", "product", "material", "year")
#: Columns of the three tables (masses in tonnes; inflow and outflow per year, stock at the end of the year).
STOCK_COLUMNS = (*KEYS, "inflow_t", "stock_t", "outflow_t")
ROUTE_COLUMNS = (*KEYS, "route", "outflow_t")
SECONDARY_COLUMNS = (*KEYS, "secondary_t")


@dataclass(frozen=True)
class LeftOut:
    """A product sold to the market that is not in the tables, and why (never a silent zero)."""

    factory: str
    product: str
    reason: str


@dataclass(frozen=True, eq=False)  # tables inside: compared by identity, never element-wise by accident
class InUseStocks:
    """In-use stocks of a set of factories' products over ``horizon``.

    ``stocks``: one row per product and year (inflow, stock in use at the end of the year, end-of-life outflow);
    ``outflows``: the outflow split by end-of-life route (:data:`~lca_engine.stocks.routes.EOL_ROUTES`, summing to
    the product's outflow); ``secondary``: secondary material available in Wales, ``SECONDARY_FORMULA``.
    """

    horizon: Horizon
    stocks: pd.DataFrame
    outflows: pd.DataFrame
    secondary: pd.DataFrame
    left_out: tuple[LeftOut, ...]
    notes: tuple[str, ...]
    inflow_at: str
    secondary_formula: str = SECONDARY_FORMULA

    def stock_by_material(self) -> pd.DataFrame:
        """Stock in use (t) at the end of each year: years × materials."""
        return _pivot(self.stocks, "material", "stock_t", self.horizon)

    def outflow_by_route(self) -> pd.DataFrame:
        """End-of-life outflow (t) in each year: years × routes (every route a column, in vocabulary order)."""
        return _pivot(self.outflows, "route", "outflow_t", self.horizon).reindex(
            columns=list(EOL_ROUTES), fill_value=0.0
        )

    def secondary_by_year(self) -> pd.DataFrame:
        """Secondary material available in Wales (t) in each year: years × materials."""
        return _pivot(self.secondary, "material", "secondary_t", self.horizon)


def _pivot(table: pd.DataFrame, column: str, value: str, horizon: Horizon) -> pd.DataFrame:
    wide = table.pivot_table(index="year", columns=column, values=value, aggfunc="sum", fill_value=0.0)
    return wide.reindex(horizon.years, fill_value=0.0).rename_axis(index="year", columns=column)
