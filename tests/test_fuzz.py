"""Structure-aware fuzzing of the command line: no input gives an internal error.

The real shipped inventories (``inventories/examples``, ``tests/data``) are parsed, mutated as data (keys dropped,
types changed, hostile unicode and markup, numbers at the edges, random and adversarial units, duplicate ids,
loops, odd baselines, empty arrays, nested values) and written back with tomli_w, sometimes also damaged as text
(truncated, bytes inserted, deep nesting). Each case runs the real ``validate`` command in this process and must
end with exit 0, 1 or 3 — never 4 — without a traceback, and every error it prints names the file.

``LCA_ENGINE_FUZZ_CASES`` chooses the number of cases (300 by default; CI runs 10,000 in a step of its own), and
``LCA_ENGINE_FUZZ_SEED`` the seed (fixed, so a failure reproduces: rerun with the seed the failure prints).
A second property runs ``assess`` (Brightway) on inventories whose numbers and units only are changed.
"""

from __future__ import annotations

import copy
import math
import os
import random
import shutil
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import tomli_w
from hypothesis import HealthCheck, assume, given, seed, settings
from hypothesis import strategies as st

from .cli_run import invoke
from .conftest import DATA, EXAMPLES

pytestmark = pytest.mark.fuzz

CASES = int(os.environ.get("LCA_ENGINE_FUZZ_CASES", "300"))
SEED = int(os.environ.get("LCA_ENGINE_FUZZ_SEED", "15"))
ASSESS_CASES = max(3, CASES // 200)

SOURCES = sorted(EXAMPLES.glob("*.toml")) + sorted(DATA.glob("*.toml"))
BASES = {p: tomllib.loads(p.read_text(encoding="utf-8")) for p in SOURCES}
CASE_NAME = "fuzz_case.toml"

HOSTILE_TEXT = [
    "[/red]",
    "[link=file:///etc/passwd]x[/link]",
    "[bold]",
    "<script>alert(1)</script>",
    "<img src=x>",
    "**bold**",
    "[x](javascript:alert(1))",
    ":smile:",
    "$x$",
    "\u202egnp.exe",
    "\u2066a\u2069\u200f",
    "\x1b[31mred\x1b[0m",
    "\x1b]8;;file:///etc/passwd\x1b\\x\x1b]8;;\x1b\\",
    "\x00",
    "\x7f\x85",
    "\r\n",
    "..",
    ".",
    "/",
    "../../etc/passwd",
    "",
    " ",
    "%s%n{0}${HOME}",
    "a" * 5000,
    "é" * 50,
    "\U0001f600",
    "\ufeff",
    "NUL\u0000byte",
]
EDGE_NUMBERS = [
    0,
    -0.0,
    1,
    -1,
    1e308,
    -1e308,
    math.nan,
    math.inf,
    -math.inf,
    5e-324,
    2.2250738585072014e-308,
    1e-300,
    1e-15,
    1e15,
    2**63 - 1,
    -(2**63),
    10**30,
    0.1 + 0.2,
]
VALID_UNITS = ["kg", "g", "t", "mg", "kWh", "MJ", "kJ", "GJ", "Wh", "L", "m3", "m2", "item", "piece", "t*km", "km"]
BAD_UNITS = [
    "kWh)",
    "(kg",
    "kg**1000000",
    "kg^(1/0)",
    "1/0",
    "kg kg kg",
    "0 kg",
    "nan kg",
    "inf*kg",
    "1e308 kg",
    "kg/kg",
    "%",
    "delta_degC",
    "degC",
    "kg\u202e",
    "k\x00g",
    "__import__('os')",
    "kg*" * 3000 + "kg",
    "(" * 200 + "kg" + ")" * 200,
    "kWh / (kg",
    "m^999999999",
]
ODD_BASELINES = [
    "/etc/passwd",
    "../../../../etc/passwd",
    CASE_NAME,
    ".",
    "",
    "missing.toml",
    "tiny_micro.toml",
    "textile_merthyr_micro.toml",
    "housing_conventional_baseline.toml",
    "sources.toml",
    "sub/../" + CASE_NAME,
    "\x00.toml",
    "a" * 300 + ".toml",
]
NODES = ["market", "environment", "landfill", "recycling", "reuse", "energy_recovery", "composting", "nowhere", ""]

texts = st.one_of(st.sampled_from(HOSTILE_TEXT), st.text(max_size=20))
numbers = st.one_of(
    st.sampled_from(EDGE_NUMBERS), st.floats(), st.integers(min_value=-(2**70), max_value=2**70).map(int)
)
scalars = st.one_of(texts, numbers, st.booleans(), st.dates(), st.datetimes(), st.times())
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)),
    max_leaves=8,
)


