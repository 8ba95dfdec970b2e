"""The in-use charts as inline SVG, written directly (no browser, no plotting library), like :mod:`.sankey_svg`:
the stock in use at the end of each year (top panel, t) and the end-of-life outflow of each year stacked by route
with the secondary material it makes available (bottom panel, t per year), from the section's series
(:func:`lca_engine.report.cycles_section.in_use`); then the horizon's Sankey (:func:`sankey`): per material, the
tonnes put on the market → still in use at the end / each end-of-life route, laid out and drawn by the report's own
Sankey (:func:`.sankey_layout.layout`, :func:`.sankey_svg.draw`) with this chart's route colours. Numbers are
written with two decimals, so the same series give a byte-identical SVG; the markup is checked inert
(:func:`.sankey_svg.check_inert`)."""

from __future__ import annotations

import math
import re
from dataclasses import replace

from ..stocks.routes import EOL_ROUTES
from .html import fmt_num
from .sankey import OKABE_ITO
from .sankey_layout import Layout, layout
from .sankey_svg import FONT, TEXT_COLOUR, check_inert, draw, esc

WIDTH, PANEL_HEIGHT, GAP = 680.0, 150.0, 46.0
LEFT, RIGHT, TOP, BOTTOM = 58.0, 12.0, 26.0, 60.0
FONT_SIZE = 10
STOCK_COLOUR = "#0072B2"
SECONDARY_COLOUR = "#D55E00"
#: One colour per end-of-life route, in the order of :data:`lca_engine.stocks.routes.EOL_ROUTES` (recycling, reuse,
#: composting, energy recovery, landfill): Okabe-Ito, colour-blind safe; landfill grey.
ROUTE_COLOURS = dict(zip(EOL_ROUTES, ("#009E73", "#56B4E9", "#F0E442", "#E69F00", "#999999"), strict=True))


def _n(x: float) -> str:
    return f"{x:.2f}"


def nice_top(top: float) -> tuple[float, float]:
    """(axis maximum, tick step): the step 1, 2 or 5 × 10^k giving at most 5 intervals above ``top``."""
    if top <= 0 or not math.isfinite(top):
        return 1.0, 0.25
    raw = top / 5
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    return step * math.ceil(top / step - 1e-9), step


def _tick(v: float) -> str:
    return f"{v:,.6g}"


class _Panel:
    """One panel's scales: x by year index, y by tonnes."""

    def __init__(self, top: float, years: list[int], y_max: float) -> None:
        self.top, self.years = top, years
        self.y_max, self.step = nice_top(y_max)
        self.band = (WIDTH - LEFT - RIGHT) / max(1, len(years))

    def x(self, i: float) -> float:
        return LEFT + (i + 0.5) * self.band

    def y(self, v: float) -> float:
        return self.top + PANEL_HEIGHT * (1 - v / self.y_max)

    def axes(self, title: str) -> str:
        parts = [f'<text x="{_n(LEFT)}" y="{_n(self.top - 8)}" font-weight="bold">{esc(title)}</text>']
        k = 0
        while k * self.step <= self.y_max + 1e-9 * self.y_max:
            v = k * self.step
            parts.append(
                f'<line x1="{_n(LEFT)}" x2="{_n(WIDTH - RIGHT)}" y1="{_n(self.y(v))}" y2="{_n(self.y(v))}" '
                f'stroke="#DDDDDD" stroke-width="0.6"/><text x="{_n(LEFT - 4)}" y="{_n(self.y(v) + 3)}" '
                f'text-anchor="end">{esc(_tick(v))}</text>'
            )
            k += 1
        for i, year in enumerate(self.years):
            if year % 5 == 0 or i in (0, len(self.years) - 1):
                parts.append(
                    f'<text x="{_n(self.x(i))}" y="{_n(self.top + PANEL_HEIGHT + 12)}" '
                    f'text-anchor="middle">{year}</text>'
                )
        return "".join(parts)


