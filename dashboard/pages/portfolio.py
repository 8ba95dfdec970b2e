"""Portfolio: every micro-factory on a map of Wales, its headline change vs its baseline and its MCI."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, engine, ui

st.title("Portfolio: Welsh micro-factories vs conventional baselines")
try:
    a, key = ui.current()
    df = engine.portfolio(a)
    bases = engine.baseline_sites(a)
except engine.LcaEngineError as exc:
    ui.show_error(exc, "The shipped inventories could not be assessed")
    st.stop()

st.caption(
    f"{len(df)} micro-factories, each compared with the conventional baseline named in its inventory, per functional "
    f"unit, on the DESNZ {a.year} background.",
    help=ui.HELP["fu"],
)
mci_all = engine.portfolio_mci(df)
cols = st.columns(5)
n = len(df)
for col, ind in zip(cols, engine.HEADLINE, strict=False):
    better = {scope: int((df[f"{ind} change {scope}"] < 0).sum()) for scope in engine.SCOPES}
    col.metric(
        f"{ui.HEADLINE_LABELS[ind]} below baseline",
        " · ".join(f"{better[s]} of {n} {engine.SCOPE_LABELS[s]}" for s in engine.SCOPES),
        help=f"Micro-factories whose {engine.indicator_name(ind)} per FU is below their baseline's, at each scope."
        + ui.HELP["coverage"],
        border=True,
    )
cols[4].metric(
    "Portfolio MCI",
    ui.fmt(mci_all, 3),
    help=ui.HELP["mci"] + " Portfolio value: weighted by product mass per functional unit.",
    border=True,
)

left, right = st.columns([1, 1])
with left:
    st.subheader("Sites", help="Micro-factory sites from each inventory's [site]; baselines near Wales in grey.")
    st.plotly_chart(charts.map_figure(df, bases), key="map", config={"displaylogo": False, "scrollZoom": True})
    st.caption(ui.ATTRIBUTION)
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
        f"Relative change per functional unit, {engine.SCOPE_LABELS[scope]}; negative = less than the conventional "
        "baseline."
    )

st.subheader("Micro-factories")
table = df[["name", "sector", "site", "functional unit", "baseline", "baseline site"]].copy()
for ind in engine.HEADLINE:
    for scope in engine.SCOPES:
        table[f"{ui.HEADLINE_LABELS[ind]} change ({engine.SCOPE_LABELS[scope]})"] = df[f"{ind} change {scope}"].map(
            ui.pct
        )
table["MCI"] = df["MCI"].map(lambda v: ui.fmt(v, 3))
st.dataframe(table, hide_index=True, width="stretch")
st.caption(
    "Change = (micro-factory − baseline) / baseline per functional unit, at each scope (site; cradle to gate): "
    "carbon in kg CO2e (AR5 GWP100, as DESNZ), energy delivered in kWh, water withdrawal in m³, process chemicals "
    "in kg. MCI: 0 = linear, 1 = circular."
)
with st.expander("Absolute values per functional unit"):
    absolute = df[["name"]].copy()
    for ind in engine.HEADLINE:
        unit = engine.indicator_unit(ind)
        for scope in engine.SCOPES:
            where = f"{engine.SCOPE_LABELS[scope]}, {unit}"
            absolute[f"{ui.HEADLINE_LABELS[ind]} micro ({where})"] = df[f"{ind} micro {scope}"]
            absolute[f"{ui.HEADLINE_LABELS[ind]} baseline ({where})"] = df[f"{ind} baseline {scope}"]
    st.dataframe(absolute, hide_index=True, width="stretch")
