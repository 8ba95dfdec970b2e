"""Wales alignment: Well-being of Future Generations goals and National Indicators, the five ways of working,
Beyond Recycling targets and the Circular Economy Fund checklist — a pre-assessment with evidence.

A summary first (per micro-factory: measures by direction, Beyond Recycling, fund criteria by status, wording still
to check; the fund's status), then one tab per section for the chosen micro-factory, the measures in one expander
per goal. Every table is drawn with ``st.table``, whose cells wrap: nothing is cut."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import engine, ui
from dashboard import wales_view as wv

DISAGREE_HELP = "Sources that give a different wording or number for this entry (inventories/wales_policy.toml)."


def styled(df: pd.DataFrame, columns: list[str]):
    return df.style.map(wv.colour_marks, subset=columns)


def disagreements(entries: list[tuple[str, list[str]]]) -> None:
    """An expander listing, per entry, every source that disagrees with it, as the policy file records them."""
    entries = [(name, c) for name, c in entries if c]
    if not entries:
        return
    with st.expander(f"Where sources disagree ({len(entries)} entr{'ies' if len(entries) > 1 else 'y'})"):
        for name, conflicts in entries:
            st.markdown(f"**{ui.literal(name)}**")
            st.markdown("\n".join(f"- {ui.literal(c)}" for c in conflicts))


def fund_banner(fund: dict) -> None:
    if fund:
        st.warning(
            f"**{ui.literal(fund['note'])}**  \n{ui.literal(fund['publisher'])}, {ui.literal(fund['title'])} "
            f"({ui.literal(fund['edition'])}): {ui.literal(fund['table'])} — {ui.literal(fund['url'])}",
            icon=":material/event_busy:",
        )


st.title("Wales alignment")
st.caption(
    "Each micro-factory's results placed against the Well-being of Future Generations (Wales) Act 2015, the "
    "Beyond Recycling strategy and the Circular Economy Fund criteria, with the evidence for every row."
)
try:
    a, key = ui.current()
    port = engine.wales_portfolio(a, key)
    policy = engine.wales_policy()
    every = {f: engine.wales_alignment(a, key, f) for f in port["factory"]}
except engine.LcaEngineError as exc:
    ui.show_error(exc, "The shipped inventories or the Welsh policy facts could not be read")
    st.stop()

# ------------------------------------------------------------------------------------------- summary
st.subheader("Summary", help=ui.HELP["wfg"])
fund_banner(next(iter(every.values())).fund_status if every else {})
names = {f: engine.factory(a, f).name for f in port["factory"]}
st.table(wv.summary(port, every, names), hide_index=True)
st.caption(
    "Well-being measures: ▲ better · ▼ worse than the baseline · ● only the micro-factory states it · ? not stated. "
    "Circular Economy Fund criteria: ✔ met · ✘ not met · ◆ the assessor's judgement · ? no figure in the inventory. "
    "To check: policy wording not yet read in the publisher's own text."
)
with st.expander("What each column counts"):
    st.markdown("\n".join(f"- **{h}**: {text}" for h, text in wv.SUMMARY_HELP.items()))
if every:
    st.info(next(iter(every.values())).disclaimer, icon=":material/info:")

fid = ui.factory_select(a)
w = every.get(fid) or engine.wales_alignment(a, key, fid)
base = engine.baseline_of(a, fid)
st.caption(
    f"Against its baseline: {ui.literal(engine.factory(a, base).name) if base else 'none named'} · "
    f"DESNZ {a.year} background · "
    "▲/▼: the change is in the direction the goal asks for / against it (lower carbon, waste and virgin input are "
    "better; more jobs, skills and renewables are better)."
)
tabs = st.tabs(
    [
        "1 · Well-being goals",
        "2 · Five ways of working",
        "3 · Beyond Recycling targets",
        "4 · Circular Economy Fund checklist",
        f"5 · Not stated ({len(w.not_stated)})",
    ]
)

# ------------------------------------------------------------------------------------------- 1. WFG goals
with tabs[0]:
    st.subheader("1 · Well-being of Future Generations (Wales) Act 2015: goals", help=ui.HELP["wfg"])
    goals = wv.goal_summary(w.wfg, engine.wales_goals(), policy.goals)
    st.table(goals, hide_index=True)
    st.caption(
        "Goals in the Act's order; their measures by direction. Goal wording: whether the goal's description was "
        "read in the Act. " + DISAGREE_HELP
    )
    disagreements([(g.get("name", gid), g.get("conflicts", [])) for gid, g in policy.goals.items()])
    empty = [g for g, n in zip(goals["goal"], goals["measures"], strict=True) if not n]
    if empty:
        st.caption("No measure of an inventory maps to: " + "; ".join(empty) + ".")
    st.markdown("**Measures by goal and National Indicator**", help=ui.HELP["ni"])
    for _, rows in w.wfg.groupby("goal_id", sort=False):
        counts = " · ".join(f"{n} {wv.mark(d)}" for d, n in rows["direction"].value_counts().items())
        with st.expander(f"{rows['goal'].iloc[0]} — {len(rows)} measures: {counts}"):
            st.table(styled(wv.measure_rows(rows), ["direction"]), hide_index=True)
    st.caption(
        "A measure appears under every goal its National Indicator contributes to. 'not stated' = the inventory does "
        "not give the figure (never counted as 0); 'not assessed' = the engine cannot answer it from an inventory. "
        "'○ no contribution': stated, but nothing to count (e.g. no generating capacity on site). '[wording to "
        "check]': the National Indicator's wording was not yet read in the publisher's own text."
    )
    with st.expander("Evidence and sources of each measure"):
        st.table(wv.evidence_rows(w.wfg), hide_index=True)

# ------------------------------------------------------------------------------------------- 2. ways of working
with tabs[1]:
    st.subheader("2 · Five ways of working", help=ui.HELP["ways"])
    st.table(wv.ways_rows(w.ways, policy.ways), hide_index=True)
    st.caption("Wording: whether the Act's text was read at the publisher. " + DISAGREE_HELP)
    disagreements([(wy.get("name", i), wy.get("conflicts", [])) for i, wy in policy.ways.items()])

# ------------------------------------------------------------------------------------------- 3. Beyond Recycling
with tabs[2]:
    st.subheader("3 · Beyond Recycling targets", help=ui.HELP["beyond_recycling"])
    br = w.beyond_recycling
    if br.empty:
        st.caption("No Beyond Recycling target in the policy file.")
    else:
        figures, evidence = wv.target_rows(br, policy.targets)
        status = ["status", "baseline status"] if "baseline status" in figures.columns else ["status"]
        st.table(styled(figures, status), hide_index=True)
        st.caption(
            "Basis, for both systems: " + br["basis"].iloc[0] + ". '[to check]': the target was not read "
            "in the publisher's own text."
        )
        st.markdown("**How each target applies, and its evidence**")
        st.table(evidence, hide_index=True)
        st.caption(
            "In-house recovery: material the factory returns to its own production through its loops (not in the "
            "recycling rate). Statutory municipal targets bind local authorities, not factories: shown as "
            "benchmarks. " + DISAGREE_HELP
        )
        disagreements(
            [(r["target"], policy.targets.get(r["target_id"], {}).get("conflicts", [])) for _, r in br.iterrows()]
        )

# ------------------------------------------------------------------------------------------- 4. CEF checklist
with tabs[3]:
    st.subheader("4 · Circular Economy Fund checklist", help=ui.HELP["cef"])
    if w.fund_status:
        st.caption("Whether the fund accepts applications: the banner at the top of the page.")
    gr = w.grants
    if gr.empty:
        st.caption("No Circular Economy Fund criterion in the policy file.")
    else:
        schemes = sorted(set(gr["scheme"]) - {""})
        if schemes:
            st.caption("Scheme: " + "; ".join(schemes) + ".")
        counts = gr["status"].value_counts()
        for col, status in zip(st.columns(len(wv.FUND_STATUSES)), wv.FUND_STATUSES, strict=True):
            col.metric(wv.mark(status), int(counts.get(status, 0)), border=True)
        st.table(styled(wv.criteria_rows(gr, policy.criteria), ["status"]), hide_index=True)
        st.caption("'[to check]': the criterion's wording was not yet verified. " + DISAGREE_HELP)
        disagreements(
            [(c["text"], c.get("conflicts", [])) for i, c in policy.criteria.items() if i in set(gr["criterion_id"])]
        )

# ------------------------------------------------------------------------------------------- 5. not stated
with tabs[4]:
    st.subheader("5 · What this is, and what the inventory does not state")
    st.info(w.disclaimer, icon=":material/info:")
    if w.not_stated:
        st.markdown(
            f"**Not stated in the inventory ({len(w.not_stated)}):** " + ", ".join(f"`{n}`" for n in w.not_stated)
        )
        st.caption(
            "The inventory's `[socio_economic]` section can state these fields, each with its source or assumption, "
            'e.g. `jobs_fte = { value = 12, source = "<source id>" }`; shares are fractions from 0 to 1.'
        )
    else:
        st.caption("Every socio-economic field is stated in the inventory.")
