"""SimaPro CSV process exports through ``bw_simapro_csv`` (parser) and bw2io's SimaPro strategies.

The parser is ``bw_simapro_csv.SimaProCSV`` (as bw2io's ``SimaProBlockCSVImporter`` uses it), given the text as a
stream with its log files off (it writes them into the home folder by default). The strategies are those of
``SimaProBlockCSVImporter.use_ecoinvent_strategies`` (SimaPro names, categories and water flows mapped to
ecoinvent's biosphere3) without the two that touch the Brightway project or the network: the SimaPro-water and
default-units *migrations* (read from the project) are applied from bw2io's shipped tables here, and
``match_internal_simapro_simapro_with_unit_conversion`` (a network call) is not used.

Before the parser runs, the text is checked for what it reports badly or not at all, with the line and a fix:
the header's separator lines, every block closed by ``End``, and every exchange's unit known.
"""

from __future__ import annotations

import csv
import functools
import json
import re
from collections import Counter
from importlib.resources import files as package_files
from pathlib import Path

from ...background.import_errors import ImportFormatError
from ...background.imported import BackgroundFormat
from ...errors import Problem
from .base import BIO3, Importer
from .simapro_params import carry_parameter_uncertainty

#: a SimaPro CSV export is read whole into memory (bw_simapro_csv holds every block): refused above this size
MAX_BYTES = 1024**3
#: blocks that start a new block wherever they are (bw_simapro_csv's control blocks)
CONTROL = frozenset(
    {
        "Process",
        "Product stage",
        "Method",
        "Impact category",
        "Damage category",
        "Normalization-Weighting set",
        "Literature reference",
        "Quantities",
        "Units",
        "Database Input parameters",
        "Database Calculated parameters",
        "Project Input parameters",
        "Project Calculated parameters",
    }
)
#: lists of flows and the system description: blocks at the top level only (inside a process they are sections)
LISTS = frozenset(
    {
        "System description",
        "Raw materials",
        "Airborne emissions",
        "Waterborne emissions",
        "Final waste flows",
        "Emissions to soil",
        "Non material emissions",
        "Social issues",
        "Economic issues",
    }
)
DELIMITERS = {"semicolon": ";", "tab": "\t", "comma": ",", ";": ";", ",": ",", "\t": "\t"}
SHOWN = 20


def _err(message: str, fix: str, path: Path, line: int | None = None, field: str | None = None) -> Problem:
    return Problem(message, fix=fix, file=str(path), line=line, field=field)


def read_text(path: Path) -> str:
    """The file's text (UTF-8, else SimaPro's default Windows-1252), its size checked before it is read."""
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise ImportFormatError(
            _err(
                f"the SimaPro CSV file is {size:,} bytes, more than the limit of {MAX_BYTES:,}",
                "export the processes you link to, or the library in parts",
                path,
            )
        )
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def header(text: str, path: Path) -> dict[str, str]:
    """The ``{Key: value}`` lines at the top: at least the separators the parser needs, else an error."""
    found: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip().strip('"')
        if not line.startswith("{"):
            break
        key, _, value = line.strip("{}").partition(":")
        found[key.strip().lower()] = value.strip()
    if "csv separator" not in found or found["csv separator"].lower() not in DELIMITERS:
        raise ImportFormatError(
            _err(
                "the header has no {CSV separator: …} line naming Semicolon, Comma or Tab",
                "export again from SimaPro (File > Export, CSV) with its header, e.g. '{CSV separator: Semicolon}'",
                path,
                1,
                "header",
            )
        )
    return found


def rows(text: str, delimiter: str):
    """(line number, first cell) of every non-empty line, as the CSV reader sees it."""
    for no, row in enumerate(csv.reader(text.splitlines(), delimiter=delimiter), start=1):
        if row and row[0].strip():
            yield no, row[0].strip()


