"""Foreground from SimaPro CSV (issue 18 item 3): a factory exported from SimaPro becomes a TOML inventory with the
file's provenance. Numbers are checked against the file's own lines, read here with the csv module and solved
with numpy (never against what the tool printed); bad files are refused with file, line and fix, exit 2."""

from __future__ import annotations

import csv
import hashlib
import math
import warnings
from pathlib import Path

import numpy as np
import pytest

from lca_engine.errors import InventoryError, LcaEngineError
from lca_engine.foreground_import import read_foreground
from lca_engine.inventory import load

from . import test_background_import as bg
from .cli_run import invoke

FIX = Path(__file__).parent / "fixtures" / "simapro"
BW2IO = Path(__file__).parent / "fixtures" / "bw2io" / "simapro"
SITE = {"name": "Ebbw Vale", "lat": 51.78, "lon": -3.21}
SITE_CLI = "Ebbw Vale,51.78,-3.21"
root = bg.root  # a data folder with biosphere3, for the background import of the same file
Z = 1.959963984540054
SECTIONS = {"Products", "Waste treatment", "Materials/fuels", "Electricity/heat", "Resources", "Emissions to air",
            "Emissions to water", "Emissions to soil", "Waste to treatment", "Input parameters",
            "Calculated parameters", "Final waste flows", "Non material emissions", "Social issues",
            "Economic issues"}  # fmt: skip


def processes(path: Path) -> list[dict]:
    """The file's processes as written: name, and per section its lines (line number, name, unit, amount)."""
    out, section, cur, pending = [], None, None, None
    with open(path, encoding="utf-8") as fh:
        for no, row in enumerate(csv.reader(fh, delimiter=";"), start=1):
            cell = row[0].strip() if row else ""
            if cell == "Process":
                cur = {"sections": {}}
                out.append(cur)
            elif cell in ("Process name", "End"):
                pending, section = cell, None
            elif pending == "Process name" and cell:
                cur["name"], pending = cell, None
            elif cell in SECTIONS and len(row) == 1:
                section = cell
            elif section and cell and cur is not None:
                unit_at = 2 if section.startswith(("Emissions", "Resources")) else 1
                cur["sections"].setdefault(section, []).append((no, cell, row[unit_at], row[unit_at + 1]))
    return out


def solve(procs: list[dict], fu: str) -> dict[str, float]:
    """Scaling of every process for one unit of ``fu``'s product: the file's own technosphere, solved by numpy."""
    product = {p["sections"]["Products"][0][1]: i for i, p in enumerate(procs)}
    a = np.zeros((len(procs), len(procs)))
    for j, p in enumerate(procs):
        a[j, j] = float(p["sections"]["Products"][0][3])
        for section in ("Materials/fuels", "Electricity/heat"):
            for _, name, _, amount in p["sections"].get(section, []):
                if name in product:
                    a[product[name], j] -= float(amount)
    f = np.zeros(len(procs))
    f[next(i for i, p in enumerate(procs) if p["name"] == fu)] = 1.0
    s = np.linalg.solve(a, f)
    return {p["name"]: s[i] for i, p in enumerate(procs)}


def by_line(factory) -> dict[int, object]:
    """Each flow by the line its note names (the converter writes 'line N' for every SimaPro exchange); the product
    flow (its note names the product line) apart."""
    out = {}
    for f in factory.flows:
        if ", line " in f.note and f.kind != "product":
            out[int(f.note.split(", line ")[1].split(";")[0])] = f
    return out


def read(path: Path, **kw):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        factory = read_foreground(path, **{"sector": "textiles", "site": SITE, **kw})
    return factory, [str(w.message) for w in caught if "unclosed" not in str(w.message)]


