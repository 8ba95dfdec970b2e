"""An openLCA JSON-LD export (a folder or its zip; olca-schema 1 or 2) as a foreground, through bw2io's
``JSONLDImporter`` with the strategies of the background import (:mod:`lca_engine.bw.importers.jsonld`).

Before bw2io opens anything: the limits of ``background import`` (file count and size; a zip judged by its
directory — entries, declared size, no name escaping its folder — then extracted with each entry capped), every
``<section>/<id>.json`` parsed on its own (broken JSON named by file and line), and every process's exchanges
checked (a list; a numeric amount and a flow reference each: named by file and ``exchanges[k]``). Then:

* the functional unit is the product system's reference process and target amount (``--functional-unit`` names
  the product system, or a process, when the export holds several or none); a product system's process links are
  the links (openLCA calculates with those, not with default providers); a reference process missing from the
  export is an error naming the product system's file;
* elementary flows take biosphere3-style categories from their openLCA category path ("Elementary flows/Emission
  to air/…" → ``air``; "Resource/in water" → ``natural resource``, ``in water``);
* waste flows in Brightway's convention (:func:`waste_as_negative`: the mass flows from the process to its
  treatment), a process without location at GLO (bw2io needs one);
* exchanges keep their openLCA uncertainty (log-normal, normal, triangle, uniform) as bw2io's fields
  (:mod:`lca_engine.bw.importers.olca_uncertainty`, as the background import), and a note naming the process uuid,
  the exchange's ``internalId`` and its position ``exchanges[k]``;
* a multi-output process is allocated by bw2io (``<process id>.<product id>`` per product);
* processes of our own JSON-LD export that stand for a DESNZ factor ("… (desnz-<year>::<key>)") are not
  foreground: exchanges from them link to ``desnz-<year>`` and that key, as the TOML had them.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ...errors import InventoryError, Problem
from ...model import COMPARTMENTS_TO
from ..quiet import quiet
from .convert import ForegroundFormat, ForeignFile
from .read import ForegroundReader, Read, by_product, check_units, sha256

ID = "olca internalId"
WASTE = "olca waste flow"
#: our own export names the process of a background factor "<factor name> (desnz-<year>::<key>)"
OURS = re.compile(r"\((?P<db>desnz-\d{4})::(?P<key>[^()]+)\)$")
#: openLCA elementary-flow contexts ('Emission to air', FEDEFL's 'emission/air', 'Resource') → biosphere3's top category
CONTEXTS = {
    **{c: c for c in COMPARTMENTS_TO},
    **{f"emission to {c}": c for c in COMPARTMENTS_TO},
    "ground": "soil",
    "resource": "natural resource",
    "resources": "natural resource",
}
SHOWN = 20


@dataclass
class Export:
    """The export's entities as read (by section and @id) and where each came from."""

    folder: Path
    shown: str  # the path as the user gave it (the zip, or the folder)
    sections: dict[str, dict[str, dict]] = field(default_factory=dict)

    def file(self, section: str, uid: str) -> str:
        return f"{self.shown}/{section}/{uid}.json"


def obj(value) -> dict:
    """``value`` if it is a JSON object, else an empty one (an export may hold null or text where a reference is)."""
    return value if isinstance(value, dict) else {}


def process_id(code) -> str:
    """The openLCA process id of an activity's code (bw2io codes an allocated product '<process id>.<flow id>')."""
    return str(code or "").split(".")[0]


class Locator:
    """Activity → its process file; exchange → ``exchanges[k]`` of that file (found by ``internalId``)."""

    def __init__(self, export: Export, activities: list[dict]) -> None:
        self.export, self.acts = export, activities

    def where(self, activity: int, exchange: int | None = None, *, header: bool = False) -> dict:
        ds = self.acts[activity]
        uid = process_id(ds.get("code"))
        out = {"file": self.export.file("processes", uid)}
        if exchange is not None and not header:
            e = ds["exchanges"][exchange]
            k = raw_index(self.export, uid, e)
            out["field"] = f"exchanges[{k}]" if k is not None else f"exchanges (internalId {e.get(ID)})"
        return out


