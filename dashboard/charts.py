"""Plotly figures of the dashboard and the formats and palette they share (colour-blind-safe Okabe–Ito).

No numbers are computed here: every value comes from :mod:`dashboard.engine`.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard import engine

#: Okabe & Ito (2008) colour-blind-safe palette, as in the report; a lighter grey for map markers and baselines.
OKABE_ITO = {"black": "#000000", **engine.OKABE_ITO, "grey": "#999999"}


MICRO = OKABE_ITO["blue"]


BASELINE = OKABE_ITO["orange"]


SECTOR_COLOURS = dict(
    zip(
        engine.SECTORS,
        [
            OKABE_ITO["reddish_purple"],
            OKABE_ITO["bluish_green"],
            OKABE_ITO["vermillion"],
            OKABE_ITO["blue"],
            OKABE_ITO["orange"],
            OKABE_ITO["sky_blue"],
        ],
        strict=True,
    )
)


HEADLINE_LABELS = engine.HEADLINE_LABELS


#: Height of the band kept free at the top of every chart for plotly's toolbar (it shows over whatever is there).
TOOLBAR_PX = 34

FONT = {"family": "DejaVu Sans, Arial, sans-serif", "size": 13, "color": "#222222"}


def fmt(x, sig: int = 4) -> str:
    """A number with ``sig`` significant digits (thousands separated), 'n/a' for missing."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "n/a"
    x = float(x)
    if x == 0:
        return "0"
    if abs(x) < 1e-3 or abs(x) >= 1e15:
        return f"{x:.{sig}g}"
    decimals = max(0, sig - 1 - math.floor(math.log10(abs(x))))
    return f"{x:,.{decimals}f}"


