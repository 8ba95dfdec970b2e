"""Vectorised paired Monte Carlo on the LCA matrices (no Brightway here: arrays in, arrays out).

Every uncertain matrix entry gets its own random numbers from one stream, per draw:

* entries shared by several factories (the background) are *one* entry, so the micro-factory and its baseline
  see the same draw of every shared factor — the difference distribution is right (paired sampling);
* each factory's own exchanges are distinct entries, so two factories built from the same template get
  independent draws (no ``seed_override`` trap).

Sampling (:mod:`lca_engine.sampling`): in place, per distribution type, in chunks with their own random streams,
so batches and threads never change the numbers.

Solving: one strategy per system, chosen by :func:`lca_engine.mc_solvers.choose_solver` (Woodbury for
foreground-sized uncertainty, block iterations for an uncertain background, with exact fallbacks that are
counted in :attr:`MonteCarloResult.solved`). Scores are cᵀ(B_mean + ΔB)x.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import UncertaintyError
from .matrix_system import Entries, MatrixSystem
from .mc_solvers import McSolver, SolveStats, choose_solver
from .sampling import Sampler, _check_draws, draw_values, sample

#: Environment variable that caps the threads of a Monte Carlo run with ``workers=None`` (e.g. on a shared server).
WORKERS_VARIABLE = "LCA_ENGINE_WORKERS"
#: At most this many random numbers per batch (8 bytes each): large models get smaller batches, not more memory.
BATCH_VALUES = 20_000_000
#: Magnitudes below this are floating-point noise of the solve and reported as 0 (same rule as the cube).
NOISE = 1e-15


@dataclass
class MonteCarloResult:
    scores: np.ndarray  # indicators × functional units × draws
    indicators: list[str]
    demand_names: list[str]
    seed: int | None
    #: how the draws were solved, one entry per solver (paired: one; paired=False: one per functional unit)
    solved: tuple[SolveStats, ...] = ()

    @property
    def draws(self) -> int:
        return self.scores.shape[2]

    def solve_note(self) -> str:
        """How the draws were solved, in one sentence (:func:`solve_note`)."""
        return solve_note(self.solved)

    @property
    def solved_directly(self) -> int:
        """Draws the iteration could not settle and that were solved with a fresh LU each."""
        return sum(s.direct for s in self.solved)

    def of(self, demand: str, indicator: str) -> np.ndarray:
        return self.scores[self.indicators.index(indicator), self.demand_names.index(demand)]

    def summary(self) -> pd.DataFrame:
        rows = []
        for i, ind in enumerate(self.indicators):
            for j, name in enumerate(self.demand_names):
                v = self.scores[i, j]
                rows.append(_stats(v) | {"factory": name, "indicator": ind})
        return pd.DataFrame(rows)[["factory", "indicator", "mean", "sd", "median", "p2_5", "p97_5"]]

    def difference(self, factory: str, baseline: str) -> pd.DataFrame:
        """Distribution of factory − baseline per indicator (paired draws) and P(factory < baseline)."""
        rows = []
        for ind in self.indicators:
            d = self.of(factory, ind) - self.of(baseline, ind)
            base = self.of(baseline, ind)
            rel = np.divide(d, base, out=np.full_like(d, np.nan), where=base != 0)
            rows.append(
                _stats(d)
                | {
                    "factory": factory,
                    "baseline": baseline,
                    "indicator": ind,
                    "p_lower": float(np.mean(d < 0)),
                    "relative_median": float(np.nanmedian(rel)) if np.isfinite(rel).any() else np.nan,
                }
            )
        return pd.DataFrame(rows)[
            ["factory", "baseline", "indicator", "mean", "sd", "median", "p2_5", "p97_5", "p_lower", "relative_median"]
        ]


def _stats(v: np.ndarray) -> dict:
    return {
        "mean": float(v.mean()),
        "sd": float(v.std(ddof=1)) if v.size > 1 else 0.0,
        "median": float(np.median(v)),
        "p2_5": float(np.percentile(v, 2.5)),
        "p97_5": float(np.percentile(v, 97.5)),
    }


def monte_carlo(
    system: MatrixSystem,
    draws: int = 1000,
    seed: int | None = None,
    batch: int = 1000,
    paired: bool = True,
    progress=None,
    workers: int | None = None,
) -> MonteCarloResult:
    """Paired Monte Carlo of every functional unit in ``system``; reproducible for a given seed.

    Random numbers come in chunks of draws (see :mod:`lca_engine.sampling`), each from its own stream seeded by
    (seed, chunk), so ``batch`` (draws sampled and solved together; rounded up to whole chunks, and capped so
    that one batch holds at most :data:`BATCH_VALUES` random numbers) and ``workers`` (threads solving batches
    in parallel; numpy, scipy's sparse products and SuperLU release the GIL) never change the result.
    ``workers=None`` (the default) uses every core this process may run on (``LCA_ENGINE_WORKERS`` caps it) where
    the strategy gains from threads — the block iterations of a background-sized model, as bw2calc's pypardiso
    uses every core — and one thread where BLAS already does (Woodbury): :func:`thread_count`.
    ``paired=False`` gives every functional unit its own, independent draws of *all* entries (for comparison:
    it ignores that a factory and its baseline share the background, and widens the difference).
    ``progress(done)`` is called per batch with the draws done so far (paired=False: of every functional unit,
    units one after the other, so ``done`` reaches ``draws`` when the last unit is done).
    """
    if not isinstance(batch, int) or batch <= 0:
        raise UncertaintyError("batch must be a positive integer", fix="e.g. batch=1000", field="batch")
    if workers is not None and (not isinstance(workers, int) or isinstance(workers, bool) or workers <= 0):
        raise UncertaintyError("workers must be a positive integer or None", fix="e.g. workers=2", field="workers")
    _check_draws(draws)
    if paired:
        return _run(system, draws, seed, batch, progress, workers)
    m = system.demand.shape[1]
    parts = []
    for j in range(m):
        done_before = j * draws

        def part_progress(done: int, before: int = done_before) -> None:
            progress((before + done) // m)

        sub_seed = None if seed is None else seed + 7919 * (j + 1)
        parts.append(_run(system.one_demand(j), draws, sub_seed, batch, progress and part_progress, workers))
    scores = np.concatenate([p.scores for p in parts], axis=1)
    solved = tuple(s for p in parts for s in p.solved)
    return MonteCarloResult(scores, system.indicators, system.demand_names, seed, solved)


def solve_note(stats: Sequence[SolveStats]) -> str:
    """One sentence on how draws were solved — the strategy in words and, where an iteration did not settle some
    draws, how many went to the exact fallbacks — for the report, the dashboard and ``compare`` ("" for none)."""
    if not stats:
        return ""
    total = sum(s.draws for s in stats)
    methods = " / ".join(dict.fromkeys(s.method or s.strategy for s in stats))
    text = f"Solver: {total:,} draws solved {methods}"
    handed, direct = sum(s.handed_over for s in stats), sum(s.direct for s in stats)
    if handed or direct:
        text += (
            f"; {handed:,} did not settle in the iteration and went to the mean-LU iteration, {direct:,} of them "
            "to a direct solve each (exact; only slower)"
        )
    return text + "."


def thread_count(workers: int | None, solver: McSolver) -> int:
    """Threads for a run: ``workers`` as given; None → the cores this process may use (at most
    ``LCA_ENGINE_WORKERS``) where ``solver.parallel``, else 1."""
    if workers is not None:
        return workers
    if not solver.parallel:
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    cap = os.environ.get(WORKERS_VARIABLE, "").strip()
    if not cap:
        return cores
    if not cap.isdigit() or int(cap) <= 0:
        raise UncertaintyError(
            f"{WORKERS_VARIABLE}={cap!r} is not a positive integer",
            fix=f"set {WORKERS_VARIABLE} to a number of threads, e.g. 2, or unset it to use every core",
            field=WORKERS_VARIABLE,
        )
    return min(cores, int(cap))


def draw_range(system: MatrixSystem, start: int, stop: int, seed: int) -> np.ndarray:
    """Draws [start, stop) of :func:`monte_carlo` for ``seed`` (indicators × functional units × draws), in this
    thread: the same numbers as those draws of a whole run, so that draw chunks can run anywhere (Dask workers)."""
    if not 0 <= start < stop:
        raise UncertaintyError(f"draws [{start}, {stop}) is not a range of draws", fix="start < stop", field="draws")
    out = choose_solver(system).solve(*Sampler(system, seed).draws(start, stop))
    out[np.abs(out) < NOISE] = 0.0
    return out


def _run(
    system: MatrixSystem, draws: int, seed: int | None, batch: int, progress, workers: int | None
) -> MonteCarloResult:
    """Sample and solve every draw, batch by batch (in threads: :func:`thread_count`)."""
    sampler = Sampler(system, seed)
    solver = choose_solver(system)
    workers = thread_count(workers, solver)
    per_draw = max(sampler.params.size, 1)
    batch = min(batch, max(1, BATCH_VALUES // per_draw))  # bound the memory of one batch's random numbers
    batch = -(-batch // sampler.chunk) * sampler.chunk  # whole chunks: the numbers do not depend on batch or workers
    out = np.empty((len(system.indicators), system.demand.shape[1], draws))
    starts = list(range(0, draws, batch))

    def run(start: int) -> int:
        stop = min(start + batch, draws)
        out[:, :, start:stop] = solver.solve(*sampler.draws(start, stop, reuse=True))
        return stop

    done = 0
    if workers == 1:
        finished = map(run, starts)
    else:
        from concurrent.futures import ThreadPoolExecutor

        pool = ThreadPoolExecutor(max_workers=workers)
        finished = pool.map(run, starts)
    try:
        for start, _ in zip(starts, finished, strict=True):
            done += min(batch, draws - start)
            if progress:
                progress(done)
    finally:
        if workers > 1:
            pool.shutdown()
    out[np.abs(out) < NOISE] = 0.0  # round-off of the solve around zero (e.g. 5e-18 m3), as in the cube
    return MonteCarloResult(out, system.indicators, system.demand_names, seed, (solver.stats(),))


__all__ = [
    "WORKERS_VARIABLE",
    "Entries",
    "MatrixSystem",
    "MonteCarloResult",
    "SolveStats",
    "UncertaintyError",
    "draw_range",
    "draw_values",
    "monte_carlo",
    "sample",
    "solve_note",
    "thread_count",
]
