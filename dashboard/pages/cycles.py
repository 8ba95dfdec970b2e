"""Material cycles: where the portfolio's products are over the years — in use, reused, recycled, composted,
burnt for energy or landfilled (in-use stocks on flodym, ``lca_engine.stocks``) — and which factory's waste could
replace another's virgin material within a road radius (industrial symbiosis, ``lca_engine.symbiosis``).

Reads the shipped examples or a folder of inventories; every number comes from the engine through
:mod:`dashboard.engine`, the tables here only sum and format its rows."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard import charts, engine, ui

SOURCES = ("shipped examples", "a folder of inventories")
#: Default match radius, km of road.
RADIUS_KM = 100.0
IN_USE = charts.IN_USE  # the Sankey's destination for what is still in use at the end of the years shown
#: What the products of each system are called on the page.
PLURAL = {
    engine.MICRO_FACTORY: "micro-factories",
    engine.BASELINE: "conventional baselines",
}  # the Sankey's destination for what is still in use at the end of the horizon

HELP = {
    "stock": "In-use stock: products sold and not yet out of use, in tonnes at the end of each year. Each year's "
    "inflow is the factory's annual output × the product's mass per functional unit; how long products stay in use "
    "follows the lifetime stated under the product (`[flows.lifetime]`), modelled with flodym's dynamic stock "
    "model. Products are sold through the year, so they enter the stock at mid-year.",
    "routes": "End-of-life routes from each inventory's `[end_of_use]`: collected for reuse (C_U), recycling "
    "(C_R), composting (C_C) or energy recovery (C_E); the rest (1 − C_U − C_R − C_C − C_E) is landfill or other "
    "disposal.",
    "secondary": "Secondary material: what comes back into use in Wales after use, " + engine.SECONDARY_FORMULA + " "
    "(E_C: the share of collected material that the recycling process turns into material).",
    "sankey": "Totals over the years chosen: everything put on the market (by material) equals what is still in "
    "use at the end plus what left use by each route.",
    "lifetime": "How long a product stays in use: a distribution (fixed, normal, lognormal or Weibull) with its "
    "mean, stated under the product with a cited source or a labelled engineering assumption.",
    "symbiosis": "Industrial symbiosis: one factory's waste replaces another factory's virgin material of the same "
    "material class. Each waste outflow goes to the nearest receivers first (road distance), each receiver is "
    "served by its nearest givers first; conventional baselines are left out (they are counterfactuals, not sites).",
    "radius": "Road distance within which two factories may exchange material, km (greater than 0). Road km = "
    "straight-line (great-circle) km × the road circuity factor.",
    "circuity": "Road circuity factor: road network distance / straight-line distance between two sites.",
    "class": "Material class: the kind of material a flow is (e.g. PP plastics), stated in the inventory "
    "(`material_class`) or read from its DESNZ material or waste factor; flows of an averaged DESNZ item (average "
    "plastics, metals, WEEE) stay unclassified rather than guessed.",
    "co2e": "kg CO2e per year (DESNZ, AR5 GWP100): virgin production avoided at the receiver, the giver's waste "
    "treatment avoided, road transport added (HGV, average laden), and net = avoided − added.",
}


# --- the inventories: the shipped examples or a folder -------------------------------------------------------------


def _folder_key(folder: str) -> str:
    """Changes whenever an inventory or sources file of the folder changes (size or modification time)."""
    files = sorted(Path(folder).glob("*.toml"))
    return "|".join(f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in files)


@st.cache_resource(show_spinner="Reading and checking the inventories…", max_entries=8)
def _inventories(folder: str, key: str) -> list:
    return [engine.load_checked(p) for p in engine.collect_files([folder])]


def inventories() -> tuple[str, str, list]:
    """(folder, cache key, checked inventories) of the source chosen; the page stops with the error in plain
    words if they cannot be read."""
    source = st.radio(
        "Inventories", SOURCES, horizontal=True, key="cy-source",
        help="The shipped example pairs, or every .toml inventory of a folder on this server.",
    )  # fmt: skip
    folder = str(engine.EXAMPLES)
    if source == SOURCES[1]:
        folder = st.text_input("Folder of inventories", key="cy-folder", placeholder="a folder of .toml inventories")
        if not folder.strip():
            st.info("Give a folder of TOML inventories (with the `sources.toml` they cite).")
            st.stop()
    try:
        key = engine.examples_fingerprint() if source == SOURCES[0] else _folder_key(folder)
        return folder, key, _inventories(folder, key)
    except engine.LcaEngineError as exc:
        ui.show_error(exc, "The inventories could not be read")
        st.stop()
    except OSError as exc:
        st.error(f"The folder could not be read: {ui.literal(exc.strerror or exc)}.")
        st.stop()


# --- in use: stocks, outflows, secondary material --------------------------------------------------------------------


@st.cache_data(show_spinner="Running the stock models (flodym)…", max_entries=64)
def _stocks(key: str, system: str, start: int, end: int, _items: list):
    return engine.in_use_stocks([c for c in _items if c.factory.system == system], start, end)


def horizon_totals(s) -> pd.DataFrame:
    """The Sankey's flows: per material, the stock still in use at the end of the horizon and the outflow by route
    summed over the horizon (t). Their sum per material is what was put on the market."""
    last = s.stocks[s.stocks["year"] == s.horizon.end].groupby("material", as_index=False)["stock_t"].sum()
    last = last.rename(columns={"stock_t": "t"}).assign(destination=IN_USE)
    routes = s.outflows.groupby(["material", "route"], as_index=False)["outflow_t"].sum()
    routes = routes.rename(columns={"route": "destination", "outflow_t": "t"})
    return pd.concat([last, routes], ignore_index=True)[["material", "destination", "t"]]


def _provenance(lifetime, sources: dict) -> str:
    if lifetime.source:
        src = sources.get(lifetime.source)
        return f"{lifetime.source}: {src.publisher}, {src.title}" if src else lifetime.source
    a = lifetime.assumption
    return f"assumption ({charts.fmt(a.low, 3)}–{charts.fmt(a.high, 3)} {lifetime.unit}): {a.reasoning}" if a else "n/a"


def lifetime_table(items: list, system: str) -> pd.DataFrame:
    """Every product sold with a lifetime: its distribution and where the figures come from."""
    rows = []
    for c in items:
        if c.factory.system != system:
            continue
        for flow in c.factory.flows:
            lt = flow.lifetime
            if lt is None:
                continue
            rows.append({
                "factory": c.factory.id, "product": flow.id, "material": flow.material or "not stated",
                "distribution": lt.distribution, "mean": charts.fmt(lt.mean, 3), "std": charts.fmt(lt.std, 3),
                "shape (Weibull k)": charts.fmt(lt.shape, 3),
                "average (L_av)": charts.fmt(lt.average, 3), "unit": lt.unit,
                "source or assumption": _provenance(lt, c.sources),
            })  # fmt: skip
    return pd.DataFrame(rows)


def stock_cards(s, totals: pd.DataFrame) -> None:
    put = totals["t"].sum()
    in_use = totals.loc[totals["destination"] == IN_USE, "t"].sum()
    landfill = totals.loc[totals["destination"] == "landfill", "t"].sum()
    secondary = s.secondary["secondary_t"].sum()
    first, last = s.horizon.start, s.horizon.end
    cards = (
        ("Put on the market", put, f"Products sold {first}–{last}, tonnes (annual output × product mass per year)."),
        ("Still in use", in_use, f"Tonnes still in use at the end of {last}. " + HELP["stock"]),
        ("Landfill or other", landfill, f"Tonnes out of use {first}–{last} not collected for any recovery route."),
        ("Secondary material", secondary, f"Tonnes available {first}–{last}. " + HELP["secondary"]),
    )
    for col, (label, value, text) in zip(st.columns(4), cards, strict=True):
        col.metric(label, f"{charts.fmt(value)} t", help=text, border=True)


def left_out(s) -> None:
    if not s.left_out:
        st.caption("Every product sold to the market is in these charts.")
        return
    st.markdown(f"**Not in these charts** ({len(s.left_out)} product{'s' if len(s.left_out) != 1 else ''}): "
                "listed here, never counted as zero.")  # fmt: skip
    st.markdown("\n".join(f"- {ui.literal(x.factory)}, product {ui.literal(x.product)}: {ui.literal(x.reason)}"
                          for x in s.left_out))  # fmt: skip


def image_downloads(figs: dict, key: str) -> None:
    """The charts as PNG or SVG: kaleido where a Chromium exists, else drawn without a browser (the Sankey then
    needs Chromium and is named)."""
    with st.expander("Chart images (PNG, SVG)"):
        fmt = st.radio("Image format", ["png", "svg"], horizontal=True, key="cy-img-format")
        if st.button("Render chart images", key="cy-render"):
            st.session_state[f"cy-images-{key}-{fmt}"] = engine.chart_images(figs, fmt)
        rendered = st.session_state.get(f"cy-images-{key}-{fmt}")
        if not rendered:
            return
        if rendered.need_chromium:
            st.warning("Drawn only with Chromium (`apt-get install -y chromium`, as root): "
                       + ", ".join(rendered.need_chromium) + ".")  # fmt: skip
        mime = "image/png" if fmt == "png" else "image/svg+xml"
        for col, (name, data) in zip(st.columns(max(1, len(rendered.files))), rendered.files.items(), strict=False):
            col.download_button(name, data, name, mime, key=f"cy-dl-{name}")


def in_use_section(folder: str, key: str, items: list) -> None:
    st.header("In use", help=HELP["stock"])
    c1, c2 = st.columns([1, 2])
    system = c1.radio("Products of", (engine.MICRO_FACTORY, engine.BASELINE), horizontal=True, key="cy-system",
                      format_func=PLURAL.get, help=ui.HELP["baseline"])  # fmt: skip
    first, last = c2.slider("Years", engine.STOCK_START, engine.STOCK_END, (engine.STOCK_START, engine.STOCK_END),
                            key="cy-years", help="Products enter the stock every year of this range.")  # fmt: skip
    try:
        s = _stocks(key, system, int(first), int(last), items)
    except engine.LcaEngineError as exc:
        ui.show_error(exc, "The stock model could not run")
        return
    if s.stocks.empty:
        st.info(f"No product of the {PLURAL[system]} has a lifetime and an annual output: nothing to model.")
        left_out(s)
        return
    totals = horizon_totals(s)
    stock_cards(s, totals)
    figs = {
        "stock_in_use": charts.stock_figure(s.stock_by_material()),
        "outflows_by_route": charts.outflow_figure(s.outflow_by_route()),
        "secondary_material": charts.secondary_figure(s.secondary_by_year()),
        "cycles_sankey": charts.cycles_sankey(totals, first, last),
    }
    left, right = st.columns(2)
    left.plotly_chart(figs["stock_in_use"], key="cy-stock", config={"displaylogo": False})
    right.plotly_chart(figs["outflows_by_route"], key="cy-outflow", config={"displaylogo": False})
    st.caption("Tonnes. " + HELP["routes"])
    st.subheader("Secondary material available", help=HELP["secondary"])
    st.plotly_chart(figs["secondary_material"], key="cy-secondary", config={"displaylogo": False})
    st.subheader(f"Where the products of {first}–{last} are at the end of {last}", help=HELP["sankey"])
    st.plotly_chart(figs["cycles_sankey"], key="cy-sankey", config={"displaylogo": False})
    image_downloads(figs, f"{key}-{system}-{first}-{last}")
    left_out(s)
    for note in s.notes:
        st.warning(ui.literal(note), icon=":material/info:")
    st.markdown("**Lifetimes and their sources**", help=HELP["lifetime"])
    st.table(lifetime_table(items, system), hide_index=True)  # long sources and reasoning wrap


# --- symbiosis ----------------------------------------------------------------------------------------------------


@st.cache_data(show_spinner="Matching waste to virgin inflows…", max_entries=64)
def _matches(folder: str, key: str, radius: float, year: int):
    return engine.symbiosis_matches([folder], radius, year=year)


def sites(items: list, matches: pd.DataFrame) -> pd.DataFrame:
    """One row per factory that is not a baseline and has a site: id, name, lat, lon and its role in the matches."""
    givers, receivers = set(matches["giver"]), set(matches["receiver"])
    roles = {(True, True): "giver and receiver", (True, False): "giver", (False, True): "receiver"}
    rows = [
        {"id": f.id, "name": f.name, "lat": f.site.lat, "lon": f.site.lon,
         "role": roles.get((f.id in givers, f.id in receivers), "no match")}
        for f in (c.factory for c in items) if f.system != engine.BASELINE and f.site
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=["id", "name", "lat", "lon", "role"])


def with_sites(matches: pd.DataFrame, where: pd.DataFrame) -> pd.DataFrame:
    at = where.set_index("id")
    out = matches.copy()
    for side in ("giver", "receiver"):
        out[f"{side}_lat"] = out[side].map(at["lat"])
        out[f"{side}_lon"] = out[side].map(at["lon"])
    return out


def _mci(before, after) -> str:
    return f"{charts.fmt(before, 3)} → {charts.fmt(after, 3)}"


def match_table(m: pd.DataFrame) -> pd.DataFrame:
    """What each match moves: who gives which flow to whom, its class and quality, t/yr and road km."""
    return pd.DataFrame({
        "giver": m["giver"], "giver flow": m["giver_flow"], "receiver": m["receiver"],
        "receiver flow": m["receiver_flow"], "class": m["material_class"],
        "quality (giver / receiver)": [f"{g or 'not stated'} / {r or 'not stated'}"
                                       for g, r in zip(m["giver_quality"], m["receiver_quality"], strict=True)],
        "t/yr": m["t_per_year"].map(charts.fmt), "road km": m["road_km"].map(lambda x: charts.fmt(x, 3)),
    })  # fmt: skip


def savings_table(m: pd.DataFrame) -> pd.DataFrame:
    """What each match changes: kg CO2e a year avoided and added, both factories' MCI before → after."""
    return pd.DataFrame({
        "giver → receiver": [f"{g} → {r}" for g, r in zip(m["giver"], m["receiver"], strict=True)],
        "virgin avoided": m["virgin_avoided_kg_co2e"].map(charts.fmt),
        "treatment avoided": m["treatment_avoided_kg_co2e"].map(charts.fmt),
        "secondary burden": m["secondary_burden_kg_co2e"].map(charts.fmt),
        "transport added": m["transport_added_kg_co2e"].map(charts.fmt),
        "net avoided": m["net_avoided_kg_co2e"].map(charts.fmt),
        "giver MCI": [_mci(b, a) for b, a in zip(m["giver_mci_before"], m["giver_mci_after"], strict=True)],
        "receiver MCI": [_mci(b, a) for b, a in zip(m["receiver_mci_before"], m["receiver_mci_after"], strict=True)],
    })  # fmt: skip


