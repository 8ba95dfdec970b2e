"""The one TOML parser (``lca_engine.tomlfile.parse_text``, rtoml first) reads exactly what ``tomllib`` reads.

(a) valid TOML of every type: the same values of the same types (``1 == 1.0 == True`` in Python, so types are
compared too, and the sign of zeros and NaNs, time zones, key order); where rtoml 0.14 alone reads a text
otherwise, the text is one that ``rtoml_may_differ`` sends to tomllib; (b) invalid TOML: the error carries
tomllib's message and line, also where rtoml alone accepts the text (TOML 1.1); (c) hypothesis: the shipped and
generated inventories and the cases of (a), damaged as text (characters and lines deleted, inserted, replaced),
are read as tomllib reads them or refused where tomllib refuses them; (d) hypothesis: random integers, floats and
strings written in every literal form TOML has (hex/octal/binary, underscores, exponents, the four string kinds
with escapes and line-ending backslashes), in arrays and inline tables, are read as tomllib reads them.

``LCA_ENGINE_TOML_PARITY_CASES`` sets the number of mutants (2,000 by default; (d) runs a quarter as many),
``LCA_ENGINE_TOML_PARITY_SEED`` the seed; ``pytest --hypothesis-show-statistics`` shows how many were read by
rtoml, screened or refused.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import random
import re
import tomllib

import pytest
import rtoml
from hypothesis import HealthCheck, event, given, seed, settings
from hypothesis import strategies as st

from lca_engine import tomlfile
from lca_engine.errors import BackgroundError, InventoryError
from lca_engine.limits import check_toml_text
from lca_engine.tomlfile import parse_text, read_toml, rtoml_may_differ

from .cli_run import run
from .conftest import EXAMPLES

CASES = int(os.environ.get("LCA_ENGINE_TOML_PARITY_CASES", "2000"))
SEED = int(os.environ.get("LCA_ENGINE_TOML_PARITY_SEED", "20"))


def difference(a: object, b: object, path: str = "$") -> str | None:
    """Where ``a`` and ``b`` differ in value or type (recursively, keys in order), or None."""
    if type(a) is not type(b):
        return f"{path}: {type(a).__name__} {a!r} vs {type(b).__name__} {b!r}"
    if isinstance(a, dict):
        if list(a) != list(b):
            return f"{path}: keys {list(a)} vs {list(b)}"
        return next((d for k in a if (d := difference(a[k], b[k], f"{path}.{k}"))), None)
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} vs {len(b)} items"
        return next(
            (d for i, (x, y) in enumerate(zip(a, b, strict=True)) if (d := difference(x, y, f"{path}[{i}]"))), None
        )
    if isinstance(a, float):
        same = (math.isnan(a) and math.isnan(b)) or a == b
        return None if same and math.copysign(1, a) == math.copysign(1, b) else f"{path}: {a!r} vs {b!r}"
    if isinstance(a, dt.datetime | dt.time):
        zones = type(a.tzinfo) is type(b.tzinfo) and a.tzinfo == b.tzinfo
        return None if zones and a.isoformat() == b.isoformat() and a == b else f"{path}: {a!r} vs {b!r}"
    return None if a == b else f"{path}: {a!r} vs {b!r}"


def read_by_rtoml(text: str) -> object:
    try:
        return rtoml.loads(text)
    except Exception as exc:  # its own error type, ValueError or whatever else: all mean "refused"
        return exc


# (a) Valid TOML that rtoml 0.14 reads exactly as tomllib does: parse_text takes rtoml's result.
FAST = {
    "basic string escapes": r'a = "tab\tq\"b\\n\nu\u00e9U\U0001F600 \b\f\r"',
    "literal string": r"a = 'C:\Users\path\n'",
    "multi-line basic, line-ending backslash": 'a = """\nline1 \\\n   line2\n\n  \\   \n  end"""',
    "multi-line basic, quotes at the end": 'a = """one""""\nb = """two"""""',
    "multi-line literal": "a = '''\nfirst\\n\n  'x' ''\n'''\nb = '''q'''''",
    "strings never None (rtoml none_value)": 'a = "null"\nb = \'None\'\nc = ""\nd = \'\'\ne = "nan"\nf = """"""',
    "unicode and emoji in strings": 'a = "é — 😀 \u2028 \u0085"',
    "integers": "a = 0\nb = +17\nc = -0\nd = 1_000_000\ne = 0xDEAD_beef\nf = 0o755\ng = 0b1101_0110\nh = -42",
    "integers beyond 64 bits": "a = 9223372036854775808\nb = -9223372036854775809\nc = 0xFFFF_FFFF_FFFF_FFFF_FFFF\n"
    "d = 123456789012345678901234567890",
    "integer limits of 64 bits": "a = 9223372036854775807\nb = -9223372036854775808\nc = 0x7FFFFFFFFFFFFFFF",
    "floats": "a = 1.0\nb = -0.0\nc = +0.0\nd = 6.626e-34\ne = 1E+10\nf = 1_000.000_1\ng = 5e-324\n"
    "h = 1.7976931348623157e308\ni = 0.1000000000000000055511151231257827\nj = 3.14159265358979323846264",
    "infinities and NaNs": "a = inf\nb = +inf\nc = -inf\nd = nan\ne = +nan\nf = -nan",
    "booleans": "a = true\nb = false",
    "arrays of mixed types": "a = [1, 'x', 2.5, true, [1, [2]], {b = 1}, []]\n"
    "b = [\n  1, # one\n  2,\n]\nc = [[], [[]]]",
    "array of inline tables over lines": "a = [\n  {x = 1},\n  {x = 2, y = {z = 'w'}},\n]",
    "inline tables": 'a = {x = 1, y.z = 2, "q k" = {}}\nb = {}\nc = {d = {e = {f = [1]}}}',
    "dotted keys": 'a.b.c = 1\na.d = 2\n"x.y".z = 3\nsite . name = "w"',
    "tables and sub-tables": "[a]\nx = 1\n[a.b]\nz = 3\n[a.b.c]\ny = 2\n[d]\n[d.e]\n[d.f.g]",
    "array of tables": "[[p]]\nid = 1\n[p.q]\nr = 1\n[[p.s]]\nt = 1\n[[p]]\nid = 2",
    "quoted and empty keys": '"" = 1\n\'lit key\' = 2\n"é" = 3\n"a\\tb" = 4\nq."".y = 1',
    "bare keys of digits and dashes": "1234 = 1\n-_- = 2\ntrue = 3\ninf = 4\n0x1 = 5",
    "comments and whitespace": "# head\n\ta = 1 # tail\n\n [ t ] # c\n b = 2\t\n",
    "key order kept": "z = 1\na = 2\n[m]\ny = 1\nb = 2\n[c]",
    "multi-line strings inside an inline table": "a = {x = '''\n}''', y = \"\"\"\nq\\\n  r\"\"\"}",
    "empty document": "",
    "only comments": "# nothing\n#",
    "no final newline": "a = 1",
    "string with braces and hashes": 'a = "{ [ # } ]"\nb = \'{,}\'\nc = {d = "}\\n{", e = "#"}',
}

# Valid TOML that parse_text sends to tomllib; differs: rtoml 0.14 alone reads it otherwise (or refuses it).
SCREENED = {
    "offset date-time (rtoml's TzInfo)": ("a = 1979-05-27T07:32:00Z\nb = 1979-05-27T00:32:00.999999-07:00", True),
    "offset date-time -00:00 and lower-case": ("a = 1979-05-27t07:32:00-00:00\nb = 1979-05-27 07:32:00z", True),
    "offset date-time, nanoseconds": ("a = 1979-05-27T07:32:00.123456789+05:30", True),
    "local date-time": ("a = 1979-05-27T07:32:00\nb = 1979-05-27 00:32:00.5", False),
    "local date and leap day": ("a = 1979-05-27\nb = 2024-02-29", False),
    "local time": ("a = 07:32:00\nb = 00:32:00.999999999", False),
    "a date inside a string only": ('a = "accessed 2024-01-05 at 10:30"', False),
    "CRLF line ends in a multi-line string": ('a = """\r\nx\r\ny"""\r\nb = 1\r\n', True),
    "CRLF line ends": ("a = 1\r\nb = 'x'\r\n", False),
    "\\e and \\x inside a literal string": (r"a = 'C:\e\x'", False),
    "multi-line array inside an inline table": ("a = {b = [\n 1,\n 2]}", False),
    # rtoml puts a table where its own header is, tomllib where its name first appears (found by the fuzz below)
    "super-table after its sub-table: key order": ("x = 1\n[a.b.c]\ny = 2\n[a.b]\n[d]\n[a]\nz = 3\n[d.e]", True),
    "super-table after its sub-table in an array of tables": ("[[f]]\n[f.a.b]\n[f.c]\n[f.a]", True),
    "super-table right after its sub-table": ("[ a . b ]\nx = 1\n[ a ]\ny = 2", False),
    "quoted table names": ("[factors.\"electricity.uk\"]\nx = 1\n['a'.b]", False),
}

# Valid TOML that rtoml 0.14 refuses: parse_text gives tomllib's result.
RTOML_REFUSES = {
    "float overflowing to inf": "a = 1e400\nb = -1e400\nc = 1e-400",
}

# (b) Invalid TOML (TOML 1.0, tomllib's verdict): the line tomllib names, worked out by hand.
INVALID = {
    "duplicate key": ("a = 1\nb = 2\na = 3\n", 3),
    "duplicate key at the end (tomllib names no line)": ("a = 1\nb = 2\na = 3", None),
    "duplicate dotted key": ("a.b = 1\na.b = 2\n", 2),
    "table defined twice": ("[a]\nx = 1\n\n[a]\ny = 2", 4),
    "table redefined by a dotted key": ("[a.b]\nx = 1\n[a]\nb.y = 2\n", 4),
    "dotted-key table redefined as a header": ("a.b.c = 1\n[a.b]\nd = 2", 2),
    "inline table extended": ("a = {x = 1}\na.y = 2\n", 2),
    "inline table extended by a header": ("a = {x = 1}\n[a.y]\nz = 1", 2),
    "static array appended to": ("a = [1]\n[[a]]\nx = 1", 2),
    "table turned into an array of tables": ("[a]\n[[a]]", 2),
    "bad escape": ('a = "ok"\nb = "\\q"', 2),
    "\\e escape (TOML 1.1)": ('a = "\\e[31m"', 1),
    "\\x escape (TOML 1.1)": ('a = 1\nb = "\\x41"', 2),
    "surrogate escape": ('a = "\\uD800"', 1),
    "escape beyond unicode": ('a = "\\U00110000"', 1),
    "unterminated string": ('a = 1\nb = "open\nc = 2', 2),
    "unterminated multi-line string": ('a = """\nopen\n', None),
    "unterminated literal string": ("a = 'open\n", None),
    "leading zero": ("a = 1\nb = 012", 2),
    "leading zero in a float": ("a = 01.5", 1),
    "double underscore": ("a = 1__0", 1),
    "float without digits after the point": ("a = 1.", 1),
    "inline table trailing comma (TOML 1.1)": ("a = 1\nb = {x = 1,}", 2),
    "newline inside an inline table (TOML 1.1)": ("a = {x = 1,\n y = 2}", 1),
    "comment inside an inline table (TOML 1.1)": ("a = { # c\n x = 1}", 1),
    "control character in a string": ('a = "x\x01y"', 1),
    "control character in a comment": ("a = 1\n# x\x7fy", 2),
    "NUL in a string": ('a = "\x00"', 1),
    "newline in a basic string": ('a = "x\ny"', 1),
    "lone carriage return": ("a = 1\rb = 2", 1),
    "byte-order mark": ("\ufeffa = 1", 1),
    "invalid date": ("a = 1\nb = 2023-02-30", 2),
    "not a leap year": ("a = 2023-02-29", 1),
    "hour 24": ("a = 24:00:00", 1),
    "second 60": ("a = 1979-05-27T07:32:60Z", 1),
    "time without seconds (TOML 1.1)": ("a = 1\nb = 07:32", 2),
    "date-time without seconds (TOML 1.1)": ("a = 1979-05-27T07:32Z", 1),
    "key without value": ("a = 1\nb =\n", 2),
    "key without equals": ("a = 1\nb\nc = 2", 2),
    "value without key": ("= 1", 1),
    "empty table name": ("[]\na = 1", 1),
    "unclosed table header": ("[a\nb = 1", 1),
    "non-ASCII bare key": ("é = 1", 1),
    "two values on a line": ("a = 1 b = 2", 1),
    "unclosed array": ("a = [1, 2\nb = 3", 2),
    "missing comma in array": ("a = [1 2]", 1),
    "bad value": ("a = yes", 1),
    "capitalised boolean": ("a = True", 1),
    "hex with sign": ("a = -0x1", 1),
}


