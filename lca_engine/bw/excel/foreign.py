"""Read a foreign Brightway Excel inventory: scale it to its functional unit and map it onto our model."""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import ValidationError

from ...background.catalog import Catalog
from ...errors import InventoryError, LcaEngineError, Problem
from ...model import BOUNDARY_NODES, COMPARTMENTS_TO, SECTORS, Factory, Site
from ...units import parse_unit, ureg
from .cells import (
    _CONSUMPTION,
    _MATERIAL_ROUTES,
    _PRODUCTION,
    _WASTE_ROUTES,
    ExcelImportWarning,
    _default_catalog,
    _Locator,
    _pint_unit,
    _validation_problems,
)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", str(text)).strip("_.-") or "x"


def _unique(base: str, taken: set[str]) -> str:
    out, n = base, 1
    while out in taken or out in BOUNDARY_NODES:
        n += 1
        out = f"{base}-{n}"
    taken.add(out)
    return out


def _dim(unit: str) -> str:
    return str(parse_unit(unit).dimensionality)


_ENERGY = str(ureg.get_dimensionality("[mass] * [length] ** 2 / [time] ** 2"))


_TRANSPORT = str(ureg.get_dimensionality("[mass] * [length]"))


_MASS = str(ureg.get_dimensionality("[mass]"))


_VOLUME = str(ureg.get_dimensionality("[length] ** 3"))


_MATERIAL_DIMS = {_MASS, str(ureg.get_dimensionality("[item]")), str(ureg.get_dimensionality("[length] ** 2")), _VOLUME}


def _kind_by_unit(unit: str, name: str) -> str | None:
    d = _dim(unit)
    if d == _ENERGY:
        return "energy"
    if d == _TRANSPORT:
        return "transport"
    if d in (_VOLUME, _MASS) and "water" in name.lower():
        return "water"
    if d in _MATERIAL_DIMS:
        return "material"
    return None


def _origin_by_name(name: str) -> str:
    low = name.lower()
    if "recycled" in low or "secondary" in low:
        return "recycled"
    if "reused" in low or "re-used" in low or "second-hand" in low:
        return "reused"
    return "virgin"


