"""Factory: material-flow Sankey, indicator cards vs baseline, contributions and mass balance."""

from __future__ import annotations

import streamlit as st

from dashboard import engine, ui

st.title("Factory")
a, key = ui.current_or_stop()
fid = ui.factory_select(a)
st.header(ui.literal(engine.factory(a, fid).name))
ui.factory_view(a, fid, key="factory")
