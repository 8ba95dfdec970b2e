"""The Typer app, the two consoles, shared options and printing helpers of the command line."""

from __future__ import annotations

import sys
from dataclasses import replace

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..errors import LcaEngineError, Problem
from ..vocabulary import DEFAULT_TOLERANCE

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    help="Assess Welsh micro-factories against conventional baselines (LCA + MFA).",
)


def _print_version(value: bool) -> None:
    if value:
        from .. import __version__

        print(f"lca-engine {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    version: bool = typer.Option(
        False, "--version", callback=_print_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Options before the command."""


#: Control characters (C0 but tab and newline, DEL, C1) and bidirectional overrides, shown as visible escapes:
#: an inventory must not move the cursor, colour, link (OSC 8) or reorder a terminal line.
_CONTROLS = (*range(0x09), *range(0x0B, 0x20), 0x7F, *range(0x80, 0xA0))
_BIDI = (0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))
_VISIBLE = {c: f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}" for c in (*_CONTROLS, *_BIDI)}


def literal(text: str) -> str:
    """User text as a terminal shows it: control and bidi characters as escapes (``\\x1b``, ``\\u202e``)."""
    return text.translate(_VISIBLE)


class _LiteralConsole(Console):
    """A console that prints strings as written: no markup ("[/red]", "[link=…]"), emoji codes, highlighting,
    or terminal control characters. Styled labels are built with :func:`styled`."""

    def __init__(self, **kwargs) -> None:
        super().__init__(markup=False, emoji=False, highlight=False, **kwargs)

    def print(self, *objects, **kwargs) -> None:
        if all(isinstance(o, str | Text) for o in objects):  # lines of text: the terminal wraps, not Rich
            kwargs.setdefault("soft_wrap", True)
        super().print(*(literal(o) if isinstance(o, str) else o for o in objects), **kwargs)


# Rich falls back to 80 columns when piped; tables of results need more to stay readable in logs.
out = _LiteralConsole(width=None if sys.stdout.isatty() else 160)


err = _LiteralConsole(stderr=True, width=None if sys.stderr.isatty() else 160)


def styled(label: str, style: str, rest: str = "") -> Text:
    """A coloured label followed by user text printed as written."""
    return Text.assemble((label, style), literal(rest))


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


def problems_text(problems: list[Problem]) -> str:
    """One block per problem that starts with its file, whatever the user text in it: newlines in a file name
    or a field print as ``\\n``, and go on indented in a message or a fix."""

    def indented(text: str) -> str:
        return text.replace("\n", "\n      ")

    return "\n".join(
        replace(
            p,
            file=p.file and p.file.replace("\n", "\\n"),
            field=p.field and p.field.replace("\n", "\\n"),
            message=indented(p.message),
            fix=indented(p.fix),
        ).format()
        for p in problems
    )


def _fail(exc: LcaEngineError) -> None:
    err.print(styled(exc.heading(), "bold red", ":"))
    err.print(problems_text(exc.problems))
    raise typer.Exit(exc.exit_code)


def _df_table(df, title: str, floats: str = "{:.4g}", caption: str | None = None) -> Table:
    t = Table(title=Text(literal(title)), title_justify="left", caption=Text(literal(caption)) if caption else None)
    for c in df.columns:
        t.add_column(Text(literal(str(c))), justify="right" if df[c].dtype.kind in "fi" else "left")
    for _, row in df.iterrows():
        # Text, not markup: inventory strings such as "[x]" must print as written
        t.add_row(*[Text(floats.format(v) if isinstance(v, float) else literal(str(v))) for v in row])
    return t


def _print_warnings(warnings) -> None:
    for w in warnings:
        err.print(styled("warning:", "yellow", " " + problems_text([w])))


#: The table files ``--out`` may name.
TABLE_SUFFIXES = (".csv", ".parquet")


def check_table_out(path) -> None:
    """``--out`` names a .csv or .parquet file (checked before any work)."""
    if path is not None and path.suffix.lower() not in TABLE_SUFFIXES:
        raise LcaEngineError(
            f"cannot write '{path.name}': not .csv or .parquet", fix="name a .csv or .parquet file", field="--out"
        )


def write_table(df, path) -> None:
    """A table to ``path`` (.csv, else Parquet), atomically: the file is whole or absent."""
    from .. import atomic

    if path.suffix.lower() == ".csv":
        atomic.write_text(path, df.to_csv(index=False))
    else:
        with atomic.atomic_path(path) as tmp:
            df.to_parquet(tmp, index=False)
