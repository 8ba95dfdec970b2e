"""The Portfolio page on a portfolio run folder (issue 20): Streamlit's AppTest runs the real page on a real run
(20 generated micro-factories and their baselines, assessed once by ``assess_portfolio``; once more with its paired
Monte Carlo for the P(better) tables). What the page shows —
cards, aggregates by sector and by principal area, the map's counts, the table — equals pandas groupbys written here
on the run's own Parquet files; filters change the counts as they should; a folder that is not a run is an error in
plain words, never an exception. Timing is measured by benchmarks/bench_dashboard.py, not asserted here."""

from __future__ import annotations

import base64
import json
import os
import re

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from lca_engine.geo import principal_area
from lca_engine.indicators import CARDS, CRADLE_TO_GATE, INDICATORS, SITE
from lca_engine.portfolio import generate_portfolio, write_portfolio
from lca_engine.portfolio.montecarlo import UNCERTAINTY
from lca_engine.portfolio.run import COMPARISON, FACTORIES, assess_portfolio

from .conftest import ROOT

APP = str(ROOT / "dashboard" / "app.py")
TIMEOUT = 240
N = 20
RUN_SOURCE = "portfolio run folder"


@pytest.fixture(scope="module")
def gen(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pf-scale") / "gen"
    write_portfolio(generate_portfolio(N, seed=11), folder)
    return folder


@pytest.fixture(scope="module")
def run(gen, tmp_path_factory, data_dir):
    out = tmp_path_factory.mktemp("pf-scale-run")
    assess_portfolio([gen], out, data_dir=data_dir)
    return out


@pytest.fixture(scope="module")
def raw(run):
    """Each micro-factory's headline rows from the run's files, with the area of its site (pandas and geo only)."""
    factories = pd.read_parquet(run / FACTORIES)
    factories["area"] = [
        principal_area(a, b) or "outside Wales" for a, b in zip(factories.lat, factories.lon, strict=True)
    ]
    comp = pd.read_parquet(run / COMPARISON).drop(columns=["sector", "annual_output"])
    micro = factories[factories.system == "micro-factory"]
    rows = comp[comp.indicator.isin(CARDS)].merge(micro, left_on="factory", right_on="id")
    return factories, rows


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def open_run(folder) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["portfolio-source"] = RUN_SOURCE
    at.session_state["portfolio-folder"] = str(folder)
    at.run()
    no_exception(at)
    return at


def plotly_values(data) -> list:
    """A figure's array as plotly writes it to JSON: a list, or a typed array (dtype + base64 bytes)."""
    if isinstance(data, dict):
        return np.frombuffer(base64.b64decode(data["bdata"]), dtype=np.dtype(data["dtype"])).tolist()
    return list(data)


def cards(at: AppTest) -> dict[str, str]:
    """'Carbon' → '7 of 20' from the card labelled 'Carbon (of 20)' showing '7'."""
    found = [re.fullmatch(r"(\w+) \(of ([\d,]+)\)", m.label) for m in at.metric]
    return {f.group(1): f"{m.value} of {f.group(2)}" for f, m in zip(found, at.metric, strict=True)}


def expected(rows: pd.DataFrame, by: str, scope: str) -> dict[int, pd.DataFrame]:
    """The aggregates' tables as the page shows them (below baseline, median change in %, change per year), by
    groupby here."""
    at_scope = rows[rows.scope == scope]
    n = at_scope[at_scope.indicator == CARDS[0]].groupby(by).size()
    tables = [{"micro-factories": n}, {"micro-factories": n}, {"micro-factories": n}]
    for ind in CARDS:
        g = at_scope[at_scope.indicator == ind].groupby(by)
        label, unit = INDICATORS[ind].short, INDICATORS[ind].unit
        tables[0][label] = g["difference"].apply(lambda s: int((s < 0).sum()))
        tables[1][label] = g["relative_change"].median() * 100
        tables[2][f"{label} ({unit} per year)"] = g["difference_per_year"].sum()
    return dict(enumerate(pd.DataFrame(t) for t in tables))


def assert_aggregates(at: AppTest, rows: pd.DataFrame, by: str, scope: str) -> None:
    assert [t.label for t in at.tabs] == ["Below baseline (count)", "Median change (%)", "Change per year (summed)"]
    for i, want in expected(rows, by, scope).items():
        shown = at.dataframe[i].value.set_index(by)
        assert list(shown.index) == sorted(want.index)
        for column in want.columns:
            assert np.allclose(shown[column], want.loc[shown.index, column], rtol=1e-12, equal_nan=True), column


def factory_rows(at: AppTest) -> pd.DataFrame:
    return at.dataframe[-1].value


def test_run_folder_shows_aggregates_by_sector_and_area_equal_to_pandas(run, raw):
    factories, rows = raw
    at = open_run(run)
    assert at.radio(key="portfolio-source").value == RUN_SOURCE
    assert_aggregates(at, rows, "sector", CRADLE_TO_GATE)
    sector_table = at.dataframe[0].value.set_index("sector")  # by sector, the first table has the annual output
    micro = factories[factories.system == "micro-factory"]
    assert (sector_table["annual output (FU per year)"] == micro.groupby("sector")["annual_output"].sum()).all()
    c2g = rows[rows.scope == CRADLE_TO_GATE]
    for ind in CARDS:
        below = int((c2g[c2g.indicator == ind]["difference"] < 0).sum())
        assert cards(at)[INDICATORS[ind].short.split()[0]] == f"{below} of {N}"
    at.radio(key="pf-by").set_value("area").run()
    no_exception(at)
    assert_aggregates(at, rows, "area", CRADLE_TO_GATE)
    assert all("annual output (FU per year)" not in d.value.columns for d in at.dataframe[:3])  # areas mix FUs
    at.radio(key="pf-scope").set_value(SITE).run()
    no_exception(at)
    assert_aggregates(at, rows, "area", SITE)


def test_filters_change_the_counts(run, raw):
    factories, rows = raw
    at = open_run(run)
    at.multiselect(key="pf-sectors").set_value(["textiles", "green tech"]).run()
    no_exception(at)
    kept = rows[rows.sector.isin(["textiles", "green tech"])]
    assert_aggregates(at, kept, "sector", CRADLE_TO_GATE)
    n = kept.factory.nunique()
    assert n == len(
        factories[(factories.system == "micro-factory") & factories.sector.isin(["textiles", "green tech"])]
    )
    carbon = kept[(kept.scope == CRADLE_TO_GATE) & (kept.indicator == "carbon")]
    assert cards(at)["Carbon"] == f"{int((carbon.difference < 0).sum())} of {n}"
    areas = sorted(set(kept.area))[:2]
    at.multiselect(key="pf-areas").set_value(areas).run()
    no_exception(at)
    both = kept[kept.area.isin(areas)]
    assert_aggregates(at, both, "sector", CRADLE_TO_GATE)
    assert cards(at)["Carbon"].endswith(f" of {both.factory.nunique()}")
    # the table: the factories of those sectors and areas, micro-factories and baselines alike
    table = factory_rows(at)
    want = factories[factories.sector.isin(["textiles", "green tech"]) & factories.area.isin(areas)]
    assert sorted(table["id"]) == sorted(want.id)
    at.multiselect(key="pf-systems").set_value(["baseline"]).run()
    no_exception(at)
    assert all(v.endswith(" of 0") for v in cards(at).values())
    assert set(factory_rows(at)["system"]) <= {"baseline"}


def test_table_sorted_and_map_counts(run, raw):
    _, rows = raw
    at = open_run(run)
    at.multiselect(key="pf-systems").set_value(["micro-factory"]).run()
    at.selectbox(key="pf-sort").set_value("water_withdrawal difference").run()
    at.toggle(key="pf-desc").set_value(True).run()
    no_exception(at)
    table = factory_rows(at)
    water = rows[(rows.scope == CRADLE_TO_GATE) & (rows.indicator == "water_withdrawal")]
    order = water.sort_values("difference", ascending=False, kind="stable")
    assert list(table["id"]) == list(order.factory)
    unit = INDICATORS["water_withdrawal"].unit
    assert np.allclose(table[f"Water withdrawal: difference ({unit} per FU)"], order.difference, rtol=1e-12)
    assert any(c.value.startswith(f"Page 1 of 1: factories 1–{N} of {N}") for c in at.caption)
    # sites per 10 km cell: every micro-factory (all in Wales) counted once; per area: the aggregates' counts
    cell_map = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]
    counts = [int(re.match(r"([\d,]+) site", t).group(1)) for t in cell_map["text"]]
    assert cell_map["type"] == "scattermap" and sum(counts) == N
    at.radio(key="pf-map").set_value("micro-factories per area").run()
    no_exception(at)
    area_map = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]
    per_area = rows[rows.indicator == "carbon"].drop_duplicates("factory").groupby("area").size()
    assert area_map["type"] == "choroplethmap"
    assert dict(zip(area_map["locations"], plotly_values(area_map["z"]), strict=True)) == per_area.to_dict()


