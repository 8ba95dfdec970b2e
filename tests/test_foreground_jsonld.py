"""Foreground from openLCA JSON-LD (issue 18 item 3): a product system exported from openLCA becomes a TOML inventory
with the file's provenance. Numbers are checked against the export's own JSON (read here, units converted with
the export's own unit groups, the product system's process links solved by numpy), never against the tool's
output; our own JSON-LD export comes back with the same carbon; bad exports are refused with file and fix, exit 2.
"""

from __future__ import annotations

import hashlib
import json
import math
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest

from lca_engine.errors import LcaEngineError
from lca_engine.foreground_import import read_foreground
from lca_engine.inventory import load

from . import test_background_import as bg
from .cli_run import invoke
from .test_foreground_simapro import SITE, SITE_CLI, read

JSONLD = Path(__file__).parent / "fixtures" / "bw2io" / "json-ld"
BEEF = JSONLD / "beef-cattle-finishing"
FPL = JSONLD / "US-FPL"
SYSTEM = "a5830b36-5249-4712-b62f-b79a00d3c2d1"
EXAMPLE = Path(__file__).resolve().parent.parent / "inventories" / "examples" / "textile_merthyr_micro.toml"
Z = 1.959963984540054
root = bg.root  # a data folder with biosphere3, for imported backgrounds


def sections(folder: Path) -> dict[str, dict[str, dict]]:
    out: dict[str, dict[str, dict]] = {}
    for f in folder.glob("*/*.json"):
        out.setdefault(f.parent.name, {})[f.stem] = json.loads(f.read_text(encoding="utf-8"))
    return out


def factors(raw: dict) -> dict[str, float]:
    """Unit id → how many of its group's reference unit one unit is (the export's own unit groups)."""
    return {u["@id"]: u["conversionFactor"] for g in raw["unit_groups"].values() for u in g["units"]}


def is_input(e: dict) -> bool:
    return bool(e.get("input", e.get("isInput")))


def reference(proc: dict) -> dict:
    """The process's reference exchange (the quantitative reference, else its only product output)."""
    outs = [e for e in proc["exchanges"] if not is_input(e) and e["flow"]["flowType"] == "PRODUCT_FLOW"]
    flagged = [e for e in outs if e.get("quantitativeReference") or e.get("isQuantitativeReference")]
    return (flagged or outs)[0]


def solve(raw: dict, links: list[tuple[str, str, int]], fu: str, amount: float) -> dict[str, float]:
    """Scaling of each process: A s = f, A from the reference exchanges and the (provider, consumer, internalId)
    links, in reference units; f = ``amount`` of ``fu``'s reference product."""
    unit = factors(raw)
    procs = list(raw["processes"])
    at = {p: i for i, p in enumerate(procs)}
    a = np.zeros((len(procs), len(procs)))
    for p in procs:
        ref = reference(raw["processes"][p])
        a[at[p], at[p]] = ref["amount"] * unit[ref["unit"]["@id"]]
    for provider, consumer, internal in links:
        (e,) = [e for e in raw["processes"][consumer]["exchanges"] if e["internalId"] == internal]
        a[at[provider], at[consumer]] -= e["amount"] * unit[e["unit"]["@id"]]
    f = np.zeros(len(procs))
    f[at[fu]] = amount
    return dict(zip(procs, np.linalg.solve(a, f), strict=True))


def by_exchange(factory) -> dict[tuple[str, int], object]:
    """Each flow by the (process uuid, exchanges[k]) its note names."""
    out = {}
    for f in factory.flows:
        if "openLCA process " in f.note:
            uid = f.note.split("openLCA process ")[1].split(",")[0]
            out[(uid, int(f.note.split("(exchanges[")[1].split("]")[0]))] = f
    return out


@pytest.fixture(scope="module")
def beef(catalog):
    return read(BEEF, catalog=catalog)


