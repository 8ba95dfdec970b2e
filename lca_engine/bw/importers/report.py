"""What linked and what did not: checks and the linking report on bw2io's data (plain dicts, no Brightway)."""

from __future__ import annotations

import csv
import hashlib
import io
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field

from ...background.imported import Activity
from .base import BIO3, Imported
from .normalise import MATCHED_BY

#: bw2io's uncertainty types with no distribution (0 undefined, 1 no uncertainty)
NO_DISTRIBUTION = (0, 1)


@dataclass(frozen=True)
class Row:
    """One group of exchanges in the report: what they are, how many, and their summed amount (in ``unit``)."""

    activity: str
    exchange: str
    categories: str
    unit: str
    count: int
    amount: float


@dataclass
class LinkingReport:
    activities: int = 0
    exchanges: dict[str, int] = field(default_factory=dict)  # by type
    with_distribution: int = 0
    biosphere3: int = 0  # biosphere exchanges matched to biosphere3
    unmatched: list[Row] = field(default_factory=list)  # flows kept in the background's own biosphere database
    cut_off: list[Row] = field(default_factory=list)  # technosphere exchanges linked to nothing, left out
    dropped: list[Row] = field(default_factory=list)  # exchanges a bw2io strategy deleted
    units_changed: list[tuple[str, str, int]] = field(default_factory=list)
    #: elementary flows matched by their ecoinvent 3 successor's name (exchange = name in the file, categories =
    #: "compartment → the biosphere3 name it was linked to")
    renamed: list[Row] = field(default_factory=list)

    def to_json(self) -> dict:
        return asdict(self)


def _cats(e: dict) -> str:
    return "/".join(str(c) for c in (e.get("categories") or ()) if c)


def _rows(found: list[tuple[str, dict]], by_activity: bool) -> list[Row]:
    groups: dict[tuple, list[float]] = defaultdict(list)
    for act, e in found:
        key = (act if by_activity else "", str(e.get("name", "")), _cats(e), str(e.get("unit", "")))
        groups[key].append(float(e.get("amount", 0.0)))
    return [Row(*k, count=len(v), amount=sum(v)) for k, v in sorted(groups.items())]


def _exchanges(data: list[dict]):
    for ds in data:
        for e in ds.get("exchanges", []):
            yield ds.get("name", ""), e


def unlinked(data: list[dict], zero: bool = False) -> list[tuple[str, dict]]:
    """Production and technosphere exchanges bw2io linked to no activity (with an amount, or also of 0)."""
    return [
        (a, e)
        for a, e in _exchanges(data)
        if e.get("type") != "biosphere" and not e.get("input") and (zero or e.get("amount"))
    ]


def drop_unlinked(data: list[dict]) -> None:
    """Leave out (``--cut-off``) the exchanges :func:`unlinked` finds; :func:`linking_report` lists them after."""
    for ds in data:
        kept = [e for e in ds.get("exchanges", []) if e.get("type") == "biosphere" or e.get("input")]
        cut = [e for e in ds.get("exchanges", []) if not (e.get("type") == "biosphere" or e.get("input"))]
        ds["exchanges"] = kept
        if cut:
            ds["lca_engine_cut_off"] = cut


def unmatched(data: list[dict]) -> list[tuple[str, dict]]:
    """Elementary exchanges not linked to biosphere3: unlinked, or linked by the importer to a flow database of its
    own that is never written (bw2io's JSON-LD importer links flows of a separate biosphere by their uuid)."""
    return [
        (a, e)
        for a, e in _exchanges(data)
        if e.get("type") == "biosphere" and (not e.get("input") or e["input"][0] != BIO3)
    ]


def flow_code(e: dict) -> str:
    text = "|".join([str(e.get("name", "")), _cats(e), str(e.get("unit", ""))])
    return hashlib.md5(text.encode("utf-8")).hexdigest()  # an identifier, not security


def separate_biosphere(data: list[dict], database: str) -> list[dict]:
    """Link every unmatched elementary flow to a flow of its own in ``database``; returns those flows."""
    flows: dict[str, dict] = {}
    for _, e in unmatched(data):
        code = flow_code(e)
        flows.setdefault(
            code,
            {
                "database": database,
                "code": code,
                "name": str(e.get("name", "")),
                "categories": tuple(e.get("categories") or ()),
                "unit": str(e.get("unit", "")),
                "type": "emission",
                "comment": "not in biosphere3: no LCIA method characterises this flow",
            },
        )
        e["input"] = (database, code)
    return list(flows.values())


