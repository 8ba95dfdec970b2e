"""Every micro-factory of an assessment against its baseline on its own paired Monte Carlo: the draws of the verdict
block, the report and the dashboard (:func:`lca_engine.verdict.pair_monte_carlo`: the micro-factory and its baseline
alone), so that a pair's numbers never depend on which other inventories were assessed with it. The claim check,
the differences and the per-factory summary of those draws, as `lca-engine compare` prints and writes them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd


@dataclass(frozen=True)
class PairDraws:
    """Micro-factory id → its paired Monte Carlo with its baseline (None where it names no baseline)."""

    runs: dict[str, object]
    draws: int
    seed: int


def pair_draws(
    assessment,
    draws: int,
    seed: int,
    data_dir: str | Path | None = None,
    on_pair: Callable[[str], None] | None = None,
) -> PairDraws:
    """Each micro-factory's own draws with its baseline (``on_pair`` called with its id after each)."""
    from .verdict import pair_monte_carlo

    runs = {}
    for micro, _ in assessment.pairs:
        runs[micro] = pair_monte_carlo(assessment, micro, draws, seed, data_dir)
        if on_pair is not None:
            on_pair(micro)
    return PairDraws(runs, draws, seed)


def pair_claims(assessment, paired: PairDraws, claims=None) -> pd.DataFrame:
    """:func:`lca_engine.claims.check_claims` with each micro-factory's rows judged on its own draws."""
    from .claims import COLUMNS, check_claims

    tables = []
    for micro, mc in paired.runs.items():
        table = check_claims(assessment, mc, claims)
        tables.append(table[table.factory == micro])
    return pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=COLUMNS)


def pair_differences(assessment, paired: PairDraws) -> pd.DataFrame:
    """Micro-factory − baseline per indicator row on each pair's draws (``MonteCarloResult.difference``)."""
    baselines = dict(assessment.pairs)
    frames = [mc.difference(micro, baselines[micro]) for micro, mc in paired.runs.items() if mc is not None]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def pair_summary(paired: PairDraws) -> pd.DataFrame:
    """Each factory's distribution per indicator row, in the draws of its pair (``pair``: the micro-factory id; a
    baseline named by two micro-factories appears once per pair)."""
    frames = [mc.summary().assign(pair=micro) for micro, mc in paired.runs.items() if mc is not None]
    if not frames:
        return pd.DataFrame()
    table = pd.concat(frames, ignore_index=True)
    return table[["pair", *[c for c in table.columns if c != "pair"]]]


def solved_note(paired: PairDraws) -> str | None:
    """What the solver did with the draws, when an iteration could not settle some of them: how many it handed to
    the mean-LU iteration and how many needed a direct solve each (exact either way; slower). None otherwise."""
    from .uncertainty import solve_note

    stats = [s for mc in paired.runs.values() if mc is not None for s in mc.solved]
    if not any(s.handed_over or s.direct for s in stats):
        return None
    return solve_note(stats)