def check_blocks(text: str, delimiter: str, path: Path) -> None:
    """Every top-level line starts a block SimaPro writes, and (when the file closes blocks with ``End`` at all:
    SimaPro does) every block is closed before the next starts and before the file ends."""
    found = [(no, cell) for no, cell in rows(text, delimiter) if not cell.startswith("{")]
    ends = any(cell == "End" for _, cell in found)
    problems, open_at, name = [], None, ""
    for no, cell in found:
        if cell == "End":
            open_at = None
        elif open_at is None and cell not in CONTROL | LISTS:
            problems.append(_unknown_block(cell, no, path))
        elif open_at is None or (ends and cell in CONTROL):
            if open_at is not None:
                problems.append(_missing_end(name, open_at, no, path))
            open_at, name = no, cell
    if open_at is not None and ends:
        problems.append(_missing_end(name, open_at, None, path))
    if problems:
        raise ImportFormatError(problems[:SHOWN])


def _unknown_block(cell: str, no: int, path: Path) -> Problem:
    return _err(
        f"line {no} starts a block '{cell[:80]}' that a SimaPro CSV export does not have",
        "a block starts with 'Process', 'System description', 'Units', 'Quantities' or a parameter block name and "
        "ends with 'End'; remove the line or export the file again",
        path,
        no,
    )


def _missing_end(name: str, start: int, next_at: int | None, path: Path) -> Problem:
    where = f"before the next block on line {next_at}" if next_at else "before the end of the file"
    return _err(
        f"the '{name}' block starting on line {start} has no 'End' line {where}: the file is cut or was edited",
        f"add a line 'End' to close the block that starts on line {start} (or export the file again)",
        path,
        start,
    )


def parse(text: str, path: Path, database: str):
    """``bw_simapro_csv.SimaProCSV`` on the text, logs off; its errors as format errors naming the file."""
    import io

    from bw2parameters.errors import ValidationError
    from bw_simapro_csv import SimaProCSV
    from bw_simapro_csv import errors as sp_errors

    fix = "correct the file in SimaPro and export it again (File > Export, CSV, processes)"
    try:
        return SimaProCSV(io.StringIO(text), database_name=database, stderr_logs=False, write_logs=False)
    except ValidationError as exc:  # bw2parameters: a name undefined, duplicated, circular or self-referring
        raise ImportFormatError(
            _err(
                f"the parameters and formulas do not resolve: {' '.join(str(exc).split())}",
                "define every name a formula uses as a parameter (the process's 'Input parameters' or 'Calculated "
                "parameters', or a 'Database Input parameters' block) or correct its spelling",
                path,
                field="formula",
            )
        ) from None
    except (sp_errors.UnparsableLine, sp_errors.IndeterminateBlockEnd, sp_errors.WasteModelMismatch,
            sp_errors.FormulaReservedWord) as exc:  # fmt: skip
        raise ImportFormatError(_err(f"SimaPro CSV: {' '.join(str(exc).split())}", fix, path)) from None


def known_units(spcsv) -> set[str]:
    """Units bw2io normalises (SimaPro's usual ones, lower case) and the units the file's Units block defines."""
    from bw2io.units import UNITS_NORMALIZATION
    from bw_simapro_csv.blocks import Units

    known = set(UNITS_NORMALIZATION) | {u.lower() for u in UNITS_NORMALIZATION.values()}
    for block in (b for b in spcsv.blocks if isinstance(b, Units)):
        known |= {str(u[k]).lower() for u in block.parsed for k in ("name", "reference unit name")}
    return known


def check_units(data: list[dict], known: set[str], path: Path) -> None:
    """Every exchange's unit is one SimaPro or bw2io knows: else the line, the unit and what to write."""
    bad = [e for ds in data for e in ds.get("exchanges", []) if str(e.get("unit", "")).strip().lower() not in known]
    if bad:
        raise ImportFormatError(
            [
                _err(
                    f"exchange '{e.get('name')}' has the unit '{e.get('unit')}', which SimaPro and Brightway do "
                    "not know",
                    "write a SimaPro unit (kg, g, t, kWh, MJ, m3, l, m2a, tkm, p …) or define it in "
                    "the file's 'Units' block",
                    path,
                    e.get("line_no"),
                    "unit",
                )
                for e in bad[:SHOWN]
            ]
        )


