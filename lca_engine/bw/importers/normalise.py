"""bw2io's biosphere name and category normalisation (ecoinvent 2 / US LCI → ecoinvent 3), applied in memory.

bw2io's own ``normalize_biosphere_names`` / ``normalize_biosphere_categories`` read "migrations" that must first be
written into the Brightway project (``create_core_migrations``); these strategies read the same tables from bw2io's
package data and change elementary exchanges only, so an import leaves no migration behind in the project.
"""

from __future__ import annotations

import gzip
import json
from importlib.metadata import version
from pathlib import Path

from ... import atomic


def _tuples(x):
    return tuple(_tuples(v) for v in x) if isinstance(x, list) else x


def _mapping(table: dict) -> dict[str, dict]:
    from bw2io.utils import activity_hash

    fields = table["fields"]
    return {
        activity_hash(dict(zip(fields, _tuples(old), strict=True)), fields=fields): {
            k: _tuples(v) for k, v in new.items()
        }
        for old, new in table["data"]
    }


def _names_table(cache: Path | None) -> dict:
    """bw2io's ecoinvent 2 → 3 flow names: bw2io reads them from an xlsx (~8 s); kept as JSON in the data folder's
    cache, per bw2io version."""
    from bw2io.data import get_biosphere_2_3_name_migration_data

    path = cache / f"bw2io-{version('bw2io')}-biosphere-2-3-names.json.gz" if cache else None
    if path is not None and path.is_file():
        return json.loads(gzip.decompress(path.read_bytes()))
    table = get_biosphere_2_3_name_migration_data()
    if path is not None:
        atomic.write_bytes(path, gzip.compress(json.dumps(table).encode("utf-8")))
    return table


_TABLES: dict = {}


def _tables(cache: Path | None) -> tuple[tuple[list[str], dict], ...]:
    if "tables" not in _TABLES:
        from bw2io.data import get_biosphere_2_3_category_migration_data

        tables = (get_biosphere_2_3_category_migration_data(), _names_table(cache))
        _TABLES["tables"] = tuple((t["fields"], _mapping(t)) for t in tables)
    return _TABLES["tables"]


def _migrate(e: dict, fields: list[str], mapping: dict) -> None:
    from bw2io.utils import activity_hash, rescale_exchange

    new = mapping.get(activity_hash(e, fields=fields))
    for field, value in (new or {}).items():
        if field == "multiplier":
            rescale_exchange(e, value)
        else:
            e[field] = value


def drop_unspecified(db: list[dict]) -> list[dict]:
    """'Unspecified' (any case) as a last sub-compartment means none: ('resource', 'Unspecified') → ('resource',)."""
    for ds in db:
        for e in ds.get("exchanges", []):
            cats = e.get("categories")
            if e.get("type") == "biosphere" and cats and len(cats) > 1:
                if str(cats[-1]).strip().lower() in ("unspecified", "(unspecified)", ""):
                    e["categories"] = tuple(cats[:-1])
    return db


def biosphere_2_3(cache: Path | None = None):
    """A strategy: elementary exchanges renamed and re-categorised as bw2io's ecoinvent 2 → 3 tables say
    (categories first); ``cache``: a folder to keep the names table in."""

    def biosphere_2_3(db: list[dict]) -> list[dict]:
        tables = _tables(cache)
        for ds in db:
            for e in ds.get("exchanges", []):
                if e.get("type") == "biosphere" and not e.get("input"):
                    for fields, mapping in tables:
                        _migrate(e, fields, mapping)
        return db

    return biosphere_2_3


def link_own_production(db: list[dict]) -> list[dict]:
    """An EcoSpold 1 dataset with co-products (and no allocation) keeps its reference product's production exchange
    unlinked in bw2io (its categories differ from the dataset's): link the one named and measured as the dataset."""
    for ds in db:
        for e in ds.get("exchanges", []):
            own = e.get("name") == ds.get("name") and e.get("unit") == ds.get("unit")
            if e.get("type") == "production" and not e.get("input") and own:
                e["input"] = (ds["database"], ds["code"])
    return db