def pct(x, sign: bool = True, decimals: int = 1) -> str:
    """A share in %, ``decimals`` after the point; a nonzero share that would round to 0 gets two significant
    digits instead ('+0.0042%'), never '0.0%'."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "n/a"
    v = 100 * float(x)
    plus = "+" if sign else ""
    if v != 0 and abs(v) < 0.5 * 10**-decimals:
        return f"{v:{plus}.2g}%"
    return f"{v:{plus}.{decimals}f}%"


def signed(x, sig: int = 3) -> str:
    """A difference with its sign and ``sig`` significant digits ('-2.14', '+0.0343', '+3.4e-05'): never '0' unless
    it is exactly 0; 'n/a' for missing. The one format of every difference the dashboard shows."""
    if x is None or not math.isfinite(float(x)):
        return "n/a"
    x = float(x)
    if x == 0:
        return "0"
    return ("-" if x < 0 else "+") + fmt(abs(x), sig)


def change(relative, difference, unit: str = "", sig: int = 3) -> str:
    """'-64.8% · -2.14 kg CO2e': the relative change (left out where the baseline is 0) and the difference."""
    diff = signed(difference, sig) + (f" {unit}" if unit and difference == difference else "")
    if relative is None or not math.isfinite(float(relative)):
        return diff
    return f"{pct(relative)} · {diff}"


def _layout(fig: go.Figure, height: int = 420, **kw) -> go.Figure:
    fig.update_layout(
        height=height,
        font=FONT,
        paper_bgcolor="#FFFFFF",
        plot_bgcolor="#FFFFFF",
        margin={"l": 10, "r": 10, "t": TOOLBAR_PX + 50, "b": 10},
        **kw,
    )
    # the title starts below the chart's toolbar, never under it (set after ``title=…``, which would reset it)
    fig.update_layout(title_y=1 - TOOLBAR_PX / height, title_yanchor="top")
    fig.update_xaxes(gridcolor="#E5E5E5", zerolinecolor="#888888")
    fig.update_yaxes(gridcolor="#E5E5E5", zerolinecolor="#888888")
    return fig


@lru_cache(maxsize=1)
def wales_geojson() -> dict:
    return json.loads(engine.WALES_GEOJSON.read_text(encoding="utf-8"))


def static_map_figure(portfolio: pd.DataFrame, attribution: str) -> go.Figure:
    """The same sites on a plain lon/lat plot of the principal-area outlines: no WebGL and no tiles, so kaleido can
    export it (the interactive map uses ``scatter_map``, which needs WebGL). Equirectangular, with y stretched by
    1/cos(52.3°) so that Wales keeps its shape."""
    import math

    gj = wales_geojson()
    fig = go.Figure()
    xs: list[float | None] = []
    ys: list[float | None] = []
    for feature in gj["features"]:
        geom = feature["geometry"]
        polygons = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
        for polygon in polygons:
            for ring in polygon:
                xs += [p[0] for p in ring] + [None]
                ys += [p[1] for p in ring] + [None]
    fig.add_trace(
        go.Scatter(
            x=xs, y=ys, mode="lines", line={"color": "#7A7A7A", "width": 0.7}, fill="toself",
            fillcolor="#EEF3F7", hoverinfo="skip", showlegend=False,
        )
    )  # fmt: skip
    for sector, df in portfolio.groupby("sector", sort=True):
        fig.add_trace(
            go.Scatter(
                x=df["lon"], y=df["lat"], mode="markers", name=f"{sector} micro-factory",
                marker={"size": 14, "color": SECTOR_COLOURS.get(sector, OKABE_ITO["black"]),
                        "line": {"width": 1, "color": "white"}},
            )
        )  # fmt: skip
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x", scaleratio=1 / math.cos(math.radians(52.3)))
    fig.update_layout(
        width=800, height=900, plot_bgcolor="white", paper_bgcolor="white", font=FONT,
        margin={"l": 10, "r": 10, "t": 10, "b": 60},
        legend={"x": 0.99, "y": 0.55, "xanchor": "right", "bgcolor": "rgba(255,255,255,0.85)"},
        annotations=[{"text": attribution, "xref": "paper", "yref": "paper", "x": 0, "y": -0.06,
                      "showarrow": False, "font": {"size": 9, "color": "#555555"}, "align": "left"}],
    )  # fmt: skip
    return fig


def map_figure(portfolio: pd.DataFrame, bases: pd.DataFrame) -> go.Figure:
    """Micro-factory sites on an offline map of Wales (white background + principal-area outlines)."""
    gj = wales_geojson()
    fig = go.Figure()
    for sector, df in portfolio.groupby("sector", sort=True):
        hover = [
            f"<b>{r['name']}</b><br>{r['site']}<br>sector: {sector}<br>"
            + "<br>".join(
                f"{HEADLINE_LABELS[i]}: "
                + " · ".join(f"{pct(r[f'{i} change {s}'])} {engine.SCOPE_LABELS[s]}" for s in engine.SCOPES)
                for i in engine.HEADLINE
            )
            + "<br>(change vs baseline)"
            + f"<br>MCI: {fmt(r['MCI'], 3)}"
            for _, r in df.iterrows()
        ]
        fig.add_trace(
            go.Scattermap(
                lat=df["lat"],
                lon=df["lon"],
                mode="markers",
                marker={"size": 16, "color": SECTOR_COLOURS.get(sector, OKABE_ITO["black"]), "opacity": 0.95},
                name=f"{sector} micro-factory",
                text=hover,
                hoverinfo="text",
            )
        )
    for name, sites in baseline_groups(bases).items():
        fig.add_trace(
            go.Scattermap(
                lat=sites["lat"],
                lon=sites["lon"],
                mode="markers",
                marker={"size": 10, "color": OKABE_ITO["grey"], "opacity": 0.95},
                name=name,
                text=[f"<b>baseline</b>: {r['name']}<br>for {r['for']}" for _, r in sites.iterrows()],
                hoverinfo="text",
            )
        )
    fig.update_layout(
        map={
            "style": "white-bg",
            "center": {"lat": 52.35, "lon": -3.55},
            "zoom": 6.2,
            "layers": [
                {"source": gj, "type": "fill", "color": "#EEF3F7", "below": "traces"},
                {"source": gj, "type": "line", "color": "#7A7A7A", "line": {"width": 0.8}, "below": "traces"},
            ],
        },
        height=560 + LEGEND_PX,
        margin={"l": 0, "r": 0, "t": TOOLBAR_PX, "b": LEGEND_PX},
        font=FONT,
        legend={"x": 0, "y": 0, "yanchor": "top", "bgcolor": "rgba(255,255,255,0)"},  # under the map, over no site
    )
    return fig


#: Baseline sites the map of Wales draws: near Wales (lat, lon box); those outside Wales lie in England, which the
#: map does not draw — the legend says so.
NEAR_WALES = {"lat": (50.5, 54.5), "lon": (-6.0, -1.0)}
BASELINE_IN_WALES = "baseline site in Wales (conventional)"
BASELINE_IN_ENGLAND = "baseline site in England (east of Wales; England not drawn)"
#: Room under the map for its legend (one line per sector and baseline group).
LEGEND_PX = 190


def baseline_groups(bases: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The baseline sites near Wales by where they are (legend name → rows); baselines further away are left out
    (the caption under the map names them)."""
    from lca_engine.geo import point_in_wales

    near = bases.dropna(subset=["lat", "lon"])
    near = near[near.lat.between(*NEAR_WALES["lat"]) & near.lon.between(*NEAR_WALES["lon"])]
    inside = np.array([point_in_wales(r.lat, r.lon) for r in near.itertuples()], dtype=bool)
    groups = {BASELINE_IN_WALES: near[inside], BASELINE_IN_ENGLAND: near[~inside]} if len(near) else {}
    return {name: rows for name, rows in groups.items() if len(rows)}


