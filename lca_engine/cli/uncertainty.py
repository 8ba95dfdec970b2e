"""`lca-engine compare` (paired Monte Carlo, claim check, Sobol) and `lca-engine scenarios`."""

from __future__ import annotations

from pathlib import Path

import typer

from ..errors import LcaEngineError
from .common import DataDirOpt, LenientOpt, ToleranceOpt, _df_table, _fail, app, err, out

#: The verdict block's draws and seed (lca_engine.verdict.DEFAULT_DRAWS / DEFAULT_SEED, the report's and the
#: dashboard's; a test holds them equal), written out so that `--help` imports no numerics.
DRAWS, SEED = 1000, 1


@app.command()
def compare(
    paths: list[Path] = typer.Argument(..., help="Inventory files or folders; named baselines are added."),
    draws: int = typer.Option(
        DRAWS, "--draws", min=1, help="Paired Monte Carlo draws of each micro-factory and its baseline."
    ),
    seed: int = typer.Option(SEED, "--seed", min=0, help="Random seed (same seed, same numbers)."),
    claims_file: Path | None = typer.Option(
        None, "--claims", help="Claims to test (default: inventories/claims.toml)."
    ),
    year: int = typer.Option(2025, "--year", help="DESNZ background data year."),
    out_dir: Path = typer.Option(Path("results"), "--out", help="Folder for claims.* and monte_carlo.parquet."),
    sobol: int = typer.Option(
        0,
        "--sobol",
        help="Also compute Sobol indices of the difference with this many "
        "base samples (a power of 2, e.g. 256); 0 = skip.",
    ),
    tolerance: float = ToleranceOpt,
    lenient: bool = LenientOpt,
    data_dir: Path | None = DataDirOpt,
) -> None:
    """Micro-factory vs baseline with uncertainty: paired Monte Carlo and the claim check.

    Each micro-factory is drawn with its baseline alone (the draws of the report's and the dashboard's verdict
    block): its numbers do not depend on which other inventories are given."""
    import time

    from rich.progress import Progress

    from .. import atomic
    from ..assess import assess_files, collect_files
    from ..claims import load_claims
    from ..paired import pair_claims, pair_differences, pair_draws, pair_summary, solved_note
    from ..results import _write_frame

    try:
        a = assess_files(
            collect_files(paths), year=year, data_dir=data_dir, tolerance=tolerance, strict_balance=not lenient
        )
        claims = load_claims(claims_file)
        t0 = time.perf_counter()
        with Progress(console=err, transient=True) as progress:
            task = progress.add_task(f"Monte Carlo, {draws} paired draws per pair", total=len(a.pairs))
            paired = pair_draws(a, draws, seed, data_dir, on_pair=lambda _: progress.advance(task))
        t_mc = time.perf_counter() - t0
        verdicts = pair_claims(a, paired, claims)
    except LcaEngineError as exc:
        _fail(exc)
    from .compare_view import claims_view, differences_view, not_assessable_lines

    out.print(claims_view(verdicts, f"Claim check (paired Monte Carlo, {draws} draws, seed {seed})", out.width))
    for line in not_assessable_lines(verdicts):
        out.print(line, soft_wrap=False)
    diffs = pair_differences(a, paired)
    if len(diffs):
        head = diffs[diffs.indicator.isin(["carbon", "energy_delivered", "water_withdrawal", "chemicals_total"])]
        title = "Difference micro-factory − baseline per functional unit (paired draws)"
        out.print(differences_view(head, paired.runs, title, out.width))
    out.print(
        f"Monte Carlo: each of {sum(mc is not None for mc in paired.runs.values())} micro-factories drawn with its "
        f"baseline alone, as in the report and the dashboard ({draws} draws, seed {seed}; every indicator cradle to "
        f"gate and on site) in {t_mc:.2f} s",
        soft_wrap=False,
    )
    if note := solved_note(paired):
        out.print(note, soft_wrap=False)
    if sobol:
        import pandas as pd

        from ..assess import matrix_system
        from ..sensitivity import sobol_difference

        indicators = ["carbon", "energy_delivered", "water_withdrawal", "chemicals_total"]
        try:
            frames = []
            for micro, base in a.pairs:
                if not base:
                    continue
                system = matrix_system(
                    [a.checked[micro].factory, a.checked[base].factory],
                    year=year,
                    data_dir=data_dir,
                    indicators=indicators,
                )
                df = sobol_difference(system, micro, base, samples=sobol, seed=seed, top=3)
                df.insert(0, "factory", micro)
                frames.append(df)
        except LcaEngineError as exc:
            _fail(exc)
        sens = pd.concat(frames, ignore_index=True)
        out.print(
            _df_table(
                sens[["factory", "indicator", "parameter", "S1", "ST"]],
                f"Top drivers of the difference (Sobol, {sobol} base samples)",
                floats="{:.3f}",
            )
        )
        _write_frame(sens, out_dir / "sobol.parquet")
    atomic.write_text(out_dir / "claims.csv", verdicts.to_csv(index=False))

    _write_frame(verdicts, out_dir / "claims.parquet")
    _write_frame(diffs, out_dir / "monte_carlo_differences.parquet")
    _write_frame(pair_summary(paired), out_dir / "monte_carlo_summary.parquet")
    out.print(
        f"wrote {out_dir}/claims.csv, claims.parquet, monte_carlo_differences.parquet, monte_carlo_summary.parquet",
        soft_wrap=False,
    )


