"""BiCGSTAB on a block of draws at once, per draw and functional unit its own scalars: its cost grows gently
with the strength of the background's loops, where Jacobi sweeps slow down."""

from __future__ import annotations

import numpy as np

from ..matrix_system import MatrixSystem
from .base import McSolver, Mean
from .block import BlockOperator, add_product

#: at most this many iterations (two products with the block operator each)
KRYLOV_MAX = 300
#: a draw is accepted when the estimated relative error of every one of its scores is below this
KRYLOV_TOL = 1e-10
#: rows per contiguous run in :func:`_scale`
WIDE = 128
#: a column whose residual has not halved over this many iterations is given up (to the exact fallbacks)
KRYLOV_STALL = 25


def score_weights(mean: Mean, x0: np.ndarray) -> np.ndarray:
    """w (activities × functional units) such that w·|s| bounds, to first order, the relative error of every
    score of a solution whose Jacobi-scaled residual is s.

    The error of x is M⁻¹s (M = D⁻¹A), so score i errs by qᵢ·M⁻¹s = λᵢ·s with the adjoint λᵢ = M⁻ᵀqᵢ = D A⁻ᵀqᵢ;
    with the mean matrix's λ (one transposed solve with the mean LU per indicator, once) and |λᵢ·s| ≤ |λᵢ|·|s|,
    Σᵢ |λᵢ| / |score₀ᵢⱼ| bounds the relative errors of all indicators of unit j at once (score₀: the mean
    scores; an indicator whose mean score is 0 is scaled by Σ|qᵢ||x₀ⱼ| instead). Unlike ‖M⁻¹‖·‖s‖ it does not
    count the directions of the error that no score sees — on a 20,000-activity background with one recycling
    loop of det 1e-4, ‖M⁻¹‖∞ is 4.5e6 while the scores' own amplification is far smaller."""
    d0 = np.asarray(mean.a.diagonal(), dtype=float)
    lam = np.abs(d0[:, None] * mean.lu.solve(np.ascontiguousarray(mean.q.T, dtype=float), trans="T"))  # n × I
    score0 = np.abs(mean.q @ x0)  # I × m
    scale = np.where(score0 > 0, score0, np.abs(mean.q) @ np.abs(x0))
    inv = np.divide(1.0, scale, out=np.zeros_like(scale), where=scale > 0)
    return lam @ inv  # n × m