def test_beef_product_system_amounts_are_the_export_solved_by_numpy(beef):
    factory, warned = beef
    raw = sections(BEEF)
    system = raw["product_systems"][SYSTEM]
    links = [
        (lk["provider"]["@id"], lk["process"]["@id"], lk["exchange"]["internalId"]) for lk in system["processLinks"]
    ]
    ref = system["referenceProcess"]["@id"]
    target = system["targetAmount"] * factors(raw)[system["targetUnit"]["@id"]]
    s = solve(raw, links, ref, target)
    assert s[ref] == pytest.approx(1.0)  # the target amount is the reference process's own output
    linked = {(c, k) for _, c, k in links}
    flows, unit, checked, left_out = by_exchange(factory), factors(raw), 0, []
    for uid, proc in raw["processes"].items():
        for k, e in enumerate(proc["exchanges"]):
            if e is reference(proc):
                continue
            expected = e["amount"] * unit[e["unit"]["@id"]] * s[uid]
            if (uid, k) not in flows:
                left_out.append((proc["name"], e["flow"]["name"], e["unit"]["name"]))
                continue
            assert flows[(uid, k)].amount == pytest.approx(expected, rel=1e-9), (proc["name"], e["flow"]["name"])
            if (uid, e["internalId"]) in linked:  # a process link: an internal flow from the provider
                assert flows[(uid, k)].from_ != "market" and flows[(uid, k)].to == uid
            checked += 1
    assert checked == 87 and len(factory.flows) == checked + 1  # and the product
    # left out, each named in a warning: land occupation (area × time, no counterpart in the model), and emissions
    # biosphere3 has no flow for (US LCI names: 'Carbon dioxide' without fossil/non-fossil …)
    assert sorted(u for _, _, u in left_out) == ["ha*a"] * 4 + ["kg"] * 5 + ["m2*a"]
    assert {n for _, n, u in left_out if u == "kg"} == {
        "Carbon dioxide", "Phosphorus, total", "Nitrogen, total",
        "NMVOC, non-methane volatile organic compounds, unspecified origin",
    }  # fmt: skip
    assert all(any(name in w and "left out" in w for w in warned) for _, name, _ in left_out)
    (product,) = [f for f in factory.flows if f.kind == "product"]
    assert (product.amount, product.unit) == (pytest.approx(2914841.44), "kg")
    assert factory.functional_unit.amount == pytest.approx(2914841.44) and factory.functional_unit.unit == "kg"


def folder_sha256(folder: Path) -> str:
    h = hashlib.sha256()
    for f in sorted(p for p in folder.rglob("*") if p.is_file()):
        h.update(f.relative_to(folder).as_posix().encode())
        h.update(f.read_bytes())
    return h.hexdigest()


def test_beef_provenance_is_what_the_export_states(beef):
    factory, _ = beef
    ((sid, src),) = factory.sources.items()
    doc = sections(BEEF)["processes"]["1b97b691-7c00-4150-9e97-df2020bfd203"]["processDocumentation"]
    assert sid == "jsonld-beef-cattle-finishing" and src.licence == "unknown — check before use"
    assert src.publisher == doc["dataSetOwner"]["name"] == "University of Arkansas, USA"
    assert src.edition == "00.00.042"
    for stated in (
        folder_sha256(BEEF), SYSTEM, "1b97b691-7c00-4150-9e97-df2020bfd203", doc["dataGenerator"]["name"],
        doc["dataDocumentor"]["name"], doc["publication"]["name"], doc["validFrom"], doc["validUntil"],
        "2018-07-31T10:11:05.784-04:00", "CC0 1.0",
    ):  # fmt: skip
        assert stated in src.note, stated
    assert all(f.source == sid for f in factory.flows)
    assert all("openLCA process " in f.note and "internalId" in f.note for f in factory.flows if f.kind != "product")


def test_zip_reads_like_the_folder(beef, tmp_path, catalog):
    z = tmp_path / "beef.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for p in BEEF.rglob("*"):
            if p.is_file():
                zf.write(p, p.relative_to(BEEF).as_posix())
    factory, warned = read(z, catalog=catalog)
    assert [(f.id, f.amount) for f in factory.flows] == [(f.id, f.amount) for f in beef[0].flows]
    assert all(w.startswith(str(z)) for w in warned)  # warnings point into the zip, not into a temporary folder


