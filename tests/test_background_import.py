"""lca-engine background import (issue 18): real interchange files from Brightway's own importer tests
(tests/fixtures/bw2io, see its SOURCE.md) become named backgrounds; matrices checked against the raw files read here
with the standard library and numpy; every bad input refused with the project left exactly as it was."""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from subprocess import PIPE

import numpy as np
import pytest

from lca_engine.background import import_errors as ie
from lca_engine.background.import_input import ImportLimits
from lca_engine.background.imported import BackgroundFormat, list_backgrounds, load_index, load_meta
from lca_engine.background_import import import_background, remove_background, show
from lca_engine.errors import BackgroundError, LcaEngineError

from .cli_run import ctrl_c_reaches_it

FIX = Path(__file__).parent / "fixtures" / "bw2io"
ES2_FILE = FIX / "ecospold2" / "00000_11111111-2222-3333-4444-555555555555_66666666-7777-8888-9999-000000000000.spold"
ES2 = "{http://www.EcoInvent.org/EcoSpold02}"
LICENCE = "BSD-3-Clause (bw2io test files)"


def f32(x: float) -> float:
    """Brightway stores each exchange amount at float32 precision in its processed datapackage (bw_processing),
    and several exchanges meeting in one matrix cell are summed in float32 too: the raw value as the matrix holds
    it (relative difference up to 6e-8 from the file's decimal)."""
    return float(np.float32(x))


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    """A data folder of this module's own, with biosphere3 written (the import needs it; not part of a snapshot)."""
    from lca_engine.bw import activate
    from lca_engine.bw.import_write import ensure_biosphere3

    d = activate(tmp_path_factory.mktemp("bg-import") / "data")
    with d.write_lock():
        ensure_biosphere3()
    return d.root


@pytest.fixture(scope="module")
def es2_folder(tmp_path_factory) -> Path:
    """The EcoSpold 2 dataset alone (the fixture folder holds it twice: with and without synonyms)."""
    folder = tmp_path_factory.mktemp("es2")
    shutil.copy(ES2_FILE, folder)
    return folder


def snapshot(root: Path) -> dict:
    """Everything an import could change: Brightway's databases and methods with their metadata, and every file of
    the data folder with its sha256 (lock files aside)."""
    import bw2data as bd

    from lca_engine.bw.project import reload

    reload()
    files = {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.name.endswith(".lock") and p.relative_to(root).parts[0] != "cache"
    }  # cache/: tables read once from bw2io's package data (safe to delete, like every cache)
    return {
        "databases": {k: dict(v) for k, v in bd.databases.items()},
        "methods": sorted(map(str, bd.methods)),
        "files": files,
    }


def refused(root: Path, error: type[LcaEngineError], path, name: str = "x", **kw) -> LcaEngineError:
    before = snapshot(root)
    with pytest.raises(error) as info:
        import_background(path, name, kw.pop("licence", LICENCE), data_dir=root, **kw)
    after = snapshot(root)
    assert after["databases"] == before["databases"] and after["methods"] == before["methods"]
    assert {k: v for k, v in after["files"].items() if before["files"].get(k) != v} == {}
    assert set(before["files"]) == set(after["files"])
    assert all(p.fix for p in info.value.problems)
    return info.value


# ------------------------------------------------------------------------------------------ EcoSpold 2
def es2_raw(path: Path) -> dict:
    """The dataset read with ElementTree: reference product amount, elementary amounts by biosphere3 uuid,
    technosphere inputs by their activityLinkId."""
    tree = ET.parse(path).getroot()
    out = {"production": None, "biosphere": {}, "technosphere": []}
    for ex in tree.iter(f"{ES2}intermediateExchange"):
        if ex.find(f"{ES2}outputGroup") is not None and ex.find(f"{ES2}outputGroup").text == "0":
            out["production"] = float(ex.get("amount"))
        else:
            out["technosphere"].append((ex.get("activityLinkId"), float(ex.get("amount"))))
    for ex in tree.iter(f"{ES2}elementaryExchange"):  # EcoSpold 2 and Brightway both write amounts as positive
        out["biosphere"][ex.get("elementaryExchangeId")] = float(ex.get("amount"))
    return out


