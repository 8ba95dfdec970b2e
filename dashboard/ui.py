"""Shared page parts: help texts, error display, the factory select box and the blocks pages are built from
(cards, Sankey, contributions, mass balance, report downloads). Figures live in :mod:`dashboard.charts`.

No numbers are computed here: every value comes from :mod:`dashboard.engine`.
"""

from __future__ import annotations

import re

import plotly.graph_objects as go
import streamlit as st

from dashboard import charts, engine
from dashboard.charts import HEADLINE_LABELS as HEADLINE_LABELS  # re-exported for the pages
from dashboard.charts import fmt as fmt
from dashboard.charts import pct as pct
from dashboard.charts import signed as signed
from lca_engine.circularity import YIELD_NOTE
from lca_engine.circularity.labels import LOOP_COLUMNS as LOOP_HEADERS
from lca_engine.circularity.labels import VARIANT
from lca_engine.indicators import SCOPE_DEFINITION, SCOPE_NOTE
from lca_engine.scenarios import MARKET_BASED

ATTRIBUTION = (
    "Map: contains OS data © Crown copyright and database right 2014. Source: Office for National Statistics, "
    "licensed under the Open Government Licence v3.0. Boundary GeoJSON: Martin Chorley, "
    "github.com/martinjc/UK-GeoJSON (CC BY 4.0)."
)


HELP = {
    "fu": "Functional unit (FU): the product or service every number refers to, e.g. one knitted jumper. A "
    "micro-factory and its baseline must deliver the same functional unit, so they can be compared one to one.",
    "baseline": "The conventional factory making the same functional unit, named in the micro-factory's inventory "
    "(`baseline = …`). Changes are micro-factory − baseline, and relative to the baseline.",
    "mci": "Material Circularity Indicator (Ellen MacArthur Foundation & Granta, 2019): 0 = fully linear (virgin "
    "material in, landfill out), 1 = fully circular. From the recycled/reused/renewable share of the inputs, the "
    "product's collection for reuse or recycling after use, and its utility (lifetime) relative to the average.",
    "cti": "Circular Transition Indicators (WBCSD CTI v4.0, 2023) — method: % circular inflow (recycled, reused "
    "or renewable input mass), % circular outflow (mass recovered after use or as process waste), % material "
    "circularity (their mass-weighted mean) and circular material productivity (revenue per tonne of linear "
    "input). Rows marked '" + VARIANT + "' are not part of the method. " + YIELD_NOTE,
    "iso": "ISO 59020:2024 circularity indicators the inventory supports — method: reused, recycled and renewable "
    "content of inflows; reused, recycled and bio-recirculated share of outflows; product lifetime relative to the "
    "industry average; renewable energy share; water withdrawal, circular water withdrawal and discharge, water "
    "reuse; material productivity. Two views are shown for renewable energy: the stated share (market-based, "
    "renewable supply contracts count) and on-site generation only (physical). The row marked '" + VARIANT + "' "
    "multiplies the recycled outflow by the MCI's E_C; it is not part of ISO 59020.",
    "renewable": "Share of grid electricity bought on a renewable tariff. Accounting: " + MARKET_BASED + ". The "
    "grid's transmission and distribution losses (DESNZ T&D factor, scope 3) are kept: a tariff does not remove "
    "them.",
    "paired": "Paired Monte Carlo: every draw samples each uncertain number once, so the micro-factory and its "
    "baseline see the same draw of every shared background factor (e.g. grid electricity). The difference is "
    "therefore not blurred by uncertainty they share. Engineering assumptions (low/high ranges) and the spread of "
    "DESNZ factors over 2023–2025 are the distributions sampled.",
    "p_better": "Share of paired draws in which the micro-factory's result is lower (better) than the baseline's.",
    "sobol": "Sobol indices (variance-based global sensitivity, SALib): how much of the variance of the difference "
    "micro-factory − baseline each uncertain input explains on its own (S1, first order) and with its interactions "
    "(ST, total).",
    "claims": "Claims are data (inventories/claims.toml): supported if P(claim holds) ≥ 0.95, not supported if "
    "≤ 0.05, inconclusive in between; 'not assessable' when the inventories do not state what the claim is about.",
    "coverage": " " + SCOPE_NOTE,
    "balance": "Mass balance: for every process, mass in = mass out + stock change within the tolerance (1 %).",
    "wfg": "Well-being of Future Generations (Wales) Act 2015: public bodies in Wales must work towards seven "
    "well-being goals, in five ways of working. Here each measure of the micro-factory is placed under the goals "
    "(and National Indicator) it speaks to, with the direction of change against its baseline.",
    "ni": "National Indicators: the indicators the Welsh Ministers set under s.10 of the Act to measure progress "
    "towards the goals (e.g. NI 42, greenhouse-gas emissions attributable to consumption in Wales). A factory does not "
    "report on them; its measures show in which direction it moves the indicator. Wording marked 'to check' was "
    "not yet read in the publisher's own text.",
    "ways": "The five ways of working of the Act (long term, prevention, integration, collaboration, involvement): "
    "filled only from what the inventory states in [socio_economic] ways_of_working.",
    "beyond_recycling": "Beyond Recycling (Welsh Government, 2021): the strategy to make the circular economy in "
    "Wales a reality, with recycling, landfill and zero-waste targets. Statutory targets bind local authorities' "
    "municipal waste, so for a factory they are benchmarks; consultation proposals are shown as such.",
    "cef": "Circular Economy Fund (Welsh Government, administered by WRAP Cymru): grants for projects that "
    "increase the recycled content of products or extend product life. Each criterion is tested from the inventory "
    "where it can be (met / not met / not stated); qualitative criteria are left to the assessor.",
    "draws": "Number of paired Monte Carlo draws. 1,000 takes well under a second; more draws give smoother "
    "histograms and more precise probabilities.",
}


