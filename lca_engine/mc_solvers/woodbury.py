"""Exact solve of every draw by the Woodbury identity, for foreground-sized uncertainty."""

from __future__ import annotations

import numpy as np

from ..matrix_system import MatrixSystem
from .base import McSolver, Mean, left_product


class Woodbury(McSolver):
    """A_mean is factorised once and every draw is solved exactly with the Woodbury identity: one LU solve per
    uncertain technosphere entry up front, then per draw either a matrix product (when the uncertain entries do
    not feed each other, as for foreground purchases from a fixed background) or a batched k × k dense solve."""

    method = "exactly (a Woodbury update of the mean matrix's LU)"

    def __init__(self, system: MatrixSystem, mean: Mean | None = None, x0: np.ndarray | None = None) -> None:
        super().__init__(system, mean, x0)
        s, ua, ub = system, self.ua, self.ub
        k = ua.size
        # Woodbury pieces: Z = A⁻¹U (one LU solve per uncertain technosphere entry), M = V Z
        if k:
            u_mat = np.zeros((s.n, k))
            u_mat[s.tech.rows[ua], np.arange(k)] = 1.0
            z = self.lu.solve(u_mat)
            self.m_mat = z[s.tech.cols[ua]]  # k × k
            self.m_zero = bool(np.abs(self.m_mat).max() <= 1e-14 * max(1.0, np.abs(z).max()))
            self.qz = self.q @ z  # indicators × k
            self.z_bio = z[s.bio.cols[ub]]  # k_B × k
        else:
            self.m_zero = True

    def solve(self, tech_values: np.ndarray, bio_values: np.ndarray) -> np.ndarray:
        """Scores (indicators × functional units × draws) for sampled entry values (entries × draws).

        Exact for every draw by the Woodbury identity: with ΔA = U D V (U picks the rows, V the columns of the
        uncertain entries, D their changes), x = x0 − Z D (I + M D)⁻¹ x0[cols], Z = A⁻¹U, M = V Z. When no
        uncertain entry's column depends on another's row (M = 0: e.g. foreground purchases from a fixed
        background) this reduces to x = x0 − Z D x0[cols], a matrix product over all draws at once.
        """
        s = self.system
        b = tech_values.shape[1] if tech_values.size else bio_values.shape[1]
        self.draws += b
        k = self.ua.size
        scores = np.repeat((self.q @ self.x0)[:, :, None], b, axis=2)  # indicators × m × b
        x_cols_b = np.repeat(self.x0[s.bio.cols[self.ub]][:, :, None], b, axis=2) if self.ub.size else None
        if k:
            d_a = self.tech_change(tech_values)  # k × b
            x0j = self.x0[s.tech.cols[self.ua]]  # k × m
            if self.m_zero:
                y = d_a[:, None, :] * x0j[:, :, None]  # D x0[cols]: k × m × b
            else:
                lhs = np.eye(k)[None, :, :] + self.m_mat[None, :, :] * d_a.T[:, None, :]  # b × k × k
                y = np.linalg.solve(lhs, np.repeat(x0j[None, :, :], b, axis=0))  # b × k × m
                y = np.transpose(y, (1, 2, 0)) * d_a[:, None, :]  # D (I + M D)⁻¹ x0[cols]: k × m × b
            scores -= left_product(self.qz, y)
            if self.ub.size:
                x_cols_b = x_cols_b - left_product(self.z_bio, y)
        if self.ub.size:
            scores += self.bio_change(bio_values, x_cols_b)
        return scores
