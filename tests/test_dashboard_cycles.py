"""The Material cycles page (issue 21): in-use stocks and industrial symbiosis in the dashboard.

Driven with ``streamlit.testing.v1.AppTest`` on the real engine. Expected numbers are worked out here: for a small
folder of inventories written by the test with fixed lifetimes, by hand (annual output × product mass × years, the
end-of-use shares of the TOML); for the shipped examples, read from what the files say at test time (another change
may be adding lifetimes to them): by hand where a product has a fixed lifetime in years, else from the engine's
own tables with the identity stock at the end = Σ inflow − Σ outflow. The symbiosis matches are compared with
``lca_engine.symbiosis_matches`` called here.
"""

from __future__ import annotations

import html
import json
import math
import re
import time
import tomllib

import pytest
from streamlit.testing.v1 import AppTest

import lca_engine as le
from lca_engine.load import load_checked

from .conftest import EXAMPLES, ROOT
from .tiny_cycles import TINY, production
from .tiny_cycles import end_of_use as eou
from .tiny_cycles import lifetime as tiny_lifetime

APP = str(ROOT / "dashboard" / "app.py")
TIMEOUT = 300
#: A control change must take ≤ 1 s (benchmarks/bench_dashboard.py times it); asserted here with a wide margin for
#: a loaded test machine.
CONTROL_BOUND_S = 5.0
ROUTES = ("reuse", "recycling", "composting", "energy_recovery")


def _tiny(fid: str, material: str, lifetime: str | None, annual: int, end_of_use: str = "") -> str:
    """tiny_micro.toml under another id, without its baseline, its product of ``material`` with ``lifetime``."""
    text = TINY.replace('id = "tiny-micro"', f'id = "{fid}"', 1).replace('baseline = "tiny_baseline.toml"\n', "")
    text = text.replace('mass_per_unit = "0.49 kg/item"', f'mass_per_unit = "0.49 kg/item"\nmaterial = "{material}"')
    if lifetime:
        text += tiny_lifetime(lifetime)
    return text + production(annual, 1, 1e6, "items a year") + end_of_use


EOU = eou(reuse=0.2, recycling=0.3, energy_recovery=0.1, efficiency=0.5)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """Three factories: wool garments of 5 years (with [end_of_use]), cotton garments of 12 years (none: all to
    landfill), and garments without a lifetime (left out)."""
    d = tmp_path_factory.mktemp("cycles")
    (d / "a.toml").write_text(_tiny("tiny-wool", "wool", 'distribution = "fixed"\nmean = 5', 1000, EOU), "utf-8")
    (d / "b.toml").write_text(_tiny("tiny-cotton", "cotton", 'distribution = "fixed"\nmean = 12', 2000), "utf-8")
    (d / "c.toml").write_text(_tiny("tiny-none", "linen", None, 500), "utf-8")
    return d


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def run(at: AppTest) -> float:
    t = time.perf_counter()
    at.run()
    no_exception(at)
    return time.perf_counter() - t


@pytest.fixture(scope="module")
def app():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.switch_page("pages/cycles.py")
    run(at)
    return at


def tables(at: AppTest) -> list:
    """Every table on the page (st.table, whose cells wrap, and st.dataframe) as a DataFrame."""
    return [d.value.data if hasattr(d.value, "data") else d.value for d in [*at.table, *at.dataframe]]


def table_with(at: AppTest, column: str):
    found = [t for t in tables(at) if column in t.columns]
    return found[0] if found else None


def number(text: str) -> float:
    m = re.search(r"[-+]?[0-9][0-9,]*\.?[0-9]*(?:e[-+]?[0-9]+)?", text)
    assert m, text
    return float(m.group(0).replace(",", ""))


def close(shown: str, expected: float) -> bool:
    """Equal to the 4 significant digits charts.fmt shows."""
    return abs(number(shown) - expected) <= 5.1e-4 * abs(expected) + 1e-9


def metric(at: AppTest, label: str) -> str:
    found = [m.value for m in at.metric if m.label == label]
    assert len(found) == 1, [m.label for m in at.metric]
    return found[0]


