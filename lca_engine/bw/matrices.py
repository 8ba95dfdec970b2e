"""Take the matrices and their uncertainty out of Brightway once, for the vectorised Monte Carlo.

Reads every entry of the technosphere and biosphere matrices from bw2calc's resource groups (row, column,
static value, sign, stats_arrays distribution), and the characterisation vectors of the chosen indicators.
The rebuilt static matrices are checked against bw2calc's own before use.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import bw2data as bd
import numpy as np
import scipy.sparse as sp

from ..background.catalog import Catalog
from ..background.links import linked_backgrounds
from ..errors import LcaEngineError
from ..indicators import INDICATORS, SITE, scoped_id
from ..matrix_system import Entries, MatrixSystem
from ..model import Factory
from . import multilca
from .build import FU_CODE, foreground_db_name
from .calc import built
from .masks import imported_ids, link_mask, site_mask


def _entries(mm) -> Entries:
    rows, cols, data, sign, dist, labels = [], [], [], [], [], []
    for g in mm.groups:
        if g.empty or len(g.row_masked) == 0:
            continue
        d = np.asarray(g.apply_masks(g.get_resource_by_suffix("data")), dtype=float)
        flip = np.asarray(g.flip, dtype=bool) if g.has_flip else np.zeros(d.size, dtype=bool)
        try:
            params = g.apply_masks(g.get_resource_by_suffix("distributions"))
        except Exception:  # no distributions resource in this package
            params = None
        if params is None or len(params) != d.size:
            from bw_processing.constants import UNCERTAINTY_DTYPE

            params = np.zeros(d.size, dtype=UNCERTAINTY_DTYPE)
            params["loc"] = d
        rows.append(np.asarray(g.row_masked))
        cols.append(np.asarray(g.col_masked))
        data.append(d)
        sign.append(np.where(flip, -1.0, 1.0))
        dist.append(params)
        labels += [g.label] * d.size
    dist = np.concatenate(dist)
    # grouped by distribution type, so that the sampler draws each type as one long vector (see uncertainty)
    order = np.argsort(dist["uncertainty_type"], kind="stable")
    return Entries(
        np.concatenate(rows)[order],
        np.concatenate(cols)[order],
        np.concatenate(data)[order],
        np.concatenate(sign)[order],
        dist[order],
        np.array(labels)[order],
    )


def stable_order(e: Entries, col_keys: list[str], row_keys: list[str]) -> Entries:
    """Entries sorted by (distribution type, activity key, input key, value): stable across data directories."""
    order = np.lexsort((e.data, np.array(row_keys), np.array(col_keys), e.params["uncertainty_type"]))
    return Entries(e.rows[order], e.cols[order], e.data[order], e.sign[order], e.params[order], e.labels[order])


def from_multilca(mlca, methods: list, indicator_ids: list[str], demand_keys: list) -> MatrixSystem:
    """The MatrixSystem of a computed ``bc.MultiLCA`` (entries, characterisation, demands, bw2calc's scores and
    static matrices), after checking that the matrices rebuilt from the resources equal bw2calc's own."""
    tech, bio = _entries(mlca.technosphere_mm), _entries(mlca.biosphere_mm)
    shape_a = mlca.technosphere_matrix.shape
    shape_b = mlca.biosphere_matrix.shape
    a = sp.coo_matrix((tech.data * tech.sign, (tech.rows, tech.cols)), shape=shape_a).tocsr()
    b = sp.coo_matrix((bio.data * bio.sign, (bio.rows, bio.cols)), shape=shape_b).tocsr()
    # bw2calc sums duplicate entries in float32; anything beyond that rounding means we misread the resources
    tol_a = 1e-6 * max(1.0, abs(mlca.technosphere_matrix).max())
    tol_b = 1e-6 * max(1.0, abs(mlca.biosphere_matrix).max())
    if abs(a - mlca.technosphere_matrix).max() > tol_a or abs(b - mlca.biosphere_matrix).max() > tol_b:
        raise LcaEngineError(
            "matrices rebuilt from Brightway's resources differ from bw2calc's",
            fix="this is a bug (a bw2calc/matrix_utils change?); please report it",
        )
    cf = np.vstack([mlca.characterization_matrices[m].diagonal() for m in methods])
    f = np.column_stack([mlca.demand_arrays[k] for k in demand_keys])
    every = mlca.scores  # bw2calc computes the whole dict on each access: once here, not per (method, demand)
    scores = np.array([[every[(m, k)] for k in demand_keys] for m in methods])
    return MatrixSystem(
        tech=tech,
        bio=bio,
        n=shape_a[0],
        n_bio=shape_b[0],
        cf=cf,
        indicators=list(indicator_ids),
        demand=f,
        demand_names=list(demand_keys),
        activity_names={},
        reference_scores=scores,
        a_mean=mlca.technosphere_matrix.tocsc(),
        b_mean=mlca.biosphere_matrix.tocsr(),
    )


