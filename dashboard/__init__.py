"""Streamlit dashboard for lca-engine (``lca-engine dashboard``); not part of the wheel.

``app.py`` is the entry point, ``engine.py`` the only module that calls ``lca_engine``, ``ui.py`` the shared page
parts, ``pages/`` one module per page.
"""