def test_us_fpl_without_product_system_takes_the_process_named(catalog):
    raw = sections(FPL)
    briquette = "3bd066e8-2af1-36c0-8289-4c297f2cfa21"
    # the export has no product system: an input is linked to the process of the file making its product
    made = {reference(p)["flow"]["@id"]: uid for uid, p in raw["processes"].items()}
    links = [
        (made[e["flow"]["@id"]], uid, e["internalId"])
        for uid, p in raw["processes"].items()
        for e in p["exchanges"]
        if is_input(e) and e["flow"]["@id"] in made
    ]
    ref = reference(raw["processes"][briquette])
    s = solve(raw, [lk for lk in links if lk[1] == briquette], briquette, 1.0)
    factory, _ = read(FPL, functional_unit=briquette, catalog=catalog)
    unit = factors(raw)
    flows = by_exchange(factory)
    used = {uid for uid in s if abs(s[uid]) > 1e-15}
    assert used == {briquette, "0fc3aa0c-865f-33b1-92d7-4db5ad1c8c1c"} and ref["unit"]["name"] == "t"
    for uid in used:
        for k, e in enumerate(raw["processes"][uid]["exchanges"]):
            if e is not reference(raw["processes"][uid]):
                expected = e["amount"] * unit[e["unit"]["@id"]] * s[uid]
                assert flows[(uid, k)].amount == pytest.approx(expected, rel=1e-12), e["flow"]["name"]
    assert len([f for f in flows.values() if f.kind != "product"]) == 14
    assert factory.functional_unit.unit == "kg"  # per kg of briquette (the t converted)


def export_zip(tmp_path: Path, data_dir: Path) -> Path:
    out = tmp_path / "textile.zip"
    code, text, tb = invoke("export", EXAMPLE, "--format", "jsonld", "--out", out, "--data-dir", data_dir)
    assert (code, tb) == (0, ""), text
    return out


def test_our_own_export_comes_back_with_the_same_carbon(tmp_path, data_dir, catalog):
    from lca_engine import assess, load_checked

    original = load_checked(EXAMPLE, strict_balance=False).factory
    z = export_zip(tmp_path, data_dir)
    system = next(
        json.loads(zipfile.ZipFile(z).read(n))["name"]
        for n in zipfile.ZipFile(z).namelist()
        if n.startswith("product_systems/") and "micro-factory" in json.loads(zipfile.ZipFile(z).read(n))["name"]
    )
    out = tmp_path / "back.toml"
    code, text, tb = invoke(
        "foreground", "import", z, "--out", out, "--functional-unit", system, "--sector", original.sector,
        "--site", f"{original.site.name},{original.site.lat},{original.site.lon}", "--data-dir", data_dir,
    )  # fmt: skip
    assert (code, tb) == (0, ""), text
    assert invoke("validate", out, "--lenient", "--data-dir", data_dir)[0] == 0
    back = load(out)
    # every background link comes back with its amount, in the factor's unit
    from lca_engine.units import convert

    def linked(factory) -> dict[str, float]:
        total: dict[str, float] = {}
        for f in factory.flows:
            for key in f.background_keys:
                total[key] = total.get(key, 0.0) + convert(f.amount, f.unit, catalog.factors[key].unit)
        return total

    assert linked(back) == pytest.approx(linked(original), rel=1e-9) and len(linked(back)) > 5
    mine = assess(back, data_dir=data_dir, strict_balance=False, indicators=["carbon"]).total(back.id)
    theirs = assess(original, data_dir=data_dir, strict_balance=False, indicators=["carbon"]).total(original.id)
    assert mine == pytest.approx(theirs, rel=1e-9)


def test_openlca_uncertainty_is_carried_in_the_unit_bw2io_converts_to(tmp_path, catalog):
    copy = shutil.copytree(BEEF, tmp_path / "beef")
    path = copy / "processes" / "1b97b691-7c00-4150-9e97-df2020bfd203.json"
    proc = json.loads(path.read_text(encoding="utf-8"))
    k, ddgs = next((k, e) for k, e in enumerate(proc["exchanges"]) if e["flow"]["name"].startswith("DDGS"))
    assert ddgs["unit"]["name"] == "t" and ddgs["amount"] == 1623.0
    ddgs["uncertainty"] = {"distributionType": "LOG_NORMAL_DISTRIBUTION", "geomMean": 1623.0, "geomSd": 1.2}
    path.write_text(json.dumps(proc), encoding="utf-8")
    factory, _ = read(copy, catalog=catalog)
    flow = by_exchange(factory)[("1b97b691-7c00-4150-9e97-df2020bfd203", k)]
    kg = 1623.0 * 1000  # t → kg, by the export's unit group; scaling 1 (the reference process)
    assert flow.amount == pytest.approx(kg, rel=1e-9) and flow.unit == "kg"
    low, high = kg * math.exp(-Z * math.log(1.2)), kg * math.exp(Z * math.log(1.2))
    assert (flow.assumption.low, flow.assumption.high) == (pytest.approx(low, rel=1e-9), pytest.approx(high, rel=1e-9))


