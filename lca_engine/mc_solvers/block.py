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
        self.row_counts = np.bincount(self.row_of, minlength=s.n)
        self.indptr1 = np.concatenate([[0], np.cumsum(self.row_counts)])
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
        self.to_diag = _Gather(index_in[pos_u[at_diag]], np.flatnonzero(at_diag), sign_u[at_diag], diag_pos.size)
        self.to_off = _Gather(index_in[pos_u[~at_diag]], np.flatnonzero(~at_diag), sign_u[~at_diag], off_pos.size)
        self._fold_static_diagonal()

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
        values = tech_values.T  # draws × entries (a view of the sampler's array)
        if self.static is not None:
            return self._static_diagonal(values, b)
        n = self.n
        diag = self.to_diag.apply(values)
        diag += self.base_diag
        data = self.to_off.apply(values)  # CSR order
        data += self.base_off
        d = np.zeros((b, n))
        d[:, self.diag_row] = diag
        ok = (d != 0).all(axis=1)
        inv = np.divide(1.0, d, out=np.zeros_like(d), where=d != 0)
        data *= np.repeat(inv, self.row_counts, axis=1)  # inv[:, row_of]: rows are sorted (CSR order)
        indptr, indices = self.structure(b)
        op = sp.csr_matrix((data.ravel(), indices, indptr), shape=(n * b, n * b))
        f_scaled = (inv[:, :, None] * self.f[None, :, :]).reshape(b * n, -1)
        return op, f_scaled, ok

    def _static_diagonal(self, values: np.ndarray, b: int) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
        """No uncertain production amount (the usual case): D⁻¹ is folded into the signs and the static values
        once, so a refill is a gather, a product and a sum; D⁻¹f is the same for every block."""
        scaled, base, ok = self.static
        data = scaled.apply(values)
        data += base
        indptr, indices = self.structure(b)
        op = sp.csr_matrix((data.ravel(), indices, indptr), shape=(self.n * b, self.n * b))
        if b not in self._f_scaled:
            self._f_scaled[b] = np.ascontiguousarray(np.broadcast_to(self.f0[None], (b, *self.f0.shape))).reshape(
                b * self.n, -1
            )
        return op, self._f_scaled[b], np.full(b, ok)

    def _fold_static_diagonal(self) -> None:
        self.static = None
        if self.to_diag.levels or self.to_diag.sign.any():
            return
        d = np.zeros(self.n)
        d[self.diag_row] = self.base_diag
        inv = np.divide(1.0, d, out=np.zeros_like(d), where=d != 0)
        per_entry = inv[self.row_of]
        self.static = (self.to_off.scaled(per_entry), self.base_off * per_entry, bool((d != 0).all()))
        self.f0 = inv[:, None] * self.f
        self._f_scaled: dict[int, np.ndarray] = {}


def add_product(op: sp.csr_matrix, x: np.ndarray, y: np.ndarray) -> None:
    """y += op @ x in place (x, y C-contiguous, 2-d): scipy's own kernel, without its fresh zeroed result."""
    try:
        from scipy.sparse import _sparsetools

        kernel = _sparsetools.csr_matvecs
    except (ImportError, AttributeError):  # a scipy without the private kernel: the public product
        y += op @ x
        return
    kernel(op.shape[0], op.shape[1], x.shape[1], op.indptr, op.indices, op.data, x.ravel(), y.ravel())


class _Gather:
    """Σ sign · value of the uncertain entries at each position, for a block of draws (draws × positions), in the
    order of the entries: the first entry of every position in one gather, further ones added level by level."""

    def __init__(self, pos: np.ndarray, entry: np.ndarray, sign: np.ndarray, size: int) -> None:
        self.size = size
        order = np.lexsort((entry, pos))
        pos, entry, sign = pos[order], entry[order], sign[order]
        first = np.ones(pos.size, dtype=bool)
        first[1:] = pos[1:] != pos[:-1]
        rank = np.arange(pos.size) - np.maximum.accumulate(np.where(first, np.arange(pos.size), 0))
        # level 0: one source per position (positions without an uncertain entry read entry 0 times 0)
        self.src = np.zeros(size, dtype=np.intp)
        self.sign = np.zeros(size)
        self.src[pos[first]], self.sign[pos[first]] = entry[first], sign[first]
        self.levels = [
            (pos[rank == r], entry[rank == r], sign[rank == r]) for r in range(1, int(rank.max(initial=0)) + 1)
        ]

    def scaled(self, factor: np.ndarray) -> _Gather:
        """The same gather with every position's signs multiplied by ``factor`` (one per position)."""
        import copy

        out = copy.copy(self)
        out.sign = self.sign * factor
        out.levels = [(pos, entry, sign * factor[pos]) for pos, entry, sign in self.levels]
        return out

    def apply(self, values: np.ndarray) -> np.ndarray:
        if values.shape[1] == 0:
            return np.zeros((values.shape[0], self.size))
        out = np.empty((values.shape[0], self.size))
        for row, into in zip(values, out, strict=True):  # a take per draw: 15× faster than 2-d fancy indexing
            np.take(row, self.src, out=into)
        out *= self.sign
        for pos, entry, sign in self.levels:
            out[:, pos] += np.take(values, entry, axis=1) * sign
        return out
