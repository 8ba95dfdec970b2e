"""Jacobi sweeps on a block of draws at once: cheap per step, for backgrounds with weak loops."""

from __future__ import annotations

import numpy as np

from ..matrix_system import MatrixSystem
from .base import McSolver, Mean
from .block import BlockOperator, add_product

#: at most this many sweeps, a convergence check every JACOBI_CHECK sweeps; draws whose error shrinks by less
#: than 1 − JACOBI_SLOW per sweep go to the exact fallbacks instead
JACOBI_MAX = 400
#: stop when every draw's estimated error (last change · ρ / (1 − ρ)) is below this, relative
JACOBI_TOL = 1e-10
JACOBI_CHECK = 4
JACOBI_SLOW = 0.97


class Jacobi(McSolver):
    """Jacobi iteration x ← D⁻¹f − D⁻¹O x for a block of draws at once, as one sparse product with the
    block-diagonal operator (:class:`~.block.BlockOperator`), started from the mean solution. It converges when
    the spectral radius of D⁻¹O is below 1 — a productive economy — and stops on the forward error estimated from
    the change per sweep and the contraction measured between checks. No factorisation on the usual path: the
    mean solution comes from the same sweeps."""

    parallel = True
    method = f"by Jacobi sweeps, each draw stopped at an estimated relative error below {JACOBI_TOL:g}"

    def __init__(self, system: MatrixSystem, mean: Mean | None = None, x0: np.ndarray | None = None) -> None:
        mean = Mean(system) if mean is None else mean
        self.layout = BlockOperator(system, mean.a)
        self.block = self.layout.block
        super().__init__(system, mean, x0)

    #: sweeps the mean system took to settle (None: it did not, or the mean solution was given)
    settled_in: int | None = None

    def mean_solution(self) -> np.ndarray:
        x, good = self.sweeps(self.system.tech.data[self.mean.ua][:, None], start=None)
        if good[0]:
            self.settled_in = self.iterations[-1]
            return x[:, :, 0]
        return self.lu.solve(self.mean.f)

    def solve_x(self, tech_values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return self.sweeps(tech_values, start=self.x0)

    def sweeps(self, tech_values: np.ndarray, start: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """Jacobi sweeps for a block of draws: x (n × m × b) and which draws converged."""
        n, m, b = self.system.n, self.system.demand.shape[1], tech_values.shape[1]
        m_op, f_scaled, ok = self.layout.operator(tech_values, b)
        if start is None:
            x = f_scaled.copy()
        else:
            x = np.ascontiguousarray(np.broadcast_to(start[None, :, :], (b, n, m))).reshape(b * n, m)
        done = np.zeros(b, dtype=bool)
        last = np.full((b, m), np.inf)
        it = 0
        spare = np.empty_like(x)  # two buffers in turn: no fresh pages per sweep
        while it < JACOBI_MAX:
            it += 1
            new = spare
            new.fill(0.0)
            add_product(m_op, x, new)
            np.subtract(f_scaled, new, out=new)
            if it % JACOBI_CHECK == 0:
                # per draw and functional unit: the change of this sweep, relative to the largest element, and
                # the contraction per sweep estimated from the last check; error ≈ change · ρ / (1 − ρ)
                diff = np.subtract(new, x, out=x)
                change = np.abs(diff, out=diff).reshape(b, n, m).transpose(0, 2, 1).copy().max(axis=2)
                size = np.abs(new).reshape(b, n, m).transpose(0, 2, 1).copy().max(axis=2)
                rel = change / np.maximum(size, 1e-300)
                with np.errstate(invalid="ignore", divide="ignore"):
                    rho = np.where(
                        np.isfinite(last) & (last > 0), np.minimum((rel / last) ** (1.0 / JACOBI_CHECK), 1.0), 1.0
                    )
                    estimate = np.where(rho < 1.0, rel * rho / (1.0 - rho), np.inf)
                done = ((estimate < JACOBI_TOL) | (rel <= 4 * np.finfo(float).eps)).all(axis=1)
                slow = (rho > JACOBI_SLOW).any(axis=1)  # contraction too weak to be worth sweeping on
                last = rel
                x, spare = new, x
                if done.all() or (it >= 4 * JACOBI_CHECK and (done | slow).all()):
                    break
            else:
                x, spare = new, x
        self.iterations.append(it)
        x = x.reshape(b, n, m).transpose(1, 2, 0)  # n × m × b
        return x, done & ok & np.isfinite(x).all(axis=(0, 1))
