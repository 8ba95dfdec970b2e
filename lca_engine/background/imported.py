"""Backgrounds a user imports (EcoSpold, openLCA JSON-LD, SimaPro CSV, Brightway Excel): names, links, registry.

No Brightway here: what an inventory may write, and what the data folder records about each imported background,
readable by ``lca-engine validate`` and ``lca-engine factors`` without loading Brightway.

An inventory links a flow to an activity of an imported background with ::

    background = "NAME:<activity name>|<reference product>|<location>"
    background = "NAME:<activity code>"

Layout in the data folder (``DataDir.root``)::

    backgrounds/<NAME>/meta.json    what was imported, from where, under which licence (:class:`ImportedBackground`)
    backgrounds/<NAME>/index.json   one entry per activity: code, name, product, location, unit (:class:`Activity`)
    backgrounds/<NAME>/data.*       the linked inventory as Brightway takes it (written and read in ``lca_engine.bw``)

A background is in the registry only once ``meta.json`` is there: it is written last, after the Brightway database
and the index, so a failed or killed import leaves no background behind.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, fields
from enum import StrEnum
from pathlib import Path

from ..errors import BackgroundError

#: A background name: lower-case letters, digits, '-', '_' and '.', starting with a letter or digit.
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
#: Names the shipped background uses (its databases are ``desnz-<year>``; ``open``/``desnz`` start its factor keys).
RESERVED = ("desnz", "open", "biosphere3", "lca-engine")
REGISTRY = "backgrounds"
META = "meta.json"
INDEX = "index.json"
SEP = ":"
DATA = "data.pickle.gz"
REPORT_JSON = "linking-report.json"
REPORT_CSV = "linking-report.csv"


class BackgroundFormat(StrEnum):
    """The formats ``lca-engine background import`` reads, one importer each (``lca_engine.bw.importers``)."""

    ECOSPOLD2 = "ecospold2"
    ECOSPOLD1 = "ecospold1"
    JSONLD = "jsonld"
    EXCEL = "excel"
    SIMAPRO = "simapro"


@dataclass(frozen=True)
class ImportedBackground:
    """What the data folder records about one imported background."""

    name: str
    database: str  # the Brightway database name
    format: str  # the importer used (ecospold2, ecospold1, jsonld, simapro, excel)
    source: str  # the path imported, as given
    sha256: str  # of the file, or of the folder's files in sorted order
    licence: str  # as the user stated it
    version: str  # as the user stated it, or read from the data
    imported: str  # ISO date-time, UTC
    activities: int
    exchanges: int
    #: the background-specific biosphere database holding flows biosphere3 does not have ("" when none)
    biosphere: str = ""
    #: exchanges to those flows: no LCIA method characterises them
    uncharacterised: int = 0
    #: sha256 of the stored ``data.pickle.gz`` (what the Brightway database is written from)
    data_sha256: str = ""


@dataclass(frozen=True)
class Activity:
    code: str
    name: str
    product: str
    location: str
    unit: str

    @property
    def key(self) -> str:
        """The key an inventory writes after ``NAME:``."""
        return f"{self.name}|{self.product}|{self.location}"


@dataclass(frozen=True)
class Link:
    """A parsed ``NAME:…`` background key: by ``code``, or by (activity, product, location)."""

    background: str
    code: str | None = None
    activity: str | None = None
    product: str | None = None
    location: str | None = None


def database_name(name: str) -> str:
    return f"bg-{name}"


def biosphere_name(name: str) -> str:
    """The database for an imported background's elementary flows that biosphere3 does not have."""
    return f"bg-{name}-biosphere"


def check_name(name: str) -> str:
    """``name`` when it can name a background, else a user error saying what a name may be."""
    if not isinstance(name, str) or not NAME_RE.match(name) or name in RESERVED:
        raise BackgroundError(
            f"background name {name!r} cannot be used",
            fix="use lower-case letters, digits, '-', '_' or '.' (at most 64, starting with a letter or digit), "
            f"not one of {', '.join(RESERVED)}; e.g. --name ecoinvent-3.10-cutoff",
            field="name",
        )
    return name


def is_link(key: str) -> bool:
    """True when ``key`` names an imported background (``NAME:…``); shipped factor keys have no ':'."""
    return SEP in key


def parse_link(key: str) -> Link:
    """``NAME:<activity>|<product>|<location>`` or ``NAME:<code>`` → :class:`Link`, else a user error."""
    name, _, rest = key.partition(SEP)
    fix = "write NAME:<activity name>|<reference product>|<location> or NAME:<activity code>"
    if not NAME_RE.match(name) or not rest.strip():
        raise BackgroundError(f"background link {key!r} is not NAME:<activity>", fix=fix, field="background")
    if "|" not in rest:
        return Link(name, code=rest.strip())
    parts = [p.strip() for p in rest.split("|")]
    if len(parts) != 3 or not all(parts[:2]):
        raise BackgroundError(
            f"background link {key!r} has {len(parts)} parts after '{name}:'", fix=fix, field="background"
        )
    return Link(name, activity=parts[0], product=parts[1], location=parts[2])


def registry_dir(root: str | Path) -> Path:
    return Path(root) / REGISTRY


def load_meta(root: str | Path, name: str) -> ImportedBackground | None:
    path = registry_dir(root) / name / META
    if not path.is_file():
        return None
    known = {f.name for f in fields(ImportedBackground)}
    raw = json.loads(path.read_text(encoding="utf-8"))
    return ImportedBackground(**{k: v for k, v in raw.items() if k in known})


def list_backgrounds(root: str | Path) -> list[ImportedBackground]:
    """Every background imported into the data folder at ``root``, by name."""
    folder = registry_dir(root)
    if not folder.is_dir():
        return []
    found = (load_meta(root, p.name) for p in sorted(folder.iterdir()) if NAME_RE.match(p.name))
    return [m for m in found if m is not None]


def load_index(root: str | Path, name: str) -> list[Activity]:
    path = registry_dir(root) / name / INDEX
    return [Activity(**a) for a in json.loads(path.read_text(encoding="utf-8"))]


def meta_json(meta: ImportedBackground) -> str:
    return json.dumps(asdict(meta), indent=1, sort_keys=True)


def index_json(activities: list[Activity]) -> str:
    return json.dumps([asdict(a) for a in activities], ensure_ascii=False)
