"""Reading the project's own TOML data files (claims, scenarios, sources, policy, background mapping): one place
that turns a missing file, bad UTF-8 or bad TOML into an error naming the file, the line and the fix."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from .errors import InventoryError, LcaEngineError
from .limits import check_file_size, check_toml_text


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
    try:
        check_toml_text(text, str(path))
    except InventoryError as exc:
        raise error(exc.problems) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise error(
            f"not valid TOML: {exc}",
            file=str(path),
            line=int(m.group(1)) if m else None,
            fix="check quotes, brackets and '=' on that line (TOML 1.0 syntax)",
        ) from None


def text_line(raw: bytes, offset: int) -> int:
    """1-based line of a byte offset."""
    return raw[:offset].count(b"\n") + 1
