"""What every Monte Carlo solver strategy shares: the mean system, the interface, the scores of solved draws and
the hand-over of draws an iteration did not settle to the exact fallbacks."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse.linalg import splu

from ..matrix_system import MatrixSystem


class Mean:
    """The mean system, computed once and shared by a strategy and its fallbacks: static matrices, direct score
    per unit activity (q), the uncertain entries, and the mean matrix's sparse LU on first use."""

    def __init__(self, system: MatrixSystem) -> None:
        s = system
        self.a, self.b = s.matrices()
        self.q = np.asarray(s.cf @ self.b)  # indicators × activities: direct score per unit activity
        if s.mask is not None:
            self.q = self.q * s.mask
        self.ua, self.ub = s.tech.uncertain, s.bio.uncertain
        self.cf_b = s.cf[:, s.bio.rows[self.ub]]  # indicators × k_B
        if s.mask is not None:
            self.cf_b = self.cf_b * s.mask[:, s.bio.cols[self.ub]]
        self.f = np.asarray(s.demand, dtype=float)
        self._lu = None

    @property
    def lu(self):
        """Sparse LU of the mean matrix, factorised on first use."""
        if self._lu is None:
            self._lu = splu(self.a)
        return self._lu


@dataclass
class SolveStats:
    """How the draws of a run were solved: ``handed_over`` draws the iteration gave to the mean-LU iteration,
    ``direct`` of them solved with a fresh LU each; ``iterations``: per block, the iterations it took."""

    strategy: str
    draws: int = 0
    handed_over: int = 0
    direct: int = 0
    iterations: tuple[int, ...] = ()
    #: how the strategy solves, in words (:attr:`McSolver.method`)
    method: str = ""


class McSolver:
    """One strategy for solving many draws of the same system. ``solve(tech_values, bio_values)`` gives the
    scores (indicators × functional units × draws) of sampled entry values (entries × draws).

    Strategies that compute solutions x (n × m × draws) implement :meth:`solve_x`, returning x and which draws
    it trusts; the others go to the exact fallbacks (:class:`~.exact.MeanLUIteration`, then
    :class:`~.exact.DirectLU`) and are counted (``handed_over``, ``fallbacks``)."""

    #: draws per call of solve_x (None: all at once)
    block: int | None = None
    #: whether batches gain from threads of their own: True where the work is single-threaded numpy and scipy
    #: kernels that release the GIL (sparse products, element-wise passes); False where BLAS already uses the
    #: cores (more threads would only compete for them)
    parallel: bool = False
    #: how it solves, in words, after "draws solved" (the report and the dashboard say it)
    method: str = ""

    def __init__(self, system: MatrixSystem, mean: Mean | None = None, x0: np.ndarray | None = None) -> None:
        self.system = system
        self.mean = Mean(system) if mean is None else mean
        m = self.mean
        self.a, self.b, self.q, self.ua, self.ub, self.cf_b = m.a, m.b, m.q, m.ua, m.ub, m.cf_b
        self.fallbacks = 0  # draws solved directly (a fresh LU each)
        self.handed_over = 0  # draws an iteration gave to the exact fallbacks
        self.iterations: list[int] = []
        self.draws = 0
        self.x0 = self.mean_solution() if x0 is None else x0

    @property
    def lu(self):
        return self.mean.lu

    def mean_solution(self) -> np.ndarray:
        return self.lu.solve(self.mean.f)

    def deterministic(self) -> np.ndarray:
        """indicators × functional units, from the static matrices."""
        return self.q @ self.x0

    def stats(self) -> SolveStats:
        return SolveStats(
            type(self).__name__, self.draws, self.handed_over, self.fallbacks, tuple(self.iterations), self.method
        )

    def solve_x(self, tech_values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """x (n × m × draws) for a block of draws and which draws are trusted."""
        raise NotImplementedError

    def solve(self, tech_values: np.ndarray, bio_values: np.ndarray) -> np.ndarray:
        b = tech_values.shape[1] if tech_values.size else bio_values.shape[1]
        self.draws += b
        step = self.block or max(b, 1)
        parts = [
            self._solve_block(tech_values[:, i : i + step], bio_values[:, i : i + step]) for i in range(0, b, step)
        ]
        return np.concatenate(parts, axis=2)

    def _solve_block(self, tech_values: np.ndarray, bio_values: np.ndarray) -> np.ndarray:
        x, good = self.solve_x(tech_values)
        bad = np.flatnonzero(~good)
        if bad.size:
            x[:, :, bad] = self.exact(tech_values[:, bad])
        return self.scores(x, bio_values)

    def exact(self, tech_values: np.ndarray) -> np.ndarray:
        """The exact fallbacks: the mean-LU iteration, then a direct solve for any draw it does not settle."""
        from .exact import DirectLU, MeanLUIteration

        self.handed_over += tech_values.shape[1]
        x, ok = MeanLUIteration(self.system, self.mean, self.x0).solve_x(tech_values)
        bad = np.flatnonzero(~ok)
        if bad.size:
            x[:, :, bad] = DirectLU(self.system, self.mean, self.x0).solve_x(tech_values[:, bad])[0]
            self.fallbacks += bad.size
        return x

    def scores(self, x: np.ndarray, bio_values: np.ndarray) -> np.ndarray:
        """cᵀ(B_mean + ΔB)x for solutions x (n × m × draws)."""
        scores = left_product(self.q, x)
        if self.ub.size:
            scores += self.bio_change(bio_values, x[self.system.bio.cols[self.ub]])
        return scores

    def bio_change(self, bio_values: np.ndarray, x_cols: np.ndarray) -> np.ndarray:
        """cᵀΔB x: the uncertain biosphere entries' change times the activity levels of their columns."""
        s = self.system
        d_b = s.bio.sign[self.ub, None] * (bio_values - s.bio.data[self.ub, None])  # k_B × b
        return left_product(self.cf_b, d_b[:, None, :] * x_cols)

    def tech_change(self, tech_values: np.ndarray) -> np.ndarray:
        """ΔA of the uncertain technosphere entries (k × draws), signed."""
        s = self.system
        return s.tech.sign[self.ua, None] * (tech_values - s.tech.data[self.ua, None])


def left_product(mat: np.ndarray, t: np.ndarray) -> np.ndarray:
    """``mat`` (r × k) applied to the first axis of ``t`` (k × m × draws): one BLAS matrix product on ``t`` seen as
    k × (m·draws) (einsum's "ik,kmb->imb" does not use BLAS here: 63 % of the example's Monte Carlo, measured)."""
    k, m, b = t.shape
    return (mat @ t.reshape(k, m * b)).reshape(mat.shape[0], m, b)