# ---------------------------------------------------------------------------------------------- refusals
def _refused(*args) -> str:
    code, text, tb = invoke("foreground", "import", *args)
    assert (code, tb) == (1, ""), text
    assert "Traceback" not in text and "fix:" in text
    return text


def common(tmp_path: Path) -> list:
    return ["--out", tmp_path / "x.toml", "--sector", "textiles", "--site", SITE_CLI]


def test_broken_json_is_named_by_file_and_line(tmp_path):
    copy = shutil.copytree(BEEF, tmp_path / "beef")
    bad = copy / "processes" / "2185d89c-d65f-4116-99ad-2ee41ba80689.json"
    bad.write_text('{"@type": "Process",\n "name": "cut here', encoding="utf-8")
    text = _refused(copy, *common(tmp_path))
    assert f"{copy}/processes/2185d89c-d65f-4116-99ad-2ee41ba80689.json:2" in text and "broken JSON" in text
    assert not (tmp_path / "x.toml").exists()


def test_a_missing_reference_process_names_the_product_system(tmp_path):
    copy = shutil.copytree(BEEF, tmp_path / "beef")
    (copy / "processes" / "1b97b691-7c00-4150-9e97-df2020bfd203.json").unlink()
    with pytest.raises(LcaEngineError) as exc:
        read_foreground(copy, sector="textiles", site=SITE)
    (p,) = exc.value.problems
    assert (p.file, p.field) == (f"{copy}/product_systems/{SYSTEM}.json", "referenceProcess") and p.fix
    assert "1b97b691-7c00-4150-9e97-df2020bfd203" in p.message


def test_not_jsonld_and_format_mismatch(tmp_path):
    (tmp_path / "empty").mkdir()
    assert "not a foreground in any format" in _refused(tmp_path / "empty", *common(tmp_path))
    text = _refused(BEEF, "--format", "simapro", *common(tmp_path))
    assert "looks like jsonld" in text
    assert "not found" in _refused(tmp_path / "nowhere", *common(tmp_path))


def test_a_zip_that_escapes_its_folder_is_refused_before_extracting(tmp_path):
    z = tmp_path / "evil.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("processes/p.json", "{}")
        zf.writestr("../escaped.json", "{}")
    text = _refused(z, *common(tmp_path))
    assert "outside the folder" in text
    assert not (tmp_path.parent / "escaped.json").exists()


def test_several_product_systems_need_one_named(tmp_path, data_dir):
    text = _refused(export_zip(tmp_path, data_dir), *common(tmp_path))
    assert "2 product systems" in text and "--functional-unit" in text and "micro-factory" in text


def waste_export(path: Path, system: bool) -> Path:
    """An openLCA export written with olca-schema: a bracket process (1 kg; 0.02 kg CO2) whose 0.1 kg of steel scrap
    (a waste flow, an output) goes to a landfill process (reference: 1 kg of that waste, an input; 0.01 kg CO2)."""
    import olca_schema as o
    from olca_schema import zipio

    from lca_engine.export.jsonld import Package, _exchange, _process, product_system

    pkg = Package()
    scrap, kg = pkg.flow("steel scrap", "kg")
    scrap.flow_type = o.FlowType.WASTE_FLOW
    co2, _ = pkg.flow("Carbon dioxide, fossil", "kg", elementary=True, category="Elementary flows/Emission to air")
    landfill = pkg.add(o.new_process("Landfill of steel scrap"))
    _exchange(landfill, scrap, kg, 1.0, is_input=True, reference=True)
    _exchange(landfill, co2, kg, 0.01, is_input=False)
    bracket, _, _ = _process(pkg, "bracket", "Steel bracket, pressed", "steel bracket", "kg")
    _exchange(bracket, scrap, kg, 0.1, is_input=False, provider=landfill)
    _exchange(bracket, co2, kg, 0.02, is_input=False)
    if system:
        pkg.add(product_system(pkg, "bracket", bracket, [landfill]))
    with zipio.ZipWriter(str(path)) as w:
        for entity in pkg.entities.values():
            w.write(entity)
    return path


