"""Size limits on every input, checked BEFORE parsing, each with an error naming the file, the line, the limit and
the fix.

Parsers are not the place to meet a hostile or broken file: ``tomllib`` recurses once per nesting level (a
10,000-deep array is a ``RecursionError``) and builds every dotted key as nested tables (a 60 KB dotted key takes
1.7 GB), pint tokenizes a unit with Python's tokenizer, and an xlsx is a zip whose sheets may inflate 1,000-fold.
So the text or archive is measured first, in one linear pass with constant memory, against :data:`LIMITS`:

========================  ==========================================================================
inventory / data file     20 MB (the largest shipped inventory is ~20 KB; 10,000 processes ≈ 10 MB)
TOML nesting              32 levels of arrays / inline tables
TOML key                  256 characters per key segment, 1,024 for a whole dotted key
TOML line                 100,000 characters
unit expression           64 characters, no control or format (bidi) characters
xlsx file                 20 MB compressed, 400 MB decompressed (sum of the zip directory's sizes), 64 entries
xlsx sheet                300,000 rows and 10,000,000 cells (counted while streaming, stopping at the limit)
synthetic portfolio       100,000 micro-factories (each with its baseline: 200,000 files), ``portfolio generate``
========================  ==========================================================================

Each check takes the limits as an argument (default :data:`LIMITS`), so callers and tests can lower them.
"""

from __future__ import annotations

import re
import stat
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .errors import InventoryError, UnitError

MB = 1024 * 1024
_SPECIAL = re.compile(r"[\n\"'#\[\]{}=,]")
# A run of plain lines (blank, comment, `key = "text"` / number / word, [table] / [[array]] header), each far
# within the limits: the scan skips them in C and walks character by character only through the rest.
_SEG = r"[A-Za-z0-9_-]{1,200}"
_KEY = rf"{_SEG}(?:[ \t]*\.[ \t]*{_SEG}){{0,2}}"
_VALUE = r"(?:\"[^\"\\\n]{0,2000}\"|'[^'\n]{0,2000}'|[0-9A-Za-z+_.:-]{1,100})"
_PLAIN = rf"[ \t]*(?:{_KEY}[ \t]*=[ \t]*{_VALUE}[ \t]*|\[\[?[ \t]*{_KEY}[ \t]*\]\]?[ \t]*)?(?:#[^\n]{{0,2000}})?\r?\n"
_PLAIN_LINES = re.compile(rf"(?:{_PLAIN}){{0,256}}")  # bounded: re keeps state per repetition (memory)


@dataclass(frozen=True)
class Limits:
    file_bytes: int = 20 * MB
    toml_depth: int = 32
    key_chars: int = 256
    dotted_key_chars: int = 1024
    line_chars: int = 100_000
    unit_chars: int = 64
    xlsx_bytes: int = 20 * MB
    xlsx_unzipped_bytes: int = 400 * MB
    xlsx_entries: int = 64
    xlsx_rows: int = 300_000
    xlsx_cells: int = 10_000_000
    portfolio_factories: int = 100_000


LIMITS = Limits()


def _mb(n: int) -> str:
    return f"{n / MB:.3g} MB"


# ------------------------------------------------------------------------------------------ file size
def check_file_size(path: str | Path, limits: Limits = LIMITS, *, what: str = "inventory file") -> None:
    """Refuse a file larger than ``limits.file_bytes``, or not a regular file, before reading it."""
    check_size(regular_size(path, what=what), str(path), limits.file_bytes, what=what)


#: What a path that is not a regular file is, in plain words (by its ``stat`` mode).
_NOT_REGULAR = {
    stat.S_IFIFO: "a named pipe (FIFO)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
}


def regular_size(path: str | Path, file: str | None = None, *, what: str = "inventory file") -> int:
    """The size of a regular file (symlinks followed). A named pipe, device or socket is refused before it is
    opened: reading one blocks or never ends. A folder passes (its reader says it is a folder); a missing path
    raises FileNotFoundError for the caller to word."""
    info = Path(path).stat()
    kind = _NOT_REGULAR.get(stat.S_IFMT(info.st_mode))
    if kind is not None:
        raise InventoryError(
            f"{what} is {kind}, not a regular file: reading it could wait for ever",
            fix=f"name the {what} itself (a regular file), not a pipe, device or socket",
            file=file or str(path),
        )
    return info.st_size


def check_size(size: int, file: str, limit: int, *, what: str = "inventory file") -> None:
    """Refuse ``size`` bytes (or characters) over ``limit``."""
    if size > limit:
        raise InventoryError(
            f"{what} is {size:,} bytes ({_mb(size)}); the limit is {_mb(limit)} ({limit:,} bytes)",
            fix="split the factory into several inventories (one per site or product line), or aggregate "
            "processes; the limit keeps validation fast and memory bounded",
            file=file,
        )


