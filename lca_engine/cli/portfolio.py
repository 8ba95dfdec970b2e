"""``lca-engine portfolio generate``: synthetic micro-factories and their baselines (benchmarks, tests, demos)."""

from __future__ import annotations

import time
from pathlib import Path

import typer

from ..errors import LcaEngineError
from .common import _fail, app, out

portfolio_app = typer.Typer(
    no_args_is_help=True,
    rich_markup_mode=None,
    help="Portfolios of many micro-factories: generate synthetic ones from the shipped examples.",
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