def test_clean_sample_amounts_are_the_file_solved_by_numpy(catalog):
    procs = processes(FIX / "clean.csv")
    s = solve(procs, "Steel bracket, pressed")
    assert s["Electricity, sample grid mix"] == pytest.approx(0.5 + 1.1 * 0.6)  # the file's own chain
    factory, _ = read(FIX / "clean.csv", catalog=catalog)
    flows = by_line(factory)
    checked = 0
    for p in procs:
        for section, rows in p["sections"].items():
            if section in ("Products",):
                continue
            for no, name, unit, amount in rows:
                assert flows[no].amount == pytest.approx(float(amount) * s[p["name"]], rel=1e-12), (no, name)
                assert flows[no].unit == {"kWh": "kWh", "kg": "kg", "m3": "m3"}[unit]
                checked += 1
    assert checked == 11 and len(factory.flows) == 12  # every exchange line, and the product
    (product,) = [f for f in factory.flows if f.kind == "product"]
    assert (product.amount, product.unit, product.to, product.name) == (1.0, "kg", "market", "Steel bracket")
    assert factory.functional_unit.amount == 1.0 and factory.functional_unit.unit == "kg"
    internal = {(f.from_, f.to) for f in factory.flows if f.kind in ("material", "energy")}
    assert len(internal) == 3  # electricity → sheet, electricity → bracket, sheet → bracket


def test_provenance_is_what_the_header_states(catalog):
    factory, _ = read(FIX / "clean.csv", catalog=catalog, licence="CC0 (test samples)")
    ((sid, src),) = factory.sources.items()
    digest = hashlib.sha256((FIX / "clean.csv").read_bytes()).hexdigest()
    assert sid == "simapro-clean" and src.licence == "CC0 (test samples)"
    assert src.edition == "SimaPro 9.5.0.0" and src.title == "lca-engine samples (SimaPro CSV, clean.csv)"
    for stated in (digest, "SimaPro 9.5.0.0", "project 'lca-engine samples'", "2026-12-05T10:00:00", "none listed"):
        assert stated in src.note
    # every flow cites the file: as its source, or (a distribution in the file) in its assumption's reasoning
    assert all(f.source == sid or (f.assumption and f"source '{sid}'" in f.assumption.reasoning) for f in factory.flows)
    # without --licence: said to be unknown
    assert read(FIX / "clean.csv", catalog=catalog)[0].sources[sid].licence == "unknown — check before use"


def test_real_simapro_export_names_its_libraries_and_warns_what_it_cannot_link(catalog):
    """inventory.csv: a real SimaPro 8.5.2 export whose processes use the ecoinvent library (not in the file)."""
    factory, warned = read(BW2IO / "inventory.csv", catalog=catalog)
    src = next(iter(factory.sources.values()))
    assert "Ecoinvent 3 - allocation, cut-off by classification - unit" in src.note and "SimaPro 8.5.2.0" in src.note
    assert "project 'for Yannik'" in src.note
    rows = [r for r in csv.reader(open(BW2IO / "inventory.csv", encoding="utf-8"), delimiter=";")]
    flows = by_line(factory)
    for no, f in flows.items():
        assert float(rows[no - 1][2]) == pytest.approx(f.amount, rel=1e-12)  # name;unit;amount;…: scaling 1
        assert f.background is None and f.from_ == "market"
    assert flows and all("not counted" in w for w in warned if "DESNZ" in w)
    assert len([w for w in warned if "matches no activity of the file" in w]) == len(flows)


def test_waste_to_treatment_flows_from_the_process_to_the_treatment(catalog):
    procs = processes(FIX / "waste_treatment.csv")
    factory, _ = read(FIX / "waste_treatment.csv", catalog=catalog)
    flows = by_line(factory)
    bracket = next(p for p in procs if p["name"] == "Steel bracket, pressed")
    (no, _, _, amount) = bracket["sections"]["Waste to treatment"][0]
    scrap = flows[no]
    ids = {p.name: p.id for p in factory.processes}
    assert (scrap.from_, scrap.to) == (ids["Steel bracket, pressed"], ids["Landfill of steel scrap"])
    assert scrap.amount == pytest.approx(float(amount))
    landfill = next(p for p in procs if p["name"] == "Landfill of steel scrap")
    for no, _, _, amount in landfill["sections"]["Electricity/heat"] + landfill["sections"]["Emissions to air"]:
        assert flows[no].amount == pytest.approx(float(amount) * 0.1, rel=1e-12)  # treats 0.1 kg per bracket