def sankey(at: AppTest) -> dict[tuple[str, str], float]:
    """The Sankey's links as (material, destination) → t, read from the figure the page sent."""
    for chart in at.get("plotly_chart"):
        data = json.loads(chart.proto.spec)["data"][0]
        if data["type"] == "sankey":
            names = []
            for label in map(html.unescape, data["node"]["label"]):
                name = label.rsplit(": ", 1)[0]
                if not label.endswith(" t put on the market"):  # a destination: in use at the end, or a route
                    name = "in use" if name.startswith("still in use") else name.replace(" ", "_")
                names.append(name)
            link = data["link"]
            return {
                (names[s], names[t]): v for s, t, v in zip(link["source"], link["target"], link["value"], strict=True)
            }
    raise AssertionError("no Sankey on the page")


def years(at: AppTest, first: int, last: int) -> float:
    at.slider(key="cy-years").set_value((first, last))
    return run(at)


def on_folder(at: AppTest, path) -> None:
    at.radio(key="cy-source").set_value("a folder of inventories")
    run(at)
    at.text_input(key="cy-folder").set_value(str(path))
    run(at)


def test_stocks_of_a_small_folder_equal_the_hand_computation(folder):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.switch_page("pages/cycles.py")
    run(at)
    on_folder(at, folder)
    years(at, 2025, 2034)  # 10 years
    n, wool, cotton = 10, 1000 * 0.49 / 1000, 2000 * 0.49 / 1000  # t a year: annual output × 0.49 kg
    # fixed lifetime L, products sold at mid-year: a cohort is in use for ceil(L - 1/2) whole years
    wool_in_use = wool * min(n, math.ceil(5 - 0.5))
    wool_out = wool * n - wool_in_use
    expected = {("wool", "in use"): wool_in_use, ("cotton", "in use"): cotton * min(n, math.ceil(12 - 0.5))}
    shares = {"reuse": 0.2, "recycling": 0.3, "energy_recovery": 0.1, "landfill": 1 - 0.2 - 0.3 - 0.1}
    expected |= {("wool", route): wool_out * share for route, share in shares.items()}
    shown = sankey(at)
    assert shown.keys() == expected.keys()  # cotton has no outflow before 2034: no link drawn, nothing invented
    for k, v in expected.items():
        assert shown[k] == pytest.approx(v, rel=1e-12), k
    assert close(metric(at, "Put on the market"), (wool + cotton) * n)
    assert close(metric(at, "Still in use"), wool_in_use + cotton * n)
    assert close(metric(at, "Landfill or other"), wool_out * 0.4)
    assert close(metric(at, "Secondary material"), wool_out * (0.2 + 0.3 * 0.5))
    text = " ".join(m.value for m in at.markdown).replace("\\", "")
    assert "tiny-none, product garment: no lifetime stated" in text  # listed in words, not as a zero
    assert not any("linen" in k[0] for k in shown)
    assert any("tiny-cotton: no [end_of_use] section" in w.value.replace("\\", "") for w in at.warning)
    table = table_with(at, "source or assumption")
    assert set(table["product"]) == {"garment"} and set(table["factory"]) == {"tiny-wool", "tiny-cotton"}
    assert table["source or assumption"].str.startswith("desnz-2025: ").all()  # the source's publisher and title


