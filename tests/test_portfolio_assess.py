"""The portfolio run against independent results: every factory's totals equal bw2calc's ``LCA`` on the same
Brightway project (written per factory), and the single process equals Dask on a real 2-worker LocalCluster —
bitwise. Invalid inventories stop the run with nothing written, or are listed with ``skip_invalid``; a Dask worker
killed for real mid-run never leaves half a cube."""

from __future__ import annotations

import operator
import os
import signal
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lca_engine import assess_files, load
from lca_engine.errors import InventoryError
from lca_engine.portfolio import generate_portfolio, write_portfolio
from lca_engine.portfolio.run import COMPARISON, CUBE, assess_portfolio
from lca_engine.portfolio.runners import DaskRunner, SchedulerError

N = 12  # two of each sector


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("portfolio") / "gen"
    write_portfolio(generate_portfolio(N, seed=3), out)
    return out


@pytest.fixture(scope="module")
def single(folder, data_dir, tmp_path_factory):
    run = assess_portfolio([folder], tmp_path_factory.mktemp("single"), data_dir=data_dir, contributions=True)
    return run, pd.read_parquet(run.cube), pd.read_parquet(run.comparison)


def test_totals_equal_bw2calc_lca_per_factory(single, folder, data_dir):
    """Independent: each factory's foreground written into the project (``build``) and solved by bw2calc's own LCA
    (float32 matrices and CFs: 1e-5), for the carbon, energy and water methods."""
    import bw2calc as bc
    import bw2data as bd

    from lca_engine.background.catalog import load_catalog
    from lca_engine.bw.build import FU_CODE, foreground_db_name
    from lca_engine.bw.calc import build
    from lca_engine.indicators import INDICATORS

    run, cube, _ = single
    assert run.factories == 2 * N and len(run.pairs) == N and all(b for _, b in run.pairs)
    factories = [load(p) for p in sorted(folder.glob("*.toml"))]
    catalog = load_catalog(2025, cache_dir=Path(data_dir) / "cache")
    build(factories, catalog, data_dir)
    tot = cube[(cube.contributor_type == "total") & (cube.scope == "cradle_to_gate")]
    value = tot.set_index(["factory", "indicator"])["value"]
    for f in factories:
        node = bd.get_node(database=foreground_db_name(f, 2025), code=FU_CODE)
        for ind in ("carbon", "primary_energy", "water_withdrawal"):
            lca = bc.LCA({node: 1.0}, method=INDICATORS[ind].method)
            lca.lci()
            lca.lcia()
            assert value[(f.id, ind)] == pytest.approx(lca.score, rel=1e-5, abs=1e-9), (f.id, ind)


