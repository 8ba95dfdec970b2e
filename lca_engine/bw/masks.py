"""Which activities' own elementary flows count, per indicator: on site, and at all for an imported background."""

from __future__ import annotations

import bw2data as bd
import numpy as np

from ..background.catalog import Catalog
from ..background.imported import database_name
from ..background.links import CHARACTERISED
from .build import background_db_name


def site_mask(mlca, catalog: Catalog, chosen: list, imported: frozenset[int] = frozenset()) -> np.ndarray:
    """activity × indicator: 1 where an activity's own elementary flows count on site for the indicator's family
    (every foreground process; background factors of purchased energy and mains water, see ``Factor.site``; never
    an activity of an imported background, ``imported``: its supply chain is off site)."""
    families = np.array([i.family for i in chosen])
    background = {node.id: node["code"] for node in bd.Database(background_db_name(catalog.year))}
    mask = np.ones((len(mlca.dicts.activity), len(chosen)))
    for node_id, col in mlca.dicts.activity.items():
        if node_id in background:
            mask[col] = np.isin(families, catalog.factors[background[node_id]].site)
        elif node_id in imported:
            mask[col] = 0.0
    return mask


def link_mask(mlca, chosen: list, imported: frozenset[int]) -> np.ndarray:
    """activity × indicator: 0 for an activity of an imported background and an indicator that does not
    characterise imported backgrounds (:data:`~lca_engine.background.links.CHARACTERISED`), else 1 — so such a
    number leaves the link out (and coverage names it) instead of counting the few flows it happens to match."""
    mask = np.ones((len(mlca.dicts.activity), len(chosen)))
    cols = [col for node_id, col in mlca.dicts.activity.items() if node_id in imported]
    if cols:
        mask[np.ix_(cols, [k for k, i in enumerate(chosen) if i.id not in CHARACTERISED])] = 0.0
    return mask


def imported_ids(names: list[str]) -> frozenset[int]:
    """Node ids of the activities of the imported backgrounds ``names`` (one query, however large)."""
    if not names:
        return frozenset()
    from bw2data.backends import ActivityDataset as AD

    dbs = [database_name(n) for n in names]
    return frozenset(r.id for r in AD.select(AD.id).where(AD.database << dbs))
