"""Bring your own inventory: upload a TOML (or Brightway Excel) inventory and see it assessed like the examples.

Uploads are only parsed, never executed, and written to a fresh temporary folder (never beside the shipped data).
A mass balance that does not close is refused unless the user ticks the box that accepts it (off by default, as
``lca-engine assess --lenient``): then each imbalance is shown as a warning with its process and amounts.
"""

from __future__ import annotations

import hashlib

import streamlit as st

from dashboard import engine, ui, verdict_view
from dashboard.upload_handler import LENIENT_LABEL

MB = engine.MAX_UPLOAD_BYTES // (1024 * 1024)
#: The balance's row for the whole factory is reported under the field 'processes'.
WHOLE = {"processes": "the factory as a whole"}

st.title("Bring your own inventory")
st.markdown(
    "Upload a micro-factory inventory (**TOML**, see `tests/data/tiny_micro.toml` and `inventories/examples/`) or a "
    '**Brightway Excel** inventory (`.xlsx`). Its baseline is found by the file name in `baseline = "…"`: select '
    "the baseline's file **together with** the micro-factory in the same upload, under exactly that file name, or "
    "name one of the shipped example baselines (e.g. `textile_conventional_baseline.toml`). A `sources.toml` may be "
    f"uploaded too. Limit: {MB} MB per file; files are measured against the engine's input limits (nesting, key and "
    "unit lengths, an Excel workbook's decompressed size and rows) before they are parsed.",
    help=ui.HELP["fu"],
)
files = st.file_uploader(
    "Inventory file(s)",
    type=list(engine.UPLOAD_TYPES),
    accept_multiple_files=True,
    key="upload",
    max_upload_size=MB,
    help="TOML inventories and Brightway Excel workbooks; files are parsed, never executed.",
)
lenient = st.checkbox(
    LENIENT_LABEL,
    value=False,
    key="lenient",
    help="A model converted from another tool (Brightway Excel, openLCA, SimaPro) rarely closes its mass balance "
    "(losses, water and air are seldom modelled). Ticked, the upload is assessed anyway and each process whose "
    "balance does not close is listed as a warning with its amounts, as `lca-engine assess --lenient` does.",
)
with st.expander("Options for a foreign Brightway Excel workbook (not needed for TOML or lca-engine exports)"):
    fu = st.text_input("Functional-unit activity (name or code)", key="xl-fu")
    sector = st.selectbox("Sector", ["", *engine.SECTORS], key="xl-sector")
    s1, s2, s3 = st.columns(3)
    site_name = s1.text_input("Site name", key="xl-site")
    lat = s2.number_input("Latitude", value=51.5, format="%.4f", key="xl-lat")
    lon = s3.number_input("Longitude", value=-3.2, format="%.4f", key="xl-lon")

if not files:
    st.info("No file uploaded yet.")
    st.stop()

payload = [(f.name, f.getvalue()) for f in files]
site = {"name": site_name, "lat": lat, "lon": lon} if site_name else None
digest = hashlib.sha256(
    repr([(n, hashlib.sha256(b).hexdigest()) for n, b in payload] + [fu, sector, site, ui.year(), lenient]).encode()
).hexdigest()
state = st.session_state.get("upload_result")
if not state or state[0] != digest:
    try:
        result = engine.assess_upload(
            payload, year=ui.year(), functional_unit=fu or None, sector=sector or None, site=site, lenient=lenient
        )
    except engine.LcaEngineError as exc:
        result = exc
    except Exception as exc:  # a defect: shown as a plain message, never a traceback on the page
        result = engine.internal_error(exc, [n for n, _ in payload])
    st.session_state["upload_result"] = (digest, result)
else:
    result = state[1]

if isinstance(result, engine.LcaEngineError):
    ui.show_error(result, "The upload could not be assessed")
    st.stop()

count = len(result.micro)
paired = sum(1 for i in result.micro if engine.baseline_of(result.assessment, i))
baselines = " with its baseline" if paired == count == 1 else " with their baselines" if paired == count else ""
st.success(
    f"Assessed {count} micro-factory inventor{'y' if count == 1 else 'ies'}{baselines}"
    + (f" ({count - paired} without a baseline)" if paired < count else "")
    + f" (DESNZ {result.assessment.year} background).",
    icon=":material/check_circle:",
)
for n in result.notes:
    st.caption(ui.literal(n))
if result.imbalances:
    lines = [
        f"- {ui.literal(p.file or '')} · {ui.literal(WHOLE.get(p.field, p.field or ''))}: {ui.literal(p.message)}"
        for p in result.imbalances
    ]
    head = "**Mass balance does not close** (accepted as a warning; the numbers below take these flows as given):"
    st.warning("\n".join([head, *lines]), icon=":material/warning:")
a = result.assessment
fid = result.micro[0]
if len(result.micro) > 1:
    fid = st.selectbox("Micro-factory", result.micro, format_func=lambda i: engine.label(a, i), key="upload-factory")
st.header(ui.literal(engine.factory(a, fid).name))
verdict_view.verdict_block(a, result.key, fid)
if engine.baseline_of(a, fid):
    left, right = st.columns([1, 1])
    with left:
        st.subheader("Claims", help=ui.HELP["claims"])
        try:
            claims = engine.claims(a, result.key, fid)
        except engine.LcaEngineError as exc:
            ui.show_error(exc, "The claims could not be checked")
        else:
            verdict_view.show_claims(claims)
    with right:
        st.subheader("Circularity, side by side", help=ui.HELP["mci"])
        st.table(verdict_view.circularity_table(engine.circularity_pair(a, fid)), hide_index=True)
        st.caption("Difference = micro-factory − baseline (shares in percentage points).")
ui.factory_view(a, fid, key="upload")
st.subheader("Downloads for this upload")
files_out = engine.results_files(a)
d1, d2 = st.columns(2)
d1.download_button(
    "Result cube (Parquet)",
    files_out["results.parquet"],
    "upload_results.parquet",
    "application/vnd.apache.parquet",
    key="up-dl-parquet",
)
d2.download_button(
    "Comparison (CSV)", files_out["comparison.csv"], "upload_comparison.csv", "text/csv", key="up-dl-csv"
)