def _places(doc) -> list[tuple[object, object]]:
    """Every (container, key) of the document, tables and arrays included."""
    found, stack = [], [doc]
    while stack:
        node = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for key, value in items:
            found.append((node, key))
            stack.append(value)
    return found


#: Where each kind of mutation applies: string values, numbers (not booleans), units, flow ends; else anywhere.
WHERE = {
    "text": lambda key, value: isinstance(value, str),
    "number": lambda key, value: isinstance(value, int | float) and not isinstance(value, bool),
    "unit": lambda key, value: key in ("unit", "mass_per_unit"),
    "endpoint": lambda key, value: key in ("from", "to"),
}


def _place(draw, doc, kind: str = ""):
    where = WHERE.get(kind, lambda key, value: True)
    places = [(c, k) for c, k in _places(doc) if where(k, c[k])]
    # uniform over the document: hypothesis favours small choices, which would always be the file's first keys
    return random.Random(draw(st.integers(0, 2**32 - 1))).choice(places) if places else None


def _nested(depth: int):
    value = "x"
    for i in range(depth):
        value = [value] if i % 2 else {"k": value}
    return value


def _ids(doc, table: str) -> list[str]:
    rows = doc.get(table) if isinstance(doc, dict) else None
    return [str(x.get("id")) for x in rows if isinstance(x, dict)] if isinstance(rows, list) else []


@dataclass
class Case:
    """One fuzzed file: where it comes from, what was done to it (the reproducer) and its bytes."""

    origin: Path
    steps: list[str] = field(default_factory=list)
    data: bytes = b""
    lenient: bool = False  # validate --lenient: an open balance is a warning, so later checks run too

    def __repr__(self) -> str:
        return f"Case({self.origin.name}{' --lenient' if self.lenient else ''}: " + "; ".join(self.steps) + ")"