NOT_APPLICABLE = "not applicable: "


def _print_not_applicable(effects) -> None:
    """One line per scenario parameter that cannot act on an inventory, with the reason (``ScenarioEffect``)."""
    for e in effects[~effects.applies].itertuples():
        why = e.note.removeprefix(NOT_APPLICABLE)
        out.print(f"{e.scenario} cannot act on {e.factory}: {why} [parameter {e.parameter}]")


@app.command()
def scenarios(
    paths: list[Path] = typer.Argument(..., help="Inventory files or folders; named baselines are added."),
    scenario_file: Path | None = typer.Option(
        None, "--scenarios", help="Scenario file (default: inventories/scenarios.toml)."
    ),
    indicator: str = typer.Option("carbon", "--indicator", help="Indicator to print (all are computed)."),
    year: int = typer.Option(2025, "--year", help="Default DESNZ background year."),
    out_dir: Path = typer.Option(Path("results"), "--out", help="Folder for scenarios.parquet and .csv"),
    tolerance: float = ToleranceOpt,
    lenient: bool = LenientOpt,
    data_dir: Path | None = DataDirOpt,
) -> None:
    """Assess every inventory as written and under each named scenario; one cube, one comparison table."""
    from .. import atomic
    from ..assess import collect_files
    from ..results import write_comparison, write_results
    from ..scenarios import assess_scenarios, load_scenarios

    try:
        scs = load_scenarios(scenario_file)
        a = assess_scenarios(
            collect_files(paths), scs, year=year, data_dir=data_dir, tolerance=tolerance, strict_balance=not lenient
        )
    except LcaEngineError as exc:
        _fail(exc)
    comp = a.comparison(scope=None)
    sel = comp[comp.indicator == indicator][
        ["factory", "scenario", "scope", "unit", "micro_factory", "baseline_value", "relative_change"]
    ].copy()
    from ..indicators import SCOPE_LABELS

    sel["scope"] = sel["scope"].map(SCOPE_LABELS)
    sel["relative_change"] = sel["relative_change"].map(lambda v: "n/a" if v != v else f"{v:+.1%}")
    out.print(_df_table(sel, f"{indicator} per functional unit under each scenario (site and cradle to gate)"))
    _print_not_applicable(a.effects)
    write_results(a.results, out_dir / "scenarios_results.parquet")
    write_comparison(comp, out_dir / "scenarios_comparison.parquet")
    atomic.write_text(out_dir / "scenarios_comparison.csv", comp.to_csv(index=False))
    out.print(
        f"wrote {out_dir}/scenarios_results.parquet, scenarios_comparison.parquet, scenarios_comparison.csv",
    )
