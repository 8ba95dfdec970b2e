"""Circular credentials: MCI, CTI and ISO 59020 with their formula inputs; the auditable report."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import engine, ui

st.title("Circular credentials")
a, key = ui.current_or_stop()
fid = ui.factory_select(a)
base = engine.baseline_of(a, fid)
r = engine.circularity(a, fid)
rb = engine.circularity(a, base) if base else None


def _inputs(d: dict) -> pd.DataFrame:
    return pd.DataFrame([(k, v) for k, v in (d or {}).items()], columns=["input", "value"]).astype({"value": str})


def _value(ind: dict, share: bool) -> str:
    v = ind.get("value")
    return ui.pct(v, sign=False) if share else ui.fmt(v, 3)


st.subheader("Material Circularity Indicator (MCI)", help=ui.HELP["mci"])
m = r["mci"]
c1, c2, c3 = st.columns(3)
c1.metric("MCI, micro-factory", ui.fmt(m.get("value"), 3), help=ui.HELP["mci"], border=True)
if rb:
    c2.metric("MCI, baseline", ui.fmt(rb["mci"].get("value"), 3), border=True)
c3.metric(
    "Linear Flow Index (LFI)",
    ui.fmt(m.get("intermediate", {}).get("lfi"), 3),
    help="Share of material flowing linearly (virgin in, unrecoverable waste out); MCI = 1 − LFI·F(X).",
    border=True,
)
with st.expander("MCI formula and inputs", expanded=False):
    st.dataframe(
        pd.DataFrame([(k, v) for k, v in m.get("formula", {}).items()], columns=["term", "formula"]),
        hide_index=True,
        width="stretch",
    )
    st.dataframe(_inputs(m.get("inputs")), hide_index=True, width="stretch")
    st.dataframe(_inputs(m.get("intermediate")), hide_index=True, width="stretch")
    for n in m.get("notes", []):
        st.caption("Note: " + ui.literal(n))
    st.caption(m.get("method", ""))

st.subheader("Circular Transition Indicators (WBCSD CTI v4)", help=ui.HELP["cti"])
cti = r["cti"]
names = {
    "circular_inflow": ("% circular inflow", True),
    "circular_outflow": ("% circular outflow", True),
    "material_circularity": ("% material circularity", True),
    "circular_material_productivity": ("Circular material productivity", False),
}
cols = st.columns(4)
for col, (k, (label, share)) in zip(cols, names.items(), strict=True):
    ind = cti.get(k, {})
    unit = "" if share else f" {ind.get('unit', '')}"
    col.metric(label, _value(ind, share) + unit, help=ind.get("formula"), border=True)
with st.expander("CTI formulas and inputs"):
    for k, (label, _) in names.items():
        ind = cti.get(k, {})
        st.markdown(f"**{label}** — `{ind.get('formula', '')}`")
        st.dataframe(_inputs(ind.get("inputs")), hide_index=True, width="stretch")
        if ind.get("note"):
            st.caption(ind["note"])

st.subheader("ISO 59020:2024 core indicators", help=ui.HELP["iso"])
rows = []
for k, ind in r["iso59020"].items():
    if not isinstance(ind, dict) or "value" not in ind:
        continue
    base_ind = rb["iso59020"].get(k, {}) if rb else {}
    rows.append(
        {
            "indicator": k.replace("_", " "),
            "micro-factory": ind.get("value"),
            "baseline": base_ind.get("value") if base_ind else None,
            "unit": ind.get("unit", ""),
            "formula": ind.get("formula", ""),
            "inputs": "; ".join(
                f"{a_}: {ui.fmt(v) if isinstance(v, float) else v}" for a_, v in ind.get("inputs", {}).items()
            ),
        }
    )
st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
st.caption(r["iso59020"].get("method", ""))

st.subheader("Loops and waste")
lc, wc = st.columns(2)
with lc:
    loops = pd.DataFrame(r["loops"])
    if len(loops):
        st.dataframe(loops, hide_index=True, width="stretch")
    else:
        st.caption("No reuse or recycling loop inside the factory.")
with wc:
    wrows = [
        {
            "indicator": k.replace("_", " "),
            "value": v.get("value"),
            "unit": v.get("unit", ""),
            "formula": v.get("formula", ""),
        }
        for k, v in r["waste"].items()
        if isinstance(v, dict)
    ]
    st.dataframe(pd.DataFrame(wrows), hide_index=True, width="stretch")
with st.expander("Conventions"):
    st.markdown(r["conventions"])

st.subheader(
    "Auditable report",
    help="For grant assessors: every indicator, circularity with formula inputs, "
    "Sankey, mass balance, completeness, every source and assumption, software versions, SHA-256 of inputs.",
)
ui.report_downloads(a, key, fid, button_key="prepare-report", label="Prepare the report (HTML, PDF, JSON)", prefix="dl")
