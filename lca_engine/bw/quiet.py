"""Keep bw2io's import-time notices and progress output off the user's terminal (no Brightway import here)."""

from __future__ import annotations

import contextlib
import io
import logging
import os

#: The logger bw2data sends its user feedback to when BRIGHTWAY_NO_STRUCTLOG is set.
FEEDBACK_LOGGER = "brightway-stdout-feedback"


def _warnings_only(record: logging.LogRecord) -> bool:
    return record.levelno >= logging.WARNING


def silence_feedback() -> None:
    """Call before ``import bw2data``: its informational lines (at import, "Using environment variable BRIGHTWAY2_DIR
    for data directory", which structlog prints to stdout with raw colour codes even into a file or a notebook) stay
    off the user's screen; its warnings still show.

    BRIGHTWAY_NO_STRUCTLOG makes bw2data log through a plain ``logging`` logger of this name instead of structlog; a
    filter on it survives the ``setLevel(INFO)`` bw2data applies at import. Idempotent.
    """
    os.environ.setdefault("BRIGHTWAY_NO_STRUCTLOG", "1")
    feedback = logging.getLogger(FEEDBACK_LOGGER)
    if _warnings_only not in feedback.filters:
        feedback.addFilter(_warnings_only)


@contextlib.contextmanager
def quiet():
    """bw2io warns at import about optional SimaPro extras and prints progress while importing biosphere3.

    Both go either to stdout/stderr (structlog mode) or to bw2data's "brightway-stdout-feedback" logger
    (BRIGHTWAY_NO_STRUCTLOG mode, whose handler holds the original stream): silence both, only here.
    """
    feedback = logging.getLogger(FEEDBACK_LOGGER)

    def drop(record):
        return False

    feedback.addFilter(drop)
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            yield
    finally:
        feedback.removeFilter(drop)
