"""A foreign foreground (Brightway Excel, openLCA JSON-LD, SimaPro CSV) in bw2io's format → our :class:`Factory`.

Format-neutral and free of Brightway: each reader turns its file into a :class:`ForeignFile` (bw2io-format
activity dicts after the importer's strategies, plus a :class:`Locator` that points back into the original file),
and :func:`to_factory` converts it per one unit of the functional-unit activity's product. The rules (scaling by the
file's own technosphere, kinds, DESNZ and imported-background links, biosphere mapping, negative amounts) are
documented in :mod:`lca_engine.bw.excel`.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from pydantic import ValidationError

from ...background.catalog import Catalog, load_catalog
from ...errors import InventoryError, Problem
from ...model import SECTORS, Factory, Site
from ..project import default_data_dir
from .biosphere import biosphere_flow
from .kinds import CONSUMPTION, PRODUCTION, kind_by_unit, number, pint_unit, slug, unique
from .linking import Linker
from .scaling import Graph, Locator
from .uncertain import with_uncertainty
from .validation import validation_problems


class ForegroundFormat(StrEnum):
    """The file formats a foreground is imported from."""

    EXCEL = "excel"
    JSONLD = "jsonld"
    SIMAPRO = "simapro"


#: How a format is named in descriptions and notes.
LABELS = {
    ForegroundFormat.EXCEL: "Brightway Excel",
    ForegroundFormat.JSONLD: "openLCA JSON-LD",
    ForegroundFormat.SIMAPRO: "SimaPro CSV",
}
UNKNOWN_LICENCE = "unknown — check before use"


class ForeignImportWarning(UserWarning):
    """Something in a foreign foreground file could not be carried over exactly (the message says what)."""


@dataclass(frozen=True)
class ForeignFile:
    """One foreign file read into bw2io's format (see the module docstring)."""

    path: Path
    format: ForegroundFormat
    database: str
    activities: list[dict]
    locator: Locator
    #: the inline source: title, publisher, edition, note (and optionally description, for the factory's)
    provenance: dict = field(default_factory=dict)


def to_factory(
    foreign: ForeignFile,
    *,
    functional_unit: str | None,
    sector: str | None,
    site,
    system: str,
    year: int,
    catalog: Catalog | None = None,
    licence: str | None = None,
    warning: type[ForeignImportWarning] = ForeignImportWarning,
) -> Factory:
    """Our model of ``foreign`` per one unit of the ``functional_unit`` activity (name or code; if None, the only
    activity no other consumes). What cannot be carried over exactly is reported as ``warning``."""
    _check_context(foreign, sector, site)
    _check_exchanges(foreign)
    conv = _Conversion(foreign, catalog, year)
    factory = conv.factory(conv.graph.find_fu(functional_unit), sector, site, system, licence)
    for message in conv.warnings:
        warnings.warn(message, warning, stacklevel=2)
    return factory


def _check_context(foreign: ForeignFile, sector, site) -> None:
    missing = []
    label = LABELS[foreign.format]
    if sector is None:
        missing.append(
            Problem(
                f"a {label} file does not say which sector the factory is in",
                fix="pass sector= (CLI: --sector) with one of: " + ", ".join(repr(s) for s in SECTORS),
                file=str(foreign.path),
            )
        )
    if site is None:
        missing.append(
            Problem(
                f"a {label} file does not give the factory's site",
                fix="pass site={'name': …, 'lat': …, 'lon': …} (CLI: --site 'Ebbw Vale,51.78,-3.21')",
                file=str(foreign.path),
            )
        )
    if missing:
        raise InventoryError(missing)


def _check_exchanges(foreign: ForeignFile) -> None:
    """Every exchange has a name, a numeric amount and a type (a missing unit is looked at per flow)."""
    problems = []
    for a, ds in enumerate(foreign.activities):
        for e, exc in enumerate(ds.get("exchanges", [])):
            missing = [c for c in ("name", "amount", "type") if exc.get(c) in (None, "")]
            if missing:
                problems.append(
                    Problem(
                        f"exchange of activity '{ds.get('name')}' has no {', '.join(missing)}",
                        fix="fill in the missing value(s), or delete the exchange",
                        **foreign.locator.where(a, e),
                    )
                )
            elif not isinstance(number(exc.get("amount")), float):
                problems.append(
                    Problem(
                        f"exchange '{exc.get('name')}' has a non-numeric amount {exc.get('amount')!r}",
                        fix="write a plain number",
                        **foreign.locator.where(a, e),
                    )
                )
    if problems:
        raise InventoryError(problems)


def default_catalog(year: int) -> Catalog:
    """The shipped factors of ``year`` with the imported backgrounds of the default data folder."""
    return load_catalog(year, cache_dir=default_data_dir() / "cache")