#: Column headers of a loop table (circularity report loops, lca_engine.graph.loops_table), from the library's one
#: definition, and the flows of each loop.
LOOP_COLUMNS = {key: header for key, header, _ in LOOP_HEADERS} | {"flows": "flows in the loop"}


#: Characters that start markdown, HTML, LaTeX, entities or Streamlit directives; CommonMark lets each be escaped
#: with a backslash. Others (".", ",", "/" …) stay as they are, except "1." at a line start (an ordered list).
_MARKDOWN_SPECIAL = re.compile(r"(?m)([\\`*_{}\[\]()<>#+\-!|~$:&])|^(\d+)(\.)")


def literal(text: object) -> str:
    """User text (names, ids, file names, messages quoting them) for a markdown element, shown as written:
    no emphasis, links, images, HTML, LaTeX or colour directives, whatever it contains."""
    return _MARKDOWN_SPECIAL.sub(lambda m: "\\" + m.group(1) if m.group(1) else m.group(2) + "\\.", str(text))


def show_error(exc: engine.LcaEngineError, title: str = "The input has problems") -> None:
    """Plain-words display of an engine error: one line per problem with where, what and the fix (the problems
    quote user text, shown literally)."""
    lines = [f"**{title}** ({len(exc.problems)} problem{'s' if len(exc.problems) != 1 else ''}):"]
    for p in exc.problems:
        where = []
        if p.file:
            where.append(f"file {literal(p.file.rsplit('/', 1)[-1])}" + (f", line {p.line}" if p.line else ""))
        if p.field:
            where.append(f"field {literal(p.field)}")
        head = " · ".join(where)
        fix = f"  \n  **Fix:** {literal(p.fix)}" if p.fix else ""
        lines.append(f"- {head + ': ' if head else ''}{literal(p.message)}{fix}")
    st.error("\n".join(lines))


def year() -> int:
    return int(st.session_state.get("year", engine.DEFAULT_YEAR))


def current():
    """(assessment of the shipped examples for the chosen year, cache key)."""
    y = year()
    return engine.examples(y), f"examples-{y}-{engine.examples_fingerprint()}"


def current_or_stop():
    """:func:`current`, or the error in plain words and the page stops (every page starts with this)."""
    try:
        return current()
    except engine.LcaEngineError as exc:
        show_error(exc, "The shipped inventories could not be assessed")
        st.stop()


def factory_select(a, label: str = "Micro-factory", key: str = "factory_select") -> str:
    ids = engine.micro_ids(a)
    chosen = st.session_state.get("selected_factory")
    index = ids.index(chosen) if chosen in ids else 0
    fid = st.selectbox(
        label,
        ids,
        index=index,
        format_func=lambda i: engine.label(a, i),
        key=key,
        help="The micro-factory to show; its conventional baseline is the one named in its inventory.",
    )
    st.session_state["selected_factory"] = fid
    return fid


