"""``lca-engine portfolio generate``: synthetic micro-factories and their baselines (benchmarks, tests, demos);
``lca-engine portfolio assess``: every inventory of a folder on one background, in one process or on Dask."""

from __future__ import annotations

import time
from pathlib import Path

import typer

from ..errors import LcaEngineError
from .common import DataDirOpt, ToleranceOpt, _fail, app, out

portfolio_app = typer.Typer(
    no_args_is_help=True,
    rich_markup_mode=None,
    help="Portfolios of many micro-factories: generate synthetic ones, assess them all (in one process or on Dask).",
)
app.add_typer(portfolio_app, name="portfolio")


#: "-1" is read as N (and refused with the reason), not as an unknown option
@portfolio_app.command("generate", context_settings={"ignore_unknown_options": True})
def generate(
    n: int = typer.Argument(..., metavar="N", help="Number of micro-factories (each with its own baseline)."),
    out_dir: Path = typer.Option(
        ..., "--out", help="Folder to write into: new, empty, or a portfolio generated before (replaced)."
    ),
    seed: int = typer.Option(1, "--seed", help="Random seed: the same seed writes byte-identical files."),
    sectors: str | None = typer.Option(
        None,
        "--sectors",
        help="Comma-separated sectors, e.g. textiles,green-tech (default: all six), taken in turn.",
    ),
) -> None:
    """Write N synthetic micro-factories and their baselines (2N inventories) varied from the shipped examples:
    site in Wales, loop amounts and energy and transport; every file validates with closed mass balances."""
    from ..portfolio.generate import check_out_dir, check_request, generate_to, resolve_sectors

    wanted = None if sectors is None else sectors.split(",")
    try:
        check_request(n, seed)
        check_out_dir(out_dir)
        chosen = ", ".join(resolve_sectors(wanted)[:n])
        start = time.perf_counter()
        written = generate_to(out_dir, n, seed=seed, sectors=wanted)
    except LcaEngineError as exc:
        _fail(exc)
    out.print(
        f"wrote {len(written):,} inventories ({n:,} synthetic micro-factories and their baselines; {chosen}; "
        f"seed {seed}) to {out_dir} in {time.perf_counter() - start:.1f} s"
    )
    out.print(f"check them with: lca-engine validate {out_dir}")


def _runner(workers: int | None, scheduler: str | None):
    """The runner the options ask for: one process, local Dask workers, or a Dask scheduler."""
    from ..portfolio.runners import DaskRunner, LocalRunner, SchedulerError, check_address

    if workers is not None and scheduler is not None:
        raise SchedulerError(
            "--workers and --scheduler both given",
            fix="use --workers N for Dask workers on this machine, or --scheduler tcp://HOST:PORT for a running "
            "cluster, not both",
            field="--workers",
        )
    if scheduler is not None:
        return DaskRunner(check_address(scheduler))
    if workers is not None:
        return DaskRunner(workers=workers)
    return LocalRunner()


def _print_skipped(skipped) -> None:
    from .common import err, problems_text, styled

    err.print(styled(f"left out ({len(skipped)}, --skip-invalid):", "yellow"))
    for s in skipped:
        err.print(problems_text(s.problems[:1]) + (f" (+{len(s.problems) - 1} more)" if len(s.problems) > 1 else ""))


def _print_summary(run) -> None:
    import pandas as pd

    from ..indicators import CRADLE_TO_GATE, HEADLINE

    cmp = pd.read_parquet(run.comparison)
    cmp = cmp[(cmp.scope == CRADLE_TO_GATE) & cmp.indicator.isin(HEADLINE)]
    out.print(
        f"{cmp.factory.nunique():,} micro-factories compared with their baseline (cradle to gate, per functional "
        "unit); below it:"
    )
    for name, part in cmp.groupby("scenario", sort=False):
        below = part[part.difference < 0].groupby("indicator").factory.nunique().reindex(HEADLINE, fill_value=0)
        out.print(f"  {name}: " + ", ".join(f"{ind} {n:,}" for ind, n in below.items()))


