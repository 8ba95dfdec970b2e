"""A SimaPro CSV export of processes as a foreground: the background import's checks and parser
(:mod:`lca_engine.bw.importers.simapro`: size, header, blocks closed, units known, bw_simapro_csv, parameter
distributions carried) and its strategies but the link to a project's biosphere database — the converter maps
elementary flows by name and category itself, so nothing is read from or written to a Brightway project.

The functional unit is the process (or product) the user names, else the only one / the one no other process
consumes. Every exchange's note names its line in the file; the source states the SimaPro version, project, export
date and the libraries the header lists (the processes of those libraries are not in the file: exchanges from them
are purchases, linked to DESNZ by name where a factor has that name, or to an imported background). Waste to
treatment flows from the process to its treatment (:func:`waste_as_outflow`); a multi-output process is allocated
as the file says, one dataset per product (:func:`allocated`). Refused with their reason: SimaPro's older CSV layout
(no '{…}' header lines), an export of LCIA methods, a process without a product line.
"""

from __future__ import annotations

import warnings
from pathlib import Path

from ...errors import InventoryError, Problem
from ..quiet import quiet
from .convert import ForegroundFormat, ForeignFile
from .read import ForegroundReader, Read, by_product, check_units, sha256


class Locator:
    """An activity or exchange → the file and its line (bw_simapro_csv's ``line_no``)."""

    def __init__(self, path: Path, activities: list[dict]) -> None:
        self.path, self.acts = path, activities

    def where(self, activity: int, exchange: int | None = None, *, header: bool = False) -> dict:
        excs = self.acts[activity].get("exchanges", [])
        if exchange is None or header:
            lines = [e["line_no"] for e in excs if e.get("functional") and e.get("line_no")]
            return {"file": str(self.path), **({"line": lines[0]} if lines else {})}
        line = excs[exchange].get("line_no")
        return {"file": str(self.path), **({"line": line} if line else {})}


class SimaProReader(ForegroundReader):
    format = ForegroundFormat.SIMAPRO
    expects = "a SimaPro CSV export of processes (a .csv or .txt file whose first line is '{SimaPro …}')"

    @classmethod
    def detect(cls, path: Path) -> bool:
        if not path.is_file() or path.suffix.lower() not in (".csv", ".txt"):
            return False
        with open(path, "rb") as fh:
            return b"SimaPro" in fh.read(256)  # '{SimaPro 9…}', or the older layout (refused with its reason)

    def read(self, path: Path, functional_unit: str | None) -> Read:
        database = path.stem
        check_layout(path)
        check_kind(path)
        spcsv, acts = parse_and_convert(path, database)
        check_products(acts, path)
        for ds in acts:
            for e in ds.get("exchanges", []):
                e.setdefault("notes", []).append(f"SimaPro process '{ds.get('name')}', line {e.get('line_no')}")
                if e.get("uncertainty parameter"):
                    e["notes"].append(f"formula {e.get('original_formula') or e.get('formula')}; distribution of "
                                      f"input parameter '{e['uncertainty parameter']}'")  # fmt: skip
        foreign = ForeignFile(
            path=path,
            format=ForegroundFormat.SIMAPRO,
            database=database,
            activities=acts,
            locator=Locator(path, acts),
            provenance=provenance(spcsv.header, path),
        )
        return Read(check_units(foreign), by_product(acts, functional_unit))


def parse_and_convert(path: Path, database: str) -> tuple[object, list[dict]]:
    """bw_simapro_csv's parse (after the background import's checks) and the strategies: (SimaProCSV, activities).
    What the checks refuse, and whatever else the parser or a strategy raises, is an error naming the file."""
    from ...errors import BackgroundImportError, LcaEngineError
    from ..importers.simapro import SimaProData, own_strategies, parsed, read_processes, waste_as_service

    steps = [waste_as_outflow if s is waste_as_service else s for s in own_strategies()]
    try:
        with quiet(), warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            spcsv = parsed(path, database)
            processes, meta = read_processes(spcsv, path)
            data = SimaProData(database, allocated(processes), meta, steps)
            for strategy in data.strategies:
                data.apply_strategy(strategy)
    except BackgroundImportError as exc:  # the background import's checks: the same problems, for an inventory
        raise InventoryError(exc.problems) from None
    except LcaEngineError:
        raise
    except Exception as exc:  # bw_simapro_csv and bw2io raise whatever they meet in the text
        raise InventoryError(
            f"Brightway's SimaPro reader could not read it: {type(exc).__name__}: {' '.join(str(exc).split())[:300]}",
            fix="export the processes again from SimaPro (File > Export, CSV), or correct the file",
            file=str(path),
        ) from None
    return spcsv, data.data


