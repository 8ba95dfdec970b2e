"""Limits checked before parsing: every hostile size gives one clear error (file, line, limit, fix) and exit code 1,
never a RecursionError, a TokenError or gigabytes of memory; error lines are found with one index per file."""

from __future__ import annotations

import re
import subprocess
import sys
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lca_engine import InventoryError, UnitError, load_checked
from lca_engine.cli import app
from lca_engine.inventory import line_index, loads, read_text
from lca_engine.limits import LIMITS, MB, Limits, check_toml_text, check_xlsx
from lca_engine.units import parse_unit

from .conftest import DATA

GOOD = (DATA / "tiny_micro.toml").read_text(encoding="utf-8")
runner = CliRunner()


def _write(tmp_path: Path, text: str, name: str = "bad.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    (tmp_path / "tiny_baseline.toml").write_text((DATA / "tiny_baseline.toml").read_text(encoding="utf-8"))
    return path


def _validate(path: Path) -> str:
    """`lca-engine validate` in-process: exit code 1 and no traceback; returns what it printed."""
    res = runner.invoke(app, ["validate", str(path)])
    text = res.output  # click ≥ 8.2: stdout and stderr together
    assert res.exit_code == 1, text
    assert "Traceback" not in text and not isinstance(res.exception, RecursionError | MemoryError)
    return text


def _only_problem(exc_info, file: Path, line: int | None):
    (p,) = exc_info.value.problems
    assert p.file == str(file) and p.line == line and p.fix
    return p


def _refused_with_peak(read, path: Path):
    """The InventoryError ``read(path)`` raises, and the peak of Python memory (tracemalloc) while it ran."""
    tracemalloc.start()
    try:
        with pytest.raises(InventoryError) as e:
            read(path)
        return e, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


# ------------------------------------------------------------------------------------------ TOML structure
@pytest.mark.parametrize(
    "value",
    ["[" * 10_000 + "]" * 10_000, "{a = " * 10_000 + "1" + "}" * 10_000],
    ids=["arrays", "inline-tables"],
)
def test_deep_nesting_is_refused_with_the_line(tmp_path, value):
    text = GOOD + f"\nnote = {value}\n"
    path = _write(tmp_path, text)
    with pytest.raises(InventoryError) as e:
        load_checked(path)
    p = _only_problem(e, path, text.count("\n"))
    assert f"more than {LIMITS.toml_depth} levels" in p.message
    assert "more than 32 levels deep" in _validate(path)


def test_deep_nesting_real_process(tmp_path):
    path = _write(tmp_path, GOOD + "\nx = " + "[" * 10_000 + "\n")
    res = subprocess.run(
        [sys.executable, "-m", "lca_engine.cli", "validate", str(path)], capture_output=True, text=True, timeout=120
    )
    assert res.returncode == 1
    assert "Traceback" not in res.stderr + res.stdout
    assert re.search(r"bad\.toml:\d+: arrays / inline tables are nested more than 32 levels", res.stderr)


def test_long_dotted_key_is_refused_before_tomllib(tmp_path):
    key = ".".join(["k"] * 30_000)  # 60 KB: tomllib alone takes 1.7 GB on it
    text = GOOD + f"\n[site2]\n{key} = 1\n"
    path = _write(tmp_path, text)
    e, peak = _refused_with_peak(load_checked, path)
    p = _only_problem(e, path, text.count("\n"))
    assert "key is 59,999 characters long" in p.message and "1,024" in p.message
    assert peak < 20 * MB
    assert "key is 59,999 characters long" in _validate(path)


def test_long_key_segment_and_header(tmp_path):
    for text in (GOOD + "\n" + "k" * 300 + " = 1\n", GOOD + "\n[" + "t" * 300 + "]\n"):
        with pytest.raises(InventoryError) as e:
            loads(text, file="f.toml")
        p = _only_problem(e, "f.toml", text.count("\n"))
        assert "key segment is 300 characters long" in p.message


def test_long_line_is_refused():
    text = GOOD + "\ndescription = [" + "1, " * 40_000 + "]\n"
    with pytest.raises(InventoryError) as e:
        loads(text, file="f.toml")
    assert "line is 120,01" in _only_problem(e, "f.toml", text.count("\n")).message


def test_brackets_inside_strings_and_comments_do_not_count():
    """The scan skips strings (all four kinds, escapes too) and comments: a valid file with many brackets passes."""
    deep = "[" * 100 + "{" * 100
    text = GOOD.replace(
        'name = "Tiny knitting micro-factory (test)"',
        f"name = \"{deep} \\\" {deep}\"  # {deep}\ndescription = '''\n{deep}\n''' # {deep}\n# {deep}",
        1,
    )
    factory = loads(text, file="f.toml")
    assert factory.name == f'{deep} " {deep}' and factory.description == deep + "\n"
    check_toml_text(f'a = """x\\"""{deep}"""\nb = [[1, [2]], {{c = [3]}}]\nc = \'{deep}\'\n')


# ------------------------------------------------------------------------------------------ file size
def test_oversized_file_with_a_lowered_limit(tmp_path):
    path = _write(tmp_path, GOOD)
    with pytest.raises(InventoryError) as e:
        read_text(path, Limits(file_bytes=1000))
    p = _only_problem(e, path, None)
    assert f"{path.stat().st_size:,} bytes" in p.message and "the limit is" in p.message


def test_oversized_file_real_default_is_refused_before_reading(tmp_path):
    path = tmp_path / "huge.toml"
    with path.open("wb") as fh:  # sparse: nothing is written but the size
        fh.truncate(LIMITS.file_bytes + 1)
    with pytest.raises(InventoryError) as e:
        load_checked(path)
    assert "the limit is 20 MB" in _only_problem(e, path, None).message
    assert "the limit is 20 MB" in _validate(path)


# ------------------------------------------------------------------------------------------ units
@pytest.mark.parametrize(
    ("unit", "needle"),
    [
        ("kWh)", "unknown unit 'kWh)': cannot be read as a unit"),
        ("kWhh", "unknown unit 'kWhh': is not a unit pint knows"),
        ("kg*" * 3000, "unit expression is 9,000 characters long, more than the limit of 64"),
        ("kW\u202eh", "text-direction character U+202E"),
        ("kg\u200b", "U+200B"),
        ("kg\x07", "U+0007"),
    ],
    ids=["token-error", "undefined", "9KB", "RLO", "zero-width", "control"],
)
def test_bad_units_are_user_errors(tmp_path, unit, needle):
    with pytest.raises(UnitError) as e:
        parse_unit(unit)
    assert needle in str(e.value) and e.value.problems[0].fix
    text = GOOD.replace('unit = "kWh"', f"unit = {_toml_string(unit)}", 1)
    path = _write(tmp_path, text)
    with pytest.raises(InventoryError) as e:
        load_checked(path)
    (p,) = [p for p in e.value.problems if needle in p.message]
    assert p.file == str(path) and p.field == "flows[4].unit"
    assert p.line == text.splitlines().index(f"unit = {_toml_string(unit)}") + 1
    assert needle in _validate(path)


def _toml_string(s: str) -> str:
    return '"' + "".join(c if c.isprintable() and c not in '"\\' else f"\\u{ord(c):04X}" for c in s) + '"'


# ------------------------------------------------------------------------------------------ error lines: one index
def test_many_errors_build_one_line_index(tmp_path):
    """N errors cost one scan of the text: the line index is built once per file, whatever N (not a timing test)."""
    n = 300
    blocks = [
        f'[[flows]]\nid = "f{i}"\nfrom = "market"\nto = "knit"\nkind = "energy"\namount = 1\nunit = "kWh"\n'
        for i in range(n)
    ]
    text = GOOD + "\n" + "\n".join(blocks)
    path = _write(tmp_path, text)
    line_index.cache_clear()
    with pytest.raises(InventoryError) as e:
        load_checked(path)
    assert line_index.cache_info().misses == 1
    lines = text.splitlines()
    starts = [i + 1 for i, line in enumerate(lines) if line.startswith('id = "f')]
    missing = {p.field: p.line for p in e.value.problems if p.field and p.field.endswith(".source")}
    first = len([ln for ln in lines if ln == "[[flows]]"]) - n  # flows of GOOD before the generated ones
    assert len(missing) == n
    for i in range(n):
        assert missing[f"flows[{first + i}].source"] == starts[i] - 1  # the [[flows]] header line


# ------------------------------------------------------------------------------------------ xlsx
def _small_workbook(path: Path, cells: dict[str, object]) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    for ref, value in cells.items():
        wb.active[ref] = value
    wb.save(path)
    return path


def make_bomb(path: Path, inflated: int = 400 * MB) -> Path:
    """An xlsx whose sheet XML inflates to ``inflated`` bytes (streamed: building it needs little memory)."""
    base = _small_workbook(path.with_suffix(".base.xlsx"), {"A1": "Database", "B1": "bomb"})
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        for info in src.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                out.writestr(info, src.read(info))
                continue
            with out.open(info.filename, "w", force_zip64=True) as sheet:
                sheet.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
                chunk = b" " * MB
                for _ in range(inflated // MB):
                    sheet.write(chunk)
                sheet.write(b"<sheetData/></worksheet>")
    return path


@pytest.fixture(scope="module")
def bomb(tmp_path_factory) -> Path:
    return make_bomb(tmp_path_factory.mktemp("bomb") / "bomb.xlsx")


def test_xlsx_bomb_is_refused_with_little_memory(bomb):
    from lca_engine.bw.excel import read_bw_excel

    assert bomb.stat().st_size < 1 * MB
    e, peak = _refused_with_peak(read_bw_excel, bomb)
    p = _only_problem(e, bomb, None)
    assert "more than the limit of 400 MB" in p.message
    assert peak < 200 * MB, f"peak {peak / MB:.0f} MB"


def test_xlsx_bomb_cli_exit_1(bomb, tmp_path):
    res = runner.invoke(app, ["import-excel", str(bomb), "--out", str(tmp_path / "x.toml")])
    assert res.exit_code == 1 and "Traceback" not in res.output
    assert "inflates to" in res.output


def test_xlsx_lying_sizes_are_refused(tmp_path):
    """An entry whose directory declares fewer bytes than it inflates to: streamed with a cap, refused."""
    path = _small_workbook(tmp_path / "lie.xlsx", {"A1": "Database", "B1": "x" * 5000})
    raw = bytearray(path.read_bytes())
    name = b"xl/worksheets/sheet1.xml"
    for sig, size_at in ((b"PK\x01\x02", 24), (b"PK\x03\x04", 22)):
        at = raw.find(sig)
        while at >= 0:
            name_at = at + (46 if sig == b"PK\x01\x02" else 30)
            if raw[name_at : name_at + len(name)] == name:
                raw[at + size_at : at + size_at + 4] = (100).to_bytes(4, "little")
            at = raw.find(sig, at + 4)
    path.write_bytes(bytes(raw))
    with pytest.raises(InventoryError) as e:
        check_xlsx(path)
    assert "not a readable zip archive" in _only_problem(e, path, None).message


def test_xlsx_too_many_rows(tmp_path):
    from lca_engine.bw.excel import read_bw_excel
    from lca_engine.bw.excel.sheets import read_sheets

    # two cells 300,001 rows apart: openpyxl yields every row in between, so the count stops at the limit
    path = _small_workbook(tmp_path / "rows.xlsx", {"A1": "Database", "B1": "x", f"A{LIMITS.xlsx_rows + 1}": 1})
    with pytest.raises(InventoryError) as e:
        read_bw_excel(path)
    p = _only_problem(e, path, LIMITS.xlsx_rows + 1)
    assert p.message == "worksheet 'Sheet' has more than 300,000 rows (the limit)"
    res = runner.invoke(app, ["import-excel", str(path), "--out", str(tmp_path / "rows.toml")])
    assert res.exit_code == 1 and "Traceback" not in res.output and "more than 300,000 rows" in res.output
    small = _small_workbook(tmp_path / "small.xlsx", {"A1": "Database", "B1": "x", "C12": 1})
    with pytest.raises(InventoryError) as e:
        read_sheets(small, Limits(xlsx_rows=10))
    assert "more than 10 rows" in _only_problem(e, small, 11).message
    with pytest.raises(InventoryError) as e:
        read_sheets(small, Limits(xlsx_cells=20))  # 3 columns per row: the 7th row passes 20 cells
    assert "more than 20 cells" in _only_problem(e, small, 7).message
    assert len(read_sheets(small)[0][1]) == 12


def test_xlsx_directory_limits(tmp_path):
    path = _small_workbook(tmp_path / "w.xlsx", {"A1": "Database", "B1": "x"})
    for limits, needle in (
        (Limits(xlsx_bytes=100), "Excel file is"),
        (Limits(xlsx_entries=3), "holds"),
        (Limits(xlsx_unzipped_bytes=1000), "inflates to"),
    ):
        with pytest.raises(InventoryError) as e:
            check_xlsx(path, limits)
        assert needle in _only_problem(e, path, None).message


def test_dashboard_upload_uses_the_same_limits(bomb, tmp_path):
    from dashboard import engine

    deep = (GOOD + "\nx = " + "[" * 5000 + "\n").encode()
    with pytest.raises(InventoryError) as e:
        engine.assess_upload([("deep.toml", deep)], workdir=tmp_path / "a")
    assert e.value.problems[0].file == "deep.toml" and "nested more than 32" in e.value.problems[0].message
    assert bomb.stat().st_size < engine.MAX_UPLOAD_BYTES
    with pytest.raises(InventoryError) as e:
        engine.assess_upload([("b.xlsx", bomb.read_bytes())], workdir=tmp_path / "b")
    assert e.value.problems[0].file == "b.xlsx" and "inflates to" in e.value.problems[0].message


def test_excel_activities_get_their_own_rows_only(tmp_path, catalog, monkeypatch):
    """bw2io hands each activity the whole rest of the sheet (quadratic in rows); ours hands it its own rows: the
    rows passed to get_activity add up to at most the sheet's rows (a count, not a timing)."""
    from lca_engine.bw.excel import read_bw_excel, write_bw_excel
    from lca_engine.bw.excel.sheets import _importer_class, read_sheets

    factory = loads((DATA / "tiny_micro.toml").read_text(encoding="utf-8"))
    path = tmp_path / "t.xlsx"
    write_bw_excel(factory, path, catalog=catalog)
    cls = _importer_class()
    seen: list[int] = []
    real = cls.get_activity

    def counting(self, sn, ws):
        seen.append(len(ws))
        return real(self, sn, ws)

    monkeypatch.setattr(cls, "get_activity", counting)
    assert read_bw_excel(path) == factory
    rows = sum(len(r) for _, r in read_sheets(path))
    assert len(seen) == len(factory.processes) + 1  # one activity per process and the functional unit
    assert sum(seen) <= rows
