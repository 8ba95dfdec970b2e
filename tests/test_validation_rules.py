"""Validation as rules: the baseline a file names, schema_version, safe ids, closed loops — each refused by the real
`lca-engine validate` with exit code 1, the field named and no traceback; vocabularies defined once."""

from __future__ import annotations

import ast
import itertools
import os
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import get_args

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from typer.testing import CliRunner

from lca_engine import (
    BalanceError,
    Factory,
    Flow,
    FunctionalUnit,
    InventoryError,
    LcaEngineError,
    Process,
    Site,
    load_checked,
)
from lca_engine import model as m
from lca_engine.cli import app
from lca_engine.rules.loops import closed_loops

from .conftest import DATA, EXAMPLES, ROOT

GOOD = (DATA / "tiny_micro.toml").read_text(encoding="utf-8")
BASE = (DATA / "tiny_baseline.toml").read_text(encoding="utf-8")
runner = CliRunner()

LOOP = """
[[processes]]
id = "a"

[[processes]]
id = "b"
{extra}
[[flows]]
id = "ab"
from = "a"
to = "b"
kind = "material"
amount = 1
unit = "kg"
source = "desnz-2025"

[[flows]]
id = "ba"
from = "b"
to = "a"
kind = "material"
amount = {back}
unit = "kg"
source = "desnz-2025"
"""
#: The loop loses 0.1 kg to landfill and is fed 0.1 kg: balanced, but still nothing of it reaches the product.
LEAK = """
[[flows]]
id = "feed"
from = "market"
to = "a"
kind = "material"
origin = "virgin"
amount = 0.1
unit = "kg"
background = "desnz.material.clothing.primary"
source = "desnz-2025"

[[flows]]
id = "lost"
from = "b"
to = "landfill"
kind = "waste"
amount = 0.1
unit = "kg"
background = "desnz.waste.clothing.landfill"
source = "desnz-2025"
"""


