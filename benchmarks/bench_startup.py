"""Start-up and warm-run wall time of the command line, each command in a fresh process (issue 17, speed).

Run:  .venv/bin/python benchmarks/bench_startup.py [--runs 7] [--tree PATH] [--table FILE]

Commands: ``import lca_engine``, ``lca-engine --help``, ``lca-engine --version``, and ``lca-engine assess
inventories/examples`` warm — once the Brightway project is built — from the result cache and with ``--no-cache``.
Each is run once untimed (builds the project, fills the cache, warms the OS file cache), then ``--runs`` times;
the table gives median and minimum wall time. ``--tree`` measures another checkout of the project (e.g. a
``git worktree`` of an older commit, for before/after numbers) with this interpreter; a command that checkout does
not have is reported as failing. A fresh temporary data directory and home are used and deleted.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-m", "lca_engine.cli"]
ASSESS = [*CLI, "assess", "inventories/examples", "--out", "{out}"]
#: (label, command, target in seconds or None)
COMMANDS = (
    ("import lca_engine", [sys.executable, "-c", "import lca_engine"], 0.5),
    ("lca-engine --help", [*CLI, "--help"], 0.3),
    ("lca-engine --version", [*CLI, "--version"], None),
    ("assess examples, warm (result cache)", ASSESS, 1.0),
    ("assess examples, warm, --no-cache", [*ASSESS, "--no-cache"], None),
)


def _timed(cmd: list[str], tree: Path, env: dict[str, str]) -> float | None:
    t = time.perf_counter()
    res = subprocess.run(cmd, cwd=tree, env=env, capture_output=True)
    wall = time.perf_counter() - t
    return wall if res.returncode == 0 else None


def measure(tree: Path, runs: int) -> list[tuple[str, float | None, float | None, float | None]]:
    """(label, median, min, target) per command; None where the command fails in ``tree``."""
    tmp = Path(tempfile.mkdtemp(prefix="lca-engine-bench-startup-"))
    env = {**os.environ, "LCA_ENGINE_DATA_DIR": str(tmp / "data"), "HOME": str(tmp / "home"), "PYTHONPATH": str(tree)}
    (tmp / "home").mkdir()
    rows = []
    try:
        for label, template, target in COMMANDS:
            cmd = [a.replace("{out}", str(tmp / "out")) for a in template]
            if _timed(cmd, tree, env) is None:  # untimed first run: builds the project, fills the cache
                rows.append((label, None, None, target))
                continue
            times = [t for t in (_timed(cmd, tree, env) for _ in range(runs)) if t is not None]
            rows.append((label, statistics.median(times), min(times), target))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return rows


def table(rows, title: str) -> str:
    lines = [f"{title}", "", "| command | median (s) | min (s) | target (s) |", "|---|---|---|---|"]
    for label, med, low, target in rows:
        shown = ("fails", "fails") if med is None else (f"{med:.2f}", f"{low:.2f}")
        lines.append(f"| {label} | {shown[0]} | {shown[1]} | {'' if target is None else f'≤ {target}'} |")
    return "\n".join(lines) + "\n"


def _cpu() -> str:
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
        return next(line.split(":", 1)[1].strip() for line in lines if line.startswith("model name"))
    except (OSError, StopIteration):
        return platform.machine()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--tree", type=Path, default=ROOT, help="checkout to measure (default: this one)")
    ap.add_argument("--table", type=Path, default=None, help="also write the Markdown table to this file")
    args = ap.parse_args()
    tree = args.tree.resolve()
    rows = measure(tree, args.runs)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=tree, capture_output=True, text=True)
    title = (
        f"{tree} at {commit.stdout.strip() or '?'}: {args.runs} runs each, {_cpu()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}"
    )
    text = table(rows, title)
    print(text)
    if args.table:
        args.table.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