# ------------------------------------------------------------------------------------------ TOML text
def check_toml_text(text: str, file: str | None = None, limits: Limits = LIMITS) -> None:
    """One linear pass over TOML text: nesting depth of arrays / inline tables, key lengths, line lengths.

    Brackets and braces inside strings (basic, literal, multi-line) and comments are not counted. The scan only
    measures; it does not validate TOML (``tomllib`` does that afterwards, within these bounds).
    """
    _TomlScan(text, file, limits).run()


class _TomlScan:
    """A small state machine over the characters of a TOML document: strings, comments, brackets and keys.

    Every character is visited once and every key is sliced once, so the scan is linear in the text.
    """

    def __init__(self, text: str, file: str | None, limits: Limits):
        self.text, self.file, self.limits = text, file, limits
        self.line, self.line_start = 1, 0
        self.key_start: int | None = 0  # where the key being read starts; None while reading a value
        self.seen = False  # a non-blank character was seen on this line
        self.stack: list[str] = []  # '[' or '{' for each open array / inline table

    def fail(self, message: str, fix: str) -> None:
        raise InventoryError(message, fix=fix, file=self.file, line=self.line)

    def run(self) -> None:
        text, n = self.text, len(self.text)
        i = self.plain_lines(0)
        while i < n:
            m = _SPECIAL.search(text, i)
            j = m.start() if m else n
            if j >= n:
                break
            c = text[j]
            if c == "\n":
                self.newline(j)
                i = j + 1 if self.stack else self.plain_lines(j + 1)
                continue
            if c in "\"'":
                i = self.string(j)
            elif c == "#":
                k = text.find("\n", j)
                i = n if k < 0 else k
            elif c == "[" and not self.stack and not self.seen and not text[self.line_start : j].strip():
                i = self.header(j)
            else:
                self.punctuation(c, j)
                i = j + 1
            self.seen = True
        self.check_line(n)

    def plain_lines(self, i: int) -> int:
        """Index after the run of plain lines starting at ``i`` (matched 256 lines at a time)."""
        start = i
        while (end := _PLAIN_LINES.match(self.text, i).end()) > i:
            i = end
        if i > start:
            self.line += self.text.count("\n", start, i)
            self.line_start = self.key_start = i
        return i

    def punctuation(self, c: str, i: int) -> None:
        in_table = bool(self.stack) and self.stack[-1] == "{"
        if c in "[{":
            self.open(c)
            self.key_start = i + 1 if c == "{" else None
        elif c in "]}" and self.stack:
            self.stack.pop()
        elif c == "=" and (not self.stack or in_table) and self.key_start is not None:
            self.check_key(self.key_start, i)
            self.key_start = None
        elif c == "," and in_table:
            self.key_start = i + 1

    def newline(self, i: int) -> None:
        self.check_line(i)
        self.line += 1
        self.line_start = i + 1
        self.seen = False
        if not self.stack:
            self.key_start = i + 1

    def check_line(self, end: int) -> None:
        if end - self.line_start > self.limits.line_chars:
            self.fail(
                f"line is {end - self.line_start:,} characters long, more than the limit of {self.limits.line_chars:,}",
                "break the value over several lines (arrays may span lines) or shorten it",
            )

    def header(self, i: int) -> int:
        """A table header [a.b] / [[a.b]]: check its key; return the index of its closing bracket."""
        text, n = self.text, len(self.text)
        start = i + 2 if text.startswith("[[", i) else i + 1
        k = start
        while k < n and text[k] not in "]\n":
            k = self.string(k) if text[k] in "\"'" else k + 1
        self.check_key(start, k)
        self.key_start = None
        return k

    def open(self, c: str) -> None:
        self.stack.append(c)
        if len(self.stack) > self.limits.toml_depth:
            self.fail(
                f"arrays / inline tables are nested more than {self.limits.toml_depth} levels deep",
                "flatten the structure: an inventory needs at most a few levels (use [[flows]] tables)",
            )

    def string(self, i: int) -> int:
        """Index just after the string starting at ``i`` (multi-line strings advance the line count)."""
        text, n = self.text, len(self.text)
        q = text[i]
        if text.startswith(q * 3, i):
            end = text.find(q * 3, i + 3)
            while end >= 0 and q == '"' and _escaped(text, end):
                end = text.find(q * 3, end + 1)
            end = n if end < 0 else end + 3
            while end < n and text[end] == q:  # up to two more quotes belong to the content
                end += 1
            newlines = text.count("\n", i, end)
            if newlines:
                self.line += newlines
                self.line_start = text.rfind("\n", i, end) + 1
            return end
        j = i + 1
        while j < n and text[j] != q and text[j] != "\n":
            j += 2 if q == '"' and text[j] == "\\" else 1
        return j + 1 if j < n and text[j] == q else j

    def check_key(self, start: int, end: int) -> None:
        key = self.text[start:end].strip()  # each key is sliced once: linear overall
        if len(key) > self.limits.dotted_key_chars:
            self.fail(
                f"key is {len(key):,} characters long, more than the limit of {self.limits.dotted_key_chars:,}",
                "use short field names as in the inventory format (README); long text belongs in a value",
            )
        longest = max(len(part.strip()) for part in key.split("."))
        if longest > self.limits.key_chars:
            self.fail(
                f"key segment is {longest:,} characters long, more than the limit of {self.limits.key_chars:,}",
                "use short field names as in the inventory format (README); long text belongs in a value",
            )


