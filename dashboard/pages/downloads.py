"""Downloads: the result cube (Parquet, CSV), chart images (PNG/SVG via kaleido) and the auditable report."""

from __future__ import annotations

import streamlit as st

from dashboard import engine, ui

st.title("Downloads")
a, key = ui.current_or_stop()

st.subheader("Results of the shipped examples", help="The same files `lca-engine assess inventories/examples` writes.")
files = engine.results_files(a)
st.caption(
    f"Result cube: {len(a.results):,} rows (one per factory × indicator × contributor), DESNZ {a.year} background. "
    "Comparison: one row per micro-factory × indicator."
)
c = st.columns(4)
c[0].download_button(
    "Result cube (Parquet)",
    files["results.parquet"],
    "results.parquet",
    "application/vnd.apache.parquet",
    key="dl-cube-parquet",
)
c[1].download_button("Result cube (CSV)", files["results.csv"], "results.csv", "text/csv", key="dl-cube-csv")
c[2].download_button(
    "Comparison (Parquet)",
    files["comparison.parquet"],
    "comparison.parquet",
    "application/vnd.apache.parquet",
    key="dl-comp-parquet",
)
c[3].download_button("Comparison (CSV)", files["comparison.csv"], "comparison.csv", "text/csv", key="dl-comp-csv")

st.subheader("Charts and report for one micro-factory")
fid = ui.factory_select(a)
fmt = st.radio("Image format", ["png", "svg"], horizontal=True, key="img-format")


def figures() -> dict:
    df = engine.portfolio(a)
    attribution = ui.ATTRIBUTION.replace(". Boundary", ".<br>Boundary")
    figs = {
        "portfolio_map": ui.static_map_figure(df, attribution),
        "portfolio_change": ui.change_bars(df).update_layout(width=1000),
    }
    sk, _ = engine.sankey(a, fid)
    if sk is not None:
        figs[f"{fid}_sankey"] = sk
    base = engine.baseline_of(a, fid)
    parts = {"micro-factory": engine.contributions(a, fid, "carbon", by="process")}
    if base:
        parts["baseline"] = engine.contributions(a, base, "carbon", by="process")
    figs[f"{fid}_carbon_contributions"] = ui.contribution_figure(
        parts, "process", "kg CO2e", f"Carbon contributions by process: {engine.factory(a, fid).name}"
    ).update_layout(width=1000)
    return figs


img_key = f"images-{key}-{fid}-{fmt}"
if st.button("Render chart images", key="render-images", help="Draws the charts with kaleido (Chromium), ~3 s."):
    try:
        st.session_state[img_key] = engine.chart_images(figures(), fmt)
    except engine.LcaEngineError as exc:
        ui.show_error(exc, "The chart images could not be drawn")
images = st.session_state.get(img_key)
if images:
    cols = st.columns(len(images))
    mime = "image/png" if fmt == "png" else "image/svg+xml"
    for col, (name, data) in zip(cols, images.items(), strict=True):
        col.download_button(f"{name}", data, name, mime, key=f"dl-img-{name}")
        if fmt == "png":
            col.image(data, caption=name)

if st.button("Prepare the auditable report (HTML, PDF, JSON)", key="dl-prepare-report"):
    st.session_state[f"report-{key}-{fid}"] = True
if st.session_state.get(f"report-{key}-{fid}"):
    try:
        rep = engine.report(a, key, fid)
    except engine.LcaEngineError as exc:
        ui.show_error(exc, "The report could not be written")
    else:
        r = st.columns(3)
        r[0].download_button("Report (HTML)", rep["html"], f"{fid}.html", "text/html", key="dl-rep-html")
        r[1].download_button("Report (PDF)", rep["pdf"], f"{fid}.pdf", "application/pdf", key="dl-rep-pdf")
        r[2].download_button("Report (JSON)", rep["json"], f"{fid}.json", "application/json", key="dl-rep-json")
