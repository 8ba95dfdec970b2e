"""A portfolio run read for looking at (``lca_engine.portfolio.view``) and the principal area of a site
(``lca_engine.geo``), against independent computations: places whose area is known by hand, matplotlib's own
point-in-polygon, and pandas groupbys written here from the run's raw Parquet files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.path import Path as MplPath

from lca_engine.errors import LcaEngineError
from lca_engine.geo import area_names, point_in_wales, principal_area, principal_areas
from lca_engine.indicators import CARDS, CRADLE_TO_GATE, SITE
from lca_engine.portfolio import generate_portfolio, write_portfolio
from lca_engine.portfolio.run import COMPARISON, FACTORIES, assess_portfolio
from lca_engine.portfolio.view import (
    GROUP_BY,
    MIXED,
    OUTSIDE,
    UNCERTAINTY,
    PortfolioViewError,
    aggregate,
    factory_table,
    filter_view,
    headline,
    page,
    read_view,
    site_cells,
)

from .conftest import ROOT

AREAS_FILE = ROOT / "inventories" / "geo" / "wales_principal_areas.geojson"

# (lat, lon) read off a map by hand, and the principal area each lies in (None: not in Wales)
PLACES = {
    "Merthyr Tydfil town centre": (51.7487, -3.3816, "Merthyr Tydfil"),
    "Ebbw Vale": (51.7775, -3.2066, "Blaenau Gwent"),
    "Cardiff, Queen Street": (51.4816, -3.1791, "Cardiff"),
    "Swansea city centre": (51.6214, -3.9436, "Swansea"),
    "Bangor": (53.2274, -4.1293, "Gwynedd"),
    "Wrexham": (53.0462, -2.9930, "Wrexham"),
    "Llandrindod Wells": (52.2420, -3.3790, "Powys"),
    "Aberystwyth": (52.4153, -4.0829, "Ceredigion"),
    "Newport": (51.5842, -2.9977, "Newport"),
    "Llangefni, Anglesey": (53.2557, -4.3108, "Isle of Anglesey"),
    "Bristol (England)": (51.4545, -2.5879, None),
    "Chester (England)": (53.1934, -2.8931, None),
    "Cardigan Bay (sea)": (52.3, -4.6, None),
}


def test_principal_area_of_places_placed_by_hand():
    for place, (lat, lon, area) in PLACES.items():
        assert principal_area(lat, lon) == area, place
        assert point_in_wales(lat, lon) == (area is not None), place
    lats, lons, areas = zip(*PLACES.values(), strict=True)
    assert list(principal_areas(lats, lons)) == list(areas)
    assert principal_areas([np.nan, 51.7], [-3.4, np.nan]).tolist() == [None, None]
    assert len(area_names()) == 22 and len(set(area_names())) == 22


def _mpl_area(features: list[dict], lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """Independent: matplotlib's point-in-polygon, even-odd over each area's rings, first area that holds it."""
    out = np.full(len(lats), None, dtype=object)
    points = np.column_stack([lons, lats])
    for feature in features:
        geom = feature["geometry"]
        polygons = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
        inside = np.zeros(len(lats), dtype=bool)
        for ring in (r for polygon in polygons for r in polygon):
            inside ^= MplPath(np.asarray(ring)).contains_points(points)
        out[inside & (out == None)] = feature["properties"]["name"]  # noqa: E711
    return out


def test_principal_areas_equal_matplotlib_on_random_points():
    """5,000 points over Wales and its borders: the same area as matplotlib's path test; in an area exactly when
    inside the Wales outline (the outline is the union of the areas)."""
    rng = np.random.default_rng(20)
    lats, lons = rng.uniform(51.3, 53.5, 5000), rng.uniform(-5.4, -2.6, 5000)
    features = json.loads(AREAS_FILE.read_text(encoding="utf-8"))["features"]
    ours = principal_areas(lats, lons)
    assert (ours == _mpl_area(features, lats, lons)).all()
    in_wales = np.array([point_in_wales(a, b) for a, b in zip(lats[:1500], lons[:1500], strict=True)])
    assert ((ours[:1500] != None) == in_wales).all()  # noqa: E711
    assert 1000 < (ours != None).sum() < 4000  # noqa: E711 — the sample straddles the border and the sea


N = 12  # two micro-factories of each sector


@pytest.fixture(scope="module")
def run(tmp_path_factory, data_dir) -> Path:
    gen = tmp_path_factory.mktemp("pf-view") / "gen"
    write_portfolio(generate_portfolio(N, seed=5), gen)
    out = tmp_path_factory.mktemp("pf-view-run")
    assess_portfolio([gen], out, data_dir=data_dir)
    return out


@pytest.fixture(scope="module")
def raw(run):
    """The run's own files, read here with pandas only (the independent side of every comparison)."""
    factories = pd.read_parquet(run / FACTORIES)
    factories["area"] = [principal_area(a, b) or OUTSIDE for a, b in zip(factories.lat, factories.lon, strict=True)]
    comp = pd.read_parquet(run / COMPARISON)
    return factories, comp


