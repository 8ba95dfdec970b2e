"""`lca-engine report`: the auditable pre-assessment report (HTML, PDF, JSON)."""

from __future__ import annotations

from pathlib import Path

import typer

from ..errors import LcaEngineError
from .common import DataDirOpt, LenientOpt, ToleranceOpt, _fail, app, out


@app.command()
def report(
    paths: list[Path] = typer.Argument(..., help="Micro-factory inventory files or folders (baselines are added)."),
    out_dir: Path = typer.Option(Path("reports"), "--out", help="Folder for <factory-id>.html/.pdf/.json"),
    formats: str = typer.Option("html,pdf,json", "--formats", help="Comma-separated: html, pdf, json."),
    year: int = typer.Option(2025, "--year", help="DESNZ background data year."),
    cutoff: float = typer.Option(0.01, "--cutoff", help="Contributions below this share are merged."),
    generated: str = typer.Option(
        "today",
        "--generated",
        help="Date printed on page 1: 'today' (default: today's date, UTC, ISO), 'none' to omit it (the same inputs "
        "then give byte-identical files), or any text as written.",
    ),
    draws: int = typer.Option(
        1000, "--draws", help="Paired Monte Carlo draws behind page 1's verdict block (0 = none: point values only)."
    ),
    seed: int = typer.Option(1, "--seed", help="Seed of those draws (fixed: the same inputs give the same report)."),
    tolerance: float = ToleranceOpt,
    lenient: bool = LenientOpt,
    data_dir: Path | None = DataDirOpt,
) -> None:
    """Auditable report for grant assessors: HTML, PDF and JSON of the same content."""
    from ..report import generation_date, render_report

    timings: dict[str, float] = {}
    try:
        written = render_report(
            paths,
            out_dir,
            [f.strip() for f in formats.split(",") if f.strip()],
            year=year,
            data_dir=data_dir,
            tolerance=tolerance,
            strict_balance=not lenient,
            cutoff=cutoff,
            generated=generation_date(generated),
            draws=draws,
            seed=seed,
            timings=timings,
        )
    except LcaEngineError as exc:
        _fail(exc)
    for path in written.values():
        out.print(f"wrote {path}")
    out.print(
        f"report: {timings.get('total_s', 0):.1f} s (assess {timings.get('assess_s', 0):.1f} s, Sankey "
        f"{timings.get('sankey_s', 0):.1f} s, PDF {timings.get('pdf_s', 0):.1f} s)"
    )
