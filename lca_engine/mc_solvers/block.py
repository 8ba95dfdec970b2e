"""The block-diagonal operator of a block of draws: D⁻¹O per draw (D the diagonal, O the off-diagonal part of
the draw's technosphere matrix), one block per draw, as one CSR matrix whose index arrays are built once."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ..matrix_system import MatrixSystem

#: Draws per block: about this many matrix entries per block keeps the product in cache (measured).
BLOCK_NNZ = 3_000_000


class BlockOperator:
    """Index arrays of the block-diagonal operator, built once per model. Values start from the mean matrix
    exactly as given (bw2calc's, when the system came from it) and add each draw's change of the uncertain
    entries, like the Woodbury path — so every strategy solves the same matrices."""

    def __init__(self, s: MatrixSystem, a_mean: sp.csc_matrix) -> None:
        t, ua = s.tech, s.tech.uncertain
        self.n = s.n
        # matrix positions (row, col), sorted row-major; entries sharing a position are summed
        uniq, pos_of = np.unique(t.rows.astype(np.int64) * s.n + t.cols, return_inverse=True)
        rows, cols = uniq // s.n, uniq % s.n
        static = np.asarray(a_mean.tocsr()[rows, cols]).ravel()
        on_diag = rows == cols
        diag_pos, off_pos = np.flatnonzero(on_diag), np.flatnonzero(~on_diag)
        self.diag_row = rows[diag_pos]
        self.row_of, col_of = rows[off_pos], cols[off_pos]
        self.nnz = off_pos.size
        self.block = int(np.clip(BLOCK_NNZ // max(self.nnz, 1), 1, 64))
        self.indptr1 = np.concatenate([[0], np.cumsum(np.bincount(self.row_of, minlength=s.n))])
        self.col_of = col_of
        self.f = np.asarray(s.demand, dtype=float)
        self._structure: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        # value at a position, per draw = static + Σ sign · (drawn − static value) over its uncertain entries
        # = base + Σ sign · drawn, with base = static − Σ sign · static value (sparse maps: entries → positions)
        pos_u, sign_u = pos_of[ua], t.sign[ua]
        base = static.copy()
        np.add.at(base, pos_u, -sign_u * t.data[ua])
        self.base_diag, self.base_off = base[diag_pos], base[off_pos]
        index_in = np.full(uniq.size, -1)
        index_in[diag_pos] = np.arange(diag_pos.size)
        index_in[off_pos] = np.arange(off_pos.size)
        at_diag = on_diag[pos_u]
        self.to_diag = sp.csr_matrix(
            (sign_u[at_diag], (index_in[pos_u[at_diag]], np.flatnonzero(at_diag))), shape=(diag_pos.size, ua.size)
        )
        self.to_off = sp.csr_matrix(
            (sign_u[~at_diag], (index_in[pos_u[~at_diag]], np.flatnonzero(~at_diag))), shape=(off_pos.size, ua.size)
        )

    def structure(self, b: int) -> tuple[np.ndarray, np.ndarray]:
        if b not in self._structure:
            blocks = np.arange(b, dtype=np.int64)
            indptr = np.concatenate([(self.indptr1[None, :-1] + self.nnz * blocks[:, None]).ravel(), [self.nnz * b]])
            indices = (self.col_of[None, :] + self.n * blocks[:, None]).ravel()
            if indptr[-1] < 2**31 and self.n * b < 2**31:
                indptr, indices = indptr.astype(np.int32), indices.astype(np.int32)
            self._structure[b] = (indptr, indices)
        return self._structure[b]

    def operator(self, tech_values: np.ndarray, b: int) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
        """D⁻¹O as a block-diagonal CSR matrix, D⁻¹f stacked per draw, and which draws have a usable diagonal."""
        n = self.n
        diag = np.add((self.to_diag @ tech_values).T, self.base_diag, out=np.empty((b, self.base_diag.size)))
        data = np.add((self.to_off @ tech_values).T, self.base_off, out=np.empty((b, self.nnz)))  # CSR order
        d = np.zeros((b, n))
        d[:, self.diag_row] = diag
        ok = (d != 0).all(axis=1)
        inv = np.divide(1.0, d, out=np.zeros_like(d), where=d != 0)
        data *= inv[:, self.row_of]
        indptr, indices = self.structure(b)
        op = sp.csr_matrix((data.ravel(), indices, indptr), shape=(n * b, n * b))
        f_scaled = (inv[:, :, None] * self.f[None, :, :]).reshape(b * n, -1)
        return op, f_scaled, ok
