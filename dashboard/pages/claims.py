"""Claims & uncertainty: claim check, paired Monte Carlo of the difference, P(better), Sobol sensitivity."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, engine, ui, verdict_view

st.title("Claims & uncertainty")
a, key = ui.current_or_stop()
c1, c2, c3 = st.columns([5, 1, 1])
with c1:
    fid = ui.factory_select(a)
with c2:
    draws = st.number_input(
        "Monte Carlo draws", min_value=100, max_value=20_000, value=1000, step=500, key="draws", help=ui.HELP["draws"]
    )
with c3:
    seed = st.number_input(
        "Seed", min_value=0, max_value=2**31 - 1, value=1, step=1, key="seed", help="Same seed, same numbers."
    )
base = engine.baseline_of(a, fid)
try:
    mc = engine.monte_carlo(a, key, fid, draws=draws, seed=seed)
except engine.LcaEngineError as exc:
    ui.show_error(exc, "The Monte Carlo could not run")
    st.stop()

st.subheader("Claim check", help=ui.HELP["claims"])
verdict_view.show_claims(mc["claims"])
st.caption(
    f"Paired Monte Carlo of the micro-factory and its baseline alone, {mc['draws']:,} draws, seed {mc['seed']} (at "
    f"{engine.VERDICT_DRAWS:,} draws and seed {engine.VERDICT_SEED} the same draws as the verdict on the Factory and "
    "Portfolio pages and on page 1 of the report). 'Point change': the inventories as written; "
    "P(claim holds): over the draws. Claims from inventories/claims.toml (the briefing's "
    "figures, which no primary study backs) and any [[claims]] in the inventory, each at the scope(s) it names. "
    "Coverage: the lower of the two sides' (not assessable below the claim's threshold; the basis names the flows not "
    "characterised)." + ui.HELP["coverage"]
)

if not base:
    st.info("No baseline is named for this micro-factory: there is no difference to analyse.")
    st.stop()

st.subheader("Distribution of the difference micro-factory − baseline", help=ui.HELP["paired"])
ind = st.selectbox(
    "Indicator",
    engine.indicator_ids(),
    index=0,
    format_func=lambda i: f"{engine.indicator_name(i)} ({engine.indicator_unit(i)})",
    key="mc-indicator",
)
unit = engine.indicator_unit(ind)
diff = mc["difference"].set_index("indicator").loc[ind]
why = engine.not_assessable(a, fid, ind, engine.CRADLE_TO_GATE)
if why:
    st.warning(
        "Verdict: not assessable at this scope (cradle to gate) — the Factory page's verdict says the same: "
        f"{ui.literal(why)}. The draws below cover only the flows characterised, so P(better) and the interval "
        "describe that part of the system, not the whole.",
        icon=":material/warning:",
    )
st.caption(f"Micro-factory − baseline, cradle to gate, {unit} per FU, over the paired draws.")
m1, m2, m3, m4 = st.columns(4)
m1.metric("P(better)", ui.pct(diff["p_lower"], sign=False), help=ui.HELP["p_better"], border=True)
m2.metric(
    "Mean difference",
    ui.signed(diff["mean"], 4),
    border=True,
    help=f"Mean over the paired draws of micro-factory − baseline, {unit} per FU.",
)
m3.metric("2.5 % percentile", ui.signed(diff["p2_5"], 4), help=f"Lower end of the 95 % interval, {unit}.", border=True)
m4.metric(
    "97.5 % percentile", ui.signed(diff["p97_5"], 4), help=f"Upper end of the 95 % interval, {unit}.", border=True
)
point = engine.headline(a, fid).loc[(ind, engine.CRADLE_TO_GATE), "difference"]
st.caption(
    f"Point estimate of the difference (cradle to gate): {ui.signed(point, 4)} {unit} per FU. "
    + verdict_view.point_vs_mean(mc["draws"], mc["seed"])
    + " "
    + mc.get("solver", "")
)
st.plotly_chart(
    charts.histogram(
        mc["samples"][ind], unit, f"{engine.indicator_name(ind)}: micro-factory − baseline ({mc['draws']} paired draws)"
    ),
    key="mc-hist",
    config={"displaylogo": False},
)
with st.expander("All indicators: difference statistics"):
    st.dataframe(mc["difference"], hide_index=True, width="stretch")

st.subheader("What drives the difference? (Sobol sensitivity)", help=ui.HELP["sobol"])
s1, s2 = st.columns([1, 3])
with s1:
    run_sobol = st.toggle(
        "Compute Sobol indices",
        value=False,
        key="sobol-on",
        help="About 2 s per factory and indicator with 64 base samples (cached afterwards).",
    )
with s2:
    samples = st.select_slider(
        "Sobol base samples",
        options=[32, 64, 128, 256],
        value=64,
        key="sobol-samples",
        help="Saltelli base samples (a power of 2). 64 takes about 2 s; 256 about 8 s and narrows the intervals.",
    )
sob = None
if run_sobol:
    try:
        sob = engine.sobol(a, key, fid, ind, samples=samples, seed=seed)
    except engine.LcaEngineError as exc:
        ui.show_error(exc, "The sensitivity analysis could not run")
if sob is not None and len(sob):
    st.plotly_chart(
        charts.sobol_figure(sob, f"Top drivers of the difference in {engine.indicator_name(ind)}"),
        key="sobol",
        config={"displaylogo": False},
    )
    st.caption("Bars show the index; whiskers its 95 % confidence interval. Parameter: factory · process ← factor.")
elif sob is not None:
    st.caption("The difference does not vary in this indicator: no sensitivity to show.")