def test_baselines_abroad_are_counted_off_the_map(run, raw):
    factories, _ = raw
    at = open_run(run)
    outside = int((factories.area == "outside Wales").sum())
    assert outside > 0  # the templates' conventional plants abroad
    assert any(c.value.startswith(f"{outside} sites shown are outside Wales") for c in at.caption)


def test_a_folder_that_is_not_a_run_is_shown_as_an_error(run, tmp_path):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["portfolio-source"] = RUN_SOURCE
    at.session_state["portfolio-folder"] = str(tmp_path)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.error) == 1
    text = at.error[0].value.replace("\\", "")  # shown literally: markdown characters escaped
    assert (
        f"{FACTORIES} is missing" in text and "Fix:** assess the portfolio first: lca-engine portfolio assess" in text
    )
    at.text_input(key="portfolio-folder").set_value("").run()
    assert not at.exception and not at.error and any("portfolio assess" in i.value for i in at.info)


def test_the_environment_variable_opens_the_page_on_a_run(run, monkeypatch):
    """``LCA_ENGINE_PORTFOLIO=DIR lca-engine dashboard``: settings reads it at start; the page opens on it."""
    import subprocess
    import sys

    from dashboard import engine

    code = "from dashboard.settings import PORTFOLIO_RUN; print(PORTFOLIO_RUN)"
    env = {**os.environ, "LCA_ENGINE_PORTFOLIO": f" {run} "}
    read = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert read.stdout.strip() == str(run)

    monkeypatch.setattr(engine, "PORTFOLIO_RUN", str(run))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    no_exception(at)
    assert at.radio(key="portfolio-source").value == RUN_SOURCE
    assert at.text_input(key="portfolio-folder").value == str(run)
    assert at.dataframe[0].value["micro-factories"].sum() == N