def far_baselines(bases: pd.DataFrame) -> list[str]:
    """Names of the baseline sites too far from Wales for the map."""
    shown = pd.concat(list(baseline_groups(bases).values())) if baseline_groups(bases) else bases.iloc[:0]
    return [n for n in bases["name"] if n not in set(shown["name"])]


def change_bars(portfolio: pd.DataFrame, scope: str = engine.CRADLE_TO_GATE) -> go.Figure:
    """Headline relative change vs baseline per micro-factory at ``scope`` (negative = less than the baseline)."""
    fig = go.Figure()
    colours = [OKABE_ITO["black"], OKABE_ITO["orange"], OKABE_ITO["sky_blue"], OKABE_ITO["reddish_purple"]]
    for ind, colour in zip(engine.HEADLINE, colours, strict=True):
        fig.add_trace(
            go.Bar(
                y=engine.short_labels(portfolio),
                x=portfolio[f"{ind} change {scope}"] * 100,
                name=HEADLINE_LABELS[ind],
                orientation="h",
                marker_color=colour,
                hovertemplate="%{y}<br>" + HEADLINE_LABELS[ind] + ": %{x:+.1f} %<extra></extra>",
            )
        )
    _layout(
        fig,
        height=160 + 70 * len(portfolio),
        barmode="group",
        xaxis_title="% change vs baseline (− = less)",
        legend={"orientation": "h", "y": -0.3, "x": 0, "yanchor": "top"},
    )
    fig.update_layout(margin={"l": 10, "r": 10, "t": TOOLBAR_PX, "b": 120})
    fig.update_yaxes(autorange="reversed")
    return fig


def contribution_figure(parts: dict[str, pd.DataFrame], by: str, unit: str, title: str) -> go.Figure:
    """Horizontal bars of contributions (micro-factory and baseline side by side)."""
    fig = go.Figure()
    for (who, df), colour in zip(parts.items(), [MICRO, BASELINE], strict=False):
        fig.add_trace(
            go.Bar(
                y=df[by].astype(str),
                x=df["value"],
                name=who,
                orientation="h",
                marker_color=colour,
                customdata=np.stack([df["share"] * 100], axis=-1),
                hovertemplate="%{y}: %{x:.4g} " + unit + " (%{customdata[0]:.1f} %)<extra>" + who + "</extra>",
            )
        )
    n = sum(len(df) for df in parts.values())
    _layout(fig, height=160 + 26 * n, barmode="group", title=title, xaxis_title=f"{unit} per functional unit")
    fig.update_yaxes(autorange="reversed")
    return fig