def duplicates(data: list[dict]) -> list[tuple[str, list[str]]]:
    """Activity keys (name|product|location) and codes that occur more than once, with the files they come from
    (bw2io's ``filename``, where the format has one file per dataset)."""
    files: dict[str, list[str]] = defaultdict(list)
    for ds in data:
        where = str(ds.get("filename") or "")
        files[activity(ds).key].append(where)
        files[f"code {ds.get('code')}"].append(where)
    return [(k, v) for k, v in files.items() if len(v) > 1]


def unit_mismatches(data: list[dict], database: str) -> list[tuple[str, dict, str]]:
    """Exchanges linked inside the database whose unit is not their provider's: (activity, exchange, its unit)."""
    units = {(database, ds["code"]): ds.get("unit") for ds in data}
    return [
        (a, e, units[tuple(e["input"])])
        for a, e in _exchanges(data)
        if e.get("input") and tuple(e["input"]) in units and e.get("unit") and e.get("unit") != units[tuple(e["input"])]
    ]


def reference_product(ds: dict) -> str:
    """bw2io's 'reference product', else the name of the one production exchange with an amount (JSON-LD), else
    the activity's name."""
    made = [e.get("name") for e in ds.get("exchanges", []) if e.get("type") == "production" and e.get("amount")]
    return str(ds.get("reference product") or (made[0] if len(made) == 1 else None) or ds.get("name", ""))


def unit_suspects(data: list[dict], bad: list[tuple[str, dict]]) -> list[tuple[str, dict, str]]:
    """Unlinked exchanges that would link but for their unit: an activity of the same name, reference product
    (when the exchange names one) and location measured in another unit: (activity, exchange, that unit)."""
    by_name: dict[tuple, str] = {}
    for ds in data:
        by_name[(ds.get("name"), reference_product(ds), ds.get("location"))] = str(ds.get("unit", ""))
        by_name.setdefault((ds.get("name"), None, ds.get("location")), str(ds.get("unit", "")))
    out = []
    for act, e in bad:
        unit = by_name.get((e.get("name"), e.get("reference product"), e.get("location")))
        if unit is not None and unit != e.get("unit"):
            out.append((act, e, unit))
    return out


def activity(ds: dict) -> Activity:
    return Activity(
        code=str(ds.get("code", "")),
        name=str(ds.get("name", "")),
        product=reference_product(ds),
        location=str(ds.get("location") or "GLO"),
        unit=str(ds.get("unit", "")),
    )


def linking_report(imported: Imported, unmatched_found: list[tuple[str, dict]]) -> LinkingReport:
    """Counts by exchange type, distributions, biosphere3 matches, and what did not link or was deleted."""
    types: Counter = Counter()
    dist = bio3 = 0
    for _, e in _exchanges(imported.data):
        types[str(e.get("type", ""))] += 1
        dist += int(e.get("uncertainty type") or 0) not in NO_DISTRIBUTION
        bio3 += bool(e.get("input")) and e["input"][0] == BIO3
    return LinkingReport(
        activities=len(imported.data),
        exchanges=dict(sorted(types.items())),
        with_distribution=dist,
        biosphere3=bio3,
        unmatched=_rows(unmatched_found, by_activity=False),
        cut_off=_rows([(ds["name"], e) for ds in imported.data for e in ds.get("lca_engine_cut_off", [])], True),
        dropped=_rows([(f"{s}: {a}", e) for s, a, e in imported.dropped], by_activity=True),
        units_changed=[(a, b, n) for (a, b), n in sorted(imported.units_changed.items())],
        renamed=_renamed(imported.data),
    )


def _renamed(data: list[dict]) -> list[Row]:
    found = [
        (a, {**e, "categories": (f"{(e.get('categories') or ('',))[0]} → {e[MATCHED_BY]}",)})
        for a, e in _exchanges(data)
        if e.get(MATCHED_BY)
    ]
    return _rows(found, by_activity=False)


def report_csv(report: LinkingReport) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["section", "activity", "exchange", "categories", "unit", "count", "amount"])
    for section in ("unmatched", "cut_off", "dropped", "renamed"):
        for r in getattr(report, section):
            w.writerow([section, r.activity, r.exchange, r.categories, r.unit, r.count, repr(r.amount)])
    for a, b, n in report.units_changed:
        w.writerow(["unit changed", "", "", "", f"{a} -> {b}", n, ""])
    return out.getvalue()
