"""An ecoinvent-sized background through the real command line: import, then validate and assess an inventory
linked to one of its activities, beside bw2calc's own LCA of that activity.

Run:  nice .venv/bin/python benchmarks/bench_background_import.py [--activities 25000] [--seed 1]
          [--loop-strength 0.10 0.45] [--import-only] [--keep]

The commands run as ``python -m lca_engine.cli`` in the temporary folder, so ``PYTHONPATH=<another checkout>``
measures that checkout's code (benchmarks/results/background_import.md: before and after a change).

1. The synthetic EcoSpold 2 database of ``gen_ecospold2.py`` (cached under ``$TMPDIR/lca-engine-bench/``; made
   once per size, seed and loop strength).
2. ``lca-engine background import <db>/datasets --name synth --licence …`` in a subprocess with a fresh data folder
   (``LCA_ENGINE_DATA_DIR``): wall time and the peak resident memory of that process (``/usr/bin/time -v``; else
   ``getrusage(RUSAGE_CHILDREN)``, the largest child so far), and the machine's 1-minute load average before and
   after (the machine may be shared: a load above its cores stretches the wall time).
3. ``tests/data/tiny_micro.toml`` and its baseline with the yarn bought from one producer of the database
   (``synth:<activity>|<product>|<location>``): ``lca-engine validate``, then ``lca-engine assess --no-cache`` twice
   (the first writes the background into the Brightway project; the second finds it up to date).
4. The peer: bw2calc ``LCA`` of one unit of the same activity with the IPCC 2021 indicator's method, in a process of
   its own reading the same project (set-up + lci + lcia timed inside it).

``--import-only`` stops after step 2. Prints a Markdown table; the numbers go to benchmarks/results/ by hand.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CLI = [sys.executable, "-m", "lca_engine.cli"]
TIME = Path("/usr/bin/time")
NAME = "synth"
LICENCE = "synthetic data (benchmarks/gen_ecospold2.py), no licence needed"
PEER = """
import sys, time
from lca_engine.bw import activate
activate(sys.argv[1])
import bw2calc as bc, bw2data as bd
from lca_engine.indicators import INDICATORS
t = time.perf_counter()
lca = bc.LCA({bd.get_node(database="bg-synth", code=sys.argv[2]): 1}, method=INDICATORS["carbon_ipcc2021"].method)
lca.lci(); lca.lcia()
print(f"{time.perf_counter() - t:.3f} {lca.score!r} {lca.technosphere_matrix.nnz}")
"""


def database(n: int, seed: int, low: float, high: float) -> Path:
    """The generated database, made once (the index is written last, so its presence means complete)."""
    sys.path.insert(0, str(HERE))
    from gen_ecospold2 import generate

    folder = Path(tempfile.gettempdir()) / "lca-engine-bench" / f"es2-{n}-seed{seed}-{low:g}-{high:g}"
    if not (folder / "activities.tsv").is_file():
        shutil.rmtree(folder, ignore_errors=True)
        t0 = time.perf_counter()
        counts = generate(folder, n, seed, low, high)
        print(f"generated {counts} in {time.perf_counter() - t0:.1f} s")
    return folder


def timed(cmd: list[str], env: dict) -> tuple[float, float, str, str]:
    """(wall seconds, peak resident MiB of the command, its CPU seconds and the load average before -> after, its
    output); exit status other than 0 stops the bench. Runs in ``env["LCA_ENGINE_DATA_DIR"]``'s parent folder (see
    ``PYTHONPATH``). On a shared machine the CPU seconds (user + system) move less with the load than the wall."""
    use_time = TIME.is_file()
    full = [str(TIME), "-v", *cmd] if use_time else cmd
    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    run = subprocess.run(full, env=env, capture_output=True, text=True, cwd=Path(env["LCA_ENGINE_DATA_DIR"]).parent)
    wall = time.perf_counter() - t0
    load = f"{load:.1f} → {os.getloadavg()[0]:.1f}"
    if run.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({run.returncode}):\n{run.stdout}\n{run.stderr}")
    if use_time:
        kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", run.stderr)[1])
        cpu = sum(float(x) for x in re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", run.stderr))
        load = f"{cpu:.1f} | {load}"
    else:
        kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        load = f"n/a | {load}"
    return wall, kb / 1024, load, run.stdout


def producer(folder: Path) -> dict:
    """The first producer (not a market) whose product is in kg: the yarn's supplier."""
    with open(folder / "activities.tsv", encoding="utf-8") as fh:
        return next(r for r in csv.DictReader(fh, delimiter="\t") if r["unit"] == "kg" and "market" not in r["name"])


