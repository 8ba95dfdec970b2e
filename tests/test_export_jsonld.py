"""openLCA JSON-LD export of the housing micro-factory and its baseline: a well-formed olca-schema zip that bw2io's
JSON-LD importer reads back, fully linked, to the same results as our assessment (numpy solve of the imported
exchanges, 1e-9; bw2calc's float32 matrices, 1e-6)."""

from __future__ import annotations

import math
import zipfile
from pathlib import Path

import numpy as np
import pytest

from .conftest import EXAMPLES

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning:bw2calc")  # pypardiso hint (deliberately absent)
MICRO = EXAMPLES / "housing_ebbw_vale_micro.toml"
BASE = EXAMPLES / "housing_conventional_baseline.toml"
BURDEN = {  # our indicator -> the elementary flow that carries it in the zip (CF 1)
    "carbon": "Greenhouse gases, GWP100 IPCC AR5 basis (DESNZ kg CO2e)",
    "water_withdrawal": "Water withdrawn (mains supply and abstraction)",
}


@pytest.fixture(scope="module")
def exported(tmp_path_factory, catalog):
    import lca_engine as le
    from lca_engine.export.jsonld import write_jsonld

    a = le.assess_files([MICRO])
    factories = [a.checked[i].factory for i in a.pairs[0]]
    out = tmp_path_factory.mktemp("jsonld") / "housing.zip"
    write_jsonld(factories, catalog, out)
    return a, factories, out


@pytest.fixture(scope="module")
def imported(exported, tmp_path_factory, data_dir):
    """The zip read back by bw2io's JSONLDImporter (default strategies) into a fresh Brightway project."""
    import bw2data as bd
    from bw2io.importers.json_ld import JSONLDImporter

    from lca_engine.bw import quiet
    from lca_engine.bw.project import activate

    root = tmp_path_factory.mktemp("reimport")
    unpacked = root / "unpacked"
    zipfile.ZipFile(exported[2]).extractall(unpacked)  # bw2io reads a folder, not a zip
    activate(root / "bw")
    bd.projects.set_current("jsonld-round-trip")
    with quiet.quiet():
        imp = JSONLDImporter(unpacked, "housing-jsonld")
        imp.apply_strategies()
        stats = imp.statistics(print_stats=False)
        imp.merge_biosphere_flows()
        imp.write_database()
    yield stats, bd.Database("housing-jsonld")
    activate(data_dir)  # hand the session directory back to the other test modules


def _solve(db, demand_code: str) -> dict[str, float]:
    """Elementary flows (by name) of one unit of the demanded product: a float64 numpy solve of the technosphere
    and biosphere read from the imported exchanges."""
    nodes = list(db)
    products = {n.id: i for i, n in enumerate(x for x in nodes if x["type"] == "product")}
    procs = [n for n in nodes if n["type"] == "process"]
    bios = {n.id: n["name"] for n in nodes if n["type"] == "emission"}
    A = np.zeros((len(products), len(procs)))
    B: dict[str, np.ndarray] = {name: np.zeros(len(procs)) for name in bios.values()}
    for j, p in enumerate(procs):
        for e in p.exchanges():
            if e["type"] == "production":
                A[products[e.input.id], j] += e["amount"]
            elif e["type"] == "technosphere":
                A[products[e.input.id], j] -= e["amount"]
            elif e["type"] == "biosphere":
                B[bios[e.input.id]][j] += e["amount"]
    f = np.zeros(len(products))
    f[products[next(n.id for n in nodes if n["code"] == demand_code)]] = 1.0
    s = np.linalg.solve(A, f)
    return {name: float(row @ s) for name, row in B.items()}


def test_zip_is_well_formed_olca_schema(exported):
    import olca_schema as o
    from olca_schema import zipio

    _, factories, out = exported
    with zipfile.ZipFile(out) as z:
        names = z.namelist()
    assert len(names) == len(set(names))
    folders = {n.split("/")[0] for n in names}
    assert {"processes", "flows", "flow_properties", "unit_groups", "locations"} <= folders
    ids = {n.split("/")[1][:-5] for n in names if n.startswith("processes/")}
    units = set()
    with zipio.ZipReader(out) as r:
        for n in names:
            if n.startswith("unit_groups/"):
                units |= {u.id for u in r.read(o.UnitGroup, n.split("/")[1][:-5]).units}
        for pid in ids:
            proc = r.read(o.Process, pid)
            assert sum(bool(e.is_quantitative_reference) for e in proc.exchanges) == 1, proc.name
            for e in proc.exchanges:
                assert e.unit.id in units
                assert r.read(o.Flow, e.flow.id) is not None
                if e.default_provider is not None:
                    assert e.default_provider.id in ids
    # one process per process node and per factory, plus one per background factor used
    keys = {k for f in factories for fl in f.flows for k in fl.background_keys}
    assert len(ids) == sum(len(f.processes) + 1 for f in factories) + len(keys)