def _categories(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(c.strip() for c in value.split("::")) if value.strip() else ()
    if isinstance(value, list | tuple):
        return tuple(str(c) for c in value)
    return ()


def _split_input(value: Any) -> tuple[str, str] | None:
    if isinstance(value, str) and "::" in value:
        db, _, code = value.partition("::")
        return db.strip(), code.strip()
    if isinstance(value, list | tuple) and len(value) == 2:
        return str(value[0]), str(value[1])
    return None


class _Foreign:
    def __init__(self, path: Path, imp, loc: _Locator, catalog: Catalog | None, year: int):
        self.path, self.imp, self.loc, self.year = path, imp, loc, year
        self.db = str(imp.db_name)
        self.acts: list[dict] = list(imp.data)
        self.catalogs: dict[int, Catalog | None] = {catalog.year: catalog} if catalog is not None else {}
        self.warnings: list[str] = []
        self._links: dict[int, int | None] = {}
        self.by_code: dict[str, list[int]] = {}
        self.by_name: dict[Any, list[int]] = {}
        for i, ds in enumerate(self.acts):
            if ds.get("code") not in (None, ""):
                self.by_code.setdefault(str(ds["code"]), []).append(i)
            self.by_name.setdefault(ds.get("name"), []).append(i)

    # -------------------------------------------------------------------- helpers
    def warn(self, where: dict, message: str) -> None:
        self.warnings.append(f"{where.get('file')}:{where.get('line')}: {message}")

    def catalog(self, year: int) -> Catalog | None:
        if year not in self.catalogs:
            try:
                self.catalogs[year] = _default_catalog(year)
            except LcaEngineError:
                self.catalogs[year] = None
        return self.catalogs[year]

    def check_columns(self) -> None:
        problems = []
        for a, ds in enumerate(self.acts):
            excs = ds.get("exchanges", [])
            if not excs:
                continue
            columns = set().union(*(e.keys() for e in excs))
            for col in ("name", "amount", "unit", "type"):
                if col in columns:
                    continue
                problems.append(
                    Problem(
                        f"the exchange table of activity '{ds.get('name')}' has no '{col}' column",
                        fix=f"add a '{col}' column (Brightway exchange columns: name, amount, unit, type, database,"
                        " categories, location)",
                        **self.loc.where(a, header=True),
                    )
                )
            for e, exc in enumerate(excs):
                missing = [c for c in ("name", "amount", "unit", "type") if c in columns and c not in exc]
                if missing:
                    problems.append(
                        Problem(
                            f"exchange of activity '{ds.get('name')}' has no {', '.join(missing)}",
                            fix="fill in the cell(s), or delete the row",
                            **self.loc.where(a, e),
                        )
                    )
                elif not isinstance(_number(exc.get("amount")), float):
                    problems.append(
                        Problem(
                            f"exchange '{exc.get('name')}' has a non-numeric amount {exc.get('amount')!r}",
                            fix="write a plain number (formulas are not evaluated)",
                            **self.loc.where(a, e),
                        )
                    )
        if problems:
            raise InventoryError(problems)

    def internal_link(self, a: int, exc: dict) -> int | None:
        """Index of the file's activity an exchange points to, or None if it points outside the file."""
        key = id(exc)
        if key not in self._links:
            self._links[key] = self._link(a, exc)
        return self._links[key]

    def _link(self, a: int, exc: dict) -> int | None:
        linked = _split_input(exc.get("input"))
        db, code = linked if linked else (exc.get("database"), exc.get("code"))
        if db not in (None, "", self.db):
            return None
        if code not in (None, ""):
            hits = list(self.by_code.get(str(code), []))
        else:
            hits = list(self.by_name.get(exc.get("name"), []))
            for field_name in ("reference product", "location", "unit"):
                if len(hits) > 1 and exc.get(field_name) is not None:
                    hits = [i for i in hits if self.acts[i].get(field_name) == exc.get(field_name)] or hits
        if len(hits) == 1:
            return hits[0]
        e = next(i for i, x in enumerate(self.acts[a]["exchanges"]) if x is exc)
        if not hits and db == self.db:
            raise InventoryError(
                f"technosphere exchange '{exc.get('name')}' points to database '{self.db}' but no activity of the "
                "file has that " + ("code" if code not in (None, "") else "name"),
                fix="correct the name (or input/code) so that it matches an 'Activity' block of the file",
                **self.loc.where(a, e),
            )
        if len(hits) > 1:
            raise InventoryError(
                f"technosphere exchange '{exc.get('name')}' matches {len(hits)} activities of the file",
                fix="add 'reference product', 'location' or 'code' columns to tell them apart",
                **self.loc.where(a, e),
            )
        return None

    def find_fu(self, functional_unit: str | None) -> int:
        names = [str(ds.get("name")) for ds in self.acts]
        if not self.acts:
            raise InventoryError(
                "the file has a 'Database' block but no 'Activity' blocks",
                fix="add Activity blocks with their Exchanges",
                file=str(self.path),
            )
        if functional_unit is None:
            consumed = {
                self.internal_link(a, e)
                for a, ds in enumerate(self.acts)
                for e in ds.get("exchanges", [])
                if e.get("type") in _CONSUMPTION
            }
            roots = [i for i in range(len(self.acts)) if i not in consumed]
            if len(roots) == 1:
                return roots[0]
            raise InventoryError(
                "name the functional-unit activity: the file has "
                + ("no activity that others do not consume" if not roots else f"{len(roots)} candidates"),
                fix="pass functional_unit= (CLI: --functional-unit) with one of: "
                + ", ".join(repr(names[i]) for i in (roots or range(len(names))))[:600],
                file=str(self.path),
            )
        hits = [i for i, ds in enumerate(self.acts) if functional_unit in (ds.get("name"), str(ds.get("code", "")))]
        if not hits:
            hits = [
                i
                for i, ds in enumerate(self.acts)
                if functional_unit.strip().lower() in (str(ds.get("name", "")).lower(), str(ds.get("code", "")).lower())
            ]
        if len(hits) == 1:
            return hits[0]
        if not hits:
            raise InventoryError(
                f"no activity named '{functional_unit}' in database '{self.db}'",
                fix="use the name (column B of an 'Activity' row) or code of one of: "
                + ", ".join(repr(n) for n in names)[:600],
                file=str(self.path),
            )
        raise InventoryError(
            f"{len(hits)} activities are named '{functional_unit}'",
            fix="name the activity by its code: " + ", ".join(repr(str(self.acts[i].get("code"))) for i in hits),
            file=str(self.path),
        )

    def scaling(self, fu: int) -> np.ndarray:
        n = len(self.acts)
        A = np.zeros((n, n))
        has_production = [False] * n
        for j, ds in enumerate(self.acts):
            for exc in ds.get("exchanges", []):
                t, amount = exc.get("type"), _number(exc.get("amount"))
                if t in _PRODUCTION:
                    i = self.internal_link(j, exc) if (exc.get("input") or exc.get("database")) else j
                    if i is None or i == j:
                        A[j, j] += amount
                        has_production[j] = True
                elif t in _CONSUMPTION:
                    i = self.internal_link(j, exc)
                    if i is not None:
                        A[i, j] += amount if t == "substitution" else -amount
        for j in range(n):
            if not has_production[j]:
                A[j, j] += 1.0  # Brightway's implicit production of 1
        f = np.zeros(n)
        f[fu] = 1.0
        singular = InventoryError(
            f"the technosphere matrix of the {n} activities in '{self.db}' is singular: the functional unit's "
            "supply chain has no unique solution",
            fix="check production amounts (none may be 0) and loops that consume all of their own output",
            file=str(self.path),
        )
        try:
            if np.linalg.cond(A) > 1e12:
                raise singular
            s = np.linalg.solve(A, f)
        except np.linalg.LinAlgError:
            raise singular from None
        if not np.all(np.isfinite(s)):
            raise singular
        return s

    # -------------------------------------------------------------------- conversion
    def convert(self, fu: int, sector, site, system) -> Factory:
        s = self.scaling(fu)
        used = [j for j in range(len(self.acts)) if abs(s[j]) > 1e-15]
        left_out = [str(self.acts[j].get("name")) for j in range(len(self.acts)) if j not in used]
        if left_out:
            self.warn(
                {"file": str(self.path)},
                f"activities outside the functional unit's supply chain are left out: {', '.join(left_out)}",
            )
        taken: set[str] = set()
        pid = {j: _unique(_slug(self.acts[j].get("code") or self.acts[j].get("name")), taken) for j in used}
        source_id = "bw-excel-" + _slug(self.path.stem).lower()
        fu_ds = self.acts[fu]
        fu_unit = _pint_unit(fu_ds.get("unit", "unit"))
        if fu_unit is None:
            raise InventoryError(
                f"unit '{fu_ds.get('unit')}' of the functional-unit activity is not understood",
                fix="use a Brightway unit name such as unit, kilogram, square meter, cubic meter",
                **self.loc.where(fu),
            )
        flows: list[dict] = []
        flow_ids: set[str] = set()
        for j in used:
            ds = self.acts[j]
            for e, exc in enumerate(ds.get("exchanges", [])):
                flow = self.flow(j, e, exc, s[j], pid, fu)
                if flow is None:
                    continue
                flow["id"] = _unique(f"{pid[j]}.{_slug(flow.pop('_id'))[:48]}", flow_ids)
                flow["source"] = source_id
                flows.append(flow)
        flows.append(
            {
                "id": _unique(f"{pid[fu]}.product", flow_ids),
                "from": pid[fu],
                "to": "market",
                "kind": "product",
                "amount": 1.0,
                "unit": fu_unit,
                "name": str(fu_ds.get("reference product") or fu_ds.get("name")),
                "source": source_id,
                "note": "the functional unit: one unit of the activity's reference product",
            }
        )
        processes = [
            {
                "id": pid[j],
                "name": str(self.acts[j].get("name", "")),
                **({"description": str(self.acts[j]["comment"])} if self.acts[j].get("comment") else {}),
            }
            for j in used
        ]
        site_data = site.model_dump() if isinstance(site, Site) else site
        meta_desc = self.imp.metadata.get("description") if self.imp.metadata else None
        data = {
            "id": _slug(self.db),
            "name": self.db,
            "sector": sector,
            "system": system,
            "description": (
                f"Imported from the Brightway Excel file '{self.path.name}' (database '{self.db}'), per one unit of "
                f"'{fu_ds.get('name')}'" + (f". {meta_desc}" if isinstance(meta_desc, str) else ".")
            ),
            "site": site_data,
            "functional_unit": {
                "amount": 1.0,
                "unit": fu_unit,
                "description": str(fu_ds.get("reference product") or fu_ds.get("name")),
            },
            "processes": processes,
            "flows": flows,
            "sources": {
                source_id: {
                    "publisher": "as stated in the file",
                    "title": self.path.name,
                    "licence": "unknown — check before use",
                    "note": f"Brightway Excel database '{self.db}', imported by lca-engine; flow amounts are the "
                    "file's exchanges times each activity's scaling to one functional unit.",
                }
            },
        }
        try:
            return Factory.model_validate(data)
        except ValidationError as exc:
            raise InventoryError(_validation_problems(exc, "", {"file": str(self.path)})) from None

    def flow(self, j: int, e: int, exc: dict, scale: float, pid: dict[int, str], fu: int) -> dict | None:
        where = self.loc.where(j, e)
        t = exc.get("type")
        name = str(exc.get("name"))
        if t in _PRODUCTION:
            return None  # the functional unit's product is added once; other products are the internal flows
        if t not in (*_CONSUMPTION, "biosphere"):
            self.warn(where, f"exchange '{name}' of type '{t}' is not a Brightway matrix type: left out")
            return None
        unit = _pint_unit(exc.get("unit"))
        if unit is None:
            self.warn(where, f"exchange '{name}': unit '{exc.get('unit')}' is not understood: left out")
            return None
        amount = _number(exc["amount"]) * scale
        if t == "substitution":
            amount = -amount
        me = pid[j]
        note = f"{exc.get('amount')} {exc.get('unit')} in the file × scaling {scale:.6g}"
        base = {"_id": name, "name": name, "unit": unit}
        if t == "biosphere":
            return self.biosphere(base, exc, amount, me, note, where)
        i = self.internal_link(j, exc)
        if i is not None:
            if i not in pid:  # supplier not needed by the FU (cannot happen with s from the same matrix)
                return None
            product = str(exc.get("reference product") or self.acts[i].get("reference product") or name)
            base = {**base, "_id": product, "name": product}
            kind = _kind_by_unit(unit, product) or "material"
            src, dst = pid[i], me
            if amount < 0:
                src, dst, amount = dst, src, -amount
                note += "; negative in the file: direction reversed"
            return {**base, "from": src, "to": dst, "kind": kind, "amount": amount, "note": note}
        db = str(exc.get("database") or (_split_input(exc.get("input")) or ("",))[0])
        m = re.fullmatch(r"desnz-(\d{4})", db)
        if m:
            return self.background(base, exc, int(m.group(1)), amount, me, note, where)
        if not db:  # Brightway's own exporter writes no 'database' column: match DESNZ factors by name
            catalog = self.catalog(self.year)
            if catalog is not None and self.factor_key(exc, base["name"], catalog):
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

    @staticmethod
    def factor_key(exc: dict, name: str, catalog: Catalog) -> str | None:
        linked = _split_input(exc.get("input"))
        candidates = [linked[1]] if linked else []
        candidates += [str(exc["code"])] if exc.get("code") else []
        by_name = {f.name.lower(): k for k, f in catalog.factors.items()}
        candidates += [by_name.get(name.lower(), ""), name]
        return next((c for c in candidates if c in catalog.factors), None)

    def purchase(self, base: dict, amount: float, me: str, note: str, where: dict, kind: str | None = None) -> dict:
        kind = kind or _kind_by_unit(base["unit"], base["name"])
        if kind is None:
            self.warn(where, f"exchange '{base['name']}' in '{base['unit']}' has no matching flow kind: left out")
            return None
        out = {**base, "from": "market", "to": me, "kind": kind, "amount": amount, "note": note}
        if kind == "material":
            out["origin"] = out.get("origin") or _origin_by_name(base["name"])
            if "origin" not in base:
                out["note"] += f"; origin '{out['origin']}' inferred from the name"
        if amount < 0:
            self.warn(where, f"exchange '{base['name']}' is negative (avoided product): imported as an outflow")
            out.update({"from": me, "to": "market", "amount": -amount})
            out.pop("origin", None)
            out.pop("background", None)
            out["note"] += "; negative in the file (avoided product): reversed, no background"
        return out

    def background(self, base: dict, exc: dict, year: int, amount: float, me: str, note: str, where: dict):
        catalog = self.catalog(year)
        if catalog is None:
            self.warn(where, f"no DESNZ background for {year}: '{base['name']}' imported without a factor")
            return self.purchase(base, amount, me, note + f"; desnz-{year} not available", where)
        key = self.factor_key(exc, base["name"], catalog)
        if key is None:
            raise InventoryError(
                f"exchange '{base['name']}' links to desnz-{year}, but no DESNZ {year} factor has that name or key",
                fix=f"use a factor key or name listed by `lca-engine factors --year {year}`",
                **where,
            )
        factor = catalog.factors[key]
        if _dim(base["unit"]) != _dim(factor.unit):
            raise InventoryError(
                f"exchange '{base['name']}' is in '{exc.get('unit')}', but factor {key} is per {factor.unit}",
                fix=f"give the amount in a unit of the same kind as {factor.unit}",
                **where,
            )
        base = {**base, "_id": key.removeprefix("desnz.").replace(".", "_"), "background": key}
        parts = key.removeprefix("desnz.").split(".")
        if parts[0] == "waste" or key == "desnz.water.treatment":
            node = "wastewater_treatment" if parts[0] == "water" else _WASTE_ROUTES.get(parts[-1], "landfill")
            if amount < 0:
                amount = -amount
                note += "; negative in the file (waste treatment convention): taken as the outflow"
            kind = "water" if parts[0] == "water" else "waste"
            return {**base, "from": me, "to": node, "kind": kind, "amount": amount, "note": note}
        kind = {"material": "material", "freight": "transport", "water": "water"}.get(parts[0]) or _kind_by_unit(
            base["unit"], base["name"]
        )
        if parts[0] == "material":
            base["origin"] = _MATERIAL_ROUTES.get(parts[-1], "virgin")
        return self.purchase(base, amount, me, note, where, kind=kind)

    def biosphere(self, base: dict, exc: dict, amount: float, me: str, note: str, where: dict) -> dict | None:
        cats = _categories(exc.get("categories"))
        top = cats[0] if cats else ""
        d = _dim(base["unit"])
        name = base["name"]
        if len(cats) > 1:
            note += f"; categories {'::'.join(cats)} taken as '{top}'"
        if amount < 0:
            self.warn(where, f"biosphere exchange '{name}' is negative: not representable, left out")
            return None
        if top in COMPARTMENTS_TO:
            if d == _MASS:
                return {
                    **base,
                    "from": me,
                    "to": "environment",
                    "kind": "emission",
                    "substance": name,
                    "compartment": top,
                    "amount": amount,
                    "note": note,
                }
            if d == _VOLUME and name.lower().startswith("water"):
                return {
                    **base,
                    "from": me,
                    "to": "environment",
                    "kind": "water",
                    "compartment": top,
                    "amount": amount,
                    "note": note,
                }
        elif top == "natural resource":
            sub = cats[1].lower() if len(cats) > 1 else ""
            if "water" in name.lower() and d in (_VOLUME, _MASS):
                comp = "ground water" if "ground" in sub or "well" in name.lower() else "surface water"
                return {
                    **base,
                    "from": "environment",
                    "to": me,
                    "kind": "water",
                    "compartment": comp,
                    "amount": amount,
                    "note": note,
                }
            if d == _ENERGY:
                comp = "air" if "air" in sub or not sub else "soil" if "ground" in sub else "air"
                return {
                    **base,
                    "from": "environment",
                    "to": me,
                    "kind": "energy",
                    "compartment": comp,
                    "amount": amount,
                    "note": note,
                }
        self.warn(
            where,
            f"biosphere exchange '{name}' ({'::'.join(cats) or 'no category'}, {exc.get('unit')}) "
            "has no counterpart in the lca-engine model: left out",
        )
        return None


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _read_foreign(path, imp, meta, loc, functional_unit, sector, site, system, year, catalog) -> Factory:
    conv = _Foreign(path, imp, loc, catalog, year)
    conv.check_columns()
    missing = []
    if sector is None and meta.get("sector") in SECTORS:
        sector = meta["sector"]
    if sector is None:
        missing.append(
            Problem(
                "a foreign Brightway file does not say which sector the factory is in",
                fix="pass sector= (CLI: --sector) with one of: " + ", ".join(repr(s) for s in SECTORS),
                file=str(path),
            )
        )
    if site is None:
        missing.append(
            Problem(
                "a foreign Brightway file does not give the factory's site",
                fix="pass site={'name': …, 'lat': …, 'lon': …} (CLI: --site 'Ebbw Vale,51.78,-3.21')",
                file=str(path),
            )
        )
    if missing:
        raise InventoryError(missing)
    fu = conv.find_fu(functional_unit)
    factory = conv.convert(fu, sector, site, system)
    for message in conv.warnings:
        warnings.warn(message, ExcelImportWarning, stacklevel=3)
    return factory
