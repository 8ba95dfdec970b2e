"""`lca-engine assess`: factories vs baselines per functional unit, written as the result cube."""

from __future__ import annotations

from pathlib import Path

import typer

from ..errors import LcaEngineError
from ..indicators import HEADLINE, SCOPE_LABELS, SCOPE_NOTE, SCOPES
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
    from rich.progress import Progress

    from ..assess import assess_files, collect_files
    from ..results import write_comparison, write_completeness, write_coverage, write_results

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
    comp = a.comparison(scope=None)
    chosen = indicators.split(",") if indicators else HEADLINE
    for micro, group in headline_rows(comp, a.coverage, chosen).groupby("factory", sort=True):
        fu = a.checked[micro].factory.functional_unit.label()
        base = group["baseline"].iloc[0] or "no baseline"
        out.print(
            _df_table(
                group.drop(columns=["factory", "baseline"]),
                f"{micro} vs {base} (DESNZ {year} background)",
                caption=f"per functional unit: {fu}. {SCOPE_NOTE}",
            )
        )
    _print_gaps(a.coverage, chosen)
    t = a.timings
    out.print(
        f"MultiLCA: {t.get('factories', 0)} factories × {t.get('indicators', 0)} indicators in "
        f"{t.get('multilca', 0):.3f} s (project build/check {t.get('build', 0):.2f} s, contributions "
        f"{t.get('contributions', 0):.3f} s)"
    )
    write_results(a.results, out_dir / "results.parquet")
    write_comparison(comp, out_dir / "comparison.parquet")
    write_completeness(a.completeness, out_dir / "completeness.parquet")
    write_coverage(a.coverage, out_dir / "coverage.parquet")
    from .. import atomic

    atomic.write_text(out_dir / "comparison.csv", comp.to_csv(index=False))
    out.print(
        f"wrote {out_dir}/results.parquet, comparison.parquet, comparison.csv, completeness.parquet, coverage.parquet"
    )


def headline_rows(comp, cov, chosen: list[str]):
    """The printed comparison: one row per factory × indicator × scope, with both sides' coverage."""
    import pandas as pd

    sel = comp[comp.indicator.isin(chosen)].copy()
    sel["indicator"] = pd.Categorical(sel["indicator"], categories=list(dict.fromkeys(chosen)), ordered=True)
    sel["scope"] = pd.Categorical(sel["scope"], categories=list(SCOPES), ordered=True)
    c = cov.set_index(["factory", "indicator", "scope"])
    rows = []
    for r in sel.sort_values(["factory", "indicator", "scope"]).itertuples():
        mine, theirs = c.loc[(r.factory, r.indicator, r.scope)], None
        if r.baseline:
            theirs = c.loc[(r.baseline, r.indicator, r.scope)]
        checks = {x for side in (mine, theirs) if side is not None for x in str(side["to_check"]).split("; ") if x}
        rows.append(
            {
                "factory": r.factory,
                "baseline": r.baseline,
                "indicator": r.indicator,
                "scope": SCOPE_LABELS[r.scope],
                "unit per FU": r.unit,
                "micro-factory": r.micro_factory,
                "baseline value": r.baseline_value,
                "change": "n/a" if r.relative_change != r.relative_change else f"{r.relative_change:+.1%}",
                "coverage": f"{mine['coverage']:.0%}" + (f" / {theirs['coverage']:.0%}" if theirs is not None else ""),
                "note": "to check" if checks else "",
            }
        )
    return pd.DataFrame(rows)


def _print_gaps(cov, chosen: list[str]) -> None:
    """The flows each printed number does not characterise (coverage below 100 %), grouped when they repeat."""
    gaps = cov[cov.indicator.isin(chosen) & (cov.missing != "")]
    for (fid, missing), g in gaps.groupby(["factory", "missing"], sort=True):
        where = ", ".join(f"{r.indicator} ({SCOPE_LABELS[r.scope]})" for r in g.itertuples())
        out.print(f"not characterised in {fid}: {missing.replace('; ', ', ')} — for {where}")