def test_read_view_has_every_factory_with_its_area(run, raw):
    factories, comp = raw
    view = read_view(run)
    assert len(view.factories) == 2 * N and len(view.micro) == N and view.year == 2025
    assert view.factories.set_index("id")["area"].to_dict() == factories.set_index("id")["area"].to_dict()
    assert (view.micro["area"] != OUTSIDE).all()  # generated sites lie in Wales
    assert set(view.comparison.factory) == set(factories.loc[factories.system == "micro-factory", "id"])
    assert len(view.comparison) == len(comp) and view.uncertainty is None


def _expected(factories: pd.DataFrame, comp: pd.DataFrame, by: str, scope: str) -> pd.DataFrame:
    """The aggregates by pandas groupby on the raw files."""
    micro = factories[factories.system == "micro-factory"][["id", by, "annual_output"]]
    rows = comp[(comp.scope == scope) & comp.indicator.isin(CARDS)].drop(columns=["sector", "annual_output"])
    rows = rows.merge(micro, left_on="factory", right_on="id")
    out = {}
    for ind in CARDS:
        g = rows[rows.indicator == ind].groupby(by)
        out[f"{ind} below"] = g["difference"].apply(lambda s: int((s < 0).sum()))
        out[f"{ind} median change"] = g["relative_change"].median()
        out[f"{ind} change per year"] = g["difference_per_year"].sum(min_count=1)
    out["micro-factories"] = micro.groupby(by).size()
    if by == "sector":
        out["annual output"] = micro.groupby(by)["annual_output"].sum()
    return pd.DataFrame(out)


@pytest.mark.parametrize("by", GROUP_BY)
@pytest.mark.parametrize("scope", [SITE, CRADLE_TO_GATE])
def test_aggregates_equal_a_pandas_groupby(run, raw, by, scope):
    factories, comp = raw
    got = aggregate(read_view(run), by, scope).set_index(by)
    want = _expected(factories, comp, by, scope)
    assert sorted(got.index) == sorted(want.index) == list(got.index)
    for column in want.columns:
        assert np.allclose(got[column], want.loc[got.index, column], rtol=1e-12, atol=0, equal_nan=True), column
    assert got["micro-factories"].sum() == N
    if by == "sector":  # one functional unit per sector in a generated portfolio
        units = factories[factories.system == "micro-factory"].groupby("sector")["functional_unit"].first()
        assert got["functional unit"].to_dict() == units.to_dict()
    else:
        assert "annual output" not in got.columns


def test_a_sector_with_two_functional_units_sums_no_annual_output(run):
    view = read_view(run)
    first = view.factories.index[view.factories.system == "micro-factory"][0]
    factories = view.factories.copy()
    factories.loc[first, "functional_unit"] = "1 kg: something else"
    from dataclasses import replace

    got = aggregate(replace(view, factories=factories), "sector").set_index("sector")
    sector = factories.loc[first, "sector"]
    assert got.loc[sector, "functional unit"] == MIXED and np.isnan(got.loc[sector, "annual output"])
    others = got.drop(index=sector)
    assert (others["functional unit"] != MIXED).all() and others["annual output"].notna().all()


def test_filters_keep_what_they_name(run, raw):
    factories, _ = raw
    view = read_view(run)
    sector = "textiles"
    areas = sorted(set(view.micro["area"]))[:2]
    shown = filter_view(view, sectors=[sector], areas=areas)
    keep = factories[(factories.sector == sector) & factories.area.isin(areas)]
    assert sorted(shown.factories.id) == sorted(keep.id)
    assert set(shown.comparison.factory) == set(keep.loc[keep.system == "micro-factory", "id"])
    agg = aggregate(shown, "area")
    assert agg["micro-factories"].sum() == (keep.system == "micro-factory").sum()
    only_baselines = filter_view(view, systems=["baseline"])
    assert (only_baselines.factories.system == "baseline").all() and only_baselines.comparison.empty
    assert aggregate(only_baselines, "sector").empty
    assert len(filter_view(view).factories) == 2 * N


