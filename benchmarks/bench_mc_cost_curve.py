"""Cost curve of the vectorised Monte Carlo: ms per paired draw against loop strength and nnz(A), per strategy.

Run:  .venv/bin/python benchmarks/bench_mc_cost_curve.py [--sizes 2000,5000,10000,20000] [--draws 300]

The background is ``bench_monte_carlo_synthetic``'s (same structure and column sums per loop strength), built
straight into a ``MatrixSystem`` in numpy (no Brightway: 90 % of the inputs lognormal, geometric σ 1.1–1.3, five
elementary flows per activity, two functional units of five and six activities), so that many sizes run in
minutes. Each cell: ``monte_carlo`` (sampling + solving) of the chooser's strategy and of Jacobi and Krylov
forced, CPU seconds of this process (``time.process_time``: less sensitive to other jobs on a shared machine
than wall time) per paired draw; the chooser's set-up not counted.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from bench_monte_carlo_synthetic import LOOP_STRENGTHS, background_structure


def system(n: int, strength: tuple[float, float], seed: int = 1):
    from bw_processing.constants import UNCERTAINTY_DTYPE

    from lca_engine.matrix_system import Entries, MatrixSystem

    rng = np.random.default_rng([seed, n])
    inputs, coeffs = background_structure(n, rng, strength)
    cols = [np.arange(n)] + [np.full(r.size, j) for j, r in enumerate(inputs)]
    rows, cols = np.concatenate([np.arange(n), *inputs]), np.concatenate(cols)
    data = np.concatenate([np.ones(n), *coeffs])
    sign = np.where(rows == cols, 1.0, -1.0)
    p = np.zeros(data.size, dtype=UNCERTAINTY_DTYPE)
    p["loc"] = data
    unc = (sign < 0) & (rng.random(data.size) < 0.9)
    p["uncertainty_type"][unc] = 2
    p["loc"][unc], p["scale"][unc] = np.log(data[unc]), np.log(rng.uniform(1.1, 1.3, int(unc.sum())))
    order = np.argsort(p["uncertainty_type"], kind="stable")
    tech = Entries(rows[order], cols[order], data[order], sign[order], p[order], np.array(["t"] * data.size))
    nb = 5 * n
    b_data = rng.lognormal(-3.0, 1.5, nb)
    bp = np.zeros(nb, dtype=UNCERTAINTY_DTYPE)
    bp["uncertainty_type"], bp["loc"], bp["scale"] = 2, np.log(b_data), np.log(1.2)
    bio = Entries(rng.integers(0, 20, nb), np.repeat(np.arange(n), 5), b_data, np.ones(nb), bp, np.array(["b"] * nb))
    demand = np.zeros((n, 2))
    demand[[0, 1, 2, 3, 5], 0] = demand[[0, 4, 6, 7, 9, 12], 1] = 1.0
    cf = np.random.default_rng(0).lognormal(0.0, 1.0, (1, 20))
    return MatrixSystem(
        tech=tech,
        bio=bio,
        n=n,
        n_bio=20,
        cf=cf,
        indicators=["x"],
        demand=demand,
        demand_names=["a", "b"],
        activity_names={},
    )


def per_draw(solver, s, draws: int) -> tuple[float, int]:
    """CPU ms per paired draw of sampling + solving with this solver (the chooser bypassed)."""
    import lca_engine.uncertainty as unc

    original = unc.choose_solver
    unc.choose_solver = lambda _system: solver
    try:
        t = time.process_time()
        res = unc.monte_carlo(s, draws=draws, seed=1)
        return (time.process_time() - t) / draws * 1e3, res.solved[0].handed_over
    finally:
        unc.choose_solver = original


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="2000,5000,10000,20000")
    ap.add_argument("--draws", type=int, default=300)
    args = ap.parse_args()
    from lca_engine.mc_solvers import Jacobi, Krylov, choose_solver

    print(f"load average at the start {os.getloadavg()[0]:.1f}\n")
    print(
        "| loops (column sums) | N | nnz(A) | chooser picks | chooser (ms/draw) | Jacobi (ms/draw, handed over) "
        "| Krylov (ms/draw, handed over) |"
    )
    print("|---|---|---|---|---|---|---|")
    for n in (int(v) for v in args.sizes.split(",")):
        for name, strength in LOOP_STRENGTHS.items():
            s = system(n, strength)
            chosen = choose_solver(s)
            jac = chosen if isinstance(chosen, Jacobi) else Jacobi(s, chosen.mean)
            kry = chosen if isinstance(chosen, Krylov) else Krylov(s, jac.mean, layout=jac.layout)
            cells = {}
            for label, sol in (("Jacobi", jac), ("Krylov", kry)):
                ms, handed = per_draw(sol, s, args.draws)
                cells[label] = f"{ms:.2f} ({handed})"
                if sol is chosen:
                    cells["chosen"] = f"{ms:.2f}"
            nnz = s.tech.rows.size
            print(
                f"| {name} {strength[0]:.2f}–{strength[1]:.2f} | {n:,} | {nnz:,} | {type(chosen).__name__} "
                f"| {cells['chosen']} | {cells['Jacobi']} | {cells['Krylov']} |",
                flush=True,
            )
    print(f"\nload average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