def _escaped(text: str, pos: int) -> bool:
    """True if the character at ``pos`` is preceded by an odd number of backslashes."""
    k = pos - 1
    while k >= 0 and text[k] == "\\":
        k -= 1
    return (pos - 1 - k) % 2 == 1


# ------------------------------------------------------------------------------------------ units
def check_unit_text(unit: str, limits: Limits = LIMITS) -> None:
    """Length and characters of a unit expression, before pint (which uses Python's tokenizer) sees it."""
    if len(unit) > limits.unit_chars:
        raise UnitError(
            f"unit expression is {len(unit):,} characters long, more than the limit of {limits.unit_chars}",
            fix="write a plain unit such as kg, kWh, m3, t*km or item",
        )
    for ch in unit:
        if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn"):
            raise UnitError(
                f"unit {unit!r} contains the invisible or text-direction character U+{ord(ch):04X}",
                fix="retype the unit with plain letters, digits, '*', '/', '^' and spaces",
            )


# ------------------------------------------------------------------------------------------ xlsx
def check_xlsx(path: str | Path, limits: Limits = LIMITS, *, name: str | None = None) -> None:
    """An xlsx's size, its zip directory (entries, total decompressed size) and the truth of the declared sizes.

    Runs before openpyxl opens the file: the compressed size from the file system, the decompressed size from
    the zip directory, then every entry streamed through a counter with a byte cap (constant memory) so that an
    entry inflating past its declared size, or failing its CRC, is refused too.
    """
    path = Path(path)
    file = name or str(path)
    check_size(regular_size(path, file, what="Excel file"), file, limits.xlsx_bytes, what="Excel file")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = _check_directory(zf.infolist(), file, limits)
            for info in infos:
                _check_entry(zf, info, file)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, NotImplementedError) as exc:
        raise InventoryError(
            f"not an Excel workbook (not a readable zip archive: {exc.__class__.__name__}: {exc})",
            fix="give a Brightway Excel inventory saved as .xlsx (Excel: File › Save As › Excel Workbook)",
            file=file,
        ) from None


def _check_directory(infos: list[zipfile.ZipInfo], file: str, limits: Limits) -> list[zipfile.ZipInfo]:
    if len(infos) > limits.xlsx_entries:
        raise InventoryError(
            f"the workbook holds {len(infos):,} files, more than the limit of {limits.xlsx_entries}",
            fix="save the inventory as a plain workbook with one or a few worksheets",
            file=file,
        )
    total = sum(i.file_size for i in infos)
    if total > limits.xlsx_unzipped_bytes:
        raise InventoryError(
            f"the workbook inflates to {total:,} bytes, more than the limit of {_mb(limits.xlsx_unzipped_bytes)}",
            fix="split the inventory into several workbooks, or remove unused worksheets",
            file=file,
        )
    return infos


def _check_entry(zf: zipfile.ZipFile, info: zipfile.ZipInfo, file: str, chunk: int = MB) -> None:
    read = 0
    with zf.open(info) as stream:
        while block := stream.read(chunk):
            read += len(block)
            if read > info.file_size:
                break
    if read != info.file_size:
        raise InventoryError(
            f"workbook entry '{info.filename}' declares {info.file_size:,} bytes but holds {read:,}",
            fix="the file is damaged or crafted: save it again from Excel",
            file=file,
        )


def sheet_limit_error(file: str, sheet: str, rows: int, cells: int, limits: Limits = LIMITS) -> InventoryError:
    """The error for a worksheet that reached the row or cell limit while being streamed."""
    if rows > limits.xlsx_rows:
        message = f"worksheet '{sheet}' has more than {limits.xlsx_rows:,} rows (the limit)"
    else:
        message = f"worksheet '{sheet}' has more than {limits.xlsx_cells:,} cells (the limit; {rows:,} rows read)"
    return InventoryError(
        message,
        fix="split the inventory into several workbooks, or delete empty formatted rows/columns "
        "(Excel: select them › Delete)",
        file=file,
        line=rows,
    )
