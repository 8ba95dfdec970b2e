"""Kill `lca-engine assess` (SIGKILL) at random points of its first Brightway build; the next run must recover.

Run:  .venv/bin/python benchmarks/bench_kills.py [--kills 50] [--seed 1] [--concurrency 2,4,6,8]

1. A clean first run on an empty data folder: its wall time T, when it first takes the data folder's lock (the
   Brightway work starts there), and its results (the reference).
2. Episodes, each on a fresh empty folder: one process killed after a delay drawn uniformly from [lock, T]
   (seeded; T shrinks to any faster whole first run seen, as the machine's load varies), sometimes a second one
   killed the same way while it recovers; then a normal run, which must exit 0 with results equal to the clean
   run's. The kill point's phase is read from what the folder holds afterwards
   (the first part of the build not yet sealed as up to date), and the zips a kill left torn are counted.
3. N processes started together on an empty folder: all must exit 0 with the clean run's results.
4. The warm-run cost of the up-to-date check (read lock, metadata reload, digests and zip checks).

tests/test_crash_safety.py runs the same machinery with fewer kills.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "inventories" / "examples" / "textile_merthyr_micro.toml"
N_METHODS = 22
TIMEOUT = 900


def start(data: Path, out: Path, example: Path = EXAMPLE) -> subprocess.Popen:
    """`python -m lca_engine.cli assess <example> --no-cache` on ``data`` (every run opens, checks and if need be
    rebuilds the Brightway project, never answered by the result cache); stderr goes to ``<out>.log``."""
    env = {**os.environ, "LCA_ENGINE_DATA_DIR": str(data)}
    env.pop("BRIGHTWAY2_DIR", None)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out.with_suffix(".log"), "w") as log:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "lca_engine.cli",
                "assess",
                str(example),
                "--data-dir",
                str(data),
                "--out",
                str(out),
                "--no-cache",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )


def log_of(out: Path) -> str:
    return out.with_suffix(".log").read_text(errors="replace")[-2000:]


def results(out: Path) -> pd.DataFrame:
    return pd.read_parquet(out / "results.parquet")


def max_rel_diff(got: pd.DataFrame, ref: pd.DataFrame) -> float:
    """Largest |got - ref| / |ref| over all values (rows must match exactly, else inf)."""
    if not got.drop(columns="value").equals(ref.drop(columns="value")):
        return float("inf")
    diff = (got["value"] - ref["value"]).abs() / ref["value"].abs().clip(lower=1e-300)
    return float(diff[(got["value"] != ref["value"])].max()) if (got["value"] != ref["value"]).any() else 0.0


@dataclass
class Clean:
    seconds: float
    lock_at: float
    results: pd.DataFrame


def clean_run(work: Path) -> Clean:
    """A first run on an empty folder, timed; ``lock_at`` is when the data folder's lock file appeared."""
    data, out = work / "clean-data", work / "clean-out"
    t0 = time.perf_counter()
    proc, lock_at = start(data, out), None
    while proc.poll() is None:
        if lock_at is None and (data / "project.lock").exists():
            lock_at = time.perf_counter() - t0
        time.sleep(0.02)
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"clean run failed (exit {proc.returncode}):\n{log_of(out)}")
    return Clean(seconds, lock_at or 0.0, results(out))


def kill_after(data: Path, out: Path, delay: float) -> int | None:
    """Start a run and SIGKILL it after ``delay`` s; its exit code if it finished first, else None."""
    proc = start(data, out)
    try:
        return proc.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        return None


def torn_zips(data: Path) -> int:
    """Processed datapackages a kill left unreadable (written in place by bw2data)."""
    torn = 0
    for path in data.glob("brightway/*/processed/*.zip"):
        try:
            zipfile.ZipFile(path).close()
        except (zipfile.BadZipFile, OSError):
            torn += 1
    return torn


def _sealed(path: Path) -> set[str]:
    entries = json.loads(path.read_text()) if path.exists() else {}
    pairs = entries.items() if isinstance(entries, dict) else entries
    return {json.dumps(k) for k, v in pairs if v.get("lca_engine_hash")}


def phase(data: Path) -> str:
    """Which step of the first build a folder was left in: the first part not yet sealed as up to date."""
    bw = data / "brightway"
    if not (bw / "projects.db").exists():
        return "1 start-up (before bw2data)"
    if not (bw / "lca-engine-project-ready").exists():
        return "2 project creation"
    project = next(bw.glob("lca-engine.*"), None)
    dbs = _sealed(project / "databases.json") if project else set()
    if '"biosphere3"' not in dbs:
        return "3 biosphere3"
    if '"lca-engine-biosphere"' not in dbs:
        return "4 own elementary flows"
    methods = len(_sealed(project / "methods.json"))
    if methods < N_METHODS:
        return f"5 LCIA methods ({methods // 5 * 5}-{min(methods // 5 * 5 + 4, N_METHODS - 1)} of {N_METHODS} sealed)"
    if '"desnz-2025"' not in dbs:
        return "6 background database"
    if sum(d.startswith('"fg-') for d in dbs) < 2:
        return "7 foreground databases"
    return "8 calculation and output"


@dataclass
class Outcome:
    phases: list[str]
    torn: int
    ok: bool
    rel_diff: float
    log: str = ""


