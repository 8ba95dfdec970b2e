"""Floating-point noise of a solve, reported as 0."""

from __future__ import annotations

import numpy as np

#: Below this magnitude a result is floating-point noise of the solve (e.g. 4e-19 m3), reported as 0.
NOISE = 1e-15

#: A solved value smaller than this share of the largest in its column is the solver's round-off (LU's error bound
#: is a multiple of machine epsilon times the column's norm), e.g. 1e-17 kg of an activity no demand reaches.
SOLVE_NOISE = 1e-13


def clean(x) -> float:
    """A result as a float, 0 below :data:`NOISE`."""
    x = float(x)
    return 0.0 if abs(x) < NOISE else x


def denoise(x: np.ndarray) -> np.ndarray:
    """``x`` with its round-off set to 0, column by column (see :data:`SOLVE_NOISE`)."""
    x = np.array(x, dtype=float)
    scale = np.abs(x).max(axis=0, keepdims=True) if x.size else 0.0
    x[np.abs(x) <= SOLVE_NOISE * scale] = 0.0
    return x
