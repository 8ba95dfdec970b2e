"""Vectorised paired Monte Carlo on the LCA matrices (no Brightway here: arrays in, arrays out).

Every uncertain matrix entry gets its own random numbers from one stream, per draw:

* entries shared by several factories (the background) are *one* entry, so the micro-factory and its baseline
  see the same draw of every shared factor — the difference distribution is right (paired sampling);
* each factory's own exchanges are distinct entries, so two factories built from the same template get
  independent draws (no ``seed_override`` trap).

Solving: A_mean is factorised once (sparse LU) and every draw is solved exactly with the Woodbury identity
over the k uncertain technosphere entries (see :meth:`Solver.solve`): one LU solve per uncertain entry up front,
then per draw either a matrix product (when the uncertain entries do not feed each other, as for foreground
purchases from a fixed background) or a batched k × k dense solve. Scores are cᵀ(B_mean + ΔB)x.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.linalg import splu

from .errors import LcaEngineError

#: Up to this many uncertain technosphere entries the exact Woodbury solve is used; above, the iteration.
WOODBURY_MAX = 1500
ITERATIVE_MAX = 200
ITERATIVE_TOL = 1e-12
#: Magnitudes below this are floating-point noise of the solve and reported as 0 (same rule as the cube).
NOISE = 1e-15


class UncertaintyError(LcaEngineError):
    """Invalid Monte Carlo request or distribution."""


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


def _validate_params(params: np.ndarray) -> None:
    from stats_arrays import uncertainty_choices
    from stats_arrays.errors import StatsArraysError

    for ut in np.unique(params["uncertainty_type"]):
        sel = params[params["uncertainty_type"] == ut]
        try:
            uncertainty_choices[int(ut)].validate(sel)
        except (StatsArraysError, KeyError) as exc:
            raise UncertaintyError(
                f"invalid distribution parameters (stats_arrays type {int(ut)}): {exc}",
                fix="check minimum < mode < maximum and positive scales in the inventory's assumption ranges",
            ) from None


def draw_values(params: np.ndarray, draws: int, rng: np.random.Generator) -> np.ndarray:
    """Random values (entries × draws) for stats_arrays parameters, vectorised per distribution type with
    numpy's Generator (same parametrisation as stats_arrays: 2 lognormal (loc = μ of ln, scale = σ),
    3 normal (loc, scale), 4 uniform (minimum, maximum), 5 triangular (minimum, loc = mode, maximum));
    other types go through stats_arrays."""
    out = np.empty((params.size, draws))
    kinds = params["uncertainty_type"]
    for ut in np.unique(kinds):
        idx = np.flatnonzero(kinds == ut)
        p = params[idx]
        shape = (idx.size, draws)
        if ut == 2:
            out[idx] = np.exp(rng.normal(p["loc"][:, None], p["scale"][:, None], shape))
        elif ut == 3:
            out[idx] = rng.normal(p["loc"][:, None], p["scale"][:, None], shape)
        elif ut == 4:
            out[idx] = rng.uniform(p["minimum"][:, None], p["maximum"][:, None], shape)
        elif ut == 5:
            out[idx] = rng.triangular(p["minimum"][:, None], p["loc"][:, None], p["maximum"][:, None], shape)
        else:
            from stats_arrays import MCRandomNumberGenerator

            out[idx] = MCRandomNumberGenerator(p, seed=int(rng.integers(2**31))).generate(samples=draws)
    return out


def sample(system: MatrixSystem, draws: int, seed: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Random values of every uncertain technosphere and biosphere entry: (k_A × draws), (k_B × draws)."""
    if not isinstance(draws, int | np.integer) or draws <= 0:
        raise UncertaintyError(f"draws = {draws!r} must be a positive integer", fix="e.g. --draws 10000", field="draws")
    ua, ub = system.tech.uncertain, system.bio.uncertain
    params = np.concatenate([system.tech.params[ua], system.bio.params[ub]])
    if params.size == 0:
        return np.zeros((0, draws)), np.zeros((0, draws))
    _validate_params(params)
    values = draw_values(params, int(draws), np.random.default_rng(seed))
    return values[: ua.size], values[ua.size :]


