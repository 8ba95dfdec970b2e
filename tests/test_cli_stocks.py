"""``lca-engine stocks`` (issue 21): the printed years and tonnes equal the hand arithmetic of a fixed lifetime, the
written tables (Parquet and CSV, one table with a ``table`` column) hold every year, baselines and products without
a lifetime are listed as left out, and bad years or file names are exit 1 naming the option, never a traceback."""

from __future__ import annotations

import re
import shutil

import pandas as pd
import pytest

from lca_engine.cli.stocks import shown_years

from .cli_run import run
from .conftest import DATA
from .tiny_cycles import TINY, end_of_use, lifetime, production

T_PER_YEAR = 1000 * 0.49 / 1000  # annual output × garment mass (tiny_micro.toml), t
LIFETIME = 7
EXTRA = lifetime(f'distribution = "fixed"\nmean = {LIFETIME}') + production(1000, 500, 2000)
EXTRA += end_of_use(reuse=0.2, recycling=0.3, efficiency=0.5)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    d = tmp_path_factory.mktemp("stocks")
    (d / "tiny_micro.toml").write_text(TINY + EXTRA, encoding="utf-8")
    shutil.copy(DATA / "tiny_baseline.toml", d / "tiny_baseline.toml")
    return d


def _stock(year: int) -> float:
    """Cohorts 2025 … year still in use at the end of ``year``: those younger than the lifetime."""
    return (year - max(2025, year - LIFETIME + 1) + 1) * T_PER_YEAR


def _outflow(year: int) -> float:
    return T_PER_YEAR if year - LIFETIME >= 2025 else 0.0


def _row(output: str, title: str, year: int) -> list[str]:
    block = output[output.index(title) :]
    line = next(x for x in block.splitlines() if re.match(rf"│ {year} ", x))
    return [c.strip() for c in line.strip("│ ").split("│")]


def test_printed_tables_equal_the_hand_arithmetic(folder):
    code, output = run("stocks", folder, "--start", "2025", "--end", "2040")
    assert code == 0, output
    assert shown_years(2025, 2040) == [2025, 2030, 2035, 2040] and shown_years(2025, 2042)[-2:] == [2040, 2042]
    for year in (2025, 2030, 2035, 2040):
        assert _row(output, "Stock in use by material", year) == [str(year), f"{_stock(year):.4g}"]
        routes = _row(output, "End-of-life outflow by route", year)
        out = _outflow(year)  # recycling, reuse, composting, energy recovery, landfill, total
        assert routes == [str(year), *(f"{out * s:.4g}" for s in (0.3, 0.2, 0.0, 0.0, 0.5, 1.0))], routes
        assert _row(output, "Secondary material available", year) == [str(year), f"{out * (0.2 + 0.3 * 0.5):.4g}"]
    assert "tiny-baseline" in output and "conventional baseline" in output


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_written_tables(folder, tmp_path, suffix):
    path = tmp_path / f"stocks{suffix}"
    code, output = run("stocks", folder, "--end", "2040", "--out", path)
    assert code == 0 and f"wrote {path}" in output.replace("\n", ""), output
    df = pd.read_parquet(path) if suffix == ".parquet" else pd.read_csv(path)
    assert sorted(df["table"].unique()) == ["left_out", "outflows", "secondary", "stocks"]
    stocks = df[df["table"] == "stocks"].set_index("year")
    assert list(stocks.index) == list(range(2025, 2041))
    assert stocks["stock_t"].tolist() == pytest.approx([_stock(y) for y in range(2025, 2041)], rel=1e-12)
    routes = df[df["table"] == "outflows"]
    assert len(routes) == 16 * 5 and routes["outflow_t"].sum() == pytest.approx(stocks["outflow_t"].sum())
    left = df[df["table"] == "left_out"]
    assert left["factory"].tolist() == ["tiny-baseline"] and "baseline" in left["reason"].iloc[0]
    assert not list(tmp_path.glob(".*.tmp")), "atomic write"


def test_no_lifetime_is_listed_not_zero(tmp_path):
    shutil.copy(DATA / "tiny_micro.toml", tmp_path / "tiny_micro.toml")
    shutil.copy(DATA / "tiny_baseline.toml", tmp_path / "tiny_baseline.toml")
    code, output = run("stocks", tmp_path / "tiny_micro.toml")
    assert code == 0, output
    assert "no product modelled" in output and "no lifetime stated" in output
    assert "Stock in use by material" not in output


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["--start", "2025.5"], "--start"),
        (["--start", "twenty"], "--start"),
        (["--end", "2060.0"], "--end"),
        (["--start", "2061"], "--start"),  # after the default end
        (["--start", "2030", "--end", "2029"], "--start"),
        (["--end", "3000"], "--end"),  # longer than the longest horizon
        (["--out", "stocks.xlsx"], "--out"),
    ],
)
def test_bad_options_exit_1_naming_the_option(folder, args, option):
    code, output = run("stocks", folder, *args)
    assert code == 1, output
    assert f"field '{option}'" in output and "fix:" in output