def histogram(samples: np.ndarray, unit: str, title: str) -> go.Figure:
    fig = go.Figure(
        go.Histogram(
            x=samples,
            nbinsx=50,
            marker_color=MICRO,
            opacity=0.85,
            name="micro-factory − baseline",
            hovertemplate="%{x}: %{y} draws<extra></extra>",
        )
    )
    fig.add_vline(x=0, line_color=OKABE_ITO["vermillion"], line_dash="dash", annotation_text="no difference")
    _layout(fig, height=360, title=title, xaxis_title=f"micro-factory − baseline ({unit} per FU)", yaxis_title="draws")
    return fig


def sobol_figure(df: pd.DataFrame, title: str) -> go.Figure:
    labels = [engine.parameter_label(p) for p in df["parameter"]]
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            y=labels,
            x=df["ST"],
            name="ST (total)",
            orientation="h",
            marker_color=OKABE_ITO["blue"],
            error_x={"type": "data", "array": df["ST_conf"], "color": "#555555"},
        )
    )
    fig.add_trace(
        go.Bar(
            y=labels,
            x=df["S1"],
            name="S1 (first order)",
            orientation="h",
            marker_color=OKABE_ITO["sky_blue"],
            error_x={"type": "data", "array": df["S1_conf"], "color": "#555555"},
        )
    )
    _layout(fig, height=140 + 48 * len(df), barmode="group", title=title, xaxis_title="Sobol index (share of variance)")
    fig.update_yaxes(autorange="reversed")
    return fig


def scenario_figure(comp: pd.DataFrame, indicators: list[str]) -> go.Figure:
    """Micro-factory and baseline, as written and under the what-if scenario, relative to the baseline as written."""
    fig = go.Figure()
    styles = {
        ("default", "micro"): (MICRO, "", "micro-factory, as written"),
        ("dashboard-what-if", "micro"): (MICRO, "/", "micro-factory, scenario"),
        ("default", "base"): (BASELINE, "", "baseline, as written"),
        ("dashboard-what-if", "base"): (BASELINE, "/", "baseline, scenario"),
    }
    ref = comp[comp.scenario == "default"].set_index("indicator")["baseline_value"]
    for (sc, who), (colour, pattern, name) in styles.items():
        sel = comp[comp.scenario == sc].set_index("indicator").reindex(indicators)
        vals = sel["micro_factory" if who == "micro" else "baseline_value"] / ref.reindex(indicators) * 100
        fig.add_trace(
            go.Bar(
                x=[HEADLINE_LABELS.get(i, i) for i in indicators],
                y=vals,
                name=name,
                marker={"color": colour, "pattern": {"shape": pattern}},
                hovertemplate="%{x}: %{y:.1f} % of the baseline as written<extra>" + name + "</extra>",
            )
        )
    _layout(
        fig,
        height=420,
        barmode="group",
        title="Relative to the baseline as written (= 100 %)",
        yaxis_title="% of baseline as written",
    )
    return fig


# --- a portfolio run folder: aggregates and maps that stay readable at thousands of factories ---

#: A colour bar under a map, so that the map keeps the column's whole width.
COLORBAR_BELOW = {"orientation": "h", "y": 0, "yanchor": "top", "x": 0, "xanchor": "left", "len": 0.6, "thickness": 12}
#: The map of Wales every portfolio-run map uses (offline: white background, the principal areas as layers).
WALES_MAP = {"style": "white-bg", "center": {"lat": 52.35, "lon": -3.55}, "zoom": 6.2}


def _wales_map(fig: go.Figure, height: int = 560) -> go.Figure:
    gj = wales_geojson()
    layers = [
        {"source": gj, "type": "fill", "color": "#EEF3F7", "below": "traces"},
        {"source": gj, "type": "line", "color": "#7A7A7A", "line": {"width": 0.8}, "below": "traces"},
    ]
    fig.update_layout(
        map={**WALES_MAP, "layers": layers}, height=height, font=FONT, margin={"l": 0, "r": 0, "t": TOOLBAR_PX, "b": 70}
    )
    return fig


