"""Wales alignment: Well-being of Future Generations goals and National Indicators, the five ways of working,
Beyond Recycling targets and the Circular Economy Fund checklist — a pre-assessment with evidence."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from dashboard import charts, engine, ui
from lca_engine.wales import load_policy

C = charts.OKABE_ITO
NEUTRAL = "#555555"  # darker than Okabe–Ito grey, for legible text on white
#: direction / status → (marker text, colour). The marker carries the meaning; the colour only repeats it.
MARKS = {
    "better": ("▲ better", C["bluish_green"]),
    "worse": ("▼ worse", C["vermillion"]),
    "contributes": ("● contributes", C["blue"]),
    "no contribution": ("○ no contribution", NEUTRAL),
    "no change": ("= no change", NEUTRAL),
    "not stated": ("? not stated", NEUTRAL),
    "not assessed": ("– not assessed", NEUTRAL),
    "meets": ("✔ meets", C["bluish_green"]),
    "below": ("✘ below", C["vermillion"]),
    "above": ("✘ above", C["vermillion"]),
    "not yet": ("✘ not yet", C["vermillion"]),
    "no process waste stated": ("? no process waste stated", NEUTRAL),
    "met": ("✔ met", C["bluish_green"]),
    "not met": ("✘ not met", C["vermillion"]),
    "assessor's judgement": ("◆ assessor's judgement", C["blue"]),
}
COLOURS = {text: colour for text, colour in MARKS.values()}


def mark(status: str) -> str:
    return MARKS.get(status, (status, NEUTRAL))[0]


def colour_marks(v) -> str:
    c = COLOURS.get(v)
    return f"color: {c}; font-weight: 600" if c else ""


def missing(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA


def value(v, unit: str) -> str | None:
    """A shown figure, or None when there is none (the caller says 'not stated' or '—', never 0)."""
    if missing(v):
        return None
    return ui.pct(v, sign=False) if unit == "share" else ui.fmt(v)


def styled(df: pd.DataFrame, columns: list[str]):
    return df.style.map(colour_marks, subset=columns)


def count(help: str) -> st.column_config.Column:
    return st.column_config.NumberColumn(help=help, width="small")


def disagree(conflicts) -> str:
    """The 'sources disagree' cell of an entry: how many sources say otherwise (listed in the expander below)."""
    n = len(conflicts or ())
    return f"{n} source{'s disagree' if n != 1 else ' disagrees'} — see below" if n else "—"


def checked(ok: bool, read: str = "") -> str:
    return f"✔ read at the publisher{f' ({read})' if read else ''}" if ok else "to check"


DISAGREE_HELP = "Sources that give a different wording or number for this entry (inventories/wales_policy.toml)."


def disagreements(entries: list[tuple[str, list[str]]]) -> None:
    """An expander listing, per entry, every source that disagrees with it, as the policy file records them."""
    entries = [(name, c) for name, c in entries if c]
    if not entries:
        return
    with st.expander(f"Where sources disagree ({len(entries)} entr{'ies' if len(entries) > 1 else 'y'})"):
        for name, conflicts in entries:
            st.markdown(f"**{ui.literal(name)}**")
            st.markdown("\n".join(f"- {ui.literal(c)}" for c in conflicts))


st.title("Wales alignment")
st.caption(
    "Each micro-factory's results placed against the Well-being of Future Generations (Wales) Act 2015, the "
    "Beyond Recycling strategy and the Circular Economy Fund criteria, with the evidence for every row."
)
try:
    a, key = ui.current()
    port = engine.wales_portfolio(a, key)
    policy = load_policy()
except engine.LcaEngineError as exc:
    ui.show_error(exc, "The shipped inventories or the Welsh policy facts could not be read")
    st.stop()

# ------------------------------------------------------------------------------------------- portfolio
st.subheader("Portfolio", help=ui.HELP["wfg"])
table = pd.DataFrame(
    {
        "micro-factory": [engine.factory(a, f).name for f in port["factory"]],
        "sector": [engine.factory(a, f).sector for f in port["factory"]],
        "▲ better": port["measures_better"],
        "▼ worse": port["measures_worse"],
        "● contributes": port["contributions"],
        "? not stated": port["not_stated"],
        "Beyond Recycling met": [
            f"{m} of {n}" for m, n in zip(port["beyond_recycling_met"], port["beyond_recycling_checked"], strict=True)
        ],
        "CEF met": port["grant_criteria_met"],
        "CEF not met": port["grant_criteria_not_met"],
        "CEF not stated": port["grant_criteria_not_stated"],
    }
)


st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    column_config={
        "▲ better": count(help="Measures (each counted once) that are better than the baseline's."),
        "▼ worse": count(help="Measures that are worse than the baseline's."),
        "● contributes": count(help="Measures only the micro-factory states (e.g. renewable capacity on site)."),
        "? not stated": count(help="Measures the inventory does not state: not counted as 0."),
        "micro-factory": st.column_config.TextColumn(width="medium"),
        "Beyond Recycling met": st.column_config.TextColumn(help=ui.HELP["beyond_recycling"], width="small"),
        "CEF met": count(help="Circular Economy Fund criteria met. " + ui.HELP["cef"]),
        "CEF not met": count(help="Circular Economy Fund criteria not met."),
        "CEF not stated": count(help="Criteria the inventory gives no figure for."),
    },
)

fid = ui.factory_select(a)
try:
    w = engine.wales_alignment(a, key, fid)
except engine.LcaEngineError as exc:
    ui.show_error(exc, "The Wales alignment could not be computed")
    st.stop()
base = engine.baseline_of(a, fid)
st.caption(
    f"Against its baseline: {ui.literal(engine.factory(a, base).name) if base else 'none named'} · "
    f"DESNZ {a.year} background · "
    "▲/▼: the change is in the direction the goal asks for / against it (lower carbon, waste and virgin input are "
    "better; more jobs, skills and renewables are better)."
)

# ------------------------------------------------------------------------------------------- 1. WFG goals
st.subheader("1 · Well-being of Future Generations (Wales) Act 2015: goals", help=ui.HELP["wfg"])
wfg = w.wfg
goals = engine.wales_goals()
summary = []
for _, g in goals.iterrows():
    rows = wfg[wfg.goal_id == g["goal_id"]]
    g_entry = policy.goals.get(g["goal_id"], {})
    counts = rows["direction"].value_counts()
    summary.append(
        {
            "goal": g["goal"],
            "measures": len(rows),
            "▲ better": int(counts.get("better", 0)),
            "▼ worse": int(counts.get("worse", 0)),
            "● contributes": int(counts.get("contributes", 0)),
            "? not stated": int(counts.get(engine.NOT_STATED, 0)),
            "– not assessed": int(counts.get("not assessed", 0)),
            "goal wording": checked(g_entry.get("verified", False), str(g_entry.get("read", ""))),
            "sources disagree": disagree(g_entry.get("conflicts")),
        }
    )
st.dataframe(
    pd.DataFrame(summary),
    hide_index=True,
    width="stretch",
    column_config={
        "goal": st.column_config.TextColumn(help="The seven well-being goals, in the Act's order."),
        "goal wording": st.column_config.TextColumn(help="Whether the goal's description was read in the Act."),
        "sources disagree": st.column_config.TextColumn(help=DISAGREE_HELP),
    },
)
disagreements([(g.get("name", gid), g.get("conflicts", [])) for gid, g in policy.goals.items()])
empty = [s["goal"] for s in summary if not s["measures"]]
if empty:
    st.caption("No measure of an inventory maps to: " + "; ".join(empty) + ".")

shown = []
for _, r in wfg.iterrows():
    unit = r["unit"]
    micro = value(r["micro_factory"], unit)
    if micro is None:
        micro = r["stated"] or ("not assessed" if r["direction"] == "not assessed" else engine.NOT_STATED)
    has_figure = unit != "—"
    ni = r["national_indicator"]
    wording = r["indicator_wording"]
    if not missing(ni) and not r["indicator_checked"]:
        wording = "[wording to check] " + wording
    shown.append(
        {
            "goal": r["goal"],
            "NI": "—" if missing(ni) else f"NI {int(ni)}",
            "measure": r["measure"],
            "direction": mark(r["direction"]),
            "change": "—" if missing(r["relative_change"]) else ui.pct(r["relative_change"]),
            "micro-factory": micro,
            "baseline": value(r["baseline"], unit) or (engine.NOT_STATED if has_figure else "—"),
            "unit": unit,
            "National Indicator (wording)": wording or "—",
        }
    )
shown = pd.DataFrame(shown)
st.markdown("**Measures by goal and National Indicator**", help=ui.HELP["ni"])
st.dataframe(
    styled(shown, ["direction"]),
    hide_index=True,
    width="stretch",
    height="content",
    column_config={
        "goal": st.column_config.TextColumn(width="medium"),
        "NI": st.column_config.TextColumn(width="small", help=ui.HELP["ni"]),
        "measure": st.column_config.TextColumn(width="medium"),
        "direction": st.column_config.TextColumn(
            help="▲ better / ▼ worse than the baseline in the direction the goal asks for; ● the micro-factory "
            "contributes (the baseline does not state it)."
        ),
        "change": st.column_config.TextColumn(help="(micro-factory − baseline) / baseline"),
        "National Indicator (wording)": st.column_config.TextColumn(
            width="large", help="'[wording to check]': not yet read in the publisher's own text."
        ),
    },
)
st.caption(
    "A measure appears under every goal its National Indicator contributes to. 'not stated' = the inventory does "
    "not give the figure (never counted as 0); 'not assessed' = the engine cannot answer it from an inventory. "
    "'○ no contribution': stated, but nothing to count (e.g. no generating capacity on site)."
)
with st.expander("Evidence and sources of each measure"):
    ev = wfg.drop_duplicates(["measure", "national_indicator"])
    st.dataframe(
        pd.DataFrame(
            {
                "measure": ev["measure"],
                "NI": ["—" if missing(n) else f"NI {int(n)}" for n in ev["national_indicator"]],
                "evidence": ev["evidence"],
                "source": ev["source"],
            }
        ),
        hide_index=True,
        width="stretch",
        height="content",
    )

# ------------------------------------------------------------------------------------------- 2. ways of working
st.subheader("2 · Five ways of working", help=ui.HELP["ways"])
ways = w.ways.assign(
    wording=[
        checked(ok, str(policy.ways.get(i, {}).get("read", "")))
        for ok, i in zip(w.ways["checked"], w.ways["way_id"], strict=True)
    ],
    **{"sources disagree": [disagree(policy.ways.get(i, {}).get("conflicts")) for i in w.ways["way_id"]]},
)
st.dataframe(
    ways[["way", "what the Act asks", "wording", "sources disagree", "what the inventory states", "source"]],
    hide_index=True,
    width="stretch",
    column_config={
        "what the Act asks": st.column_config.TextColumn(width="large"),
        "wording": st.column_config.TextColumn(help="Whether the Act's text was read at the publisher."),
        "sources disagree": st.column_config.TextColumn(help=DISAGREE_HELP),
    },
)
disagreements([(wy.get("name", i), wy.get("conflicts", [])) for i, wy in policy.ways.items()])

# ------------------------------------------------------------------------------------------- 3. Beyond Recycling
st.subheader("3 · Beyond Recycling targets", help=ui.HELP["beyond_recycling"])
br = w.beyond_recycling
if br.empty:
    st.caption("No Beyond Recycling target in the policy file.")
else:
    has_base = "baseline_value" in br.columns
    rows = []
    for _, r in br.iterrows():
        unit = r["unit"]
        entry = policy.targets.get(r["target_id"], {})
        row = {
            "target": ("" if r["target_checked"] else "[to check] ") + r["target"],
            "basis": r["measure_label"],
            "micro-factory": value(r["factory_value"], unit) or engine.NOT_STATED,
            "status": mark(r["status"]),
        }
        if has_base:
            row |= {
                "baseline": value(r["baseline_value"], unit) or engine.NOT_STATED,
                "baseline status": mark(r["baseline_status"]),
            }
        row |= {
            "target value": "zero" if unit != "share" else value(r["target_value"], "share") or "—",
            "year": "—" if missing(r["year"]) else str(int(r["year"])),
            "in-house recovery, micro-factory": value(r["factory_in_house_recovery"], "share") or engine.NOT_STATED,
        }
        if has_base:
            row["in-house recovery, baseline"] = value(r["baseline_in_house_recovery"], "share") or engine.NOT_STATED
        row |= {
            "applies as": r["applies_as"],
            "target read": checked(r["target_checked"], r["target_read"]),
            "sources disagree": disagree(entry.get("conflicts")),
            "source": r["source"],
        }
        rows.append(row)
    recovery_help = "Material the factory returns to its own production through its loops (not in the recycling rate)."
    st.dataframe(
        styled(pd.DataFrame(rows), ["status", "baseline status"] if has_base else ["status"]),
        hide_index=True,
        width="stretch",
        column_config={
            "target": st.column_config.TextColumn(
                width="medium", help="'[to check]': the target was not read in the publisher's own text."
            ),
            "basis": st.column_config.TextColumn(width="medium", help=br["basis"].iloc[0]),
            "in-house recovery, micro-factory": st.column_config.TextColumn(help=recovery_help),
            "in-house recovery, baseline": st.column_config.TextColumn(help=recovery_help),
            "applies as": st.column_config.TextColumn(
                width="medium",
                help="Statutory municipal targets bind local authorities, not factories: shown as benchmarks.",
            ),
            "sources disagree": st.column_config.TextColumn(help=DISAGREE_HELP),
        },
    )
    st.caption("Basis, for both systems: " + br["basis"].iloc[0] + ".")
    disagreements(
        [(r["target"], policy.targets.get(r["target_id"], {}).get("conflicts", [])) for _, r in br.iterrows()]
    )

# ------------------------------------------------------------------------------------------- 4. CEF checklist
st.subheader("4 · Circular Economy Fund checklist", help=ui.HELP["cef"])
fund = w.fund_status
if fund:
    st.warning(
        f"**{ui.literal(fund['note'])}**  \n{ui.literal(fund['publisher'])}, {ui.literal(fund['title'])} "
        f"({ui.literal(fund['edition'])}): {ui.literal(fund['table'])} — {ui.literal(fund['url'])}",
        icon=":material/event_busy:",
    )
gr = w.grants
if gr.empty:
    st.caption("No Circular Economy Fund criterion in the policy file.")
else:
    schemes = sorted(set(gr["scheme"]) - {""})
    if schemes:
        st.caption("Scheme: " + "; ".join(schemes) + ".")
    counts = gr["status"].value_counts()
    cols = st.columns(4)
    for col, status in zip(cols, ("met", "not met", engine.NOT_STATED, "assessor's judgement"), strict=True):
        col.metric(mark(status), int(counts.get(status, 0)), border=True)
    st.dataframe(
        styled(
            pd.DataFrame(
                {
                    "criterion": [
                        ("" if ok else "[to check] ") + c
                        for c, ok in zip(gr["criterion"], gr["criterion_checked"], strict=True)
                    ],
                    "status": [mark(s) for s in gr["status"]],
                    "figure": [f or "—" for f in gr["figure"]],
                    "evidence": gr["evidence"],
                    "criterion read": [
                        checked(ok, str(rd or "")) for ok, rd in zip(gr["criterion_checked"], gr["read"], strict=True)
                    ],
                    "sources disagree": [
                        disagree(policy.criteria.get(i, {}).get("conflicts")) for i in gr["criterion_id"]
                    ],
                    "source": gr["source"],
                }
            ),
            ["status"],
        ),
        hide_index=True,
        width="stretch",
        height="content",
        column_config={
            "criterion": st.column_config.TextColumn(width="large", help="'[to check]': wording not yet verified."),
            "status": st.column_config.TextColumn(width="medium"),
            "sources disagree": st.column_config.TextColumn(help=DISAGREE_HELP),
        },
    )
    disagreements(
        [(c["text"], c.get("conflicts", [])) for i, c in policy.criteria.items() if i in set(gr["criterion_id"])]
    )

# ------------------------------------------------------------------------------------------- 5. disclaimer
st.subheader("5 · What this is, and what the inventory does not state")
st.info(w.disclaimer, icon=":material/info:")
if w.not_stated:
    st.markdown(f"**Not stated in the inventory ({len(w.not_stated)}):** " + ", ".join(f"`{n}`" for n in w.not_stated))
    st.caption(
        "The inventory's `[socio_economic]` section can state these fields, each with its source or assumption, "
        'e.g. `jobs_fte = { value = 12, source = "<source id>" }`; shares are fractions from 0 to 1.'
    )
else:
    st.caption("Every socio-economic field is stated in the inventory.")
