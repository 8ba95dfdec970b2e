"""openLCA JSON-LD (olca-schema 1 and 2, a folder or its zip) through bw2io's ``JSONLDImporter``.

bw2io 0.9.17 reads olca-schema 2 (category as a path string, ``isInput``); exports of schema 1 — the US Federal
LCA Commons among them — carry the category as an object and ``input``: :func:`upgrade_v1` writes both ways
before bw2io's strategies run. bw2io reads no openLCA distribution: :mod:`.olca_uncertainty` carries them.
bw2io models products as nodes of their own; a product no imported process makes
(openLCA's "no default provider") is, here, a technosphere exchange linked to nothing, as in every other format.
"""

from __future__ import annotations

import json
from pathlib import Path

from ...background.imported import BackgroundFormat
from .base import Importer
from .olca_uncertainty import mark_amounts, olca_distributions


def _category(c) -> str:
    if isinstance(c, dict):
        return "/".join(str(p) for p in [*c.get("categoryPath", []), c.get("name", "")] if p)
    return c


def upgrade_v1(data: dict) -> dict:
    """olca-schema 1 fields the bw2io strategies read under their schema 2 names (the old ones are kept)."""
    for section in data.values():
        for obj in section.values() if isinstance(section, dict) else ():
            if not isinstance(obj, dict):
                continue
            if "category" in obj:
                obj["category"] = _category(obj["category"])
            for e in obj.get("exchanges", []):
                if "input" in e and "isInput" not in e:
                    e["isInput"] = e["input"]
                if "quantitativeReference" not in e and "isQuantitativeReference" in e:
                    e["quantitativeReference"] = e["isQuantitativeReference"]
    return data


def prepared(data: dict) -> dict:
    """The raw entities as bw2io's strategies read them: :func:`upgrade_v1`, then each uncertain exchange's stated
    amount kept (:func:`~.olca_uncertainty.mark_amounts`) for :func:`~.olca_uncertainty.olca_distributions`."""
    return mark_amounts(upgrade_v1(data))


def _producers(db: list[dict]) -> dict[tuple, list[dict]]:
    """Product node key → the processes with a production exchange of it (an amount, not 0)."""
    out: dict[tuple, list[dict]] = {}
    for ds in db:
        for e in ds.get("exchanges", []) if ds.get("type") != "product" else ():
            if e.get("type") == "production" and e.get("input") and e.get("amount"):
                out.setdefault(tuple(e["input"]), []).append(ds)
    return out


def merge_products(db: list[dict]) -> list[dict]:
    """One node per process and its product, as the other formats have: each exchange to a product node is linked
    to the one process making it (production: to that process itself); product nodes no process makes (openLCA's
    "no default provider") or several make leave their exchanges unlinked, for the checks to report."""
    made = {k: v[0] for k, v in _producers(db).items() if len(v) == 1}
    for ds in db:
        for e in ds.get("exchanges", []):
            key = tuple(e["input"]) if e.get("input") else None
            if key is None or ds.get("type") == "product" or key[0] != ds.get("database"):
                continue
            provider = made.get(key)
            if provider is not None and e.get("type") == "production" and provider is ds:
                ds["reference product"], ds["unit"] = e.get("name"), e.get("unit", ds.get("unit"))
            e["input"] = (provider["database"], provider["code"]) if provider is not None else None
    return [ds for ds in db if ds.get("type") != "product"]


class JsonLd(Importer):
    format = BackgroundFormat.JSONLD
    expects = "an openLCA JSON-LD export: a folder (or its .zip) holding processes/, flows/ and unit_groups/"

    @classmethod
    def detect(cls, path: Path) -> bool:
        return path.is_dir() and (path / "processes").is_dir()

    def files(self, path: Path) -> list[Path]:
        return sorted(p for p in path.rglob("*.json") if p.is_file())

    def importer(self, path: Path, database: str, prepare=None):
        """``prepare``: what is done to the export's raw entities before bw2io reads them (default
        :func:`prepared`: olca-schema 1 upgraded, the amounts of exchanges with a distribution marked)."""
        from bw2io.importers.json_ld import JSONLDImporter

        prepare = prepare or prepared

        class _Importer(JSONLDImporter):
            def flows_as_biosphere_database(self, data, database_name, suffix=" biosphere"):
                return super().flows_as_biosphere_database(prepare(data), database_name, suffix)

        imp = _Importer(str(path), database)
        imp.strategies += [olca_distributions, merge_products]  # bw2io reads no openLCA distribution itself
        return imp

    def version(self, imp) -> str:
        versions = sorted({str(p.get("version", "")) for p in imp.data if p.get("type") == "process"} - {""})
        return versions[-1] if len(versions) == 1 else ""


def read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))
