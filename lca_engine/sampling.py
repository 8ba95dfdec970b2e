"""Random numbers for the Monte Carlo: every uncertain matrix entry's draws, fast and reproducible.

numpy's Generator, vectorised per distribution type and in place (entries come grouped by type from
:func:`lca_engine.bw.matrices.extract`, so each type is one long vector). Draws come in chunks of about
:data:`CHUNK_VALUES` numbers, each from its own stream seeded by (seed, chunk number): any batch made of whole chunks,
sampled by any thread, sees the same numbers, and the first n draws do not depend on how many are asked for.
"""

from __future__ import annotations

import itertools
import threading
from typing import TYPE_CHECKING

import numpy as np

from .errors import UncertaintyError

if TYPE_CHECKING:
    from .uncertainty import MatrixSystem


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


class _Run:
    """Entries of one distribution type (``where``: a slice or indices), with their parameters as contiguous
    arrays computed once (the structured array's fields are strided)."""

    def __init__(self, kind: int, where, params: np.ndarray) -> None:
        self.kind, self.where = kind, where
        p = self.params = params[where]
        c = np.ascontiguousarray
        if kind in (2, 3):
            self.scale, self.loc = c(p["scale"]), c(p["loc"])
            self.negative = np.flatnonzero(p["negative"]) if kind == 2 else np.zeros(0, int)
        elif kind == 4:
            self.span, self.minimum = c(p["maximum"] - p["minimum"]), c(p["minimum"])
        elif kind == 5:
            lo, mode, hi = p["minimum"], p["loc"], p["maximum"]
            width = hi - lo
            self.lo, self.hi, self.split = c(lo), c(hi), c((mode - lo) / width)
            self.left_scale, self.right_scale = c(width * (mode - lo)), c(width * (hi - mode))

    @property
    def size(self) -> int:
        return self.params.size

    def fill(self, z: np.ndarray, rng: np.random.Generator) -> None:
        """Fill z (draws × entries, C-contiguous) with draws, in place. Parametrisation as stats_arrays:
        2 lognormal (loc = μ of ln, scale = σ, ``negative`` flips the sign), 3 normal (loc, scale), 4 uniform
        (minimum, maximum), 5 triangular (minimum, loc = mode, maximum; by its inverse CDF); other types go
        through stats_arrays."""
        kind = self.kind
        if kind in (2, 3):
            rng.standard_normal(out=z)
            z *= self.scale
            z += self.loc
            if kind == 2:
                np.exp(z, out=z)
                if self.negative.size:
                    z[:, self.negative] *= -1.0
        elif kind == 4:
            rng.random(out=z)
            z *= self.span
            z += self.minimum
        elif kind == 5:
            self._triangular(z, rng)
        else:
            from stats_arrays import MCRandomNumberGenerator

            gen = MCRandomNumberGenerator(self.params, seed=int(rng.integers(2**31)))
            z[:] = gen.generate(samples=z.shape[0]).T

    def _triangular(self, z: np.ndarray, rng: np.random.Generator) -> None:
        rng.random(out=z)
        right = z >= self.split
        upper = np.subtract(1.0, z)
        upper *= self.right_scale
        np.sqrt(upper, out=upper)
        np.subtract(self.hi, upper, out=upper)
        z *= self.left_scale
        np.sqrt(z, out=z)
        z += self.lo
        np.copyto(z, upper, where=right)


def draw_values(params: np.ndarray, draws: int, rng: np.random.Generator) -> np.ndarray:
    """Random values (entries × draws) for stats_arrays parameters (see :meth:`_Run.fill`)."""
    sampler = _TypeBlocks(params)
    out = np.empty((draws, params.size))
    sampler.fill(out, rng)
    return out.T