class JsonLdReader(ForegroundReader):
    format = ForegroundFormat.JSONLD
    expects = "an openLCA JSON-LD export: a folder (or its .zip) holding processes/, flows/ and unit_groups/"

    @classmethod
    def detect(cls, path: Path) -> bool:
        if path.is_dir():
            return (path / "processes").is_dir()
        if not (path.is_file() and path.suffix.lower() == ".zip"):
            return False
        try:
            with zipfile.ZipFile(path) as zf:
                return any(n.replace("\\", "/").lstrip("./").startswith("processes/") for n in zf.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return False

    def read(self, path: Path, functional_unit: str | None) -> Read:
        with tempfile.TemporaryDirectory(prefix="lca-engine-jsonld-") as tmp:
            folder = unpacked(path, Path(tmp) / "export")
            export = check_processes(Export(folder, str(path), load_sections(folder, str(path))))
            system = choose_system(export, functional_unit)
            database = database_name(system, path)
            acts = run_bw2io(folder, path, database)
            foreign, fu, amount, stated = build(export, acts, system, functional_unit, database)
            shutil.rmtree(Path(tmp) / "export", ignore_errors=True)
        return Read(foreign, fu, amount, stated)


# ---------------------------------------------------------------------------------------------- reading
def unpacked(path: Path, target: Path) -> Path:
    """The export's folder: the folder itself, or the zip extracted into ``target`` — within the limits of
    ``background import`` (files, bytes; a zip's directory checked before anything is inflated)."""
    from ...background.import_input import extract_zip, input_files, is_zip
    from ...errors import BackgroundImportError

    try:
        if is_zip(path):
            return extract_zip(path, target)
        input_files(path)
        return path
    except BackgroundImportError as exc:  # the same refusals, for an inventory
        raise InventoryError(exc.problems) from None


def load_sections(folder: Path, shown: str) -> dict[str, dict[str, dict]]:
    """Every ``<section>/<id>.json`` parsed (what openLCA keeps elsewhere, e.g. ``bin/`` layouts, is not read);
    broken JSON or a file that is not an object is named."""
    out: dict[str, dict[str, dict]] = {}
    problems = []
    for f in sorted(folder.glob("*/*.json")):
        rel = f.relative_to(folder).as_posix()
        try:
            obj = json.loads(f.read_text(encoding="utf-8-sig"))
        except UnicodeDecodeError:
            problems.append(Problem("the file is not UTF-8 text", fix=_FIX, file=f"{shown}/{rel}"))
            continue
        except json.JSONDecodeError as exc:
            problems.append(Problem(f"broken JSON: {exc.msg}", fix=_FIX, file=f"{shown}/{rel}", line=exc.lineno))
            continue
        if not isinstance(obj, dict):
            problems.append(Problem("a JSON-LD entity must be a JSON object", fix=_FIX, file=f"{shown}/{rel}"))
        else:
            out.setdefault(rel.split("/")[0], {})[str(obj.get("@id") or f.stem)] = obj
    if problems:
        raise InventoryError(problems[:SHOWN])
    if not out.get("processes"):
        raise InventoryError("the export holds no process (processes/*.json)", fix=_FIX, file=shown, field="processes")
    return out


_FIX = "export the product system again from openLCA (File > Export > JSON-LD), or repair the named file"


def _names(obj: dict) -> set[str]:
    return {str(obj.get("@id") or ""), str(obj.get("name") or "")} - {""}


def choose_system(export: Export, functional_unit: str | None) -> dict | None:
    """The product system the functional unit comes from, or None (the user named a process, or there is none)."""
    systems = list(export.sections.get("product_systems", {}).values())
    if functional_unit is not None:
        named = [s for s in systems if functional_unit.strip() in _names(s)]
        return _checked(export, named[0]) if len(named) == 1 else None
    if len(systems) > 1:
        raise InventoryError(
            f"the export holds {len(systems)} product systems",
            fix="name one with --functional-unit (functional_unit=): "
            + ", ".join(repr(str(s.get("name"))) for s in systems)[:600],
            file=export.shown,
            field="product_systems",
        )
    return _checked(export, systems[0]) if systems else None


def _exchange_problems(export: Export, uid: str, proc: dict) -> list[Problem]:
    excs = proc.get("exchanges")
    if not isinstance(excs, list):
        return [Problem("a process needs a list of exchanges", fix=_FIX, file=export.file("processes", uid),
                        field="exchanges")]  # fmt: skip
    bad = []
    for k, e in enumerate(excs):
        amount = obj(e).get("amount")
        if isinstance(amount, bool) or not isinstance(amount, int | float) or not obj(obj(e).get("flow")).get("@id"):
            bad.append(
                Problem(
                    "an exchange needs a numeric 'amount' and a 'flow' with an '@id'",
                    fix=_FIX,
                    file=export.file("processes", uid),
                    field=f"exchanges[{k}]",
                )
            )
    return bad


def check_processes(export: Export) -> Export:
    """Every process has a list of exchanges, each with a number for amount and a flow reference: named by file
    and field before bw2io reads them (bw2io stops at the first with a TypeError)."""
    problems = [p for uid, proc in export.sections["processes"].items() for p in _exchange_problems(export, uid, proc)]
    if problems:
        raise InventoryError(problems[:SHOWN])
    return export


def reference_process(system: dict | None) -> str | None:
    """The product system's reference process id (olca-schema 1 ``referenceProcess``, 2 ``refProcess``)."""
    system = obj(system)
    return obj(system.get("referenceProcess") or system.get("refProcess")).get("@id")


def _checked(export: Export, system: dict) -> dict:
    ref = reference_process(system)
    if ref not in export.sections["processes"]:
        raise InventoryError(
            f"the product system's reference process {ref!r} is not in the export",
            fix="export the product system with its processes (openLCA: export the product system, which takes "
            "its processes along)",
            file=export.file("product_systems", str(system.get("@id"))),
            field="referenceProcess",
        )
    return system


def database_name(system: dict | None, path: Path) -> str:
    """The product system's name (the factory's name and id; cut to 120 characters, as an id may have at most
    128), else the file's."""
    name = " ".join(str(obj(system).get("name") or "").split())
    return (name if len(name) <= 120 else name[:119].rstrip() + "…") if name else path.stem


def run_bw2io(folder: Path, path: Path, database: str) -> list[dict]:
    """bw2io's JSON-LD importer and the background import's strategies; each exchange keeps its ``internalId``."""
    from ..importers.base import apply_strategies
    from ..importers.jsonld import JsonLd

    try:
        with quiet(), warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            warnings.simplefilter("ignore", ResourceWarning)  # bw2io's extractor leaves its files to the collector
            imp = JsonLd(folder).importer(folder, database, prepare=prepared)
            apply_strategies(imp)
    except InventoryError:
        raise
    except Exception as exc:  # bw2io raises whatever its strategies met in the data
        raise InventoryError(
            f"Brightway's JSON-LD importer could not read the export: {type(exc).__name__}: {exc}",
            fix=_FIX,
            file=str(path),
        ) from None
    categories = {b["code"]: b.get("categories") for b in imp.biosphere_database}
    for ds in imp.data:
        for e in ds.get("exchanges", []):
            if e.get("type") == "biosphere" and e.get("input"):
                e["categories"] = biosphere_categories(categories.get(e["input"][1]) or ())
    return imp.data


def prepared(data: dict) -> dict:
    """The export's raw entities as bw2io's strategies read them: as the background import prepares them
    (olca-schema 1 upgraded, the stated amount of uncertain exchanges kept for their distribution), a process
    without location at GLO, each exchange's ``internalId`` kept, and waste in Brightway's convention
    (:func:`waste_as_negative`; its distribution follows the sign)."""
    from ..importers.jsonld import prepared as importer_prepared

    importer_prepared(data)
    for proc in data.get("processes", {}).values():
        if not isinstance(proc.get("location"), dict):  # optional in openLCA; bw2io needs one
            proc["location"] = {"@type": "Location", "name": "GLO"}
        for e in proc.get("exchanges", []):
            e[ID] = e.get("internalId")
    return waste_as_negative(data)


def waste_as_negative(data: dict) -> dict:
    """openLCA's waste flows (an output of the process making the waste, the input of its treatment) as Brightway's
    products of negative amount: the waste output an input of minus the amount, the treatment's waste input a
    production of minus it — bw2io reads no waste input ('Inputs must be products') and would take a waste output
    for a co-product. The mass then flows from the process to its treatment, scaled by the file's links."""
    waste = {k for k, f in data.get("flows", {}).items() if isinstance(f, dict) and f.get("flowType") == "WASTE_FLOW"}
    for k in waste:
        data["flows"][k]["flowType"] = "PRODUCT_FLOW"
    for proc in data.get("processes", {}).values():
        for e in proc.get("exchanges", []):
            flow = e.get("flow") or {}
            if flow.get("@id") in waste or flow.get("flowType") == "WASTE_FLOW":
                e["flow"] = {**flow, "flowType": "PRODUCT_FLOW"}
                e["input"] = e["isInput"] = not (e.get("isInput") or e.get("input"))
                e["amount"] = -float(e.get("amount") or 0.0)
                e[WASTE] = True
    return data


def biosphere_categories(path) -> tuple[str, ...]:
    """openLCA's category path of an elementary flow → biosphere3's (top, sub) categories."""
    parts = [str(p).strip() for p in path if str(p).strip()]
    if parts and parts[0].lower() == "elementary flows":
        parts = parts[1:]
    if len(parts) > 1 and parts[0].lower() == "emission":
        parts = parts[1:]
    if not parts:
        return ()
    top = CONTEXTS.get(parts[0].lower())
    if top is None:
        return tuple(parts)
    sub = [p for p in parts[1:] if p.lower() != "unspecified"]
    return (top, *sub)


# ---------------------------------------------------------------------------------------------- building
def build(export: Export, acts: list[dict], system: dict | None, functional_unit: str | None, database: str):
    """(ForeignFile, functional-unit code, amount, what the file states) from bw2io's activities."""
    path = Path(export.shown)
    acts = link_ours(acts)
    if system is not None:
        relink(acts, system)
    for ds in acts:
        uid = process_id(ds.get("code"))
        for e in ds.get("exchanges", []):
            k = raw_index(export, uid, e)
            e.setdefault("notes", []).append(f"openLCA process {uid}, exchange internalId {e.get(ID)} (exchanges[{k}])")
            if e.get(WASTE):
                e["notes"].append("an openLCA waste flow, as a negative amount (Brightway's convention)")
    fu = reference_process(system) or by_product(acts, functional_unit)
    amount, stated = target(export, system, acts)
    foreign = ForeignFile(
        path=path,
        format=ForegroundFormat.JSONLD,
        database=database,
        activities=acts,
        locator=Locator(export, acts),
        provenance=provenance(export, system, fu, path),
    )
    return check_units(foreign), fu, amount, stated


def raw_index(export: Export, uid: str, e: dict) -> int | None:
    """The position of bw2io's exchange ``e`` in its process file: by ``internalId`` and flow id (exports of the
    US Federal LCA Commons repeat an internalId within a process)."""
    raw = export.sections.get("processes", {}).get(uid, {}).get("exchanges", [])
    hits = [i for i, r in enumerate(raw) if r.get("internalId") == e.get(ID)]
    same = [i for i in hits if (raw[i].get("flow") or {}).get("@id") == e.get("code")]
    return (same or hits or [None])[0]


def link_ours(acts: list[dict]) -> list[dict]:
    """Processes of our own export that stand for a DESNZ factor leave the foreground: exchanges from them link
    to that factor (``desnz-<year>``, input ``(desnz-<year>, key)``)."""
    ours = {ds.get("code"): m for ds in acts if (m := OURS.search(str(ds.get("name") or "")))}
    for ds in acts:
        for e in ds.get("exchanges", []):
            m = ours.get((e.get("input") or (None, None))[1])
            if m is not None and ds.get("code") not in ours:
                e["input"], e["database"] = (m["db"], m["key"]), m["db"]
                e.setdefault("notes", []).append(f"linked to {m['db']} factor {m['key']} (an lca-engine export)")
    return [ds for ds in acts if ds.get("code") not in ours]


def relink(acts: list[dict], system: dict) -> None:
    """A product system's process links are the technosphere: each linked exchange takes its provider (an allocated
    provider: its dataset of the linked product); an input of a product the system does not link is cut off, as
    openLCA calculates it."""
    links = {
        (str(obj(lk.get("process")).get("@id")), obj(lk.get("exchange")).get("internalId")): (
            str(obj(lk.get("provider")).get("@id")),
            str(obj(lk.get("flow")).get("@id")),
        )
        for lk in map(obj, system.get("processLinks") or [])
    }
    codes = {ds.get("code") for ds in acts}
    for ds in acts:
        for e in ds.get("exchanges", []):
            if e.get("type") != "technosphere" or str(e.get("database", "")).startswith("desnz-"):
                continue
            provider, flow = links.get((process_id(ds.get("code")), e.get(ID)), ("", ""))
            code = next((c for c in (provider, f"{provider}.{flow}") if c in codes), None)
            if code is not None:
                e["input"] = (ds["database"], code)
            elif e.get("input"):
                e["input"] = None
                e.setdefault("notes", []).append("the product system does not link this input: cut off")


def target(export: Export, system: dict | None, acts: list[dict]) -> tuple[float, str]:
    """The product system's target amount in the reference process's unit, and the words for it."""
    if system is None:
        return 1.0, ""
    from ...errors import UnitError
    from ...units import convert
    from .kinds import pint_unit

    where = {"file": export.file("product_systems", str(system.get("@id"))), "field": "targetAmount"}
    amount, unit = system.get("targetAmount", 1.0), str(obj(system.get("targetUnit")).get("name") or "")
    if isinstance(amount, bool) or not isinstance(amount, int | float) or not amount > 0:
        raise InventoryError(
            f"the product system's target amount {amount!r} is not a positive number", fix=_FIX, **where
        )
    ds = next((d for d in acts if d.get("code") == reference_process(system)), {})
    ours, theirs = pint_unit(ds.get("unit")), pint_unit(unit)
    try:
        amount = convert(float(amount), theirs, ours) if ours and theirs and ours != theirs else float(amount)
    except UnitError:
        raise InventoryError(
            f"the product system's target unit '{unit}' is not a unit of its reference product ('{ds.get('unit')}')",
            fix=_FIX,
            **{**where, "field": "targetUnit"},
        ) from None
    return amount, f"product system '{system.get('name')}': {system.get('targetAmount')} {unit}".strip()


def _actor(doc: dict, key: str) -> str:
    return str(obj(doc.get(key)).get("name") or "")


def provenance(export: Export, system: dict | None, fu: str | None, path: Path) -> dict:
    """What the export states about itself: the reference process's documentation, the product system."""
    procs = export.sections["processes"]
    ref = procs.get(process_id(fu), {}) if fu else {}
    doc = obj(ref.get("processDocumentation"))
    parts = [f"file {path.name}, SHA-256 {sha256(path)}"]
    if system is not None:
        parts.append(f"product system '{system.get('name')}' ({system.get('@id')}), version {system.get('version')}")
    if ref:
        parts.append(
            f"reference process '{ref.get('name')}' ({ref.get('@id')}), version {ref.get('version')}, last change "
            f"{ref.get('lastChange')}, valid from {doc.get('validFrom') or ref.get('validFrom')} until "
            f"{doc.get('validUntil') or ref.get('validUntil')}"
        )
    roles = ("dataSetOwner", "dataGenerator", "dataDocumentor", "reviewer")
    parts += [f"{k}: {_actor(doc, k)}" for k in roles if _actor(doc, k)]
    if obj(doc.get("publication")).get("name"):
        parts.append(f"publication: {doc['publication']['name']}")
    if doc.get("restrictionsDescription"):
        parts.append(f"access and use restrictions: {' '.join(str(doc['restrictionsDescription']).split())[:1200]}")
    return {
        "title": str((system or ref).get("name") or path.name) + f" (openLCA JSON-LD, {path.name})",
        "publisher": _actor(doc, "dataSetOwner") or _actor(doc, "dataGenerator") or "as stated in the file",
        "edition": str(ref.get("version") or (system or {}).get("version") or ""),
        "note": "As stated in the export: " + "; ".join(parts) + ".",
    }