@dataclass
class Solver:
    """Factorised mean system, reused for every batch of draws."""

    system: MatrixSystem

    def __post_init__(self) -> None:
        s = self.system
        self.a, self.b = s.matrices()
        self.lu = splu(self.a)
        self.x0 = self.lu.solve(np.asarray(s.demand, dtype=float))
        self.q = np.asarray(s.cf @ self.b)  # indicators × activities: direct score per unit activity
        ua, ub = s.tech.uncertain, s.bio.uncertain
        self.ua, self.ub = ua, ub
        k = ua.size
        self.cf_b = s.cf[:, s.bio.rows[ub]]  # indicators × k_B
        self.fallbacks = 0
        # Woodbury pieces: Z = A⁻¹U (one LU solve per uncertain technosphere entry), M = V Z
        self.mode = "woodbury" if k <= WOODBURY_MAX else "iterative"
        if self.mode == "iterative":
            self.m_zero = False
            self.sel_a = sp.csr_matrix((np.ones(k), (s.tech.rows[ua], np.arange(k))), shape=(s.n, k))
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
            return self._solve_iterative(tech_values, bio_values, b)
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

    def _solve_iterative(self, tech_values: np.ndarray, bio_values: np.ndarray, b: int) -> np.ndarray:
        """Large models (many uncertain entries): x ← x + A_mean⁻¹ (f − (A_mean + ΔA) x) for all draws at once,
        the mean matrix's factorisation as preconditioner; draws that do not settle are solved directly."""
        s = self.system
        n, m = self.x0.shape
        cols = s.tech.cols[self.ua]
        d_a = s.tech.sign[self.ua, None] * (tech_values - s.tech.data[self.ua, None])
        f = np.repeat(np.asarray(s.demand, dtype=float)[:, :, None], b, axis=2).reshape(n, m * b)
        x = np.repeat(self.x0[:, :, None], b, axis=2)
        rel = np.full(b, np.inf)
        for _ in range(ITERATIVE_MAX):
            delta_x = (d_a[:, None, :] * x[cols]).reshape(self.ua.size, m * b)
            r = f - self.a @ x.reshape(n, m * b) - self.sel_a @ delta_x
            step = self.lu.solve(r).reshape(n, m, b)
            x += step
            rel = np.abs(step).max(axis=(0, 1)) / np.maximum(np.abs(x).max(axis=(0, 1)), 1e-300)
            if rel.max() < ITERATIVE_TOL:
                break
        for j in np.flatnonzero(~(rel < ITERATIVE_TOL * 1e3)):
            a_j = self.a + sp.csc_matrix((d_a[:, j], (s.tech.rows[self.ua], cols)), shape=(n, n))
            x[:, :, j] = splu(a_j.tocsc()).solve(np.asarray(s.demand, dtype=float))
            self.fallbacks += 1
        scores = np.einsum("in,nmb->imb", self.q, x)
        if self.ub.size:
            d_b = s.bio.sign[self.ub, None] * (bio_values - s.bio.data[self.ub, None])
            scores += np.einsum("ie,emb->imb", self.cf_b, d_b[:, None, :] * x[s.bio.cols[self.ub]])
        return scores


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

    All random numbers are drawn up front from one stream, so ``batch`` and ``workers`` (threads solving batches
    in parallel; numpy and SuperLU release the GIL) never change the result. ``paired=False`` gives every
    functional unit its own, independent draws of *all* entries (for comparison: it ignores that a factory and
    its baseline share the background, and widens the difference). ``progress(done)`` is called per batch.
    """
    if not isinstance(batch, int) or batch <= 0:
        raise UncertaintyError("batch must be a positive integer", fix="e.g. batch=1000", field="batch")
    if not isinstance(workers, int) or workers <= 0:
        raise UncertaintyError("workers must be a positive integer", fix="e.g. --workers 2", field="workers")
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
            )
            parts.append(monte_carlo(sub, draws, None if seed is None else seed + 7919 * (j + 1), batch).scores)
        return MonteCarloResult(np.concatenate(parts, axis=1), system.indicators, system.demand_names, seed)
    tech_all, bio_all = sample(system, draws, seed)
    solver = Solver(system)
    out = np.empty((len(system.indicators), m, draws))
    starts = list(range(0, draws, batch))

    def run(start: int) -> int:
        stop = min(start + batch, draws)
        out[:, :, start:stop] = solver.solve(tech_all[:, start:stop], bio_all[:, start:stop])
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