def check_kind(spcsv, path: Path) -> None:
    from bw_simapro_csv.header import SimaProCSVType

    if spcsv.header["kind"] != SimaProCSVType.processes:
        raise ImportFormatError(
            _err(
                f"this SimaPro CSV export holds {spcsv.header['kind'].value}, not processes",
                "export processes (File > Export, 'Processes'); LCIA methods are not imported as backgrounds",
                path,
                2,
                "header",
            )
        )


GEO = re.compile(r"\{(?P<geo>[^{}|]+)\}")


def set_location(data: list[dict]) -> list[dict]:
    """An activity's location: the ``{GEO}`` in its product's name (SimaPro's ecoinvent naming), else the
    process's Geography, else GLO."""
    for ds in data:
        match = GEO.search(str(ds.get("reference product") or ""))
        ds["location"] = match["geo"].strip() if match else (ds.get("location") or "GLO")
    return data


def _plain(text: str) -> str:
    """A name without '|' (an inventory's link NAME:<activity>|<product>|<location> splits on it)."""
    return " / ".join(part.strip() for part in text.split("|")) if "|" in text else text


def linkable_names(data: list[dict]) -> list[dict]:
    """Names an inventory can link to: the product without SimaPro's ``{GEO}| …`` suffix (the location is apart),
    activity names without '|', and where two activities would share (name, product, location) each takes its
    full SimaPro product name. The SimaPro product name is kept as ``simapro name``."""
    for ds in data:
        full = str(ds.get("reference product") or ds.get("name") or "")
        ds["simapro name"] = full
        match = GEO.search(full)
        ds["reference product"] = _plain(full[: match.start()].strip() if match else full)
        ds["name"] = _plain(str(ds.get("name") or full))
    seen = Counter((ds["name"], ds["reference product"], ds["location"]) for ds in data)
    for ds in data:
        if seen[(ds["name"], ds["reference product"], ds["location"])] > 1:
            ds["name"] = _plain(ds["simapro name"])
    return data


def link_by_product(data: list[dict]) -> list[dict]:
    """Link technosphere inputs and waste outputs to the process whose functional product has the same name and
    unit (SimaPro identifies a process by its product's name)."""
    providers = {}
    for ds in data:
        for e in (e for e in ds.get("exchanges", []) if e.get("functional")):
            providers.setdefault((e["name"], e.get("unit")), (ds["database"], ds["code"]))
    for ds in data:
        for e in ds.get("exchanges", []):
            if e.get("type") != "biosphere" and not e.get("functional") and "input" not in e:
                if (key := providers.get((e["name"], e.get("unit")))) is not None:
                    e["input"] = key
    return data


def waste_as_service(data: list[dict]) -> list[dict]:
    """A SimaPro waste treatment (its functional exchange an input of the waste) becomes an activity producing 1 of
    "treating that waste", and 'Waste to treatment' outputs become inputs of that service: the same supply, with
    positive production as every other background activity has, so an inventory links a waste flow to it like a
    purchase (as it links DESNZ waste factors). bw_simapro_csv's placeholder (0 produced) stays, as 0 of itself."""
    for ds in data:
        waste = any(e.get("functional") and e.get("type") == "technosphere" for e in ds.get("exchanges", []))
        for e in ds.get("exchanges", []):
            if e.get("type") == "technosphere" and e.get("functional"):
                e["type"] = "production"
            elif e.get("type") == "production" and not e.get("functional"):
                if waste and e.get("amount") == 0:
                    e["input"] = (ds["database"], ds["code"])
                else:
                    e["type"] = "technosphere"  # waste sent to treatment: an input of the treatment service
    return data


def link_production(data: list[dict]) -> list[dict]:
    """The functional exchange of each process is its own production."""
    for ds in data:
        for e in (e for e in ds.get("exchanges", []) if e.get("functional")):
            e["input"] = (ds["database"], ds["code"])
    return data


@functools.lru_cache(maxsize=1)
def _water_table() -> dict[tuple, dict]:
    """bw2io's 'simapro-water' migration table, read from the package (not installed into the project)."""
    raw = json.loads(package_files("bw2io").joinpath("data", "simapro-water.json").read_text(encoding="utf-8"))
    return {tuple(key): change for key, change in raw["data"]}


