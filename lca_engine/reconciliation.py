"""Data reconciliation with uncertainty (weighted least squares, as in STAN / Cencic & Rechberger).

Measured flows x with standard deviations σ must satisfy balance constraints A·x = 0. The reconciled values are

    x̂ = x − Q Bᵀ (B Q Bᵀ)⁺ B x,      cov(x̂) = Q − Q Bᵀ (B Q Bᵀ)⁺ B Q,      Q = diag(σ²)

and χ² = (Bx)ᵀ (B Q Bᵀ)⁺ (Bx) tests whether the adjustments are compatible with the stated σ (degrees of
freedom = rank of B). Unmeasured ("free") flows are eliminated first by projecting the constraints onto the left
null space of their columns (Crowe et al. 1983), B = P A_measured with P A_free = 0; they are then computed from
the reconciled measurements where the balances determine them (observable), else reported as unobservable.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.linalg import null_space
from scipy.stats import chi2 as chi2_dist

from .balance import flow_mass_kg
from .errors import LcaEngineError
from .model import BOUNDARY_NODES, Factory


class ReconciliationError(LcaEngineError):
    """Inputs to reconciliation are inconsistent in shape or value."""


@dataclass
class Reconciled:
    x: np.ndarray  # reconciled values (free flows computed where observable, NaN otherwise)
    sigma: np.ndarray  # their standard deviations
    covariance: np.ndarray
    chi2: float
    dof: int
    p_value: float
    measured: np.ndarray  # bool
    observable: np.ndarray  # bool (measured flows are always observable)
    adjustment: np.ndarray  # x̂ − x for measured flows, 0 for free ones
    normalized_adjustment: np.ndarray  # adjustment / its standard deviation (0 where that is 0)
    alpha: float = 0.05

    @property
    def consistent(self) -> bool:
        """False when the χ² test rejects the data at level alpha (the measurements contradict the balances)."""
        return not (self.dof > 0 and self.p_value < self.alpha)

    def flagged(self, z: float = 1.96) -> np.ndarray:
        """Indices of measurements whose adjustment is large against its own uncertainty (|z| > z)."""
        return np.flatnonzero(np.abs(self.normalized_adjustment) > z)


def reconcile(x, sigma, A, alpha: float = 0.05) -> Reconciled:
    """Reconcile measurements ``x`` (σ ``sigma``) with balances ``A·x = 0``.

    A flow is *free* (unmeasured) when its ``x`` is NaN or its ``sigma`` is NaN or infinite. σ = 0 fixes a value.
    """
    x = np.asarray(x, dtype=float).ravel()
    sigma = np.asarray(sigma, dtype=float).ravel()
    A = np.atleast_2d(np.asarray(A, dtype=float))
    n = x.size
    if sigma.size != n or A.shape[1] != n:
        raise ReconciliationError(
            f"shapes do not match: x {x.shape}, sigma {sigma.shape}, A {A.shape}",
            fix="A needs one column per flow; x and sigma one entry per flow",
        )
    measured = ~(np.isnan(x) | np.isnan(sigma) | np.isinf(sigma))
    if np.any(sigma[measured] < 0):
        raise ReconciliationError("a standard deviation is negative", fix="give σ ≥ 0")
    m, u = np.flatnonzero(measured), np.flatnonzero(~measured)
    Am, Au = A[:, m], A[:, u]
    P = null_space(Au.T).T if u.size else np.eye(A.shape[0])
    B = P @ Am
    Q = np.diag(sigma[m] ** 2)
    xm = x[m]
    r = B @ xm
    S = B @ Q @ B.T
    S_pinv = np.linalg.pinv(S, rcond=1e-12) if S.size else np.zeros((0, 0))
    K = Q @ B.T @ S_pinv
    xm_hat = xm - K @ r
    cov_m = Q - K @ B @ Q
    chi2 = float(r @ S_pinv @ r) if r.size else 0.0
    dof = int(np.linalg.matrix_rank(B)) if B.size else 0
    p_value = float(chi2_dist.sf(chi2, dof)) if dof > 0 else 1.0

    x_hat = np.full(n, np.nan)
    cov = np.full((n, n), np.nan)
    x_hat[m] = xm_hat
    cov[np.ix_(m, m)] = cov_m
    observable = measured.copy()
    if u.size:
        Au_pinv = np.linalg.pinv(Au)
        M = -Au_pinv @ Am
        xu = M @ xm_hat
        cov_u = M @ cov_m @ M.T
        # a free flow is observable iff it has no component in the null space of A_free
        ns = null_space(Au)
        obs_u = np.all(np.abs(ns) < 1e-9, axis=1) if ns.size else np.ones(u.size, dtype=bool)
        observable[u] = obs_u
        x_hat[u] = np.where(obs_u, xu, np.nan)
        cov[np.ix_(u, u)] = np.where(np.outer(obs_u, obs_u), cov_u, np.nan)
        cov[np.ix_(u, m)] = np.where(obs_u[:, None], M @ cov_m, np.nan)
        cov[np.ix_(m, u)] = cov[np.ix_(u, m)].T
    adjustment = np.zeros(n)
    adjustment[m] = xm_hat - xm
    sd_adj = np.sqrt(np.clip(np.diag(K @ B @ Q), 0, None))
    z = np.zeros(n)
    z[m] = np.divide(adjustment[m], sd_adj, out=np.zeros(m.size), where=sd_adj > 1e-15)
    sig = np.sqrt(np.clip(np.diag(cov), 0, None))
    return Reconciled(x_hat, sig, cov, chi2, dof, p_value, measured, observable, adjustment, z, alpha)


def _triangular_sd(low: float, mode: float, high: float) -> float:
    return float(np.sqrt((low**2 + mode**2 + high**2 - low * mode - low * high - mode * high) / 18))


def reconcile_factory(
    factory: Factory,
    measured: dict[str, tuple[float, float]] | None = None,
    free: list[str] | tuple[str, ...] = (),
    relative_sigma: float = 0.02,
    alpha: float = 0.05,
) -> tuple[pd.DataFrame, Reconciled]:
    """Reconcile a factory's mass flows (kg per FU) against the mass balance of every process.

    Values and σ default to the inventory: an engineering assumption's range gives the σ of a triangular
    distribution; a cited number gets ``relative_sigma``. ``measured`` overrides {flow id: (kg, σ kg)};
    ``free`` lists flows to treat as unmeasured (computed from the balances). Stock changes are balance terms.
    Returns a table (flow, measured, sigma, reconciled, reconciled_sigma, adjustment, z, flag) and the raw result.
    """
    measured = measured or {}
    procs = factory.process_ids()
    cols, x, s = [], [], []
    for f in factory.flows:
        kg = flow_mass_kg(f) if f.balance else None
        if kg is None or (f.from_ in BOUNDARY_NODES and f.to in BOUNDARY_NODES):
            continue
        cols.append(("flow", f.id, f.from_, f.to))
        if f.id in measured:
            val, sd = measured[f.id]
        else:
            val = kg
            if f.assumption and f.amount:
                k = kg / f.amount
                sd = _triangular_sd(f.assumption.low * k, kg, f.assumption.high * k)
            else:
                sd = abs(kg) * relative_sigma
        if f.id in free:
            val, sd = np.nan, np.nan
        x.append(val)
        s.append(sd)
    for st in factory.stocks:
        kg = float(st.quantity.to("kg").magnitude)
        cols.append(("stock", st.id, st.process, ""))
        if st.id in free:
            x.append(np.nan)
            s.append(np.nan)
        elif st.id in measured:
            x.append(measured[st.id][0])
            s.append(measured[st.id][1])
        else:
            x.append(kg)
            s.append(
                _triangular_sd(st.assumption.low, kg, st.assumption.high) if st.assumption else abs(kg) * relative_sigma
            )
    unknown = set(measured) | set(free)
    unknown -= {c[1] for c in cols}
    if unknown:
        raise ReconciliationError(
            f"unknown or massless flow id(s) {sorted(unknown)}",
            fix="name flows (or stocks) that carry mass and take part in the balance",
        )
    A = np.zeros((len(procs), len(cols)))
    for j, (kind, _, a, b) in enumerate(cols):
        if kind == "stock":
            A[procs.index(a), j] -= 1.0
            continue
        if b in procs:
            A[procs.index(b), j] += 1.0
        if a in procs:
            A[procs.index(a), j] -= 1.0
    res = reconcile(x, s, A, alpha=alpha)
    table = pd.DataFrame(
        {
            "flow": [c[1] for c in cols],
            "type": [c[0] for c in cols],
            "measured": x,
            "sigma": s,
            "reconciled": res.x,
            "reconciled_sigma": res.sigma,
            "adjustment": res.adjustment,
            "z": res.normalized_adjustment,
            "observable": res.observable,
        }
    )
    table["flag"] = table["z"].abs() > 1.96
    return table, res
