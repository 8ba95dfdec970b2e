"""In-use stocks and product lifetimes: flodym's dynamic stock models (the only place flodym is used), pint at the
edges, tidy tables in tonnes.

:func:`in_use_stocks` (``engine``) runs a portfolio; ``horizon`` (years), ``lifetimes`` (a product's lifetime in
years and as a flodym model, when products enter the stock), ``dsm`` (one product's stock and outflow), ``routes``
(end-of-life routes from ``[end_of_use]`` and the secondary-material formula), ``result`` (the tables).
"""

from .engine import in_use_stocks
from .horizon import Horizon, StockError
from .result import InUseStocks, LeftOut
from .routes import EOL_ROUTES, SECONDARY_FORMULA

__all__ = ["EOL_ROUTES", "SECONDARY_FORMULA", "Horizon", "InUseStocks", "LeftOut", "StockError", "in_use_stocks"]
