"""Portfolio: the shipped examples — every micro-factory on a map of Wales, its headline change vs its baseline and
its MCI — or a portfolio run folder of any size (``lca-engine portfolio assess``): aggregates by sector and by
principal area, filters, a density map and a paged table of factories."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, engine, ui, verdict_view

SOURCES = ("shipped examples", "portfolio run folder")
#: Factories per page of the run's table.
PAGE_ROWS = 50
MAPS = ("sites per 10 km cell", "micro-factories per area")
#: Side of a map cell, km.
CELL_KM = 10.0


def examples_cards(a, df) -> None:
    st.caption(
        f"{len(df)} micro-factories, each compared with the conventional baseline named in its inventory, per "
        f"functional unit, on the DESNZ {a.year} background.",
        help=ui.HELP["fu"],
    )
    n = len(df)
    for scope in engine.SCOPES:
        st.markdown(
            f"**{engine.SCOPE_LABELS[scope].capitalize()}**: micro-factories below their baseline (point estimates)",
            help=ui.HELP["coverage"].strip(),
        )
        cols = st.columns(5)
        for col, ind in zip(cols, engine.HEADLINE, strict=False):
            below = int((df[f"{ind} change {scope}"] < 0).sum())
            col.metric(
                ui.HEADLINE_LABELS[ind].split()[0],  # 'Energy (delivered)' → 'Energy': the whole name is in the help
                f"{below} of {n}",
                help=f"Micro-factories whose {engine.indicator_name(ind)} per FU is below their baseline's (point "
                f"estimate), {engine.SCOPE_LABELS[scope]}: {below} of {n}." + ui.HELP["coverage"],
                border=True,
            )
        if scope == engine.SCOPES[0]:
            cols[4].metric(
                "Portfolio MCI",
                ui.fmt(engine.portfolio_mci(df), 3),
                help=ui.HELP["mci"] + " Portfolio value: weighted by product mass per functional unit.",
                border=True,
            )
    st.caption("The tables below give each micro-factory's verdict and how sure it is.")


def examples_map_and_bars(df, bases) -> None:
    left, right = st.columns([1, 1])
    with left:
        st.subheader("Sites", help="Micro-factory sites from each inventory's [site]; baselines near Wales in grey.")
        st.plotly_chart(charts.map_figure(df, bases), key="map", config={"displaylogo": False, "scrollZoom": True})
        far = charts.far_baselines(bases)
        st.caption(
            "Grey dots east of Wales: baseline sites in England (England is not drawn). "
            + (f"Not on this map (too far): {ui.literal('; '.join(far))}. " if far else "")
            + ui.ATTRIBUTION
        )
    with right:
        st.subheader("Headline change vs baseline", help=ui.HELP["baseline"])
        scope = st.radio(
            "Scope",
            engine.SCOPES,
            index=engine.SCOPES.index(engine.CRADLE_TO_GATE),
            format_func=engine.SCOPE_LABELS.get,
            horizontal=True,
            key="portfolio-scope",
            help=ui.HELP["coverage"].strip(),
        )
        st.plotly_chart(charts.change_bars(df, scope), key="change-bars", config={"displaylogo": False})
        st.caption(
            f"Relative change per functional unit, {engine.SCOPE_LABELS[scope]}; negative = less than the "
            "conventional baseline."
        )


def examples_tables(a, key, df) -> None:
    st.subheader("Micro-factories: change and verdict", help=verdict_view.VERDICT_HELP)
    try:
        tables = {scope: verdict_view.portfolio_verdicts(a, key, df, scope) for scope in engine.SCOPES}
    except engine.LcaEngineError as exc:
        ui.show_error(exc, "The Monte Carlo could not run")
        st.stop()
    for scope, table in tables.items():
        st.markdown(f"**{engine.SCOPE_LABELS[scope].capitalize()}**, change vs the baseline per functional unit")
        st.table(table, hide_index=True)
    st.caption(
        "Change = (micro-factory − baseline) / baseline per functional unit (the difference with its unit where the "
        "baseline is 0): carbon in kg CO2e (AR5 GWP100, as DESNZ), energy delivered in kWh, water withdrawal in m³, "
        "process chemicals in kg. " + verdict_view.VERDICT_HELP + " " + verdict_view.point_vs_mean() + " MCI: 0 = "
        "linear, 1 = circular."
    )
    st.markdown("**Which micro-factory is which**")
    st.table(verdict_view.who_is_who(df), hide_index=True)
    with st.expander("Absolute values per functional unit"):
        absolute = df[["name"]].copy()
        for ind in engine.HEADLINE:
            unit = engine.indicator_unit(ind)
            for scope in engine.SCOPES:
                where = f"{engine.SCOPE_LABELS[scope]}, {unit}"
                absolute[f"{ui.HEADLINE_LABELS[ind]} micro ({where})"] = df[f"{ind} micro {scope}"]
                absolute[f"{ui.HEADLINE_LABELS[ind]} baseline ({where})"] = df[f"{ind} baseline {scope}"]
        st.dataframe(absolute, hide_index=True, width="stretch")


def examples_page() -> None:
    try:
        a, key = ui.current()
        df = engine.portfolio(a)
        bases = engine.baseline_sites(a)
    except engine.LcaEngineError as exc:
        ui.show_error(exc, "The shipped inventories could not be assessed")
        st.stop()
    examples_cards(a, df)
    examples_map_and_bars(df, bases)
    examples_tables(a, key, df)


# --- a portfolio run folder ---


def run_view():
    folder = st.text_input(
        "Portfolio run folder",
        value=engine.PORTFOLIO_RUN,
        key="portfolio-folder",
        placeholder="the --out folder of lca-engine portfolio assess",
        help="The folder `lca-engine portfolio assess DIR --out FOLDER` wrote (portfolio_factories.parquet, "
        "portfolio_comparison.parquet …). `LCA_ENGINE_PORTFOLIO=FOLDER lca-engine dashboard` opens on it.",
    )
    if not folder.strip():
        st.info("Give the folder of a portfolio run: `lca-engine portfolio assess DIR --out FOLDER` writes one.")
        st.stop()
    try:
        return engine.portfolio_run(folder)
    except engine.LcaEngineError as exc:
        ui.show_error(exc, "The portfolio run could not be read")
        st.stop()


def run_filters(view):
    """The view as the filters leave it (an empty filter keeps everything)."""
    areas = sorted(set(view.factories["area"]) - {engine.OUTSIDE})
    areas += [engine.OUTSIDE] if engine.OUTSIDE in set(view.factories["area"]) else []
    c1, c2, c3 = st.columns(3)
    sectors = c1.multiselect("Sector", sorted(view.factories["sector"].unique()), key="pf-sectors", placeholder="all")
    chosen = c2.multiselect("Principal area", areas, key="pf-areas", placeholder="all")
    systems = c3.multiselect("System", engine.SYSTEMS, key="pf-systems", placeholder="all")
    return engine.filter_view(view, sectors or None, chosen or None, systems or None)


def monte_carlo_note(view) -> str:
    mc = view.monte_carlo()
    if mc is None:
        return "No Monte Carlo in this run (lca-engine portfolio assess --draws N adds one): point estimates only."
    how = ", ".join(f"{k} {v:,}" for k, v in mc.items())
    return f"P(better): each micro-factory against its baseline on the run's paired Monte Carlo ({how})."


def run_cards(view, shown, agg, scope) -> None:
    n = int(agg["micro-factories"].sum())
    year = f" on the DESNZ {view.year} background" if view.year else ""
    st.caption(
        f"Shown: {n:,} of {len(view.micro):,} micro-factories and {len(shown.factories) - len(shown.micro):,} of "
        f"{len(view.factories) - len(view.micro):,} baselines, each micro-factory compared with its own baseline per "
        f"functional unit{year}. Principal area from each site (ONS boundaries, 2013). " + monte_carlo_note(view),
        help=ui.HELP["fu"],
    )
    cols = st.columns(len(engine.HEADLINE))
    for col, ind in zip(cols, engine.HEADLINE, strict=True):
        below = int(agg[f"{ind} below"].sum())
        col.metric(  # "of n" in the label: "1,000 of 1,000" does not fit a card at 1280 px
            f"{ui.HEADLINE_LABELS[ind].split()[0]} (of {n:,})",
            f"{below:,}",
            help=f"Micro-factories shown whose {engine.indicator_name(ind)} per FU is below their baseline's (point "
            f"estimate), {engine.SCOPE_LABELS[scope]}: {below:,} of {n:,}.",
            border=True,
        )


def number_format(header: str) -> str:
    """Relative changes (%) with one decimal, P(better) with two, the rest with thousands separators."""
    return "%.1f" if "%" in header else "%.2f" if "P(" in header else "localized"


def number_columns(table, title: str = "") -> dict:
    """Column formats of a table; in an aggregate's table (``title``) the indicators' columns take its format."""
    counts = {"micro-factories", "annual output (FU per year)"}
    return {
        c: st.column_config.NumberColumn(format=number_format(c if c in counts else f"{c} {title}"))
        for c in table.columns
        if table[c].dtype.kind in "if"
    }


def run_aggregates(agg, by, scope) -> None:
    st.subheader("Aggregates", help="Over the micro-factories shown, each against its own baseline (point estimates).")
    tables = engine.run_measures(agg, by)
    for tab, (title, table) in zip(st.tabs(list(tables)), tables.items(), strict=True):
        tab.dataframe(
            table, hide_index=True, width="stretch", height=35 * (len(table) + 1) + 3,  # every group, no scrolling
            column_config=number_columns(table, title),
        )  # fmt: skip
    st.caption(
        f"Per {by}, {engine.SCOPE_LABELS[scope]}: how many micro-factories are below their baseline, the median "
        "relative change, and the change per year summed over the micro-factories (difference per FU × annual "
        "output; none where no annual output is stated)."
        + (" Annual output is summed by sector only: an area mixes functional units." if by == "area" else "")
    )


def run_bars(agg, by, scope) -> None:
    st.subheader(f"Median change by {by}", help=ui.HELP["baseline"])
    st.plotly_chart(charts.group_bars(agg, by), key="pf-group-bars", config={"displaylogo": False})
    st.caption(
        f"Median relative change per functional unit, {engine.SCOPE_LABELS[scope]}; negative = less than the "
        "baseline; (n) = micro-factories."
    )


def run_map(shown, scope) -> None:
    st.subheader("Where they are", help="Offline map of the 22 principal areas of Wales.")
    kind = st.radio("Map", MAPS, horizontal=True, key="pf-map")
    if kind == MAPS[0]:
        fig = charts.cell_map(engine.site_cells(shown.factories, CELL_KM), CELL_KM)
    else:
        fig = charts.area_map(engine.aggregate(shown, "area", scope))
    st.plotly_chart(fig, key="pf-map-figure", config={"displaylogo": False, "scrollZoom": True})
    outside = int((shown.factories["area"] == engine.OUTSIDE).sum())
    st.caption(
        (f"{outside:,} sites shown are outside Wales (baselines abroad) and not on this map. " if outside else "")
        + ui.ATTRIBUTION
    )


def run_table(shown, scope) -> None:
    st.subheader("Factories")
    table = engine.factory_table(shown, scope)
    labels = engine.run_columns()
    sortable = [c for c in table.columns if c in labels]
    c1, c2, c3 = st.columns([2, 1, 1])
    first = f"{engine.HEADLINE[0]} change"
    sort_by = c1.selectbox("Sort by", sortable, sortable.index(first), format_func=labels.get, key="pf-sort")
    descending = c2.toggle("Descending", key="pf-desc")
    pages = max(1, -(-len(table) // PAGE_ROWS))
    number = c3.number_input("Page", min_value=1, max_value=pages, value=1, step=1, key="pf-page")
    rows, pages = engine.table_page(table, sort_by, not descending, number, PAGE_ROWS)
    shown_rows = engine.run_display(rows)
    st.dataframe(shown_rows, hide_index=True, width="stretch", column_config=number_columns(shown_rows), key="pf-rows")
    start = (number - 1) * PAGE_ROWS
    st.caption(f"Page {number} of {pages}: factories {start + 1:,}–{start + len(rows):,} of {len(table):,}.")


def run_page() -> None:
    view = run_view()
    shown = run_filters(view)
    c1, c2 = st.columns(2)
    scope = c1.radio(
        "Scope", engine.SCOPES, index=engine.SCOPES.index(engine.CRADLE_TO_GATE), format_func=engine.SCOPE_LABELS.get,
        horizontal=True, key="pf-scope", help=ui.HELP["coverage"].strip(),
    )  # fmt: skip
    by = c2.radio("Group by", engine.GROUP_BY, horizontal=True, key="pf-by", format_func=lambda b: f"by {b}")
    agg = engine.aggregate(shown, by, scope)
    run_cards(view, shown, agg, scope)
    run_aggregates(agg, by, scope)
    left, right = st.columns([1, 1])
    with left:
        run_map(shown, scope)
    with right:
        run_bars(agg, by, scope)
    run_table(shown, scope)


st.title("Portfolio: Welsh micro-factories vs conventional baselines")
source = st.radio(
    "Portfolio",
    SOURCES,
    index=1 if engine.PORTFOLIO_RUN else 0,
    horizontal=True,
    key="portfolio-source",
    help="The six shipped example pairs, or the results of a portfolio run of any size (lca-engine portfolio assess).",
)
if source == SOURCES[0]:
    examples_page()
else:
    run_page()