def test_writing_again_replaces_the_file(exported, catalog, tmp_path):
    """olca-schema's ZipWriter appends to an existing zip: the export must not."""
    from lca_engine.export.jsonld import write_jsonld

    _, factories, out = exported
    again = tmp_path / "again.zip"
    write_jsonld(factories, catalog, again)
    write_jsonld(factories, catalog, again)
    with zipfile.ZipFile(out) as a, zipfile.ZipFile(again) as b:
        assert sorted(a.namelist()) == sorted(b.namelist())
        assert all(a.read(n) == b.read(n) for n in a.namelist())  # ids are stable (UUID-5 of the names)


def test_reimport_links_everything(imported):
    stats, db = imported
    assert stats[2] == 0  # no unlinked exchange
    assert len(db) == stats[0] + 4  # processes + products, and the elementary flows merged in


@pytest.mark.parametrize("indicator", sorted(BURDEN))
def test_reimported_system_gives_our_results(exported, imported, indicator):
    from lca_engine.export.jsonld import functional_unit_id

    a, factories, _ = exported
    _, db = imported
    for factory in factories:
        _, product = functional_unit_id(factory)
        got = _solve(db, product)[BURDEN[indicator]]
        ours = a.total(factory.id, indicator)
        assert ours > 0
        assert got == pytest.approx(ours, rel=1e-9)


def test_reimported_system_in_bw2calc(exported, imported):
    """The same with bw2calc's own LCA on the imported database (its float32 matrices: 1e-6)."""
    import bw2calc as bc
    import bw2data as bd

    from lca_engine.export.jsonld import functional_unit_id

    a, factories, _ = exported
    _, db = imported
    co2e = next(n for n in db if n["name"] == BURDEN["carbon"])
    method = bd.Method(("round trip", "carbon"))
    method.write([(co2e.key, 1.0)])
    for factory in factories:
        lca = bc.LCA({bd.get_node(database=db.name, code=functional_unit_id(factory)[1]): 1.0}, method=method.name)
        lca.lci()
        lca.lcia()
        assert lca.score == pytest.approx(a.total(factory.id, "carbon"), rel=1e-6)


def test_unit_that_cannot_link_is_an_inventory_error(catalog, tmp_path):
    from lca_engine import load
    from lca_engine.errors import InventoryError
    from lca_engine.export.jsonld import write_jsonld

    micro = load(MICRO)
    flows = [f.model_copy(update={"unit": "kWh"}) if f.id == "timber" else f for f in micro.flows]
    with pytest.raises(InventoryError) as err:
        write_jsonld([micro.model_copy(update={"flows": flows})], catalog, tmp_path / "bad.zip")
    assert err.value.problems[0].field.startswith("flows[")
    assert not (tmp_path / "bad.zip").exists()
    assert [p.name for p in Path(tmp_path).iterdir()] == []  # no temporary file left


def _with_direct_emissions():
    from lca_engine import Flow, load

    from .conftest import DATA

    factory = load(DATA / "tiny_micro.toml")
    extra = [
        {"id": "methane", "from": "knit", "to": "environment", "kind": "emission", "amount": 3.0, "unit": "g"}
        | {"substance": "Methane, fossil", "compartment": "air", "source": "desnz-2025"},
        {"id": "co2", "from": "recover", "to": "environment", "kind": "emission", "amount": 0.04, "unit": "kg"}
        | {"substance": "Carbon dioxide, fossil", "compartment": "air", "source": "desnz-2025"},
        {"id": "steam", "from": "knit", "to": "environment", "kind": "water", "amount": 1.0, "unit": "L"}
        | {"compartment": "air", "balance": False, "source": "desnz-2025"},
    ]
    flows = [*factory.flows, *(Flow.model_validate(f) for f in extra)]
    return factory.model_copy(update={"id": "tiny-emitting", "baseline": None, "flows": flows})