def _by_hand(path) -> tuple[list[tuple[str, str, float, int, dict]], list[tuple[str, str]]]:
    """From one micro-factory's TOML: its products with a fixed lifetime in years (factory, material, t/yr, whole
    years in use, route shares), and its products modelled otherwise ('other') or left out."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    if data.get("system", "micro-factory") != "micro-factory":  # the model's default, which dumps leaves out
        return [], []
    fixed, other = [], []
    eou = data.get("end_of_use", {})
    shares = {r: eou.get(f"collected_for_{r}", 0.0) for r in ROUTES}
    shares["landfill"] = max(0.0, 1 - sum(shares.values()))
    for f in data["flows"]:
        if f["kind"] != "product" or f["to"] != "market":
            continue
        lt = f.get("lifetime")
        m = re.fullmatch(r"([0-9.eE+-]+) kg/(\w+)", f.get("mass_per_unit", ""))
        simple = lt and lt["distribution"] == "fixed" and lt.get("unit", "year") in ("year", "a", "yr")
        if simple and m and "production" in data and f["unit"] == m.group(2):
            t = data["production"]["annual_output"] * f["amount"] * float(m.group(1)) / 1000
            fixed.append((data["id"], f.get("material") or "not stated", t, math.ceil(lt["mean"] - 0.5), shares))
        else:
            other.append((data["id"], f["id"]))
    return fixed, other


def _fixed_totals(fixed: list, n: int) -> dict[tuple[str, str], float]:
    """(material, in use | route) → t over n years of products with a fixed lifetime of k whole years: in use
    t × min(n, k), out of use t × max(0, n − k) split by the route shares."""
    expected: dict[tuple[str, str], float] = {}
    for _fid, material, t, k, shares in fixed:
        expected[(material, "in use")] = expected.get((material, "in use"), 0) + t * min(n, k)
        for route, share in shares.items():
            expected[(material, route)] = expected.get((material, route), 0) + t * max(0, n - k) * share
    return expected


def check_totals(at: AppTest, folder) -> int:
    """The page's Sankey and left-out list against what the folder's files say: by hand for products with a fixed
    lifetime in years (where no other product shares their material), the identity stock at the end = Σ inflow −
    Σ outflow on the engine's tables for every material. Returns how many links were checked by hand."""
    n = 36  # 2025–2060, the page's default years
    fixed, other = [], []
    for path in sorted(folder.glob("*.toml")):
        f, o = _by_hand(path)
        fixed += f
        other += o
    micro = [load_checked(p) for p in sorted(folder.glob("*.toml")) if p.name != "sources.toml"]
    s = le.in_use_stocks([c for c in micro if c.factory.system == "micro-factory"])
    text = " ".join(m.value for m in at.markdown).replace("\\", "")
    for x in s.left_out:  # whatever the files say: each product left out is named with its reason
        assert f"{x.factory}, product {x.product}: {x.reason}" in text
    if s.stocks.empty:
        assert any("nothing to model" in i.value for i in at.info)
        return 0
    expected = _fixed_totals(fixed, n)
    shown = sankey(at)
    others = set(other)
    shared = {r.material for r in s.stocks.itertuples() if (r.factory, r.product) in others}
    by_hand = 0
    for (material, dest), v in expected.items():
        if material not in shared and v > 0:
            assert shown[(material, dest)] == pytest.approx(v, rel=1e-9), (material, dest)
            by_hand += 1
    # every material: what was put on the market = in use at the end + what left use (the engine's own tables)
    last = s.stocks[s.stocks.year == 2060].groupby("material")["stock_t"].sum()
    for material, inflow in s.stocks.groupby("material")["inflow_t"].sum().items():
        drawn = sum(v for (m, _), v in shown.items() if m == material)
        assert drawn == pytest.approx(inflow, rel=1e-9)
        assert shown.get((material, "in use"), 0.0) == pytest.approx(last[material], rel=1e-9, abs=1e-12)
        out = s.outflows[s.outflows.material == material]["outflow_t"].sum()
        assert last[material] == pytest.approx(inflow - out, rel=1e-9, abs=1e-9)
    assert close(metric(at, "Put on the market"), s.stocks["inflow_t"].sum())
    return by_hand


def test_examples_page_runs_and_its_totals_hold(app):
    check_totals(app, EXAMPLES)


@pytest.fixture(scope="module")
def examples_with_lifetimes(tmp_path_factory):
    """The shipped examples with the lifetime of every micro-factory's product replaced by a fixed one (8 years) and
    a normal one (10 ± 3 years) in turn, written by the library's own writer."""
    from lca_engine.inventory import dumps, loads
    from lca_engine.model import Lifetime

    d = tmp_path_factory.mktemp("examples-with-lifetimes")
    kinds = [{"distribution": "fixed", "mean": 8}, {"distribution": "normal", "mean": 10, "std": 3}]
    micro = 0
    for path in sorted(EXAMPLES.glob("*.toml")):
        f = loads(path.read_text(encoding="utf-8"))
        if f.system == "micro-factory":
            lifetime = Lifetime(**kinds[micro % 2], source="desnz-2025")
            micro += 1
            flows = [x.model_copy(update={"lifetime": lifetime}) if x.kind == "product" and
                     x.to == "market" else x for x in f.flows]  # fmt: skip
            f = f.model_copy(update={"flows": flows})
        (d / path.name).write_text(dumps(f), encoding="utf-8")
    return d


