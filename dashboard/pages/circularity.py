"""Circular credentials: every figure of the micro-factory beside its baseline's (MCI, WBCSD CTI, ISO 59020, waste,
loops) with its unit and method note; the formula inputs; the auditable report."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import engine, ui, verdict_view

FIGURES, SECTIONS, WASTE_NOTE = engine.CIRCULARITY_FIGURES, engine.CIRCULARITY_SECTIONS, engine.WASTE_NOTE
LOOP_HEADERS, not_stated_reason = engine.LOOP_HEADERS, engine.not_stated_reason

#: The plain name of every figure, by section and key, from the one definition the report and CLI use too.
LABELS = {sec: {f.key: f.label for f in FIGURES if f.section == sec} for sec in SECTIONS}
#: Units as the report gives them → as shown.
UNITS = {"share": "%", "ratio (0-1)": "0 to 1 (1 = fully circular)"}
COLUMNS = ["figure", "micro-factory", "baseline", "difference", "unit", "method note"]
NO_DIFFERENCE = "—"
NOT_STATED = "not stated"
YIELD_POINTER = "project variant: recycled share × the MCI's E_C (see the note under the table)"
VARIANT = "_yield_adjusted"


def value_text(v, unit: str) -> str:
    """A figure as shown: a percentage for shares, four significant digits otherwise, 'not stated' for None."""
    if v is None:
        return NOT_STATED
    return ui.pct(v, sign=False) if unit == "share" else ui.fmt(v)


def difference_text(m, b, unit: str) -> str:
    """Micro-factory − baseline: percentage points for shares, the figure's unit otherwise (three significant
    digits, never '0' for a nonzero difference); '—' where a side does not state the figure."""
    numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (m, b))
    if not numbers:
        return NO_DIFFERENCE
    if unit == "share":
        return f"{ui.signed(100 * (m - b))} points"
    return ui.signed(m - b)


def method_note(key: str, ind: dict, base_ind: dict) -> str:
    """The formula, then the note of either side (the yield note is printed once, under the table)."""
    parts = [ind.get("formula") or base_ind.get("formula", "")]
    for who, d in (("", ind), ("baseline: ", base_ind)):
        note = (d.get("note") or "").replace(ui.YIELD_NOTE, "").strip()
        if d and d.get("value") is None:
            note = not_stated_reason(d)
        if note and (who + note) not in parts and note not in parts:
            parts.append(who + note)
    if key.endswith(VARIANT):
        parts.append(YIELD_POINTER)
    return " — ".join(p for p in parts if p)


def figure_row(key: str, label: str, ind: dict, base_ind: dict | None) -> dict:
    unit = ind.get("unit") or (base_ind or {}).get("unit") or ""
    return {
        "figure": label,
        "micro-factory": value_text(ind.get("value"), unit),
        "baseline": value_text(base_ind.get("value"), unit) if base_ind is not None else "— (no baseline)",
        "difference": difference_text(ind.get("value"), (base_ind or {}).get("value"), unit),
        "unit": UNITS.get(unit, unit) or "—",
        "method note": method_note(key, ind, base_ind or {}),
    }


def ordered_keys(section: dict) -> list[str]:
    """The section's figures, each project variant right after the method's figure it varies."""
    keys = [k for k, v in section.items() if isinstance(v, dict) and not k.endswith(VARIANT)]
    out = []
    for k in keys:
        out += [k] + ([k + VARIANT] if k + VARIANT in section else [])
    return out + [k for k in section if k.endswith(VARIANT) and k not in out]


def section_table(section: str, r: dict, rb: dict | None) -> pd.DataFrame:
    """One row per figure of a section, micro-factory and baseline side by side (labels from :data:`LABELS`)."""
    labels = LABELS[section]
    rows = [
        figure_row(k, labels.get(k, k.replace("_", " ")), r[section][k], rb[section].get(k, {}) if rb else None)
        for k in ordered_keys(r[section])
    ]
    return pd.DataFrame(rows, columns=COLUMNS)


def mci_table(r: dict, rb: dict | None) -> pd.DataFrame:
    m, mb = r["mci"], (rb or {}).get("mci")
    lfi = {"value": m["intermediate"].get("lfi"), "unit": "ratio (0-1)", "formula": m["formula"].get("LFI")}
    lfi_b = {"value": mb["intermediate"].get("lfi"), "unit": "ratio (0-1)"} if mb else None
    rows = [
        figure_row("mci", LABELS["mci"][""], m | {"formula": m["formula"].get("MCI")}, mb),
        figure_row("lfi", "Linear Flow Index (LFI): share flowing linearly", lfi, lfi_b),
    ]
    rows[1]["unit"] = "0 to 1 (1 = fully linear)"
    return pd.DataFrame(rows, columns=COLUMNS)


def loop_sum(report: dict, kind: str, key: str) -> float | None:
    vals = [lp[key] for lp in report["loops"] if lp.get("kind") == kind and lp.get(key) is not None]
    return sum(vals) if vals else None


def loops_summary(r: dict, rb: dict | None) -> pd.DataFrame:
    """Loop figures side by side: number of loops, what they return and their shares, per kind of loop."""
    figures = (
        ("material returned per FU (kg), material loops", "material", "returned_kg_per_fu", "kg per FU"),
        ("share of material inflow, material loops", "material", "share_of_material_inflow", "share"),
        ("water returned per FU (kg), water loops", "water", "returned_kg_per_fu", "kg per FU"),
        ("share of water used, water loops", "water", "share_of_water_use", "share"),
    )
    rows = [
        {
            "figure": "loops inside the factory",
            "micro-factory": str(len(r["loops"])),
            "baseline": str(len(rb["loops"])) if rb else "— (no baseline)",
            "difference": f"{len(r['loops']) - len(rb['loops']):+d}" if rb else NO_DIFFERENCE,
            "unit": "number",
            "method note": "reuse, recycling and water loops",
        }
    ]
    for label, kind, k, unit in figures:
        ind = {"value": loop_sum(r, kind, k), "unit": unit}
        row = figure_row("", label, ind, {"value": loop_sum(rb, kind, k)} if rb else None)
        rows.append(row | {"method note": f"sum over the {kind} loops, each loop's return counted once"})
    return pd.DataFrame(rows, columns=COLUMNS).replace({NOT_STATED: "no such loop"})


def loop_cell(key: str, unit: str, v) -> str:
    if key == "flows":
        return ", ".join(v or [])
    if v is None:
        return "—"
    if unit == "share":
        return ui.pct(v, sign=False)
    return ui.fmt(v) if isinstance(v, float) else str(v)


def loops_detail(r: dict, rb: dict | None) -> pd.DataFrame:
    """Every loop of both systems with the library's column headers; a share that does not apply to the loop's
    kind is '—'."""
    units = {key: unit for key, _, unit in LOOP_HEADERS}
    rows = [
        {"system": who} | {label: loop_cell(k, units.get(k, ""), lp.get(k)) for k, label in ui.LOOP_COLUMNS.items()}
        for who, rep in (("micro-factory", r), ("baseline", rb))
        for lp in (rep or {}).get("loops", [])
    ]
    return pd.DataFrame(rows)


def split_notes(df: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """The table without its method-note column, each figure marked with the number of its note, and the notes
    (each once, numbered): short rows that fit the page, the notes whole under the table."""
    markers, notes = verdict_view.footnotes(list(df["method note"]))
    table = df.drop(columns="method note")
    table["figure"] = [f + m for f, m in zip(table["figure"], markers, strict=True)]
    return table, notes


def show(df: pd.DataFrame, title: str) -> None:
    """A figure table drawn whole (``st.table``: every row, text wrapped), its method notes numbered below."""
    table, notes = split_notes(df)
    st.table(table, hide_index=True)
    if notes:
        with st.expander(f"Method notes, {title} [1]–[{len(notes)}]"):
            st.markdown("\n".join(f"{i}. {ui.literal(n)}" for i, n in enumerate(notes, 1)))


def input_text(v) -> str:
    if v is None:
        return NOT_STATED
    return ui.fmt(v) if isinstance(v, float) else str(v)


def inputs_table(section: str, r: dict, rb: dict | None) -> pd.DataFrame:
    """The formula inputs of every figure of a section, micro-factory and baseline side by side."""
    rows = []
    for k in ordered_keys(r[section]):
        mine = r[section][k].get("inputs") or {}
        theirs = (rb[section].get(k, {}).get("inputs") or {}) if rb else {}
        for name in dict.fromkeys([*mine, *theirs]):
            b = input_text(theirs.get(name)) if rb else "— (no baseline)"
            rows.append((LABELS[section].get(k, k), name.replace("_", " "), input_text(mine.get(name)), b))
    return pd.DataFrame(rows, columns=["figure", "input", "micro-factory", "baseline"])


st.title("Circular credentials")
a, key = ui.current_or_stop()
fid = ui.factory_select(a)
base = engine.baseline_of(a, fid)
r = engine.circularity(a, fid)
rb = engine.circularity(a, base) if base else None
st.caption(
    f"Micro-factory: {ui.literal(engine.factory(a, fid).name)} · baseline: "
    f"{ui.literal(engine.factory(a, base).name) if base else 'none named'} · every figure per functional unit, "
    "the two systems side by side. 'not stated': the inventory does not give it (the method note says why)."
)


def pair_cards(title: str, help_text: str, mine, theirs, share: bool) -> None:
    """A figure of both systems as two cards side by side, the difference as the micro-factory's delta."""
    st.markdown(f"**{title}**", help=help_text)
    unit = "share" if share else ""
    left, right = st.columns(2)
    left.metric(
        "micro-factory",
        value_text(mine, unit),
        delta=None if difference_text(mine, theirs, unit) == NO_DIFFERENCE else difference_text(mine, theirs, unit),
        help=f"{title}: micro-factory, the delta = micro-factory − baseline.",
        border=True,
    )
    right.metric("baseline", value_text(theirs, unit) if rb else "—", help=f"{title}: baseline.", border=True)