def circuity_note(c) -> None:
    text = (f"Road km = great-circle km × circuity {charts.fmt(c.value, 3)} (range {charts.fmt(c.low, 3)}–"
            f"{charts.fmt(c.high, 3)}), source {ui.literal(c.source)}: {ui.literal(c.where)}.")  # fmt: skip
    if c.checked:
        st.caption(f"{text} Checked at the publisher.", help=HELP["circuity"])
    else:
        st.warning(f"**Circuity: to check.** {text} {ui.literal(c.note)}", icon=":material/help:")


def symbiosis_cards(m: pd.DataFrame, radius: float) -> None:
    cards = (
        ("Matches", f"{len(m)}", f"Pairs of factories within {radius:g} km of road. " + HELP["symbiosis"]),
        ("Material exchanged", f"{charts.fmt(m['t_per_year'].sum())} t/yr", "Tonnes a year over every match."),
        ("Net CO2e avoided", f"{charts.fmt(m['net_avoided_kg_co2e'].sum())} kg/yr", HELP["co2e"]),
    )
    for col, (label, value, text) in zip(st.columns(3), cards, strict=True):
        col.metric(label, value, help=text, border=True)


def symbiosis_section(folder: str, key: str, items: list) -> None:
    st.header("Industrial symbiosis", help=HELP["symbiosis"])
    radius = st.number_input("Radius, km of road", min_value=0.1, max_value=1000.0, value=RADIUS_KM, step=10.0,
                             key="cy-radius", help=HELP["radius"])  # fmt: skip
    try:
        s = _matches(folder, key, float(radius), ui.year())
    except engine.LcaEngineError as exc:
        ui.show_error(exc, "The matches could not be computed")
        return
    m = s.matches
    symbiosis_cards(m, s.radius_km)
    where = sites(items, m)
    st.plotly_chart(charts.symbiosis_map(where, with_sites(m, where)), key="cy-map",
                    config={"displaylogo": False, "scrollZoom": True})  # fmt: skip
    st.caption("Lines from giver to receiver, width by tonnes a year. " + ui.ATTRIBUTION)
    if m.empty:
        st.info(f"No match within {s.radius_km:g} km of road: no waste outflow meets a virgin inflow of "
                "its material class that close. Widen the radius to look further.")  # fmt: skip
    else:
        st.markdown("**Matches**", help=HELP["class"])
        st.table(match_table(m), hide_index=True)
        st.markdown("**CO2e a year and circularity of each match**", help=HELP["co2e"])
        st.table(savings_table(m), hide_index=True)
        st.caption(f"CO2e in kg per year, DESNZ {s.year} (AR5 GWP100): " + HELP["co2e"].split(": ", 1)[1]
                   + " MCI (Ellen MacArthur Foundation, 2019) of each factory before → after this link alone.",
                   help=ui.HELP["mci"])  # fmt: skip
        with st.expander("Factors and notes of each match"):
            st.table(m[["giver", "giver_flow", "receiver", "receiver_flow", "factors", "notes"]], hide_index=True)
    circuity_note(s.circuity)
    st.caption(f"Caveat: {engine.SYMBIOSIS_WASTE_NOTE}; the treatment avoided is indicative.")
    with st.expander(f"Flows not classified ({len(s.unclassified)}): not matched", expanded=False):
        st.table(s.unclassified, hide_index=True)
        st.caption(HELP["class"])


st.title("Material cycles: products in use and industrial symbiosis")
folder, key, items = inventories()
tab_use, tab_symbiosis = st.tabs(["In use", "Symbiosis"])
with tab_use:
    in_use_section(folder, key, items)
with tab_symbiosis:
    symbiosis_section(folder, key, items)