def matrices(database: str):
    import bw2calc as bc
    import bw2data as bd

    act = next(iter(bd.Database(database)))
    lca = bc.LCA({act: 1})
    lca.lci()
    return lca, act


def test_ecospold2_imports_and_matrices_equal_the_file(root, es2_folder):
    with pytest.raises(ie.UnlinkedError) as info:  # the dataset names a provider that is not in it
        import_background(es2_folder, "es2", LICENCE, data_dir=root)
    assert "clay pit infrastructure" in info.value.problems[0].message
    res = import_background(es2_folder, "es2", LICENCE, data_dir=root, cut_off=True, version="test 1")
    raw = es2_raw(ES2_FILE)
    lca, act = matrices("bg-es2")
    # one activity: technosphere = its production amount; biosphere rows = the file's elementary amounts
    assert lca.technosphere_matrix.toarray() == pytest.approx(np.array([[raw["production"]]]), abs=1e-9)
    bio = {lca.dicts.biosphere.reversed[i]: v for i, v in enumerate(lca.biosphere_matrix.toarray()[:, 0]) if v}
    import bw2data as bd

    by_code = {bd.get_node(id=k)["code"]: v for k, v in bio.items()}
    assert by_code == pytest.approx(raw["biosphere"], rel=1e-12)
    assert {bd.get_node(id=k)["database"] for k in bio} == {"biosphere3"}
    # the provider missing from the file: left out, and the report says so with its amount
    assert raw["technosphere"] == [("759fac54-b912-4781-9833-0ddd6e8cda24", 9999.0)]
    assert [(r["exchange"], r["amount"], r["unit"]) for r in res.report["dropped"]] == [
        ("clay pit infrastructure", 9999.0, "unit")
    ]
    # EcoSpold 2's lognormal kept: loc = ln(amount) (bw2io centres it on the static amount), scale = sqrt(variance
    # with pedigree) from the file (6)
    (water,) = [e for e in act.biosphere()]
    assert water["uncertainty type"] == 2
    assert water["loc"] == pytest.approx(math.log(123456.0), rel=1e-12)
    assert water["scale"] == pytest.approx(math.sqrt(6.0), rel=1e-12)
    assert res.report["with_distribution"] == 1 and res.report["biosphere3"] == 1
    assert sorted(map(tuple, res.report["units_changed"])) == [("kg", "kilogram", 1), ("m3", "cubic meter", 1)]
    meta = load_meta(root, "es2")
    assert (meta.format, meta.licence, meta.version, meta.activities, meta.exchanges) == (
        "ecospold2",
        LICENCE,
        "test 1",
        1,
        2,
    )
    assert [(a.name, a.product, a.location, a.unit) for a in load_index(root, "es2")] == [
        ("concrete block production", "concrete block", "DE", "kilogram")
    ]
    assert {p.name for p in res.folder.iterdir()} == {
        "meta.json", "index.json", "data.pickle.gz", "linking-report.json", "linking-report.csv"
    }  # fmt: skip
    assert "dropped,delete_ghost_exchanges: concrete block production,clay pit infrastructure" in (
        res.folder / "linking-report.csv"
    ).read_text(encoding="utf-8")


def test_a_second_import_under_the_same_name_is_refused(root, es2_folder):
    if load_meta(root, "es2") is None:
        import_background(es2_folder, "es2", LICENCE, data_dir=root, cut_off=True)
    err = refused(root, ie.NameTakenError, es2_folder, name="es2", cut_off=True)
    assert "lca-engine background remove es2" in err.problems[0].fix


