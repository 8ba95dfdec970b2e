"""Every kind of bad input gives one clear error naming file, field (and line) and a fix — no traceback."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lca_engine import BalanceError, InventoryError, LcaEngineError, UnitError, load_checked
from lca_engine.cli import app

from .conftest import DATA

GOOD = (DATA / "tiny_micro.toml").read_text(encoding="utf-8")
runner = CliRunner()


def _write(tmp_path: Path, text: str | bytes, name: str = "bad.toml") -> Path:
    p = tmp_path / name
    (p.write_bytes if isinstance(text, bytes) else p.write_text)(text)
    # keep the baseline reference resolvable for cases that are not about it
    (tmp_path / "tiny_baseline.toml").write_text((DATA / "tiny_baseline.toml").read_text())
    return p


def _line_of(text: str, needle: str, nth: int = 0) -> int:
    return [i + 1 for i, line in enumerate(text.splitlines()) if needle in line][nth]


def _one_problem(exc_info, file: Path, field: str | None):
    problems = exc_info.value.problems
    assert len(problems) == 1, [p.format() for p in problems]
    p = problems[0]
    assert p.file == str(file)
    if field is not None:
        assert p.field == field
    assert p.fix, "every error says how to fix it"
    return p


def test_valid_file_passes(catalog):
    c = load_checked(DATA / "tiny_micro.toml", catalog=catalog)
    assert c.balance.ok


def test_malformed_toml_names_the_line(tmp_path, catalog):
    text = GOOD.replace('unit = "kWh"', 'unit = "kWh', 1)
    f = _write(tmp_path, text)
    with pytest.raises(InventoryError) as e:
        load_checked(f, catalog=catalog)
    p = _one_problem(e, f, None)
    assert "not valid TOML" in p.message
    assert p.line == _line_of(text, 'unit = "kWh')


def test_unknown_unit(tmp_path, catalog):
    text = GOOD.replace('unit = "kWh"', 'unit = "kWhh"', 1)
    f = _write(tmp_path, text)
    with pytest.raises(InventoryError) as e:
        load_checked(f, catalog=catalog)
    p = _one_problem(e, f, "flows[4].unit")
    assert "unknown unit 'kWhh'" in p.message
    assert p.line == _line_of(text, "kWhh")


def test_wrong_dimension_names_expected_dimension(tmp_path, catalog):
    # the yarn (a material) given in kWh
    text = GOOD.replace('amount = 0.5\nunit = "kg"', 'amount = 0.5\nunit = "kWh"', 1)
    f = _write(tmp_path, text)
    with pytest.raises(InventoryError) as e:
        load_checked(f, catalog=catalog)
    messages = [p.message for p in e.value.problems]
    assert any("unit 'kWh' is energy" in m and "mass (kg, t)" in m for m in messages), messages
    assert all(p.field == "flows[0].unit" for p in e.value.problems)


def test_dimension_mismatch_with_background_factor(tmp_path, catalog):
    # diesel factor is per litre: a mass of diesel is refused, not guessed via a density
    text = GOOD.replace('background = "desnz.electricity.uk"', 'background = "desnz.diesel"', 1).replace(
        'amount = 2\nunit = "kWh"', 'amount = 2\nunit = "kg"', 1
    )
    text = text.replace('kind = "energy"\namount = 2', 'kind = "energy"\namount = 2', 1)
    f = _write(tmp_path, text)
    with pytest.raises(InventoryError) as e:
        load_checked(f, catalog=catalog)
    p = _one_problem(e, f, "flows[4].unit")
    assert "factor 'desnz.diesel' is per L" in p.message


def test_negative_amount(tmp_path, catalog):
    text = GOOD.replace('amount = 0.05\nunit = "kg"', 'amount = -0.05\nunit = "kg"', 1)
    f = _write(tmp_path, text)
    with pytest.raises(InventoryError) as e:
        load_checked(f, catalog=catalog)
    p = _one_problem(e, f, "flows[2].amount")
    assert "must not be negative" in p.message
    assert p.line == _line_of(text, "amount = -0.05")


def test_dangling_flow_reference(tmp_path, catalog):
    text = GOOD.replace('to = "recover"', 'to = "recovr"', 1)
    f = _write(tmp_path, text)
    with pytest.raises(InventoryError) as e:
        load_checked(f, catalog=catalog)
    p = _one_problem(e, f, "flows[2].to")
    assert "'recovr' is neither a process id nor a boundary node" in p.message
    assert "knit, recover" in p.fix


def test_missing_provenance(tmp_path, catalog):
    text = GOOD.replace(
        'background = "desnz.freight.hgv"\nsource = "desnz-2025"', 'background = "desnz.freight.hgv"', 1
    )
    f = _write(tmp_path, text)
    with pytest.raises(InventoryError) as e:
        load_checked(f, catalog=catalog)
    p = _one_problem(e, f, "flows[7].source")
    assert "no provenance" in p.message


def test_unknown_source_id(tmp_path, catalog):
    f = _write(tmp_path, GOOD.replace('source = "desnz-2025"', 'source = "desnz-2052"', 1))
    with pytest.raises(InventoryError) as e:
        load_checked(f, catalog=catalog)
    assert "unknown source id 'desnz-2052'" in _one_problem(e, f, "flows[0].source").message


def test_assumption_outside_its_range(tmp_path, catalog):
    f = _write(tmp_path, GOOD.replace("low = 0.01, high = 0.1", "low = 0.06, high = 0.1"))
    with pytest.raises(InventoryError) as e:
        load_checked(f, catalog=catalog)
    assert "outside its assumption range" in _one_problem(e, f, "flows[2].assumption").message


def test_unbalanced_process_is_an_error_by_default_and_a_warning_when_lenient(tmp_path, catalog):
    f = _write(tmp_path, GOOD.replace('amount = 40\nunit = "g"', 'amount = 30\nunit = "g"'))
    with pytest.raises(BalanceError) as e:
        load_checked(f, catalog=catalog)
    fields = {p.field for p in e.value.problems}
    assert fields == {"process 'knit'", "process 'recover'"}
    assert "imbalance" in e.value.problems[0].message
    c = load_checked(f, catalog=catalog, strict_balance=False)
    assert not c.balance.ok and len(c.warnings) >= 2
    # a looser tolerance accepts it: 10 g on 0.54 kg is 1.9 %, on 0.05 kg is 20 %
    assert load_checked(f, catalog=catalog, tolerance=0.25).balance.ok


def test_duplicate_ids(tmp_path, catalog):
    f = _write(tmp_path, GOOD.replace('id = "recovery_loss"', 'id = "offcuts"'))
    with pytest.raises(InventoryError) as e:
        load_checked(f, catalog=catalog)
    p = _one_problem(e, f, "flows[2].id")
    assert "duplicate id 'offcuts'" in p.message


def test_empty_file(tmp_path, catalog):
    f = _write(tmp_path, "  \n# only a comment\n")
    with pytest.raises(InventoryError) as e:
        load_checked(f, catalog=catalog)
    assert "empty" in _one_problem(e, f, None).message


def test_non_utf8_file(tmp_path, catalog):
    f = _write(tmp_path, GOOD.replace("Merthyr Tydfil", "Merthyr Tudful é").encode("latin-1"))
    with pytest.raises(InventoryError) as e:
        load_checked(f, catalog=catalog)
    p = _one_problem(e, f, None)
    assert "not valid UTF-8" in p.message and "UTF-8" in p.fix
    assert p.line == _line_of(GOOD, "Merthyr Tydfil")


def test_unknown_field_and_bad_sector_are_listed_together(tmp_path, catalog):
    text = GOOD.replace('sector = "textiles"', 'sector = "textile"').replace('kind = "energy"', 'knd = "energy"', 1)
    f = _write(tmp_path, text)
    with pytest.raises(InventoryError) as e:
        load_checked(f, catalog=catalog)
    by_field = {p.field: p for p in e.value.problems}
    assert "'textiles'" in by_field["sector"].fix and by_field["sector"].line == _line_of(text, "sector =")
    assert "unknown field 'knd'" in by_field["flows[4].knd"].message
    assert by_field["flows[4].kind"].message == "required field is missing"


def test_unknown_background_factor(tmp_path, catalog):
    f = _write(tmp_path, GOOD.replace("desnz.material.clothing.primary", "desnz.material.clothes.primary"))
    with pytest.raises(InventoryError) as e:
        load_checked(f, catalog=catalog)
    p = _one_problem(e, f, "flows[0].background")
    assert "unknown background factor 'desnz.material.clothes.primary'" in p.message
    assert "lca-engine factors" in p.fix


def test_unavailable_year(data_dir):
    from lca_engine import BackgroundError, load_catalog

    with pytest.raises(BackgroundError) as e:
        load_catalog(2019, cache_dir=data_dir / "cache")
    assert "no background data for year 2019" in e.value.problems[0].message
    assert "2023, 2024, 2025" in e.value.problems[0].fix


def test_functional_unit_not_delivered(tmp_path, catalog):
    f = _write(
        tmp_path,
        GOOD.replace('amount = 1\nunit = "item"\nmass_per_unit', 'amount = 2\nunit = "item"\nmass_per_unit').replace(
            '"0.49 kg/item"', '"0.245 kg/item"'
        ),
    )
    with pytest.raises(InventoryError) as e:
        load_checked(f, catalog=catalog)
    assert "deliver 2 item" in _one_problem(e, f, "functional_unit.amount").message


def test_baseline_with_other_functional_unit(tmp_path, data_dir):
    from lca_engine import assess_files

    f = _write(tmp_path, GOOD)
    (tmp_path / "tiny_baseline.toml").write_text(
        (DATA / "tiny_baseline.toml")
        .read_text()
        .replace('unit = "item"\ndescription', 'unit = "kg"\ndescription')
        .replace('amount = 1\nunit = "item"\nmass_per_unit', 'amount = 1\nunit = "kg"\nmass_per_unit')
        .replace('mass_per_unit = "0.5 kg/item"\n', "")
        .replace("amount = 0.7", "amount = 1.2")
    )
    with pytest.raises(LcaEngineError) as e:
        assess_files([f], data_dir=data_dir)
    assert any("differs from the baseline" in p.message for p in e.value.problems)


def test_mass_per_unit_must_make_a_mass(tmp_path, catalog):
    f = _write(tmp_path, GOOD.replace('"0.49 kg/item"', '"0.49 kWh/item"'))
    with pytest.raises(InventoryError) as e:
        load_checked(f, catalog=catalog)
    assert "does not turn 'item' into a mass" in _one_problem(e, f, "flows[8].mass_per_unit").message


def test_unit_error_is_an_inventory_error():
    assert issubclass(UnitError, InventoryError)


# --- the CLI: exit codes, readable output, nothing half-written ---------------------------------------------


def test_cli_validate_exit_codes(tmp_path):
    ok = runner.invoke(app, ["validate", str(DATA / "tiny_micro.toml")])
    assert ok.exit_code == 0, ok.output
    bad = _write(tmp_path, GOOD.replace('to = "recover"', 'to = "recovr"', 1))
    res = runner.invoke(app, ["validate", str(bad)])
    assert res.exit_code == 1
    assert "recovr" in res.output and "fix:" in res.output and "Traceback" not in res.output
    unbalanced = _write(tmp_path, GOOD.replace('amount = 40\nunit = "g"', 'amount = 30\nunit = "g"'), "unb.toml")
    assert runner.invoke(app, ["validate", str(unbalanced)]).exit_code == 3
    assert runner.invoke(app, ["validate", "--lenient", str(unbalanced)]).exit_code == 0


def test_cli_assess_bad_input_writes_nothing_and_keeps_old_results(tmp_path, data_dir):
    out = tmp_path / "results"
    good = runner.invoke(app, ["assess", str(DATA / "tiny_micro.toml"), "--out", str(out), "--data-dir", str(data_dir)])
    assert good.exit_code == 0, good.output
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    bad = _write(tmp_path, GOOD.replace('unit = "kWh"', 'unit = "kWh', 1))
    res = runner.invoke(app, ["assess", str(bad), "--out", str(out), "--data-dir", str(data_dir)])
    assert res.exit_code == 1
    after = {p.name: p.read_bytes() for p in out.iterdir()}
    assert after == before  # untouched, and no temporary files left behind


def test_cli_real_process_prints_no_traceback(tmp_path):
    """The installed entry point, as a user runs it: the error is one readable block."""
    bad = _write(tmp_path, b"\xff\xfe not utf8")
    res = subprocess.run(
        [sys.executable, "-m", "lca_engine.cli", "validate", str(bad)], capture_output=True, text=True, timeout=120
    )
    assert res.returncode == 1
    assert "Traceback" not in res.stderr
    assert re.search(r"bad\.toml:1: file is not valid UTF-8", res.stderr)
