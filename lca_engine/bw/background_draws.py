"""The background as a Monte Carlo system whose functional units are one unit of each linked product.

Its draws (:func:`lca_engine.uncertainty.draw_range`) are λ_k,d, the score of one unit of background product k in
draw d, per indicator row (cradle to gate, then on site — the rows of :class:`.background_scores.BackgroundScores`):
every factory of a portfolio takes the same draw d of the background, so any two of them are paired.
Built inside :func:`.calc.built` (the data folder's read lock) by the caller.
"""

from __future__ import annotations

import dataclasses

from ..background.catalog import Catalog
from ..background.imported import database_name
from ..matrix_system import MatrixSystem
from . import multilca
from .background_scores import Key, node_ids
from .build import background_db_name
from .flows import BIOSPHERE
from .masks import imported_ids, link_mask, site_mask
from .matrices import from_multilca, stable_order, with_site_scope
from .parts import BIO3


def background_system(catalog: Catalog, chosen: list, backgrounds: list[str], keys: list[Key]) -> MatrixSystem:
    """The background of ``catalog``'s year and the imported ``backgrounds`` with one functional unit per product
    of ``keys`` (named ``database:code``), every indicator of ``chosen`` at both scopes; entries in an order that
    depends on the databases' keys only, so that a seed gives the same draws in any data folder."""
    databases = [background_db_name(catalog.year), *(database_name(n) for n in backgrounds)]
    ids = node_ids(databases)
    demands = {f"{db}:{code}": {ids[(db, code)]: 1.0} for db, code in keys}
    methods = [i.method for i in chosen]
    mlca = multilca.solved(demands, methods)
    system = from_multilca(mlca, methods, [i.id for i in chosen], list(demands))
    imported = imported_ids(backgrounds)
    site, cradle = site_mask(mlca, catalog, chosen, imported).T, link_mask(mlca, chosen, imported).T
    system = with_site_scope(system, site * cradle, mlca, cradle)
    return _in_key_order(system, mlca, ids)


def _in_key_order(system: MatrixSystem, mlca, ids: dict[Key, int]) -> MatrixSystem:
    name = {node: f"{db}:{code}" for (db, code), node in ids.items()}
    flows = {node: f"{db}:{code}" for (db, code), node in node_ids([BIOSPHERE, BIO3]).items()}
    col = {c: name[node] for node, c in mlca.dicts.activity.items()}
    row = {r: name[node] for node, r in mlca.dicts.product.items()}
    bio_row = {r: flows.get(node, str(node)) for node, r in mlca.dicts.biosphere.items()}
    t, b = system.tech, system.bio
    tech = stable_order(t, [col[int(c)] for c in t.cols], [row[int(r)] for r in t.rows])
    bio = stable_order(b, [col[int(c)] for c in b.cols], [bio_row[int(r)] for r in b.rows])
    return dataclasses.replace(system, tech=tech, bio=bio, activity_names=dict(col))
