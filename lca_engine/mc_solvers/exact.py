"""The exact fallbacks: the mean matrix's LU as a preconditioner of a stationary iteration, and a direct solve
with a fresh LU per draw."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import splu

from .base import McSolver

#: the mean-LU iteration: at most this many steps; it stops when no draw's solution changes by more than
#: ITERATIVE_TOL relative to its largest element, and trusts draws within 1000 × ITERATIVE_TOL
ITERATIVE_MAX = 200
ITERATIVE_TOL = 1e-12


class MeanLUIteration(McSolver):
    """x ← x + A_mean⁻¹ (f − (A_mean + ΔA) x), all draws at once: converges in a few steps while a draw's matrix
    is close to the mean one, whatever the loops; each step costs one solve with the mean LU per draw."""

    method = "by iteration on the mean matrix's LU"

    def solve_x(self, tech_values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        s = self.system
        n, m = self.x0.shape
        b = tech_values.shape[1]
        cols = s.tech.cols[self.ua]
        sel = sp.csr_matrix(
            (np.ones(self.ua.size), (s.tech.rows[self.ua], np.arange(self.ua.size))), shape=(n, self.ua.size)
        )
        d_a = self.tech_change(tech_values)
        f = np.repeat(self.mean.f[:, :, None], b, axis=2).reshape(n, m * b)
        x = np.repeat(self.x0[:, :, None], b, axis=2)
        rel = np.full(b, np.inf)
        for _ in range(ITERATIVE_MAX):
            delta_x = (d_a[:, None, :] * x[cols]).reshape(self.ua.size, m * b)
            step = self.lu.solve(f - self.a @ x.reshape(n, m * b) - sel @ delta_x).reshape(n, m, b)
            x += step
            rel = np.abs(step).max(axis=(0, 1)) / np.maximum(np.abs(x).max(axis=(0, 1)), 1e-300)
            if rel.max() < ITERATIVE_TOL:
                break
        return x, rel < ITERATIVE_TOL * 1e3


class DirectLU(McSolver):
    """Every draw's matrix A_mean + ΔA factorised and solved on its own: exact, and the slowest."""

    method = "exactly (a fresh LU per draw)"

    def solve_x(self, tech_values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        s = self.system
        n, m = self.x0.shape
        rows, cols = s.tech.rows[self.ua], s.tech.cols[self.ua]
        d_a = self.tech_change(tech_values)
        x = np.empty((n, m, tech_values.shape[1]))
        for j in range(tech_values.shape[1]):
            a_j = self.a + sp.csc_matrix((d_a[:, j], (rows, cols)), shape=(n, n))
            x[:, :, j] = splu(a_j.tocsc()).solve(self.mean.f)
        return x, np.ones(tech_values.shape[1], dtype=bool)
