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
from .foreground_scores import supply_of

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


def _boundary(data: dict, database: str, supply: dict[str, float]) -> list[tuple[float, dict]]:
    """(s_j, exchange) of every purchase and elementary flow of the foreground."""
    out = []
    for (_, code), act in data.items():
        for ex in act["exchanges"]:
            if ex["type"] != "production" and ex["input"][0] != database and ex.get("flow") is not None:
                out.append((supply[code], ex))
    return out


def weights(data: dict, database: str, seed: int, factory_id: str, draws: int) -> Weights:
    """The draws of every boundary exchange, times the supply of its process, summed per product and per flow."""
    supply = supply_of(data, database)
    boundary = _boundary(data, database, supply)
    amounts = np.array([[ex["amount"]] for _, ex in boundary], dtype=float) * np.ones((1, draws))
    uncertain = [i for i, (_, ex) in enumerate(boundary) if ex.get("uncertainty type", 0) > 1]
    if uncertain:
        amounts[uncertain] = draw_values(
            params_of([boundary[i][1] for i in uncertain]), draws, stream(seed, factory_id)
        )
    amounts *= np.array([[s] for s, _ in boundary]) if boundary else 1.0
    kinds = {"technosphere": ([], []), "biosphere": ([], [])}
    for (_, ex), row in zip(boundary, amounts, strict=True):
        keys, rows = kinds[ex["type"]]
        keys.append(tuple(ex["input"]))
        rows.append(row)
    return Weights(*_summed(*kinds["technosphere"], draws), *_summed(*kinds["biosphere"], draws))


def _summed(keys: list[Key], rows: list[np.ndarray], draws: int) -> tuple[list[Key], np.ndarray]:
    unique = list(dict.fromkeys(keys))
    out = np.zeros((len(unique), draws))
    at = {k: i for i, k in enumerate(unique)}
    for k, row in zip(keys, rows, strict=True):
        out[at[k]] += row
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


def linked_products(data: dict, database: str) -> tuple[Key, ...]:
    """The background products the foreground ``data`` buys (the functional units of the background's draws)."""
    return tuple(
        dict.fromkeys(
            tuple(ex["input"])
            for act in data.values()
            for ex in act["exchanges"]
            if ex["type"] == "technosphere" and ex["input"][0] != database
        )
    )


def factory_draws(factory, catalog, seed: int, draws: int, lam: np.ndarray, row_of: dict, bg) -> np.ndarray:
    """Indicator rows × draws of ``factory`` (see :func:`scores`)."""
    name = foreground_db_name(factory, catalog.year)
    return scores(weights(foreground_data(factory, catalog), name, seed, factory.id, draws), lam, row_of, bg)


def factory_links(factory, catalog) -> tuple[Key, ...]:
    return linked_products(foreground_data(factory, catalog), foreground_db_name(factory, catalog.year))