def linked_inventories(out: Path, key: str) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    for name in ("tiny_micro.toml", "tiny_baseline.toml"):
        text = (ROOT / "tests" / "data" / name).read_text(encoding="utf-8")
        (out / name).write_text(text.replace('"desnz.material.clothing.primary"', f'"{key}"', 1), encoding="utf-8")
    return out / "tiny_micro.toml"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--activities", type=int, default=25_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--loop-strength", type=float, nargs=2, default=(0.10, 0.45), metavar=("LOW", "HIGH"))
    ap.add_argument("--import-only", action="store_true", help="time the import alone (no validate, assess, peer)")
    ap.add_argument("--keep", action="store_true", help="keep the data folder (printed) for a look afterwards")
    a = ap.parse_args(argv)
    db = database(a.activities, a.seed, *a.loop_strength)
    work = Path(tempfile.mkdtemp(prefix="bench-bg-import-"))
    env = dict(os.environ, LCA_ENGINE_DATA_DIR=str(work / "data"))
    rows = []
    try:
        cmd = [*CLI, "background", "import", str(db / "datasets"), "--name", NAME, "--licence", LICENCE]
        rows.append(("background import", *timed(cmd, env)[:3]))
        if a.import_only:
            report(a, db, "", rows, None)
            return 0
        act = producer(db)
        key = f"{NAME}:{act['name']}|{act['product']}|{act['location']}"
        inv = linked_inventories(work / "inventories", key)
        rows.append(("validate (linked inventory)", *timed([*CLI, "validate", str(inv)], env)[:3]))
        for label in ("assess --no-cache, first (writes the background)", "assess --no-cache, again"):
            rows.append((label, *timed([*CLI, "assess", str(inv), "--no-cache", "--out", str(work / "out")], env)[:3]))
        code = next(r for r in _index(work) if r["name"] == act["name"] and r["location"] == act["location"])["code"]
        wall, mib, load, out = timed([sys.executable, "-c", PEER, str(work / "data"), code], env)
        inner, lca_score, nnz = out.split()
        rows.append(
            (f"bw2calc LCA + lci + lcia, same activity (inside: {float(inner):.2f} s, nnz(A) {nnz})", wall, mib, load)
        )
        report(a, db, key, rows, float(lca_score))
        check(work, inv, float(lca_score))
    finally:
        if a.keep:
            print(f"data folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


def check(work: Path, inv: Path, peer: float) -> None:
    """The yarn's cradle-to-gate IPCC 2021 contribution is its amount times bw2calc's score of one unit."""
    import tomllib

    import pandas as pd

    yarn = next(f for f in tomllib.loads(inv.read_text(encoding="utf-8"))["flows"] if f["id"] == "yarn")
    r = pd.read_parquet(work / "out" / "results.parquet")
    sel = r[(r.indicator == "carbon_ipcc2021") & (r.scope == "cradle_to_gate") & (r.contributor == "yarn")]
    got, want = float(sel["value"].sum()), yarn["amount"] * peer
    verdict = "PASS" if abs(got - want) <= 1e-6 * abs(want) else "FAIL"
    print(f"{verdict}: yarn contribution {got:.9g} = {yarn['amount']} kg x bw2calc score {peer:.9g} ({want:.9g})")


def _index(work: Path) -> list[dict]:
    import json

    return json.loads((work / "data" / "backgrounds" / NAME / "index.json").read_text(encoding="utf-8"))


def report(a, db: Path, key: str, rows: list, peer_score: float | None) -> None:
    cpu = platform.processor() or platform.machine()
    print(f"\n{a.activities:,} activities (seed {a.seed}, loop strength {a.loop_strength}); {db}")
    if peer_score is not None:
        print(f"linked: {key} (bw2calc IPCC 2021 score of 1 unit: {peer_score:.6g} kg CO2e)")
    print(f"machine: {os.cpu_count()} cores, {cpu}, Python {platform.python_version()}\n")
    print("| step | wall (s) | peak RSS (MiB) | CPU (s) | load (1 min) before → after |\n|---|---|---|---|---|")
    for label, wall, mib, load in rows:
        print(f"| {label} | {wall:.1f} | {mib:,.0f} | {load} |")


if __name__ == "__main__":
    sys.exit(main())
