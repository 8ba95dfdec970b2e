"""Portfolios of many factories: synthetic ones generated from the shipped examples (``generate``)."""

from __future__ import annotations

from .generate import GeneratedPair, PortfolioError, generate_portfolio, generate_to, iter_portfolio, write_portfolio

__all__ = [
    "GeneratedPair",
    "PortfolioError",
    "generate_portfolio",
    "generate_to",
    "iter_portfolio",
    "write_portfolio",
]
