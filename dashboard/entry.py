"""Every entry into the app goes through ``app.py``'s page config and navigation, including a deep link
(``/factory``) opened first on a fresh server.

Streamlit decides once per process, when the first session starts, whether the app uses the old "pages folder"
mode: it does when a ``pages/`` folder sits beside the main script — as ours does, though ``app.py`` declares its
pages with ``st.navigation``. Until ``st.navigation`` has run once, a deep link therefore runs its page alone: raw
file names in the sidebar, no wide layout, no year control. :func:`ensure_app` (called when the dashboard's modules
are first imported, i.e. on the first run of the process) switches the process to ``st.navigation`` mode and reruns,
so that first run goes through ``app.py`` too.
"""

from __future__ import annotations

import streamlit as st


def pages_folder_mode() -> bool:
    """Whether this process still runs pages as Streamlit's old pages-folder app."""
    from streamlit.runtime.pages_manager import PagesManager

    return bool(PagesManager.uses_pages_directory)


def ensure_app() -> None:
    """Leave the pages-folder mode and run again through ``app.py`` (no-op outside a Streamlit script run)."""
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    if pages_folder_mode() and get_script_run_ctx() is not None:
        PagesManager.uses_pages_directory = False
        st.rerun()