def test_examples_with_lifetimes_totals_hold(examples_with_lifetimes):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.switch_page("pages/cycles.py")
    run(at)
    on_folder(at, examples_with_lifetimes)
    assert len(at.get("plotly_chart")) >= 5  # stock, outflows, secondary, Sankey, map
    assert check_totals(at, examples_with_lifetimes) >= 3 * 2  # three fixed-lifetime products: in use + landfill


def _match_rows(at: AppTest):
    """The match table and the CO2e/MCI table (None, None without matches), row for row."""
    return table_with(at, "road km"), table_with(at, "giver MCI")


@pytest.mark.parametrize("radius", [100.0, 250.0])
def test_radius_changes_the_matches_as_the_engine_finds_them(app, radius):
    expected = le.symbiosis_matches([EXAMPLES], radius).matches
    app.number_input(key="cy-radius").set_value(radius)
    seconds = run(app)
    assert seconds < CONTROL_BOUND_S, seconds
    shown, savings = _match_rows(app)
    assert metric(app, "Matches") == str(len(expected))
    if expected.empty:
        assert shown is None and savings is None and any("No match within 100 km" in i.value for i in app.info)
        return
    pairs = list(zip(shown["giver"], shown["giver flow"], shown["receiver"], shown["receiver flow"], strict=True))
    assert pairs == list(
        zip(expected.giver, expected.giver_flow, expected.receiver, expected.receiver_flow, strict=True)
    )
    rows = zip(shown.itertuples(index=False), savings.to_dict("records"), expected.itertuples(), strict=True)
    for row, saved, m in rows:
        assert close(row[6], m.t_per_year) and close(saved["net avoided"], m.net_avoided_kg_co2e)
        assert abs(number(row[7]) - m.road_km) <= 5e-3 * m.road_km  # 3 significant digits
        assert close(saved["virgin avoided"], m.virgin_avoided_kg_co2e)
        assert close(saved["transport added"], m.transport_added_kg_co2e)
        for who in ("giver", "receiver"):  # 'before → after', 3 significant digits
            before, after = (float(x) for x in saved[f"{who} MCI"].split(" → "))
            assert before == pytest.approx(getattr(m, f"{who}_mci_before"), rel=5e-3)
            assert after == pytest.approx(getattr(m, f"{who}_mci_after"), rel=5e-3)
    assert metric(app, "Net CO2e avoided").endswith("kg/yr")
    assert close(metric(app, "Net CO2e avoided"), expected.net_avoided_kg_co2e.sum())


def test_the_housing_to_composites_pp_link_appears_at_250_km(app):
    app.number_input(key="cy-radius").set_value(250.0)
    run(app)
    shown, _ = _match_rows(app)
    link = shown[(shown["giver"] == "housing-ebbw-vale-micro") & (shown["receiver"] == "composites-deeside-micro")]
    assert list(link["class"]) == ["plastics_pp"]
    spec = [json.loads(c.proto.spec) for c in app.get("plotly_chart")]
    maps = [s for s in spec if s["data"] and s["data"][0]["type"] == "scattermap"]
    lines = [t for t in maps[0]["data"] if t["mode"] == "lines"]
    assert len(lines) == len(shown)  # one line per match, giver → receiver
    assert maps[0]["layout"]["map"]["style"] == "white-bg"  # offline: no tiles


def test_circuity_to_check_caveat_and_unclassified_flows_are_shown(app):
    circuity = tomllib.loads((ROOT / "inventories" / "symbiosis.toml").read_text(encoding="utf-8"))["circuity"]
    warnings = " ".join(w.value for w in app.warning).replace("\\", "")
    if circuity["checked"]:
        assert "to check" not in warnings
    else:
        assert "Circuity: to check." in warnings and circuity["source"] in warnings
    captions = " ".join(c.value for c in app.caption)
    assert "for reporting, not for comparing treatment routes" in captions
    unclassified = le.symbiosis_matches([EXAMPLES], 100).unclassified
    assert any(e.label.startswith(f"Flows not classified ({len(unclassified)})") for e in app.expander)