def _print_uncertainty(run, draws: int, seed: int) -> None:
    import pandas as pd

    from ..indicators import CRADLE_TO_GATE, HEADLINE
    from ..verdict import BETTER_AT, Direction

    u = pd.read_parquet(run.uncertainty)
    u = u[(u.scope == CRADLE_TO_GATE) & u.indicator.isin(HEADLINE)]
    better = u[u.direction == Direction.BETTER].groupby("indicator").factory.nunique().reindex(HEADLINE, fill_value=0)
    out.print(
        f"Monte Carlo: {draws:,} paired draws (seed {seed}) per micro-factory in {run.timings['monte_carlo']:.1f} s; "
        f"better than the baseline with P(better) >= {BETTER_AT} (cradle to gate): "
        + ", ".join(f"{ind} {n:,}" for ind, n in better.items())
    )


@portfolio_app.command("assess")
def assess(
    paths: list[Path] = typer.Argument(..., help="Inventory files or folders (e.g. one made by `generate`)."),
    out_dir: Path = typer.Option(..., "--out", help="Folder for portfolio.parquet and the other tables."),
    year: int = typer.Option(2025, "--year", help="DESNZ background data year (2023, 2024, 2025)."),
    workers: int | None = typer.Option(
        None, "--workers", min=1, help="Dask worker processes on this machine (LocalCluster); default: one process."
    ),
    scheduler: str | None = typer.Option(
        None, "--scheduler", help="Address of a running Dask scheduler, tcp://HOST:PORT (its workers do the work)."
    ),
    skip_invalid: bool = typer.Option(
        False, "--skip-invalid", help="Assess the valid inventories and list the others (default: stop, write nothing)."
    ),
    contributions: bool = typer.Option(
        False, "--contributions", help="Also write every flow's part of each result (a larger cube)."
    ),
    draws: int = typer.Option(
        0,
        "--draws",
        min=0,
        help="Paired Monte Carlo draws for every micro-factory against its baseline, all on the same background "
        "draws (0: none): P(better) and 95 %% intervals in portfolio_uncertainty.parquet.",
    ),
    seed: int = typer.Option(1, "--seed", min=0, help="Random seed of --draws (same seed, same numbers)."),
    scenario_file: Path | None = typer.Option(
        None,
        "--scenarios",
        help="Also assess every factory under each scenario of this file (e.g. inventories/scenarios.toml), in "
        "the same cube and comparison (column scenario); each scenario's background solved once.",
    ),
    tolerance: float = ToleranceOpt,
    data_dir: Path | None = DataDirOpt,
) -> None:
    """Assess every inventory of a portfolio on one background solved once, in chunks (in this process or on Dask),
    streamed to Parquet: the result cube, each micro-factory against its baseline, one row per factory."""
    from ..portfolio.run import assess_portfolio
    from ..scenarios import load_scenarios

    runner = None
    try:
        scenarios = load_scenarios(scenario_file) if scenario_file else []
        runner = _runner(workers, scheduler)
        run = assess_portfolio(
            paths,
            out_dir,
            year=year,
            data_dir=data_dir,
            runner=runner,
            skip_invalid=skip_invalid,
            contributions=contributions,
            tolerance=tolerance,
            draws=draws,
            seed=seed,
            scenarios=scenarios,
        )
    except LcaEngineError as exc:
        _fail(exc)
    finally:
        if runner is not None:
            runner.close()
    if run.skipped:
        _print_skipped(run.skipped)
    t = run.timings
    out.print(
        f"assessed {run.factories:,} factories ({len(run.pairs):,} micro-factories) on {run.workers} "
        f"{'worker' if run.workers == 1 else 'workers'}: background solved once in {t['background']:.2f} s, "
        f"the factories in {t['factories']:.2f} s"
    )
    _print_summary(run)
    if run.uncertainty is not None:
        _print_uncertainty(run, draws, seed)
    files = [p for p in (run.cube, run.comparison, run.factory_table, run.uncertainty) if p is not None]
    out.print(f"wrote {out_dir}/{', '.join(p.name for p in files)}")