def test_factory_table_and_pages_sort_like_pandas(run, raw):
    factories, comp = raw
    view = read_view(run)
    table = factory_table(view, SITE)
    assert len(table) == 2 * N and list(table.id) == list(factories.id)
    c2g = comp[(comp.scope == SITE) & (comp.indicator == "carbon")].set_index("factory")
    micro = table[table.system == "micro-factory"].set_index("id")
    assert np.allclose(micro["carbon change"], c2g.loc[micro.index, "relative_change"], rtol=1e-12)
    assert table.loc[table.system == "baseline", "carbon change"].isna().all()
    rows, pages = page(table, "carbon difference", ascending=False, number=2, size=5)
    assert pages == 5 and len(rows) == 5
    ordered = table.sort_values("carbon difference", ascending=False, na_position="last", kind="stable")
    assert list(rows.id) == list(ordered.id[5:10])
    last, _ = page(table, "carbon difference", number=99, size=5)  # past the end: the last page
    assert list(last.id) == list(table.sort_values("carbon difference", kind="stable").id[20:])


def test_headline_reads_the_monte_carlo_summary_when_the_run_has_one(run, tmp_path):
    """A run with ``portfolio_uncertainty.parquet`` (written here with a P(better) per row): the median per group
    equals pandas'; a run without one has no P(better) columns."""
    copy = tmp_path / "run"
    shutil.copytree(run, copy)
    comp = pd.read_parquet(copy / COMPARISON)
    unc = comp[["factory", "indicator", "scope"]].copy()
    unc["p_better"] = np.linspace(0, 1, len(unc))
    unc.to_parquet(copy / UNCERTAINTY)
    view = read_view(copy)
    heads = headline(view).set_index("factory")
    want = unc[(unc.scope == CRADLE_TO_GATE) & (unc.indicator == "water_withdrawal")].set_index("factory")
    assert np.allclose(heads["water_withdrawal p_better"], want.loc[heads.index, "p_better"])
    got = aggregate(view, "sector").set_index("sector")["carbon median p_better"]
    sectors = view.micro.set_index("id")["sector"]
    carbon = unc[(unc.scope == CRADLE_TO_GATE) & (unc.indicator == "carbon")]
    by_sector = carbon.groupby(carbon.factory.map(sectors))["p_better"]
    assert np.allclose(got, by_sector.median().loc[got.index])
    better = aggregate(view, "sector").set_index("sector")["carbon better"]
    assert (better == by_sector.apply(lambda p: int((p >= 0.95).sum())).loc[better.index]).all()
    assert better.sum() > 0
    assert "carbon p_better" not in headline(read_view(run)).columns


def test_site_cells_count_every_site_in_wales_once(run, raw):
    factories, _ = raw
    view = read_view(run)
    cells = site_cells(view.factories, km=10)
    inside = factories[factories.area != OUTSIDE]
    assert (
        cells["sites"].sum() == len(inside)
        and cells["micro-factories"].sum() == (inside.system == "micro-factory").sum()
    )
    dlat = 10 / 111.2
    dlon = dlat / np.cos(np.radians(52.3))
    for r in inside.itertuples():  # each site lies in the cell whose centre is within half a cell of it
        near = cells[(abs(cells.lat - r.lat) <= dlat / 2) & (abs(cells.lon - r.lon) <= dlon / 2)]
        assert len(near) == 1


def _problem(exc: LcaEngineError):
    assert isinstance(exc, PortfolioViewError) and len(exc.problems) == 1
    return exc.problems[0]


def test_a_folder_that_is_not_a_run_is_an_error_naming_the_file_and_the_fix(run, tmp_path):
    with pytest.raises(PortfolioViewError) as err:
        read_view(tmp_path / "nowhere")
    assert "no such folder" in _problem(err.value).message
    for name in (FACTORIES, COMPARISON):
        copy = tmp_path / f"without-{name}"
        shutil.copytree(run, copy)
        (copy / name).unlink()
        with pytest.raises(PortfolioViewError) as err:
            read_view(copy)
        p = _problem(err.value)
        assert p.file == str(copy / name) and name in p.message and "lca-engine portfolio assess" in p.fix
    broken = tmp_path / "broken"
    shutil.copytree(run, broken)
    (broken / FACTORIES).write_text("not parquet", encoding="utf-8")
    with pytest.raises(PortfolioViewError) as err:
        read_view(broken)
    assert "not a readable Parquet file" in _problem(err.value).message
    pd.read_parquet(run / FACTORIES).drop(columns="lat").to_parquet(broken / FACTORIES)
    with pytest.raises(PortfolioViewError) as err:
        read_view(broken)
    assert _problem(err.value).field == "lat"
    for text in ("", "  ", "a\0b"):
        with pytest.raises(PortfolioViewError) as err:
            read_view(text)
        assert _problem(err.value).field == "folder"
    with pytest.raises(ValueError, match="by must be one of"):
        aggregate(read_view(run), "town")
