"""Elementary flows of a foreign foreground as biosphere3 names, or left out where biosphere3 has none.

An emission becomes a flow whose ``substance`` must be a biosphere3 flow in a top-level compartment (air, water,
soil): the assessment builds it from that name. openLCA and SimaPro files often use ecoinvent 2 / US LCI names
('Methane, biogenic'); they are renamed with bw2io's ecoinvent 2 → 3 tables (:mod:`..importers.normalise`, read
from bw2io's package data, nothing written to a project). An emission still not in biosphere3 is left out with a
warning naming its place in the file: no indicator could count it, and kept it would stop the assessment.
"""

from __future__ import annotations

import functools
import gzip
import json
import warnings
from importlib.metadata import version
from pathlib import Path

from ... import atomic
from ...model import COMPARTMENTS_TO
from .convert import ForeignFile, ForeignImportWarning
from .kinds import MASS, categories, dim, pint_unit


def _read_biosphere3() -> list[list[str]]:
    from bw2io.importers.ecospold2_biosphere import Ecospold2BiosphereImporter

    from ..quiet import quiet

    with quiet():
        data = Ecospold2BiosphereImporter().data
    # biosphere3 as written: an 'unspecified' sub-compartment dropped (bw2io's drop_unspecified_subcategories)
    top = [f for f in data if len(f["categories"]) == 1 or str(f["categories"][1]).lower() == "unspecified"]
    return sorted([f["name"], f["categories"][0]] for f in top)


@functools.lru_cache(maxsize=2)
def biosphere3_top(cache: Path | None) -> frozenset[tuple[str, str]]:
    """(name, compartment) of biosphere3's flows in a top-level compartment, from bw2io's package data (the flows
    ``create_default_biosphere3`` writes); kept as JSON in the data folder's cache, per bw2io version."""
    path = cache / f"bw2io-{version('bw2io')}-biosphere3-top-level.json.gz" if cache else None
    if path is not None and path.is_file():
        rows = json.loads(gzip.decompress(path.read_bytes()))
    else:
        rows = _read_biosphere3()
        if path is not None:
            atomic.write_bytes(path, gzip.compress(json.dumps(rows).encode("utf-8")))
    return frozenset((name, top) for name, top in rows)


def _renamed(e: dict, cache: Path | None) -> None:
    """bw2io's ecoinvent 2 → 3 names and categories on one elementary exchange (its link set aside meanwhile)."""
    from ..importers.normalise import biosphere_2_3

    probe = {k: v for k, v in e.items() if k != "input"}
    probe["categories"] = tuple(categories(e.get("categories")))
    biosphere_2_3(cache)([{"exchanges": [probe]}])
    if probe.get("name") != e.get("name"):
        e.setdefault("notes", []).append(f"'{e.get('name')}' in the file: biosphere3's '{probe.get('name')}'")
    e.update({k: v for k, v in probe.items() if k in ("name", "categories", "amount", "unit")})


def _emission(e: dict) -> bool:
    """Whether the converter makes ``e`` an emission with a substance (a mass to air, water or soil)."""
    cats = categories(e.get("categories"))
    unit = pint_unit(e.get("unit"))
    return e.get("type") == "biosphere" and bool(cats) and cats[0] in COMPARTMENTS_TO and unit and dim(unit) == MASS


def to_biosphere3(foreign: ForeignFile, cache: Path | None) -> ForeignFile:
    """Elementary exchanges renamed to biosphere3's names; emissions biosphere3 does not have left out, warned."""
    known = biosphere3_top(cache)
    for a, ds in enumerate(foreign.activities):
        kept = []
        for k, e in enumerate(ds.get("exchanges", [])):
            if e.get("type") == "biosphere" and categories(e.get("categories"))[:1] in ((c,) for c in COMPARTMENTS_TO):
                _renamed(e, cache)  # emissions only: resources (water, land) keep the file's names
            top = categories(e.get("categories"))[:1]
            if _emission(e) and (e.get("name"), top[0]) not in known:
                _warn(foreign, a, k, f"elementary flow '{e.get('name')}' ({top[0]}) is not a biosphere3 flow: "
                      "left out, as no indicator could count it")  # fmt: skip
                continue
            kept.append(e)
        ds["exchanges"] = kept
    return foreign


def _warn(foreign: ForeignFile, a: int, k: int, message: str) -> None:
    where = foreign.locator.where(a, k)
    at = str(where.get("file")) + (f":{where['line']}" if where.get("line") else "")
    at += f" field '{where['field']}'" if where.get("field") else ""
    warnings.warn(f"{at}: {message}", ForeignImportWarning, stacklevel=3)