def episode(work: Path, clean: Clean, rng: random.Random, kills: int) -> Outcome:
    """Kill ``kills`` runs in a row on a fresh folder, then run normally and compare with the clean results."""
    data, phases, torn = work / "data", [], 0
    for k in range(kills):
        delay, t0 = rng.uniform(clean.lock_at, clean.seconds), time.perf_counter()
        code = kill_after(data, work / f"killed-{k}", delay)
        if code is None:
            phases.append(phase(data))
            torn += torn_zips(data)
        elif k == 0 and code == 0:  # a whole first build ran faster than the clean one (load varies): draw shorter
            clean.seconds = max(clean.lock_at + 1.0, min(clean.seconds, time.perf_counter() - t0))
    proc = start(data, work / "recovered")
    code = proc.wait(timeout=TIMEOUT)
    if code != 0:
        return Outcome(phases, torn, False, float("inf"), log_of(work / "recovered"))
    return Outcome(phases, torn, True, max_rel_diff(results(work / "recovered"), clean.results))


def concurrent(work: Path, n: int, clean: Clean) -> tuple[list[int], float, float]:
    """``n`` runs started together on an empty folder: exit codes, wall time, max relative difference."""
    data = work / f"concurrent-{n}"
    t0 = time.perf_counter()
    procs = [start(data, work / f"concurrent-{n}-out-{i}") for i in range(n)]
    codes = [p.wait(timeout=TIMEOUT) for p in procs]
    wall = time.perf_counter() - t0
    diffs = [
        max_rel_diff(results(work / f"concurrent-{n}-out-{i}"), clean.results) for i, c in enumerate(codes) if c == 0
    ]
    return codes, wall, max(diffs, default=float("inf"))


def warm_check_ms(data: Path, repeats: int = 20) -> float:
    """Median ms of the up-to-date check a warm run makes (read lock, metadata reload, digests, zip checks)."""
    code = f"""
import statistics, time
from lca_engine import load
from lca_engine.background import load_catalog
from lca_engine.bw.parts import up_to_date
from lca_engine.bw.project import activate, reload
d = activate({str(data)!r})
catalog = load_catalog(2025, cache_dir=d.cache)
fs = [load({str(EXAMPLE)!r}), load({str(EXAMPLE.parent / "textile_conventional_baseline.toml")!r})]
times = []
for _ in range({repeats}):
    t = time.perf_counter()
    with d.read_lock():
        assert reload() and up_to_date(fs, catalog)
    times.append(1000 * (time.perf_counter() - t))
print(statistics.median(times))
"""
    env = {**os.environ, "LCA_ENGINE_DATA_DIR": str(data)}
    env.pop("BRIGHTWAY2_DIR", None)
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return float(done.stdout.strip().splitlines()[-1])


def _kill_table(outcomes: list[Outcome]) -> list[str]:
    rows: dict[str, list] = defaultdict(lambda: [0, 0, 0, 0, 0.0])  # kills, torn, recovered, failed, max diff
    for o in outcomes:
        for p in o.phases:
            rows[p][0] += 1
        if o.phases:
            row = rows[o.phases[-1]]
            row[1] += o.torn
            row[2 if o.ok else 3] += 1
            row[4] = max(row[4], o.rel_diff)
    lines = [
        "| kill point (state left) | kills | torn zips left | next run recovered | next run failed | max rel. diff |",
        "|---|---|---|---|---|---|",
    ]
    for p, (k, t, r, f, d) in sorted(rows.items()):
        lines.append(f"| {p} | {k} | {t} | {r} | {f} | {d:.1e} |")
    tot = [sum(r[i] for r in rows.values()) for i in range(4)]
    worst = max((r[4] for r in rows.values()), default=0.0)
    lines.append(f"| **all** | **{tot[0]}** | {tot[1]} | **{tot[2]}** | **{tot[3]}** | {worst:.1e} |")
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kills", type=int, default=50)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--concurrency", default="2,4,6,8")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    t_all = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="lca-engine-bench-kills-") as tmp:
        work = Path(tmp)
        clean = clean_run(work)
        print(f"clean first run: {clean.seconds:.1f} s (lock taken at {clean.lock_at:.1f} s)", flush=True)
        outcomes, kills, n = [], 0, 0
        while kills < args.kills:
            o = episode(work / f"episode-{n}", clean, rng, 2 if rng.random() < 0.3 else 1)
            outcomes.append(o)
            kills, n = kills + len(o.phases), n + 1
            print(
                f"episode {n}: killed in {o.phases}, torn {o.torn}, recovered {o.ok}, diff {o.rel_diff:.1e}", flush=True
            )
            if not o.ok:
                print(o.log, flush=True)
        print("\n" + "\n".join(_kill_table(outcomes)))
        print(f"\n{kills} kills in {n} episodes, {time.perf_counter() - t_all:.0f} s in all\n")
        print("| processes started together | all exit 0 | exit codes | wall time (s) | max rel. diff |")
        print("|---|---|---|---|---|")
        for k in (int(x) for x in args.concurrency.split(",")):
            codes, wall, diff = concurrent(work, k, clean)
            print(f"| {k} | {'yes' if set(codes) == {0} else 'NO'} | {codes} | {wall:.1f} | {diff:.1e} |", flush=True)
        print(f"\nwarm-run up-to-date check: {warm_check_ms(work / 'clean-data'):.1f} ms (median of 20)")
        print(f"total time: {time.perf_counter() - t_all:.0f} s")


if __name__ == "__main__":
    main()