@st.composite
def mutation(draw, doc, steps: list[str]) -> None:
    """Change ``doc`` in place in one way a user (or an attacker) could; say what in ``steps``."""
    kind = draw(st.sampled_from(MUTATIONS))
    steps.append(kind)
    if kind in ("drop", "value", "text", "number", "nest", "unit", "endpoint"):
        place = _place(draw, doc, kind)
        if place is None:
            return
        container, key = place
        steps[-1] += f" {key!r}"
        if kind == "drop":
            del container[key]
            return
        container[key] = draw(
            {
                "value": values,
                "text": texts,
                "number": numbers,
                "nest": st.integers(1, 40).map(_nested),
                "unit": st.sampled_from(VALID_UNITS + BAD_UNITS),
                "endpoint": st.sampled_from(NODES + _ids(doc, "processes")),
            }[kind]
        )
        steps[-1] += f" = {container[key]!r:.200}"
    elif kind == "duplicate":
        table = draw(st.sampled_from(["processes", "flows"]))
        if isinstance(doc.get(table), list) and doc[table]:
            doc[table].append(copy.deepcopy(draw(st.sampled_from(doc[table]))))
    elif kind == "empty":
        doc[draw(st.sampled_from(["processes", "flows", "sources", "assumptions"]))] = []
    elif kind == "baseline":
        doc["baseline"] = draw(st.sampled_from(ODD_BASELINES))
    elif kind == "loop":
        procs = _ids(doc, "processes") or ["p"]
        a, b = draw(st.sampled_from(procs)), draw(st.sampled_from(procs))
        amount = draw(st.one_of(numbers, st.floats(0, 10)))
        loop = [
            {
                "id": f"loop{i}",
                "from": x,
                "to": y,
                "kind": "material",
                "amount": amount,
                "unit": "kg",
                "source": "desnz-2025",
            }
            for i, (x, y) in enumerate([(a, b), (b, a)])
        ]
        doc["flows"] = [*(doc.get("flows") if isinstance(doc.get("flows"), list) else []), *loop]
    elif kind == "closed":  # two processes feeding each other, nothing leaves
        doc["processes"] = [{"id": "a", "name": "A"}, {"id": "b", "name": "B"}]
        doc["flows"] = [
            {
                "id": "in",
                "from": "market",
                "to": "a",
                "kind": "material",
                "amount": 1,
                "unit": "kg",
                "source": "desnz-2025",
            },
            {"id": "ab", "from": "a", "to": "b", "kind": "material", "amount": 1, "unit": "kg", "source": "desnz-2025"},
            {"id": "ba", "from": "b", "to": "a", "kind": "material", "amount": 1, "unit": "kg", "source": "desnz-2025"},
        ]
    elif kind == "key":
        place = _place(draw, doc)
        target = place[0] if place and isinstance(place[0], dict) else doc
        target[draw(texts)] = draw(values)


#: Kinds of mutation, the ones that keep a file readable enough to reach the deeper checks more often.
MUTATIONS = [
    *["number"] * 4,
    *["unit"] * 3,
    *["text"] * 3,
    *["endpoint", "loop", "duplicate", "baseline"] * 2,
    *["drop", "value", "nest", "key", "empty", "closed"],
]


@st.composite
def damaged_text(draw, text: str, steps: list[str]) -> bytes:
    """Raw damage to the TOML text: truncated, bytes inserted, or a deeply nested array appended."""
    data = text.encode("utf-8")
    kind = draw(st.sampled_from(["none"] * 12 + ["truncate", "insert", "deep"]))
    if kind == "truncate":
        at = draw(st.integers(0, len(data)))
        steps.append(f"text truncated at byte {at}")
        return data[:at]
    if kind == "insert":
        at, extra = draw(st.integers(0, len(data))), draw(st.binary(min_size=1, max_size=8))
        steps.append(f"bytes {extra!r} inserted at byte {at}")
        return data[:at] + extra + data[at:]
    if kind == "deep":
        depth = draw(st.sampled_from([10, 100, 1000, 5000]))
        opener, closer = draw(st.sampled_from([("[", "]"), ("{a=", "}")]))
        steps.append(f"appended zz_deep = {opener}×{depth} 1 {closer}×{depth}")
        return data + f"\nzz_deep = {opener * depth}1{closer * depth}\n".encode()
    return data


@st.composite
def fuzzed_inventory(draw) -> Case:
    """A shipped inventory, mutated as data and perhaps damaged as text."""
    case = Case(draw(st.sampled_from(SOURCES)), lenient=draw(st.booleans()))
    doc = copy.deepcopy(BASES[case.origin])
    for _ in range(draw(st.sampled_from([1, 1, 1, 2, 2, 3, 4]))):
        draw(mutation(doc, case.steps))
    try:
        text = tomli_w.dumps(doc)
    except (TypeError, ValueError):  # not expressible in TOML (e.g. an aware time): not an input a file can hold
        assume(False)
    case.data = draw(damaged_text(text, case.steps))
    return case


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> dict[Path, Path]:
    """A copy of each source folder, so that relative baselines resolve and no shipped file is written."""
    out = {}
    for folder in {p.parent for p in SOURCES}:
        copy_ = tmp_path_factory.mktemp(folder.name)
        for p in folder.glob("*.toml"):
            shutil.copy(p, copy_ / p.name)
        out[folder] = copy_
    return out