class Krylov(McSolver):
    """BiCGSTAB on the Jacobi-scaled system (I + D⁻¹O) x = D⁻¹f of every draw of a block at once, one sparse
    product with the block-diagonal operator per half-step, started from the mean solution.

    A draw is accepted on an estimate of the forward error of its scores, not on its residual alone: with the
    true residual s of the scaled system (recomputed, not the recursion's), every score's relative error is
    at most w·|s| to first order (:func:`score_weights`, from the mean matrix's adjoints, once per model — a
    draw's matrix is close to the mean, so are its adjoints). Columns that break down, stall or run out of
    iterations go to the exact fallbacks."""

    parallel = True
    method = f"by BiCGSTAB, each draw accepted at an estimated relative error of its scores below {KRYLOV_TOL:g}"

    def __init__(
        self, system: MatrixSystem, mean: Mean | None = None, x0: np.ndarray | None = None, layout=None
    ) -> None:
        mean = Mean(system) if mean is None else mean
        self.layout = BlockOperator(system, mean.a) if layout is None else layout
        self.block = self.layout.block
        super().__init__(system, mean, x0)
        w = score_weights(mean, self.x0)  # n × m
        n, m = w.shape
        # as an (n·m) × m matrix, so that w·|s| of a block is one matrix product (einsum's strided sum is ~4× slower)
        self.weights = np.zeros((n * m, m))
        self.weights[np.arange(n * m), np.tile(np.arange(m), n)] = w.ravel()

    def error(self, residual: np.ndarray, scratch: np.ndarray | None = None) -> np.ndarray:
        """Estimated relative score error per draw and functional unit: w·|s| (residual: draws × n × m)."""
        b = residual.shape[0]
        magnitude = np.abs(residual, out=scratch)
        return magnitude.reshape(b, -1) @ self.weights

    def solve_x(self, tech_values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        n, m, b = self.system.n, self.system.demand.shape[1], tech_values.shape[1]
        op, f_scaled, ok = self.layout.operator(tech_values, b)

        def apply(v: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:  # (I + D⁻¹O) v, (b, n, m) arrays
            if out is None:
                out = v.copy()
            else:
                np.copyto(out, v)
            add_product(op, v.reshape(b * n, m), out.reshape(b * n, m))
            return out

        f = f_scaled.reshape(b, n, m)
        x = np.ascontiguousarray(np.broadcast_to(self.x0[None, :, :], (b, n, m)))
        state = _BiCGStab(f - apply(x), ok)
        it = 0
        while state.active.any() and it < KRYLOV_MAX:
            it += 1
            state.step(apply, x)
            near = state.active & (self.error(state.r, state.tmp) <= KRYLOV_TOL / 2)  # recursion's residual, room
            periodic = it % KRYLOV_STALL == 0
            if (near == state.active).all() or periodic or it == KRYLOV_MAX:
                true = f - apply(x)
                state.verify(true, self.error(true) <= KRYLOV_TOL, stall_check=periodic)
        self.iterations.append(it)
        x = x.transpose(1, 2, 0)  # n × m × b
        return x, state.done.all(axis=1) & ok & np.isfinite(x).all(axis=(0, 1))


class _BiCGStab:
    """The recursion's vectors and per-column scalars (draws × functional units); ``active`` columns iterate,
    ``done`` ones passed the forward-error check, the rest failed (breakdown, stall)."""

    def __init__(self, r: np.ndarray, ok: np.ndarray) -> None:
        b, _, m = r.shape
        self.r, self.rhat = r, r.copy()
        self.p, self.v = np.zeros_like(r), np.zeros_like(r)
        self.s, self.t, self.tmp = np.empty_like(r), np.empty_like(r), np.empty_like(r)
        ones = np.ones((b, m))
        self.rho, self.alpha, self.omega = ones.copy(), ones.copy(), ones.copy()
        self.res2 = _dot(r, r)
        self.active = np.repeat(ok[:, None], m, axis=1) & np.isfinite(self.res2)
        self.done = np.zeros((b, m), dtype=bool)
        self.checked = self.res2.copy()  # residual at the last check (stall test)

    def step(self, apply, x: np.ndarray) -> None:
        """One BiCGSTAB iteration of every active column, in place (work arrays reused: no fresh pages)."""
        act, p, v, r, tmp = self.active, self.p, self.v, self.r, self.tmp
        with np.errstate(divide="ignore", invalid="ignore"):
            rho = _dot(self.rhat, r)
            beta = _where(act, (rho / self.rho) * (self.alpha / self.omega))
            _scale(v, self.omega * beta, tmp)  # p = r + β (p − ω v) = β p − βω v + r
            _scale(p, beta, p)
            p -= tmp
            p += r
            apply(p, out=v)
            alpha = _where(act, rho / _dot(self.rhat, v))
            s = self.s
            _scale(v, alpha, s)  # s = r − α v
            np.subtract(r, s, out=s)
            t = apply(s, out=self.t)
            omega = _where(act, _dot(t, s) / _dot(t, t))
        _scale(p, alpha, tmp)  # x += α p + ω s
        x += tmp
        _scale(s, omega, tmp)
        x += tmp
        _scale(t, omega, r)  # r = s − ω t
        np.subtract(s, r, out=r)
        self.rho, self.alpha, self.omega = np.where(act, rho, 1.0), np.where(act, alpha, 1.0), np.where(act, omega, 1.0)
        self.res2 = _dot(r, r)
        broke = act & ~(np.isfinite(self.res2) & (alpha != 0) & (omega != 0))
        self.active &= ~broke

    def verify(self, true: np.ndarray, passed: np.ndarray, stall_check: bool) -> None:
        """After a check with the true residual: accept what passed, restart the rest from the true residual
        (residual replacement), give up columns that stalled since the last check."""
        self.done |= self.active & passed
        self.active &= ~passed
        true2 = _dot(true, true)
        if stall_check:
            self.active &= ~(true2 > 0.25 * self.checked)
            self.checked = np.where(self.active, true2, self.checked)
        np.copyto(self.r, true, where=self.active[:, None, :])


def _dot(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Per draw and functional unit: Σ_n u·v (draws × units). For 2-4 units the diagonal of uᵀv per draw by
    BLAS is ~4× faster than einsum's strided reduction (measured); otherwise einsum."""
    with np.errstate(all="ignore"):  # a draw that cannot be iterated overflows; it is handed over, not used
        if 2 <= u.shape[2] <= 4:
            return np.diagonal(np.matmul(u.transpose(0, 2, 1), v), axis1=1, axis2=2)
        return np.einsum("bnm,bnm->bm", u, v)


def _scale(a: np.ndarray, c: np.ndarray, out: np.ndarray) -> None:
    """out = a · c per draw and functional unit (a, out: draws × n × m; c: draws × m); out may be a.

    The plain broadcast a · c[:, None, :] runs numpy's inner loop over the m units (2 for a pair): ~3× slower
    than a contiguous pass (measured, 20,000 × 2 × 11 draws: 1.35 vs 0.45 ms). So the first n − n mod WIDE rows
    of each draw are seen as rows of WIDE·m values, with c tiled WIDE times; the rest broadcast as before."""
    b, n, m = a.shape
    n0 = n - n % WIDE
    if n0:
        shape = (b, n0 // WIDE, WIDE * m)
        wide = np.tile(c, WIDE)[:, None, :]
        np.multiply(a[:, :n0].reshape(shape, copy=False), wide, out=out[:, :n0].reshape(shape, copy=False))
    if n0 < n:
        np.multiply(a[:, n0:], c[:, None, :], out=out[:, n0:])


def _where(active: np.ndarray, value: np.ndarray) -> np.ndarray:
    return np.where(active & np.isfinite(value), value, 0.0)