class _Conversion:
    def __init__(self, foreign: ForeignFile, catalog: Catalog | None, year: int):
        self.foreign = foreign
        self.acts = foreign.activities
        self.graph = Graph(foreign.path, foreign.database, foreign.activities, foreign.locator)
        self.warnings: list[str] = []
        self.linker = Linker(catalog, year, self.warn, default_catalog)
        self.source_id = f"{foreign.format.value}-{slug(foreign.path.stem).lower()}"

    def warn(self, where: dict, message: str) -> None:
        at = str(where.get("file")) + (f":{where['line']}" if where.get("line") else "")
        at += f" field '{where['field']}'" if where.get("field") else ""
        self.warnings.append(f"{at}: {message}")

    # ------------------------------------------------------------------ steps
    def used(self, s) -> list[int]:
        """Activities in the functional unit's supply chain (non-zero scaling); the others are warned about."""
        used = [j for j in range(len(self.acts)) if abs(s[j]) > 1e-15 and j not in self.graph.products]
        left_out = [
            str(ds.get("name")) for j, ds in enumerate(self.acts) if j not in used and j not in self.graph.products
        ]
        if left_out:
            self.warn(
                {"file": str(self.foreign.path)},
                f"activities outside the functional unit's supply chain are left out: {', '.join(left_out)}",
            )
        return used

    def fu_unit(self, fu: int) -> str:
        ds = self.acts[fu]
        unit = pint_unit(ds.get("unit", "unit"))
        if unit is None:
            raise InventoryError(
                f"unit '{ds.get('unit')}' of the functional-unit activity is not understood",
                fix="use a Brightway unit name such as unit, kilogram, square meter, cubic meter",
                **self.foreign.locator.where(fu),
            )
        return unit

    def cite(self, flow: dict) -> dict:
        """One provenance per number (``rules/provenance``): the file's source, or — for a flow carrying the file's
        distribution — the assumption, whose reasoning then names that source."""
        if "assumption" not in flow:
            return {**flow, "source": self.source_id}
        a = flow["assumption"]
        reasoning = f"amount from source '{self.source_id}' (the file); {a['reasoning']}"
        return {**flow, "assumption": {**a, "reasoning": reasoning}}

    def flows(self, used: list[int], s, pid: dict[int, str], fu: int) -> list[dict]:
        flows: list[dict] = []
        flow_ids: set[str] = set()
        for j in used:
            for e, exc in enumerate(self.acts[j].get("exchanges", [])):
                flow = self.flow(j, e, exc, s[j], pid)
                if flow is None:
                    continue
                flow["id"] = unique(f"{pid[j]}.{slug(flow.pop('_id'))[:48]}", flow_ids)
                flows.append(self.cite(flow))
        product = self.product(fu)
        flows.append(
            {
                "id": unique(f"{pid[fu]}.product", flow_ids),
                "from": pid[fu],
                "to": "market",
                "kind": "product",
                "amount": 1.0,
                "unit": self.fu_unit(fu),
                "name": str(product),
                "source": self.source_id,
                "note": "the functional unit: one unit of the activity's reference product" + self.production_notes(fu),
            }
        )
        return flows

    def production_notes(self, j: int) -> str:
        """What the file says about how much activity ``j`` produces, where a formula gave it."""
        notes = [
            n for x in self.acts[j].get("exchanges", []) if x.get("type") in PRODUCTION for n in x.get("notes", ())
        ]
        return "".join(f"; production {n}" for n in notes)

    def factory(self, fu: int, sector, site, system: str, licence: str | None) -> Factory:
        s = self.graph.scaling(fu)
        used = self.used(s)
        taken: set[str] = set()
        pid = {j: unique(slug(self.acts[j].get("code") or self.acts[j].get("name")), taken) for j in used}
        fu_unit = self.fu_unit(fu)
        data = {
            "id": slug(self.foreign.database),
            "name": self.foreign.database,
            "sector": sector,
            "system": system,
            "description": self.description(fu),
            "site": site.model_dump() if isinstance(site, Site) else site,
            "functional_unit": {"amount": 1.0, "unit": fu_unit, "description": self.product(fu)},
            "processes": [self.process(j, pid) for j in used],
            "flows": self.flows(used, s, pid, fu),
            "sources": {self.source_id: self.source(licence)},
        }
        try:
            return Factory.model_validate(data)
        except ValidationError as exc:
            raise InventoryError(validation_problems(exc, {"file": str(self.foreign.path)})) from None

    def product(self, j: int) -> str:
        p = self.graph.product_node(j)
        ds = self.acts[j] if p is None else self.acts[p]
        return str(ds.get("reference product") or ds.get("name"))

    def process(self, j: int, pid: dict[int, str]) -> dict:
        ds = self.acts[j]
        return {
            "id": pid[j],
            "name": str(ds.get("name", "")),
            **({"description": str(ds["comment"])} if isinstance(ds.get("comment"), str) and ds["comment"] else {}),
        }

    def description(self, fu: int) -> str:
        f = self.foreign
        extra = f.provenance.get("description")
        return (
            f"Imported from the {LABELS[f.format]} file '{f.path.name}' (database '{f.database}'), per one unit of "
            f"'{self.acts[fu].get('name')}'" + (f". {extra}" if isinstance(extra, str) and extra else ".")
        )

    def source(self, licence: str | None) -> dict:
        p = self.foreign.provenance
        note = (
            f"{LABELS[self.foreign.format]} database '{self.foreign.database}', imported by lca-engine; flow amounts "
            "are the file's exchanges times each activity's scaling to one functional unit."
        )
        out = {
            "publisher": p.get("publisher") or "as stated in the file",
            "title": p.get("title") or self.foreign.path.name,
            "licence": licence or UNKNOWN_LICENCE,
            "note": f"{note} {p['note']}" if p.get("note") else note,
        }
        return out | ({"edition": str(p["edition"])} if p.get("edition") else {})

    # ------------------------------------------------------------------ one exchange
    def flow(self, j: int, e: int, exc: dict, scale: float, pid: dict[int, str]) -> dict | None:
        where = self.foreign.locator.where(j, e)
        t, name = exc.get("type"), str(exc.get("name"))
        if t in PRODUCTION:
            return None  # the functional unit's product is added once; other products are the internal flows
        if t not in (*CONSUMPTION, "biosphere"):
            self.warn(where, f"exchange '{name}' of type '{t}' is not a Brightway matrix type: left out")
            return None
        given, taken = self.unit(j, e, exc)
        unit = pint_unit(given)
        if unit is None:
            self.warn(where, f"exchange '{name}': unit '{given}' is not understood: left out")
            return None
        amount = number(exc["amount"]) * scale * (-1 if t == "substitution" else 1)
        origin = "by its formula" if exc.get("formula") else "in the file"
        note = f"{exc.get('amount')} {given} {origin} × scaling {scale:.6g}" + taken
        note += "".join(f"; {x}" for x in exc.get("notes", ()))
        base = {"_id": name, "name": name, "unit": unit}
        flow = self.exchange_flow(j, exc, base, amount, pid, note, where)
        return with_uncertainty(flow, exc, scale, self.warn, where) if flow is not None else None

    def unit(self, j: int, e: int, exc: dict) -> tuple[str, str]:
        """The exchange's unit, else (as in Brightway, where an exchange's unit is its input's) the unit of the
        file's activity it links to, with a note saying so; else a user error at the row (or the table header)."""
        if exc.get("unit") not in (None, ""):
            return exc["unit"], ""
        i = self.graph.raw_link(j, exc) if exc.get("type") != "biosphere" else None
        if i is not None and self.acts[i].get("unit") not in (None, ""):
            return self.acts[i]["unit"], f"; no unit in the file: '{self.acts[i]['unit']}' of the activity it links to"
        name, act = exc.get("name"), self.acts[j].get("name")
        if not any("unit" in x for x in self.acts[j].get("exchanges", [])):
            where = self.foreign.locator.where(j, header=True)
            what = f"the exchange table of activity '{act}' has no 'unit' column, and exchange '{name}'"
        else:
            where, what = self.foreign.locator.where(j, e), f"exchange '{name}' of activity '{act}' has no unit and"
        raise InventoryError(
            f"{what} links to "
            + (
                f"activity '{self.acts[i].get('name')}', which has no unit either"
                if i is not None
                else "no activity of the file whose unit it could take"
            ),
            fix="fill in the unit (a Brightway unit name such as kilogram, kilowatt hour, cubic meter, unit)",
            **where,
        )

    def exchange_flow(self, j, exc, base, amount, pid, note, where) -> dict | None:
        me = pid[j]
        if exc.get("type") == "biosphere":
            flow, why = biosphere_flow(base, exc, amount, me, note)
            if why:
                self.warn(where, why)
            return flow
        i = self.graph.internal_link(j, exc)
        if i is None:
            return self.linker.flow(base, exc, amount, me, note, where)
        if i not in pid:  # supplier not needed by the FU (cannot happen with s from the same matrix)
            return None
        product = str(exc.get("reference product") or self.acts[i].get("reference product") or base["name"])
        base = {**base, "_id": product, "name": product}
        src, dst = pid[i], me
        if amount < 0:
            src, dst, amount = dst, src, -amount
            note += "; negative in the file: direction reversed"
        kind = kind_by_unit(base["unit"], product) or "material"
        return {**base, "from": src, "to": dst, "kind": kind, "amount": amount, "note": note}
