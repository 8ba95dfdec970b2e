"""Solver strategies of the vectorised Monte Carlo, one class each behind one interface (:class:`McSolver`:
``solve(tech_values, bio_values)`` → scores, ``deterministic()``, ``stats()``), and :func:`choose_solver`.

* :class:`Woodbury` — exact, for foreground-sized uncertainty (few uncertain technosphere entries);
* :class:`Jacobi` — block Jacobi sweeps, for an uncertain background with weak loops;
* :class:`Krylov` — block BiCGSTAB with per-draw scalars, for strong or ill-conditioned loops (its cost grows
  gently with loop strength, where the sweeps' grows like 1 / (1 − spectral radius));
* :class:`MeanLUIteration`, :class:`DirectLU` — the exact fallbacks every iteration hands its unsettled draws to.
"""

from __future__ import annotations

from ..matrix_system import MatrixSystem
from .base import McSolver, Mean, SolveStats
from .exact import DirectLU, MeanLUIteration
from .jacobi import Jacobi
from .krylov import Krylov
from .woodbury import Woodbury

#: Up to this many uncertain technosphere entries the exact Woodbury solve is used; above, an iteration.
WOODBURY_MAX = 1500
#: Jacobi is kept when the mean system's sweeps settle within this many: one BiCGSTAB iteration costs about
#: as much as 3.5 sweeps and needs 7 (column sums 0.10–0.45) to 20 (0.90–0.99) of them (measured, N = 2,000)
JACOBI_FAST = 24


def choose_solver(system: MatrixSystem) -> McSolver:
    """The strategy for this system: Woodbury while the uncertain technosphere entries are few; above, Jacobi
    sweeps if the mean system's own sweeps settle fast (weak loops), else BiCGSTAB (strong loops)."""
    if system.tech.uncertain.size <= WOODBURY_MAX:
        return Woodbury(system)
    jacobi = Jacobi(system)
    if jacobi.settled_in is not None and jacobi.settled_in <= JACOBI_FAST:
        return jacobi
    return Krylov(system, jacobi.mean, layout=jacobi.layout)


__all__ = [
    "WOODBURY_MAX",
    "DirectLU",
    "Jacobi",
    "Krylov",
    "McSolver",
    "Mean",
    "MeanLUIteration",
    "SolveStats",
    "Woodbury",
    "choose_solver",
]
