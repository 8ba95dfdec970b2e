"""MultiLCA time for many factories × all 22 indicators in one pass.

Run:  .venv/bin/python benchmarks/bench_multilca.py [--copies N]
Takes every shipped example inventory, makes N renamed copies of each (so N × examples foreground databases),
and reports build time (first and warm) and the MultiLCA + contribution time, in a fresh temporary data dir.
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
        from lca_engine.bw.calc import TIMINGS, calculate

        catalog = le.load_catalog(2025, cache_dir=Path(tmp) / "cache")
        base = [le.load(p) for p in le.collect_files([ROOT / "inventories" / "examples"])]
        factories = []
        for i in range(args.copies):
            for f in base:
                factories.append(f.model_copy(update={"id": f"{f.id}-{i}"}))
        from lca_engine.bw.project import activate

        activate(tmp)
        t = time.perf_counter()
        calculate(factories, catalog, tmp)
        first = time.perf_counter() - t
        first_t = dict(TIMINGS)
        t = time.perf_counter()
        cube, _ = calculate(factories, catalog, tmp)
        warm = time.perf_counter() - t
        print(
            "| factories | indicators | cube rows | first run s | warm run s | of which build/check s | "
            "MultiLCA s | contributions s |"
        )
        print("|---|---|---|---|---|---|---|---|")
        print(
            f"| {len(factories)} | {TIMINGS['indicators']} | {len(cube)} | {first:.2f} | {warm:.2f} | "
            f"{TIMINGS['build']:.2f} | {TIMINGS['multilca']:.3f} | {TIMINGS['contributions']:.2f} |"
        )
        print(f"(first run: build {first_t['build']:.2f} s)")


if __name__ == "__main__":
    main()
