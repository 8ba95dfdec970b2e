"""One error family for everything a user can get wrong.

Every user-facing error says *where* (file, field, line when the parser knows it), *what* was wrong and
*how to fix it*, so that the CLI can print it as one readable block instead of a library traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar


class ProblemKind(StrEnum):
    """What a problem is, for code that treats some problems apart: chosen by this, never by the message text."""

    #: A purchase without a background factor: its upstream burdens are not counted (``subject``: the flow id).
    NO_BACKGROUND = "no_background"


@dataclass
class Problem:
    """One thing wrong with an input; ``kind`` and ``subject`` (the id it is about) where code selects on them."""

    message: str
    fix: str = ""
    file: str | None = None
    field: str | None = None
    line: int | None = None
    kind: ProblemKind | None = None
    subject: str | None = None

    def __post_init__(self) -> None:
        if self.kind is not None:  # read back from JSON (the result cache) as a plain string
            self.kind = ProblemKind(self.kind)

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
    #: What kind of problem, in plain words, for the heading a user sees (never the class name).
    title: ClassVar[str] = ""

    def __init__(self, problems: list[Problem] | Problem | str, fix: str = "", **where) -> None:
        if isinstance(problems, str):
            problems = [Problem(problems, fix=fix, **where)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__(self.format())

    def format(self) -> str:
        return "\n".join(p.format() for p in self.problems)

    @classmethod
    def heading(cls) -> str:
        """'error: invalid inventory' — what the CLI and the dashboard print above the problems."""
        return f"error: {cls.title}" if cls.title else "error"


class InventoryError(LcaEngineError):
    """The inventory file (or model built in code) is invalid."""

    title = "invalid inventory"


class UnitError(InventoryError):
    """A unit is unknown or has the wrong dimension."""

    title = "unit problem"


class BalanceError(LcaEngineError):
    """A process or the factory does not close its mass balance within tolerance."""

    exit_code = 3
    title = "mass balance does not close"


class BackgroundError(LcaEngineError):
    """Background data (factor files, factor keys, years) is missing or inconsistent."""

    title = "background data problem"


class UncertaintyError(LcaEngineError):
    """Invalid Monte Carlo request or distribution."""

    title = "invalid uncertainty request"


class BackgroundImportError(BackgroundError):
    """An LCI database given to ``lca-engine background import`` cannot become a background as it is."""

    title = "background import problem"