def coverage_note(a, fid: str, ind: str, scope: str) -> str:
    """'coverage 72 % / 61 %' (micro-factory / baseline) and ' · to check' when the number rests on a figure not
    read at its publisher: the text shown next to a headline number."""
    base = engine.baseline_of(a, fid)
    sides = [engine.coverage(a, i, ind, scope) for i in ([fid, base] if base else [fid])]
    text = "coverage " + " / ".join(pct(c["coverage"], sign=False, decimals=0) for c in sides)
    return text + (" · to check" if any(c["to_check"] for c in sides) else "")


def gaps_note(a, fid: str, ind: str, scope: str) -> str:
    """The flows a number does not characterise and the figures to check, per side (for a help tooltip)."""
    base = engine.baseline_of(a, fid)
    parts = []
    for who, i in (("micro-factory", fid), ("baseline", base)):
        if i:
            c = engine.coverage(a, i, ind, scope)
            parts.append(f"{who}: not characterised: {c['missing'] or 'none'}; to check: {c['to_check'] or 'none'}")
    return ". ".join(parts) + "."


def indicator_cards(a, fid: str, key: str = "") -> None:
    """st.metric per headline indicator at each scope (one row per scope): the micro-factory's value (the number
    only), the change vs baseline ('-64.8% · -2.14'), and under the card the unit and each side's coverage."""
    head = engine.headline(a, fid)
    base = engine.baseline_of(a, fid)
    for scope in engine.SCOPES:
        st.markdown(f"**{engine.SCOPE_LABELS[scope].capitalize()}**, per functional unit", help=SCOPE_DEFINITION)
        cols = st.columns(len(engine.HEADLINE))
        for col, ind in zip(cols, engine.HEADLINE, strict=True):
            r = head.loc[(ind, scope)]
            unit = r["unit"]
            with col:
                st.metric(  # a short label that fits the card; scope in the row heading, unit under the card
                    HEADLINE_LABELS[ind],
                    fmt(r["micro_factory"]),
                    delta=charts.change(r["relative_change"], r["difference"]) if base else None,
                    delta_color="inverse",
                    help=f"{engine.indicator_name(ind)}, scope {engine.SCOPE_LABELS[scope]}, {unit} per FU. Change vs "
                    f"the baseline: relative, then micro-factory − baseline in {unit}. Baseline: "
                    f"{fmt(r['baseline_value'])} {unit} per FU. " + HELP["baseline"],
                    border=True,
                )
                st.caption(
                    f"{unit} · {coverage_note(a, fid, ind, scope)}",
                    help=gaps_note(a, fid, ind, scope) + HELP["coverage"],
                )


def _opaque(rgba: str) -> str:
    return re.sub(r",\s*[0-9.]+\)$", ")", rgba).replace("rgba", "rgb")


def sankey_block(a, fid: str, key: str) -> go.Figure | None:
    fig, data = engine.sankey(a, fid)
    if fig is None:
        st.info("No mass flows to draw (give flows in mass units or `mass_per_unit`).")
        return None
    fig.update_layout(width=None, autosize=True)
    st.plotly_chart(fig, key=f"sankey-{key}", config={"displaylogo": False})
    legend = " · ".join(f"<span style='color:{_opaque(c)}'>■</span> {t}" for t, c in engine.sankey_legend())
    st.caption(f"kg per functional unit. {legend}", unsafe_allow_html=True)
    lp = engine.loops(a, fid)
    if len(lp):
        st.markdown("**Reuse / recycling loops** (highlighted in orange in the diagram)")
        st.table(lp.rename(columns=LOOP_COLUMNS), hide_index=True)
    else:
        st.caption("No reuse or recycling loop inside the factory.")
    if data["excluded"]:
        st.caption("Not drawn (no mass): " + literal(", ".join(data["excluded"])))
    return fig