def _lognormal_95(amount: float, sg2: float) -> tuple[float, float]:
    """SimaPro's 'Lognormal;<σg²>' → the 2.5 and 97.5 % points around ``amount``."""
    sigma = math.log(math.sqrt(sg2))
    return amount * math.exp(-Z * sigma), amount * math.exp(Z * sigma)


def test_parameters_amounts_and_their_distribution_reach_the_flows(catalog):
    factory, _ = read(FIX / "parameters.csv", catalog=catalog)
    flows = by_line(factory)
    # loss_share 0.2 → ingot_per_kg = 1/(1-0.2); kwh_per_kg = 1.6, Lognormal σg² = 1.1 (an input parameter)
    ingot, kwh = 1 / (1 - 0.2), 1.6
    assert flows[289].amount == pytest.approx(ingot, rel=1e-12)
    elec, co2 = kwh * (1 + ingot) / 2, 0.002 * kwh
    assert flows[292].amount == pytest.approx(elec, rel=1e-12) and flows[292].unit == "kWh"
    assert flows[297].amount == pytest.approx(co2, rel=1e-12)
    for no, amount in ((292, elec), (297, co2)):  # proportional to kwh_per_kg: its distribution, scaled
        low, high = _lognormal_95(amount, 1.1)
        a = flows[no].assumption
        assert (a.low, a.high) == (pytest.approx(low, rel=1e-9), pytest.approx(high, rel=1e-9)), no
        assert "kwh_per_kg" in flows[no].note
    assert flows[289].assumption is None  # loss_share has no distribution


def test_parameter_distribution_is_carried_in_the_background_import_too(root):
    import bw2data as bd

    from lca_engine.background_import import import_background

    import_background(FIX / "parameters.csv", "fg-sp-param", "CC0", data_dir=root)
    profile = next(a for a in bd.Database("bg-fg-sp-param") if a["name"] == "Aluminium profile, extruded")
    elec = next(e for e in profile.technosphere() if e.input["name"] == "Electricity, sample grid mix")
    sigma = math.log(math.sqrt(1.1))
    assert elec["uncertainty type"] == 2 and elec["scale"] == pytest.approx(sigma, rel=1e-12)
    assert elec["loc"] == pytest.approx(math.log(1.6 * (1 + 1.25) / 2), rel=1e-12)  # in kWh, like the amount
    assert elec["uncertainty parameter"] == "kwh_per_kg"
    ingot = next(e for e in profile.technosphere() if e.input["name"] == "Aluminium ingot, remelted")
    assert ingot.get("uncertainty type", 0) in (0, 1)  # no distribution on loss_share


def test_cli_writes_a_toml_that_validates_and_assesses_to_the_hand_carbon(tmp_path, data_dir):
    out = tmp_path / "profile.toml"
    code, text, tb = invoke(
        "foreground", "import", FIX / "parameters.csv", "--out", out, "--sector", "textiles", "--site", SITE_CLI,
        "--functional-unit", "Aluminium profile, extruded", "--data-dir", data_dir,
    )  # fmt: skip
    assert (code, tb) == (0, ""), text
    # valid (references, units, provenance); an LCA dataset is not mass-balanced (CO2 from air the file does not
    # list, scrap not modelled): the imbalance is reported, not refused
    code, text, _ = invoke("validate", out, "--lenient", "--data-dir", data_dir)
    assert code == 0 and "mass balance does not close" in text, text
    from lca_engine import assess

    factory = load(out)
    result = assess(factory, data_dir=data_dir, strict_balance=False, indicators=["carbon"])
    # fossil CO2 only: 0.3 kg per kWh of electricity (0.8 kWh × 1.25 kg ingot + 1.8 kWh), 0.05 per kg ingot, 0.0032
    hand = 0.3 * (0.8 * 1.25 + 1.8) + 0.05 * 1.25 + 0.002 * 1.6
    assert result.total(factory.id) == pytest.approx(hand, rel=1e-6)


