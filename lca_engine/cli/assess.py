"""`lca-engine assess`: factories vs baselines per functional unit, written as the result cube."""

from __future__ import annotations

from pathlib import Path

import typer

from ..errors import LcaEngineError, ProblemKind
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
    no_cache: bool = typer.Option(
        False,
        "--no-cache",
        help="Recalculate even if an earlier run had byte-identical inputs, options and code "
        "(and do not store this run in the result cache).",
    ),
    uncertainty: bool = typer.Option(
        False,
        "--uncertainty",
        help="Also print each micro-factory's verdict block: point change, Monte Carlo mean difference, 95 %% "
        "interval, P(better) and verdict, on a paired Monte Carlo of it and its baseline alone (the draws of the "
        "report's page 1, the dashboard and `compare`).",
    ),
    draws: int = typer.Option(1000, "--draws", min=1, help="Paired Monte Carlo draws for --uncertainty."),
    seed: int = typer.Option(1, "--seed", min=0, help="Random seed for --uncertainty (same seed, same numbers)."),
) -> None:
    """Assess micro-factories against their baselines per functional unit; write Parquet results."""
    from rich.progress import Progress

    from ..indicators import HEADLINE
    from ..outputs import assess_to_folder

    try:
        with Progress(console=err, transient=True) as progress:
            task = progress.add_task("checking inventories and calculating", total=None)
            w = assess_to_folder(
                paths,
                out_dir,
                year=year,
                data_dir=data_dir,
                tolerance=tolerance,
                strict_balance=not lenient,
                on_file=lambda p: progress.advance(task),
                use_cache=not no_cache,
            )
    except LcaEngineError as exc:
        _fail(exc)
    _print_file_warnings(w.warnings)
    chosen = indicators.split(",") if indicators else HEADLINE
    _print_tables(w.comparison, w.coverage, chosen, year)
    _print_gaps(w.coverage, chosen)
    if w.cached:
        out.print(
            f"results from the result cache (inputs sha256 {w.digest}): nothing recalculated; --no-cache recalculates"
        )
    else:
        t = w.timings
        out.print(
            f"calculated {t.get('factories', 0):.0f} factories × {t.get('indicators', 0):.0f} indicators: "
            f"background solved once in {t.get('background', 0):.3f} s, the factories' own systems and every "
            f"flow's part in {t.get('foregrounds', 0):.3f} s (project build/check {t.get('build', 0):.2f} s)"
        )
    out.print(f"wrote {out_dir}/{', '.join(f.name for f in w.files)}")
    if uncertainty:
        try:
            _print_verdicts(w.assessment, paths, year, data_dir, tolerance, not lenient, draws, seed)
        except LcaEngineError as exc:
            _fail(exc)


def _print_verdicts(a, paths, year, data_dir, tolerance, strict_balance, draws: int, seed: int) -> None:
    """The verdict block of every micro-factory that names a baseline, in 80 columns or wider; ``a``: the run's
    Assessment, assessed again only when the run's files came from the result cache."""
    from ..assess import assess_files
    from ..verdict import POINT_VS_MEAN, pair_monte_carlo
    from .compare_view import verdict_view

    if a is None:
        a = assess_files(paths, year=year, data_dir=data_dir, tolerance=tolerance, strict_balance=strict_balance)
    for factory, baseline in a.pairs:
        if baseline:
            mc = pair_monte_carlo(a, factory, draws=draws, seed=seed, data_dir=data_dir)
            out.print(verdict_view(a, factory, mc, out.width))
    out.print(f"Monte Carlo: {draws:,} paired draws, seed {seed}. {POINT_VS_MEAN}")


def _print_file_warnings(warnings) -> None:
    for file, problems in warnings:
        others, uncounted = split_uncounted(problems)
        _print_warnings(others)
        if uncounted:
            err.print(
                styled(
                    "no background factor:",
                    "yellow",
                    f" {file}: {', '.join(uncounted)} (their upstream burdens are not counted)",
                )
            )


def split_uncounted(problems: list) -> tuple[list, list[str]]:
    """(the warnings printed one by one, the ids of the purchases without a background factor), chosen by the
    problem's kind (never its message text)."""
    uncounted = [str(p.subject) for p in problems if p.kind == ProblemKind.NO_BACKGROUND]
    return [p for p in problems if p.kind != ProblemKind.NO_BACKGROUND], uncounted


def _print_tables(comp, cov, chosen: list[str], year: int) -> None:
    from ..indicators import SCOPE_NOTE

    for micro, group in headline_rows(comp, cov, chosen).groupby("factory", sort=True):
        fu = comp.loc[comp.factory == micro, "functional_unit"].iloc[0]
        base = group["baseline"].iloc[0] or "no baseline"
        out.print(
            _df_table(
                group.drop(columns=["factory", "baseline"]),
                f"{micro} vs {base} (DESNZ {year} background)",
                caption=f"per functional unit: {fu}. {SCOPE_NOTE}",
            )
        )


def headline_rows(comp, cov, chosen: list[str]):
    """The printed comparison: one row per factory × indicator × scope, with both sides' coverage."""
    import pandas as pd

    from ..indicators import SCOPE_LABELS, SCOPES

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
    from ..indicators import SCOPE_LABELS

    gaps = cov[cov.indicator.isin(chosen) & (cov.missing != "")]
    for (fid, missing), g in gaps.groupby(["factory", "missing"], sort=True):
        where = ", ".join(f"{r.indicator} ({SCOPE_LABELS[r.scope]})" for r in g.itertuples())
        out.print(f"not characterised in {fid}: {missing.replace('; ', ', ')} — for {where}")
