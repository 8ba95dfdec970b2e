"""Time `lca-engine assess inventories/examples`: first run (builds the Brightway project), warm runs that
recalculate (``--no-cache``) and warm runs served by the result cache.

Run:  .venv/bin/python benchmarks/bench_assess.py [--warm N]
Uses a fresh temporary data directory, so it measures what a new user sees; prints a small table.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(env: dict, out: Path, *extra: str) -> float:
    t = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "lca_engine.cli", "assess", "inventories/examples", "--out", str(out), *extra],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - t


def in_process(data_dir: Path, repeats: int) -> list[float]:
    os.environ["LCA_ENGINE_DATA_DIR"] = str(data_dir)
    import lca_engine as le

    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        le.assess_files([ROOT / "inventories" / "examples"])
        times.append(time.perf_counter() - t)
    return times


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--warm", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "LCA_ENGINE_DATA_DIR": str(Path(tmp) / "data")}
        out = Path(tmp) / "out"
        cold = run(env, out)
        warm = [run(env, out, "--no-cache") for _ in range(args.warm)]
        cached = [run(env, out) for _ in range(args.warm)]
        api = in_process(Path(tmp) / "data", args.warm)
    print("| measurement | seconds |")
    print("|---|---|")
    print(f"| CLI first run (fresh data dir: builds biosphere3, methods, background, foregrounds) | {cold:.2f} |")
    print(
        f"| CLI warm run --no-cache, median of {args.warm} (process start + imports + checks + MultiLCA + writes) | "
        f"{statistics.median(warm):.2f} |"
    )
    print(f"| CLI warm run from the result cache, median of {args.warm} | {statistics.median(cached):.2f} |")
    print(f"| API `assess_files` warm, in-process, median of {args.warm} | {statistics.median(api[1:] or api):.3f} |")


if __name__ == "__main__":
    main()
