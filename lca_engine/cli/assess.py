"""`lca-engine assess`: factories vs baselines per functional unit, written as the result cube."""

from __future__ import annotations

from pathlib import Path

import typer

from ..errors import LcaEngineError
from .common import DataDirOpt, LenientOpt, ToleranceOpt, _df_table, _fail, _print_warnings, app, err, out, styled


@app.command()
def assess(
    paths: list[Path] = typer.Argument(..., help="Inventory files or folders; named baselines are added."),
    year: int = typer.Option(2025, "--year", help="DESNZ background data year (2023, 2024, 2025)."),
    out_dir: Path = typer.Option(Path("results"), "--out", help="Folder for results.parquet and comparison.*"),
    tolerance: float = ToleranceOpt,
    lenient: bool = LenientOpt,
    data_dir: Path | None = DataDirOpt,
    indicators: str = typer.Option(
        "",
        "--indicators",
        help="Comma-separated indicator ids to print "
        "(default: headline set; all are computed and written). See `lca-engine indicators`.",
    ),
) -> None:
    """Assess micro-factories against their baselines per functional unit; write Parquet results."""
    import pandas as pd
    from rich.progress import Progress

    from ..assess import assess_files, collect_files
    from ..results import write_comparison, write_completeness, write_results

    try:
        files = collect_files(paths)
        with Progress(console=err, transient=True) as progress:
            task = progress.add_task("checking inventories", total=len(files))
            a = assess_files(
                files,
                year=year,
                data_dir=data_dir,
                tolerance=tolerance,
                strict_balance=not lenient,
                on_file=lambda p: progress.advance(task),
            )
            progress.update(task, description="calculating (Brightway)")
    except LcaEngineError as exc:
        _fail(exc)
    for c in a.checked.values():
        uncounted = [w for w in c.warnings if "has no background factor" in w.message]
        _print_warnings([w for w in c.warnings if w not in uncounted])
        if uncounted:
            ids = ", ".join(w.message.split("'")[1] for w in uncounted)
            err.print(
                styled("no background factor:", "yellow", f" {c.file}: {ids} (their upstream burdens are not counted)")
            )
    comp = a.comparison()
    from ..indicators import HEADLINE

    head = comp[comp.indicator.isin(indicators.split(",") if indicators else HEADLINE)].copy()
    head["indicator"] = pd.Categorical(
        head["indicator"],
        categories=list(dict.fromkeys(indicators.split(",") if indicators else HEADLINE)),
        ordered=True,
    )
    for micro, group in head.sort_values(["factory", "indicator"]).groupby("factory", sort=True):
        show = group[["indicator", "unit", "micro_factory", "baseline_value", "difference", "relative_change"]].copy()
        show["relative_change"] = show["relative_change"].map(lambda v: "n/a" if v != v else f"{v:+.1%}")
        show.columns = ["indicator", "unit per FU", "micro-factory", "baseline", "difference", "change"]
        fu = a.checked[micro].factory.functional_unit.label()
        base = group["baseline"].iloc[0] or "no baseline"
        out.print(_df_table(show, f"{micro} vs {base} (DESNZ {year} background)", caption=f"per functional unit: {fu}"))
    not_char = a.completeness[a.completeness.status == "not characterised"]
    if len(not_char):
        out.print(
            f"completeness: {len(not_char)} boundary flow(s) are characterised by no indicator "
            f"(see completeness.parquet): " + ", ".join(f"{r.factory}:{r.flow}" for r in not_char.itertuples())
        )
    t = a.timings
    out.print(
        f"MultiLCA: {t.get('factories', 0)} factories × {t.get('indicators', 0)} indicators in "
        f"{t.get('multilca', 0):.3f} s (project build/check {t.get('build', 0):.2f} s, contributions "
        f"{t.get('contributions', 0):.3f} s)"
    )
    write_results(a.results, out_dir / "results.parquet")
    write_comparison(comp, out_dir / "comparison.parquet")
    write_completeness(a.completeness, out_dir / "completeness.parquet")
    from .. import atomic

    atomic.write_text(out_dir / "comparison.csv", comp.to_csv(index=False))
    out.print(f"wrote {out_dir}/results.parquet, comparison.parquet, comparison.csv, completeness.parquet")