def test_remove_then_import_again(root, es2_folder):
    if load_meta(root, "es2b") is None:
        import_background(es2_folder, "es2b", LICENCE, data_dir=root, cut_off=True)
    import bw2data as bd

    remove_background("es2b", data_dir=root)
    assert "bg-es2b" not in bd.databases and not (root / "backgrounds" / "es2b").exists()
    assert "es2b" not in [m.name for m in list_backgrounds(root)]
    import_background(es2_folder, "es2b", LICENCE, data_dir=root, cut_off=True)
    assert show("es2b", data_dir=root)[0].activities == 1


# ------------------------------------------------------------------------------------------ bad inputs
def test_duplicate_activities_are_refused(root):
    # the fixture folder holds the same dataset twice (once with synonyms): links by name would be ambiguous
    err = refused(root, ie.DuplicateActivityError, FIX / "ecospold2", cut_off=True)
    assert "concrete block production|concrete block|DE" in err.problems[0].message
    assert "_with_synonyms.spold" in err.problems[0].message


def test_missing_path(root, tmp_path):
    refused(root, ie.ImportPathError, tmp_path / "nowhere")


def test_a_text_file_is_no_format(root, tmp_path):
    (tmp_path / "notes.txt").write_text("hello\n")
    refused(root, ie.ImportFormatError, tmp_path / "notes.txt")


def test_format_named_does_not_match(root):
    err = refused(root, ie.ImportFormatError, FIX / "ecospold1", fmt="ecospold2")
    assert "looks like ecospold1" in err.problems[0].message


def test_unknown_format_name(root, es2_folder):
    err = refused(root, ie.ImportFormatError, es2_folder, fmt="ecospold3")
    assert all(f.value in err.problems[0].fix for f in BackgroundFormat)


def test_a_named_pipe_is_refused_without_being_opened(root, tmp_path):
    os.mkfifo(tmp_path / "pipe.spold")
    refused(root, ie.ImportPathError, tmp_path / "pipe.spold")


@pytest.mark.parametrize("name", ["Bad Name", "desnz", "biosphere3", "x-biosphere", ""])
def test_bad_or_reserved_names(root, es2_folder, name):
    refused(root, BackgroundError, es2_folder, name=name)


def test_licence_is_required(root, es2_folder):
    refused(root, ie.LicenceError, es2_folder, licence="  ")


def test_zip_slip_is_refused_before_extracting(root, tmp_path):
    z = tmp_path / "evil.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("processes/a.json", "{}")
        zf.writestr("../x", "escaped")
    err = refused(root, ie.ArchiveError, z)
    assert "'../x'" in err.problems[0].message
    assert not (tmp_path.parent / "x").exists()


