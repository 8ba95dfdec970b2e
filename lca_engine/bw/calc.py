"""Calculations: every factory, its processes and every indicator in one ``bc.MultiLCA`` pass."""

from __future__ import annotations

from pathlib import Path

import bw2calc as bc
import bw2data as bd
import numpy as np
import pandas as pd

from ..background.catalog import Catalog
from ..indicators import INDICATORS
from ..model import Factory
from .build import FU_CODE, ensure_background, ensure_base, ensure_foreground, foreground_db_name
from .project import activate

COLUMNS = [
    "factory",
    "factory_name",
    "system",
    "sector",
    "functional_unit",
    "year",
    "indicator",
    "indicator_name",
    "unit",
    "contributor_type",
    "contributor",
    "value",
]


def build(factories: list[Factory], catalog: Catalog, data_dir: str | Path | None = None) -> dict[str, bool]:
    """Create or refresh everything the calculation needs; returns which parts were (re)written."""
    d = activate(data_dir)
    with d.lock():
        wrote = {"base": ensure_base(), "background": ensure_background(catalog)}
        for f in factories:
            wrote[f.id] = ensure_foreground(f, catalog)
    return wrote


def calculate(
    factories: list[Factory], catalog: Catalog, data_dir: str | Path | None = None, indicators: list[str] | None = None
) -> pd.DataFrame:
    """Long-format results: totals per functional unit, contributions by process and by background factor."""
    build(factories, catalog, data_dir)
    chosen = [INDICATORS[i] for i in (indicators or list(INDICATORS))]
    demands: dict[str, dict[int, float]] = {}
    meta: dict[str, tuple[Factory, str, str]] = {}
    for f in factories:
        db = foreground_db_name(f, catalog.year)
        demands[f"{f.id}|total"] = {bd.get_node(database=db, code=FU_CODE).id: 1.0}
        meta[f"{f.id}|total"] = (f, "total", "")
        for p in f.processes:
            key = f"{f.id}|process|{p.id}"
            demands[key] = {bd.get_node(database=db, code=p.id).id: 1.0}
            meta[key] = (f, "process", p.id)
    config = {"impact_categories": [i.method for i in chosen]}
    mlca = bc.MultiLCA(demands=demands, method_config=config, data_objs=bd.get_multilca_data_objs(demands, config))
    mlca.lci()
    mlca.lcia()
    codes = {}
    rows = []
    for ind in chosen:
        for key, (f, ctype, contributor) in meta.items():
            base = (
                f.id,
                f.name,
                f.system,
                f.sector,
                f.functional_unit.label(),
                catalog.year,
                ind.id,
                ind.name,
                ind.unit,
            )
            rows.append((*base, ctype, contributor, float(mlca.scores[(ind.method, key)])))
            if ctype != "total":
                continue
            per_activity = np.asarray(mlca.characterized_inventories[(ind.method, key)].sum(axis=0)).ravel()
            for col in np.flatnonzero(per_activity):
                act_id = mlca.dicts.activity.reversed[col]
                if act_id not in codes:
                    codes[act_id] = bd.get_node(id=act_id)["code"]
                rows.append((*base, "factor", codes[act_id], float(per_activity[col])))
    return pd.DataFrame(rows, columns=COLUMNS)
