"""Downloads: the result cube (Parquet, CSV), chart images (PNG/SVG: kaleido where Chromium is installed, else
drawn without a browser) and the auditable report."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, engine, ui

st.title("Downloads")
a, key = ui.current_or_stop()

st.subheader("Results of the shipped examples", help="The same files `lca-engine assess inventories/examples` writes.")
files = engine.results_files(a)
st.caption(
    f"Result cube: {len(a.results):,} rows (one per factory × indicator × contributor), DESNZ {a.year} background. "
    "Comparison: one row per micro-factory × indicator × scope (site; cradle to gate). Coverage: per factory × "
    "indicator × scope, the share of the inflows in scope each number characterises and the flows it does not."
)
tables = (
    ("Result cube (Parquet)", "results.parquet", "application/vnd.apache.parquet", "dl-cube-parquet"),
    ("Result cube (CSV)", "results.csv", "text/csv", "dl-cube-csv"),
    ("Comparison (Parquet)", "comparison.parquet", "application/vnd.apache.parquet", "dl-comp-parquet"),
    ("Comparison (CSV)", "comparison.csv", "text/csv", "dl-comp-csv"),
    ("Coverage (Parquet)", "coverage.parquet", "application/vnd.apache.parquet", "dl-cov-parquet"),
    ("Coverage (CSV)", "coverage.csv", "text/csv", "dl-cov-csv"),
)
for col, (label, name, mime, widget) in zip(st.columns(len(tables)), tables, strict=True):
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
    _, sankey_data = engine.sankey(a, fid)
    if sankey_data["links"]:
        figs[f"{fid}_sankey"] = sankey_data  # drawn by kaleido, or by the report's SVG writer without a browser
    base = engine.baseline_of(a, fid)
    parts = {"micro-factory": engine.contributions(a, fid, "carbon", by="process")}
    if base:
        parts["baseline"] = engine.contributions(a, base, "carbon", by="process")
    figs[f"{fid}_carbon_contributions"] = charts.contribution_figure(
        parts,
        "process",
        "kg CO2e",
        f"Carbon contributions by process, {engine.SCOPE_LABELS[engine.CRADLE_TO_GATE]}: {engine.factory(a, fid).name}",
    ).update_layout(width=1000)
    return figs


img_key = f"images-{key}-{fid}-{fmt}"
help_images = (
    "With Chromium installed kaleido draws them as shown here (~3 s); without it they are drawn without a browser."
)
if st.button("Render chart images", key="render-images", help=help_images):
    st.session_state[img_key] = engine.chart_images(figures(), fmt)
rendered = st.session_state.get(img_key)
if rendered and not rendered.browser:
    st.info(
        "No Chromium on this machine, so these images were drawn without a browser: the Sankey as in the report, "
        "the other charts with matplotlib (same numbers, a plainer look). For images exactly as the dashboard "
        "shows them, install Chromium (as root): `apt-get install -y chromium`."
    )
if rendered and rendered.need_chromium:
    st.warning("These charts need Chromium (`apt-get install -y chromium`, as root) and were not drawn:")
    st.text("\n".join(rendered.need_chromium))
if rendered and rendered.files:
    images = rendered.files
    cols = st.columns(len(images))
    mime = "image/png" if fmt == "png" else "image/svg+xml"
    for col, (name, data) in zip(cols, images.items(), strict=True):
        col.download_button(f"{name}", data, name, mime, key=f"dl-img-{name}")
        if fmt == "png":
            col.image(data, caption=name)

ui.report_downloads(
    a, key, fid, button_key="dl-prepare-report", label="Prepare the auditable report (HTML, PDF, JSON)", prefix="dl-rep"
)
