"""``lca-engine stocks``: the in-use stocks of a portfolio's products, their end-of-life outflows by route and the
secondary material they make available, at a few years of the horizon. Prints; the logic is lca_engine.stocks."""

from __future__ import annotations

import re
from pathlib import Path

import typer

from ..errors import LcaEngineError
from ..vocabulary import BASELINE
from .common import _df_table, _fail, app, check_table_out, err, out, styled, write_table

#: Printed years: the start, every STEP years after it, and the end.
STEP = 5
#: The ``table`` column of the written file: which of the engine's tables a row comes from.
TABLES = ("stocks", "outflows", "secondary", "left_out")
_WHOLE_YEAR = re.compile(r"[+-]?\d{1,6}")
#: Why a conventional baseline is not modelled (it is a counterfactual, not output that enters use in Wales).
BASELINE_REASON = "conventional baseline: a counterfactual, not the portfolio's output (left out)"


def _year(option: str, text: str) -> int:
    """A whole year from the option's text, or an error naming the option."""
    if not _WHOLE_YEAR.fullmatch(text.strip()):
        raise LcaEngineError(
            f"{option} {text!r} is not a whole year", fix=f"give {option} as a year, e.g. {option} 2030", field=option
        )
    return int(text)


def _horizon(start: str, end: str):
    """The horizon of ``--start`` … ``--end``; the engine's errors name the options."""
    from ..stocks import Horizon, StockError

    first, last = _year("--start", start), _year("--end", end)
    try:
        return Horizon(first, last)
    except StockError as exc:
        for p in exc.problems:
            p.field = f"--{p.field}" if p.field in ("start", "end") else p.field
        raise


def shown_years(start: int, end: int) -> list[int]:
    """start, start + 5, start + 10 … and end."""
    return sorted({*range(start, end + 1, STEP), end})


def _left_table(left_out: list):
    import pandas as pd

    rows = [{"factory": x.factory, "product": x.product, "reason": x.reason} for x in left_out]
    return pd.DataFrame(rows, columns=["factory", "product", "reason"])


def tidy(result, left_out: list):
    """The engine's three tables and the products left out as one long table with a ``table`` column (tonnes;
    a column a table does not have is empty in its rows)."""
    import pandas as pd

    tables = (result.stocks, result.outflows, result.secondary, _left_table(left_out))
    parts = [df.assign(table=name) for name, df in zip(TABLES, tables, strict=True)]
    whole = pd.concat([p for p in parts if len(p)] or parts[:1], ignore_index=True)
    first = ["table", "factory", "product", "material", "year", "route"]
    whole = whole.reindex(columns=[*first, *(c for c in whole.columns if c not in first)])
    return whole.astype({"year": "Int64"})  # whole years; empty in the rows of products left out


def _load(paths: list[Path]):
    """(the checked non-baseline factories, the baselines left out as ``LeftOut``)."""
    from ..collect import collect_files
    from ..load import load_checked
    from ..stocks import LeftOut

    kept, baselines = [], []
    for path in collect_files(paths):
        c = load_checked(path, strict_balance=False)
        if c.factory.system == BASELINE:
            baselines.append(LeftOut(c.factory.id, "(all products)", BASELINE_REASON))
        else:
            kept.append(c)
    return kept, baselines


def _print_wide(wide, years: list[int], title: str, caption: str) -> None:
    shown = wide.loc[years].reset_index()
    shown["year"] = shown["year"].astype(str)
    if wide.shape[1] > 1:
        shown["total"] = wide.loc[years].sum(axis=1).to_numpy()
    out.print(title)  # above the table, not as its title: a narrow table would wrap it
    out.print(_df_table(shown, ""))
    if caption:
        out.print(caption)


def _print(result, years: list[int], left_out: list) -> None:
    if result.stocks.empty:
        out.print("no product modelled: no product sold to the market states what the stock model needs (below)")
    else:
        h = result.horizon
        _print_wide(result.stock_by_material(), years, "Stock in use by material, t (end of year)", "")
        routes = result.outflow_by_route()
        summed = "; ".join(f"{route} {t:.4g}" for route, t in routes.sum().items())
        _print_wide(routes, years, "End-of-life outflow by route, t in the year", f"{h.start}-{h.end}, t: {summed}")
        _print_wide(
            result.secondary_by_year(),
            years,
            "Secondary material available, t in the year",
            f"secondary = {result.secondary_formula}; products enter use in the {result.inflow_at} of the year "
            "they are made",
        )
    if left_out:
        out.print(_df_table(_left_table(left_out), "Left out (not counted as zero)"))
    for note in result.notes:
        err.print(styled("note:", "yellow", f" {note}"))


@app.command()
def stocks(
    paths: list[Path] = typer.Argument(..., help="Inventory files or folders (baselines are left out)."),
    start: str = typer.Option("2025", "--start", help="First year: the portfolio's output enters use from it."),
    end: str = typer.Option("2060", "--end", help="Last year modelled."),
    out_file: Path | None = typer.Option(
        None, "--out", help="Write the tidy tables (one table, a 'table' column) to FILE.csv|.parquet."
    ),
) -> None:
    """In-use stocks of the products (flodym, each product's [flows.lifetime]), end-of-life outflows by route and
    secondary material, in tonnes, at the start, every 5 years and the end; products left out and why."""
    from ..stocks import in_use_stocks

    try:
        horizon = _horizon(start, end)
        check_table_out(out_file)
        factories, baselines = _load(paths)
        result = in_use_stocks(factories, horizon.start, horizon.end)
        left_out = [*result.left_out, *baselines]
        if out_file is not None:
            write_table(tidy(result, left_out), out_file)
    except LcaEngineError as exc:
        _fail(exc)
    _print(result, shown_years(horizon.start, horizon.end), left_out)
    if out_file is not None:
        out.print(f"wrote {out_file}")
