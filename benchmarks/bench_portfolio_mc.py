"""Portfolio Monte Carlo (issue 20): every micro-factory of an N-pair portfolio against its baseline on D paired
draws, in one process, on one Dask worker and on two (LocalCluster), in the same run; and, as the peer, the verdict's
own pair Monte Carlo (``pair_monte_carlo``: one Brightway MatrixSystem and Monte Carlo per pair) on a sample of
pairs, extrapolated to N.

Run:  .venv/bin/python benchmarks/bench_portfolio_mc.py [--pairs 1000] [--draws 1000] [--sample 10] [--table FILE]

Each variant runs in a fresh process (its own peak memory, ru_maxrss) on the same generated portfolio and data
folder (built once before, not timed). Checks: the three uncertainty tables are bitwise equal; P(better) of the
sampled pairs agrees with the peer's within 4 standard errors.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from machine import cpu_name  # benchmarks/machine.py (this script's folder is on sys.path)

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, os, resource, sys, time
kind, folder, out, draws = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
from lca_engine.portfolio.run import assess_portfolio
from lca_engine.portfolio.runners import DaskRunner, LocalRunner
runner = LocalRunner() if kind == "one process" else DaskRunner(workers=int(kind.split()[0]))
t = time.perf_counter()
run = assess_portfolio([folder], out, draws=draws, seed=1, runner=runner)
wall = time.perf_counter() - t
runner.close()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"wall": wall, "mc": run.timings["monte_carlo"], "det": run.timings["factories"], "peak": peak}))
"""

PEER = r"""
import json, sys, time
import numpy as np
folder, draws, sample = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
from pathlib import Path
from lca_engine import assess_files
from lca_engine.verdict import pair_monte_carlo
micros = sorted(Path(folder).glob("*_micro.toml"))[:sample]
a = assess_files(micros)
out, t = {}, time.perf_counter()
for micro, base in a.pairs:
    mc = pair_monte_carlo(a, micro, draws, 1)
    d = mc.of(micro, "carbon") - mc.of(base, "carbon")
    out[micro] = float(np.mean(d < 0))
print(json.dumps({"per_pair": (time.perf_counter() - t) / len(a.pairs), "p_better": out}))
"""


def _child(code: str, *args: object, env: dict) -> dict:
    proc = subprocess.run(
        [sys.executable, "-c", code, *map(str, args)], env=env, capture_output=True, text=True, check=False
    )
    if proc.returncode:
        raise SystemExit(proc.stderr[-3000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _machine() -> str:
    cpu = cpu_name()
    import numpy as np
    import scipy

    return (
        f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, numpy {np.__version__}, "
        f"scipy {scipy.__version__}, load average {os.getloadavg()[0]:.2f} at start"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pairs", type=int, default=1000)
    ap.add_argument("--draws", type=int, default=1000)
    ap.add_argument("--sample", type=int, default=10, help="Pairs the peer runs (extrapolated to --pairs).")
    ap.add_argument("--table", type=Path, default=None)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-portfolio-mc-"))
    env = {**os.environ, "LCA_ENGINE_DATA_DIR": str(tmp / "data"), "HOME": str(tmp / "home")}
    env["BRIGHTWAY2_DIR"] = str(tmp / "data" / "brightway")
    (tmp / "home").mkdir()
    os.environ.update(env)
    from lca_engine.portfolio import generate_to

    folder = tmp / "portfolio"
    generate_to(folder, args.pairs, seed=1)
    _child(CHILD, "one process", folder, tmp / "warm", 10, env=env)  # builds the data folder once, not timed
    rows, tables = [], {}
    for kind in ("one process", "1 worker", "2 workers"):
        r = _child(CHILD, kind, folder, tmp / kind.replace(" ", "-"), args.draws, env=env)
        rows.append((kind, r))
        tables[kind] = (tmp / kind.replace(" ", "-") / "portfolio_uncertainty.parquet").read_bytes()
    peer = _child(PEER, folder, args.draws, args.sample, env=env)
    import pandas as pd

    u = pd.read_parquet(tmp / "one-process" / "portfolio_uncertainty.parquet")
    u = u[(u.indicator == "carbon") & (u.scope == "cradle_to_gate")].set_index("factory")
    worst = max(
        abs(u.p_better[m] - p) / max((max(p * (1 - p), 1 / args.draws) * 2 / args.draws) ** 0.5, 1e-12)
        for m, p in peer["p_better"].items()
    )
    same = [pd.read_parquet(tmp / k.replace(" ", "-") / "portfolio_uncertainty.parquet") for k in tables]
    bitwise = all(s.equals(same[0]) for s in same[1:])
    _report(args, rows, peer, worst, bitwise)


def _report(args, rows, peer, worst: float, bitwise: bool) -> None:
    one_worker = dict(rows)["1 worker"]["mc"]
    two = dict(rows)["2 workers"]["mc"]
    peer_total = peer["per_pair"] * args.pairs
    lines = [
        f"Machine: {_machine()}",
        f"Portfolio: {args.pairs:,} pairs ({2 * args.pairs:,} inventories), {args.draws:,} paired draws, seed 1",
        "",
        "| run | Monte Carlo s | deterministic pass s | whole run s | peak MiB (parent) | vs peer |",
        "|---|---|---|---|---|---|",
    ]
    for kind, r in rows:
        lines.append(
            f"| {kind} | {r['mc']:.2f} | {r['det']:.2f} | {r['wall']:.2f} | {r['peak']:.0f} | "
            f"{peer_total / r['mc']:.0f}x |"
        )
    lines.append(
        f"| peer: pair_monte_carlo per pair ({args.sample} pairs, extrapolated) | {peer_total:.1f} | | | | 1x |"
    )
    lines += [
        "",
        f"Dask 2 workers vs 1 worker on the Monte Carlo: {one_worker / two:.2f}x (target >= 1.6x: "
        f"{'PASS' if one_worker / two >= 1.6 else 'FAIL'})",
        f"Uncertainty tables bitwise equal (one process, 1 worker, 2 workers): {'PASS' if bitwise else 'FAIL'}",
        f"P(better) for carbon vs the peer's, worst of {args.sample} pairs: {worst:.2f} s.e. "
        f"({'PASS' if worst <= 4 else 'FAIL'}, <= 4)",
    ]
    text = "\n".join(lines)
    print(text)
    if args.table:
        args.table.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    t0 = time.perf_counter()
    main()
    print(f"(benchmark took {time.perf_counter() - t0:.0f} s)")
