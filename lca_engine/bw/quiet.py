"""Keep bw2io's import-time notices and progress output off the user's terminal (no Brightway import here)."""

from __future__ import annotations

import contextlib
import io
import logging


@contextlib.contextmanager
def quiet():
    """bw2io warns at import about optional SimaPro extras and prints progress while importing biosphere3.

    Both go either to stdout/stderr (structlog mode) or to bw2data's "brightway-stdout-feedback" logger
    (BRIGHTWAY_NO_STRUCTLOG mode, whose handler holds the original stream): silence both, only here.
    """
    feedback = logging.getLogger("brightway-stdout-feedback")

    def drop(record):
        return False

    feedback.addFilter(drop)
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            yield
    finally:
        feedback.removeFilter(drop)