def allocated(processes: list[dict]) -> list[dict]:
    """A multi-output process as bw_simapro_csv allocates it: one dataset per product (its allocation factor
    applied), the unallocated one left out; each allocated dataset coded '<process identifier>-<n>' in the order
    of the products (bw_simapro_csv gives random ids, which would change the inventory's process ids each time)."""
    kept, count = [], {}
    for ds in processes:
        if ds.get("type") == "multifunctional":
            continue
        parent = ds.get("mf_parent_key")
        if parent:
            count[parent] = count.get(parent, 0) + 1
            ds["code"] = f"{parent[1]}-{count[parent]}"
            ds["name"] = f"{ds.get('name')}, allocated to {ds.get('reference product')}"
        kept.append(ds)
    return kept


def check_layout(path: Path) -> None:
    """SimaPro's CSV layout before version 8 (a first line 'SimaPro … processes Date: …', no '{…}' header lines)
    is not read by bw-simapro-csv: said so, with what to do."""
    with open(path, "rb") as fh:
        head = fh.read(256)
    if head.lstrip(b"\xef\xbb\xbf").startswith(b"SimaPro"):
        raise InventoryError(
            "this is SimaPro's older CSV layout (a first line 'SimaPro … processes Date: …' instead of '{SimaPro "
            "…}' header lines), which Brightway's SimaPro reader (bw-simapro-csv) does not read",
            fix="export the processes again from SimaPro 8 or later (File > Export, CSV): its header lines are "
            "'{SimaPro 9…}', '{processes}', '{CSV separator: Semicolon}' …",
            file=str(path),
            line=1,
            field="header",
        )


def check_kind(path: Path) -> None:
    """An export of LCIA methods (its second header line '{methods}') is named as such before the blocks are read."""
    with open(path, "rb") as fh:
        head = [line.strip().strip(b'"').split(b"\t")[0].split(b";")[0] for line in fh.read(512).splitlines()[:4]]
    kinds = {line.strip(b"{}").decode("ascii", "replace").lower() for line in head if line.startswith(b"{")}
    if "methods" in kinds and "processes" not in kinds:
        raise InventoryError(
            "this SimaPro CSV export holds LCIA methods ('{methods}'), not processes",
            fix="export the processes of the factory from SimaPro (File > Export, CSV, 'Processes')",
            file=str(path),
            line=2,
            field="header",
        )


def waste_as_outflow(data: list[dict]) -> list[dict]:
    """Waste in Brightway's (ecoinvent's) convention, so that its mass flows from the process that makes it to the
    treatment: a waste treatment's functional exchange is a production of minus the waste it treats, and 'Waste to
    treatment' outputs are inputs of minus the waste (scaling then treats what the processes send). bw_simapro_csv's
    placeholder production of 0 stays, as 0 of itself."""
    for ds in data:
        for e in ds.get("exchanges", []):
            if e.get("type") == "technosphere" and e.get("functional"):
                e["type"], e["amount"] = "production", -e["amount"]
            elif e.get("type") == "production" and not e.get("functional") and e.get("amount"):
                e["type"], e["amount"] = "technosphere", -e["amount"]
                e.setdefault("notes", []).append("SimaPro 'Waste to treatment'")
    return data


def check_products(acts: list[dict], path: Path) -> None:
    """Every process has a product (a functional exchange): a process without one makes nothing to scale."""
    bad = [ds for ds in acts if not any(e.get("functional") for e in ds.get("exchanges", []))]
    if bad:
        raise InventoryError(
            [
                Problem(
                    f"process '{ds.get('name')}' has no product line (its 'Products' or 'Waste treatment' section "
                    "is empty)",
                    fix="give the process its product (name;unit;amount;allocation;waste type;category) in SimaPro "
                    "and export again",
                    file=str(path),
                    line=min((e["line_no"] for e in ds.get("exchanges", []) if e.get("line_no")), default=None),
                    field="Products",
                )
                for ds in bad[:20]
            ]
        )


def provenance(header: dict, path: Path) -> dict:
    """What the export's header states: SimaPro version, project, date, libraries; the file and its SHA-256."""
    created = header.get("created")
    libraries = [str(x) for x in header.get("libraries") or []]
    project = header.get("project") or header.get("open_project") or ""
    parts = [
        f"file {path.name}, SHA-256 {sha256(path)}",
        f"SimaPro {header.get('simapro_version') or '(version not stated)'}",
        f"project '{project}'" if project else "no project named",
        f"exported {created.isoformat() if hasattr(created, 'isoformat') else created or '(date not stated)'}",
        "libraries: " + (", ".join(libraries) if libraries else "none listed"),
    ]
    return {
        "title": f"{project or path.stem} (SimaPro CSV, {path.name})",
        "publisher": "as stated in the file",
        "edition": f"SimaPro {header.get('simapro_version')}" if header.get("simapro_version") else "",
        "note": "As stated in the export: " + "; ".join(parts) + ".",
    }
