"""The matrices of a Monte Carlo run, without Brightway: every technosphere and biosphere entry with its
distribution, the characterisation, the demands (built by :mod:`lca_engine.bw.matrices`)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp


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

    def one_demand(self, j: int) -> MatrixSystem:
        """The same system for its j-th functional unit alone (no reference scores)."""
        import dataclasses

        return dataclasses.replace(
            self, demand=self.demand[:, [j]], demand_names=[self.demand_names[j]], reference_scores=None
        )
