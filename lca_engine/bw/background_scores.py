"""What one unit of every background product and elementary flow scores: the background solved once per run.

For each indicator, λ solves Aᵀλ = (Bᵀc)·mask over the background alone (the DESNZ database of the year and the
imported backgrounds the factories link to): one factorisation of A, one transposed solve for all indicators at
both scopes. A foreground then needs only its own small system (:mod:`.foreground_scores`): a purchase of amount a
of product k by a process of supply s contributes s·a·λ_k, an elementary flow s·a·c. The background never depends
on a foreground, so this equals solving the whole system at once (tested against bw2calc's ``LCA``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from bw2data.backends import ActivityDataset as AD
from scipy.sparse.linalg import splu

from ..background.catalog import Catalog
from ..background.imported import database_name
from ..errors import BackgroundError
from . import multilca
from .build import background_db_name
from .exact import exact_matrices, method_cfs
from .flows import BIOSPHERE
from .masks import imported_ids, link_mask, site_mask
from .noise import denoise
from .parts import BIO3

Key = tuple[str, str]  # (database, code)


@dataclass(frozen=True)
class BackgroundScores:
    """Per unit of each background product (``lam``, ``lam_site``: product × indicator, cradle to gate and on
    site) and of each characterised elementary flow (``cf``); the label each shows in the result cube."""

    year: int
    indicators: tuple
    product_row: dict[Key, int]
    lam: np.ndarray
    lam_site: np.ndarray
    cf: dict[Key, np.ndarray]
    product_label: dict[Key, str]
    flow_label: dict[Key, str]

    def flow_cf(self, key: Key) -> np.ndarray:
        """The characterisation of one unit of an elementary flow (0 for an indicator that does not count it)."""
        found = self.cf.get(key)
        return found if found is not None else np.zeros(len(self.indicators))


def node_ids(databases: list[str]) -> dict[Key, int]:
    rows = AD.select(AD.id, AD.database, AD.code).where(AD.database << databases)
    return {(r.database, r.code): r.id for r in rows}


def _demands(databases: list[str]) -> dict[str, dict[int, float]]:
    """One node of each database: bw2calc then loads every database the demands reach, whole."""
    out = {}
    for db in databases:
        first = AD.select(AD.id).where(AD.database == db).order_by(AD.id).first()
        if first is None:
            raise BackgroundError(f"the background database {db} is empty", fix="rebuild or re-import it")
        out[db] = {first.id: 1.0}
    return out


def _characterisation(chosen: list, flows: dict[Key, int]) -> dict[Key, np.ndarray]:
    key_of = {node: key for key, node in flows.items()}
    cf: dict[Key, np.ndarray] = {}
    for k, ind in enumerate(chosen):
        for node, value in method_cfs(ind, flows):
            if node in key_of:
                cf.setdefault(key_of[node], np.zeros(len(chosen)))[k] = value
    return cf


def _flow_labels() -> dict[Key, str]:
    rows = AD.select(AD.database, AD.code, AD.name).where(AD.database << [BIOSPHERE, BIO3])
    return {(r.database, r.code): f"{r.database}:{r.name}" for r in rows}


def background_scores(catalog: Catalog, chosen: list, backgrounds: list[str]) -> BackgroundScores:
    """Solve the background of ``catalog``'s year and the imported ``backgrounds`` (names) once, read under the
    data folder's read lock by the caller (:func:`.calc.built`)."""
    bg = background_db_name(catalog.year)
    databases = [bg, *(database_name(n) for n in backgrounds)]
    mlca = multilca.matrices(_demands(databases), [i.method for i in chosen])
    ex = exact_matrices(mlca, catalog, chosen, backgrounds)
    imported = imported_ids(backgrounds)
    direct = np.asarray(ex.B.T @ ex.C) * link_mask(mlca, chosen, imported)  # activity × indicator
    direct_site = direct * site_mask(mlca, catalog, chosen, imported)
    try:
        lu = splu(ex.A)
    except RuntimeError:  # SuperLU: "Factor is exactly singular"
        raise BackgroundError(
            f"the background ({', '.join(databases)}) cannot be solved: its technosphere matrix is singular",
            fix="re-import the background (`lca-engine background import`) or rebuild the data folder",
        ) from None
    ids = node_ids(databases)
    rows = {key: mlca.dicts.product[node] for key, node in ids.items() if node in mlca.dicts.product}
    names = {database_name(n): n for n in backgrounds}
    labels = {key: key[1] if key[0] == bg else f"{names[key[0]]}:{key[1]}" for key in rows}
    return BackgroundScores(
        year=catalog.year,
        indicators=tuple(chosen),
        product_row=rows,
        lam=denoise(lu.solve(direct, trans="T")),
        lam_site=denoise(lu.solve(direct_site, trans="T")),
        cf=_characterisation(chosen, node_ids([BIOSPHERE, BIO3])),
        product_label=labels,
        flow_label=_flow_labels(),
    )
