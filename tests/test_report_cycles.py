"""The report's section "Material in use and industrial symbiosis" (issue 21): on a temporary pair of inventories
(the tiny test factory with a fixed lifetime, and a neighbour without one), the stock in use, outflows by route,
secondary material, L/L_av and the symbiosis matches printed equal numbers worked out by hand here; the PDF renders
the section; a factory without a lifetime says "not stated", never zeros.

The shipped examples are not used: their lifetimes are data that change."""

from __future__ import annotations

import html as htmllib
import io
import re
import shutil
import tomllib
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from lca_engine.report import assess_for_report, build_content, render_html, render_pdf, sankey_svgs
from lca_engine.report.html import fmt_num
from lca_engine.report.sankey_svg import check_inert
from lca_engine.report.stocks_svg import nice_top, sankey_data
from lca_engine.report.stocks_svg import sankey as cycles_sankey

from .conftest import DATA, ROOT
from .tiny_cycles import TINY, end_of_use, production
from .tiny_cycles import lifetime as tiny_lifetime

ANNUAL, MASS_KG = 1000, 0.49  # garments a year (stated below), kg per garment (tiny_micro.toml)
INFLOW_T = ANNUAL * MASS_KG / 1000  # 0.49 t a year enter use, 2025 … 2060
LIFETIME, AVERAGE = 7, 5  # fixed lifetime (years) and the industry average stated with it
C_U, C_R, C_E, E_C = 0.2, 0.3, 0.1, 0.5
PEER_ANNUAL = 2000
#: Merthyr Tydfil (tiny_micro.toml) and Ebbw Vale (the peer)
MICRO_SITE, PEER_SITE = (51.7487, -3.3816), (51.7779, -3.2066)

MICRO_EXTRA = tiny_lifetime(f'distribution = "fixed"\nmean = {LIFETIME}\naverage = {AVERAGE}')
MICRO_EXTRA += production(ANNUAL, 500, 2000) + end_of_use(reuse=C_U, recycling=C_R, energy_recovery=C_E, efficiency=E_C)
PEER_EXTRA = production(PEER_ANNUAL, 500, 4000)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    d = tmp_path_factory.mktemp("cycles")
    (d / "tiny_micro.toml").write_text(TINY + MICRO_EXTRA, encoding="utf-8")
    site = "lat = 51.7487\nlon = -3.3816"
    assert site in TINY
    peer = TINY.replace('id = "tiny-micro"', 'id = "tiny-peer"', 1).replace(site, "lat = 51.7779\nlon = -3.2066")
    (d / "tiny_peer.toml").write_text(peer + PEER_EXTRA, encoding="utf-8")
    shutil.copy(DATA / "tiny_baseline.toml", d / "tiny_baseline.toml")
    return d


@pytest.fixture(scope="module")
def reports(folder, data_dir):
    assessment, catalog, micro = assess_for_report([folder], data_dir=data_dir)
    assert micro == ["tiny-micro", "tiny-peer"]
    contents = {fid: build_content(assessment, fid, catalog=catalog, draws=0) for fid in micro}
    return {fid: (c, render_html(c)) for fid, c in contents.items()}


def _section(page: str) -> str:
    start = page.index('<section id="cycles">')
    return page[start : page.index("</section>", start)]


def _text(fragment: str) -> str:
    """Visible text, whitespace collapsed (none before punctuation left by a closing tag)."""
    words = " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())
    return re.sub(r" ([,.;:)])", r"\1", words)


def _rows(fragment: str, table_class: str) -> list[list[str]]:
    table = fragment[fragment.index(f'<table class="records {table_class}">') :]
    body = table[table.index("<tbody>") : table.index("</tbody>")]
    return [
        [_text(td) for td in re.findall(r"<td[^>]*>(.*?)</td>", tr, flags=re.S)]
        for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", body, flags=re.S)
    ]


def _by_hand(year: int) -> dict[str, float]:
    """Fixed lifetime L, products entering mid-year: the cohort of year c leaves in year c + L. So at the end of
    year y the cohorts max(2025, y − L + 1) … y are in use, and the year's outflow is the cohort of y − L."""
    in_use = year - max(2025, year - LIFETIME + 1) + 1
    outflow = INFLOW_T if year - LIFETIME >= 2025 else 0.0
    landfill = 1 - C_U - C_R - C_E
    return {
        "stock": in_use * INFLOW_T,
        "outflow": outflow,
        "recycling": outflow * C_R,
        "reuse": outflow * C_U,
        "composting": 0.0,
        "energy_recovery": outflow * C_E,
        "landfill": outflow * landfill,
        "secondary": outflow * (C_U + C_R * E_C),
    }


