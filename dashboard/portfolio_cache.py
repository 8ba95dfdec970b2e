"""A portfolio run folder read once and kept: ``st.cache_data`` keyed by the folder and the size and modification
time of each file of the run, so a run written again into the same folder is read again."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from lca_engine.portfolio.view import COMPARISON, FACTORIES, UNCERTAINTY, PortfolioView, read_view, run_folder

RUN_FILES = (FACTORIES, COMPARISON, UNCERTAINTY)


def _stamp(folder: Path) -> tuple:
    stamps = []
    for name in RUN_FILES:
        path = folder / name
        stat = path.stat() if path.is_file() else None
        stamps.append((name, stat.st_size, stat.st_mtime_ns) if stat else (name,))
    return tuple(stamps)


@st.cache_data(max_entries=4, show_spinner="Reading the portfolio run…")
def _view(folder: str, stamp: tuple) -> PortfolioView:
    return read_view(folder)


def portfolio_run(folder: str | Path) -> PortfolioView:
    """The run in ``folder`` (:func:`lca_engine.portfolio.view.read_view`), read again only when a file changed."""
    path = run_folder(folder)
    return _view(str(path), _stamp(path))
