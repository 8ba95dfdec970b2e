"""pydantic's error list → :class:`~lca_engine.errors.Problem`\\ s: the field, what is wrong and the fix.

Everything is read from the error's ``type``, ``loc`` and ``ctx`` (the limits pydantic checked), never from its
message text. Used for inventory files (with their line numbers) and for models built in code.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from .errors import Problem

#: Fixes that need nothing from the error's context.
FIXES = {
    "missing": "add the field",
    "extra_forbidden": "remove the field or check its spelling against the inventory format in the README",
    "literal_error": "use one of the allowed values",
    "string_pattern_mismatch": "use letters, digits, '_', '-' or '.' only",
    "float_parsing": "write a plain number (no unit in the number: put the unit in 'unit')",
    "float_type": "write a plain number (no unit in the number: put the unit in 'unit')",
    "string_type": "write the value as a quoted string",
    "list_type": "use an array of tables ([[name]] blocks)",
    "dict_type": "use a table ([name] or {key = value})",
}

#: Fixes built from the limit pydantic checked (``ctx``): type → (ctx key, fix with that value).
LIMIT_FIXES = {
    "greater_than": ("gt", "use a number greater than {}"),
    "greater_than_equal": ("ge", "use a number of at least {}"),
    "less_than": ("lt", "use a number below {}"),
    "less_than_equal": ("le", "use a number of at most {}"),
    "literal_error": ("expected", "use one of: {}"),
    "string_too_long": ("max_length", "write at most {} characters"),
}


def field_path(loc: tuple[Any, ...]) -> str:
    """('flows', 3, 'amount') -> 'flows[3].amount' (index is 0-based as in the file's order)."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _fix(err: dict) -> str:
    ctx = err.get("ctx") or {}
    if "fix" in ctx:  # our own validators put the fix in the context (lca_engine.model)
        return ctx["fix"]
    if err["type"] == "string_too_short":
        n = ctx.get("min_length", 1)
        return "write a non-empty value" if n <= 1 else f"write at least {n} characters"
    key, template = LIMIT_FIXES.get(err["type"], (None, ""))
    if key in ctx:
        value = ctx[key]
        return template.format(f"{value:g}" if isinstance(value, float) else value)
    return FIXES.get(err["type"], "correct the value")


def _message(err: dict, leaf: str) -> str:
    if err["type"] == "missing":
        return "required field is missing"
    if err["type"] == "extra_forbidden":
        return f"unknown field '{leaf}'"
    value, ctx = err.get("input"), err.get("ctx") or {}
    msg = str(ctx["error"]) if err["type"] == "value_error" and "error" in ctx else err["msg"]  # no "Value error, "
    if err["type"] == "string_too_short" and isinstance(value, str):
        n = ctx.get("min_length", 1)
        return f"'{leaf}' has {len(value)} characters, at least {n} are needed (got {value!r})"
    if "input" in err and not isinstance(value, dict | list):
        return f"{msg} (got {value!r})"
    return msg


def problems_from_validation(
    exc: ValidationError,
    file: str | None = None,
    line_of: Callable[[tuple[Any, ...]], int | None] | None = None,
    prefix: tuple[str, ...] = (),
    names: dict[str, str] | None = None,
) -> list[Problem]:
    """One Problem per pydantic error: field path (``prefix`` first: e.g. the model's name; a first part renamed by
    ``names``: ``from`` → ``from_`` in code), message, fix, line."""
    problems = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        if names and loc and loc[0] in names:
            loc = (names[loc[0]], *loc[1:])
        leaf = next((p for p in reversed(loc) if isinstance(p, str)), "")
        where = {"file": file, "field": field_path(prefix + loc), "line": line_of(loc) if line_of else None}
        problems.append(Problem(_message(err, leaf), fix=_fix(err), **where))
    return problems
