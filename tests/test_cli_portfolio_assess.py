"""``lca-engine portfolio assess``: a folder of inventories in one process, on local Dask workers and on a real
Dask scheduler started here (``dask scheduler`` + ``dask worker`` processes), with the same cube; and its bad inputs:
a scheduler address that is not one or does not answer, --workers below 1 or with --scheduler, an invalid inventory
(named, nothing written; listed with --skip-invalid)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from lca_engine.inventory import load
from lca_engine.portfolio import generate_portfolio, write_portfolio
from lca_engine.portfolio.run import COMPARISON, CUBE, FACTORIES

from .cli_run import run

N = 6


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("pf") / "gen"
    write_portfolio(generate_portfolio(N, seed=11), out)
    return out


@pytest.fixture(scope="module")
def one_process(folder, data_dir, tmp_path_factory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("one")
    code, output = run("portfolio", "assess", folder, "--out", out, "--data-dir", data_dir)
    assert code == 0, output
    return out, output


def test_one_process_writes_the_three_tables_and_says_what_it_did(one_process, folder):
    out, output = one_process
    factories = pd.read_parquet(out / FACTORIES)
    assert len(factories) == 2 * N == len(list(folder.glob("*.toml")))
    cmp = pd.read_parquet(out / COMPARISON)
    carbon = cmp[(cmp.indicator == "carbon") & (cmp.scope == "cradle_to_gate")]
    below = int((carbon.micro_factory < carbon.baseline_value).sum())
    assert f"assessed {2 * N} factories ({N} micro-factories) on 1 worker" in output
    assert f"default: carbon {below}," in output
    assert f"wrote {out}/{CUBE}, {COMPARISON}, {FACTORIES}" in output.replace("\n", "")


def test_scenarios_from_a_file_are_in_the_cube_and_an_unknown_parameter_is_named(folder, data_dir, tmp_path):
    file = tmp_path / "scenarios.toml"
    file.write_text('[[scenarios]]\nname = "grid-0.05"\nelectricity_intensity = 0.05\n', encoding="utf-8")
    out = tmp_path / "sc"
    code, output = run("portfolio", "assess", folder, "--out", out, "--data-dir", data_dir, "--scenarios", file)
    assert code == 0, output
    assert "  default: carbon" in output and "  grid-0.05: carbon" in output
    assert set(pd.read_parquet(out / CUBE).scenario) == {"default", "grid-0.05"}
    file.write_text('[[scenarios]]\nname = "x"\ngrid = 0.05\n', encoding="utf-8")
    code, output = run(
        "portfolio", "assess", folder, "--out", tmp_path / "bad", "--data-dir", data_dir, "--scenarios", file
    )
    assert code == 1 and "unknown scenario parameter 'grid'" in output and "scenarios[0].grid" in output, output
    assert not (tmp_path / "bad").exists()


def test_local_dask_workers_write_the_same_cube(one_process, folder, data_dir, tmp_path):
    out = tmp_path / "dask"
    code, output = run("portfolio", "assess", folder, "--out", out, "--data-dir", data_dir, "--workers", 2)
    assert code == 0, output
    assert "on 2 workers" in output
    pd.testing.assert_frame_equal(pd.read_parquet(out / CUBE), pd.read_parquet(one_process[0] / CUBE), check_exact=True)


@pytest.fixture
def scheduler(tmp_path):
    """A real Dask scheduler and two worker processes, as on a cluster (here on loopback)."""
    dask = str(Path(sys.executable).parent / "dask")
    file = tmp_path / "scheduler.json"
    procs = [
        subprocess.Popen(
            [dask, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard", "--scheduler-file", file],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    ]
    try:
        deadline = time.monotonic() + 60
        while not file.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        address = json.loads(file.read_text())["address"]
        cmd = [dask, "worker", "--scheduler-file", file, "--nworkers", "2", "--nthreads", "1", "--no-dashboard"]
        procs.append(subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=os.environ))
        from distributed import Client

        with Client(address, timeout=30) as client:
            client.wait_for_workers(2, timeout=60)
        yield address
    finally:
        for p in reversed(procs):
            p.terminate()
            p.wait(timeout=30)


def test_a_running_scheduler_writes_the_same_cube(one_process, folder, data_dir, tmp_path, scheduler):
    out = tmp_path / "cluster"
    code, output = run("portfolio", "assess", folder, "--out", out, "--data-dir", data_dir, "--scheduler", scheduler)
    assert code == 0, output
    assert "on 2 workers" in output
    pd.testing.assert_frame_equal(pd.read_parquet(out / CUBE), pd.read_parquet(one_process[0] / CUBE), check_exact=True)


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (("--scheduler", "localhost:8786"), 1, ["--scheduler", "tcp://HOST:PORT"]),
        (("--scheduler", "tcp://127.0.0.1:99999"), 1, ["--scheduler", "not a Dask scheduler address"]),
        (("--scheduler", "tcp://127.0.0.1:9"), 1, ["--scheduler", "cannot reach the Dask scheduler"]),
        (("--workers", 0), 2, ["--workers", "greater than or equal to 1"]),
        (("--workers", 2, "--scheduler", "tcp://127.0.0.1:9"), 1, ["--workers and --scheduler both given"]),
    ],
)
def test_bad_runner_options_are_clear_errors_and_nothing_is_written(folder, data_dir, tmp_path, args, code, words):
    out = tmp_path / "out"
    got, output = run("portfolio", "assess", folder, "--out", out, "--data-dir", data_dir, *args)
    assert got == code, output
    flat = " ".join(output.split())
    assert all(w in flat for w in words), output
    assert not out.exists() or not any(out.iterdir())


def test_an_invalid_inventory_is_named_and_with_skip_invalid_listed(folder, data_dir, tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    files = sorted(folder.glob("*.toml"))
    for p in files:
        (bad / p.name).write_bytes(p.read_bytes())
    micro = next(p for p in files if p.name.endswith("_micro.toml"))
    broken = bad / micro.name
    broken.write_text(broken.read_text(encoding="utf-8").replace("[site]", "[site]\nlat = 'north'", 1), "utf-8")
    code, output = run("portfolio", "assess", bad, "--out", tmp_path / "o1", "--data-dir", data_dir)
    assert code == 1 and broken.name in output and "--skip-invalid" in output, output
    assert not (tmp_path / "o1" / CUBE).exists()
    code, output = run("portfolio", "assess", bad, "--out", tmp_path / "o2", "--data-dir", data_dir, "--skip-invalid")
    assert code == 0, output
    assert "left out (1, --skip-invalid)" in output and broken.name in output
    assessed = set(pd.read_parquet(tmp_path / "o2" / FACTORIES).id)
    assert load(micro).id not in assessed and len(assessed) == 2 * N - 1


def test_local_workers_that_cannot_start_are_one_clear_error(folder, data_dir, tmp_path):
    """A Dask setting of this environment (a worker preload that does not exist) stops every local worker for real:
    one message naming --workers and the workers' own reason, exit 1, no traceback from any process."""
    out = tmp_path / "out"
    env = {**os.environ, "DASK_DISTRIBUTED__WORKER__PRELOAD": '["lca_engine_no_such_module"]'}
    cmd = [sys.executable, "-c", "from lca_engine.cli import main; main()", "portfolio", "assess", str(folder)]
    cmd += ["--out", str(out), "--data-dir", str(data_dir), "--workers", "2"]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    flat = " ".join((proc.stdout + proc.stderr).split())
    assert proc.returncode == 1, flat
    assert "--workers" in flat and "could not start" in flat, flat
    assert "ModuleNotFoundError: No module named 'lca_engine_no_such_module'" in flat, flat
    assert "Traceback" not in flat and " ERROR " not in flat, flat
    assert not out.exists() or not any(out.iterdir())