def test_direct_emissions_and_evaporation_survive(catalog, tmp_path, data_dir):
    """Emissions of the processes are elementary flows of their process: after bw2io, carbon = DESNZ CO2e of
    the background + AR5 GWP100 of the gases, water consumption = the evaporated water (1 L = 0.001 m3)."""
    import bw2data as bd
    from bw2io.importers.json_ld import JSONLDImporter

    import lca_engine as le
    from lca_engine.bw import quiet
    from lca_engine.bw.project import activate
    from lca_engine.export.jsonld import functional_unit_id, write_jsonld
    from lca_engine.indicators import AR5_GWP100

    factory = _with_direct_emissions()
    ours = le.assess(factory, strict_balance=False, indicators=["carbon", "water_consumption"])
    write_jsonld([factory], catalog, tmp_path / "tiny.zip")
    zipfile.ZipFile(tmp_path / "tiny.zip").extractall(tmp_path / "unpacked")
    try:
        activate(tmp_path / "bw")
        bd.projects.set_current("jsonld-emissions")
        with quiet.quiet():
            imp = JSONLDImporter(tmp_path / "unpacked", "tiny-jsonld")
            imp.apply_strategies()
            assert imp.statistics(print_stats=False)[2] == 0
            imp.merge_biosphere_flows()
            imp.write_database()
        g = _solve(bd.Database("tiny-jsonld"), functional_unit_id(factory)[1])
    finally:
        activate(data_dir)
    carbon = g[BURDEN["carbon"]] + sum(g.get(gas, 0.0) * cf for gas, cf in AR5_GWP100.items())
    assert g["Methane, fossil"] == pytest.approx(0.003, rel=1e-12)
    assert g["Carbon dioxide, fossil"] == pytest.approx(0.04, rel=1e-12)
    assert carbon == pytest.approx(ours.total(factory.id, "carbon"), rel=1e-9)
    assert g["Water"] == pytest.approx(0.001, rel=1e-12)
    assert ours.total(factory.id, "water_consumption") == pytest.approx(0.001, rel=1e-9)


def test_product_systems_and_distributions(exported):
    """Each factory has a product system on its functional-unit process with every provider link; every exchange of
    a flow with an assumption range carries it as a triangle (min, mode = amount, max) in the exchange's unit."""
    import olca_schema as o
    from olca_schema import zipio

    from lca_engine.export.jsonld import functional_unit_id, uid
    from lca_engine.units import convert

    _, factories, out = exported
    with zipfile.ZipFile(out) as z:
        pids = {n.split("/")[1][:-5] for n in z.namelist() if n.startswith("processes/")}
    triangles = 0
    with zipio.ZipReader(out) as r:
        procs = [r.read(o.Process, pid) for pid in pids]
        for factory in factories:
            ps = r.read(o.ProductSystem, uid("product system", factory.id))
            assert ps.ref_process.id == functional_unit_id(factory)[0] and ps.target_amount == 1.0
            members = {p.id for p in ps.processes}
            assert members <= pids
            assert all(k.provider.id in members and k.process.id in members for k in ps.process_links)
            links = sum(len(f.background_keys) for f in factory.flows if f.background_keys)
            assert len(ps.process_links) == len(factory.processes) + links
            by_flow = {
                e.description[len("lca-engine flow ") :]: e
                for p in procs
                if p.id in members
                for e in p.exchanges
                if (e.description or "").startswith("lca-engine flow ")
            }
            for f in factory.flows:
                a = f.assumption
                if f.id not in by_flow or a is None or not a.low < a.high:
                    continue
                e = by_flow[f.id]
                per = convert(1.0, f.unit, e.unit.name)
                assert e.amount == pytest.approx(f.amount * per, rel=1e-12)
                u = e.uncertainty
                assert u.distribution_type == o.UncertaintyType.TRIANGLE_DISTRIBUTION
                assert (u.minimum, u.mode, u.maximum) == pytest.approx((a.low * per, f.amount * per, a.high * per))
                triangles += 1
    assert triangles >= 20


