"""Entry point: ``streamlit run dashboard/app.py`` (or ``lca-engine dashboard``)."""

from __future__ import annotations

import sys
from pathlib import Path

_ROOT = Path(__file__).resolve().parent.parent
if str(_ROOT) not in sys.path:  # Streamlit puts only this folder on sys.path; the pages import `dashboard.*`
    sys.path.insert(0, str(_ROOT))

import streamlit as st  # noqa: E402

st.set_page_config(
    page_title="lca-engine · Welsh micro-factories",
    page_icon=":material/recycling:",
    layout="wide",
    initial_sidebar_state="expanded",
)

from dashboard import engine  # noqa: E402

PAGES = Path(__file__).resolve().parent / "pages"
nav = st.navigation(
    [
        st.Page(PAGES / "portfolio.py", title="Portfolio", icon=":material/map:", default=True),
        st.Page(PAGES / "factory.py", title="Factory", icon=":material/factory:"),
        st.Page(PAGES / "circularity.py", title="Circular credentials", icon=":material/recycling:"),
        st.Page(PAGES / "cycles.py", title="Material cycles", icon=":material/autorenew:"),
        st.Page(PAGES / "wales.py", title="Wales alignment", icon=":material/flag:"),
        st.Page(PAGES / "claims.py", title="Claims & uncertainty", icon=":material/casino:"),
        st.Page(PAGES / "scenarios.py", title="Scenarios", icon=":material/tune:"),
        st.Page(PAGES / "upload.py", title="Bring your own inventory", icon=":material/upload_file:"),
        st.Page(PAGES / "downloads.py", title="Downloads", icon=":material/download:"),
    ]
)
with st.sidebar:
    st.selectbox(
        "DESNZ background year",
        engine.YEARS,
        index=engine.YEARS.index(st.session_state.get("year", engine.DEFAULT_YEAR)),
        key="year_select",
        help="UK Government (DESNZ) GHG conversion factors used as the background data for every result.",
    )
    st.session_state["year"] = st.session_state["year_select"]
    st.caption(
        "Every micro-factory is assessed side by side with a conventional baseline making the same functional "
        "unit, on open DESNZ background data. Numbers are per functional unit (FU)."
    )
    st.caption(
        "Background: UK Government GHG Conversion Factors for Company Reporting (DESNZ). Contains public sector "
        "information licensed under the Open Government Licence v3.0."
    )
nav.run()
