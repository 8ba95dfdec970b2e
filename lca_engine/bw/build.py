"""Build the embedded Brightway project from shipped data — and rebuild only what changed.

Each database and method stores the hash of what it was built from (``lca_engine_hash`` in its metadata);
a second run compares hashes and skips the writes, so a warm ``assess`` costs only the calculation.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import logging
import os
import zipfile
from pathlib import Path

import bw2data as bd

from ..background.catalog import Catalog
from ..errors import BackgroundError
from ..indicators import AR5_GWP100, CARBON, IPCC_2021_GWP100
from ..model import BOUNDARY_NODES, Factory
from ..units import convert

BUILD_VERSION = "1"
BIOSPHERE = "lca-engine-biosphere"
GHG_CODE = "ghg-co2e-ar5-desnz"
FU_CODE = "functional-unit"

_UNIT_NAMES = {
    "kWh": "kilowatt hour",
    "t": "ton",
    "kg": "kilogram",
    "m3": "cubic meter",
    "L": "litre",
    "t*km": "ton kilometer",
    "item": "unit",
}


@contextlib.contextmanager
def _quiet():
    """bw2io warns at import about optional SimaPro extras and prints progress while importing biosphere3.

    Both go either to stdout/stderr (structlog mode) or to bw2data's "brightway-stdout-feedback" logger
    (BRIGHTWAY_NO_STRUCTLOG mode, whose handler holds the original stream): silence both, only here.
    """
    feedback = logging.getLogger("brightway-stdout-feedback")

    def drop(record):
        return False

    feedback.addFilter(drop)
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            yield
    finally:
        feedback.removeFilter(drop)


def _canon(obj):
    if isinstance(obj, dict):
        return {str(k): _canon(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_canon(v) for v in obj]
    return obj


def _hash(obj) -> str:
    return hashlib.sha256(json.dumps(_canon(obj), sort_keys=True, default=str).encode()).hexdigest()


def background_db_name(year: int) -> str:
    return f"desnz-{year}"


def foreground_db_name(factory: Factory, year: int) -> str:
    return f"fg-{factory.id}-{year}"


def _fresh(name: str, digest: str) -> bool:
    return name in bd.databases and bd.databases[name].get("lca_engine_hash") == digest


def _write_db(name: str, data: dict, digest: str, **meta) -> None:
    if name in bd.databases:
        del bd.databases[name]
    db = bd.Database(name)
    db.register(lca_engine_hash="", **meta)
    # bw2data draws a tqdm bar per write unless config.is_test (used for nothing else in bw2data 4.8)
    old = getattr(bd.config, "is_test", False)
    bd.config.is_test = True
    try:
        db.write(data)
    finally:
        bd.config.is_test = old
    bd.databases[name] = {**bd.databases[name], "lca_engine_hash": digest}
    bd.databases.flush()


#: biosphere3 codes of the gases a foreground emission may name (to air, unspecified sub-compartment);
#: checked against the installed biosphere3 at build time.
BIOSPHERE3_GASES = {
    "Carbon dioxide, fossil": "349b29d1-3e58-4c66-98b9-9d1a076efd2e",
    "Methane, fossil": "0795345f-c7ae-410c-ad25-1845784c75f5",
    "Methane, non-fossil": "da1157e2-7593-4dfd-80dd-a3449b37a4d8",
    "Dinitrogen monoxide": "20185046-64bb-4c09-a8e7-e8a9e144ca98",
}
GASES = {name: ("biosphere3", code) for name, code in BIOSPHERE3_GASES.items()}


def _check_gases() -> None:
    for name, key in GASES.items():
        node = bd.get_node(database=key[0], code=key[1])
        if node["name"] != name or tuple(node["categories"]) != ("air",):
            raise BackgroundError(
                f"biosphere3 flow {key} is '{node['name']}' {node['categories']}, expected '{name}' ('air',)",
                fix="rebuild with a supported bw2io version",
            )


def ensure_base() -> bool:
    """biosphere3, the product's own elementary flows and the methods it needs. Returns True if it wrote."""
    wrote = False
    if "biosphere3" not in bd.databases:
        # bw2io is only needed to build; its import warns about optional SimaPro extras and its biosphere
        # import prints progress: keep both off the user's terminal.
        with _quiet():
            import bw2io as bi

            bi.create_default_biosphere3()
        wrote = True
    flows = {
        (BIOSPHERE, GHG_CODE): {
            "name": "Greenhouse gases, CO2-equivalent (IPCC AR5 GWP100, as DESNZ)",
            "unit": "kilogram",
            "categories": ("air",),
            "type": "emission",
            "comment": "Carrier of DESNZ kg CO2e totals; characterised at 1 by the carbon indicator only.",
        }
    }
    digest = _hash({"v": BUILD_VERSION, "flows": flows})
    if not _fresh(BIOSPHERE, digest):
        _write_db(BIOSPHERE, flows, digest, type="biosphere")
        wrote = True
    if wrote:
        _check_gases()
    cfs = [((BIOSPHERE, GHG_CODE), 1.0)] + [(GASES[n], v) for n, v in sorted(AR5_GWP100.items())]
    wrote |= _write_method(CARBON.method, cfs, CARBON.unit, CARBON.basis)
    if IPCC_2021_GWP100 not in bd.methods or bd.methods[IPCC_2021_GWP100].get("lca_engine_hash") != BUILD_VERSION:
        install_bw2io_methods([IPCC_2021_GWP100])
        wrote = True
    return wrote


