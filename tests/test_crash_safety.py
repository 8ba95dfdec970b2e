"""Crash-safe, concurrent Brightway builds, with real processes and real kills (no mocks).

Runs `python -m lca_engine.cli assess <example>` the way a user does, through the machinery of
benchmarks/bench_kills.py (which does the same with >= 50 kills and prints the figures).
"""

from __future__ import annotations

import importlib.util
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

_spec = importlib.util.spec_from_file_location("bench_kills", ROOT / "benchmarks" / "bench_kills.py")
bench = sys.modules.setdefault("bench_kills", importlib.util.module_from_spec(_spec))
_spec.loader.exec_module(bench)


#: A rebuilt part gets new node ids, so the matrices' rows come in another order and the float64 solve sums in
#: another order: results agree to a few units in the last place, not bit for bit.
SAME = 1e-13


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    """One first run on an empty folder: the reference results, its duration and its data folder."""
    work = tmp_path_factory.mktemp("clean")
    return work / "clean-data", bench.clean_run(work)


def _run(data: Path, out: Path) -> int:
    return bench.start(data, out).wait(timeout=bench.TIMEOUT)


def test_six_processes_on_an_empty_folder_all_succeed_with_the_same_numbers(clean, tmp_path):
    _, ref = clean
    codes, _, diff = bench.concurrent(tmp_path, 6, ref)
    logs = [bench.log_of(tmp_path / f"concurrent-6-out-{i}") for i, c in enumerate(codes) if c]
    assert codes == [0] * 6, logs
    assert diff <= SAME


def test_sigkill_at_random_points_of_the_first_build_then_a_normal_run_gives_the_clean_results(clean, tmp_path):
    """5 empty folders: 1 or 2 runs killed after a random delay (the second while it recovers), then a normal run."""
    _, ref = clean
    rng = random.Random(15)
    outcomes = [bench.episode(tmp_path / f"episode-{i}", ref, rng, kills=1 + i % 2) for i in range(5)]
    assert [o.log for o in outcomes if not o.ok] == []
    assert all(o.rel_diff <= SAME for o in outcomes), [o.rel_diff for o in outcomes]
    phases = [p for o in outcomes for p in o.phases]
    assert len(phases) >= 5, phases  # most of the 7 runs were really killed
    assert any(not p.startswith("8") for p in phases), phases  # ... and some of them inside the build


def test_torn_datapackages_and_a_damaged_catalog_cache_are_rebuilt_not_trusted(clean, tmp_path):
    """What a kill inside bw2data's in-place zip writes leaves behind, in a project whose digests say 'fresh'."""
    data, ref = clean
    shutil.copytree(data, tmp_path / "data")
    processed = next((tmp_path / "data" / "brightway").glob("lca-engine.*")) / "processed"
    torn = [next(processed.glob("lca-enginecg.*.zip")), next(processed.glob("fg-textile-merthyr-micro-*.zip"))]
    for zip_path in torn:
        zip_path.write_bytes(zip_path.read_bytes()[: zip_path.stat().st_size // 2])
    for cache in (tmp_path / "data" / "cache").glob("catalog-*.json"):
        cache.write_text(cache.read_text()[:100])
    assert _run(tmp_path / "data", tmp_path / "out") == 0, bench.log_of(tmp_path / "out")
    assert bench.torn_zips(tmp_path / "data") == 0
    assert bench.max_rel_diff(bench.results(tmp_path / "out"), ref.results) <= SAME


def test_unreadable_project_metadata_recreates_the_project(clean, tmp_path):
    """bw2data writes databases.json through the system temp folder: on another file system a kill can tear it."""
    data, ref = clean
    shutil.copytree(data, tmp_path / "data")
    project = next((tmp_path / "data" / "brightway").glob("lca-engine.*"))
    (project / "databases.json").write_text('{"biosphere3": {"lca_engine_ha')
    assert _run(tmp_path / "data", tmp_path / "out") == 0, bench.log_of(tmp_path / "out")
    assert bench.max_rel_diff(bench.results(tmp_path / "out"), ref.results) <= SAME


def test_lock_timeout_names_the_lock_file(tmp_path):
    from lca_engine.bw.project import DataDir, DataDirBusy

    d = DataDir(tmp_path)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import time; from filelock import ReadWriteLock; lock = ReadWriteLock({str(d.lock_file)!r}); "
            "lock.acquire_write(); print('held', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(DataDirBusy) as caught, d.read_lock(timeout=0.3):
            pass
    finally:
        holder.kill()
        holder.wait()
    assert caught.value.problems[0].file == str(d.lock_file)
    with d.write_lock(timeout=5):  # released when its holder died
        pass