def test_a_run_with_a_monte_carlo_shows_p_better(gen, tmp_path_factory, data_dir):
    """A run with its paired Monte Carlo (``assess_portfolio(draws=200, seed=4)``): two more tables — how many are
    better with P ≥ 0.95, and the median P(better) — equal to pandas on ``portfolio_uncertainty.parquet``, a
    P(better) column per headline indicator in the table, and the draws and seed named."""
    out = tmp_path_factory.mktemp("pf-scale-mc")
    assess_portfolio([gen], out, data_dir=data_dir, draws=200, seed=4)
    at = open_run(out)
    assert [t.label for t in at.tabs][3:] == ["Better, P ≥ 0.95 (count)", "Median P(better)"]
    unc = pd.read_parquet(out / UNCERTAINTY)
    sectors = pd.read_parquet(out / FACTORIES).set_index("id")["sector"]
    p = unc[unc.scope == CRADLE_TO_GATE].assign(sector=lambda d: d.factory.map(sectors))
    better, median = at.dataframe[3].value.set_index("sector"), at.dataframe[4].value.set_index("sector")
    for ind in CARDS:
        g = p[p.indicator == ind].groupby("sector")["p_better"]
        label = INDICATORS[ind].short
        assert (better[label] == g.apply(lambda s: int((s >= 0.95).sum())).loc[better.index]).all()
        assert np.allclose(median[label], g.median().loc[median.index], rtol=1e-12)
    assert better["Carbon"].sum() > 0
    rows = factory_rows(at).set_index("id")
    carbon = p[p.indicator == "carbon"].set_index("factory")["p_better"]
    assert np.allclose(rows.loc[carbon.index, "Carbon: P(better)"], carbon, rtol=1e-12)
    assert any("paired Monte Carlo (draws 200, seed 4)" in c.value for c in at.caption)