def _write_method(name: tuple, cfs: list, unit: str, description: str) -> bool:
    digest = _hash({"cfs": cfs, "unit": unit, "v": BUILD_VERSION})
    if name in bd.methods and bd.methods[name].get("lca_engine_hash") == digest:
        return False
    m = bd.Method(name)
    m.register(unit=unit, description=description, lca_engine_hash=digest)
    m.write(cfs)
    return True


def install_bw2io_methods(names: list[tuple[str, str, str]]) -> None:
    """Offline workaround for bw2io's broken ``create_default_lcia_methods``: read its shipped LCIA file and
    write only the named methods, with flow keys as tuples (the shipped JSON has lists)."""
    with _quiet():
        import bw2io

    path = Path(os.path.dirname(bw2io.__file__)) / "data" / "lcia" / "lcia_39_ecoinvent.zip"
    with zipfile.ZipFile(path) as z:
        data = json.loads(z.read("data.json"))
    wanted = {tuple(n) for n in names}
    bio = {f.key for f in bd.Database("biosphere3")}
    found = set()
    for entry in data:
        name = tuple(entry["name"])
        if name not in wanted:
            continue
        cfs = [(tuple(e["input"]), e["amount"]) for e in entry["exchanges"] if tuple(e["input"]) in bio]
        m = bd.Method(name)
        m.register(
            unit=entry.get("unit", ""),
            description=entry.get("description", ""),
            source="bw2io lcia_39_ecoinvent.zip (ecoinvent LCIA implementation 3.9)",
            lca_engine_hash=BUILD_VERSION,
        )
        m.write(cfs)
        found.add(name)
    missing = wanted - found
    if missing:
        raise BackgroundError(
            f"LCIA method(s) not in bw2io's shipped file: {sorted(missing)}",
            fix="use a method name listed in bw2io/data/lcia",
        )


def ensure_background(catalog: Catalog) -> bool:
    """One background database per data year: each factor an activity emitting its CO2e."""
    name = background_db_name(catalog.year)
    digest = _hash({"v": BUILD_VERSION, "catalog": catalog.fingerprint()})
    if _fresh(name, digest):
        return False
    data = {}
    for key, f in sorted(catalog.factors.items()):
        exchanges = [{"input": (name, key), "amount": 1.0, "type": "production"}]
        if f.components:
            exchanges += [{"input": (name, c), "amount": 1.0, "type": "technosphere"} for c in f.components]
        else:
            exchanges.append({"input": (BIOSPHERE, GHG_CODE), "amount": f.value, "type": "biosphere"})
        data[(name, key)] = {
            "name": f.name,
            "unit": _UNIT_NAMES.get(f.unit, f.unit),
            "reference product": f.name,
            "location": "GB",
            "exchanges": exchanges,
            "lca_engine_unit": f.unit,
            "source": f.source,
            "desnz_id": f.desnz_id,
        }
    _write_db(name, data, digest, year=catalog.year, source=f"DESNZ GHG conversion factors {catalog.year}")
    return True


def foreground_data(factory: Factory, catalog: Catalog, gases: dict) -> dict:
    """Foreground activities: one per process (scaling 1 = one functional unit's worth of that process),
    linked to background factors, plus a functional-unit activity that takes one of each process."""
    name = foreground_db_name(factory, catalog.year)
    bg = background_db_name(catalog.year)
    data = {}
    for p in factory.processes:
        data[(name, p.id)] = {
            "name": p.name or p.id,
            "unit": "unit",
            "reference product": f"{p.name or p.id}, per functional unit",
            "location": "GB",
            "stage": p.stage,
            "exchanges": [{"input": (name, p.id), "amount": 1.0, "type": "production"}],
        }
    for f in factory.flows:
        owner = f.to if f.from_ in BOUNDARY_NODES else f.from_
        if owner in BOUNDARY_NODES:
            continue
        exchanges = data[(name, owner)]["exchanges"]
        if f.background:
            factor = catalog.get(f.background)
            amount = convert(f.amount, f.unit, factor.unit)
            exchanges.append({"input": (bg, factor.key), "amount": amount, "type": "technosphere", "flow": f.id})
        if f.substance:
            amount = convert(f.amount, f.unit, "kg")
            exchanges.append({"input": gases[f.substance], "amount": amount, "type": "biosphere", "flow": f.id})
    data[(name, FU_CODE)] = {
        "name": f"{factory.name}, per {factory.functional_unit.label()}",
        "unit": "unit",
        "reference product": factory.functional_unit.description,
        "location": "GB",
        "exchanges": [{"input": (name, FU_CODE), "amount": 1.0, "type": "production"}]
        + [{"input": (name, p.id), "amount": 1.0, "type": "technosphere"} for p in factory.processes],
    }
    return data


def ensure_foreground(factory: Factory, catalog: Catalog) -> bool:
    name = foreground_db_name(factory, catalog.year)
    digest = _hash({"v": BUILD_VERSION, "factory": factory.model_dump(mode="json"), "bg": catalog.fingerprint()})
    if _fresh(name, digest):
        return False
    _write_db(name, foreground_data(factory, catalog, GASES), digest, factory=factory.id, system=factory.system)
    return True