def cell_map(cells: pd.DataFrame, km: float) -> go.Figure:
    """Sites counted per grid cell (``lca_engine.portfolio.view.site_cells``): one marker per cell, its area and
    colour by the number of sites (colour on a log scale: one crowded cell does not wash out the others) —
    readable at any number of factories, with no tiles."""
    most = max(1, int(cells["sites"].max())) if len(cells) else 1
    ticks = [t for t in (1, 3, 10, 30, 100, 300, 1000, 3000, 10000) if t <= most] or [1]
    hover = [
        f"{s:,} site{'s' if s != 1 else ''} in this {km:g} km cell<br>{m:,} micro-factor{'ies' if m != 1 else 'y'}"
        for s, m in zip(cells["sites"], cells["micro-factories"], strict=True)
    ]
    colorbar = {**COLORBAR_BELOW, "title": {"text": f"sites per {km:g} km cell", "side": "top"},
                "tickvals": np.log10(ticks), "ticktext": [f"{t:,}" for t in ticks]}  # fmt: skip
    fig = go.Figure(
        go.Scattermap(
            lat=cells["lat"], lon=cells["lon"], mode="markers", text=hover, hoverinfo="text",
            marker={"size": 7 + 17 * np.sqrt(cells["sites"] / most), "color": np.log10(cells["sites"]),
                    "cmin": 0, "cmax": max(np.log10(most), 0.5), "colorscale": "Viridis", "reversescale": True,
                    "opacity": 0.85, "colorbar": colorbar},
        )
    )  # fmt: skip
    return _wales_map(fig)


def area_map(aggregates: pd.DataFrame, count: str = "micro-factories") -> go.Figure:
    """Each principal area shaded by its number of micro-factories (aggregates by area; areas without any blank)."""
    rows = aggregates[aggregates["area"].isin([f["properties"]["name"] for f in wales_geojson()["features"]])]
    fig = go.Figure(
        go.Choroplethmap(
            geojson=wales_geojson(), featureidkey="properties.name", locations=rows["area"], z=rows[count],
            colorscale="Blues", marker={"opacity": 0.85, "line": {"width": 0.6, "color": "#555555"}},
            colorbar={**COLORBAR_BELOW, "title": {"text": count, "side": "top"}},
            hovertemplate="<b>%{location}</b><br>%{z} " + count + "<extra></extra>",
        )
    )  # fmt: skip
    return _wales_map(fig)


def group_bars(aggregates: pd.DataFrame, by: str, measure: str = "median change") -> go.Figure:
    """Per group (sector or area), the median relative change of each headline indicator vs the baseline (%)."""
    fig = go.Figure()
    colours = [OKABE_ITO["black"], OKABE_ITO["orange"], OKABE_ITO["sky_blue"], OKABE_ITO["reddish_purple"]]
    groups = [f"{g} ({n})" for g, n in zip(aggregates[by], aggregates["micro-factories"], strict=True)]
    for ind, colour in zip(engine.HEADLINE, colours, strict=True):
        fig.add_trace(
            go.Bar(
                y=groups, x=aggregates[f"{ind} {measure}"] * 100, name=HEADLINE_LABELS[ind], orientation="h",
                marker_color=colour, hovertemplate="%{y}<br>" + HEADLINE_LABELS[ind] + ": %{x:+.1f} %<extra></extra>",
            )
        )  # fmt: skip
    _layout(
        fig,
        height=160 + (22 if len(aggregates) <= 8 else 12) * len(engine.HEADLINE) * len(aggregates),
        barmode="group",
        xaxis_title=f"{measure}, % (− = less)",
        legend={"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom", "x": 0},
    )
    fig.update_layout(margin={"l": 10, "r": 10, "t": TOOLBAR_PX, "b": 110})
    fig.update_yaxes(autorange="reversed")
    return fig


# --- material cycles: in-use stocks, end-of-life outflows and industrial symbiosis ---

#: The Sankey's destination for what is still in use at the end of the years shown.
IN_USE = "in use"
#: Colours of what is still in use and of the end-of-life routes: the report's (one palette for both, Okabe–Ito).
ROUTE_COLOURS = {IN_USE: engine.STOCK_COLOUR, **engine.ROUTE_COLOURS}
#: Colours of materials in turn (a material's colour is the same in every chart of the page).
#: Vermillion (landfill in the routes) comes last, so that with up to eight materials none looks like landfill.
MATERIAL_COLOURS = [OKABE_ITO[k] for k in ("blue", "orange", "bluish_green", "reddish_purple", "sky_blue",
                                            "yellow", "grey", "black", "vermillion")]  # fmt: skip