def test_cube_equals_assess_and_flow_parts_add_up(single, folder, data_dir):
    _, cube, comparison = single
    a = assess_files([folder], data_dir=data_dir)
    ours = cube.sort_values(list(cube.columns[:-1])).reset_index(drop=True)
    theirs = a.results[cube.columns].sort_values(list(cube.columns[:-1])).reset_index(drop=True)
    pd.testing.assert_frame_equal(ours, theirs, check_dtype=False, check_exact=False, rtol=1e-12, atol=1e-15)
    flows = cube[cube.contributor_type == "flow"].groupby(["factory", "indicator", "scope"])["value"].sum()
    totals = cube[cube.contributor_type == "total"].set_index(["factory", "indicator", "scope"])["value"]
    np.testing.assert_allclose(flows.reindex(totals.index, fill_value=0.0), totals, rtol=1e-12, atol=1e-12)
    theirs_cmp = a.comparison(scope=None).sort_values(["factory", "indicator", "scope"]).reset_index(drop=True)
    ours_cmp = comparison.sort_values(["factory", "indicator", "scope"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(ours_cmp, theirs_cmp[ours_cmp.columns], check_dtype=False, rtol=1e-12)


def test_factory_table_is_each_inventory_with_its_baseline(single, folder):
    run, _, _ = single
    table = pd.read_parquet(run.factory_table).set_index("id")
    files = sorted(folder.glob("*.toml"))
    assert len(table) == len(files) == 2 * N
    for p in files:
        f = load(p)
        row = table.loc[f.id]
        assert (row["name"], row["system"], row["sector"], row["file"]) == (
            f.name,
            f.system,
            f.sector,
            str(p.resolve()),
        )
        assert (row["lat"], row["lon"], row["annual_output"]) == (f.site.lat, f.site.lon, f.production.annual_output)
        if f.system == "micro-factory":
            assert row["baseline"] == load(folder / f.baseline).id
        else:
            assert pd.isna(row["baseline"])
    micro = table[table.system == "micro-factory"]
    assert sorted(zip(micro.index, micro.baseline, strict=True)) == sorted(run.pairs)


def _profiler_on(dask_worker) -> bool:
    import dask

    return bool(dask.config.get("distributed.worker.profile.enabled")) or "profile" in dask_worker.periodic_callbacks


def test_dask_two_workers_equal_the_single_process_bitwise(single, folder, data_dir, tmp_path):
    _, cube, comparison = single
    runner = DaskRunner(workers=2)
    try:
        assert runner.workers == 2
        # the workers run without Dask's statistical profiler (it sampled every task at 10 ms, ~2x per chunk)
        assert all(not on for on in runner.client.run(_profiler_on).values())
        run = assess_portfolio([folder], tmp_path, data_dir=data_dir, contributions=True, runner=runner, chunk=3)
    finally:
        runner.close()
    assert run.workers == 2
    dask_cube = pd.read_parquet(run.cube)
    pd.testing.assert_frame_equal(dask_cube, cube, check_exact=True)
    pd.testing.assert_frame_equal(pd.read_parquet(run.comparison), comparison, check_exact=True)


def _broken(folder: Path, tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the portfolio with one micro-factory's unit misspelt."""
    out = tmp_path / "broken"
    out.mkdir()
    for p in folder.iterdir():
        (out / p.name).write_bytes(p.read_bytes())
    bad = sorted(out.glob("*_micro.toml"))[1]
    text = bad.read_text(encoding="utf-8")
    bad.write_text(text.replace('unit = "kg"', 'unit = "kgg"', 1), encoding="utf-8")
    return out, bad


def test_an_invalid_inventory_stops_the_run_naming_it_and_nothing_is_written(folder, data_dir, tmp_path):
    broken, bad = _broken(folder, tmp_path)
    out = tmp_path / "out"
    with pytest.raises(InventoryError) as e:
        assess_portfolio([broken], out, data_dir=data_dir)
    text = "\n".join(p.format() for p in e.value.problems)
    assert bad.name in text and "kgg" in text and "--skip-invalid" in text
    assert not (out / CUBE).exists() and not (out / COMPARISON).exists()
    assert not out.exists() or not list(out.iterdir())  # no temporary file left either


def test_skip_invalid_lists_it_and_assesses_the_others(single, folder, data_dir, tmp_path):
    broken, bad = _broken(folder, tmp_path)
    run = assess_portfolio([broken], tmp_path / "out", data_dir=data_dir, skip_invalid=True)
    assert [Path(s.file).name for s in run.skipped] == [bad.name]
    assert run.factories == 2 * N - 1
    cube = pd.read_parquet(run.cube)
    ids = set(cube.factory)
    assert len(ids) == 2 * N - 1
    reference = single[1]
    reference = reference[(reference.contributor_type == "total") & reference.factory.isin(ids)]
    pd.testing.assert_frame_equal(cube.reset_index(drop=True), reference.reset_index(drop=True), check_exact=True)


def test_unreachable_scheduler_is_a_clear_error():
    t = time.perf_counter()
    with pytest.raises(SchedulerError) as e:
        DaskRunner("tcp://127.0.0.1:9")
    p = e.value.problems[0]
    assert p.field == "--scheduler" and "tcp://127.0.0.1:9" in p.message and "--workers" in p.fix
    assert time.perf_counter() - t < 60


def test_a_worker_killed_mid_run_never_leaves_half_a_cube(single, folder, data_dir, tmp_path):
    """SIGKILL to a real worker process while chunks run: Dask retries the chunk elsewhere (the run then equals the
    single process) or the run fails with a clear error — and in neither case is a partial cube left."""
    _, cube, _ = single
    runner = DaskRunner(workers=2)
    out = tmp_path / "out"
    outcome: dict = {}

    def run() -> None:
        try:
            outcome["run"] = assess_portfolio(
                [folder], out, data_dir=data_dir, contributions=True, runner=runner, chunk=1
            )
        except Exception as exc:  # the outcome is checked below
            outcome["error"] = exc

    try:
        pids = list(runner.client.run(os.getpid).values())
        thread = threading.Thread(target=run)
        thread.start()
        end = time.monotonic() + 120
        while not any(p.stat().st_size > 4096 for p in out.glob(f".{CUBE}.*.tmp")) and time.monotonic() < end:
            time.sleep(0.02)  # until some chunks' rows are written, more running
        os.kill(pids[0], signal.SIGKILL)
        thread.join(timeout=300)
    finally:
        runner.close()
    assert not list(out.glob(f".{CUBE}.*.tmp"))
    if "error" in outcome:
        assert not (out / CUBE).exists(), outcome["error"]
        assert isinstance(outcome["error"], SchedulerError), repr(outcome["error"])
    else:
        pd.testing.assert_frame_equal(pd.read_parquet(outcome["run"].cube), cube, check_exact=True)


APP_NOT_TO_RERUN = """
import streamlit as st

if __name__ == "__mp_main__":  # run again by multiprocessing's spawn as a worker process starts
    raise SystemExit(1)
st.write("a page")
"""


def test_local_workers_start_after_a_streamlit_page_ran_in_this_process(tmp_path, monkeypatch):
    """Streamlit installs the page it runs as ``__main__`` (and leaves it there); spawn would run that file again in
    every new worker process, which a page need not survive ("Nanny failed to start"). The workers start without
    it, and ``__main__`` is the page's again once the runner is closed."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setitem(sys.modules, "__main__", sys.modules["__main__"])  # pytest's own, back after the test
    page = tmp_path / "page.py"
    page.write_text(APP_NOT_TO_RERUN, encoding="utf-8")
    AppTest.from_file(str(page)).run()
    assert sys.modules["__main__"].__file__ == str(page)
    runner = DaskRunner(workers=1)
    try:
        assert runner.workers == 1
        assert runner.client.submit(operator.add, 2, 3).result() == 5
    finally:
        runner.close()
    assert sys.modules["__main__"].__file__ == str(page)


def test_scenarios_equal_assess_scenarios(data_dir, tmp_path):
    """Every shipped scenario (another DESNZ year, a user grid intensity, renewable electricity, recycled content,
    utilisation) on a small portfolio: the cube and the comparison equal ``assess_scenarios`` on the same files."""
    from lca_engine.scenarios import assess_scenarios, load_scenarios

    folder = tmp_path / "gen"
    write_portfolio(generate_portfolio(2, seed=5), folder)
    scenarios = load_scenarios()
    run = assess_portfolio([folder], tmp_path / "out", data_dir=data_dir, contributions=True, scenarios=scenarios)
    cube = pd.read_parquet(run.cube)
    assert set(cube.scenario) == {"default", *(s.name for s in scenarios)}
    a = assess_scenarios([folder], scenarios, data_dir=data_dir)
    key = list(cube.columns[:-1])
    ours = cube.sort_values(key).reset_index(drop=True)
    theirs = a.results[cube.columns].sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(ours, theirs, check_dtype=False, check_exact=False, rtol=1e-12, atol=1e-15)
    cmp = pd.read_parquet(run.comparison)
    assert set(cmp.scenario) == set(cube.scenario)
    carbon = cmp[(cmp.indicator == "carbon") & (cmp.scope == "cradle_to_gate")].set_index(["factory", "scenario"])
    totals = cube[(cube.contributor_type == "total") & (cube.indicator == "carbon") & (cube.scope == "cradle_to_gate")]
    value = totals.set_index(["factory", "scenario"])["value"]
    for (micro, scenario), row in carbon.iterrows():
        assert row.micro_factory == value[(micro, scenario)]
        assert row.baseline_value == value[(row.baseline, scenario)]


def test_a_worker_never_makes_a_project_where_the_data_folder_is_not_ready(tmp_path, data_dir):
    """Workers open the run's data folder with ``create=False``: a folder they cannot see as the run built it (no
    shared path) is an error naming it, and nothing is written there; the run's own folder opens as is."""
    from lca_engine.bw.project import activate
    from lca_engine.errors import BackgroundError

    elsewhere = tmp_path / "not-shared"
    with pytest.raises(BackgroundError) as e:
        activate(elsewhere, create=False)
    p = e.value.problems[0]
    assert p.field == "data_dir" and str(elsewhere) in p.message and "shared path" in p.fix
    assert not (elsewhere / "brightway" / "projects.db").exists()
    assert activate(data_dir, create=False).root == Path(data_dir).resolve()


def test_a_scenario_that_cannot_assess_one_inventory_names_it(data_dir, tmp_path):
    """A factor published for the run's year (2023) but not for a scenario's (2024): the error names the inventory,
    the flow and the scenario; nothing is written; with ``skip_invalid`` that inventory is listed, the others run."""
    from lca_engine.scenarios import Scenario

    from .conftest import EXAMPLES

    folder = tmp_path / "pf"
    folder.mkdir()
    for name in ("housing_ebbw_vale_micro.toml", "housing_conventional_baseline.toml"):
        (folder / name).write_bytes((EXAMPLES / name).read_bytes())
    micro = folder / "housing_ebbw_vale_micro.toml"
    micro.write_text(micro.read_text("utf-8").replace(".wood.primary", ".wood.closed_loop", 1), encoding="utf-8")
    year2024 = [Scenario(name="y2024", year=2024)]
    out = tmp_path / "out"
    with pytest.raises(InventoryError) as e:
        assess_portfolio([folder], out, data_dir=data_dir, year=2023, scenarios=year2024)
    first = e.value.problems[0]
    assert first.file == str(micro.resolve()) and first.field == "flows[0].background"
    assert first.message.startswith("scenario 'y2024' (DESNZ 2024): ") and "wood.closed_loop" in first.message
    assert "fill_unpublished_from" in first.fix
    assert not out.exists() or not list(out.iterdir())
    run = assess_portfolio([folder], out, data_dir=data_dir, year=2023, scenarios=year2024, skip_invalid=True)
    assert [Path(s.file).name for s in run.skipped] == [micro.name]
    assert set(pd.read_parquet(run.cube).factory) == {load(folder / "housing_conventional_baseline.toml").id}