def test_the_installed_rtoml_is_the_checked_release():
    """Another rtoml release is not used until this file passes with it and RTOML_CHECKED names it."""
    assert tomlfile.rtoml is rtoml, f"rtoml {rtoml.__version__} is not in RTOML_CHECKED {tomlfile.RTOML_CHECKED}"


def test_fast_cases_are_read_by_rtoml_as_by_tomllib():
    for name, text in FAST.items():
        assert rtoml_may_differ(text) is None, name  # parse_text takes rtoml's result for these
        expected = tomllib.loads(text)
        assert difference(read_by_rtoml(text), expected) is None, name
        assert difference(parse_text(text), expected) is None, name


def test_screened_cases_are_read_by_tomllib():
    for name, (text, rtoml_differs) in SCREENED.items():
        assert rtoml_may_differ(text), name
        expected = tomllib.loads(text)
        assert (difference(read_by_rtoml(text), expected) is not None) is rtoml_differs, name
        assert difference(parse_text(text), expected) is None, name


def test_what_rtoml_refuses_is_read_by_tomllib():
    for name, text in RTOML_REFUSES.items():
        assert rtoml_may_differ(text) is None, name
        assert isinstance(read_by_rtoml(text), Exception), name
        assert difference(parse_text(text), tomllib.loads(text)) is None, name