def test_a_radius_not_above_zero_is_refused(app):
    """The widget takes no radius ≤ 0 (its minimum is above 0); the matches shown are those of the radius it keeps."""
    assert 0 < app.number_input(key="cy-radius").min
    for bad in (0.0, -5.0):
        app.number_input(key="cy-radius").set_value(bad)
        run(app)
        kept = app.number_input(key="cy-radius").value
        assert kept > 0
        assert metric(app, "Matches") == str(len(le.symbiosis_matches([EXAMPLES], kept).matches))


def test_year_range_and_system_controls_are_fast(app, folder):
    for first, last in ((2030, 2045), (2025, 2060)):
        assert years(app, first, last) < CONTROL_BOUND_S
    app.radio(key="cy-system").set_value("baseline")
    assert run(app) < CONTROL_BOUND_S
    app.radio(key="cy-system").set_value("micro-factory")
    assert run(app) < CONTROL_BOUND_S


def test_a_missing_folder_is_a_plain_error(tmp_path):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.switch_page("pages/cycles.py")
    run(at)
    at.radio(key="cy-source").set_value("a folder of inventories").run()
    at.text_input(key="cy-folder").set_value(str(tmp_path / "nowhere")).run()
    assert not at.exception
    text = " ".join(e.value for e in at.error).replace("\\", "")
    assert "could not be read" in text and "Traceback" not in text


# --- chart images without a browser ----------------------------------------------------------------------------------

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "chrome")


@pytest.fixture
def no_browser(monkeypatch):
    import os
    from pathlib import Path

    path = [d for d in os.environ["PATH"].split(os.pathsep) if d and not any(Path(d, b).exists() for b in BROWSERS)]
    monkeypatch.setenv("PATH", os.pathsep.join(path))
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")


def test_stacks_start_where_the_series_before_end():
    import numpy as np

    from dashboard.static import stack_bases

    bases = stack_bases([np.array([1.0, 2.0]), np.array([3.0, np.nan]), np.array([4.0, 5.0])])
    assert [b.tolist() for b in bases] == [[0.0, 0.0], [1.0, 2.0], [4.0, 2.0]]  # a missing value adds nothing


def _pixels(png: bytes, hex_colour: str, tol: int = 30) -> int:
    import io

    import numpy as np
    from PIL import Image

    rgb = np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)])
    px = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=int)
    return int((np.abs(px - rgb).max(axis=2) <= tol).sum())


def test_cycles_charts_as_images_without_a_browser(no_browser, folder):
    from dashboard import charts, engine

    s = le.in_use_stocks([load_checked(p) for p in sorted(folder.glob("*.toml"))], 2025, 2034)
    figs = {
        "stock": charts.stock_figure(s.stock_by_material()),
        "outflows": charts.outflow_figure(s.outflow_by_route()),
        "secondary": charts.secondary_figure(s.secondary_by_year()),
        "sankey": charts.cycles_sankey(s.stocks.assign(destination="in use", t=1.0), 2025, 2034),
    }
    out = engine.chart_images(figs, "png")
    assert not out.browser and out.need_chromium == ["sankey"]  # named, not raised
    assert list(out.files) == ["stock.png", "outflows.png", "secondary.png"]
    colours = charts.material_colours(["cotton", "wool"])
    assert _pixels(out.files["stock.png"], colours["cotton"]) > 2000, "cotton's band"
    assert _pixels(out.files["stock.png"], colours["wool"]) > 2000, "wool's band"
    assert _pixels(out.files["outflows.png"], charts.ROUTE_COLOURS["landfill"]) > 500, "landfill bars"
    assert _pixels(out.files["outflows.png"], charts.ROUTE_COLOURS["recycling"]) > 500, "recycling bars"


def test_the_page_offers_its_charts_as_images(no_browser, folder):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.switch_page("pages/cycles.py")
    run(at)
    on_folder(at, folder)
    at.button(key="cy-render").click()
    run(at)
    names = [b.proto.label for b in at.get("download_button")]
    assert names == ["stock_in_use.png", "outflows_by_route.png", "secondary_material.png"]
    assert any("cycles_sankey" in w.value for w in at.warning)
