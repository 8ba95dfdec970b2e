"""The dashboard's chart-image downloads on a machine without Chromium: every chart still comes out (the Sankey
from the report's SVG writer, the others from matplotlib), and a chart neither can draw is named, not raised."""

from __future__ import annotations

import io
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from PIL import Image

from lca_engine import load
from lca_engine.indicators import SCOPES
from lca_engine.report.content import sankey_data
from lca_engine.report.sankey_svg import to_svg

from .conftest import EXAMPLES

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "chrome")
SECTORS = ("textiles", "modular housing")  # two of dashboard.engine.SECTORS


@pytest.fixture
def no_browser(monkeypatch):
    path = [d for d in os.environ["PATH"].split(os.pathsep) if d and not any(Path(d, b).exists() for b in BROWSERS)]
    monkeypatch.setenv("PATH", os.pathsep.join(path))
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")


@pytest.fixture(scope="module")
def charts() -> dict:
    from dashboard import charts as ch

    portfolio = pd.DataFrame(
        {
            "site": ["Merthyr Tydfil, Wales", "Ebbw Vale, Wales"],
            "sector": list(SECTORS),
            "lon": [-3.38, -3.2],
            "lat": [51.75, 51.78],
            **{
                f"{ind} change {scope}": [-0.5, 0.25]
                for ind in ("carbon", "energy_delivered", "water_withdrawal")
                for scope in SCOPES
            },
            **{f"chemicals_total change {scope}": [np.nan, -0.1] for scope in SCOPES},
        }
    )
    parts = {
        "micro-factory": pd.DataFrame({"process": ["knit", "dye"], "value": [1.0, 3.0], "share": [0.25, 0.75]}),
        "baseline": pd.DataFrame({"process": ["knit", "dye"], "value": [2.0, 6.0], "share": [0.25, 0.75]}),
    }
    return {
        "portfolio_map": ch.static_map_figure(portfolio, "© Crown copyright.<br>Boundary: ONS"),
        "portfolio_change": ch.change_bars(portfolio).update_layout(width=1000),
        "textile_sankey": sankey_data(load(EXAMPLES / "textile_merthyr_micro.toml")),
        "carbon": ch.contribution_figure(parts, "process", "kg CO2e", "Carbon: $1 <b>name</b> & co").update_layout(
            width=1000
        ),
    }


def pixels(png: bytes, rgb: tuple[int, int, int], tol: int = 30) -> int:
    px = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=int)
    return int((np.abs(px - np.array(rgb)).max(axis=2) <= tol).sum())


def test_png_images_without_a_browser(no_browser, charts):
    from dashboard import engine

    out = engine.chart_images(charts, "png")
    assert not out.browser and out.need_chromium == []
    assert list(out.files) == [f"{name}.png" for name in charts]
    for name, png in out.files.items():
        assert png[:8] == b"\x89PNG\r\n\x1a\n", name
    # what each image must show, by its colours (Okabe–Ito, as the figures set them)
    assert pixels(out.files["portfolio_map.png"], (0xEE, 0xF3, 0xF7), 4) > 10_000, "the Wales outline fill"
    assert pixels(out.files["portfolio_map.png"], (0xCC, 0x79, 0xA7)) > 50, "the textiles marker"
    assert pixels(out.files["portfolio_map.png"], (0xD5, 0x5E, 0x00)) > 50, "the modular housing marker"
    assert pixels(out.files["portfolio_change.png"], (0xE6, 0x9F, 0x00)) > 500, "energy bars"
    assert pixels(out.files["carbon.png"], (0x00, 0x72, 0xB2)) > 1000, "micro-factory bars"
    assert pixels(out.files["textile_sankey.png"], (0x00, 0x72, 0xB2)) > 1000, "process nodes"
    assert pixels(out.files["textile_sankey.png"], (234, 173, 38)) > 5000, "loop bands (orange at 85 %)"
    width, _ = Image.open(io.BytesIO(out.files["textile_sankey.png"])).size
    assert width >= 1300, "the 900 px layout at 150 dpi"


def test_svg_images_without_a_browser(no_browser, charts):
    from dashboard import engine

    out = engine.chart_images(charts, "svg")
    assert not out.browser and list(out.files) == [f"{name}.svg" for name in charts]
    for name, svg in out.files.items():
        root = ET.fromstring(svg)
        assert root.tag == "{http://www.w3.org/2000/svg}svg", name
    sankey = out.files["textile_sankey.svg"].decode("utf-8")
    assert sankey.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    assert to_svg(charts["textile_sankey"], "textile_sankey", "x").split("</title>", 1)[1] in sankey
    assert out.files == engine.chart_images(charts, "svg").files, "deterministic"


def test_a_chart_without_a_static_drawing_is_named_not_raised(no_browser, charts):
    from dashboard import engine

    out = engine.chart_images({"pie": go.Figure(go.Pie(values=[1, 2])), "carbon": charts["carbon"]}, "png")
    assert out.need_chromium == ["pie"] and list(out.files) == ["carbon.png"]
