"""Portfolio Monte Carlo: every micro-factory against its baseline, all on the same draws of the background.

Two kinds of task, each a worker function (importable; any :class:`~.runners.Runner` runs them):

1. :func:`background_chunk` — draws [start, stop) of the background system whose functional units are one unit of
   each product the portfolio buys (:mod:`lca_engine.bw.background_draws`); chunks of :data:`DRAW_CHUNK` draws,
   the same numbers as one whole run (:func:`lca_engine.uncertainty.draw_range`).
2. :func:`pair_chunk` — for a chunk of (micro-factory, baseline) pairs, each factory's draws on those background
   draws (:mod:`lca_engine.bw.foreground_draws`: its own exchange draws from its own stream) and the summary of
   each pair: the factories' means and 95 % intervals, the paired difference's mean and 95 % interval, and
   P(better) = P(micro-factory < baseline) over the draws.

Every factory takes draw d of the same background, so the micro-factory and its baseline are paired (as in
:func:`lca_engine.verdict.pair_monte_carlo`, whose draws come from other random numbers: the two agree within
sampling error, not draw by draw). A pair's numbers do not depend on the chunking, the runner or the workers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..indicators import CRADLE_TO_GATE, SITE
from ..verdict import draws_direction

#: The scopes of the indicator rows of every draw array, in order (as :func:`lca_engine.bw.matrices.with_site_scope`).
ROW_SCOPES = (CRADLE_TO_GATE, SITE)
#: Background draws per task.
DRAW_CHUNK = 250
#: Quantiles of the 95 % intervals.
LOW, HIGH = 2.5, 97.5
UNCERTAINTY = "portfolio_uncertainty.parquet"


@dataclass(frozen=True)
class PairSetup:
    """What every pair chunk shares (sent to each Dask worker once)."""

    background: object  # BackgroundScores
    data_dir: str
    seed: int
    draws: int
    row_of: dict  # linked product key -> its index in the background draws


def background_chunk(span: tuple[int, int], system, seed: int) -> np.ndarray:
    """Background draws [start, stop): indicator rows × linked products × draws."""
    from ..uncertainty import draw_range

    return draw_range(system, span[0], span[1], seed)


def spans(draws: int, size: int = DRAW_CHUNK) -> list[tuple[int, int]]:
    return [(lo, min(lo + size, draws)) for lo in range(0, draws, size)]


def _interval(v: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean, 2.5 and 97.5 percentiles along the draws (last axis)."""
    lo, hi = np.percentile(v, [LOW, HIGH], axis=-1)
    return v.mean(axis=-1), lo, hi


def pair_summary(micro: np.ndarray, base: np.ndarray, indicators: list[str]) -> pd.DataFrame:
    """One row per indicator and scope: rows of ``micro`` and ``base`` are the indicators cradle to gate, then on
    site (× draws, paired)."""
    d = micro - base
    m, b, diff = _interval(micro), _interval(base), _interval(d)
    p = np.mean(d < 0, axis=-1)
    n = len(indicators)
    out = pd.DataFrame(
        {
            "indicator": indicators * len(ROW_SCOPES),
            "scope": np.repeat(list(ROW_SCOPES), n),
            **{f"micro_factory_{k}": v for k, v in zip(("mean", "p2_5", "p97_5"), m, strict=True)},
            **{f"baseline_{k}": v for k, v in zip(("mean", "p2_5", "p97_5"), b, strict=True)},
            **{f"difference_{k}": v for k, v in zip(("mean", "p2_5", "p97_5"), diff, strict=True)},
            "p_better": p,
        }
    )
    out["direction"] = [draws_direction(row).value for row in d]
    return out


def pair_chunk(pairs: list[tuple], setup: PairSetup, lam: np.ndarray) -> pd.DataFrame:
    """The summary rows of each (micro-factory, baseline) pair of :class:`~lca_engine.bw.foreground_draws.Boundary`
    records; ``lam``: linked products × indicator rows × draws of the background."""
    from ..bw.project import activate

    activate(setup.data_dir, create=False)  # before Brightway is imported in a worker process; never a writer
    from ..bw.foreground_draws import boundary_draws

    done: dict[str, np.ndarray] = {}

    def draws_of(b) -> np.ndarray:
        if b.factory_id not in done:
            done[b.factory_id] = boundary_draws(b, setup.seed, setup.draws, lam, setup.row_of, setup.background)
        return done[b.factory_id]

    indicators = [i.id for i in setup.background.indicators]
    frames = [
        pair_summary(draws_of(m), draws_of(b), indicators).assign(factory=m.factory_id, baseline=b.factory_id)
        for m, b in pairs
    ]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