def test_zip_over_the_limits_is_refused_before_extracting(root, tmp_path):
    z = tmp_path / "big.zip"
    with zipfile.ZipFile(z, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("processes/a.json", b"0" * 2_000_000)  # compresses to a few KB
    refused(root, ie.ArchiveError, z, limits=ImportLimits(bytes=1_000_000))


def test_show_names_where_the_stored_copy_is(root, es2_folder):
    if load_meta(root, "es2") is None:
        import_background(es2_folder, "es2", LICENCE, data_dir=root, cut_off=True)
    meta, report, folder = show("es2", data_dir=root)
    assert folder == root / "backgrounds" / "es2" and meta.licence == LICENCE
    assert report["activities"] == 1
    assert (
        json.loads((folder / "meta.json").read_text())["data_sha256"]
        == hashlib.sha256((folder / "data.pickle.gz").read_bytes()).hexdigest()
    )


# ------------------------------------------------------------------------------------------ EcoSpold 1
ES1 = "{http://www.EcoInvent.org/EcoSpold01}"
ABS = FIX / "ecospold1" / "Acrylonitrile-butadiene-styrene copolymer (ABS), resin, at plant CTR.xml"
UNITS = {"kg": "kilogram", "MJ": "megajoule", "m3": "cubic meter", "Bq": "Becquerel"}


def es1_raw(path: Path) -> dict:
    """Exchanges by group: 0 reference product, 2 co-product, 4 elementary (in or out), 5 technosphere input."""
    out: dict[str, list] = {"reference": [], "coproduct": [], "elementary": [], "technosphere": []}
    for ex in ET.parse(path).getroot().iter(f"{ES1}exchange"):
        group = (ex.findtext(f"{ES1}outputGroup") or "") + "/" + (ex.findtext(f"{ES1}inputGroup") or "")
        kind = {"0/": "reference", "2/": "coproduct", "4/": "elementary", "/4": "elementary", "/5": "technosphere"}
        row = (
            ex.get("name").strip(),  # one file writes "Oil, crude, in ground " with a space; bw2io strips it
            ex.get("category"),
            UNITS.get(ex.get("unit"), ex.get("unit")),
            float(ex.get("meanValue")),
        )
        out[kind[group]].append(row)
    return out


def test_ecospold1_invalid_files_are_named(root):
    err = refused(root, ie.ImportFormatError, FIX / "ecospold1")
    assert sorted(Path(p.file).name for p in err.problems) == [
        "Acetic acid, at plant.xml",
        "Aluminum, extrusion, at plant.xml",
    ]


def test_ecospold1_imports_with_its_flows_matched_or_kept_loud(root):
    refused(root, ie.UnlinkedError, ABS, name="abs")  # four waste treatments and a co-product with no provider
    refused(root, ie.UnmatchedFlowError, ABS, name="abs", cut_off=True, strict=True)
    res = import_background(ABS, "abs", LICENCE, data_dir=root, cut_off=True)
    raw = es1_raw(ABS)
    lca, _ = matrices("bg-abs")
    assert lca.technosphere_matrix.toarray() == pytest.approx(np.array([[raw["reference"][0][3]]]), abs=1e-9)
    # left out: the four technosphere inputs and the co-product, each with the file's amount
    cut = sorted((r["exchange"], r["amount"]) for r in res.report["cut_off"])
    assert cut == sorted((n, a) for n, _, _, a in raw["technosphere"] + raw["coproduct"])
    import bw2data as bd

    column = lca.biosphere_matrix.toarray()[:, 0]
    flows = {bd.get_node(id=lca.dicts.biosphere.reversed[i]): v for i, v in enumerate(column) if v}
    elementary = [f32(a) for *_, a in raw["elementary"]]
    # every amount is in the matrix once (sums of 224 values: float64 rounding of the order, ~1e-12)
    assert math.fsum(flows.values()) == pytest.approx(math.fsum(elementary), rel=1e-11)
    assert sum(flows.values()) != sum(a for *_, a in raw["elementary"])  # (and at float32 precision)
    by_flow: dict[tuple, float] = {}
    for name, cat, unit, amount in raw["elementary"]:
        key = (name, "natural resource" if cat == "resource" else cat, unit)
        by_flow[key] = f32(np.float32(by_flow.get(key, 0.0)) + np.float32(amount))  # cells summed in float32
    same_name = {(f["name"], f["categories"][0], f["unit"]): v for f, v in flows.items()}
    checked = {k: v for k, v in same_name.items() if k in by_flow}
    assert len(checked) > 150 and checked == pytest.approx({k: by_flow[k] for k in checked}, rel=1e-12)
    # not in biosphere3: kept in the background's own biosphere database, counted, and no method characterises them
    own = [f for f in flows if f["database"] == "bg-abs-biosphere"]
    n_unmatched = sum(r["count"] for r in res.report["unmatched"])
    assert len(own) == len(res.report["unmatched"]) and n_unmatched >= len(own)
    assert load_meta(root, "abs").uncharacterised == n_unmatched > 0
    assert load_meta(root, "abs").biosphere == "bg-abs-biosphere"
    assert {f["database"] for f in flows} == {"biosphere3", "bg-abs-biosphere"}
    co2 = [v for f, v in flows.items() if f["name"] == "Carbon dioxide, fossil" and f["database"] == "biosphere3"]
    assert co2 == pytest.approx(
        [f32(3.3048)], rel=1e-12
    )  # the file's CO2 reaches biosphere3, so every method counts it
    assert res.report["biosphere3"] + n_unmatched == len(raw["elementary"])
    # renamed by ecoinvent's flow history: each old name's amount sits on the ecoinvent 3 flow named in the report
    renamed = {
        (r["exchange"], r["categories"].split(" → ")[0]): r["categories"].split(" → ")[1] for r in res.report["renamed"]
    }
    assert ("Lead", "air") in renamed and renamed[("Lead", "air")] == "Lead II"
    bio3 = {(f["name"], f["categories"][0]): v for f, v in flows.items() if f["database"] == "biosphere3"}
    pairs = [
        (bio3[(new, c)], by_flow[(old, c, "kilogram")])
        for (old, c), new in renamed.items()
        if (old, c, "kilogram") in by_flow
    ]
    assert len(pairs) >= 30  # (a few were renamed by bw2io's 2 → 3 table first: 'Aluminum' → 'Aluminium')
    assert [a for a, _ in pairs] == pytest.approx([b for _, b in pairs], rel=1e-12)


# ------------------------------------------------------------------------------------------ openLCA JSON-LD
FPL = FIX / "json-ld" / "US-FPL"


def _load(folder: Path) -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in folder.glob("*.json")}