def check_validate(case: Case, path: Path, data_dir: Path) -> None:
    """Write one case and run `lca-engine validate` on it; the assertions every case must pass."""
    path.write_bytes(case.data)
    code, output, trace = invoke("validate", path, "--data-dir", data_dir, *(["--lenient"] if case.lenient else []))
    context = f"\n--- LCA_ENGINE_FUZZ_SEED={SEED}; {case!r}"
    assert code != 4, f"internal error (exit 4)\n{trace}{output}{context}"
    assert "Traceback" not in output, output + context
    assert code in (0, 1, 3), f"exit {code}\n{output}{context}"
    if code == 0:
        assert f"✓ {path}" in output, output + context
        return
    assert f"✗ {path}" in output, output + context
    block = output[output.index(f"✗ {path}") :].splitlines()[1:]
    heads = [line for line in block if line and not line.startswith((" ", "warning:", "✓"))]
    assert heads, output + context
    for line in heads:  # every problem starts with the file it is in (this one, or the baseline it names)
        assert line.startswith((str(path), "/")), f"a problem without its file: {line!r}\n{output}{context}"


@seed(SEED)
@settings(
    max_examples=CASES,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@given(case=fuzzed_inventory())
def test_validate_never_fails_internally(case, folders, data_dir):
    check_validate(case, folders[case.origin.parent] / CASE_NAME, data_dir)


# ------------------------------------------------------------------------------------------ assess (Brightway)
SAME_DIMENSION = [["kg", "g", "t", "mg"], ["kWh", "MJ", "kJ", "GJ"], ["L", "m3"], ["t*km"], ["item"]]
ASSESS_NUMBERS = st.one_of(
    st.sampled_from([0, -0.0, 1e-300, 5e-324, 1e15, 1e308, 2**63 - 1]),
    st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False),
)
TINY_MICRO = DATA / "tiny_micro.toml"


@st.composite
def numbers_only(draw) -> dict:
    """tiny_micro with amounts, units (within their dimension) and shares changed, nothing else."""
    doc = copy.deepcopy(BASES[TINY_MICRO])
    for flow in doc["flows"]:
        if draw(st.booleans()):
            flow["amount"] = draw(ASSESS_NUMBERS)
        group = next((g for g in SAME_DIMENSION if flow["unit"] in g), [flow["unit"]])
        flow["unit"] = draw(st.sampled_from(group))
    doc["functional_unit"]["amount"] = draw(st.sampled_from([1, 2, 0.5, 1e-9, 1e9]))
    share = draw(st.sampled_from([0, 1, 0.5, 1.5, -0.1]))
    doc["socio_economic"] = {"renewable_electricity_share": {"value": share, "source": "desnz-2025"}}
    return doc


@seed(SEED)
@settings(max_examples=ASSESS_CASES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(doc=numbers_only())
def test_assess_never_fails_internally(doc, folders, data_dir, tmp_path_factory):
    path = folders[TINY_MICRO.parent] / "fuzz_assess.toml"
    path.write_text(tomli_w.dumps(doc), encoding="utf-8")
    out = tmp_path_factory.mktemp("assess")
    code, output, trace = invoke("assess", path, "--lenient", "--out", out, "--data-dir", data_dir)
    context = f"\n--- LCA_ENGINE_FUZZ_SEED={SEED}; the case:\n{tomli_w.dumps(doc)}"
    assert code != 4, f"internal error (exit 4)\n{trace}{output}{context}"
    assert "Traceback" not in output, output + context
    assert code in (0, 1, 3), output + context
    if code:  # a foreground Brightway cannot solve is named by factory id: calculate() does not see files
        assert str(path) in output or doc["id"] in output, output + context
