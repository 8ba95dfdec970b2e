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

#: Brightway's default elementary flows (ecoinvent's), which LCIA methods characterise
BIO3 = "biosphere3"


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


#: randonneur_data's correspondence of ecoinvent 2.2 elementary flows to their ecoinvent 3 successors (by uuid)
HISTORY = "ecoinvent-2.2-biosphere-ecoinvent-3.12-biosphere-transitive"
MATCHED_BY = "lca_engine_matched_by"


def _history() -> dict[tuple[str, str], set[str]]:
    """(lower-case name, compartment) → the ecoinvent 3 flow uuids that name had in ecoinvent 2.2 (with no
    sub-compartment, or 'unspecified')."""
    import randonneur_data

    out: dict[tuple[str, str], set[str]] = {}
    for row in randonneur_data.Registry().get_file(HISTORY)["update"]:
        context = [c for c in row["source"].get("context", []) if c and c.lower() != "unspecified"]
        if len(context) == 1 and row["target"].get("identifier"):
            out.setdefault((row["source"]["name"].lower(), context[0]), set()).add(row["target"]["identifier"])
    return out


def link_by_ecoinvent_history(db: list[dict]) -> list[dict]:
    """Elementary exchanges still unlinked whose ecoinvent 2.2 name has exactly one ecoinvent 3 successor in
    biosphere3, in the same compartment and unit ('Lead' in air → 'Lead II'): linked to it, and marked so the
    linking report lists each rename."""
    import bw2data as bd

    history = _history()
    flows = {f["code"]: f for f in bd.Database(BIO3)}
    for ds in db:
        for e in ds.get("exchanges", []):
            cats = tuple(e.get("categories") or ())
            if e.get("type") != "biosphere" or e.get("input") or not cats:
                continue
            found = history.get((str(e.get("name", "")).lower(), cats[0]), set())
            flow = flows.get(next(iter(found))) if len(found) == 1 else None
            if flow is not None and tuple(flow["categories"]) == (cats[0],) and flow["unit"] == e.get("unit"):
                e["input"], e[MATCHED_BY] = (BIO3, flow["code"]), flow["name"]
    return db
