"""Open cradle-to-gate factors: the shipped files load with a cited, licensed source, a range and a verified flag
on every figure; every bad input is an InventoryError naming file, field, line and fix (real files, no mocks)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from lca_engine.background.open_factors import (
    FOLDER,
    PREFIX,
    QUANTITIES,
    QUANTITY_UNITS,
    load_open_factors,
    open_factors_digest,
)
from lca_engine.errors import InventoryError
from lca_engine.sources import load_sources

from .cli_run import invoke

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "inventories"
SHIPPED_FILES = sorted((SHIPPED / FOLDER).glob("*.toml"))


def test_the_shipped_factors_load_and_every_figure_is_cited_ranged_and_flagged():
    factors = load_open_factors()
    sources = load_sources(SHIPPED / "sources.toml")
    raw = {k: v for path in SHIPPED_FILES for k, v in tomllib.loads(path.read_text("utf-8"))["factors"].items()}
    assert sorted(factors) == sorted(PREFIX + k for k in raw)  # every table of every file, nothing else
    for key, factor in factors.items():
        written = raw[key.removeprefix(PREFIX)]
        assert sorted(factor.figures) == sorted(q for q in written if q in QUANTITIES), key
        assert factor.name and factor.unit and factor.boundary, key
        for q, fig in factor.figures.items():
            where = f"{key} {q}"
            assert fig.source in sources and sources[fig.source].licence.strip(), where
            assert all(sources[s].licence.strip() for s in fig.range_from), where
            assert 0 <= fig.low <= fig.value <= fig.high, where
            assert fig.where.strip(), where
            assert isinstance(written[q]["verified"], bool) and fig.to_check is not written[q]["verified"], where
            if fig.verified:
                assert fig.verified_against.strip() and re.fullmatch(r"\d{4}-\d\d-\d\d", fig.read), where


def test_every_quantity_has_a_unit():
    assert set(QUANTITY_UNITS) == set(QUANTITIES)


@pytest.mark.parametrize(
    ("key", "quantity"),
    [("carbon_fibre.virgin", "carbon"), ("steel.primary", "water_withdrawal"), ("pef.electricity_gb", None)],
)
def test_values_as_written_in_the_file(key, quantity):
    """The loader's numbers are the file's numbers, read here with plain tomllib (not the loader)."""
    raw = {k: v for path in SHIPPED_FILES for k, v in tomllib.loads(path.read_text("utf-8"))["factors"].items()}
    table = raw[key]
    quantity = quantity or next(q for q in QUANTITIES if q in table)
    fig = load_open_factors()[PREFIX + key].figures[quantity]
    written = table[quantity]
    assert (fig.value, fig.low, fig.high) == (written["value"], written["low"], written["high"])
    assert (fig.source, fig.verified) == (written["source"], written["verified"])


# ------------------------------------------------------------------------------------------ bad inputs
SOURCES = """
[src-a]
publisher = "A publisher"
title = "A report"
licence = "Open Government Licence v3.0"

[src-nolicence]
publisher = "B publisher"
title = "B report"
licence = ""
"""

GOOD = """# test factors
[factors."pet"]
name = "PET"
unit = "kg"
boundary = "cradle-to-gate"

[factors."pet".carbon]
value = 2.0
low = 1.5
high = 3.0
source = "src-a"
where = "Table 1"
gwp_basis = "AR5"
verified = true
verified_against = "https://example.org/report, Table 1"
read = "2026-12-05"

