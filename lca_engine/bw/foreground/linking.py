"""Exchanges that leave the file: DESNZ factors (``desnz-<year>`` or by name), imported backgrounds, purchases."""

from __future__ import annotations

import re
from collections.abc import Callable

from ...background.catalog import Catalog
from ...background.imported import database_name
from ...background.links import Links
from ...errors import InventoryError, LcaEngineError
from .kinds import MATERIAL_ROUTES, WASTE_ROUTES, dim, kind_by_unit, origin_by_name, pint_unit, split_input

Warn = Callable[[dict, str], None]


class Linker:
    """Turns an exchange to another database into a flow, with the catalogues of each DESNZ year loaded once."""

    def __init__(self, catalog: Catalog | None, year: int, warn: Warn, load: Callable[[int], Catalog]):
        self.year, self.warn, self._load = year, warn, load
        self.catalogs: dict[int, Catalog | None] = {catalog.year: catalog} if catalog is not None else {}

    def catalog(self, year: int) -> Catalog | None:
        if year not in self.catalogs:
            try:
                self.catalogs[year] = self._load(year)
            except LcaEngineError:
                self.catalogs[year] = None
        return self.catalogs[year]

    @property
    def links(self) -> Links | None:
        catalog = self.catalog(self.year)
        return catalog.links if catalog is not None else None

    def flow(self, base: dict, exc: dict, amount: float, me: str, note: str, where: dict) -> dict | None:
        name = base["name"]
        db = str(exc.get("database") or (split_input(exc.get("input")) or ("",))[0])
        m = re.fullmatch(r"desnz-(\d{4})", db)
        if m:
            return self.background(base, exc, int(m.group(1)), amount, me, note, where)
        if db and self.imported(db) is not None:
            return self.linked(base, exc, db, amount, me, note, where)
        if not db:  # Brightway's own exporter writes no 'database' column: match DESNZ factors by name
            catalog = self.catalog(self.year)
            if catalog is not None and factor_key(exc, name, catalog):
                note += f"; linked by name to desnz-{self.year}"
                return self.background(base, exc, self.year, amount, me, note, where)
            self.warn(
                where,
                f"exchange '{name}' matches no activity of the file and no DESNZ {self.year} factor by name: "
                "imported without a background factor, so its upstream impact is not counted",
            )
            return self.purchase(base, amount, me, note + "; no database given, no match: no background", where)
        self.warn(
            where,
            f"exchange '{name}' links to database '{db}', which lca-engine does not have: imported without a "
            "background factor, so its upstream impact is not counted",
        )
        return self.purchase(base, amount, me, note + f"; database '{db}' not available: no background", where)

    # ------------------------------------------------------------------ purchases
    def purchase(self, base: dict, amount: float, me: str, note: str, where: dict, kind: str | None = None):
        kind = kind or kind_by_unit(base["unit"], base["name"])
        if kind is None:
            self.warn(where, f"exchange '{base['name']}' in '{base['unit']}' has no matching flow kind: left out")
            return None
        out = {**base, "from": "market", "to": me, "kind": kind, "amount": amount, "note": note}
        if kind == "material":
            out["origin"] = out.get("origin") or origin_by_name(base["name"])
            if "origin" not in base:
                out["note"] += f"; origin '{out['origin']}' inferred from the name"
        if amount < 0:
            self.warn(where, f"exchange '{base['name']}' is negative (avoided product): imported as an outflow")
            out.update({"from": me, "to": "market", "amount": -amount})
            out.pop("origin", None)
            out.pop("background", None)
            out["note"] += "; negative in the file (avoided product): reversed, no background"
        return out

    # ------------------------------------------------------------------ DESNZ
    def background(self, base: dict, exc: dict, year: int, amount: float, me: str, note: str, where: dict):
        catalog = self.catalog(year)
        if catalog is None:
            self.warn(where, f"no DESNZ background for {year}: '{base['name']}' imported without a factor")
            return self.purchase(base, amount, me, note + f"; desnz-{year} not available", where)
        key = factor_key(exc, base["name"], catalog)
        if key is None:
            raise InventoryError(
                f"exchange '{base['name']}' links to desnz-{year}, but no DESNZ {year} factor has that name or key",
                fix=f"use a factor key or name listed by `lca-engine factors --year {year}`",
                **where,
            )
        factor = catalog.factors[key]
        if dim(base["unit"]) != dim(factor.unit):
            raise InventoryError(
                f"exchange '{base['name']}' is in '{exc.get('unit')}', but factor {key} is per {factor.unit}",
                fix=f"give the amount in a unit of the same kind as {factor.unit}",
                **where,
            )
        base = {**base, "_id": key.removeprefix("desnz.").replace(".", "_"), "background": key}
        parts = key.removeprefix("desnz.").split(".")
        if parts[0] == "waste" or key == "desnz.water.treatment":
            node = "wastewater_treatment" if parts[0] == "water" else WASTE_ROUTES.get(parts[-1], "landfill")
            if amount < 0:
                amount = -amount
                note += "; negative in the file (waste treatment convention): taken as the outflow"
            kind = "water" if parts[0] == "water" else "waste"
            return {**base, "from": me, "to": node, "kind": kind, "amount": amount, "note": note}
        kind = {"material": "material", "freight": "transport", "water": "water"}.get(parts[0])
        if parts[0] == "material":
            base["origin"] = MATERIAL_ROUTES.get(parts[-1], "virgin")
        return self.purchase(base, amount, me, note, where, kind=kind)

    # ------------------------------------------------------------------ imported backgrounds
    def imported(self, db: str) -> str | None:
        """The imported background a Brightway database name means (``NAME`` or ``bg-NAME``), if any."""
        links = self.links
        if links is None:
            return None
        for name in (db, db.removeprefix("bg-")):
            if (name == db or database_name(name) == db) and links.index(name) is not None:
                return name
        return None

    def linked(self, base: dict, exc: dict, db: str, amount: float, me: str, note: str, where: dict):
        name = self.imported(db)
        activity = _imported_activity(self.links.index(name), exc, base["name"])
        if activity is None:
            self.warn(
                where,
                f"exchange '{base['name']}' links to the imported background '{name}', which has no such activity: "
                "imported without a background factor, so its upstream impact is not counted",
            )
            return self.purchase(base, amount, me, note + f"; not found in background '{name}': no background", where)
        unit = pint_unit(activity.unit)
        if unit is None or dim(unit) != dim(base["unit"]):
            raise InventoryError(
                f"exchange '{base['name']}' is in '{exc.get('unit')}', but activity '{activity.key}' of background "
                f"'{name}' is per '{activity.unit}'",
                fix=f"give the amount in a unit of the same kind as '{activity.unit}'",
                **where,
            )
        key = f"{name}:{activity.key}"
        if len(self.links.index(name).by_key.get(activity.key, [])) > 1:
            key = f"{name}:{activity.code}"
        base = {**base, "background": key}
        return self.purchase(base, amount, me, note + f"; linked to background '{name}'", where)


def _imported_activity(index, exc: dict, name: str):
    linked = split_input(exc.get("input"))
    code = linked[1] if linked else exc.get("code")
    if code not in (None, "") and str(code) in index.by_code:
        return index.by_code[str(code)]
    product, location = exc.get("reference product"), exc.get("location")
    if product is not None and location is not None:
        found = index.by_key.get(f"{name}|{product}|{location}", [])
        return found[0] if found else None
    found = [
        a
        for a in index.by_code.values()
        if a.name == name and product in (None, a.product) and location in (None, a.location)
    ]
    return found[0] if len(found) == 1 else None


def factor_key(exc: dict, name: str, catalog: Catalog) -> str | None:
    """The DESNZ factor key an exchange names: by ``input`` code, ``code``, factor name or key."""
    linked = split_input(exc.get("input"))
    candidates = [linked[1]] if linked else []
    candidates += [str(exc["code"])] if exc.get("code") else []
    by_name = {f.name.lower(): k for k, f in catalog.factors.items()}
    candidates += [by_name.get(name.lower(), ""), name]
    return next((c for c in candidates if c in catalog.factors), None)