def test_values_worked_out_by_hand():
    data = parse_text(FAST["integers"])
    assert list(data.values()) == [0, 17, 0, 1_000_000, 3_735_928_559, 493, 214, -42]
    assert all(type(v) is int for v in data.values())
    special = parse_text(FAST["infinities and NaNs"])
    assert special["a"] == special["b"] == math.inf and special["c"] == -math.inf
    assert all(math.isnan(special[k]) for k in "def") and math.copysign(1, special["f"]) == -1
    assert parse_text(RTOML_REFUSES["float overflowing to inf"]) == {"a": math.inf, "b": -math.inf, "c": 0.0}
    big = parse_text(FAST["integers beyond 64 bits"])
    assert big == {"a": 2**63, "b": -(2**63) - 1, "c": 2**80 - 1, "d": 123456789012345678901234567890}
    strings = parse_text(FAST["strings never None (rtoml none_value)"])
    assert strings == {"a": "null", "b": "None", "c": "", "d": "", "e": "nan", "f": ""}
    assert parse_text(FAST["multi-line basic, line-ending backslash"]) == {"a": "line1 line2\n\n  end"}
    zones = parse_text(SCREENED["offset date-time (rtoml's TzInfo)"][0])
    assert zones["a"].tzinfo is dt.UTC and zones["b"].utcoffset() == -dt.timedelta(hours=7)
    keys = parse_text(FAST["quoted and empty keys"])
    assert keys == {"": 1, "lit key": 2, "é": 3, "a\tb": 4, "q": {"": {"y": 1}}}
    assert list(parse_text("z = 1\na = 2")) == ["z", "a"]


