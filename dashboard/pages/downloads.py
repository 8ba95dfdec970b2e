"""Downloads: the result cube (Parquet, CSV), chart images (PNG/SVG via kaleido) and the auditable report."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, engine, ui

st.title("Downloads")
a, key = ui.current_or_stop()

st.subheader("Results of the shipped examples", help="The same files `lca-engine assess inventories/examples` writes.")
files = engine.results_files(a)
st.caption(
    f"Result cube: {len(a.results):,} rows (one per factory × indicator × contributor), DESNZ {a.year} background. "
    "Comparison: one row per micro-factory × indicator."
)
tables = (
    ("Result cube (Parquet)", "results.parquet", "application/vnd.apache.parquet", "dl-cube-parquet"),
    ("Result cube (CSV)", "results.csv", "text/csv", "dl-cube-csv"),
    ("Comparison (Parquet)", "comparison.parquet", "application/vnd.apache.parquet", "dl-comp-parquet"),
    ("Comparison (CSV)", "comparison.csv", "text/csv", "dl-comp-csv"),
)
for col, (label, name, mime, widget) in zip(st.columns(4), tables, strict=True):
    col.download_button(label, files[name], name, mime, key=widget)

st.subheader("Charts and report for one micro-factory")
fid = ui.factory_select(a)
fmt = st.radio("Image format", ["png", "svg"], horizontal=True, key="img-format")


def figures() -> dict:
    df = engine.portfolio(a)
    attribution = ui.ATTRIBUTION.replace(". Boundary", ".<br>Boundary")
    figs = {
        "portfolio_map": charts.static_map_figure(df, attribution),
        "portfolio_change": charts.change_bars(df).update_layout(width=1000),
    }
    sk, _ = engine.sankey(a, fid)
    if sk is not None:
        figs[f"{fid}_sankey"] = sk
    base = engine.baseline_of(a, fid)
    parts = {"micro-factory": engine.contributions(a, fid, "carbon", by="process")}
    if base:
        parts["baseline"] = engine.contributions(a, base, "carbon", by="process")
    figs[f"{fid}_carbon_contributions"] = charts.contribution_figure(
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

ui.report_downloads(
    a, key, fid, button_key="dl-prepare-report", label="Prepare the auditable report (HTML, PDF, JSON)", prefix="dl-rep"
)
