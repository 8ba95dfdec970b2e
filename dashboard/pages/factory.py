"""Factory: the verdict against the baseline first, then the indicator cards, Sankey, contributions and mass
balance."""

from __future__ import annotations

import streamlit as st

from dashboard import engine, ui, verdict_view

st.title("Factory")
a, key = ui.current_or_stop()
fid = ui.factory_select(a)
st.header(ui.literal(engine.factory(a, fid).name))
verdict_view.verdict_block(a, key, fid)
ui.factory_view(a, fid, key="factory")