def test_invalid_cases_carry_tomllib_message_and_line():
    for name, (text, line) in INVALID.items():
        with pytest.raises(tomllib.TOMLDecodeError) as expected:
            tomllib.loads(text)
        where = f"line {line}," if line else "(at end of document)"
        assert where in str(expected.value), (name, str(expected.value))
        with pytest.raises(InventoryError) as got:
            parse_text(text, "x.toml")
        (problem,) = got.value.problems
        assert (problem.file, problem.line, problem.message) == ("x.toml", line, f"not valid TOML: {expected.value}")


def test_rtoml_alone_accepts_toml_1_1_that_tomllib_refuses():
    """Why the screen exists: rtoml 0.14 reads these, tomllib (TOML 1.0) does not — parse_text refuses them."""
    for name in [k for k in INVALID if "TOML 1.1" in k] + ["byte-order mark"]:
        text = INVALID[name][0]
        assert isinstance(rtoml.loads(text), dict), name
        assert rtoml_may_differ(text), name


def test_errors_of_the_callers_type(tmp_path):
    path = tmp_path / "factors.toml"
    path.write_text("a = 1\n[a]\n", encoding="utf-8")
    with pytest.raises(BackgroundError) as got:
        read_toml(path, "factor file", BackgroundError)
    assert got.value.problems[0].line == 2 and got.value.problems[0].file == str(path)


