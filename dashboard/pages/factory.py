"""Factory: material-flow Sankey, indicator cards vs baseline, contributions and mass balance."""

from __future__ import annotations

import streamlit as st

from dashboard import engine, ui

st.title("Factory")
try:
    a, key = ui.current()
except engine.LcaEngineError as exc:
    ui.show_error(exc, "The shipped inventories could not be assessed")
    st.stop()
fid = ui.factory_select(a)
st.header(engine.factory(a, fid).name)
ui.factory_view(a, fid, key="factory")