def _stock_panel(series: dict) -> str:
    years, stock = series["years"], series["stock_t"]
    p = _Panel(TOP, years, max(stock, default=0.0))
    pts = " ".join(f"{_n(p.x(i))},{_n(p.y(v))}" for i, v in enumerate(stock))
    area = f"{_n(p.x(0))},{_n(p.y(0))} {pts} {_n(p.x(len(years) - 1))},{_n(p.y(0))}"
    return (
        p.axes("Stock in use at the end of each year, t")
        + f'<polygon class="stock-area" points="{area}" fill="{STOCK_COLOUR}" fill-opacity="0.18"/>'
        + f'<polyline class="stock-line" points="{pts}" fill="none" stroke="{STOCK_COLOUR}" stroke-width="1.8"/>'
    )


def _outflow_panel(series: dict) -> str:
    years, routes = series["years"], series["outflow_t"]
    totals = [sum(v[i] for v in routes.values()) for i in range(len(years))]
    p = _Panel(TOP + PANEL_HEIGHT + GAP, years, max([*totals, *series["secondary_t"]], default=0.0))
    bars, width = [], p.band * 0.72
    for i in range(len(years)):
        below = 0.0
        for route, values in routes.items():
            v = values[i]
            if v <= 0:
                continue
            bars.append(
                f'<rect class="route-{esc(route)}" x="{_n(p.x(i) - width / 2)}" y="{_n(p.y(below + v))}" '
                f'width="{_n(width)}" height="{_n(p.y(below) - p.y(below + v))}" fill="{ROUTE_COLOURS[route]}"/>'
            )
            below += v
    pts = " ".join(f"{_n(p.x(i))},{_n(p.y(v))}" for i, v in enumerate(series["secondary_t"]))
    line = (
        f'<polyline class="secondary-line" points="{pts}" fill="none" stroke="{SECONDARY_COLOUR}" '
        f'stroke-width="1.6" stroke-dasharray="4 2"/>'
    )
    return (
        p.axes("End-of-life outflow in each year by route, and secondary material, t per year") + "".join(bars) + line
    )


def _legend(routes: list[str], y: float) -> str:
    items = [(route.replace("_", " "), ROUTE_COLOURS[route], "rect") for route in routes]
    items += [("stock in use", STOCK_COLOUR, "line"), ("secondary material", SECONDARY_COLOUR, "dash")]
    out, x = [], LEFT
    for label, colour, kind in items:
        if kind == "rect":
            out.append(f'<rect x="{_n(x)}" y="{_n(y - 8)}" width="12" height="9" fill="{colour}"/>')
        else:
            dash = ' stroke-dasharray="4 2"' if kind == "dash" else ""
            out.append(
                f'<line x1="{_n(x)}" x2="{_n(x + 12)}" y1="{_n(y - 4)}" y2="{_n(y - 4)}" stroke="{colour}" '
                f'stroke-width="2"{dash}/>'
            )
        out.append(f'<text x="{_n(x + 16)}" y="{_n(y)}">{esc(label)}</text>')
        x += 22 + 6.2 * len(label)
    return f'<g class="stocks-legend">{"".join(out)}</g>'


def chart_svg(series: dict, uid: str, title: str) -> str:
    """The two-panel chart of one factory's in-use series (years, stock_t, outflow_t by route, secondary_t)."""
    height = TOP + 2 * PANEL_HEIGHT + GAP + BOTTOM
    uid = re.sub(r"[^A-Za-z0-9_-]", "_", uid) or "stocks"
    years = series["years"]
    desc = (
        f"Stock in use {years[0]}–{years[-1]} (line, t at the end of each year) and end-of-life outflow stacked by "
        f"route with secondary material (dashed line), t per year."
    )
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="stocks-svg" id="{uid}" role="img" '
        f'aria-labelledby="{uid}-title {uid}-desc" width="{_n(WIDTH)}" height="{_n(height)}" '
        f'viewBox="0 0 {_n(WIDTH)} {_n(height)}" font-family="{FONT}" font-size="{FONT_SIZE}" fill="{TEXT_COLOUR}">'
        f'<title id="{uid}-title">{esc(title)}</title><desc id="{uid}-desc">{esc(desc)}</desc>'
        f'<rect x="0" y="0" width="{_n(WIDTH)}" height="{_n(height)}" fill="#FFFFFF"/>'
    )
    body = _stock_panel(series) + _outflow_panel(series) + _legend(list(series["outflow_t"]), height - 18)
    return check_inert(f"{head}{body}</svg>")