def test_limits_run_before_either_parser():
    deep = "a = " + "[" * 40 + "]" * 40  # valid TOML both parsers read; deeper than LIMITS allows
    assert tomllib.loads(deep) and rtoml.loads(deep)
    with pytest.raises(InventoryError, match="nested more than"):
        parse_text(deep)


def test_without_rtoml_tomllib_reads_alone(monkeypatch):
    monkeypatch.setattr(tomlfile, "rtoml", None)  # as where rtoml is not installed
    for text in FAST.values():
        assert difference(parse_text(text), tomllib.loads(text)) is None
    with pytest.raises(InventoryError, match="line 2"):
        parse_text("a = 1\na = 2\n")


# (c) Mutants of real inventories.

INSERTS = [
    *"\"'{}[],=.#\\\n\t :-+_0123456789eExTZ",
    *["\r\n", "\r", "\ufeff", "\x00", "\x01", "\x1b", "\x7f", "\x85", "é", "\u2028", "\U0001f600", "\ud800"],
    *['"""', "'''", "[[", "]]", ",}", "{\n", ",\n", "\n}", "#}", "= {", "= [", "\\e", "\\x41", "\\u00e9", "\\"],
    *["0x", "0o7", "0b1", "1_0", "__", "01", "1e400", "-0.0", "+nan", "-inf", "99999999999999999999", "true"],
    *["1979-05-27", "T07:32:00", " 07:32", "07:32:00", ":00", "Z", "+01:00", ".5", "2023-02-30", "24:00:00"],
]
LINES = [
    "[processes]",
    "[[flows]]",
    "[[processes]]",
    "[site.x]",
    "a.b = 1",
    '"" = 1',
    "id = 'dup'",
    "t = 1979-05-27T07:32:00Z",
    "d = 2024-02-29",
    "x = {a = 1,}",
    "x = {a = 1,",
    "  b = 2}",
    "x = {a = [\n 1]}",
    'x = """\nml\\\n  end"""',
    "x = '''\nlit'''''",
    's = "\\e"',
    "n = nan",
    "i = 123456789012345678901234567890",
    "# comment",
    "",
]


