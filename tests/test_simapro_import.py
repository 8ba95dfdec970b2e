"""SimaPro CSV backgrounds (issue 18): samples written by hand from the SimaPro CSV format (tests/fixtures/simapro)
import through bw_simapro_csv and bw2io's SimaPro strategies; every number checked against the file, by hand."""

from __future__ import annotations

import math
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from lca_engine.background import import_errors as ie
from lca_engine.background.imported import load_index
from lca_engine.background_import import import_background

from . import test_background_import as bg
from .test_background_import import refused, snapshot

FIX = Path(__file__).parent / "fixtures" / "simapro"
LICENCE = "CC0 (samples written for the tests)"
root = bg.root  # the fixture: a data folder of this module's own with biosphere3


@pytest.fixture(scope="module")
def clean(root):
    return import_background(FIX / "clean.csv", "sp-clean", LICENCE, data_dir=root)


def exchanges(database: str) -> dict[str, dict[tuple, dict]]:
    """activity name -> (type, input name, input categories) -> exchange (amount, unit, distribution)."""
    import bw2data as bd

    out = {}
    for act in bd.Database(database):
        out[act["name"]] = {
            (e["type"], e.input["name"], tuple(e.input.get("categories") or ())): e for e in act.exchanges()
        }
    return out


def co2_fossil(lca) -> float:
    """The inventory's fossil CO2 to air (biosphere3), kg."""
    import bw2data as bd

    co2 = next(
        f for f in bd.Database("biosphere3") if f["name"] == "Carbon dioxide, fossil" and f["categories"] == ("air",)
    )
    return float(lca.inventory[lca.dicts.biosphere[co2.id], :].sum())


def test_clean_sample_imports_every_flow_in_biosphere3(root, clean):
    res = clean
    assert res.meta.format == "simapro" and res.meta.activities == 3
    assert res.report["unmatched"] == [] and res.report["biosphere3"] == 8  # all 8 elementary exchanges matched
    keys = {a.key for a in load_index(root, "sp-clean")}
    assert keys == {
        "Electricity, sample grid mix|Electricity, sample grid|GB",
        "Steel sheet, recycled|Steel sheet, recycled|GB",
        "Steel bracket, pressed|Steel bracket|GB",
    }
    ex = exchanges("bg-sp-clean")
    grid = ex["Electricity, sample grid mix"]
    # SimaPro names mapped to ecoinvent's: 'high. pop.' is 'urban air close to ground'; 'biogenic' is 'non-fossil'
    so2 = grid[("biosphere", "Sulfur dioxide", ("air", "urban air close to ground"))]
    assert (so2["amount"], so2["minimum"], so2["maximum"], so2["uncertainty type"]) == (0.0003, 0.0002, 0.0004, 5)
    assert ("biosphere", "Carbon dioxide, non-fossil", ("air",)) in ex["Steel sheet, recycled"]
    water = grid[("biosphere", "Water, river", ("natural resource", "in water"))]
    assert water["amount"] == 0.002 and water["unit"] == "cubic meter"
    # SimaPro's lognormal parameter is the squared geometric standard deviation: sigma = ln(sqrt(1.1))
    co2 = grid[("biosphere", "Carbon dioxide, fossil", ("air",))]
    assert co2["uncertainty type"] == 2 and co2["scale"] == pytest.approx(math.log(math.sqrt(1.1)), rel=1e-12)
    assert co2["loc"] == pytest.approx(math.log(0.25), rel=1e-12)
    # kWh in the file: bw_simapro_csv converts to MJ (the Units block), bw2io's strategy back to kWh
    elec = ex["Steel sheet, recycled"][("technosphere", "Electricity, sample grid mix", ())]
    assert elec["unit"] == "kilowatt hour" and elec["amount"] == pytest.approx(0.6, rel=1e-12)


def test_clean_sample_solves_to_the_hand_sum(clean):
    """1 kg bracket: 0.01 + 1.1 × (0.08 + 0.6 × 0.25) + 0.5 × 0.25 = 0.388 kg fossil CO2 (file values, by hand)."""
    import bw2calc as bc
    import bw2data as bd

    bracket = next(a for a in bd.Database("bg-sp-clean") if a["name"] == "Steel bracket, pressed")
    lca = bc.LCA({bracket: 1})
    lca.lci()
    assert co2_fossil(lca) == pytest.approx(0.01 + 1.1 * (0.08 + 0.6 * 0.25) + 0.5 * 0.25, rel=1e-6)  # float32 matrices


def test_waste_treatment_is_a_service_an_inventory_can_buy(root):
    """'Waste to treatment' 0.1 kg from the bracket to a SimaPro waste treatment: the treatment produces +1 kg of its
    service (as every background activity) and the bracket buys 0.1 of it; 1 kg bracket emits the clean sample's
    0.388 kg plus 0.1 x (0.5 x 0.25 + 0.01) = 0.0135 kg fossil CO2 from the landfill (by hand)."""
    import bw2calc as bc
    import bw2data as bd

    import_background(FIX / "waste_treatment.csv", "sp-waste", LICENCE, data_dir=root)
    ex = exchanges("bg-sp-waste")
    landfill = next(a for a in bd.Database("bg-sp-waste") if a["name"] == "Landfill of steel scrap")
    assert sorted(e["amount"] for e in landfill.production()) == [0, 1.0]  # and bw_simapro_csv's 0 placeholder
    assert ex["Steel bracket, pressed"][("technosphere", "Landfill of steel scrap", ())]["amount"] == 0.1
    bracket = next(a for a in bd.Database("bg-sp-waste") if a["name"] == "Steel bracket, pressed")
    lca = bc.LCA({bracket: 1})
    lca.lci()
    assert co2_fossil(lca) == pytest.approx(0.388 + 0.1 * (0.5 * 0.25 + 0.01), rel=1e-6)