def test_stock_table_equals_the_hand_arithmetic(reports):
    content, page = reports["tiny-micro"]
    section = _section(page)
    rows = _rows(section, "stocks-table")
    assert [r[0] for r in rows] == ["2030", "2040", "2050", "2060"]
    assert _by_hand(2030)["stock"] == pytest.approx(6 * 0.49) and _by_hand(2030)["outflow"] == 0.0
    assert _by_hand(2040)["stock"] == pytest.approx(7 * 0.49) and _by_hand(2040)["secondary"] == pytest.approx(0.1715)
    keys = ("stock", "outflow", "recycling", "reuse", "composting", "energy_recovery", "landfill", "secondary")
    for row in rows:
        hand = _by_hand(int(row[0]))
        assert row[1:] == [fmt_num(hand[k]) for k in keys], row
    # the JSON holds the unrounded numbers
    for r in content["cycles"]["in_use"]["table"]:
        hand = _by_hand(r["year"])
        assert r["stock_t"] == pytest.approx(hand["stock"], rel=1e-12)
        assert r["secondary_t"] == pytest.approx(hand["secondary"], rel=1e-12, abs=1e-15)
        assert r["by_route"]["landfill"] == pytest.approx(hand["landfill"], rel=1e-12, abs=1e-15)
    assert f"{fmt_num(INFLOW_T)} t per year" in _text(section)


def test_chart_series_every_year_and_svg_drawn(reports):
    content, page = reports["tiny-micro"]
    series = content["cycles"]["in_use"]["series"]
    assert series["years"] == list(range(2025, 2061))
    np.testing.assert_allclose(series["stock_t"], [_by_hand(y)["stock"] for y in series["years"]], rtol=1e-12)
    total = np.sum([series["outflow_t"][r] for r in series["outflow_t"]], axis=0)
    np.testing.assert_allclose(total, [_by_hand(y)["outflow"] for y in series["years"]], rtol=1e-12, atol=1e-15)
    section = _section(page)
    svg = re.search(r'<svg[^>]*class="stocks-svg".*?</svg>', section, flags=re.S).group(0)
    assert check_inert(svg) == svg and 'id="stocks-tiny-micro"' in svg
    assert svg.count('class="route-landfill"') == 2060 - 2032 + 1, "one landfill bar per year with an outflow"
    assert page.count('class="stocks-svg"') == 1


def test_lifetime_row_and_x_basis(reports):
    _, page = reports["tiny-micro"]
    section = _section(page)
    assert _rows(section, "lifetimes") == [["garment", "fixed", "7", "—", "5", "source desnz-2025"]]
    text = _text(section)
    assert f"L/L_av = {fmt_num(LIFETIME / AVERAGE)}, basis: lifetime data" in text


def _road_km(a, b) -> float:
    """Great-circle km by the spherical law of cosines (not the tool's haversine) × the shipped circuity."""
    p1, l1, p2, l2 = np.radians([a[0], a[1], b[0], b[1]])
    gc = 6371.0088 * np.arccos(np.sin(p1) * np.sin(p2) + np.cos(p1) * np.cos(p2) * np.cos(l2 - l1))
    return float(gc) * _circuity()["value"]


def _circuity() -> dict:
    return tomllib.loads((ROOT / "inventories" / "symbiosis.toml").read_text(encoding="utf-8"))["circuity"]


def test_symbiosis_matches_of_this_factory(reports):
    _, page = reports["tiny-micro"]
    section = _section(page)
    rows = [r for r in _rows(section, "symbiosis") if len(r) == 10]
    road = fmt_num(_road_km(MICRO_SITE, PEER_SITE))
    # each factory's recovery loss (10 g of clothing waste per garment, to landfill) replaces the other's virgin yarn
    gives = 0.010 * ANNUAL / 1000  # t a year
    takes = 0.010 * PEER_ANNUAL / 1000
    assert [r[:5] for r in rows] == [
        ["tiny-micro: recovery_loss", "tiny-peer: yarn", "textile_mixed", fmt_num(gives), road],
        ["tiny-peer: recovery_loss", "tiny-micro: yarn", "textile_mixed", fmt_num(takes), road],
    ]
    text = _text(section)
    c = _circuity()
    assert f"road circuity factor {fmt_num(c['value'])}" in text and f"[{c['source']}]" in text
    assert ("[to check]" in text) is (c["checked"] is not True)
    assert "not for comparing treatment routes" in text
    assert "within 50 km of road" in text and "tiny-micro, tiny-peer; baselines are left out" in text