def jsonld_raw(path: Path) -> tuple[dict[str, int], np.ndarray]:
    """The technosphere matrix openLCA's allocation gives, from the JSON files: one column per product of a
    process (its default allocation method; causal factors per exchange), amounts in the flow's reference unit,
    inputs made by no process of the set left out (cut off)."""
    groups = _load(path / "unit_groups")
    unit_factor = {u["@id"]: u["conversionFactor"] for g in groups.values() for u in g["units"]}
    flows = _load(path / "flows")

    def ref_amount(e) -> float:
        fp = {f["flowProperty"]["@id"]: f["conversionFactor"] for f in flows[e["flow"]["@id"]]["flowProperties"]}
        return e["amount"] * unit_factor[e["unit"]["@id"]] / fp[e["flowProperty"]["@id"]]

    columns = []  # (code, product flow id, {flow id: amount})
    for pid, proc in _load(path / "processes").items():
        outputs = [e for e in proc["exchanges"] if not e["input"] and e["flow"]["flowType"] == "PRODUCT_FLOW"]
        for out in outputs:
            code = pid if len(outputs) == 1 else f"{pid}.{out['flow']['@id']}"
            factors = {
                (a["product"]["@id"], a.get("exchange", {}).get("internalId")): a["value"]
                for a in proc.get("allocationFactors", [])
                if a["allocationType"] == proc.get("defaultAllocationMethod")
            }
            col = {out["flow"]["@id"]: f32(ref_amount(out))}
            for e in (e for e in proc["exchanges"] if e["input"]):
                f = 1.0 if len(outputs) == 1 else factors[(out["flow"]["@id"], e["internalId"])]
                col[e["flow"]["@id"]] = col.get(e["flow"]["@id"], 0.0) - f32(f * ref_amount(e))
            columns.append((code, out["flow"]["@id"], col))
    index = {code: i for i, (code, _, _) in enumerate(columns)}
    row_of = {product: index[code] for code, product, _ in columns}
    matrix = np.zeros((len(columns), len(columns)))
    for j, (_, _, col) in enumerate(columns):
        for flow, amount in col.items():
            if flow in row_of:  # made by a process of the set; else cut off
                matrix[row_of[flow], j] += amount
    return index, matrix


