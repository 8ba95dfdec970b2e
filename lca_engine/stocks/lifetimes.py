"""A product's :class:`~lca_engine.model.Lifetime` in years (pint at the edge) and as a flodym lifetime model.

flodym's arrays carry no units: every figure is converted to years here, before flodym sees it.

**When products enter the stock** (``INFLOW_AT = "middle"``, chosen): a year's output is sold through the year, so
on average a product is half a year old at the end of the year it is sold; stocks are counted at the end of each
year. The share of the cohort of year c still in use at the end of year c + t is therefore S(t + ½), with S the
survival function of the lifetime distribution: for a normal lifetime 1 − Φ((t + ½ − μ)/σ). A fixed lifetime of
L whole years keeps the product in use for t + ½ < L and takes it out of use exactly L years after the year it
was sold (flodym's fixed model: in use while age < L).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..errors import InventoryError, Problem
from ..model import LIFETIME_UNIT, Lifetime
from ..rules.lifetime import lifetime_problems
from ..units import convert

#: Where in its year of sale a product enters the stock (see the module docstring).
INFLOW_AT = "middle"


@dataclass(frozen=True)
class LifetimeYears:
    """A lifetime's figures in years (``shape`` is dimensionless); ``None``: not stated."""

    distribution: str
    mean: float
    std: float | None = None
    shape: float | None = None
    average: float | None = None


def in_years(lifetime: Lifetime, field: str = "lifetime", file: str | None = None) -> LifetimeYears:
    """The lifetime in years; an :class:`InventoryError` naming ``field`` if its parameters or unit are not usable."""
    problems = lifetime_problems(lifetime)
    if problems:
        raise InventoryError([Problem(m, fix=fix, file=file, field=f"{field}.{name}") for name, m, fix in problems])

    def years(value: float | None) -> float | None:
        return None if value is None else convert(value, lifetime.unit, LIFETIME_UNIT)

    return LifetimeYears(
        lifetime.distribution, years(lifetime.mean), years(lifetime.std), lifetime.shape, years(lifetime.average)
    )


def weibull_scale(mean: float, shape: float) -> float:
    """Weibull scale λ for a mean lifetime and shape k: mean = λ Γ(1 + 1/k)."""
    return mean / math.gamma(1.0 + 1.0 / shape)


def flodym_model(lifetime: LifetimeYears, dims):
    """The flodym lifetime model of ``lifetime`` over ``dims`` (parameters set by assignment, flodym ≥ 1.1)."""
    import flodym as fd  # ~1 s to import (plotly): only when a stock model runs

    classes = {
        "fixed": fd.FixedLifetime,
        "normal": fd.NormalLifetime,
        "lognormal": fd.LogNormalLifetime,
        "weibull": fd.WeibullLifetime,
    }
    model = classes[lifetime.distribution](dims=dims, inflow_at=INFLOW_AT)
    if lifetime.distribution == "weibull":
        model.weibull_shape = lifetime.shape
        model.weibull_scale = weibull_scale(lifetime.mean, lifetime.shape)
        return model
    model.mean = lifetime.mean
    if lifetime.std is not None:
        model.std = lifetime.std
    return model
