"""The real interchange files of tests/fixtures/bw2io through the real command line, one process each.

Run:  nice .venv/bin/python benchmarks/bench_fixture_import.py [--runs 2]

Also the Brightway Excel workbook and the 3,000 synthetic EcoSpold 2 datasets the tests write. A fresh data folder
(``LCA_ENGINE_DATA_DIR`` in a temporary folder) gets biosphere3 first (one warm-up import, not timed), then each
input is imported ``--runs`` times (removed between runs) with ``lca-engine background import PATH --name NAME
--licence … --cut-off``: wall time of the process (Python start, Brightway import, the import) and the import's own
time as it prints it (from the call, so with Brightway's import, ~3 s); peak resident memory from
``/usr/bin/time -v`` where available. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIX = ROOT / "tests" / "fixtures" / "bw2io"
ES2 = FIX / "ecospold2" / "00000_11111111-2222-3333-4444-555555555555_66666666-7777-8888-9999-000000000000.spold"
FIXTURES = {
    "EcoSpold 2 (1 dataset)": ES2,
    "EcoSpold 1 (ABS, 225 exchanges)": FIX
    / "ecospold1"
    / "Acrylonitrile-butadiene-styrene copolymer (ABS), resin, at plant CTR.xml",
    "JSON-LD US-FPL (4 processes)": FIX / "json-ld" / "US-FPL",
}
CLI = [sys.executable, "-m", "lca_engine.cli", "background"]
TIME = Path("/usr/bin/time")


def run(args: list[str], env: dict) -> tuple[float, float | None, int | None, str]:
    """(wall s, the import's own s, peak RSS kB, output) of one command."""
    cmd = [str(TIME), "-v", *args] if TIME.exists() else args
    t0 = time.perf_counter()
    res = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    own = re.search(r"in ([0-9.]+) s", res.stdout)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", res.stderr)
    if res.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{res.stdout}\n{res.stderr}")
    return wall, float(own.group(1)) if own else None, int(rss.group(1)) if rss else None, res.stdout


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=2)
    runs = ap.parse_args().runs
    tmp = Path(tempfile.mkdtemp(prefix="lca-engine-bench-fixtures-"))
    env = {**os.environ, "LCA_ENGINE_DATA_DIR": str(tmp / "data"), "HOME": str(tmp / "home")}
    (tmp / "home").mkdir()
    sys.path.insert(0, str(ROOT))
    from tests.test_background_import import mini_workbook, synthetic_es2

    FIXTURES["Brightway Excel (2 activities, parameters, a formula)"] = mini_workbook(tmp / "mini.xlsx")
    FIXTURES["EcoSpold 2, 3,000 synthetic datasets"] = synthetic_es2(tmp / "synthetic", 3000)
    try:
        run([*CLI, "import", str(ES2), "--name", "warm-up", "--licence", "BSD-3-Clause", "--cut-off"], env)
        print("| fixture | run | wall (s) | import (s) | peak RSS (MB) |\n|---|---|---|---|---|")
        for i, (label, path) in enumerate(FIXTURES.items()):
            for r in range(1, runs + 1):
                name = f"f{i}"
                wall, own, rss, _ = run(
                    [*CLI, "import", str(path), "--name", name, "--licence", "BSD", "--cut-off"], env
                )
                mb = f"{rss / 1024:.0f}" if rss else "-"
                print(f"| {label} | {r} | {wall:.1f} | {own if own is not None else '-'} | {mb} |")
                run([*CLI, "remove", name], env)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