def test_background_carbon_carries_the_range_over_desnz_years(exported, catalog):
    """A background process's CO2e is a triangle over the shipped DESNZ years' range (low, this year, high) per
    reference unit, where DESNZ's figure varies."""
    import olca_schema as o
    from olca_schema import zipio

    from lca_engine.export.jsonld import BURDENS, uid
    from lca_engine.units import convert

    _, factories, out = exported
    keys = sorted({k for f in factories for fl in f.flows for k in fl.background_keys})
    varying = 0
    with zipio.ZipReader(out) as r:
        for key in keys:
            factor = catalog.get(key)
            proc = r.read(o.Process, uid("process", f"desnz-{catalog.year}::{key}"))
            ref = next(e for e in proc.exchanges if e.is_quantitative_reference)
            per = convert(1.0, ref.unit.name, factor.unit)  # factor units in one reference unit
            co2e = [e for e in proc.exchanges if e.flow.name == BURDENS[0][0]]
            if not factor.value:
                assert co2e == []
                continue
            assert co2e[0].amount == pytest.approx(factor.value * per, rel=1e-12)
            u = co2e[0].uncertainty
            if factor.low is not None and factor.low < factor.high:
                want = (factor.low * per, factor.value * per, factor.high * per)
                assert (u.minimum, u.mode, u.maximum) == pytest.approx(want, rel=1e-12)
                varying += 1
            else:
                assert u is None
    assert varying > 0


def _triangles(folder: Path) -> list[tuple[float, float, float, float]]:
    """(amount, minimum, mode, maximum) of every exchange with a triangle, read from the export's JSON files with
    the standard library (every unit of this export is its group's reference unit)."""
    import json

    out = []
    for p in sorted((folder / "processes").glob("*.json")):
        for e in json.loads(p.read_text(encoding="utf-8"))["exchanges"]:
            u = e.get("uncertainty") or {}
            if u.get("distributionType") == "TRIANGLE_DISTRIBUTION":
                out.append((e["amount"], u["minimum"], u["mode"], u["maximum"]))
    return out


def _table(exchanges: list[dict]) -> np.ndarray:
    return np.array(sorted((e["amount"], e["minimum"], e["loc"], e["maximum"]) for e in exchanges))


def _bw2io_distributions(folder: Path, with_strategies: bool) -> list[dict]:
    """bw2io's JSONLDImporter on the unpacked export (strategies applied, nothing written): the exchanges with a
    stats_arrays distribution, with or without the two olca-uncertainty strategies."""
    from bw2io.importers.json_ld import JSONLDImporter

    from lca_engine.bw import quiet
    from lca_engine.bw.importers.olca_uncertainty import mark_amounts, olca_distributions

    with quiet.quiet():
        imp = JSONLDImporter(folder, "housing-distributions")
        if with_strategies:
            imp.strategies.insert(0, mark_amounts)
            imp.strategies.append(olca_distributions)
        imp.apply_strategies()
    return [e for ds in imp.data for e in ds["exchanges"] if e.get("uncertainty type") not in (None, 0, 1)]


def test_triangles_reach_brightway_as_distributions(exported, tmp_path):
    """bw2io 0.9.17 keeps an olca-schema triangle as a plain object (no stats_arrays field: '0 with a
    distribution'); with the olca-uncertainty strategies every triangle of the export is a triangular distribution
    (type 5, loc = mode) with the file's numbers, which stats_arrays accepts."""
    import stats_arrays as sa

    folder = tmp_path / "unpacked"
    zipfile.ZipFile(exported[2]).extractall(folder)
    want = _triangles(folder)
    assert len(want) >= 20
    assert _bw2io_distributions(folder, with_strategies=False) == []
    got = _bw2io_distributions(folder, with_strategies=True)
    assert {e["uncertainty type"] for e in got} == {sa.TriangularUncertainty.id}
    assert len(got) == len(want)
    np.testing.assert_allclose(_table(got), sorted(want), rtol=1e-12)
    params = sa.UncertaintyBase.from_dicts(*got)
    sa.TriangularUncertainty.validate(params)  # raises on min > loc or loc > max


def test_a_triangle_stated_in_grams_is_scaled_with_its_amount(exported, tmp_path):
    """One exchange of the export restated in g (its amount and triangle × 1000, a 'g' unit added to the mass
    group): bw2io converts the amount to kg, and the distribution follows it to the kg numbers it had."""
    import json

    folder = tmp_path / "grams"
    zipfile.ZipFile(exported[2]).extractall(folder)
    group = next(
        p for p in (folder / "unit_groups").glob("*.json") if json.loads(p.read_text())["name"] == "Units of mass"
    )
    g = json.loads(group.read_text())
    kg = next(u for u in g["units"] if u["name"] == "kg")
    g["units"].append({"@id": "00000000-0000-4000-8000-00000000000g", "conversionFactor": 0.001, "name": "g"})
    group.write_text(json.dumps(g))
    before = sorted(_triangles(folder))
    for p in sorted((folder / "processes").glob("*.json")):
        proc = json.loads(p.read_text())
        e = next((e for e in proc["exchanges"] if e.get("uncertainty") and e["unit"]["@id"] == kg["@id"]), None)
        if e is not None:
            e["amount"] *= 1000
            for k in ("minimum", "mode", "maximum"):
                e["uncertainty"][k] *= 1000
            e["unit"] = {"@type": "Unit", "@id": g["units"][-1]["@id"], "name": "g"}
            p.write_text(json.dumps(proc))
            break
    assert sorted(_triangles(folder)) != before  # one exchange now in grams
    got = _bw2io_distributions(folder, with_strategies=True)
    np.testing.assert_allclose(_table(got), before, rtol=1e-12)