def test_a_factory_without_lifetime_says_not_stated(reports):
    content, page = reports["tiny-peer"]
    use = content["cycles"]["in_use"]
    assert use["modelled"] is False and "series" not in use and "table" not in use
    section = _section(page)
    text = _text(section)
    assert "Stock in use: not stated" in text and "no lifetime stated" in text
    assert _rows(section, "lifetimes")[0][:2] == ["garment", "not stated (no [flows.lifetime] under this product)"]
    assert "<svg" not in section and "stocks-table" not in section
    assert "L/L_av = 1, basis: typed ratio" in text or "basis: not stated" in text
    # its symbiosis matches are there all the same
    assert len([r for r in _rows(section, "symbiosis") if len(r) == 10]) == 2


def test_pdf_renders_the_section(reports):
    from pypdf import PdfReader

    _, page = reports["tiny-micro"]
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(render_pdf(page))).pages)
    assert "Material in use and industrial symbiosis" in text
    assert "Stock in use at the end of each year, t" in text, "the chart's text is in the PDF"
    assert "not stated: put on the" in text and f"{fmt_num(HAND_TOTALS['put'])} t" in text, "so is the Sankey's"
    assert "Industrial symbiosis with the other factories of this run" in text


def test_nice_axis():
    assert nice_top(3.43) == (4.0, 1.0)
    assert nice_top(0.49) == (0.5, 0.1)
    assert nice_top(0.0) == (1.0, 0.25)
    assert nice_top(120.0) == (150.0, 50.0)


def test_a_report_on_one_file_has_no_peer_to_match(folder, data_dir):
    assessment, catalog, micro = assess_for_report([folder / "tiny_micro.toml"], data_dir=data_dir)
    content = build_content(assessment, micro[0], catalog=catalog, draws=0)
    assert content["cycles"]["symbiosis"]["peers"] == ["tiny-micro"] and content["cycles"]["symbiosis"]["matches"] == []
    text = _text(_section(render_html(content)))
    assert "No other factory in this run" in text and "No symbiosis match" not in text


# --- the in-use Sankey: per material, put on the market → still in use at the end / each end-of-life route ---

YEARS = 2060 - 2025 + 1
#: Fixed lifetime 7: the cohorts 2054 … 2060 are in use at the end of 2060; those of 2025 … 2053 left in 2032 … 2060.
HAND_TOTALS = {
    "put": YEARS * INFLOW_T,  # 36 × 0.49 = 17.64 t
    "in_use": LIFETIME * INFLOW_T,  # 3.43 t
    "reuse": (YEARS - LIFETIME) * INFLOW_T * C_U,  # 29 × 0.49 × 0.2 = 2.842 t
    "recycling": (YEARS - LIFETIME) * INFLOW_T * C_R,  # 4.263 t
    "composting": 0.0,
    "energy_recovery": (YEARS - LIFETIME) * INFLOW_T * C_E,  # 1.421 t
    "landfill": (YEARS - LIFETIME) * INFLOW_T * (1 - C_U - C_R - C_E),  # 5.684 t
}


def _cycles_sankey(page: str) -> str:
    found = re.findall(r'<svg[^>]*class="cycles-sankey-svg".*?</svg>', _section(page), flags=re.S)
    assert len(found) == 1 and page.count('class="cycles-sankey-svg"') == 1
    return found[0]


def _svg_links(svg: str) -> dict[str, tuple[float, str]]:
    """Tooltip flow name → (band width at its source in px, tooltip mass)."""
    out = {}
    for d, tip in re.findall(r'<path class="sankey-link" d="([^"]*)"[^>]*><title>([^<]*)</title>', svg):
        nums = [float(x) for x in re.findall(r"-?\d+\.\d+", d)]
        flow, mass = htmllib.unescape(tip).rsplit(": ", 1)
        out[flow] = (nums[-1] - nums[1], mass)  # M x0 y0 … back to x0, y0 + w
    return out


def test_sankey_totals_equal_the_hand_arithmetic_and_the_identity_holds(reports):
    content, _ = reports["tiny-micro"]
    (row,) = content["cycles"]["in_use"]["series"]["horizon_totals"]
    assert row["material"] == "not stated", "the garment names no material: the stock engine's own label"
    assert row["put_on_market_t"] == pytest.approx(HAND_TOTALS["put"], rel=1e-12)
    assert row["in_use_end_t"] == pytest.approx(HAND_TOTALS["in_use"], rel=1e-12)
    for route, t in row["by_route"].items():
        assert t == pytest.approx(HAND_TOTALS[route], rel=1e-12, abs=1e-15), route
    assert row["put_on_market_t"] == pytest.approx(row["in_use_end_t"] + sum(row["by_route"].values()), rel=1e-12)
    assert HAND_TOTALS["put"] == pytest.approx(3.43 + 2.842 + 4.263 + 1.421 + 5.684, rel=1e-12)


