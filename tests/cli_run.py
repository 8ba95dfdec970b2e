"""Run the command line in this process the way `lca-engine` runs it, for tests that judge its exit codes."""

from __future__ import annotations

import traceback

from typer.testing import CliRunner

from lca_engine.cli import app
from lca_engine.cli.common import EXIT_INTERNAL


def invoke(*args: object) -> tuple[int, str, str]:
    """(exit code, stdout + stderr, traceback or ""). An exception other than SystemExit is what
    :func:`lca_engine.cli.main` reports as an internal error (exit 4), so it counts as exit 4 here."""
    res = CliRunner().invoke(app, [str(a) for a in args])
    if res.exception is not None and not isinstance(res.exception, SystemExit):
        return EXIT_INTERNAL, res.output, "".join(traceback.format_exception(res.exception))
    return res.exit_code, res.output, ""


def run(*args: object) -> tuple[int, str]:
    """(exit code, output) of a command that must end as the CLI intends: never exit 4, never a traceback."""
    code, output, trace = invoke(*args)
    assert code != EXIT_INTERNAL, trace + output
    assert "Traceback" not in output, output
    return code, output


def ctrl_c_reaches_it() -> None:
    """``preexec_fn`` for a child a test stops with SIGINT: Ctrl-C at its default, as in a terminal. A test runner
    started in the background of a non-interactive shell ignores SIGINT, its children inherit that, and Python (like
    ``lca-engine``, by the POSIX convention) keeps a signal ignored at startup ignored: the child would not stop."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)