@pytest.mark.parametrize("system", [True, False], ids=["product system", "default providers"])
def test_waste_flows_go_from_the_process_to_its_treatment(tmp_path, catalog, system):
    factory, _ = read(
        waste_export(tmp_path / "waste.zip", system), functional_unit=None if system else "Steel bracket, pressed"
    )
    ids = {p.name: p.id for p in factory.processes}
    (scrap,) = [f for f in factory.flows if f.name == "steel scrap"]
    assert (scrap.from_, scrap.to, scrap.amount) == (ids["Steel bracket, pressed"], ids["Landfill of steel scrap"], 0.1)
    co2 = {f.from_: f.amount for f in factory.flows if f.kind == "emission"}
    assert co2 == {ids["Steel bracket, pressed"]: 0.02, ids["Landfill of steel scrap"]: pytest.approx(0.1 * 0.01)}
    assert "waste flow" in scrap.note


def test_a_provider_not_in_the_export_links_to_an_imported_background(root, tmp_path):
    """US-FPL imported as a background; the export without its wood-chips process: the briquette's chips come from
    the background's activity making that product (by the product's name: the export names no default provider)."""
    from lca_engine.background.catalog import load_catalog
    from lca_engine.background_import import import_background

    import_background(FPL, "fg-fpl", "CC0 (US Federal LCA Commons)", data_dir=root, cut_off=True)
    copy = shutil.copytree(FPL, tmp_path / "fpl")
    (copy / "processes" / "0fc3aa0c-865f-33b1-92d7-4db5ad1c8c1c.json").unlink()
    briquette = "3bd066e8-2af1-36c0-8289-4c297f2cfa21"
    factory, warned = read(copy, functional_unit=briquette, background="fg-fpl", catalog=load_catalog(data_root=root))
    raw = sections(FPL)["processes"][briquette]
    k, chips = next((k, e) for k, e in enumerate(raw["exchanges"]) if e["flow"]["name"].startswith("Whole tree"))
    flow = by_exchange(factory)[(briquette, k)]
    assert flow.background == (
        "fg-fpl:Whole tree chips production; softwood; at sawmill, INW|Whole tree chips; softwood; at sawmill, INW"
        "|United States"
    )
    # 1 t of chips per t of briquette (the export's own units), per kg of briquette
    assert chips["unit"]["name"] == "t" and flow.amount == pytest.approx(chips["amount"] * 1000 / 1000, rel=1e-12)
    assert "background 'fg-fpl'" in flow.note and flow.from_ == "market"
    assert [w for w in warned if "Whole tree chips" in w] == []  # linked: not warned as a purchase without background


def test_beef_assesses_and_emissions_left_out_are_not_in_biosphere3(beef, root):
    """The written inventory assesses (real project); its IPCC 2021 carbon is its emissions times the method's
    factors; the emissions left out have no flow in biosphere3's top-level compartments (read from the project)."""
    import bw2data as bd

    from lca_engine import assess
    from lca_engine.indicators import INDICATORS

    factory, _ = beef
    result = assess(factory, data_dir=root, strict_balance=False, indicators=["carbon_ipcc2021"])
    method = INDICATORS["carbon_ipcc2021"].method
    top = {(f["name"], f["categories"][0]): f.id for f in bd.Database("biosphere3") if len(f["categories"]) == 1}
    cf = {flow: value for flow, value in bd.Method(method).load()}
    hand = sum(f.amount * cf.get(top[(f.substance, f.compartment)], 0.0) for f in factory.flows if f.substance)
    assert result.total(factory.id, "carbon_ipcc2021") == pytest.approx(hand, rel=1e-9) and hand > 1e7
    for name, comp in [("Carbon dioxide", "air"), ("Phosphorus, total", "water"), ("Nitrogen, total", "water")]:
        assert (name, comp) not in top


def _mutate(entity: dict, path: tuple, value) -> None:
    for key in path[:-1]:
        entity = entity[key]
    entity[path[-1]] = value


PROCESS = "1b97b691-7c00-4150-9e97-df2020bfd203"
MUTATIONS = [
    ("product_systems", SYSTEM, ("targetAmount",), "a lot"),
    ("product_systems", SYSTEM, ("targetAmount",), -1),
    ("product_systems", SYSTEM, ("targetUnit",), "kg"),
    ("product_systems", SYSTEM, ("processLinks",), None),
    ("product_systems", SYSTEM, ("processLinks", 0, "provider"), None),
    ("product_systems", SYSTEM, ("referenceProcess",), "not an object"),
    ("processes", PROCESS, ("exchanges",), None),
    ("processes", PROCESS, ("exchanges", 1, "amount"), "1000"),
    ("processes", PROCESS, ("exchanges", 1, "flow"), None),
    ("processes", PROCESS, ("processDocumentation",), ["a list"]),
    ("processes", PROCESS, ("location",), None),
]


