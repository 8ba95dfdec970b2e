"""Portfolio: every micro-factory on a map of Wales, its headline change vs its baseline and its MCI."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, engine, ui, verdict_view

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
        f"Relative change per functional unit, {engine.SCOPE_LABELS[scope]}; negative = less than the conventional "
        "baseline."
    )

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
    "process chemicals in kg. " + verdict_view.VERDICT_HELP + " " + verdict_view.point_vs_mean() + " MCI: 0 = linear, "
    "1 = circular."
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
