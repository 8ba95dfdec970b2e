"""Reading TOML: one parser for every TOML text the product reads (inventories and its own data files: claims,
scenarios, sources, policy, background mapping), and one place that turns a missing file, bad UTF-8 or bad TOML
into an error naming the file, the line and the fix.

``parse_text`` reads exactly what ``tomllib`` reads — the same values of the same types, and the same verdict and
line on bad TOML — but faster: ``rtoml`` (the Rust ``toml`` crate, ~8x faster on inventories) parses first, and
``tomllib`` parses again whenever rtoml fails or the text holds something rtoml 0.14 reads differently
(``rtoml_may_differ``): rtoml implements TOML 1.1, which tomllib (TOML 1.0) refuses in part, and differs in
details. Without rtoml installed, tomllib alone reads the same.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from .errors import InventoryError, LcaEngineError
from .limits import LIMITS, Limits, check_file_size, check_toml_text

try:
    import rtoml
except ImportError:  # pragma: no cover - rtoml is a dependency; tomllib alone gives the same results
    rtoml = None

#: The rtoml releases whose differences from tomllib ``rtoml_may_differ`` was checked against
#: (tests/test_toml_parity.py); another release is not used (tomllib reads alone) until checked and added here.
RTOML_CHECKED = ("0.14.",)
if rtoml is not None and not rtoml.__version__.startswith(RTOML_CHECKED):  # pragma: no cover
    rtoml = None

TOML_FIX = "check quotes, brackets and '=' on that line (TOML 1.0 syntax)"

#: Texts rtoml 0.14 may read otherwise than tomllib, each with why; checked in order, the first match decides.
_DIFFERS: tuple[tuple[re.Pattern[str], str], ...] = (
    # a multi-line string keeps "\r\n" in rtoml, tomllib gives "\n"; a lone "\r" is checked by tomllib
    (re.compile(r"\r"), "a carriage return"),
    # rtoml skips a byte-order mark, tomllib refuses it
    (re.compile("\ufeff"), "a byte-order mark"),
    # TOML 1.1 escapes \e and \xHH, refused by tomllib
    (re.compile(r"\\[ex]"), "a \\e or \\x escape"),
    # rtoml's time zones are its own TzInfo class (equal instants, another tzinfo); TOML 1.1 times without
    # seconds ("07:32"); every TOML date has four-digit years, every time two-digit hours and minutes. Each
    # pattern starts with a literal character, which the regex engine finds fast (~0.02 ms for 15 KB)
    (re.compile(r"-(?<=\d{4}-)\d\d-\d\d"), "a date"),
    (re.compile(r":(?<=\d\d:)\d\d"), "a time"),
)

#: Tokens of TOML text that matter to inline tables: strings and comments (skipped as wholes), braces, commas
#: before a closing brace and newlines. Leftmost-first matching makes this a lexer for the texts rtoml accepts;
#: an unclosed string runs to the end of its line or text, so that no text is scanned twice (linear time).
_INLINE_TOKENS = re.compile(
    r'"""(?:[^\\]|\\.)*?(?:"""(?!")|\\?\Z)'  # multi-line basic string (up to two quotes may end its content)
    r"|'''.*?(?:'''(?!')|\Z)"  # multi-line literal string
    r'|"(?:[^"\\\n]|\\.)*"?'  # basic string
    r"|'[^'\n]*'?"  # literal string
    r"|#[^\n]*"  # comment
    r"|,[ \t]*\}|[{}\n]",
    re.DOTALL,
)


#: A line that starts with a table header, ``[name]`` or ``[[name]]`` (group 1: the second bracket).
_HEADER = re.compile(r"\n[ \t]*\[(\[?)([^\]\n]*)\]")


def rtoml_may_differ(text: str) -> str | None:
    """Why rtoml 0.14 may read ``text`` otherwise than tomllib (then tomllib parses it), or None."""
    for pattern, why in _DIFFERS:
        if pattern.search(text):
            return why
    return _late_super_table(text) or (_relaxed_inline_table(text) if "{" in text else None)


def _late_super_table(text: str) -> str | None:
    """A ``[table]`` header after a header inside it (``[a.b]`` … ``[d]`` … ``[a]``): rtoml moves ``a`` after
    ``d``, tomllib keeps the order in which the keys first appeared. Quoted table names are not compared."""
    inside: set[str] = set()  # tables named as part of an earlier header's name
    named: set[str] = set()  # header names seen (a file repeats [[flows]] and [flows.assumption] many times)
    for double, name in _HEADER.findall("\n" + text):
        if name in named and double:
            continue
        if '"' in name or "'" in name:
            return "a quoted table name"
        if " " in name or "\t" in name:
            name = name.replace(" ", "").replace("\t", "")
        if not double and name in inside:
            return "a table defined after a table inside it"
        if name not in named:
            named.add(name)
            parts = name.split(".")
            inside.update(".".join(parts[:i]) for i in range(1, len(parts)))
    return None


def _relaxed_inline_table(text: str) -> str | None:
    """TOML 1.1 inline tables (rtoml accepts them, tomllib refuses): a newline or a comment inside, a comma last."""
    depth = 0
    for token in _INLINE_TOKENS.finditer(text):
        t = token.group()
        if t == "{":
            depth += 1
        elif t == "}":
            depth -= 1
        elif depth > 0 and (t == "\n" or t[0] in "#,"):
            return "an inline table over several lines or with a trailing comma"
    return None


def parse_text(
    text: str, file: str | None = None, error: type[LcaEngineError] = InventoryError, limits: Limits = LIMITS
) -> dict:
    """TOML text → dict, exactly as ``tomllib.loads`` reads it; the text is measured against ``limits`` first.

    Bad TOML raises ``error`` with tomllib's message and line."""
    try:
        check_toml_text(text, file, limits)
    except InventoryError as exc:
        raise error(exc.problems) from None
    if rtoml is not None and rtoml_may_differ(text) is None:
        try:
            return rtoml.loads(text)  # none_value=None: no string is ever read as None
        except Exception:  # whatever rtoml refuses, tomllib gives the verdict (and its line)
            pass
        except BaseException as exc:  # a panic in Rust: pyo3's PanicException is a BaseException
            if type(exc).__name__ != "PanicException":
                raise
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise error(f"not valid TOML: {exc}", file=file, line=int(m.group(1)) if m else None, fix=TOML_FIX) from None


def read_toml(path: str | Path, what: str, error: type[LcaEngineError] = InventoryError, fix: str = "") -> dict:
    """The parsed file; ``what`` names it in messages ("claims file"), ``fix`` says how to get a missing one."""
    path = Path(path)
    try:
        check_file_size(path, what=what)
        text = path.read_text(encoding="utf-8")
    except InventoryError as exc:  # over the size limit
        raise error(exc.problems) from None
    except FileNotFoundError:
        raise error(f"{what} not found", file=str(path), fix=fix or "give an existing file") from None
    except IsADirectoryError:
        raise error(f"{what} is a directory, expected a .toml file", file=str(path), fix="name a file") from None
    except UnicodeDecodeError as exc:
        line = text_line(path.read_bytes(), exc.start)
        raise error(f"{what} is not UTF-8 text", file=str(path), line=line, fix="save the file as UTF-8") from None
    return parse_text(text, str(path), error)


def text_line(raw: bytes, offset: int) -> int:
    """1-based line of a byte offset."""
    return raw[:offset].count(b"\n") + 1
