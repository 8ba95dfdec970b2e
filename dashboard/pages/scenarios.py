"""Scenarios: what-if controls recomputed on the cached Brightway models (engine.scenario, engine.what_if_effects)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts, engine, ui


def cannot_act(table: pd.DataFrame, what: str) -> None:
    """One st.info per scenario parameter that cannot act on the inventories, naming them and the reason."""
    no = table[table["acts"] == "no"]
    for (scenario, parameter, note), group in no.groupby(["scenario", "parameter", "what it does"], sort=False):
        systems = " or ".join(ui.literal(n) for n in group["system"])
        st.info(
            f"{what or f'Scenario {scenario!r}'}: the {parameter} cannot act on {systems}: "
            f"{ui.literal(note.removeprefix('not applicable: '))}",
            icon=":material/block:",
        )


#: What the renewable slider does (lca_engine.scenarios: the grid electricity flows are split, share r on the
#: renewable tariff; the inventory's stated share in [socio_economic] is not used for carbon).
RENEWABLE_MEANS = (
    "The slider sets the share of every grid-electricity flow of the micro-factory AND its baseline bought on a "
    "renewable tariff. It replaces nothing in the carbon figures: as written, every kWh of grid electricity is "
    "counted at the DESNZ UK grid factor, so 0 reproduces the inventories as written. The renewable share an "
    "inventory states in [socio_economic] feeds only the ISO 59020 renewable-energy figure (Circular credentials), "
    "not the carbon."
)


def renewable_caption(stated: float | None) -> str:
    """Under the slider: what 0 means, and the share the inventory states (not in its carbon)."""
    said = (
        f"The inventory states a {ui.pct(stated, sign=False, decimals=0)} renewable share (ISO 59020 figure only); "
        "set the slider to it to count that share in the carbon too."
        if stated is not None
        else "The inventory states no renewable share."
    )
    return "0 = as written (all grid electricity at the UK grid factor), for both systems. " + said


st.title("Scenarios")
a, key = ui.current_or_stop()
fid = ui.factory_select(a)
st.caption(
    "Scenarios change the inventories in memory, never the files: the micro-factory and its baseline are "
    "recomputed under the settings below and compared with the inventories as written."
)
c1, c2 = st.columns(2)
with c1:
    grid = st.radio(
        "Grid electricity",
        ["DESNZ 2023", "DESNZ 2024", "DESNZ 2025", "custom intensity"],
        index=["DESNZ 2023", "DESNZ 2024", "DESNZ 2025"].index(f"DESNZ {a.year}"),
        horizontal=True,
        key="sc-grid",
        help="Background year of every DESNZ factor, or a user value for grid electricity only.",
    )
    custom = None
    scenario_year = a.year
    if grid == "custom intensity":
        custom = st.number_input(
            "Grid intensity (kg CO2e per kWh delivered)",
            min_value=0.0,
            max_value=1.5,
            value=round(engine.grid_intensity(a.year), 3),
            step=0.01,
            format="%.3f",
            key="sc-intensity",
        )
    else:
        scenario_year = int(grid.split()[-1])
    stated = engine.stated_renewable_share(a, fid)
    renewable = st.slider(
        "Share of grid electricity on a renewable tariff",
        0.0,
        1.0,
        0.0,
        0.05,
        key="sc-renewable",
        help=ui.HELP["renewable"] + " " + RENEWABLE_MEANS,
    )
    st.caption(renewable_caption(stated))
with c2:
    recycled = st.slider(
        "Recycled share of virgin materials",
        0.0,
        1.0,
        0.0,
        0.05,
        key="sc-recycled",
        help="Share of each virgin material replaced by closed-loop recycled material where DESNZ has a closed-loop "
        "factor for it; where it has none (e.g. clothing) the scenario cannot act, and the page says so.",
    )
    utilisation = st.slider(
        "Utilisation (output relative to the inventory's)",
        0.3,
        1.5,
        1.0,
        0.05,
        key="sc-utilisation",
        help="0.7 = 70 % of the inventory's output rate: fixed energy is spread over fewer units.",
    )
    fixed = st.slider(
        "Fixed share of process energy",
        0.0,
        1.0,
        0.3,
        0.05,
        key="sc-fixed",
        help="Share of energy that does not vary with output (used with utilisation): E·(f/u + 1 − f).",
    )
try:
    comp = engine.scenario(
        a,
        fid,
        scenario_year=scenario_year,
        electricity_intensity=custom,
        renewable_share=renewable,
        recycled_share=recycled,
        utilisation=utilisation,
        fixed_energy_share=fixed,
    )
except engine.LcaEngineError as exc:
    ui.show_error(exc, "The scenario could not be computed")
    st.stop()

acts = engine.what_if_effects(
    a,
    fid,
    scenario_year=scenario_year,
    electricity_intensity=custom,
    renewable_share=renewable,
    recycled_share=recycled,
    utilisation=utilisation,
    fixed_energy_share=fixed,
)
cannot_act(acts, "The settings above")
if len(acts[acts["acts"] == "yes"]):
    st.caption(
        "What the settings do: " + ui.literal("; ".join(sorted(set(acts[acts["acts"] == "yes"]["what it does"]))))
    )

st.subheader(
    "Micro-factory under the scenario",
    help="Deltas compare with the baseline under the same scenario; the tooltip gives the values as written.",
)
SCOPE = engine.SCOPE_LABELS[engine.CRADLE_TO_GATE]  # engine.scenario gives the cradle-to-gate comparison
sc = comp[comp.scenario == engine.WHAT_IF].set_index("indicator")
df = comp[comp.scenario == "default"].set_index("indicator")
st.caption(f"{SCOPE.capitalize()}, per functional unit; change vs the baseline under the same scenario.")
cols = st.columns(len(engine.HEADLINE))
for col, ind in zip(cols, engine.HEADLINE, strict=True):
    unit = engine.indicator_unit(ind)
    col.metric(
        ui.HEADLINE_LABELS[ind],
        ui.fmt(sc.loc[ind, "micro_factory"]),
        delta=charts.change(sc.loc[ind, "relative_change"], sc.loc[ind, "difference"]),
        delta_color="inverse",
        help=f"{engine.indicator_name(ind)}, {SCOPE}, {unit} per FU, under the scenario; change vs the baseline under "
        f"the same scenario (relative, then the difference in {unit}). As written: "
        f"{ui.fmt(df.loc[ind, 'micro_factory'])} {unit} ({ui.pct(df.loc[ind, 'relative_change'])} vs baseline).",
        border=True,
    )
    col.caption(f"{unit} per FU")
st.plotly_chart(charts.scenario_figure(comp, list(engine.HEADLINE)), key="scenario-bars", config={"displaylogo": False})
table = comp[comp.indicator.isin(engine.HEADLINE)][
    ["scenario", "indicator", "unit", "micro_factory", "baseline_value", "difference", "relative_change"]
].copy()
table["scenario"] = table["scenario"].replace({"default": "as written", engine.WHAT_IF: "scenario"})
table["indicator"] = table["indicator"].map(ui.HEADLINE_LABELS)
for col in ("micro_factory", "baseline_value"):
    table[col] = table[col].map(ui.fmt)
table["difference"] = table["difference"].map(ui.signed)
table["relative_change"] = table["relative_change"].map(ui.pct)
table.columns = ["case", "indicator", "unit per FU", "micro-factory", "baseline", "difference", "change vs baseline"]
table.insert(2, "scope", SCOPE)
st.table(table, hide_index=True)
st.caption(f"Every number on this page is {SCOPE}." + ui.HELP["coverage"])
st.subheader("Named scenarios", help="The scenarios shipped in inventories/scenarios.toml.")
named_effects = engine.named_effects(a, fid)
cannot_act(named_effects, "")
with st.expander("Named scenarios shipped in inventories/scenarios.toml, and what each does to these inventories"):
    st.dataframe(engine.named_scenarios_table(), hide_index=True, width="stretch")
    st.dataframe(
        named_effects,
        hide_index=True,
        width="stretch",
        column_config={"what it does": st.column_config.TextColumn(width="large")},
    )
    st.caption("Run them all with `lca-engine scenarios inventories/examples`.")
