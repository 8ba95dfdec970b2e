"""``lca-engine`` command line: parse arguments, call the API, print. No logic of its own.

Exit codes: 0 success · 1 invalid input (file, unit, provenance, background, year) · 2 usage error ·
3 mass balance does not close (use --lenient to report instead) · 4 unexpected internal error.
"""

from __future__ import annotations

import importlib
import signal
import sys

from .common import EXIT_INTERNAL, app, err, styled

# importing a command module registers its commands; `--help` lists them in this order
_MODULES = (
    "inventory",
    "assess",
    "uncertainty",
    "circular",
    "report",
    "serve",
    "excel",
    "foreground",
    "background",
    "portfolio",
    "symbiosis",
    "stocks",
)
for _module in (*_MODULES, "export"):
    importlib.import_module(f"{__name__}.{_module}")


def main() -> None:
    """Entry point: user errors exit 1/3 with a readable message; bugs exit 4 with a short note."""
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, _interrupted)
    try:
        app()
    except SystemExit:
        raise
    except KeyboardInterrupt:
        sys.unraisablehook = _quiet  # also for a KeyboardInterrupt raised without the signal
        err.print("interrupted")
        sys.exit(130)
    except Exception as exc:
        if "--debug" in sys.argv or __import__("os").environ.get("LCA_ENGINE_DEBUG"):
            raise
        err.print(styled("internal error", "bold red", f": {type(exc).__name__}: {exc}"))
        err.print("This is a bug in lca-engine; rerun with LCA_ENGINE_DEBUG=1 for the traceback and report it.")
        sys.exit(EXIT_INTERNAL)


def _interrupted(signum: int, frame: object) -> None:
    """Ctrl-C: quiet finalisers from now on, then stop as Python's own handler does. The hook is set when the signal
    arrives, not when the interrupt reaches :func:`main`: a layer in between may drop the traceback that kept a
    half-built object alive, and its finaliser then runs during the unwinding (CI saw it)."""
    sys.unraisablehook = _quiet
    raise KeyboardInterrupt


def _quiet(unraisable: sys.UnraisableHookArgs) -> None:
    """Say nothing about an error in a finaliser after Ctrl-C: the object was cut off mid-construction by the
    interrupt (CI saw ``ZipFile.__del__``: no attribute ``_writing``) and the user asked to stop; its traceback
    would read as a crash of a run that stopped cleanly (exit 130, everything undone)."""


__all__ = ["app", "main"]