@pytest.mark.parametrize(
    ("u", "factor", "want"),
    [
        ({"distributionType": "LOG_NORMAL_DISTRIBUTION", "geomMean": 2.0, "geomSd": 1.5}, 1000.0,
         {"uncertainty type": 2, "loc": math.log(2000.0), "scale": math.log(1.5), "negative": False}),
        ({"distributionType": "LOG_NORMAL_DISTRIBUTION", "geomMean": -2.0, "geomSd": 1.5}, 1.0,
         {"uncertainty type": 2, "loc": math.log(2.0), "scale": math.log(1.5), "negative": True}),
        ({"distributionType": "NORMAL_DISTRIBUTION", "mean": 3.0, "sd": 0.5}, 0.5,
         {"uncertainty type": 3, "loc": 1.5, "scale": 0.25}),
        ({"distributionType": "UNIFORM_DISTRIBUTION", "minimum": 1.0, "maximum": 4.0}, -1.0,
         {"uncertainty type": 4, "minimum": -4.0, "maximum": -1.0}),
        ({"distributionType": "TRIANGLE_DISTRIBUTION", "minimum": 1.0, "mode": 2.0, "maximum": 4.0}, 3.6,
         {"uncertainty type": 5, "minimum": 3.6, "loc": 7.2, "maximum": 14.4}),
        ({"distributionType": "TRIANGLE_DISTRIBUTION", "minimum": 1.0, "mode": 5.0, "maximum": 4.0}, 1.0, None),
        ({"distributionType": "LOG_NORMAL_DISTRIBUTION", "geomMean": 2.0, "geomSd": 1.0}, 1.0, None),
        ({"distributionType": "NORMAL_DISTRIBUTION", "mean": 3.0}, 1.0, None),
        ({"distributionType": "BETA"}, 1.0, None),
    ],
)  # fmt: skip
def test_olca_distribution_as_stats_arrays_fields_by_hand(u, factor, want):
    from lca_engine.bw.importers.olca_uncertainty import stats_arrays_fields

    got = stats_arrays_fields(u, factor)
    assert got == (pytest.approx(want, rel=1e-15) if want else None)


def test_a_linked_activity_is_a_named_placeholder_without_its_inventory(catalog, data_dir, tmp_path):
    """The tiny pair with its yarn and fabric bought from the EcoSpold 1 fixture import: one process stands for the
    imported activity (its name, product, location and unit; the background, version and licence in its
    description), with nothing but its product — licensed data is not copied — and the yarn is bought from it."""
    import olca_schema as o
    from olca_schema import zipio

    from lca_engine import load
    from lca_engine.export.jsonld import uid, write_jsonld

    from .test_background_link_formats import ABS_NAME, CASES, imported, write_linked

    case = imported(data_dir, CASES["ecospold1"])
    micro = write_linked(tmp_path, case.key)
    factories = [load(micro), load(micro.with_name("tiny_baseline.toml"))]
    out = tmp_path / "linked.zip"
    write_jsonld(factories, catalog, out)
    code = catalog.get(case.key).code
    with zipio.ZipReader(out) as r:
        proc = r.read(o.Process, uid("process", f"bg-{case.name}::{code}"))
        knit = r.read(o.Process, uid("process", "tiny-micro/knit"))
    assert proc.name == f"{ABS_NAME} (bg-{case.name}::{code})"
    assert proc.location.name == "RNA"
    (ref,) = proc.exchanges  # its product, and no burden of DESNZ or of the background
    assert ref.is_quantitative_reference and ref.flow.name == ABS_NAME and ref.unit.name == "kg"
    for text in (case.name, case.version, case.licence, "not in this file"):
        assert text in proc.description
    assert "DESNZ" not in proc.description
    (yarn,) = [e for e in knit.exchanges if e.description == "lca-engine flow yarn"]
    assert yarn.default_provider.id == proc.id and yarn.amount == pytest.approx(0.5, rel=1e-15)