def _places(text: str) -> list[int]:
    """Positions worth damaging: TOML's structural characters and digits (most of a file is prose in strings)."""
    return [m.start() for m in re.finditer(r"[\[\]{}\"'=,.#\n\\:+-]|\d", text)]


def _mutate(text: str, op: str, r: random.Random) -> str:
    places = _places(text) or [0]
    i = r.choice(places) if r.random() < 0.7 else r.randrange(len(text) + 1)
    if op == "delete":
        return text[:i] + text[i + r.choice([1, 1, 2, 3, 8]) :]
    if op == "insert":
        return text[:i] + r.choice(INSERTS) + text[i:]
    if op == "replace":
        return text[:i] + r.choice(INSERTS) + text[i + 1 :]
    lines = text.split("\n")
    j = r.randrange(len(lines))
    if op == "delete line":
        del lines[j]
    elif op == "duplicate line":
        lines.insert(r.randrange(len(lines) + 1), lines[j])
    elif op == "move line":
        lines.insert(r.randrange(len(lines)), lines.pop(j))
    else:  # "insert line"
        lines.insert(j, r.choice(LINES))
    return "\n".join(lines)


OPS = ["delete", "insert", "replace", "delete line", "duplicate line", "move line", "insert line"]


@pytest.fixture(scope="module")
def originals(tmp_path_factory) -> list[str]:
    out = tmp_path_factory.mktemp("parity") / "generated"
    assert run("portfolio", "generate", 3, "--out", out)[0] == 0
    generated = sorted(out.glob("*.toml"))
    assert len(generated) == 6
    for path in generated:  # the portfolio's files are what rtoml must read fast
        assert rtoml_may_differ(path.read_text(encoding="utf-8")) is None, path.name
    files = sorted(EXAMPLES.glob("*.toml")) + generated
    cases = [*FAST.values(), *(t for t, _ in SCREENED.values()), *RTOML_REFUSES.values()]
    return [p.read_text(encoding="utf-8") for p in files] + cases


def assert_read_as_tomllib_reads(text: str) -> None:
    try:
        check_toml_text(text)
    except InventoryError as exc:  # the limits refuse first: so does parse_text
        event("refused by the limits")
        with pytest.raises(InventoryError) as got:
            parse_text(text)
        assert got.value.problems == exc.problems
        return
    try:
        expected = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        event("refused by tomllib" + (" (rtoml alone accepts)" if isinstance(read_by_rtoml(text), dict) else ""))
        with pytest.raises(InventoryError) as got:
            parse_text(text, "m.toml")
        (problem,) = got.value.problems
        m = re.search(r"line (\d+)", str(exc))
        assert (problem.message, problem.line) == (f"not valid TOML: {exc}", int(m.group(1)) if m else None)
        return
    fast = rtoml_may_differ(text) is None
    alone = read_by_rtoml(text)
    event(
        f"read: {'by rtoml' if fast else 'screened to tomllib'}" + ("" if isinstance(alone, dict) else ", rtoml fails")
    )
    assert difference(parse_text(text), expected) is None
    if fast and isinstance(alone, dict):
        assert difference(alone, expected) is None


