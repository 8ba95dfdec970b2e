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
for col, ind in zip(cols, engine.HEADLINE, strict=False):
    better = int((df[f"{ind} change"] < 0).sum())
    col.metric(
        f"{ui.HEADLINE_LABELS[ind]} below baseline",
        f"{better} of {len(df)}",
        help=f"Micro-factories whose {engine.indicator_name(ind)} per FU is below their baseline's.",
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
    st.plotly_chart(charts.change_bars(df), key="change-bars", config={"displaylogo": False})
    st.caption("Relative change per functional unit; negative = less than the conventional baseline.")

st.subheader("Micro-factories")
table = df[["name", "sector", "site", "functional unit", "baseline", "baseline site"]].copy()
for ind in engine.HEADLINE:
    table[f"{ui.HEADLINE_LABELS[ind]} change"] = df[f"{ind} change"].map(ui.pct)
table["MCI"] = df["MCI"].map(lambda v: ui.fmt(v, 3))
st.dataframe(table, hide_index=True, width="stretch")
st.caption(
    "Change = (micro-factory − baseline) / baseline per functional unit: carbon in kg CO2e (AR5 GWP100, as DESNZ), "
    "energy delivered in kWh, water withdrawal in m³, process chemicals in kg. MCI: 0 = linear, 1 = circular."
)
with st.expander("Absolute values per functional unit"):
    absolute = df[["name"]].copy()
    for ind in engine.HEADLINE:
        unit = engine.indicator_unit(ind)
        absolute[f"{ui.HEADLINE_LABELS[ind]} micro ({unit})"] = df[f"{ind} micro"]
        absolute[f"{ui.HEADLINE_LABELS[ind]} baseline ({unit})"] = df[f"{ind} baseline"]
    st.dataframe(absolute, hide_index=True, width="stretch")