def contribution_block(a, fid: str, key: str) -> go.Figure:
    base = engine.baseline_of(a, fid)
    c1, c2, c3 = st.columns([2, 1, 1])
    with c1:
        ind = st.selectbox(
            "Indicator",
            engine.indicator_ids(),
            index=0,
            format_func=lambda i: f"{engine.indicator_name(i)} ({engine.indicator_unit(i)})",
            key=f"contrib-ind-{key}",
        )
    with c2:
        scope = st.selectbox(
            "Scope",
            engine.SCOPES,
            index=engine.SCOPES.index(engine.CRADLE_TO_GATE),
            format_func=engine.SCOPE_LABELS.get,
            key=f"contrib-scope-{key}",
            help=HELP["coverage"].strip(),
        )
    with c3:
        by = st.selectbox(
            "Group contributions by",
            ["process", "stage", "module", "factor", "flow"],
            key=f"contrib-by-{key}",
            help="process / life-cycle stage / EN 15804 module / background factor (DESNZ) / inventory flow",
        )
    parts = {"micro-factory": engine.contributions(a, fid, ind, by=by, scope=scope)}
    if base:
        parts["baseline"] = engine.contributions(a, base, ind, by=by, scope=scope)
    unit = engine.indicator_unit(ind)
    title = f"Top contributors: {engine.indicator_name(ind)}, {engine.SCOPE_LABELS[scope]}"
    fig = charts.contribution_figure(parts, by, unit, title)
    st.plotly_chart(fig, key=f"contrib-{key}", config={"displaylogo": False})
    st.caption(
        f"Scope: {engine.SCOPE_LABELS[scope]} ({coverage_note(a, fid, ind, scope)}). Parts below 2 % of the total "
        "are merged into 'other'. Contributions add up exactly to the total."
    )
    return fig


def balance_block(a, fid: str, key: str) -> None:
    ok, table, excluded = engine.balance(a, fid)
    if ok:
        st.success(
            "Mass balance closes for every process and the factory (tolerance 1 %).", icon=":material/check_circle:"
        )
    else:
        st.warning("Mass balance does NOT close within the tolerance — see the table.", icon=":material/warning:")
    with st.expander("Mass-balance table (kg per functional unit)", expanded=not ok):
        st.dataframe(table, hide_index=True, width="stretch")
        if excluded:
            st.caption("Not in the balance: " + literal("; ".join(excluded)))


def factory_view(a, fid: str, key: str) -> dict[str, go.Figure]:
    """The whole factory view (used by the Factory page and for uploaded inventories). Returns its figures."""
    f = engine.factory(a, fid)
    base = engine.baseline_of(a, fid)
    st.markdown(
        f"**Functional unit:** {literal(f.functional_unit.label())} · "
        f"**Site:** {literal(f.site.name) if f.site else 'n/a'} · "
        f"**Baseline:** {literal(engine.factory(a, base).name) if base else 'none named'} · DESNZ {a.year} background",
        help=HELP["fu"],
    )
    if not base:
        st.info("No baseline is named in this inventory: the figures describe the micro-factory alone.")
    indicator_cards(a, fid, key)
    with st.expander(f"All {len(engine.indicator_ids())} indicators per functional unit, at both scopes"):
        percent = st.column_config.NumberColumn(format="percent")
        st.dataframe(
            engine.all_totals(a, fid, base),
            hide_index=True,
            width="stretch",
            column_config={"change": percent, "coverage": percent, "baseline coverage": percent},
        )
        st.caption(HELP["coverage"].strip())
    figs = {}
    # the Sankey full width: in a narrower column plotly's node labels overlap the bands
    st.subheader("Material flows", help="Sankey of every mass flow per functional unit; loops in orange.")
    fig = sankey_block(a, fid, key)
    if fig is not None:
        figs["sankey"] = fig
    st.subheader("Mass balance", help=HELP["balance"])
    balance_block(a, fid, key)
    warn = engine.warnings_of(a, fid)
    if warn:
        with st.expander(f"{len(warn)} warning(s) from the checks"):
            for w in warn:
                st.text(w)
    st.subheader("Contributions")
    figs["contributions"] = contribution_block(a, fid, key)
    return figs


def report_downloads(a, key: str, fid: str, *, button_key: str, label: str, prefix: str) -> None:
    """The auditable report of one micro-factory: a button that writes it (seconds: PDF and Sankey), then one
    download button per format. ``button_key`` and ``prefix`` keep widget keys unique per page."""
    if st.button(label, key=button_key):
        st.session_state[f"report-{key}-{fid}"] = True
    if not st.session_state.get(f"report-{key}-{fid}"):
        return
    try:
        files = engine.report(a, key, fid)
    except engine.LcaEngineError as exc:
        show_error(exc, "The report could not be written")
        return
    formats = (("HTML", "html", "text/html"), ("PDF", "pdf", "application/pdf"), ("JSON", "json", "application/json"))
    for col, (name, ext, mime) in zip(st.columns(3), formats, strict=True):
        col.download_button(f"Download report ({name})", files[ext], f"{fid}.{ext}", mime, key=f"{prefix}-{ext}")
    st.caption(f"Report ready: HTML {len(files['html']) / 1e3:.0f} kB, PDF {len(files['pdf']) / 1e3:.0f} kB.")
