"""The Typer app, the two consoles, shared options and printing helpers of the command line."""

from __future__ import annotations

import sys

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..balance import DEFAULT_TOLERANCE
from ..errors import LcaEngineError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    help="Assess Welsh micro-factories against conventional baselines (LCA + MFA).",
)


# Rich falls back to 80 columns when piped; tables of results need more to stay readable in logs.
out = Console(width=None if sys.stdout.isatty() else 160)


err = Console(stderr=True, width=None if sys.stderr.isatty() else 160)


EXIT_INTERNAL = 4


DataDirOpt = typer.Option(
    None,
    "--data-dir",
    help="Folder for the embedded Brightway project and caches "
    "(default: $LCA_ENGINE_DATA_DIR or the user cache folder).",
)


ToleranceOpt = typer.Option(
    DEFAULT_TOLERANCE, "--tolerance", min=0.0, max=0.5, help="Relative mass-balance tolerance (0.01 = 1 %)."
)


LenientOpt = typer.Option(False, "--lenient", help="Report mass imbalance as a warning instead of failing.")


def _fail(exc: LcaEngineError) -> None:
    err.print(f"[bold red]error[/] ({type(exc).__name__}):", highlight=False)
    err.print(exc.format(), highlight=False, markup=False)
    raise typer.Exit(exc.exit_code)


def _df_table(df, title: str, floats: str = "{:.4g}") -> Table:
    t = Table(title=Text(title), title_justify="left")
    for c in df.columns:
        t.add_column(str(c), justify="right" if df[c].dtype.kind in "fi" else "left")
    for _, row in df.iterrows():
        # Text, not markup: inventory strings such as "[x]" must print as written
        t.add_row(*[Text(floats.format(v) if isinstance(v, float) else str(v)) for v in row])
    return t


def _print_warnings(warnings) -> None:
    for w in warnings:
        err.print("[yellow]warning:[/] " + w.format().replace("[", "\\["), highlight=False)


def _quiet_brightway_logs() -> None:
    """bw2data prints informational lines (e.g. which directory it uses); a CLI user needs warnings only.

    With BRIGHTWAY_NO_STRUCTLOG, bw2data uses a plain logging logger of this name; a filter survives the
    ``setLevel(INFO)`` it applies at import.
    """
    import logging
    import os

    os.environ.setdefault("BRIGHTWAY_NO_STRUCTLOG", "1")
    logging.getLogger("brightway-stdout-feedback").addFilter(lambda record: record.levelno >= logging.WARNING)