def _sub(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def _with_baseline(ref: str) -> str:
    return _sub(GOOD, 'baseline = "tiny_baseline.toml"', f"baseline = {ref!r}".replace("'", '"'))


# (case id, micro-factory text, baseline text written beside it as tiny_baseline.toml, field named)
CASES = [
    ("baseline-missing", _with_baseline("nope.toml"), BASE, "baseline"),
    ("baseline-etc-passwd", _with_baseline("/etc/passwd"), BASE, "baseline"),
    ("baseline-dotdot-passwd", _with_baseline("../../../../../../../../etc/passwd"), BASE, "baseline"),
    ("baseline-itself", _with_baseline("case.toml"), BASE, "baseline"),
    ("baseline-not-toml", _with_baseline("tiny_baseline.txt"), BASE, "baseline"),
    ("baseline-bidi", _with_baseline("\u202eenilesab_ynit.toml"), BASE, "baseline"),
    ("baseline-other-sector", GOOD, _sub(BASE, 'sector = "textiles"', 'sector = "eco-packaging"'), "baseline"),
    ("baseline-micro-factory", GOOD, _sub(BASE, 'system = "baseline"', 'system = "micro-factory"'), "baseline"),
    (
        "baseline-other-fu",
        GOOD,
        _sub(BASE, "[functional_unit]\namount = 1", "[functional_unit]\namount = 2"),
        "baseline",
    ),
    ("baseline-unreadable", GOOD, 'id = "x"\nsector = ', "baseline"),
    ("schema-99", _sub(GOOD, "schema_version = 1", "schema_version = 99"), BASE, "schema_version"),
    ("schema-string", _sub(GOOD, "schema_version = 1", 'schema_version = "1"'), BASE, "schema_version"),
    ("schema-bool", _sub(GOOD, "schema_version = 1", "schema_version = true"), BASE, "schema_version"),
    ("schema-float", _sub(GOOD, "schema_version = 1", "schema_version = 1.5"), BASE, "schema_version"),
    ("id-dotdot", _sub(GOOD, 'id = "tiny-micro"', 'id = ".."'), BASE, "id"),
    ("id-dot", _sub(GOOD, 'id = "tiny-micro"', 'id = "."'), BASE, "id"),
    ("id-slash", _sub(GOOD, 'id = "tiny-micro"', 'id = "a/b"'), BASE, "id"),
    ("id-hidden", _sub(GOOD, 'id = "tiny-micro"', 'id = ".hidden"'), BASE, "id"),
    ("id-control", _sub(GOOD, 'id = "tiny-micro"', 'id = "a\\u0007b"'), BASE, "id"),
    ("process-id-dotdot", _sub(GOOD, 'id = "knit"', 'id = ".."'), BASE, "processes[0].id"),
    ("flow-id-hidden", _sub(GOOD, 'id = "yarn"', 'id = ".yarn"'), BASE, "flows[0].id"),
    ("closed-loop", GOOD + LOOP.format(extra="", back=1), BASE, "processes[2]"),
    ("closed-loop-leaking", GOOD + LOOP.format(extra=LEAK, back=0.9), BASE, "processes[2]"),
]


def _case(tmp_path: Path, name: str, text: str, base: str) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    (folder / "tiny_baseline.toml").write_text(base, encoding="utf-8")
    (folder / "tiny_baseline.txt").write_text(BASE, encoding="utf-8")
    path = folder / "case.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _refused(path: Path, field: str) -> str:
    res = runner.invoke(app, ["validate", str(path)])
    assert res.exit_code == 1, res.output
    assert f"field '{field}'" in res.output and "fix:" in res.output, res.output
    assert "Traceback" not in res.output
    return " ".join(res.output.split())  # the console wraps long lines


@pytest.mark.parametrize(("name", "text", "base", "field"), CASES, ids=[c[0] for c in CASES])
def test_cli_validate_refuses(tmp_path, name, text, base, field):
    _refused(_case(tmp_path, name, text, base), field)


@pytest.mark.parametrize("version", [99, "1", True, 1.5, 1.0, None])
def test_schema_version_must_be_a_supported_integer(version):
    data = {**tomllib.loads(GOOD), "schema_version": version}
    with pytest.raises(ValidationError) as e:
        Factory.model_validate(data)
    (err,) = e.value.errors()
    assert err["loc"] == ("schema_version",) and "supported: 1" in err["msg"]
    assert err["ctx"]["fix"] == "write schema_version = 1"  # shown by the loader as the fix


@pytest.mark.parametrize("bad", [".", "..", ".hidden", "a/b", "a\\b", "a\x00b", "a b", "x" * 129, "é"])
def test_ids_are_safe_file_name_stems(bad):
    for model, data in ((Process, {}), (Factory, tomllib.loads(GOOD))):
        with pytest.raises(ValidationError) as e:
            model.model_validate({**data, "id": bad})
        (err,) = e.value.errors()
        assert err["loc"] == ("id",) and "not starting with '.'" in err["ctx"]["fix"]
    assert Process(id="a.b-c_1").id == "a.b-c_1"


def test_baseline_errors_name_the_line_and_what_is_wrong(tmp_path, catalog):
    expected = {
        "baseline-missing": "not found",
        "baseline-etc-passwd": "outside this inventory's folder",
        "baseline-dotdot-passwd": "outside this inventory's folder",
        "baseline-itself": "is this file itself",
        "baseline-not-toml": "is not a .toml inventory",
        "baseline-bidi": "control or text-direction character",
        "baseline-other-sector": "is in sector 'eco-packaging', this factory in 'textiles'",
        "baseline-micro-factory": 'has system = "micro-factory"',
        "baseline-other-fu": "differs from the baseline's 2 item",
        "baseline-unreadable": "is not a valid inventory",
    }
    for name, text, base, _ in CASES:
        if name not in expected:
            continue
        path = _case(tmp_path, name, text, base)
        with pytest.raises(InventoryError) as e:
            load_checked(path, catalog=catalog)
        (p,) = e.value.problems
        assert (p.file, p.field, p.line) == (str(path), "baseline", 7), p.format()
        assert expected[name] in p.message and p.fix, p.format()


def test_baseline_escaping_the_tree(tmp_path, catalog):
    """'../' out of the inventory's folder and a symlink pointing out of it are refused; a sub-folder is fine."""
    (tmp_path / "tiny_baseline.toml").write_text(BASE, encoding="utf-8")  # valid, but outside 'sub'
    sub = tmp_path / "sub"
    (sub / "deeper").mkdir(parents=True)
    (sub / "link.toml").symlink_to(tmp_path / "tiny_baseline.toml")
    (sub / "deeper" / "tiny_baseline.toml").write_text(BASE, encoding="utf-8")
    for ref in ("../tiny_baseline.toml", "link.toml", "deeper/../../tiny_baseline.toml"):
        path = sub / "micro.toml"
        path.write_text(_with_baseline(ref), encoding="utf-8")
        assert "outside this inventory's folder" in _refused(path, "baseline")
    (sub / "folder.toml").mkdir()
    path.write_text(_with_baseline("folder.toml"), encoding="utf-8")
    assert "is not a regular file" in _refused(path, "baseline")
    path.write_text(_with_baseline("deeper/tiny_baseline.toml"), encoding="utf-8")
    assert load_checked(path, catalog=catalog).report.ok


def test_baseline_in_the_shipped_examples_is_allowed(tmp_path, catalog):
    micro = (EXAMPLES / "textile_merthyr_micro.toml").read_text(encoding="utf-8")
    ref = os.path.relpath(EXAMPLES / "textile_conventional_baseline.toml", tmp_path)
    path = tmp_path / "mine.toml"
    path.write_text(_sub(micro, 'baseline = "textile_conventional_baseline.toml"', f'baseline = "{ref}"'), "utf-8")
    assert load_checked(path, catalog=catalog).report.ok


def test_real_process_refuses_every_case_without_traceback(tmp_path):
    """The installed entry point on all cases at once: each file marked ✗ with its field, exit code 1."""
    paths = [_case(tmp_path, name, text, base) for name, text, base, _ in CASES]
    res = subprocess.run(
        [sys.executable, "-m", "lca_engine.cli", "validate", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode == 1, res.stderr
    assert "Traceback" not in res.stderr + res.stdout and "internal error" not in res.stderr
    for path, (name, *_, field) in zip(paths, CASES, strict=True):
        assert f"✗ {path}" in res.stderr, name
        assert f"{path}:" in res.stderr and f"field '{field}'" in res.stderr, name


def test_validate_checks_the_baseline_without_importing_brightway():
    code = (
        "import sys; from lca_engine import load_checked; "
        "c = load_checked(sys.argv[1]); "
        "print(c.factory.baseline, 'bw2data' in sys.modules, 'bw2calc' in sys.modules)"
    )
    path = EXAMPLES / "textile_merthyr_micro.toml"
    res = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=120)
    assert res.stdout.split() == ["textile_conventional_baseline.toml", "False", "False"], res.stderr


def test_closed_loop_is_refused_before_brightway(tmp_path, catalog):
    """assess loads every file first: the loop stops there (exit 1), not in the solver (exit 4)."""
    from lca_engine.assess import load_many

    text = GOOD + LOOP.format(extra="", back=1)
    path = _case(tmp_path, "loop", text, BASE)
    with pytest.raises(InventoryError) as e:
        load_many([path], catalog)
    (p,) = e.value.problems
    third_process = [i + 1 for i, line in enumerate(text.splitlines()) if line == "[[processes]]"][2]
    assert "'a', 'b' form a closed loop" in p.message and p.line == third_process


def test_assess_chooses_the_error_by_type_not_by_its_words(tmp_path, catalog):
    """A reference to a node called 'mass balance' is an inventory error (exit 1), not an imbalance (exit 3)."""
    from lca_engine.assess import load_many

    worded = _case(tmp_path, "worded", _sub(GOOD, 'to = "recover"', 'to = "mass balance"'), BASE)
    unbalanced = _case(tmp_path, "unbalanced", _sub(GOOD, 'amount = 40\nunit = "g"', 'amount = 30\nunit = "g"'), BASE)
    with pytest.raises(InventoryError) as e:
        load_many([worded], catalog)
    assert "mass balance" in e.value.problems[0].message and e.value.exit_code == 1
    with pytest.raises(BalanceError) as e:
        load_many([unbalanced], catalog)
    assert e.value.exit_code == 3
    with pytest.raises(LcaEngineError) as e:
        load_many([worded, unbalanced], catalog)
    assert type(e.value) is LcaEngineError and e.value.exit_code == 1
    assert {p.file for p in e.value.problems} == {str(worded), str(unbalanced)}


def test_shipped_examples_and_their_loops_pass():
    res = runner.invoke(app, ["validate", str(EXAMPLES)])
    assert res.exit_code == 0, res.output
    assert "✗" not in res.output


# --- closed loops against the matrix Brightway solves ------------------------------------------------------------


def _factory(n: int, edges: list[tuple[int, int, float, bool]], sellers: set[int]) -> Factory:
    """n processes; edges (from, to, kg, carries mass?); sellers sell 1 kg of product each."""
    flows = []
    for k, (i, j, kg, mass) in enumerate(edges):
        kind, unit = ("material", "kg") if mass else ("energy", "kWh")
        flows.append({"id": f"e{k}", "from": f"p{i}", "to": f"p{j}", "kind": kind, "amount": kg, "unit": unit})
    for i in sorted(sellers):
        flows.append({"id": f"s{i}", "from": f"p{i}", "to": "market", "kind": "product", "amount": 1, "unit": "kg"})
    return Factory(
        id="random",
        name="random",
        sector="textiles",
        site=Site(name="x", lat=51.5, lon=-3.2),
        functional_unit=FunctionalUnit(amount=max(1, len(sellers)), unit="kg", description="product"),
        processes=[Process(id=f"p{i}") for i in range(n)],
        flows=[Flow.model_validate({**f, "source": "s"}) for f in flows],
    )


def _singular(factory: Factory, catalog) -> bool:
    """Rank of the process block of the technosphere matrix the real Brightway build writes."""
    from lca_engine.bw.build import foreground_data

    data = foreground_data(factory, catalog)
    ids = factory.process_ids()
    a = np.zeros((len(ids), len(ids)))
    for (_, code), act in data.items():
        if code not in ids:
            continue
        for ex in act["exchanges"]:
            if ex["input"][1] in ids:
                sign = 1.0 if ex["type"] == "production" else -1.0
                a[ids.index(ex["input"][1]), ids.index(code)] += sign * ex["amount"]
    return bool(np.linalg.matrix_rank(a) < len(ids))


def test_closed_loops_are_exactly_the_singular_matrices_of_three_processes(catalog):
    """Every graph of 3 processes (each ordered pair: no flow, 1 kg, 0 kg or 1 kWh), with and without a seller."""
    pairs = [(i, j) for i in range(3) for j in range(3) if i != j]
    states = [None, (1.0, True), (0.0, True), (1.0, False)]
    seen = {True: 0, False: 0}
    for k, combo in enumerate(itertools.product(states, repeat=len(pairs))):
        edges = [(i, j, *state) for (i, j), state in zip(pairs, combo, strict=True) if state]
        factory = _factory(3, edges, {0} if k % 2 else set())
        singular = _singular(factory, catalog)
        assert bool(closed_loops(factory)) == singular, edges
        seen[singular] += 1
    assert seen[True] > 100 and seen[False] > 100, seen


edge = st.tuples(st.integers(0, 5), st.integers(0, 5), st.sampled_from([0.0, 1.0, 2.0]), st.sampled_from([1, 1, 1, 0]))


@settings(max_examples=200, deadline=None)
@given(n=st.integers(4, 6), edges=st.lists(edge, max_size=12), sellers=st.sets(st.integers(0, 5), max_size=1))
def test_closed_loops_are_exactly_the_singular_matrices(catalog, n, edges, sellers):
    edges = [(i % n, j % n, kg, bool(mass)) for i, j, kg, mass in edges if i % n != j % n]
    factory = _factory(n, edges, {s % n for s in sellers})
    assert bool(closed_loops(factory)) == _singular(factory, catalog)


def test_examples_have_no_closed_loop_and_a_nonsingular_matrix(catalog):
    for path in sorted(EXAMPLES.glob("*.toml")):
        f = load_checked(path, catalog=catalog).factory
        assert closed_loops(f) == [] and not _singular(f, catalog), path.name


# --- vocabularies defined once ----------------------------------------------------------------------------------


def test_model_fields_use_the_vocabularies():
    fields = {**Factory.model_fields, **Flow.model_fields}

    def args(name):
        return get_args(fields[name].annotation)

    assert args("sector") == m.SECTORS
    assert args("system") == m.SYSTEMS == (m.MICRO_FACTORY, m.BASELINE)
    assert args("schema_version") == m.SCHEMA_VERSIONS
    assert args("kind") == m.FLOW_KINDS
    assert set(m.PURCHASED_KINDS) < set(m.FLOW_KINDS)
    assert get_args(get_args(fields["origin"].annotation)[0]) == m.ORIGINS
    assert set(m.SECONDARY_ORIGINS) < set(m.ORIGINS)
    assert set(m._DESCRIBED) == set(m.BOUNDARY_NODES) == set(m.BOUNDARY)  # every node described, nothing stale
    assert m.BOUNDARY == (m.MARKET, m.ENVIRONMENT, *m.WASTE_ROUTES) == ("market", "environment", *m.WASTE_ROUTES)
    assert set(m.MATERIAL_RECOVERY_NODES) < set(m.RECOVERY_NODES) < set(m.WASTE_ROUTES)
    assert set(m.COMPARTMENTS) == set(m.COMPARTMENTS_TO) | set(m.COMPARTMENTS_FROM)


def test_rule_messages_list_the_model_values(tmp_path, catalog):
    """What a rule tells the user to write is the model's vocabulary, not a copy of it."""
    text = _sub(GOOD, 'kind = "material"\norigin = "virgin"\n', 'kind = "material"\n')
    text = _sub(text, 'to = "landfill"', 'to = "environment"\ncompartment = "rainwater"')
    path = _case(tmp_path, "vocab", _sub(text, 'background = "desnz.waste.clothing.landfill"\n', ""), BASE)
    with pytest.raises(InventoryError) as e:
        load_checked(path, catalog=catalog)
    fixes = {p.field: p.fix for p in e.value.problems}
    assert all(f'"{o}"' in fixes["flows[0].origin"] for o in m.ORIGINS)
    assert all(repr(c) in fixes["flows[3].compartment"] for c in m.COMPARTMENTS_TO)
    assert "rainwater" not in fixes["flows[3].compartment"]


#: Files of other helpers that still spell a vocabulary out; the sweep after issue 15 empties this list.
#: Each vocabulary of the model, and the named parts of one that rules use.
VOCABULARIES = {
    "boundary nodes": m.BOUNDARY,
    "waste routes": m.WASTE_ROUTES,
    "recovery routes": m.RECOVERY_NODES,
    "material recovery routes": m.MATERIAL_RECOVERY_NODES,
    "sectors": m.SECTORS,
    "flow kinds": m.FLOW_KINDS,
    "purchased kinds": m.PURCHASED_KINDS,
    "compartments": m.COMPARTMENTS,
    "compartments to the environment": m.COMPARTMENTS_TO,
    "compartments from the environment": m.COMPARTMENTS_FROM,
    "origins": m.ORIGINS,
    "secondary origins": m.SECONDARY_ORIGINS,
    "chemical categories": m.CHEMICAL_CATEGORIES,
}


def _retyped(path: Path) -> list[str]:
    """Literal tuples, lists, sets and dict keys that spell out a whole vocabulary."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        items = node.keys if isinstance(node, ast.Dict) else getattr(node, "elts", None)
        if not isinstance(node, ast.Tuple | ast.List | ast.Set | ast.Dict) or not items:
            continue
        values = {n.value for n in items if isinstance(n, ast.Constant) and isinstance(n.value, str)}
        found += [f"{path}:{node.lineno} {name}" for name, vocab in VOCABULARIES.items() if values >= set(vocab)]
    return found


def test_vocabularies_are_not_retyped():
    files = [*ROOT.joinpath("lca_engine").rglob("*.py"), *ROOT.joinpath("dashboard").rglob("*.py")]
    offenders = [hit for p in files if p.relative_to(ROOT).as_posix() != "lca_engine/model.py" for hit in _retyped(p)]
    assert offenders == []
