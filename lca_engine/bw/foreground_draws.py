"""Monte Carlo draws of one factory's results on draws of the background, without Brightway.

A factory's foreground carries distributions only on what crosses its boundary (:func:`.build.foreground_data`:
purchases and elementary flows; internal flows keep the mass balances they belong to), so its supply s (A_f s =
e_FU) is the same in every draw. Draw d of its score, per indicator row (cradle to gate, then on site):

    h_d = Σ_purchases s_j · a_e,d · λ_k,d  +  Σ_elementary s_j · a_e,d · [c; c]

with a_e,d the exchange's amount in draw d (its static amount where it has no distribution), λ_k,d the score of
one unit of background product k in draw d (:mod:`.background_draws`) and c the characterisation of the flow.
The exchange amounts of a factory come from its own random stream, seeded by (seed, a hash of the factory id),
so a factory's draws do not depend on which other factories run with it, in which chunk, or on which worker.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np
from bw_processing.constants import UNCERTAINTY_DTYPE

from ..sampling import draw_values
from .background_scores import BackgroundScores, Key
from .build import foreground_data, foreground_db_name
from .foreground_scores import crosses_boundary, supply_of

#: exchange fields that carry a distribution, as :func:`.build.triangular` writes them → stats_arrays fields
_FIELDS = {"uncertainty type": "uncertainty_type", "loc": "loc", "scale": "scale", "shape": "shape"}
_FIELDS |= {"minimum": "minimum", "maximum": "maximum"}


@dataclass(frozen=True)
class Weights:
    """Per draw, how much of each linked background product and elementary flow one functional unit takes."""

    products: list[Key]
    product_amounts: np.ndarray  # products × draws: Σ s_j · a_e,d
    flows: list[Key]
    flow_amounts: np.ndarray  # flows × draws


def stream(seed: int, factory_id: str) -> np.random.Generator:
    """The factory's own random stream (SFC64, as :mod:`lca_engine.sampling`)."""
    return np.random.Generator(np.random.SFC64([int(seed), zlib.crc32(factory_id.encode("utf-8"))]))


def params_of(exchanges: list[dict]) -> np.ndarray:
    p = np.zeros(len(exchanges), dtype=UNCERTAINTY_DTYPE)
    p["loc"], p["scale"], p["shape"], p["minimum"], p["maximum"] = np.nan, np.nan, np.nan, np.nan, np.nan
    for i, ex in enumerate(exchanges):
        p["loc"][i] = ex["amount"]
        for name, field in _FIELDS.items():
            if name in ex:
                p[field][i] = ex[name]
    return p


@dataclass(frozen=True)
class Boundary:
    """What a factory's draws need of it, kept from the deterministic run (no inventory read again): per boundary
    exchange its input key and kind, s_j · static amount, and the distribution of the uncertain ones."""

    factory_id: str
    keys: tuple[Key, ...]
    technosphere: np.ndarray  # bool per exchange: a purchase (else an elementary flow)
    supply: np.ndarray  # s_j of the exchange's process
    amounts: np.ndarray  # static amounts
    uncertain: np.ndarray  # indices of the exchanges with a distribution
    params: np.ndarray  # their distributions (stats_arrays)

    @property
    def products(self) -> tuple[Key, ...]:
        """The background products it buys (functional units of the background's draws)."""
        return tuple(dict.fromkeys(k for k, t in zip(self.keys, self.technosphere, strict=True) if t))


def boundary_of(data: dict, database: str, factory_id: str) -> Boundary:
    """The boundary exchanges of the foreground ``data``: every purchase and elementary flow of each process."""
    supply = supply_of(data, database)
    found = [
        (supply[code], ex)
        for (_, code), act in data.items()
        for ex in act["exchanges"]
        if crosses_boundary(ex, database)
    ]
    uncertain = [i for i, (_, ex) in enumerate(found) if ex.get("uncertainty type", 0) > 1]
    return Boundary(
        factory_id,
        tuple(tuple(ex["input"]) for _, ex in found),
        np.array([ex["type"] == "technosphere" for _, ex in found], dtype=bool),
        np.array([s for s, _ in found], dtype=float),
        np.array([ex["amount"] for _, ex in found], dtype=float),
        np.array(uncertain, dtype=int),
        params_of([found[i][1] for i in uncertain]),
    )


def weights(b: Boundary, seed: int, draws: int) -> Weights:
    """The draws of every boundary exchange (the factory's own stream), times the supply of its process, summed
    per product and per flow."""
    amounts = np.repeat(b.amounts[:, None], draws, axis=1)
    if b.uncertain.size:
        amounts[b.uncertain] = draw_values(b.params, draws, stream(seed, b.factory_id))
    amounts *= b.supply[:, None]
    tech = [i for i, t in enumerate(b.technosphere) if t]
    bio = [i for i, t in enumerate(b.technosphere) if not t]
    return Weights(
        *_summed([b.keys[i] for i in tech], amounts[tech], draws),
        *_summed([b.keys[i] for i in bio], amounts[bio], draws),
    )


def _summed(keys: list[Key], rows: np.ndarray, draws: int) -> tuple[list[Key], np.ndarray]:
    unique = list(dict.fromkeys(keys))
    out = np.zeros((len(unique), draws))
    if keys:
        at = {k: i for i, k in enumerate(unique)}
        np.add.at(out, [at[k] for k in keys], rows)
    return unique, out


def scores(w: Weights, lam: np.ndarray, row_of: dict[Key, int], bg: BackgroundScores) -> np.ndarray:
    """Indicator rows (cradle to gate, then on site) × draws of one factory: ``lam`` holds the background draws,
    linked products × rows × draws, product ``k`` at ``lam[row_of[k]]``."""
    rows = 2 * len(bg.indicators)
    out = np.zeros((rows, w.product_amounts.shape[1]))
    if w.products:
        linked = lam[[row_of[k] for k in w.products]]  # products × rows × draws
        out += np.einsum("kd,krd->rd", w.product_amounts, linked)
    if w.flows:
        cf = np.array([bg.flow_cf(k) for k in w.flows])  # flows × indicators
        out += np.vstack([cf.T, cf.T]) @ w.flow_amounts  # the factory's own elementary flows count on site too
    return out


def boundary_draws(b: Boundary, seed: int, draws: int, lam: np.ndarray, row_of: dict, bg) -> np.ndarray:
    """Indicator rows × draws of the factory of ``b`` (:func:`weights`, then :func:`scores`)."""
    return scores(weights(b, seed, draws), lam, row_of, bg)


def factory_boundary(factory, catalog) -> Boundary:
    """:func:`boundary_of` a factory's foreground as :func:`.build.foreground_data` writes it."""
    return boundary_of(foreground_data(factory, catalog), foreground_db_name(factory, catalog.year), factory.id)
