"""``--background NAME``: exchanges whose provider is not in the file, linked to an imported background.

An openLCA exchange names its provider (``defaultProvider``, the provider process's id): linked to the activity of
that code. Otherwise the exchange is linked to the one activity of the background making its product: the
exchange's name is the product's name (openLCA: the flow; SimaPro: "<product> {GEO}| …", the location in braces),
narrowed by location where the exchange states one. The exchange then names the background (``database``) and
the activity (``input``), and :func:`~.convert.to_factory` links it as ``NAME:<activity>|<product>|<location>``;
what matches nothing or several stays a purchase without background, warned by the converter.
"""

from __future__ import annotations

import re

from ...background.imported import Activity, database_name
from ...background.links import Links
from ...errors import BackgroundError
from .convert import ForeignFile
from .kinds import CONSUMPTION

GEO = re.compile(r"^(?P<product>[^{}]+?)\s*\{(?P<geo>[^{}|]+)\}")


def product_and_location(exc: dict) -> tuple[str, str | None]:
    """The product an exchange buys and where, from its name (SimaPro's '{GEO}') or its ``location``."""
    name = str(exc.get("name") or "")
    m = GEO.match(name)
    if m:
        return m["product"].strip(), m["geo"].strip()
    return name, exc.get("location") or None


def provider(index, exc: dict) -> Activity | None:
    """The background activity an exchange buys from: its default provider's code, else the one making its
    product (at its location, when it states one)."""
    code = (exc.get("defaultProvider") or {}).get("@id")
    if code and code in index.by_code:
        return index.by_code[code]
    product, location = product_and_location(exc)
    found = [a for a in index.by_code.values() if a.product == product and location in (None, a.location)]
    return found[0] if len(found) == 1 else None


def link_background(foreign: ForeignFile, name: str, links: Links | None) -> int:
    """Point the file's unlinked technosphere exchanges at background ``name`` where it has their provider;
    returns how many were. An error if ``name`` is not imported."""
    index = links.index(name) if links is not None else None
    if index is None:
        raise BackgroundError(
            f"no background named {name!r} is imported in the data folder",
            fix="see `lca-engine background list`; import one with `lca-engine background import PATH --name NAME "
            "--licence TEXT`, or leave out --background",
            field="background",
        )
    linked = 0
    for ds in foreign.activities:
        for e in ds.get("exchanges", []):
            if e.get("type") not in CONSUMPTION or e.get("input") or e.get("database"):
                continue
            found = provider(index, e)
            if found is not None:
                e["database"], e["input"] = name, (database_name(name), found.code)
                e.setdefault("notes", []).append(f"provider not in the file: background '{name}' {found.key}")
                linked += 1
    return linked
