"""Paired Monte Carlo: the vectorised engine against bw2calc 3.1's own Monte Carlo, in the same run.

Run:  .venv/bin/python benchmarks/bench_monte_carlo.py [--draws 10000] [--bw-draws 1000] [--seed 1]
Model: the textile micro-factory and its baseline on the shipped DESNZ background (~230 activities), every
distribution the inventories and background carry (DESNZ inter-annual spreads, engineering assumptions).
bw2calc is timed on --bw-draws draws and reported per draw and extrapolated to --draws. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
import tracemalloc
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
warnings.filterwarnings("ignore")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--draws", type=int, default=10_000)
    ap.add_argument("--bw-draws", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["LCA_ENGINE_DATA_DIR"] = tmp
        import lca_engine as le
        from lca_engine.bw.project import activate

        activate(tmp)
        import bw2calc as bc
        import bw2data as bd

        from lca_engine.bw.build import FU_CODE, foreground_db_name
        from lca_engine.bw.matrices import extract
        from lca_engine.uncertainty import monte_carlo

        catalog = le.load_catalog(2025, cache_dir=Path(tmp) / "cache")
        fs = [
            le.load(ROOT / "inventories/examples/textile_merthyr_micro.toml"),
            le.load(ROOT / "inventories/examples/textile_conventional_baseline.toml"),
        ]
        t = time.perf_counter()
        system = extract(fs, catalog, tmp, ["carbon"])
        t_extract = time.perf_counter() - t  # includes building the project the first time
        t = time.perf_counter()
        system = extract(fs, catalog, tmp, ["carbon"])
        t_extract_warm = time.perf_counter() - t
        monte_carlo(system, draws=100, seed=args.seed)  # warm-up (imports, caches)
        t = time.perf_counter()
        ours = monte_carlo(system, draws=args.draws, seed=args.seed)
        t_ours = time.perf_counter() - t
        tracemalloc.start()  # separate run: tracing slows numpy allocations
        monte_carlo(system, draws=args.draws, seed=args.seed)
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        system22 = extract(fs, catalog, tmp)
        t = time.perf_counter()
        monte_carlo(system22, draws=args.draws, seed=args.seed)
        t_ours22 = time.perf_counter() - t

        method = le.CARBON.method
        demands = {f.id: {bd.get_node(database=foreground_db_name(f, 2025), code=FU_CODE).id: 1} for f in fs}
        config = {"impact_categories": [method]}
        objs = bd.get_multilca_data_objs(demands, config)

        def per_draw(make, step, n):
            obj = make()
            step(obj)
            t0 = time.perf_counter()
            for _ in range(n):
                step(obj)
            return (time.perf_counter() - t0) / n

        def multi():
            m = bc.MultiLCA(
                demands=demands, method_config=config, data_objs=objs, use_distributions=True, seed_override=args.seed
            )
            m.lci()
            m.lcia()
            return m

        fu = next(iter(demands[fs[0].id]))

        def single(cls):
            def make():
                lca = cls({fu: 1}, method=method, data_objs=objs, use_distributions=True, seed_override=args.seed)
                lca.lci()
                lca.lcia()
                return lca

            return make

        n = args.bw_draws
        t_multi = per_draw(multi, next, n)
        t_lca = per_draw(single(bc.LCA), next, n)
        t_iter = per_draw(single(bc.IterativeLCA), next, n)
        static = ["desnz-2025", "biosphere3", "lca-engine-biosphere"]

        def partitioned():
            p = bc.PartitionedMonteCarloLCA({fu: 1}, static_databases=static, data_objs=objs, seed_override=args.seed)
            p.lci()  # the inner stochastic LCA is built here; next() before lci() fails
            p.lcia()
            return p

        try:
            t_part = per_draw(partitioned, next, n)
        except Exception as exc:  # report, do not hide
            t_part = float("nan")
            print(f"PartitionedMonteCarloLCA failed: {type(exc).__name__}: {exc}")

        ours_draw = t_ours / args.draws
        print(
            f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}; model: {system.n} activities, "
            f"{system.tech.uncertain.size + system.bio.uncertain.size} uncertain entries, 2 functional units"
        )
        print()
        print("| method | per paired draw (ms) | time for 10,000 paired draws (s) | ours faster by |")
        print("|---|---|---|---|")
        print(
            f"| lca-engine vectorised (carbon; {args.draws} draws measured; peak {peak:.0f} MiB) | "
            f"{ours_draw * 1e3:.4f} | {ours_draw * 1e4:.3f} | 1× |"
        )
        print(
            f"| lca-engine vectorised, all 22 indicators | {t_ours22 / args.draws * 1e3:.4f} | "
            f"{t_ours22 / args.draws * 1e4:.3f} | — |"
        )
        print(
            f"| bw2calc MultiLCA, use_distributions + next() (2 FUs, paired) | {t_multi * 1e3:.3f} | "
            f"{t_multi * 1e4:.1f} | {t_multi / ours_draw:.0f}× |"
        )
        print(
            f"| bw2calc LCA + next(), one FU (×2 for a pair, unpaired) | {2 * t_lca * 1e3:.3f} | "
            f"{2 * t_lca * 1e4:.1f} | {2 * t_lca / ours_draw:.0f}× |"
        )
        print(
            f"| bw2calc IterativeLCA + next(), one FU (×2) | {2 * t_iter * 1e3:.3f} | {2 * t_iter * 1e4:.1f} | "
            f"{2 * t_iter / ours_draw:.0f}× |"
        )
        print(
            f"| bw2calc PartitionedMonteCarloLCA (foreground only), one FU (×2) | {2 * t_part * 1e3:.3f} | "
            f"{2 * t_part * 1e4:.1f} | {2 * t_part / ours_draw:.0f}× |"
        )
        print()
        print(
            f"extract matrices: first {t_extract:.2f} s (builds the project), warm {t_extract_warm:.3f} s; "
            f"bw2calc timed on {n} draws each. Difference carbon: "
            f"{ours.difference(fs[0].id, fs[1].id).iloc[0][['mean', 'p2_5', 'p97_5', 'p_lower']].to_dict()}"
        )


if __name__ == "__main__":
    main()