def simapro_water(data: list[dict]) -> list[dict]:
    """SimaPro's water flows (in kg, or named '…/m3') as ecoinvent's (m3), as bw2io's 'simapro-water' migration."""
    from bw2io.utils import rescale_exchange

    table = _water_table()
    for ds in data:
        for e in (e for e in ds.get("exchanges", []) if e.get("type") == "biosphere"):
            change = table.get((e.get("name"), e.get("unit"), "biosphere"))
            if change:
                e.update({k: v for k, v in change.items() if k != "multiplier"})
                if "multiplier" in change:
                    rescale_exchange(e, change["multiplier"])
    return data


def strategies(biosphere: str = BIO3) -> list:
    """The strategies of a background import: :func:`own_strategies`, then elementary flows linked to
    ``biosphere`` (a database of the Brightway project)."""
    from bw2data import Database
    from bw2io import strategies as s

    return [
        *own_strategies(),
        functools.partial(
            s.link_iterable_by_fields,
            other=Database(biosphere),
            edge_kinds=["biosphere"],
            fields=("name", "categories", "unit"),
        ),
    ]


def own_strategies() -> list:
    """SimaPro names, units, locations, links inside the file and biosphere names and categories as ecoinvent's:
    everything but the link to a project's biosphere database (nothing read from or written to a project)."""
    from bw2io import strategies as s

    return [
        s.normalize_simapro_labels_to_brightway_standard,
        s.drop_unspecified_subcategories,
        s.normalize_units,
        s.change_electricity_unit_mj_to_kwh,
        s.set_metadata_using_single_functional_exchange,
        set_location,
        s.update_ecoinvent_locations,
        waste_as_service,
        link_production,
        link_by_product,
        linkable_names,
        s.strip_biosphere_exc_locations,
        s.normalize_simapro_biosphere_categories,
        s.normalize_simapro_biosphere_names,
        simapro_water,
        s.fix_localized_water_flows,
    ]


def read_processes(spcsv, path: Path) -> tuple[list[dict], dict]:
    """bw_simapro_csv's processes (units checked, parameter distributions carried) and its database metadata."""
    bw = spcsv.to_brightway(separate_products=False)
    check_units(bw["processes"], known_units(spcsv), path)
    return carry_parameter_uncertainty(spcsv, bw["processes"]), bw["database"]


def parsed(path: Path, database: str):
    """The file checked (size, header, blocks) and parsed; bw_simapro_csv's ``SimaProCSV`` of processes."""
    text = read_text(path)
    delimiter = DELIMITERS[header(text, path)["csv separator"].lower()]
    check_blocks(text, delimiter, path)
    spcsv = parse(text, path, database)
    check_kind(spcsv, path)
    return spcsv


class SimaProData:
    """What bw2io's importers are to :func:`~.base.apply_strategies`: ``data``, ``strategies``, ``apply_strategy``."""

    def __init__(self, database: str, data: list[dict], metadata: dict, steps: list | None = None) -> None:
        self.db_name = database
        self.data = data
        self.metadata = metadata
        self.strategies = strategies() if steps is None else steps

    def apply_strategy(self, strategy, verbose: bool = False) -> None:
        self.data = strategy(self.data)


class SimaPro(Importer):
    format = BackgroundFormat.SIMAPRO
    expects = "a SimaPro CSV export of processes (a .csv file whose first line is '{SimaPro …}')"

    @classmethod
    def detect(cls, path: Path) -> bool:
        if not path.is_file() or path.suffix.lower() not in (".csv", ".txt"):
            return False
        with open(path, "rb") as fh:
            return b"{SimaPro" in fh.read(256)

    def files(self, path: Path) -> list[Path]:
        return [path]

    def importer(self, path: Path, database: str) -> SimaProData:
        spcsv = parsed(path, database)
        return SimaProData(database, *read_processes(spcsv, path))

    def version(self, imp: SimaProData) -> str:
        return " ".join(str(imp.metadata.get(k) or "") for k in ("simapro_version", "simapro_project")).strip()
