"""pydantic's validation errors on a converted foreground → our Problems, pointing at the original file."""

from __future__ import annotations

from pydantic import ValidationError

from ...errors import Problem
from ...inventory import field_path


def validation_problems(exc: ValidationError, where: dict) -> list[Problem]:
    out = []
    for err in exc.errors():
        msg = "required field is missing" if err["type"] == "missing" else err["msg"]
        if "input" in err and not isinstance(err["input"], dict | list) and err["type"] != "missing":
            msg += f" (got {err['input']!r})"
        fix = "correct the value in the file, or report the file: the converted model is not valid"
        out.append(Problem(msg, fix=fix, **where, field=field_path(err["loc"])))
    return out
