"""``lca-engine background import|list|show|remove``: LCI databases imported as named backgrounds (issue 18)."""

from __future__ import annotations

from pathlib import Path

import typer

from ..errors import LcaEngineError
from .common import DataDirOpt, _fail, app, literal, out

background_app = typer.Typer(
    no_args_is_help=True,
    rich_markup_mode=None,
    help="Import an LCI database (EcoSpold 1/2, openLCA JSON-LD, Brightway Excel) as a named background; "
    "list, show or remove the imported ones.",
)
app.add_typer(background_app, name="background")

#: the formats of lca_engine.background.imported.BackgroundFormat (not imported here: start-up time)
FORMATS_HELP = "ecospold2, ecospold1, jsonld, excel or simapro (default: detected from the files)."


@background_app.command("import")
def import_(
    path: Path = typer.Argument(..., help="Folder or file of the database (a zip for JSON-LD)."),
    name: str = typer.Option(
        ..., "--name", help='Name to link to: background = "NAME:<activity>|<product>|<location>".'
    ),
    licence: str = typer.Option(
        "", "--licence", help="The licence you hold the data under (required; recorded, shown by list)."
    ),
    fmt: str | None = typer.Option(None, "--format", help=FORMATS_HELP),
    version: str = typer.Option("", "--data-version", help="Version of the data, e.g. 3.10 (recorded)."),
    strict: bool = typer.Option(False, "--strict", help="An elementary flow not in biosphere3 is an error."),
    cut_off: bool = typer.Option(
        False, "--cut-off", help="Leave out technosphere exchanges that link to nothing (listed in the report)."
    ),
    data_dir: Path | None = DataDirOpt,
) -> None:
    """Import PATH as the background NAME, all or nothing, and print the linking report."""
    from ..background_import import import_background

    try:
        res = import_background(
            path, name, licence, fmt=fmt, version=version, strict=strict, cut_off=cut_off, data_dir=data_dir
        )
    except LcaEngineError as exc:
        _fail(exc)
    m = res.meta
    out.print(
        f"imported {literal(m.name)} ({m.format}): {m.activities:,} activities, {m.exchanges:,} exchanges "
        f"in {res.seconds:.1f} s"
    )
    for line in report_lines(res.report, str(res.folder / "linking-report.csv")):
        out.print(line)
    out.print(f"linking report: {res.folder / 'linking-report.json'} (and .csv)")


#: rows of each report section printed; the linking report's CSV lists them all
SHOWN = 12


def report_lines(report: dict, csv: str = "linking-report.csv") -> list[str]:
    """The linking report in plain words."""
    lines = [
        "exchanges: " + ", ".join(f"{n:,} {t}" for t, n in report["exchanges"].items()),
        f"elementary flows matched to biosphere3: {report['biosphere3']:,} exchanges",
        f"exchanges with an uncertainty distribution: {report['with_distribution']:,}",
        *(f"unit {literal(a)} written as {literal(b)}: {n:,} exchanges" for a, b, n in report["units_changed"]),
    ]
    unmatched = report["unmatched"]
    if unmatched:
        lines.append(
            f"NOT CHARACTERISED: {sum(r['count'] for r in unmatched):,} exchanges to {len(unmatched):,} elementary "
            f"flows that are not in biosphere3 — no indicator counts them (kept in the background's own biosphere "
            f"database; --strict refuses them):"
        )
        lines += [f"  {_row(r, with_activity=False)}" for r in unmatched[:SHOWN]]
    sections = (
        ("renamed", "matched to biosphere3 by the flow's ecoinvent 3 name"),
        ("cut_off", "left out (--cut-off)"),
        ("dropped", "deleted by Brightway's importer"),
    )
    for section, what in sections:
        rows = report.get(section, [])
        if rows:
            lines.append(f"{what}: {sum(r['count'] for r in rows):,} exchanges:")
            lines += [f"  {_row(r, with_activity=section != 'renamed')}" for r in rows[:SHOWN]]
    if any(len(report[s]) > SHOWN for s in ("unmatched", "renamed", "cut_off", "dropped")):
        lines.append(f"(first {SHOWN} of each list shown; all in {csv})")
    return lines


def _row(r: dict, with_activity: bool) -> str:
    where = f"{literal(r['activity'])}: " if with_activity else ""
    cats = f" ({literal(r['categories'])})" if r["categories"] else ""
    amount = f"{r['amount']:.6g} {literal(r['unit'])}"
    return f"{where}'{literal(r['exchange'])}'{cats}: {r['count']:,} exchanges, {amount} in all"


@background_app.command("list")
def list_(data_dir: Path | None = DataDirOpt) -> None:
    """The imported backgrounds: name, format, version, licence, size, import date."""
    from ..background_import import list_imported

    found = list_imported(data_dir)
    if not found:
        out.print("no background imported (lca-engine background import PATH --name NAME --licence TEXT)")
    for m in found:
        out.print(
            f"{literal(m.name)}  {m.format}  version {literal(m.version) or '-'}  {m.activities:,} activities  "
            f"licence: {literal(m.licence)}  imported {m.imported}"
        )


@background_app.command("show")
def show_(name: str = typer.Argument(...), data_dir: Path | None = DataDirOpt) -> None:
    """What was imported, from where, under which licence, and its linking report."""
    from ..background_import import show

    try:
        m, report, folder = show(name, data_dir)
    except LcaEngineError as exc:
        _fail(exc)
    for label, value in (
        ("name", m.name), ("database", m.database), ("format", m.format), ("source", m.source),
        ("sha256", m.sha256), ("licence", m.licence), ("version", m.version or "-"), ("imported", m.imported),
        ("activities", f"{m.activities:,}"), ("exchanges", f"{m.exchanges:,}"),
    ):  # fmt: skip
        out.print(f"{label}: {literal(str(value))}")
    out.print(
        f"stored copy: {folder} (inside the data folder; results and reports never copy the licensed data, "
        f"only results computed from it)"
    )
    for line in report_lines(report, str(folder / "linking-report.csv")):
        out.print(line)


@background_app.command("remove")
def remove_(name: str = typer.Argument(...), data_dir: Path | None = DataDirOpt) -> None:
    """Remove an imported background: its databases and its folder in the data folder."""
    from ..background_import import remove_background

    try:
        m = remove_background(name, data_dir)
    except LcaEngineError as exc:
        _fail(exc)
    out.print(f"removed {literal(m.name)} ({m.activities:,} activities)")
