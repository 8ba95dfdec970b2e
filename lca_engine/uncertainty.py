"""Vectorised paired Monte Carlo on the LCA matrices (no Brightway here: arrays in, arrays out).

Every uncertain matrix entry gets its own random numbers from one stream, per draw:

* entries shared by several factories (the background) are *one* entry, so the micro-factory and its baseline
  see the same draw of every shared factor — the difference distribution is right (paired sampling);
* each factory's own exchanges are distinct entries, so two factories built from the same template get
  independent draws (no ``seed_override`` trap).

Sampling (:mod:`lca_engine.sampling`): in place, per distribution type, in chunks with their own random streams,
so batches and threads never change the numbers.

Solving, two paths chosen by the number k of uncertain technosphere entries:

* k ≤ :data:`WOODBURY_MAX` (foreground-sized uncertainty): A_mean is factorised once (sparse LU) and every draw
  is solved exactly with the Woodbury identity (see :meth:`Solver.solve`): one LU solve per uncertain entry up
  front, then per draw either a matrix product (when the uncertain entries do not feed each other, as for
  foreground purchases from a fixed background) or a batched k × k dense solve;
* larger k (uncertain background): Jacobi sweeps x ← D⁻¹f − D⁻¹O x for a block of draws at once, as one sparse
  product with a block-diagonal matrix whose index arrays are built once and whose values are refilled per
  block, started from the mean solution and stopped on an error estimate; draws that do not converge go to the
  mean matrix's LU as a preconditioner, then to a direct solve. No factorisation is needed on the usual path.

Scores are cᵀ(B_mean + ΔB)x.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.linalg import splu

from .errors import UncertaintyError
from .sampling import Sampler, _check_draws, draw_values, sample

#: Up to this many uncertain technosphere entries the exact Woodbury solve is used; above, the iteration.
WOODBURY_MAX = 1500
ITERATIVE_MAX = 200
#: Iterations stop when no draw's solution changes by more than this, relative to its largest element.
ITERATIVE_TOL = 1e-12
#: Jacobi iteration: at most this many sweeps, a convergence check every JACOBI_CHECK sweeps, and draws whose
#: error shrinks by less than 1 − JACOBI_SLOW per sweep go to the preconditioned iteration instead.
JACOBI_MAX = 400
#: Jacobi stops when every draw's estimated error (last change · ρ / (1 − ρ)) is below this, relative.
JACOBI_TOL = 1e-10
JACOBI_CHECK = 4
JACOBI_SLOW = 0.97
#: Draws per Jacobi block: about this many matrix entries per block keeps the product in cache (measured).
JACOBI_BLOCK_NNZ = 3_000_000
#: At most this many random numbers per batch (8 bytes each): large models get smaller batches, not more memory.
BATCH_VALUES = 20_000_000
#: Magnitudes below this are floating-point noise of the solve and reported as 0 (same rule as the cube).
NOISE = 1e-15


@dataclass
class Entries:
    """Matrix entries: position, static value (unsigned, as stored), sign (−1 for inputs), distribution."""

    rows: np.ndarray
    cols: np.ndarray
    data: np.ndarray
    sign: np.ndarray
    params: np.ndarray  # stats_arrays structured array (uncertainty_type, loc, scale, shape, minimum, …)
    labels: np.ndarray

    @property
    def uncertain(self) -> np.ndarray:
        return np.flatnonzero(self.params["uncertainty_type"] > 1)


@dataclass
class MatrixSystem:
    tech: Entries
    bio: Entries
    n: int  # products = activities
    n_bio: int
    cf: np.ndarray  # indicators × biosphere flows
    indicators: list[str]
    demand: np.ndarray  # n × m
    demand_names: list[str]
    activity_names: dict  # column -> name; ('product', row) and ('flow', row) -> name
    reference_scores: np.ndarray | None = None  # bw2calc's deterministic scores, indicators × m
    a_mean: sp.csc_matrix | None = None  # static matrices exactly as bw2calc built them (if taken from it)
    b_mean: sp.csr_matrix | None = None
    #: indicators × activities: 1 where an activity's own elementary flows count for the indicator row (a scope:
    #: the same characterisation counted on site only); None = every activity (cradle to gate)
    mask: np.ndarray | None = None

    def matrices(self) -> tuple[sp.csc_matrix, sp.csr_matrix]:
        if self.a_mean is not None and self.b_mean is not None:
            return self.a_mean.tocsc(), self.b_mean.tocsr()
        t, b = self.tech, self.bio
        a = sp.coo_matrix((t.data * t.sign, (t.rows, t.cols)), shape=(self.n, self.n)).tocsc()
        bm = sp.coo_matrix((b.data * b.sign, (b.rows, b.cols)), shape=(self.n_bio, self.n)).tocsr()
        return a, bm

    def parameter_names(self) -> list[str]:
        """A readable name per uncertain entry, in sampling order (technosphere first, then biosphere):
        "<activity> ← <product>" for technosphere inputs, "<activity> → <elementary flow>" for biosphere."""
        names = self.activity_names
        out = []
        for i in self.tech.uncertain:
            col, row = int(self.tech.cols[i]), int(self.tech.rows[i])
            out.append(f"{names.get(col, col)} ← {names.get(('product', row), row)}")
        for i in self.bio.uncertain:
            col, row = int(self.bio.cols[i]), int(self.bio.rows[i])
            out.append(f"{names.get(col, col)} → {names.get(('flow', row), row)}")
        return out


@dataclass
class Solver:
    """Factorised mean system, reused for every batch of draws."""

    system: MatrixSystem

    def __post_init__(self) -> None:
        s = self.system
        self.a, self.b = s.matrices()
        self._lu = None
        self.fallbacks = 0  # draws solved directly (a fresh LU each)
        self.handed_over = 0  # draws the Jacobi sweeps gave to the preconditioned iteration
        self.iterations: list[int] = []
        self.q = np.asarray(s.cf @ self.b)  # indicators × activities: direct score per unit activity
        if s.mask is not None:
            self.q = self.q * s.mask
        ua, ub = s.tech.uncertain, s.bio.uncertain
        self.ua, self.ub = ua, ub
        k = ua.size
        self.mode = "woodbury" if k <= WOODBURY_MAX else "iterative"
        if self.mode == "iterative":
            # no factorisation unless a draw needs it: the mean solution comes from the same iteration
            self._jacobi = _JacobiLayout(s, self.a)
            x, good = self._jacobi_sweeps(s.tech.data[ua][:, None], start=None)
            self.x0 = x[:, :, 0] if good[0] else self.lu.solve(np.asarray(s.demand, dtype=float))
        else:
            self.x0 = self.lu.solve(np.asarray(s.demand, dtype=float))
        self.cf_b = s.cf[:, s.bio.rows[ub]]  # indicators × k_B
        if s.mask is not None:
            self.cf_b = self.cf_b * s.mask[:, s.bio.cols[ub]]
        # Woodbury pieces: Z = A⁻¹U (one LU solve per uncertain technosphere entry), M = V Z
        if self.mode == "iterative":
            self.m_zero = False
        elif k:
            u_mat = np.zeros((s.n, k))
            u_mat[s.tech.rows[ua], np.arange(k)] = 1.0
            z = self.lu.solve(u_mat)
            self.m_mat = z[s.tech.cols[ua]]  # k × k
            self.m_zero = bool(np.abs(self.m_mat).max() <= 1e-14 * max(1.0, np.abs(z).max()))
            self.qz = self.q @ z  # indicators × k
            self.z_bio = z[s.bio.cols[ub]]  # k_B × k
        else:
            self.m_zero = True

    @property
    def lu(self):
        """Sparse LU of the mean matrix, factorised on first use."""
        if self._lu is None:
            self._lu = splu(self.a)
        return self._lu

    def deterministic(self) -> np.ndarray:
        """indicators × functional units, from the static matrices."""
        return self.q @ self.x0

    def solve(self, tech_values: np.ndarray, bio_values: np.ndarray) -> np.ndarray:
        """Scores (indicators × functional units × draws) for sampled entry values (entries × draws).

        Exact for every draw by the Woodbury identity: with ΔA = U D V (U picks the rows, V the columns of the
        uncertain entries, D their changes), x = x0 − Z D (I + M D)⁻¹ x0[cols], Z = A⁻¹U, M = V Z. When no
        uncertain entry's column depends on another's row (M = 0: e.g. foreground purchases from a fixed
        background) this reduces to x = x0 − Z D x0[cols], a matrix product over all draws at once.
        """
        s = self.system
        b = tech_values.shape[1] if tech_values.size else bio_values.shape[1]
        k = self.ua.size
        if self.mode == "iterative":
            block = self._jacobi.block
            return np.concatenate(
                [
                    self._solve_iterative(tech_values[:, i : i + block], bio_values[:, i : i + block])
                    for i in range(0, b, block)
                ],
                axis=2,
            )
        scores = np.repeat((self.q @ self.x0)[:, :, None], b, axis=2)  # indicators × m × b
        x_cols_b = np.repeat(self.x0[s.bio.cols[self.ub]][:, :, None], b, axis=2) if self.ub.size else None
        if k:
            d_a = s.tech.sign[self.ua, None] * (tech_values - s.tech.data[self.ua, None])  # k × b
            x0j = self.x0[s.tech.cols[self.ua]]  # k × m
            if self.m_zero:
                y = d_a[:, None, :] * x0j[:, :, None]  # D x0[cols]: k × m × b
            else:
                lhs = np.eye(k)[None, :, :] + self.m_mat[None, :, :] * d_a.T[:, None, :]  # b × k × k
                y = np.linalg.solve(lhs, np.repeat(x0j[None, :, :], b, axis=0))  # b × k × m
                y = np.transpose(y, (1, 2, 0)) * d_a[:, None, :]  # D (I + M D)⁻¹ x0[cols]: k × m × b
            scores -= np.einsum("ik,kmb->imb", self.qz, y)
            if self.ub.size:
                x_cols_b = x_cols_b - np.einsum("ek,kmb->emb", self.z_bio, y)
        if self.ub.size:
            d_b = s.bio.sign[self.ub, None] * (bio_values - s.bio.data[self.ub, None])  # k_B × b
            scores += np.einsum("ie,emb->imb", self.cf_b, d_b[:, None, :] * x_cols_b)
        return scores

    def _solve_iterative(self, tech_values: np.ndarray, bio_values: np.ndarray) -> np.ndarray:
        """Large models (many uncertain entries): Jacobi iteration x ← D⁻¹f − D⁻¹O x for a block of draws at
        once, as one sparse product with a block-diagonal matrix (one block per draw; structure built once,
        values refilled per block), started from the mean solution. It converges when the spectral radius of
        D⁻¹O is below 1 — a productive economy, the normal case for LCA matrices. Draws that do not settle
        (slow or no convergence) are handed to the mean matrix's LU as a preconditioner, then to a direct solve."""
        s = self.system
        x, good = self._jacobi_sweeps(tech_values, start=self.x0)
        bad = np.flatnonzero(~good)
        self.handed_over += bad.size
        if bad.size:
            x[:, :, bad] = self._solve_preconditioned(tech_values[:, bad])
        scores = np.einsum("in,nmb->imb", self.q, x)
        if self.ub.size:
            d_b = s.bio.sign[self.ub, None] * (bio_values - s.bio.data[self.ub, None])
            scores += np.einsum("ie,emb->imb", self.cf_b, d_b[:, None, :] * x[s.bio.cols[self.ub]])
        return scores

    def _jacobi_sweeps(self, tech_values: np.ndarray, start: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """Jacobi sweeps for a block of draws: x (n × m × b) and which draws converged."""
        lay = self._jacobi
        n, m, b = self.system.n, self.system.demand.shape[1], tech_values.shape[1]
        m_op, f_scaled, ok = lay.operator(tech_values, b)
        if start is None:
            x = f_scaled.copy()
        else:
            x = np.ascontiguousarray(np.broadcast_to(start[None, :, :], (b, n, m))).reshape(b * n, m)
        done = np.zeros(b, dtype=bool)
        last = np.full((b, m), np.inf)
        it = 0
        while it < JACOBI_MAX:
            it += 1
            new = m_op @ x
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
                x = new
                if done.all() or (it >= 4 * JACOBI_CHECK and (done | slow).all()):
                    break
            else:
                x = new
        self.iterations.append(it)
        x = x.reshape(b, n, m).transpose(1, 2, 0)  # n × m × b
        return x, done & ok & np.isfinite(x).all(axis=(0, 1))

    def _solve_preconditioned(self, tech_values: np.ndarray) -> np.ndarray:
        """x ← x + A_mean⁻¹ (f − (A_mean + ΔA) x) for the given draws, direct solve for any that do not settle."""
        s = self.system
        n, m = self.x0.shape
        b = tech_values.shape[1]
        cols = s.tech.cols[self.ua]
        sel = sp.csr_matrix(
            (np.ones(self.ua.size), (s.tech.rows[self.ua], np.arange(self.ua.size))), shape=(n, self.ua.size)
        )
        d_a = s.tech.sign[self.ua, None] * (tech_values - s.tech.data[self.ua, None])
        f = np.repeat(np.asarray(s.demand, dtype=float)[:, :, None], b, axis=2).reshape(n, m * b)
        x = np.repeat(self.x0[:, :, None], b, axis=2)
        rel = np.full(b, np.inf)
        for _ in range(ITERATIVE_MAX):
            delta_x = (d_a[:, None, :] * x[cols]).reshape(self.ua.size, m * b)
            step = self.lu.solve(f - self.a @ x.reshape(n, m * b) - sel @ delta_x).reshape(n, m, b)
            x += step
            rel = np.abs(step).max(axis=(0, 1)) / np.maximum(np.abs(x).max(axis=(0, 1)), 1e-300)
            if rel.max() < ITERATIVE_TOL:
                break
        for j in np.flatnonzero(~(rel < ITERATIVE_TOL * 1e3)):
            a_j = self.a + sp.csc_matrix((d_a[:, j], (s.tech.rows[self.ua], cols)), shape=(n, n))
            x[:, :, j] = splu(a_j.tocsc()).solve(np.asarray(s.demand, dtype=float))
            self.fallbacks += 1
        return x


class _JacobiLayout:
    """Index arrays of the block-diagonal Jacobi operator, built once per model. Values start from the mean
    matrix exactly as given (bw2calc's, when the system came from it) and add each draw's change of the
    uncertain entries, like the Woodbury path — so both paths solve the same matrices."""

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
        self.block = int(np.clip(JACOBI_BLOCK_NNZ // max(self.nnz, 1), 1, 64))
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


@dataclass
class MonteCarloResult:
    scores: np.ndarray  # indicators × functional units × draws
    indicators: list[str]
    demand_names: list[str]
    seed: int | None

    @property
    def draws(self) -> int:
        return self.scores.shape[2]

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
    workers: int = 1,
) -> MonteCarloResult:
    """Paired Monte Carlo of every functional unit in ``system``; reproducible for a given seed.

    Random numbers come in chunks of draws (see :mod:`lca_engine.sampling`), each from its own stream seeded by
    (seed, chunk), so ``batch`` (draws sampled and solved together; rounded up to whole chunks, and capped so
    that one batch holds at most :data:`BATCH_VALUES` random numbers) and ``workers`` (threads solving batches
    in parallel; numpy, scipy's sparse products and SuperLU release the GIL) never change the result.
    ``paired=False`` gives every functional unit its own, independent draws of *all* entries (for comparison:
    it ignores that a factory and its baseline share the background, and widens the difference).
    ``progress(done)`` is called per batch.
    """
    if not isinstance(batch, int) or batch <= 0:
        raise UncertaintyError("batch must be a positive integer", fix="e.g. batch=1000", field="batch")
    if not isinstance(workers, int) or workers <= 0:
        raise UncertaintyError("workers must be a positive integer", fix="e.g. workers=2", field="workers")
    m = system.demand.shape[1]
    if not paired:
        parts = []
        for j in range(m):
            sub = MatrixSystem(
                system.tech,
                system.bio,
                system.n,
                system.n_bio,
                system.cf,
                system.indicators,
                system.demand[:, [j]],
                [system.demand_names[j]],
                system.activity_names,
                None,
                system.a_mean,
                system.b_mean,
                system.mask,
            )
            parts.append(monte_carlo(sub, draws, None if seed is None else seed + 7919 * (j + 1), batch).scores)
        return MonteCarloResult(np.concatenate(parts, axis=1), system.indicators, system.demand_names, seed)
    _check_draws(draws)
    sampler = Sampler(system, seed)
    solver = Solver(system)
    per_draw = max(sampler.params.size, 1)
    batch = min(batch, max(1, BATCH_VALUES // per_draw))  # bound the memory of one batch's random numbers
    batch = -(-batch // sampler.chunk) * sampler.chunk  # whole chunks: the numbers do not depend on batch or workers
    out = np.empty((len(system.indicators), m, draws))
    starts = list(range(0, draws, batch))

    def run(start: int) -> int:
        stop = min(start + batch, draws)
        out[:, :, start:stop] = solver.solve(*sampler.draws(start, stop, reuse=True))
        return stop

    done = 0
    if workers == 1:
        for start in starts:
            run(start)
            done += min(batch, draws - start)
            if progress:
                progress(done)
    else:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=workers) as pool:
            for start, _ in zip(starts, pool.map(run, starts), strict=True):
                done += min(batch, draws - start)
                if progress:
                    progress(done)
    out[np.abs(out) < NOISE] = 0.0  # round-off of the solve around zero (e.g. 5e-18 m3), as in the cube
    return MonteCarloResult(out, system.indicators, system.demand_names, seed)


__all__ = [
    "Entries",
    "MatrixSystem",
    "MonteCarloResult",
    "Solver",
    "UncertaintyError",
    "draw_values",
    "monte_carlo",
    "sample",
]