@pytest.mark.filterwarnings("ignore:No valid biosphere flows found:UserWarning")  # these processes have none
def test_jsonld_imports_and_matrix_equals_openlca_allocation(root):
    err = refused(root, ie.UnlinkedError, FPL, name="fpl")  # 'Electricity, at grid' etc. have no provider here
    assert any("Electricity, at grid" in p.message for p in err.problems)
    res = import_background(FPL, "fpl", "CC0 (US Federal LCA Commons)", data_dir=root, cut_off=True)
    index, expected = jsonld_raw(FPL)
    import bw2calc as bc
    import bw2data as bd

    db = {a["code"]: a for a in bd.Database("bg-fpl")}
    assert set(db) == set(index)
    lca = bc.LCA({db[next(iter(index))]: 1})
    lca.load_lci_data()
    order = [index[bd.get_node(id=lca.dicts.activity.reversed[j])["code"]] for j in range(len(index))]
    rows = [index[bd.get_node(id=lca.dicts.product.reversed[i])["code"]] for i in range(len(index))]
    got = np.zeros_like(expected)
    got[np.ix_(rows, order)] = lca.technosphere_matrix.toarray()
    assert np.abs(got - expected).max() < 1e-9
    assert lca.biosphere_matrix.shape[0] == 0  # these four processes carry no elementary flow
    assert res.meta.activities == 7 and res.report["exchanges"] == {"production": 7, "technosphere": 6}
    assert {r["exchange"] for r in res.report["cut_off"]} >= {
        "Electricity, at grid",
        "Transport, train, diesel powered",
    }


def test_jsonld_zip_imports_like_the_folder(root, tmp_path):
    z = tmp_path / "fpl.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for p in FPL.rglob("*.json"):
            zf.write(p, p.relative_to(FPL).as_posix())
    res = import_background(z, "fpl-zip", LICENCE, data_dir=root, cut_off=True)
    assert res.meta.format == "jsonld" and res.meta.activities == 7
    assert [(a.name, a.product) for a in load_index(root, "fpl-zip")] == [
        (a.name, a.product) for a in load_index(root, "fpl")
    ] or load_meta(root, "fpl") is None


