"""The shipped example factories: valid, balanced, each with a loop and a baseline; results add up."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from lca_engine import assess_files, collect_files, find_loops, load_checked
from lca_engine.units import convert

from .conftest import EXAMPLES, ROOT

FILES = collect_files([EXAMPLES])


@pytest.fixture(scope="module")
def assessed(data_dir):
    return assess_files([EXAMPLES], data_dir=data_dir)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_example_is_valid_and_balanced(path, catalog):
    c = load_checked(path, catalog=catalog)
    assert c.balance.ok
    assert c.report.ok
    if c.factory.system == "micro-factory":
        assert c.factory.baseline, "every example micro-factory names its baseline"
        assert find_loops(c.factory), "every example micro-factory has a reuse/recycling loop"


def test_all_six_sectors_have_a_micro_factory_and_baseline(assessed):
    from lca_engine.model import SECTORS

    micro = [m for m, b in assessed.pairs if b]
    assert {assessed.checked[m].factory.sector for m in micro} == set(SECTORS)


def test_totals_equal_plain_sum_of_amount_times_factor(assessed, catalog):
    """Independent of Brightway: Σ flow amount (converted to the factor's unit) × DESNZ factor."""
    for fid, c in assessed.checked.items():
        expected = 0.0
        for f in c.factory.flows:
            for key in f.background_keys:
                factor = catalog.get(key)
                # a composite's CO2e: its own total (DESNZ electricity) or its parts' (an open factor's families)
                value = factor.value or sum(catalog.get(c).value for c in factor.components)
                expected += convert(f.amount, f.unit, factor.unit) * value
            if f.substance:
                from lca_engine.indicators import AR5_GWP100

                expected += convert(f.amount, f.unit, "kg") * AR5_GWP100[f.substance]
        assert assessed.total(fid) == pytest.approx(expected, rel=1e-9), fid


def test_flow_contributions_sum_to_totals_for_every_indicator(assessed):
    r = assessed.results
    totals = r[r.contributor_type == "total"].set_index(["factory", "indicator", "scope"])["value"]
    sums = r[r.contributor_type == "flow"].groupby(["factory", "indicator", "scope"])["value"].sum()
    for key, total in totals.items():
        assert sums.get(key, 0.0) == pytest.approx(total, rel=1e-9, abs=1e-12), key


def test_readme_main_command_runs_as_a_user_would(tmp_path):
    """`lca-engine assess inventories/examples` from the repository root, real process, fresh output folder."""
    env = {**os.environ}
    out = tmp_path / "results"
    res = subprocess.run(
        [sys.executable, "-m", "lca_engine.cli", "assess", "inventories/examples", "--out", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert res.returncode == 0, res.stderr
    assert "textile-merthyr-micro vs textile-conventional-baseline" in res.stdout
    assert "water_withdrawal" in res.stdout and "chemicals_total" in res.stdout
    import pandas as pd

    comp = pd.read_parquet(out / "comparison.parquet")
    assert len(comp) == len(pd.read_csv(out / "comparison.csv")) >= 3


@pytest.mark.parametrize("script", ["assess_examples.py", "build_in_code.py"])
def test_example_scripts_run(script, tmp_path):
    env = {**os.environ}  # LCA_ENGINE_DATA_DIR points at the test session's folder
    args = [sys.executable, str(ROOT / "examples" / script)]
    if script == "build_in_code.py":
        args.append(str(tmp_path))
    res = subprocess.run(args, env=env, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr
    assert "per FU" in res.stdout or "trays-micro" in res.stdout