@pytest.mark.parametrize("section, uid, path, value", MUTATIONS, ids=lambda x: str(x)[:20])
def test_damaged_exports_import_or_are_refused_never_a_crash(tmp_path, section, uid, path, value):
    copy = shutil.copytree(BEEF, tmp_path / "beef")
    file = copy / section / f"{uid}.json"
    entity = json.loads(file.read_text(encoding="utf-8"))
    _mutate(entity, path, value)
    file.write_text(json.dumps(entity), encoding="utf-8")
    code, text, tb = invoke("foreground", "import", copy, *common(tmp_path))
    assert tb == "" and code in (0, 1), text
    assert code == 0 or ("fix:" in text and f"{copy}/" in text and ".json" in text), text  # the file named


EXAMPLES = EXAMPLE.parent


def read_back(z: Path, system: str, like):
    """The product system ``system`` of the zip, as a factory in ``like``'s sector, site and system (its warnings:
    the other product system's processes are left out)."""
    return read(z, functional_unit=system, sector=like.sector, site=like.site, system=like.system)[0]


@pytest.mark.parametrize("micro", ["composites_micro", "emobility_micro", "greentech_micro", "housing_ebbw_vale_micro",
                                   "packaging_micro"])  # fmt: skip
def test_every_example_pair_comes_back_with_the_same_carbon(tmp_path, data_dir, micro):
    """Each shipped micro-factory and its baseline, exported as one JSON-LD zip and read back per product system:
    the same carbon on both bases as the TOML files (textile: the test above, through the CLI)."""
    from lca_engine import assess, load_checked

    micro_factory = load_checked(EXAMPLES / f"{micro}.toml", strict_balance=False).factory
    pair = [micro_factory, load_checked(EXAMPLES / micro_factory.baseline, strict_balance=False).factory]
    z = tmp_path / "pair.zip"
    code, text, tb = invoke("export", EXAMPLES / f"{micro}.toml", "--format", "jsonld", "--out", z,
                            "--data-dir", data_dir)  # fmt: skip
    assert (code, tb) == (0, ""), text
    systems = [json.loads(zipfile.ZipFile(z).read(n))["name"] for n in zipfile.ZipFile(z).namelist()
               if n.startswith("product_systems/")]  # fmt: skip
    back = [read_back(z, next(s for s in systems if s.startswith(f.name)), f) for f in pair]
    indicators = ["carbon", "carbon_ipcc2021"]
    before = assess(pair[0], pair[1], data_dir=data_dir, strict_balance=False, indicators=indicators)
    after = assess(back[0], back[1], data_dir=data_dir, strict_balance=False, indicators=indicators)
    for ours, theirs in zip(pair, back, strict=True):
        for ind in indicators:
            assert after.total(theirs.id, ind) == pytest.approx(before.total(ours.id, ind), rel=1e-9), (ours.id, ind)


def test_background_import_of_our_export_keeps_its_triangles(root, tmp_path, data_dir):
    """The background import reads openLCA distributions too (bw/importers/olca_uncertainty wired into JsonLd): each
    triangle of our export (a factor's range over the DESNZ years, a flow's assumption range) reaches Brightway with
    the file's minimum, mode and maximum."""
    import bw2data as bd

    from lca_engine.background_import import import_background

    z = export_zip(tmp_path, data_dir)
    zf = zipfile.ZipFile(z)
    stated = {
        (json.loads(zf.read(n))["name"], e["flow"]["name"]): e["uncertainty"]
        for n in zf.namelist()
        if n.startswith("processes/")
        for e in json.loads(zf.read(n))["exchanges"]
        if e.get("uncertainty")
    }
    assert stated and {u["distributionType"] for u in stated.values()} == {"TRIANGLE_DISTRIBUTION"}
    import_background(z, "fg-tex", "ours", data_dir=root)
    got = {  # keyed as in the file: the process, and the flow (a provider's reference product, or the flow)
        (act["name"], e.input.get("reference product") or e.input["name"]): (e["minimum"], e["loc"], e["maximum"])
        for act in bd.Database("bg-fg-tex")
        for e in act.exchanges()
        if e.get("uncertainty type") == 5
    }
    assert set(got) == set(stated)
    for key, u in stated.items():
        assert got[key] == pytest.approx((u["minimum"], u["mode"], u["maximum"]), rel=1e-12), key