outflow = [(rep or {}).get("cti", {}).get("circular_outflow", {}).get("value") for rep in (r, rb)]
card_l, card_r = st.columns(2)
with card_l:
    pair_cards(
        "MCI (0 = linear, 1 = circular)",
        ui.HELP["mci"],
        r["mci"].get("value"),
        (rb or {}).get("mci", {}).get("value"),
        False,
    )
with card_r:
    pair_cards("% circular outflow (WBCSD CTI)", ui.HELP["cti"], outflow[0], outflow[1], True)

st.subheader(SECTIONS["mci"], help=ui.HELP["mci"])
show(mci_table(r, rb), "MCI")
st.subheader(SECTIONS["cti"], help=ui.HELP["cti"])
show(section_table("cti", r, rb), "CTI")
st.caption("Yield-adjusted rows (project variant, not WBCSD's or ISO's): " + ui.YIELD_NOTE)
st.subheader(SECTIONS["iso59020"], help=ui.HELP["iso"])
show(section_table("iso59020", r, rb), "ISO 59020")
st.subheader(SECTIONS["waste"], help=WASTE_NOTE)
show(section_table("waste", r, rb), "process waste")
st.caption(WASTE_NOTE)
st.subheader("Loops", help="Reuse, recycling and water loops inside each factory; each loop's return counted once.")
show(loops_summary(r, rb), "loops")
detail = loops_detail(r, rb)
if len(detail):
    st.table(detail, hide_index=True)
with st.expander("Formulas and inputs of every figure"):
    for section, title in (("cti", "CTI"), ("iso59020", "ISO 59020"), ("waste", "process waste")):
        st.markdown(f"**{title}**")
        st.table(inputs_table(section, r, rb), hide_index=True)
    st.table(pd.DataFrame(list(r["mci"].get("formula", {}).items()), columns=["MCI term", "formula"]), hide_index=True)
    for n in r["mci"].get("notes", []):
        st.caption("Note: " + ui.literal(n))
    st.caption(" · ".join(x for x in (r["mci"].get("method", ""), r["cti"]["method"], r["iso59020"]["method"]) if x))
with st.expander("Conventions"):
    st.markdown(r["conventions"])

st.subheader(
    "Auditable report",
    help="For grant assessors: every indicator, circularity with formula inputs, "
    "Sankey, mass balance, completeness, every source and assumption, software versions, SHA-256 of inputs.",
)
ui.report_downloads(a, key, fid, button_key="prepare-report", label="Prepare the report (HTML, PDF, JSON)", prefix="dl")