@seed(SEED)
@settings(
    max_examples=CASES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_mutants_are_read_as_tomllib_reads_them(originals, data):
    text = data.draw(st.sampled_from(originals), label="original")
    ops = data.draw(st.lists(st.sampled_from(OPS), min_size=1, max_size=4), label="mutations")
    r = random.Random(data.draw(st.integers(0, 2**32 - 1), label="where"))
    for op in ops:
        text = _mutate(text, op, r)
    assert_read_as_tomllib_reads(text)


# (d) Values written every way TOML allows: random numbers and strings as literals of each form.

CONTROL = {**{chr(c): f"\\u{c:04X}" for c in [*range(0x20), 0x7F]}, "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f"}
CONTROL |= {"\r": "\\r"}


def _with_underscores(digits: str, r: random.Random) -> str:
    return "".join(d + ("_" if i < len(digits) - 1 and r.random() < 0.2 else "") for i, d in enumerate(digits))


@st.composite
def int_literal(draw) -> str:
    n = draw(st.integers(-(2**70), 2**70) | st.sampled_from([0, 2**63 - 1, -(2**63), 2**63, 2**64, -(2**63) - 1]))
    r = random.Random(draw(st.integers(0, 2**32 - 1)))
    base = r.choice(["d", "d", "x", "o", "b"]) if n >= 0 else "d"
    digits = format(n, base).lstrip("-")
    if base != "d":
        return "0" + base + _with_underscores(digits.upper() if r.random() < 0.5 else digits, r)
    sign = "-" if n < 0 else r.choice(["", "+"])
    return sign + _with_underscores(digits, r)


@st.composite
def float_literal(draw) -> str:
    r = random.Random(draw(st.integers(0, 2**32 - 1)))
    if r.random() < 0.4:
        text = repr(draw(st.floats()))  # 'nan', 'inf', '1e+300', '-0.0', '5e-324' are TOML as they are
        return r.choice(["", "+"]) + text if text[0] != "-" else text
    whole = _with_underscores(str(r.choice([0, r.randrange(10 ** r.randrange(1, 25))])), r)
    frac = "." + _with_underscores("".join(r.choice("0123456789") for _ in range(r.randrange(1, 30))), r)
    exp = r.choice("eE") + r.choice(["", "+", "-"]) + str(r.randrange(400)) if r.random() < 0.5 else ""
    return r.choice(["", "+", "-"]) + whole + (frac if r.random() < 0.8 or not exp else "") + exp


@st.composite
def string_literal(draw, forms: tuple[str, ...] = ("basic", "literal", "ml basic", "ml literal")) -> str:
    s = draw(st.text(max_size=40))
    r = random.Random(draw(st.integers(0, 2**32 - 1)))
    plain = not any(c in CONTROL and c != "\t" for c in s)
    form = r.choice(forms)
    if form == "literal" and plain and "'" not in s:
        return f"'{s}'"
    if form == "ml literal" and not any(c in CONTROL and c not in "\t\n" for c in s) and "'''" not in s + "'":
        return f"'''{r.choice(['', chr(10)])}{s}'''"

    def esc(c: str) -> str:
        if c in '"\\':
            return "\\" + c
        if c in CONTROL and (form != "ml basic" or c not in "\t\n"):
            return CONTROL[c] if r.random() < 0.7 else f"\\U{ord(c):08X}"
        return f"\\u{ord(c):04x}" if r.random() < 0.05 and ord(c) < 0x10000 else c

    body = "".join(esc(c) + ("\\\n  " if form == "ml basic" and r.random() < 0.05 else "") for c in s)
    return f'"""{r.choice(["", chr(10)])}{body}"""' if form == "ml basic" else f'"{body}"'


def value_literal(depth: int = 2):
    scalars = int_literal() | float_literal() | string_literal() | st.sampled_from(["true", "false"])
    if depth == 0:
        return scalars
    inner = value_literal(depth - 1)
    array = st.lists(inner, max_size=4).map(lambda xs: "[" + ", ".join(xs) + "]")
    table = st.lists(inner, max_size=3).map(lambda xs: "{" + ", ".join(f"k{i} = {x}" for i, x in enumerate(xs)) + "}")
    return scalars | array | table


@seed(SEED)
@settings(max_examples=max(200, CASES // 4), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(value_literal(), min_size=1, max_size=8), st.lists(string_literal(("basic", "literal")), max_size=3))
def test_values_of_every_form_are_read_as_tomllib_reads_them(values, keys):
    names = [*keys, *(f"v{i}" for i in range(len(values) - len(keys)))][: len(values)]
    text = "\n".join(f"{k} = {v}" for k, v in zip(names, values, strict=True)) + "\n[t]\nx = " + values[0]
    assert_read_as_tomllib_reads(text)
