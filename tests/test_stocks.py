"""In-use stocks with flodym (issue 21): a fixed lifetime shifts outflows exactly, a normal (lognormal, Weibull)
lifetime follows its closed-form survival curve, stock = cumulative inflow − cumulative outflow every year, routes
sum to the outflow, secondary material by the formula — each checked by hand, scipy or plain numpy."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from lca_engine import InventoryError, in_use_stocks, loads
from lca_engine.load import check_factory
from lca_engine.model import LIFETIME_DISTRIBUTIONS, LIFETIME_PARAMETERS, Lifetime
from lca_engine.sources import sources_for
from lca_engine.stocks import EOL_ROUTES, Horizon, StockError
from lca_engine.stocks.dsm import stock_and_outflow
from lca_engine.stocks.lifetimes import INFLOW_AT, LifetimeYears, in_years, weibull_scale

from .tiny_cycles import TINY, end_of_use, production
from .tiny_cycles import lifetime as tiny_lifetime

PRODUCTION = production(1000, 500, 2000)
END_OF_USE = end_of_use(reuse=0.2, recycling=0.3, energy_recovery=0.1, efficiency=0.5)
TONNES_PER_YEAR = 1000 * 0.49 / 1000  # annual output × product mass, kg → t


def _checked(lifetime: str | None = 'distribution = "fixed"\nmean = 5', *sections: str, fid: str = "tiny-micro"):
    text = TINY.replace('id = "tiny-micro"', f'id = "{fid}"', 1) + (tiny_lifetime(lifetime) if lifetime else "")
    text += "".join(sections)
    return check_factory(loads(text), sources=sources_for(None))


def _one_cohort(lifetime: LifetimeYears, n: int = 30, amount: float = 100.0):
    inflow = np.zeros(n)
    inflow[0] = amount
    return stock_and_outflow(inflow, Horizon(2025, 2025 + n - 1), lifetime)


# --- the lifetime models against closed forms ---------------------------------------------------------------------


def test_fixed_lifetime_shifts_a_cohort_exactly():
    stock, outflow = _one_cohort(LifetimeYears("fixed", 5.0))
    assert outflow[5] == 100.0 and np.count_nonzero(outflow) == 1  # 2025 + 5 = 2030, all of it, nothing else
    assert stock.tolist() == [100.0] * 5 + [0.0] * 25


def test_fixed_lifetime_of_a_half_year_more_or_less():
    # inflow at mid-year: in use while t + 1/2 < L, so L = 4.5 leaves after 4 years, L = 5.5 after 5
    assert np.flatnonzero(_one_cohort(LifetimeYears("fixed", 4.5))[1]).tolist() == [4]
    assert np.flatnonzero(_one_cohort(LifetimeYears("fixed", 5.5))[1]).tolist() == [5]
    assert INFLOW_AT == "middle"


def test_normal_lifetime_matches_the_closed_form_survival_curve():
    mu, sigma = 10.0, 3.0
    stock, outflow = _one_cohort(LifetimeYears("normal", mu, std=sigma), amount=1.0)
    t = np.arange(30)
    survival = 1 - stats.norm.cdf((t + 0.5 - mu) / sigma)  # share in use at the end of year 2025 + t
    np.testing.assert_allclose(stock, survival, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(outflow, -np.diff(survival, prepend=1.0), rtol=1e-12, atol=1e-15)
    assert stock[10] == pytest.approx(1 - stats.norm.cdf(0.5 / 3))  # one year picked by hand


def test_lognormal_lifetime_matches_scipy_with_its_mean_and_std():
    mean, std = 8.0, 4.0
    stock, _ = _one_cohort(LifetimeYears("lognormal", mean, std=std), amount=1.0)
    s2 = math.log(1 + std**2 / mean**2)  # the underlying normal's variance
    dist = stats.lognorm(s=math.sqrt(s2), scale=math.exp(math.log(mean) - s2 / 2))
    assert dist.mean() == pytest.approx(mean) and dist.std() == pytest.approx(std)
    np.testing.assert_allclose(stock, dist.sf(np.arange(30) + 0.5), rtol=1e-10, atol=1e-15)


def test_weibull_lifetime_has_the_stated_mean():
    mean, shape = 12.0, 2.5
    stock, _ = _one_cohort(LifetimeYears("weibull", mean, shape=shape), amount=1.0)
    dist = stats.weibull_min(c=shape, scale=weibull_scale(mean, shape))
    assert dist.mean() == pytest.approx(mean, rel=1e-12)
    np.testing.assert_allclose(stock, dist.sf(np.arange(30) + 0.5), rtol=1e-10, atol=1e-15)


def test_every_distribution_of_the_vocabulary_runs():
    assert set(LIFETIME_PARAMETERS) == set(LIFETIME_DISTRIBUTIONS)
    for name in LIFETIME_DISTRIBUTIONS:
        params = {p: 2.0 for p in LIFETIME_PARAMETERS[name]}
        stock, outflow = _one_cohort(LifetimeYears(name, 6.0, **params))
        assert stock[0] + outflow[0] == pytest.approx(100.0)  # nothing lost: in use or out
        assert outflow.sum() + stock[-1] == pytest.approx(100.0)


def test_lifetime_in_months_is_converted_to_years():
    lt = in_years(Lifetime(distribution="normal", mean=60, std=6, average=48, unit="month"))
    assert (lt.mean, lt.std, lt.average) == pytest.approx((5.0, 0.5, 4.0))


def test_a_lifetime_that_is_not_usable_is_an_inventory_error():
    # a Factory built in code and never validated: the engine still refuses, naming the field
    with pytest.raises(InventoryError) as e:
        in_years(Lifetime(distribution="normal", mean=5), field="flows[8].lifetime")
    assert [p.field for p in e.value.problems] == ["flows[8].lifetime.std"]
    assert e.value.problems[0].fix


# --- the engine on a checked factory ------------------------------------------------------------------------------


def test_fixed_lifetime_in_the_portfolio_table_by_hand():
    r = in_use_stocks([_checked('distribution = "fixed"\nmean = 5', PRODUCTION, END_OF_USE)], 2025, 2040)
    t = r.stocks.set_index("year")
    assert t["inflow_t"].tolist() == pytest.approx([TONNES_PER_YEAR] * 16)
    # every year's output leaves 5 years later: nothing out before 2030, then one year's output a year
    assert t.loc[2025:2029, "outflow_t"].tolist() == [0.0] * 5
    assert t.loc[2030:2040, "outflow_t"].tolist() == pytest.approx([TONNES_PER_YEAR] * 11)
    assert t.loc[2027, "stock_t"] == pytest.approx(3 * TONNES_PER_YEAR)
    assert t.loc[2040, "stock_t"] == pytest.approx(5 * TONNES_PER_YEAR)
    assert set(r.stocks["factory"]) == {"tiny-micro"} and set(r.stocks["product"]) == {"garment"}


@pytest.mark.parametrize(
    "lifetime",
    [
        'distribution = "fixed"\nmean = 7',
        'distribution = "normal"\nmean = 6\nstd = 2',
        'distribution = "lognormal"\nmean = 6\nstd = 3',
        'distribution = "weibull"\nmean = 9\nshape = 1.5',
        'distribution = "normal"\nmean = 30\nstd = 4\nunit = "month"',
    ],
)
def test_stock_is_cumulative_inflow_minus_cumulative_outflow(lifetime):
    r = in_use_stocks([_checked(lifetime, PRODUCTION, END_OF_USE)])
    t = r.stocks.sort_values("year")
    assert t["year"].tolist() == list(range(2025, 2061))
    expected = np.cumsum(t["inflow_t"].to_numpy()) - np.cumsum(t["outflow_t"].to_numpy())
    np.testing.assert_allclose(t["stock_t"].to_numpy(), expected, rtol=1e-12, atol=1e-12)
    assert (t["outflow_t"] >= -1e-15).all()


def test_routes_sum_to_the_outflow_and_secondary_follows_the_formula():
    r = in_use_stocks([_checked('distribution = "normal"\nmean = 6\nstd = 2', PRODUCTION, END_OF_USE)])
    outflow = r.stocks.set_index("year")["outflow_t"]
    by_route = r.outflow_by_route()
    assert list(by_route.columns) == list(EOL_ROUTES)
    np.testing.assert_allclose(by_route.sum(axis=1).to_numpy(), outflow.to_numpy(), rtol=1e-12)
    # C_U 0.2, C_R 0.3, C_E 0.1, rest 0.4 to landfill; C_C not stated: 0
    shares = {"reuse": 0.2, "recycling": 0.3, "composting": 0.0, "energy_recovery": 0.1, "landfill": 0.4}
    for route, share in shares.items():
        np.testing.assert_allclose(by_route[route].to_numpy(), share * outflow.to_numpy(), rtol=1e-12)
    # secondary = reused + recycled × E_C = outflow × (0.2 + 0.3 × 0.5)
    secondary = r.secondary_by_year()["not stated"]
    np.testing.assert_allclose(secondary.to_numpy(), 0.35 * outflow.to_numpy(), rtol=1e-12)
    fixed = in_use_stocks([_checked('distribution = "fixed"\nmean = 5', PRODUCTION, END_OF_USE)], 2025, 2030)
    assert fixed.secondary.set_index("year").loc[2030, "secondary_t"] == pytest.approx(0.49 * 0.35)


def test_material_column_and_portfolio_of_two_factories():
    garment_wool = TINY.replace('kind = "product"\n', 'kind = "product"\nmaterial = "wool"\n')
    wool = check_factory(
        loads(garment_wool + tiny_lifetime('distribution = "fixed"\nmean = 2') + PRODUCTION), sources=sources_for(None)
    )
    other = _checked('distribution = "fixed"\nmean = 3', PRODUCTION, fid="tiny-two")
    r = in_use_stocks([wool, other], 2025, 2030)
    wide = r.stock_by_material()
    assert list(wide.columns) == ["not stated", "wool"]
    assert wide.loc[2030, "wool"] == pytest.approx(2 * TONNES_PER_YEAR)
    assert wide.loc[2030, "not stated"] == pytest.approx(3 * TONNES_PER_YEAR)
    # neither states [end_of_use]: all outflow is landfill/other, and the result says so
    assert r.outflow_by_route()["landfill"].sum() == pytest.approx(r.stocks["outflow_t"].sum())
    assert r.secondary["secondary_t"].sum() == 0.0
    assert len(r.notes) == 2 and all("no [end_of_use]" in n for n in r.notes)


def test_products_without_what_the_model_needs_are_listed_not_zero():
    no_lifetime = _checked(None, PRODUCTION, fid="no-lifetime")
    no_output = _checked('distribution = "fixed"\nmean = 5', fid="no-output")
    r = in_use_stocks([no_lifetime, no_output])
    assert r.stocks.empty and list(r.stocks.columns)[:4] == ["factory", "product", "material", "year"]
    reasons = {(x.factory, x.product): x.reason for x in r.left_out}
    assert "no lifetime stated" in reasons["no-lifetime", "garment"]
    assert "[production] annual_output" in reasons["no-output", "garment"]
    assert r.stock_by_material().shape == (36, 0)


def test_one_and_two_year_horizons():
    r = in_use_stocks([_checked('distribution = "fixed"\nmean = 1', PRODUCTION)], 2030, 2030)
    assert r.stocks[["year", "stock_t", "outflow_t"]].values.tolist() == [[2030, pytest.approx(0.49), 0.0]]
    two = in_use_stocks([_checked('distribution = "fixed"\nmean = 1', PRODUCTION)], 2030, 2031)
    assert two.stocks["outflow_t"].tolist() == [0.0, pytest.approx(0.49)]


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [(2060, 2025, "start"), (2025.5, 2060, "start"), (2025, "2060", "end"), (True, 2060, "start"), (2025, 3000, "end")],
)
def test_bad_horizons_are_clear_errors(start, end, field):
    with pytest.raises(StockError) as e:
        in_use_stocks([], start, end)
    assert e.value.problems[0].field == field and e.value.problems[0].fix


def test_the_same_factory_twice_is_refused():
    c = _checked('distribution = "fixed"\nmean = 5', PRODUCTION)
    with pytest.raises(StockError, match="more than once"):
        in_use_stocks([c, c])