class _TypeBlocks:
    """Runs of entries with one distribution type, so every fill is a long vector operation. Systems from
    :func:`lca_engine.bw.matrices.extract` come grouped by type (a few long runs, filled in place); otherwise the
    entries of each type are gathered and scattered."""

    MAX_RUNS = 16

    def __init__(self, params: np.ndarray) -> None:
        self.params = params
        kinds = params["uncertainty_type"]
        edges = np.flatnonzero(np.diff(kinds)) + 1
        bounds = np.concatenate([[0], edges, [kinds.size]]).astype(int) if kinds.size else np.zeros(1, int)
        runs = [(int(kinds[lo]), lo, hi) for lo, hi in itertools.pairwise(bounds.tolist())]
        if len(runs) <= self.MAX_RUNS:
            self.runs = [_Run(kind, slice(lo, hi), params) for kind, lo, hi in runs]
        else:
            self.runs = [_Run(int(k), np.flatnonzero(kinds == k), params) for k in np.unique(kinds)]

    def fill(self, out: np.ndarray, rng: np.random.Generator, scratch: dict | None = None) -> None:
        """out: draws × entries. ``scratch`` keeps work arrays between calls (no fresh pages per chunk); a run
        that covers every entry of a C-contiguous ``out`` is drawn straight into it."""
        scratch = {} if scratch is None else scratch
        for i, run in enumerate(self.runs):
            if run.size == out.shape[1] and out.flags.c_contiguous:
                run.fill(out, rng)
                continue
            z = scratch.get(i)
            if z is None or z.shape != (out.shape[0], run.size):
                z = scratch[i] = np.empty((out.shape[0], run.size))
            run.fill(z, rng)
            out[:, run.where] = z


#: Random numbers come in chunks of draws, each from its own stream seeded by (seed, chunk number): any batch
#: made of whole chunks, solved by any thread, sees the same numbers. A chunk holds about CHUNK_VALUES numbers
#: (between 10 and 1000 draws, fixed by the model alone): small models amortise the stream set-up over many
#: draws, large ones keep a chunk's memory bounded.
#: The streams are numpy's SFC64 (a small chaotic counter generator; passes PractRand and BigCrush): its normal
#: and uniform draws cost ~0.55× and ~0.2× PCG64's here, and drawing is a third of a background draw's time.
CHUNK_VALUES = 1_000_000


class Sampler:
    """Draws of every uncertain technosphere and biosphere entry, chunk by chunk (see :data:`CHUNK_VALUES`)."""

    def __init__(self, system: MatrixSystem, seed: int | None) -> None:
        ua, ub = system.tech.uncertain, system.bio.uncertain
        self.k_a = ua.size
        self.params = np.concatenate([system.tech.params[ua], system.bio.params[ub]])
        if self.params.size:
            _validate_params(self.params)
        self.blocks = _TypeBlocks(self.params)
        self.chunk = int(np.clip(CHUNK_VALUES // max(self.params.size, 1), 10, 1000))
        self.seed = int(np.random.SeedSequence().entropy % 2**63) if seed is None else int(seed)
        self._local = threading.local()  # per-thread work arrays

    def draws(self, start: int, stop: int, reuse: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Values for draws [start, stop): (k_A × n), (k_B × n) — transposed views of one draws × entries array.
        ``reuse=True`` writes into this thread's array from the previous call (valid until the next call)."""
        local = self._local
        if not hasattr(local, "scratch"):
            local.scratch, local.out, local.buffer = {}, None, np.empty((self.chunk, self.params.size))
        shape = (stop - start, self.params.size)
        if reuse and local.out is not None and local.out.shape[1] == shape[1] and local.out.shape[0] >= shape[0]:
            out = local.out[: shape[0]]
        else:
            out = np.empty(shape)
            if reuse:
                local.out = out
        for c in range(start // self.chunk, -(-stop // self.chunk)):
            lo, hi = max(start, c * self.chunk), min(stop, (c + 1) * self.chunk)
            rng = np.random.Generator(np.random.SFC64([self.seed, c]))
            if lo == c * self.chunk and hi == (c + 1) * self.chunk:
                self.blocks.fill(out[lo - start : hi - start], rng, local.scratch)
            else:
                self.blocks.fill(local.buffer, rng, local.scratch)
                out[lo - start : hi - start] = local.buffer[lo - c * self.chunk : hi - c * self.chunk]
        return out[:, : self.k_a].T, out[:, self.k_a :].T


def _check_draws(draws) -> None:
    if isinstance(draws, bool) or not isinstance(draws, int | np.integer) or draws <= 0:
        raise UncertaintyError(f"draws = {draws!r} must be a positive integer", fix="e.g. --draws 10000", field="draws")


def sample(system: MatrixSystem, draws: int, seed: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Random values of every uncertain technosphere and biosphere entry: (k_A × draws), (k_B × draws) — the
    same numbers :func:`monte_carlo` uses for this seed."""
    _check_draws(draws)
    return Sampler(system, seed).draws(0, int(draws))