[factors."pet".primary_energy_nonrenewable]
value = 70.0
low = 60.0
high = 80.0
source = "src-a"
where = "Table 2"
verified = false
"""


def _inventories(tmp_path: Path, files: dict[str, str]) -> Path:
    inv = tmp_path / "inventories"
    (inv / FOLDER).mkdir(parents=True)
    (inv / "sources.toml").write_text(SOURCES, encoding="utf-8")
    for name, text in files.items():
        (inv / FOLDER / name).write_text(text, encoding="utf-8")
    return inv


def _line(text: str, line: str) -> int:
    return text.split("\n").index(line) + 1


def test_a_good_file_loads(tmp_path):
    got = load_open_factors(_inventories(tmp_path, {"a.toml": GOOD}))
    pet = got["open.pet"]
    assert (pet.unit, pet.file) == ("kg", "background/open_factors/a.toml")
    assert list(pet.figures) == ["carbon", "primary_energy_nonrenewable"]
    assert pet.figures["carbon"].to_check is False and pet.figures["primary_energy_nonrenewable"].to_check is True


# (change to the good file, field named, the line the problem is on, words the message and fix must hold)
BAD = {
    "negative value": (
        ("value = 2.0", "value = -2.0"),
        'factors."pet".carbon.value',
        "value = -2.0",
        ("-2.0", "non-negative"),
    ),
    "low above value": (
        ("low = 60.0", "low = 75.0"),
        'factors."pet".primary_energy_nonrenewable.low',
        "low = 75.0",
        ("low 75 <= value 70 <= high 80", "range"),
    ),
    "high below value": (
        ("high = 3.0", "high = 1.0"),
        'factors."pet".carbon.high',
        "high = 1.0",
        ("low 1.5 <= value 2 <= high 1", "range"),
    ),
    "infinite value": (
        ("value = 70.0", "value = inf"),
        'factors."pet".primary_energy_nonrenewable.value',
        "value = inf",
        ("inf", "number"),
    ),
    "unknown unit": (('unit = "kg"', 'unit = "kilogrm"'), 'factors."pet".unit', 'unit = "kilogrm"', ("kilogrm", "kg")),
    "source not in sources.toml": (
        ('source = "src-a"\nwhere = "Table 1"', 'source = "src-zz"\nwhere = "Table 1"'),
        'factors."pet".carbon.source',
        'source = "src-zz"',
        ("src-zz", "sources.toml"),
    ),
    "range source not in sources.toml": (
        ('where = "Table 2"', 'where = "Table 2"\nrange_from = ["src-a", "src-yy"]'),
        'factors."pet".primary_energy_nonrenewable.range_from[1]',
        'range_from = ["src-a", "src-yy"]',
        ("src-yy", "sources.toml"),
    ),
    "source without licence": (
        ('source = "src-a"\nwhere = "Table 2"', 'source = "src-nolicence"\nwhere = "Table 2"'),
        'factors."pet".primary_energy_nonrenewable.source',
        'source = "src-nolicence"',
        ("no licence", "licence"),
    ),
    "unknown quantity": (
        ('[factors."pet".primary_energy_nonrenewable]', '[factors."pet".primary_energy_fossil]'),
        'factors."pet".primary_energy_fossil',
        '[factors."pet".primary_energy_fossil]',
        ("primary_energy_fossil", ", ".join(QUANTITIES)),
    ),
    "total with the split": (
        ("# test factors", GOOD.split("\n\n")[2].replace("nonrenewable", "total") + "\n"),
        'factors."pet".primary_energy_total',
        '[factors."pet".primary_energy_total]',
        ("total", "OR"),
    ),
    "verified without verified_against": (
        ('verified_against = "https://example.org/report, Table 1"\n', ""),
        'factors."pet".carbon.verified_against',
        '[factors."pet".carbon]',
        ("verified_against", "set verified = false"),
    ),
    "verified without a date": (
        ('read = "2026-12-05"', 'read = "5 December"'),
        'factors."pet".carbon.read',
        'read = "5 December"',
        ("5 December", "YYYY-MM-DD"),
    ),
    "verified as text": (
        ("verified = false", 'verified = "no"'),
        'factors."pet".primary_energy_nonrenewable.verified',
        'verified = "no"',
        ("'no'", "true or false"),
    ),
    "missing where": (
        ('where = "Table 2"\n', ""),
        'factors."pet".primary_energy_nonrenewable.where',
        '[factors."pet".primary_energy_nonrenewable]',
        ("required", "add the field"),
    ),
    "unknown factor field": (
        ('boundary = "cradle-to-gate"', 'boundary = "cradle-to-gate"\ncolour = "red"'),
        'factors."pet".colour',
        'colour = "red"',
        ("colour", "name, unit, boundary"),
    ),
    "unknown figure field": (
        ('gwp_basis = "AR5"', 'gwp_basis = "AR5"\ngwp = "AR5"'),
        'factors."pet".carbon.gwp',
        'gwp = "AR5"',
        ("gwp", "value, low, high, source, where, verified"),
    ),
    "range source not text": (
        ('where = "Table 2"', 'where = "Table 2"\nrange_from = ["src-a", 7]'),
        'factors."pet".primary_energy_nonrenewable.range_from[1]',
        'range_from = ["src-a", 7]',
        ("7", "quoted string"),
    ),
    "number as text": (
        ("value = 70.0", 'value = "70"'),
        'factors."pet".primary_energy_nonrenewable.value',
        'value = "70"',
        ("number", "plain number"),
    ),
}


@pytest.mark.parametrize("case", list(BAD))
def test_each_bad_input_is_an_error_naming_file_field_line_and_fix(tmp_path, case):
    (old, new), field, line, words = BAD[case]
    assert old in GOOD
    text = GOOD.replace(old, new, 1)
    inv = _inventories(tmp_path, {"a.toml": text})
    with pytest.raises(InventoryError) as caught:
        load_open_factors(inv)
    (p,) = caught.value.problems
    assert (p.file, p.field, p.line) == (str(inv / FOLDER / "a.toml"), field, _line(text, line))
    assert words[0] in p.message and words[1] in p.fix


def test_every_problem_of_a_file_is_reported_at_once(tmp_path):
    text = GOOD.replace("value = 2.0", "value = -1.0").replace('unit = "kg"', 'unit = "bogus"')
    with pytest.raises(InventoryError) as caught:
        load_open_factors(_inventories(tmp_path, {"a.toml": text}))
    assert sorted(p.field for p in caught.value.problems) == ['factors."pet".carbon.value', 'factors."pet".unit']


def test_a_factor_without_a_quantity_is_refused(tmp_path):
    text = GOOD.split("\n\n")[0] + "\n"
    with pytest.raises(InventoryError) as caught:
        load_open_factors(_inventories(tmp_path, {"a.toml": text}))
    (p,) = caught.value.problems
    assert (p.field, p.line) == ('factors."pet"', _line(text, '[factors."pet"]'))
    assert "no quantity" in p.message and "carbon" in p.fix


def test_a_key_repeated_in_two_files_names_both(tmp_path):
    inv = _inventories(tmp_path, {"a.toml": GOOD, "b.toml": "\n" + GOOD})
    with pytest.raises(InventoryError) as caught:
        load_open_factors(inv)
    (p,) = caught.value.problems
    assert "background/open_factors/a.toml" in p.message and "background/open_factors/b.toml" in p.message
    assert (p.file, p.field, p.line) == (str(inv / FOLDER / "b.toml"), 'factors."pet"', 3)
    assert p.fix


def test_a_key_that_cannot_be_a_code_is_refused(tmp_path):
    text = GOOD.replace('"pet"', '"PET bottles/1"')
    with pytest.raises(InventoryError) as caught:
        load_open_factors(_inventories(tmp_path, {"a.toml": text}))
    (p,) = caught.value.problems
    assert p.field == 'factors."PET bottles/1"' and "lower-case" in p.fix


@pytest.mark.parametrize(
    ("text", "line"),
    [('[factors."pet"\nname = "x"\n', 1), ('[src-a]\npublisher = "moved here by mistake"\n', 1)],
)
def test_bad_toml_and_stray_tables_name_the_line(tmp_path, text, line):
    with pytest.raises(InventoryError) as caught:
        load_open_factors(_inventories(tmp_path, {"a.toml": text}))
    (p,) = caught.value.problems
    assert (p.file, p.line) == (str(tmp_path / "inventories" / FOLDER / "a.toml"), line) and p.fix


def test_a_registry_passed_in_is_used(tmp_path):
    inv = _inventories(tmp_path, {"a.toml": GOOD})
    with pytest.raises(InventoryError) as caught:
        load_open_factors(inv, sources={})
    assert {p.field for p in caught.value.problems} == {
        'factors."pet".carbon.source',
        'factors."pet".primary_energy_nonrenewable.source',
    }


def test_no_folder_no_factors_and_the_digest_follows_the_bytes(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert load_open_factors(empty) == {}
    a = _inventories(tmp_path / "a", {"a.toml": GOOD})
    b = _inventories(tmp_path / "b", {"a.toml": GOOD})
    assert open_factors_digest(a) == open_factors_digest(b) != open_factors_digest(empty)
    (b / FOLDER / "a.toml").write_text(GOOD.replace("70.0", "70.5"), encoding="utf-8")
    assert open_factors_digest(a) != open_factors_digest(b)


def test_the_factors_command_lists_every_open_figure_with_a_to_check_marker():
    code, output, trace = invoke("factors")
    assert (code, trace) == (0, "")
    raw = {k: v for path in SHIPPED_FILES for k, v in tomllib.loads(path.read_text("utf-8"))["factors"].items()}
    checked = set()
    for key, table in raw.items():
        rows = [line for line in output.split("\n") if f" {PREFIX}{key} " in line]
        written = {q: table[q] for q in QUANTITIES if q in table}
        assert len(rows) == len(written), key
        for q, figure in written.items():
            (row,) = [line for line in rows if f" {q} " in line]
            assert ("to check" in row) is not figure["verified"] and f"{figure['value']:.6g}" in row, (key, q)
            checked.add(figure["verified"])
    assert checked == {True, False}  # both kinds of figure were seen


def test_the_schema_example_in_the_readme_loads(tmp_path):
    readme = (SHIPPED / "background" / "README.md").read_text(encoding="utf-8")
    (example,) = re.findall(r"```toml\n(.*?)```", readme, flags=re.S)
    inv = tmp_path / "inventories"
    (inv / FOLDER).mkdir(parents=True)
    (inv / FOLDER / "example.toml").write_text(example, encoding="utf-8")
    (fig,) = load_open_factors(inv, sources=load_sources(SHIPPED / "sources.toml"))[
        "open.carbon_fibre.virgin"
    ].figures.values()
    assert (fig.value, fig.low, fig.high, fig.verified) == (20.0, 13.0, 34.1, True)


def test_limits_apply_before_parsing(tmp_path):
    text = GOOD.replace('where = "Table 1"', 'where = "' + "x" * 100_001 + '"')
    with pytest.raises(InventoryError) as caught:
        load_open_factors(_inventories(tmp_path, {"a.toml": text}))
    (p,) = caught.value.problems
    assert (p.line, p.file) == (
        _line(text, 'where = "' + "x" * 100_001 + '"'),
        str(tmp_path / "inventories" / FOLDER / "a.toml"),
    )
    assert "limit" in p.message and p.fix


def test_without_its_own_sources_file_the_shipped_registry_is_used(tmp_path):
    """A folder with no sources.toml cites the shipped sources; a TOML date is a date for read."""
    inv = tmp_path / "inventories"
    (inv / FOLDER).mkdir(parents=True)
    text = GOOD.replace('"src-a"', '"desnz-2025"').replace('read = "2026-12-05"', "read = 2026-12-05")
    (inv / FOLDER / "a.toml").write_text(text, encoding="utf-8")
    carbon = load_open_factors(inv)["open.pet"].figures["carbon"]
    assert (carbon.source, carbon.read) == ("desnz-2025", "2026-12-05")
