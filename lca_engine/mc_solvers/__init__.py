"""Solver strategies of the vectorised Monte Carlo, one class each behind one interface (:class:`McSolver`:
``solve(tech_values, bio_values)`` → scores, ``deterministic()``, ``stats()``), and :func:`choose_solver`.

* :class:`Woodbury` — exact, for foreground-sized uncertainty (few uncertain technosphere entries);
* :class:`Jacobi` — block Jacobi sweeps, for an uncertain background with weak loops;
* :class:`MeanLUIteration`, :class:`DirectLU` — the exact fallbacks every iteration hands its unsettled draws to.
"""

from __future__ import annotations

from ..matrix_system import MatrixSystem
from .base import McSolver, Mean, SolveStats
from .exact import DirectLU, MeanLUIteration
from .jacobi import Jacobi
from .woodbury import Woodbury

#: Up to this many uncertain technosphere entries the exact Woodbury solve is used; above, an iteration.
WOODBURY_MAX = 1500


def choose_solver(system: MatrixSystem) -> McSolver:
    """The strategy for this system: Woodbury while the uncertain technosphere entries are few, else Jacobi."""
    if system.tech.uncertain.size <= WOODBURY_MAX:
        return Woodbury(system)
    return Jacobi(system)


__all__ = [
    "WOODBURY_MAX",
    "DirectLU",
    "Jacobi",
    "McSolver",
    "Mean",
    "MeanLUIteration",
    "SolveStats",
    "Woodbury",
    "choose_solver",
]
