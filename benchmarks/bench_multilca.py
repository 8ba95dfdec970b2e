"""Calculation time for many factories × all indicators: the background solved once, then each factory.

Run:  .venv/bin/python benchmarks/bench_multilca.py [--copies N]
Takes every shipped example inventory, makes N renamed copies of each (so N × examples foreground databases),
and reports build time (first and warm), the background solve and the factories' own systems with every flow's
part, in a fresh temporary data dir.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--copies", type=int, default=10)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["LCA_ENGINE_DATA_DIR"] = tmp
        import lca_engine as le
        from lca_engine.bw.calc import calculate

        catalog = le.load_catalog(2025, cache_dir=Path(tmp) / "cache")
        base = [le.load(p) for p in le.collect_files([ROOT / "inventories" / "examples"])]
        factories = []
        for i in range(args.copies):
            for f in base:
                factories.append(f.model_copy(update={"id": f"{f.id}-{i}"}))
        from lca_engine.bw.project import activate

        activate(tmp)
        t = time.perf_counter()
        first_t = calculate(factories, catalog, tmp).timings
        first = time.perf_counter() - t
        t = time.perf_counter()
        calc = calculate(factories, catalog, tmp)
        warm, cube, w = time.perf_counter() - t, calc.cube, calc.timings
        print(
            "| factories | indicators | cube rows | first run s | warm run s | of which build/check s | "
            "background s | factories s |"
        )
        print("|---|---|---|---|---|---|---|---|")
        print(
            f"| {len(factories)} | {w.indicators} | {len(cube)} | {first:.2f} | {warm:.2f} | "
            f"{w.build:.2f} | {w.background:.3f} | {w.foregrounds:.2f} |"
        )
        print(f"(first run: build {first_t.build:.2f} s)")


if __name__ == "__main__":
    main()