#: The Sankey's destination for what is still in use at the end of the horizon (the routes are EOL_ROUTES).
IN_USE = "in_use"
#: Sankey colours: what is still in use as the stock line, each route as its bars above, materials grey; the bands
#: take their destination's colour, translucent.
DESTINATION_COLOURS = {IN_USE: STOCK_COLOUR, **ROUTE_COLOURS}
MATERIAL_COLOUR = OKABE_ITO["grey"]
BAND_OPACITY = 0.55
SANKEY_CLASS = "cycles-sankey-svg"


def destination_label(destination: str, end: int) -> str:
    return f"still in use at the end of {end}" if destination == IN_USE else destination.replace("_", " ")


def sankey_data(totals: list[dict], end: int) -> dict:
    """The layout's input (:func:`.sankey_layout.layout`): materials (left, put on the market) → destinations
    (right), links > 0 only. Masses are tonnes in the layout's ``mass_kg`` fields: it scales by mass, no unit."""
    nodes, links, ends = [], [], dict.fromkeys(DESTINATION_COLOURS, 0.0)
    for i, row in enumerate(totals):
        m = row["material"]
        nodes.append(
            {"id": f"m{i}", "kind": "material", "side": "in", "label": f"{m}: put on the market",
             "mass_kg": row["put_on_market_t"], "colour": MATERIAL_COLOUR}
        )  # fmt: skip
        for d, t in {IN_USE: row["in_use_end_t"], **row["by_route"]}.items():
            if t > 0:
                ends[d] += t
                flow = f"{m} → {destination_label(d, end)}"
                links.append(
                    {"source": f"m{i}", "target": f"d:{d}", "flow": flow, "mass_kg": t, "loop": False, "kind": "other"}
                )
    nodes += [
        {"id": f"d:{d}", "kind": "destination", "side": "out", "label": destination_label(d, end), "mass_kg": t,
         "colour": DESTINATION_COLOURS[d]}
        for d, t in ends.items() if t > 0
    ]  # fmt: skip
    return {"nodes": nodes, "links": links}


def _tonnes(t: float) -> str:
    return f"{fmt_num(t)} t"


def _in_tonnes(lay: Layout, data: dict, end: int) -> Layout:
    """The layout with each node's mass line in tonnes, this chart's colours and a one-line legend."""
    by_id = {n["id"]: n for n in data["nodes"]}
    nodes = tuple(
        replace(n, colour=by_id[n.id]["colour"], lines=(*n.lines[:-1], _tonnes(by_id[n.id]["mass_kg"])))
        for n in lay.nodes
    )
    links = tuple(replace(lk, colour=by_id[lk.target]["colour"], opacity=BAND_OPACITY) for lk in lay.links)
    note = f"band colour: where the material is at the end of {end} (still in use, or the end-of-life route)"
    legend = ((note, "", 0.0, *lay.legend[0][3:]),)
    return replace(lay, nodes=nodes, links=links, legend=legend)


def sankey(totals: list[dict], start: int, end: int, uid: str) -> str:
    """The horizon's Sankey of :func:`lca_engine.report.cycles_section.horizon_totals` ("" when nothing flows)."""
    data = sankey_data(totals, end)
    if not data["links"]:
        return ""
    title = f"Products put on the market {start}–{end} and where they are at the end of {end}, t"
    desc = (
        f"{len(totals)} material(s) put on the market {start}–{end} and {len(data['nodes']) - len(totals)} "
        f"destination(s) at the end of {end}, band widths proportional to mass in tonnes; for each material, put on "
        f"the market = still in use at the end of {end} + the end-of-life outflow of every route."
    )
    return draw(_in_tonnes(layout(data), data, end), uid, title, desc, css_class=SANKEY_CLASS, amount=_tonnes)


def to_svg(series: dict, uid: str, title: str) -> str:
    """The section's in-use figures: the two-panel chart (:func:`chart_svg`), then the horizon's Sankey
    (:func:`sankey`, id ``<uid>-sankey``) when the series carries ``horizon_totals``."""
    years = series["years"]
    totals = series.get("horizon_totals") or []
    return chart_svg(series, uid, title) + sankey(totals, years[0], years[-1], f"{uid}-sankey")