def material_colours(materials) -> dict[str, str]:
    """Each material its Okabe–Ito colour, in sorted order (stable across charts and controls)."""
    return {m: MATERIAL_COLOURS[i % len(MATERIAL_COLOURS)] for i, m in enumerate(sorted(materials))}


def route_label(route: str) -> str:
    return route.replace("_", " ")


def hsl(hex_colour: str, lighten: float = 0.0) -> str:
    """A hex colour as a CSS ``hsl(h, s%, l%)`` string, its lightness moved ``lighten`` of the way to white (a
    valid colour for every plotly renderer and for kaleido: plotly's Sankey default exports black)."""
    import colorsys

    r, g, b = (int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    h, lightness, s = colorsys.rgb_to_hls(r, g, b)
    lightness += (1 - lightness) * lighten
    return f"hsl({round(h * 360)}, {round(s * 100)}%, {round(lightness * 100)}%)"


def _year_traces(fig: go.Figure, wide: pd.DataFrame, colours: dict[str, str], unit: str, area: bool) -> None:
    for column in wide.columns:
        values = wide[column].to_numpy(dtype=float)
        name = route_label(str(column))
        hover = [f"{name}, {y}: {fmt(v)} {unit}" for y, v in zip(wide.index, values, strict=True)]
        common = {"x": list(wide.index), "y": values, "name": name, "hovertext": hover, "hoverinfo": "text"}
        if area:
            fig.add_trace(go.Scatter(**common, mode="lines", stackgroup="one", line={"width": 0.8,
                                     "color": colours[column]}, fillcolor=colours[column]))  # fmt: skip
        else:
            fig.add_trace(go.Bar(**common, marker_color=colours[column]))


def stock_figure(wide: pd.DataFrame) -> go.Figure:
    """Stock in use (t) at the end of each year, stacked by material (``InUseStocks.stock_by_material()``)."""
    fig = go.Figure()
    _year_traces(fig, wide, material_colours(wide.columns), "t in use", area=True)
    _layout(fig, height=420, title="Stock in use by material (end of year)", yaxis_title="tonnes in use",
            xaxis_title="year", legend={"orientation": "h", "y": -0.2, "x": 0, "yanchor": "top"})  # fmt: skip
    return fig


def outflow_figure(wide: pd.DataFrame) -> go.Figure:
    """End-of-life outflow (t/year) stacked by route (``InUseStocks.outflow_by_route()``)."""
    fig = go.Figure()
    _year_traces(fig, wide, ROUTE_COLOURS, "t out of use", area=False)
    _layout(fig, height=420, barmode="stack", title="End-of-life outflows by route", yaxis_title="tonnes per year",
            xaxis_title="year", legend={"orientation": "h", "y": -0.2, "x": 0, "yanchor": "top"})  # fmt: skip
    return fig


def secondary_figure(wide: pd.DataFrame) -> go.Figure:
    """Secondary material available (t/year) by material (``InUseStocks.secondary_by_year()``)."""
    fig = go.Figure()
    _year_traces(fig, wide, material_colours(wide.columns), "t secondary material", area=False)
    _layout(fig, height=360, barmode="stack", title="Secondary material available", yaxis_title="tonnes per year",
            xaxis_title="year", legend={"orientation": "h", "y": -0.25, "x": 0, "yanchor": "top"})  # fmt: skip
    return fig


def cycles_sankey(totals: pd.DataFrame, first: int, last: int) -> go.Figure:
    """The horizon's totals: products put on the market by material → still in use at the end / each end-of-life
    route. ``totals``: columns material, destination ('in use' or a route), t (only flows > 0 are drawn)."""
    rows = totals[totals["t"] > 0]
    materials = sorted(rows["material"].unique())
    ends = [d for d in ROUTE_COLOURS if d in set(rows["destination"])]
    colours = material_colours(materials)
    put = rows.groupby("material")["t"].sum()
    ended = rows.groupby("destination")["t"].sum()
    labels = [f"{m}: {fmt(put[m])} t put on the market" for m in materials]
    labels += [f"{'still in use at the end of ' + str(last) if d == IN_USE else route_label(d)}: {fmt(ended[d])} t"
               for d in ends]  # fmt: skip
    index = {m: i for i, m in enumerate(materials)} | {d: len(materials) + i for i, d in enumerate(ends)}
    link_hover = [
        f"{html_escape(m)} → {route_label(d)}: {fmt(t)} t"
        for m, d, t in rows[["material", "destination", "t"]].itertuples(index=False)
    ]
    fig = go.Figure(
        go.Sankey(
            arrangement="snap",
            node={"label": [html_escape(x) for x in labels], "pad": 18, "thickness": 16,
                  "color": [hsl(colours[m]) for m in materials] + [hsl(ROUTE_COLOURS[d]) for d in ends],
                  "hovertemplate": "%{label}<extra></extra>"},
            link={"source": [index[m] for m in rows["material"]], "target": [index[d] for d in rows["destination"]],
                  "value": rows["t"].astype(float).tolist(), "color": [hsl(colours[m], 0.55) for m in rows["material"]],
                  "customdata": link_hover, "hovertemplate": "%{customdata}<extra></extra>"},
        )
    )  # fmt: skip
    _layout(fig, height=max(360, 60 * max(len(materials), len(ends)) + 120),
            title=f"Products put on the market {first}–{last} and where they are at the end of {last}")  # fmt: skip
    return fig


def html_escape(text) -> str:
    """User text for plotly, which reads labels as pseudo-HTML."""
    import html

    return html.escape(str(text))


#: Marker colours of a factory on the symbiosis map by its role in the matches.
SITE_ROLES = {
    "giver": OKABE_ITO["orange"],
    "receiver": OKABE_ITO["blue"],
    "giver and receiver": OKABE_ITO["reddish_purple"],
    "no match": OKABE_ITO["black"],
}


def symbiosis_map(sites: pd.DataFrame, matches: pd.DataFrame) -> go.Figure:
    """The symbiosis network on the offline map of Wales: one marker per factory (``sites``: id, name, lat, lon,
    role), one line per match from giver to receiver, its width by t/year (``matches``: the match table with the
    giver's and receiver's lat/lon added)."""
    fig = go.Figure()
    most = float(matches["t_per_year"].max()) if len(matches) else 1.0
    for i, m in enumerate(matches.itertuples(index=False)):
        text = (f"{html_escape(m.giver)} → {html_escape(m.receiver)}<br>{html_escape(m.material_class)}: "
                f"{fmt(m.t_per_year)} t/yr over {fmt(m.road_km, 3)} km of road")  # fmt: skip
        fig.add_trace(
            go.Scattermap(
                lat=[m.giver_lat, m.receiver_lat], lon=[m.giver_lon, m.receiver_lon], mode="lines",
                line={"width": 2 + 8 * m.t_per_year / most, "color": OKABE_ITO["bluish_green"]},
                name="match (width: t/yr)", legendgroup="match", showlegend=i == 0, text=[text, text],
                hoverinfo="text",
            )
        )  # fmt: skip
    for role, colour in SITE_ROLES.items():
        rows = sites[sites["role"] == role]
        if len(rows):
            fig.add_trace(
                go.Scattermap(
                    lat=rows["lat"], lon=rows["lon"], mode="markers", name=role,
                    marker={"size": 14 if role != "no match" else 10, "color": colour, "opacity": 0.9},
                    text=[f"<b>{html_escape(n)}</b><br>{role}" for n in rows["name"]], hoverinfo="text",
                )
            )  # fmt: skip
    _wales_map(fig, height=560 + 90)
    fig.update_layout(  # the legend under the map, shown even for one kind of marker
        showlegend=True,
        margin={"l": 0, "r": 0, "t": TOOLBAR_PX, "b": 90},
        legend={"x": 0, "y": 0, "yanchor": "top", "orientation": "h", "bgcolor": "rgba(255,255,255,0)"},
    )
    return fig
