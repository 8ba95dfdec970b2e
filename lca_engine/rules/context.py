"""What every validation rule sees (:class:`Ctx`) and what it fills (:class:`Report`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from ..background.catalog import Catalog
from ..errors import InventoryError, Problem, ProblemKind
from ..inventory import locate
from ..model import BOUNDARY, Factory, Source
from ..pydantic_errors import field_path

#: How many known names an error lists before "…" (a message stays short however large the file).
SHOWN = 8


@dataclass
class Report:
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def raise_if_errors(self) -> None:
        if self.errors:
            raise InventoryError(self.errors)


def some(names, shown: int = SHOWN) -> str:
    """The first few names, comma-separated, with '…' when there are more (never the whole list of a big file)."""
    names = list(names)
    return ", ".join(names[:shown]) + (", …" if len(names) > shown else "")


class Ctx:
    """One factory being validated: its known nodes and sources, the background catalogue, and the report."""

    def __init__(
        self,
        factory: Factory,
        sources: dict[str, Source],
        catalog: Catalog | None = None,
        file: str | None = None,
        text: str | None = None,
    ):
        self.factory, self.catalog, self.file, self.text = factory, catalog, file, text
        self.sources = {**sources, **factory.sources}
        self.report = Report()

    @cached_property
    def process_index(self) -> dict[str, int]:
        """Process id → position of its first [[processes]] block."""
        index: dict[str, int] = {}
        for i, p in enumerate(self.factory.processes):
            index.setdefault(p.id, i)
        return index

    @cached_property
    def nodes(self) -> frozenset[str]:
        return frozenset(self.process_index) | frozenset(BOUNDARY)

    @cached_property
    def node_hint(self) -> str:
        return f"use a process id ({some(self.process_index) or 'none defined'}) or one of: {', '.join(BOUNDARY)}"

    @cached_property
    def source_hint(self) -> str:
        return some(sorted(self.sources))

    def problem(self, loc: tuple, message: str, fix: str, **kind) -> Problem:
        return Problem(message, fix=fix, file=self.file, field=field_path(loc), line=locate(self.text, loc), **kind)

    def error(self, loc: tuple, message: str, fix: str) -> None:
        self.report.errors.append(self.problem(loc, message, fix))

    def warn(
        self, loc: tuple, message: str, fix: str, kind: ProblemKind | None = None, subject: str | None = None
    ) -> None:
        self.report.warnings.append(self.problem(loc, message, fix, kind=kind, subject=subject))