def test_sankey_svg_draws_the_totals_in_tonnes(reports):
    _, page = reports["tiny-micro"]
    svg = _cycles_sankey(page)
    assert check_inert(svg) == svg and 'id="stocks-tiny-micro-sankey"' in svg
    root = ET.fromstring(svg)
    labels = " ".join(t.text for t in root.iter("{http://www.w3.org/2000/svg}text"))
    for t in (17.64, 3.43, 2.842, 4.263, 1.421, 5.684):
        assert f"{fmt_num(t)} t" in labels, t
    links = _svg_links(svg)
    routes = {"reuse": "reuse", "recycling": "recycling", "energy recovery": "energy_recovery", "landfill": "landfill"}
    expected = {f"not stated → {label}": HAND_TOTALS[key] for label, key in routes.items()}
    expected["not stated → still in use at the end of 2060"] = HAND_TOTALS["in_use"]
    assert set(links) == set(expected), "composting carries 0 t: no band"
    for flow, (_, mass) in links.items():
        assert mass == f"{fmt_num(expected[flow])} t", flow
    # band widths proportional to tonnes, and together as tall as the material's node (the identity, drawn)
    px_per_t = {flow: w / expected[flow] for flow, (w, _) in links.items()}
    assert max(px_per_t.values()) == pytest.approx(min(px_per_t.values()), rel=0.02)
    heights = [
        float(h) for h in re.findall(r'class="sankey-node" x="-?[\d.]+" y="-?[\d.]+" width="14" height="([\d.]+)"', svg)
    ]
    assert heights[0] == pytest.approx(sum(w for w, _ in links.values()), abs=0.05)
    # route colours of the report's stock chart; what is still in use in its stock-line colour
    assert 'fill="#999999" fill-opacity="0.55"' in svg and 'fill="#0072B2" fill-opacity="0.55"' in svg


def test_the_page_states_the_identity_and_keeps_its_other_sankeys(reports):
    content, page = reports["tiny-micro"]
    text = _text(_section(page))
    assert (
        f"not stated {fmt_num(HAND_TOTALS['put'])} t = {fmt_num(HAND_TOTALS['in_use'])} t + "
        f"{fmt_num(HAND_TOTALS['put'] - HAND_TOTALS['in_use'])} t." in text
    )
    # the material-flow Sankeys keep their class (tests/test_report.py counts them); the new one has its own
    drawn = sum(bool(d["links"]) for d in content["sankey"].values())
    full = render_html(content, sankey_svgs([content])[0])
    assert drawn == 2 and full.count('class="sankey-svg"') == drawn and full.count('class="cycles-sankey-svg"') == 1
    assert 'class="cycles-sankey-svg"' not in reports["tiny-peer"][1], (
        "no lifetime: no Sankey (the section says not stated)"
    )


def test_sankey_data_two_materials_by_hand():
    totals = [
        {"material": "wool", "put_on_market_t": 10.0, "in_use_end_t": 4.0,
         "by_route": {"reuse": 1.0, "recycling": 5.0, "composting": 0.0, "energy_recovery": 0.0, "landfill": 0.0}},
        {"material": "steel", "put_on_market_t": 6.0, "in_use_end_t": 0.0,
         "by_route": {"reuse": 0.0, "recycling": 2.5, "composting": 0.0, "energy_recovery": 0.0, "landfill": 3.5}},
    ]  # fmt: skip
    data = sankey_data(totals, 2060)
    mass = {n["label"]: n["mass_kg"] for n in data["nodes"]}
    assert mass == {
        "wool: put on the market": 10.0,
        "steel: put on the market": 6.0,
        "still in use at the end of 2060": 4.0,
        "reuse": 1.0,
        "recycling": 7.5,
        "landfill": 3.5,
    }
    assert len(data["links"]) == 5 and all(lk["mass_kg"] > 0 for lk in data["links"])
    for i, row in enumerate(totals):
        out = sum(lk["mass_kg"] for lk in data["links"] if lk["source"] == f"m{i}")
        assert out == pytest.approx(row["put_on_market_t"], rel=1e-15)
    svg = cycles_sankey(totals, 2025, 2060, "two")
    assert svg.count('class="sankey-link"') == 5 and "recycling" in svg and "7.5 t" in svg
    assert cycles_sankey([], 2025, 2060, "none") == ""