# ------------------------------------------------------------------------------------------ Brightway Excel
def mini_workbook(path: Path, unit_b: str = "kilogram", activities: bool = True) -> Path:
    """Two activities written with openpyxl: A buys 'b * local' kg of B (b = a * 1.5 a database parameter with
    a = 2, local = 4 an activity parameter: 12 kg) and emits 0.25 kg fossil CO2; B makes 2 kg per run, 0.5 kg CO2."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    rows = [
        ["Database", "mini"], [],
        ["Database parameters"], ["name", "amount", "formula"], ["a", 2, None], ["b", None, "a * 1.5"], [],
    ]  # fmt: skip
    if activities:
        head = ["name", "amount", "formula", "unit", "database", "location", "type", "reference product", "categories"]
        rows += [
            ["Activity", "A"], ["code", "a1"], ["location", "GB"], ["unit", "kilogram"],
            ["reference product", "part A"],
            ["Parameters"], ["name", "amount"], ["local", 4], [],
            ["Exchanges"], head,
            ["A", 1, None, "kilogram", "mini", "GB", "production", "part A", None],
            ["B", 0, "b * local", unit_b, "mini", "GB", "technosphere", "part B", None],
            ["Carbon dioxide, fossil", 0.25, None, "kilogram", "biosphere3", None, "biosphere", None, "air"], [],
            ["Activity", "B"], ["code", "b1"], ["location", "GB"], ["unit", "kilogram"],
            ["reference product", "part B"],
            ["Exchanges"], head,
            ["B", 2, None, "kilogram", "mini", "GB", "production", "part B", None],
            ["Carbon dioxide, fossil", 0.5, None, "kilogram", "biosphere3", None, "biosphere", None, "air"],
        ]  # fmt: skip
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def test_excel_parameters_and_formulas_are_evaluated(root, tmp_path):
    res = import_background(mini_workbook(tmp_path / "mini.xlsx"), "mini", LICENCE, data_dir=root)
    import bw2calc as bc
    import bw2data as bd

    a = bd.get_node(database="bg-mini", code="a1")
    (to_b,) = list(a.technosphere())
    assert to_b["amount"] == 12.0  # b * local = (2 * 1.5) * 4, by hand
    lca = bc.LCA({a: 1})
    lca.lci()
    co2 = bd.get_node(database="biosphere3", name="Carbon dioxide, fossil", categories=("air",))
    assert lca.inventory.sum(axis=1)[lca.dicts.biosphere[co2.id], 0] == pytest.approx(0.25 + 12 / 2 * 0.5, rel=1e-7)
    assert res.meta.format == "excel" and res.report["biosphere3"] == 2
    assert sorted((x.code, x.product, x.unit) for x in load_index(root, "mini")) == [
        ("a1", "part A", "kilogram"),
        ("b1", "part B", "kilogram"),
    ]


def test_unit_mismatch_is_refused_even_with_cut_off(root, tmp_path):
    err = refused(root, ie.UnitMismatchError, mini_workbook(tmp_path / "mj.xlsx", unit_b="megajoule"), cut_off=True)
    assert "megajoule" in err.problems[0].message and "kilogram" in err.problems[0].fix


def test_a_database_without_activities_is_refused(root, tmp_path):
    refused(root, ie.EmptyDatabaseError, mini_workbook(tmp_path / "empty.xlsx", activities=False))


# ------------------------------------------------------------------------------------------ interrupted, killed
def synthetic_es2(folder: Path, n: int) -> Path:
    """``n`` copies of the EcoSpold 2 dataset, each its own activity (id and name): an import that takes seconds."""
    text = ES2_FILE.read_text(encoding="utf-8")
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        aid = str(uuid.UUID(int=i + 1))
        one = text.replace("c40e3c0a-292f-45a5-88cd-ed18265cb7d7", aid)
        one = one.replace(">concrete block production<", f">block production {i}<")
        (folder / f"{aid}_d4ee8f39-342b-4443-bbb9-c49b6801b5d6.spold").write_text(one, encoding="utf-8")
    return folder


def start_import(root: Path, path: Path, name: str) -> subprocess.Popen:
    env = {**os.environ, "LCA_ENGINE_DATA_DIR": str(root)}
    cmd = [sys.executable, "-m", "lca_engine.cli", "background", "import", str(path), "--name", name]
    cmd += ["--licence", LICENCE, "--cut-off"]
    return subprocess.Popen(cmd, env=env, stdout=PIPE, stderr=PIPE, text=True, preexec_fn=ctrl_c_reaches_it)


def wait_for_write(root: Path, proc: subprocess.Popen, timeout: float = 240.0) -> None:
    """Until the import has registered its Brightway database and not yet sealed it (``lca_engine_hash`` still
    empty): it is writing it. (Not a fixed time after staging: the write of 3,000 activities takes under a second.)"""
    end = time.monotonic() + timeout
    while not any(
        '"lca_engine_hash": ""' in p.read_text(encoding="utf-8") for p in root.glob("brightway/*/databases.json")
    ):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < end
        time.sleep(0.01)


def brightway_state(root: Path) -> dict:
    """The databases and methods with their metadata, and the registry's files (SQLite's pages aside: a write and
    its undo leave the same rows, not the same bytes)."""
    snap = snapshot(root)
    reg = {k: v for k, v in snap["files"].items() if k.startswith("backgrounds/")}
    return {"databases": snap["databases"], "methods": snap["methods"], "registry": reg}


@pytest.fixture(scope="module")
def big_es2(tmp_path_factory) -> Path:
    return synthetic_es2(tmp_path_factory.mktemp("syn") / "datasets", 3000)


def test_interrupted_import_leaves_the_project_as_it_was(root, big_es2):
    before = brightway_state(root)
    proc = start_import(root, big_es2, "syn")
    wait_for_write(root, proc)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, (out, err)
    assert "Traceback" not in err
    assert brightway_state(root) == before


def test_killed_import_is_not_registered_and_the_next_import_cleans_up(root, big_es2, es2_folder):
    proc = start_import(root, big_es2, "syn-killed")
    wait_for_write(root, proc)
    proc.kill()
    proc.wait(timeout=60)
    assert "syn-killed" not in [m.name for m in list_backgrounds(root)]  # no meta.json: not a background
    import_background(es2_folder, "after-kill", LICENCE, data_dir=root, cut_off=True)
    import bw2data as bd

    assert "bg-syn-killed" not in bd.databases and not list((root / "backgrounds").glob(".import-*"))
    assert not (root / "backgrounds" / "syn-killed").exists()


# ------------------------------------------------------------------------------------------ command line
def test_command_line_import_list_show_remove(root, es2_folder):
    from lca_engine.background.imported import BackgroundFormat

    from .cli_run import invoke

    d = ("--data-dir", root)
    code, out, tb = invoke("background", "import", "--help")
    assert code == 0 and all(f.value in out for f in BackgroundFormat)  # the help names every format
    code, out, tb = invoke("background", "import", es2_folder, "--name", "cli", *d)  # no --licence
    assert (code, tb) == (1, "") and "--licence" in out
    code, out, tb = invoke("background", "import", es2_folder, "--name", "cli", "--licence", "BSD", *d)
    assert (code, tb) == (1, "") and "clay pit infrastructure" in out and "--cut-off" in out
    code, out, tb = invoke("background", "import", es2_folder, "--name", "cli", "--licence", "BSD", "--cut-off", *d)
    assert (code, tb) == (0, "") and "imported cli (ecospold2): 1 activities" in out
    assert "deleted by Brightway's importer" in out and "clay pit infrastructure" in out
    code, out, tb = invoke("background", "list", *d)
    assert code == 0 and "cli  ecospold2" in out and "licence: BSD" in out
    code, out, tb = invoke("background", "show", "cli", *d)
    assert code == 0 and f"stored copy: {root / 'backgrounds' / 'cli'}" in out.replace("\n", "")
    code, out, tb = invoke("background", "remove", "cli", *d)
    assert code == 0 and not (root / "backgrounds" / "cli").exists()
    code, out, tb = invoke("background", "show", "cli", *d)
    assert (code, tb) == (1, "") and "background list" in out


def test_no_network_and_nothing_in_the_home_folder(root, es2_folder, tmp_path, monkeypatch):
    """Every format imports with every socket connection refused, and writes nothing under HOME."""
    import socket

    def refuse(*args, **kwargs):
        raise OSError("network refused by the test")

    home = Path(os.environ["HOME"])
    before = sorted(p for p in home.rglob("*"))
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    for name, path in (
        ("net-es2", es2_folder), ("net-es1", ABS), ("net-fpl", FPL), ("net-xl", mini_workbook(tmp_path / "n.xlsx")),
    ):  # fmt: skip
        import_background(path, name, LICENCE, data_dir=root, cut_off=True)
    assert sorted(p for p in home.rglob("*")) == before


# ------------------------------------------------------------------------------------------ rewritten from the copy
def test_rewritten_from_the_stored_copy_after_biosphere3_is(root, tmp_path):
    """biosphere3 written again gives its flows new ids: the imported database is stale and is written again from
    backgrounds/<NAME>/data.pickle.gz, to the same matrices (last in this module: it rewrites biosphere3)."""
    import bw2data as bd

    from lca_engine.bw.import_write import ensure_biosphere3
    from lca_engine.bw.imported_db import imported_fresh, write_imported
    from lca_engine.bw.parts import _write_biosphere3

    import_background(mini_workbook(tmp_path / "again.xlsx"), "again", LICENCE, data_dir=root)
    assert imported_fresh("again", root)
    before, _ = matrices("bg-again")
    _write_biosphere3()
    ensure_biosphere3()
    assert not imported_fresh("again", root)
    write_imported("again", root)
    assert imported_fresh("again", root)
    after, _ = matrices("bg-again")
    for m in ("technosphere_matrix", "biosphere_matrix"):
        assert np.array_equal(getattr(before, m).toarray(), getattr(after, m).toarray())
    # the same flow (fossil CO2, by code) under a new node id
    assert set(before.dicts.biosphere).isdisjoint(after.dicts.biosphere)
    assert [bd.get_node(id=i)["code"] for i in after.dicts.biosphere] == ["349b29d1-3e58-4c66-98b9-9d1a076efd2e"]