def _refused(*args) -> str:
    code, text, tb = invoke("foreground", "import", *args)
    assert (code, tb) == (1, ""), text
    assert "Traceback" not in text
    return text


def test_bad_files_are_refused_with_line_and_fix(tmp_path):
    common = ["--out", tmp_path / "x.toml", "--sector", "textiles", "--site", SITE_CLI]
    text = _refused(BW2IO / "simple.txt", *common)
    assert "older CSV layout" in text and "simple.txt:1" in text and "fix:" in text
    assert "not a foreground in any format" in _refused(BW2IO / "invalid.txt", *common)  # "Joe's LCA Software"
    text = _refused(BW2IO / "damagecategory.txt", *common)  # an export of LCIA methods
    assert "damagecategory.txt:2 field 'header'" in text and "LCIA methods" in text
    text = _refused(FIX / "broken_no_end.csv", *common)
    assert "broken_no_end.csv:19" in text and "'End'" in text
    text = _refused(FIX / "broken_unit.csv", *common)
    assert "broken_unit.csv:96 field 'unit'" in text and "kgg" in text
    text = _refused(FIX / "clean.csv", "--out", tmp_path / "x.toml", "--site", SITE_CLI)
    assert "sector" in text and "fix:" in text
    assert not (tmp_path / "x.toml").exists()


def test_a_process_without_a_product_line_is_named(tmp_path):
    lines = (FIX / "clean.csv").read_text(encoding="utf-8").splitlines()
    at = lines.index("Steel sheet, recycled {GB}| electric arc furnace;kg;1;100%;not defined;Metals\\Ferro;")
    bad = tmp_path / "no_product.csv"
    lines = lines[:at] + lines[at + 1 :]
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(LcaEngineError) as exc:
        read_foreground(bad, sector="textiles", site=SITE)
    assert isinstance(exc.value, InventoryError)
    (p,) = exc.value.problems
    assert "Steel sheet, recycled" in p.message and p.field == "Products" and p.file == str(bad) and p.fix
    assert p.line is not None and lines[p.line - 1].startswith("Electricity, sample grid")  # its first exchange


def test_format_named_must_match(tmp_path):
    text = _refused(FIX / "clean.csv", "--format", "jsonld", "--out", tmp_path / "x.toml", "--sector", "textiles",
                    "--site", SITE_CLI)  # fmt: skip
    assert "looks like simapro" in text


def test_a_unit_lca_engine_cannot_read_is_named_by_line(tmp_path):
    """'pkm' is a SimaPro unit (bw2io: person kilometer) that has no quantity here: refused at its line."""
    lines = (FIX / "clean.csv").read_text(encoding="utf-8").splitlines()
    at = lines.index("Steel sheet, recycled {GB}| electric arc furnace;kg;1.1;Lognormal;1.05;0;0;")
    lines.insert(at + 1, "Transport, passenger car {GB}| market;pkm;12;Undefined;0;0;0;")
    bad = tmp_path / "pkm.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    text = _refused(bad, "--out", tmp_path / "x.toml", "--sector", "textiles", "--site", SITE_CLI)
    assert f"pkm.csv:{at + 2} field 'unit'" in text and "person kilometer" in text


def test_excel_routes_to_the_brightway_excel_reader(tmp_path, catalog):
    """`foreground import` of an .xlsx gives what `read_bw_excel` (import-excel) gives, with the stated licence."""
    from lca_engine.bw.excel import read_bw_excel

    book = Path(__file__).parent / "fixtures" / "bw2io" / "excel" / "basic_example.xlsx"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        direct = read_bw_excel(book, sector="textiles", site=SITE, catalog=catalog)
        routed = read_foreground(book, sector="textiles", site=SITE, catalog=catalog, licence="BSD-3-Clause")
    assert routed.flows == direct.flows and routed.processes == direct.processes
    assert [s.licence for s in routed.sources.values()] == ["BSD-3-Clause"]
    assert [s.licence for s in direct.sources.values()] == ["unknown — check before use"]
    with pytest.raises(InventoryError) as exc:  # an Excel file names its providers' database itself
        read_foreground(book, sector="textiles", site=SITE, background="anything")
    assert exc.value.problems[0].field == "background"