def with_site_scope(system: MatrixSystem, site: np.ndarray, mlca, cradle: np.ndarray | None = None) -> MatrixSystem:
    """The system with a second row per indicator counted on site (ids ``scoped_id(indicator, SITE)``): the same
    characterisation, only over the activities of ``site`` (indicators × activities, 1 = on site). ``cradle``
    (indicators × activities, default all 1) masks the cradle-to-gate rows (activities of an imported background
    for indicators that do not characterise it). Reference scores: bw2calc's supply arrays through the masked
    direct scores."""
    n_ind = len(system.indicators)
    cradle = np.ones((n_ind, system.n)) if cradle is None else cradle
    cf = np.vstack([system.cf, system.cf])
    mask = np.vstack([cradle, site])
    supply = np.column_stack([mlca.supply_arrays[k] for k in system.demand_names])
    direct = np.asarray(system.cf @ system.matrices()[1])
    reference = None
    if system.reference_scores is not None:
        reference = np.vstack([(direct * cradle) @ supply, (direct * site) @ supply])
    return dataclasses.replace(
        system,
        cf=cf,
        indicators=[*system.indicators, *(scoped_id(i, SITE) for i in system.indicators)],
        reference_scores=reference,
        mask=mask,
    )


def extract(
    factories: list[Factory],
    catalog: Catalog,
    data_dir: str | Path | None = None,
    indicators: list[str] | None = None,
) -> MatrixSystem:
    """Build (if needed) and read the matrices of every factory's functional unit, all in one system (read under
    the data folder's read lock, so no other process rewrites a part while it is read)."""
    with built(factories, catalog, data_dir):
        chosen = [INDICATORS[i] for i in (indicators or list(INDICATORS))]
        demands = {
            f.id: {bd.get_node(database=foreground_db_name(f, catalog.year), code=FU_CODE).id: 1.0} for f in factories
        }
        mlca = multilca.solved(demands, [i.method for i in chosen])
        system = from_multilca(mlca, [i.method for i in chosen], [i.id for i in chosen], list(demands))
        imported = imported_ids(linked_backgrounds(factories))
        site, cradle = site_mask(mlca, catalog, chosen, imported).T, link_mask(mlca, chosen, imported).T
        system = with_site_scope(system, site * cradle, mlca, cradle)
        tech, bio = system.tech, system.bio
        act = {v: k for k, v in mlca.dicts.activity.items()}
        names = {}
        for col in np.unique(np.concatenate([tech.cols, bio.cols, tech.rows])):
            node = bd.get_node(id=act[int(col)])
            names[int(col)] = f"{node['database']}:{node['code']}"
        prod = {v: k for k, v in mlca.dicts.product.items()}
        bio_ids = {v: k for k, v in mlca.dicts.biosphere.items()}
        for row in np.unique(tech.rows):
            node = bd.get_node(id=prod[int(row)])
            names[("product", int(row))] = f"{node['database']}:{node['code']}"
        flow_keys = {}
        for row in np.unique(bio.rows):
            node = bd.get_node(id=bio_ids[int(row)])
            names[("flow", int(row))] = node["name"]
            flow_keys[int(row)] = f"{node['database']}:{node['code']}"
        # random numbers follow the entry order: order by database keys, not by ids, so that a seed gives the same
        # draws in any data directory (ids depend on the order in which databases were written)
        tech = stable_order(tech, [names[int(c)] for c in tech.cols], [names[("product", int(r))] for r in tech.rows])
        bio = stable_order(bio, [names[int(c)] for c in bio.cols], [flow_keys[int(r)] for r in bio.rows])
    return dataclasses.replace(system, tech=tech, bio=bio, activity_names=names)
