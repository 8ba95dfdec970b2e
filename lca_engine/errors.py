"""One error family for everything a user can get wrong.

Every user-facing error says *where* (file, field, line when the parser knows it), *what* was wrong and
*how to fix it*, so that the CLI can print it as one readable block instead of a library traceback.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Problem:
    """One thing wrong with an input."""

    message: str
    fix: str = ""
    file: str | None = None
    field: str | None = None
    line: int | None = None

    def format(self) -> str:
        where = []
        if self.file:
            where.append(str(self.file) + (f":{self.line}" if self.line else ""))
        if self.field:
            where.append(f"field '{self.field}'")
        head = " ".join(where)
        text = f"{head}: {self.message}" if head else self.message
        if self.fix:
            text += f"\n    fix: {self.fix}"
        return text


class LcaEngineError(Exception):
    """Base class: anything the CLI reports as a user error (exit code 1) rather than a crash."""

    exit_code = 1

    def __init__(self, problems: list[Problem] | Problem | str, fix: str = "", **where) -> None:
        if isinstance(problems, str):
            problems = [Problem(problems, fix=fix, **where)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__(self.format())

    def format(self) -> str:
        return "\n".join(p.format() for p in self.problems)


class InventoryError(LcaEngineError):
    """The inventory file (or model built in code) is invalid."""


class UnitError(InventoryError):
    """A unit is unknown or has the wrong dimension."""


class BalanceError(LcaEngineError):
    """A process or the factory does not close its mass balance within tolerance."""

    exit_code = 3


class BackgroundError(LcaEngineError):
    """Background data (factor files, factor keys, years) is missing or inconsistent."""


class UncertaintyError(LcaEngineError):
    """Invalid Monte Carlo request or distribution."""