def test_providers_not_in_the_file_link_to_an_imported_background(root, tmp_path):
    """The sample without its electricity process, linked to the sample imported as a background: the same
    IPCC 2021 carbon as the whole file converted (two independent routes: our conversion of the electricity
    process, and bw2io's import of it as a background)."""
    from lca_engine import assess
    from lca_engine.background_import import import_background

    import_background(FIX / "clean.csv", "fg-sp-clean", "CC0", data_dir=root)
    lines = (FIX / "clean.csv").read_text(encoding="utf-8").splitlines()
    start = lines.index("Process")
    cut = tmp_path / "no_electricity.csv"
    cut.write_text("\n".join(lines[:start] + lines[lines.index("End", start) + 1 :]) + "\n", encoding="utf-8")
    from lca_engine.background.catalog import load_catalog

    catalog = load_catalog(2025, data_root=root)  # the shipped factors and root's imported backgrounds
    whole = read(FIX / "clean.csv", catalog=catalog)[0]
    linked, warned = read(cut, background="fg-sp-clean", catalog=catalog)
    keys = {f.background for f in linked.flows if f.background}
    assert keys == {"fg-sp-clean:Electricity, sample grid mix|Electricity, sample grid|GB"}
    assert len([f for f in linked.flows if f.background]) == 2 and not [w for w in warned if "not counted" in w]
    totals = [
        assess(f, data_dir=root, strict_balance=False, indicators=["carbon_ipcc2021"]).total(f.id, "carbon_ipcc2021")
        for f in (whole, linked)
    ]
    assert totals[1] == pytest.approx(totals[0], rel=1e-9) and totals[0] > 0.3
    text = _refused(cut, "--background", "nowhere", "--out", tmp_path / "x.toml", "--sector", "textiles",
                    "--site", SITE_CLI, "--data-dir", root)  # fmt: skip
    assert "no background named 'nowhere'" in text


@pytest.mark.parametrize("named", ["Aluminium profile, extruded", "LCAE0000000000000103", "Aluminium profile",
                                   "Aluminium profile {GB}| extrusion"])  # fmt: skip
def test_the_functional_unit_by_process_code_or_product(catalog, named):
    factory, _ = read(FIX / "parameters.csv", functional_unit=named, catalog=catalog)
    (product,) = [f for f in factory.flows if f.kind == "product"]
    assert (product.from_, product.name) == ("LCAE0000000000000103", "Aluminium profile")


def test_a_multi_output_process_is_allocated_as_the_file_says(tmp_path, catalog):
    """allocation.csv (bw2io's sample): 'Rice, at farm' makes 6250 kg rice (95.8 %) and 3125 kg straw (4.2 %); the
    residues process buys 0.388 kg rice and 0.771 kg straw. With 100 kg of CO2 added to the rice process, each
    allocated dataset carries its share: 100 × 0.958 / 6250 per kg rice, 100 × 0.042 / 3125 per kg straw."""
    lines = (BW2IO / "allocation.csv").read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("Emissions to air") and i > 210)
    lines.insert(at + 1, "Carbon dioxide, fossil;;kg;100;Undefined;0;0;0;")
    copy = tmp_path / "allocation.csv"
    copy.write_text("\n".join(lines) + "\n", encoding="utf-8")
    factory, _ = read(copy, catalog=catalog)
    ids = {p.id for p in factory.processes}
    assert ids == {"ReCenter000033915300046", "ReCenter000033915302504-1", "ReCenter000033915302504-2"}  # stable
    co2 = {f.from_: f.amount for f in factory.flows if f.substance == "Carbon dioxide, fossil"}
    assert co2 == {
        "ReCenter000033915302504-1": pytest.approx(0.388 * 100 * 0.958 / 6250, rel=1e-9),
        "ReCenter000033915302504-2": pytest.approx(0.771 * 100 * 0.042 / 3125, rel=1e-9),
    }
    (product,) = [f for f in factory.flows if f.kind == "product"]
    assert product.from_ == "ReCenter000033915300046"  # the only process no other consumes