def test_parameters_and_formulas_are_evaluated(root):
    import_background(FIX / "parameters.csv", "sp-param", LICENCE, data_dir=root)
    profile = exchanges("bg-sp-param")["Aluminium profile, extruded"]
    # loss_share = 0.2 (database parameter) -> ingot_per_kg = 1 / (1 - 0.2) = 1.25 (calculated parameter)
    assert profile[("technosphere", "Aluminium ingot, remelted", ())]["amount"] == pytest.approx(1.25, rel=1e-12)
    # kwh_per_kg = 1.6 (input parameter): 1.6 × (1 + 1.25) / 2 = 1.8 kWh; CO2 = 0.002 × 1.6 = 0.0032 kg
    assert profile[("technosphere", "Electricity, sample grid mix", ())]["amount"] == pytest.approx(1.8, rel=1e-12)
    assert profile[("biosphere", "Carbon dioxide, fossil", ("air",))]["amount"] == pytest.approx(0.0032, rel=1e-12)


def test_comma_decimal_separator(root):
    import_background(FIX / "comma_decimal.csv", "sp-comma", LICENCE, data_dir=root)
    board = exchanges("bg-sp-comma")["Particle board, pressed"]
    assert board[("technosphere", "Electricity, sample grid mix", ())]["amount"] == pytest.approx(120.5, rel=1e-12)
    water = board[("biosphere", "Water, river", ("natural resource", "in water"))]
    assert (water["amount"], water["minimum"], water["maximum"]) == (0.75, 0.5, 1.25)
    assert board[("biosphere", "Carbon dioxide, non-fossil", ("air",))]["amount"] == pytest.approx(0.225, rel=1e-12)


def test_a_bad_unit_names_its_line_and_leaves_the_project_unchanged(root):
    err = refused(root, ie.ImportFormatError, FIX / "broken_unit.csv", "sp-bad-unit", licence=LICENCE)
    (p,) = err.problems
    assert (p.line, p.field) == (96, "unit") and "'kgg'" in p.message and "Units" in p.fix
    assert (
        (FIX / "broken_unit.csv").read_text(encoding="utf-8").splitlines()[95].startswith("Carbon dioxide, fossil;;kgg")
    )


def test_a_missing_end_names_the_block_and_leaves_the_project_unchanged(root):
    err = refused(root, ie.ImportFormatError, FIX / "broken_no_end.csv", "sp-no-end", licence=LICENCE)
    (p,) = err.problems
    assert p.line == 19 and "117" in p.message and "'End'" in p.fix
    lines = (FIX / "broken_no_end.csv").read_text(encoding="utf-8").splitlines()
    assert lines[18] == "Process" and lines[116] == "Process"


def test_a_formula_naming_nothing_is_refused(root, tmp_path):
    bad = tmp_path / "unknown_name.csv"
    bad.write_text((FIX / "parameters.csv").read_text(encoding="utf-8").replace("1/(1-loss_share)", "1/(1-lost)"))
    err = refused(root, ie.ImportFormatError, bad, "sp-unknown", licence=LICENCE)
    assert err.problems[0].field == "formula"


def test_no_log_in_home_and_no_network(root, monkeypatch):
    """bw_simapro_csv logs into the user's log folder by default, and bw2io's SimaPro importer has a strategy that
    downloads: the import runs with every socket connection refused and leaves no log folder."""
    from platformdirs import user_log_dir

    def refuse(*args, **kwargs):
        raise OSError("network refused by the test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    import_background(FIX / "clean.csv", "sp-offline", LICENCE, data_dir=root)
    assert not Path(user_log_dir("bw_simapro_csv", "pylca")).exists()


def test_cli_refuses_a_broken_file_in_plain_words(tmp_path):
    env = dict(os.environ, LCA_ENGINE_DATA_DIR=str(tmp_path / "data"))
    args = [str(Path(sys.executable).parent / "lca-engine"), "background", "import", str(FIX / "broken_no_end.csv")]
    run = subprocess.run(
        [*args, "--name", "x", "--licence", LICENCE], env=env, capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 1, run.stderr
    text = run.stdout + run.stderr
    assert "Traceback" not in text and "broken_no_end.csv:19" in text and "End" in text


def test_detected_without_format(root, tmp_path):
    from lca_engine.bw.importers import detect

    assert detect(FIX / "clean.csv").value == "simapro"
    other = tmp_path / "plain.csv"
    other.write_text("a;b\n1;2\n")
    assert detect(other) is None
    assert snapshot(root)["databases"]  # the data folder is readable after all of the above
