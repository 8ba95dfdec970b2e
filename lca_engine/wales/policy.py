"""The Welsh policy facts (``inventories/wales_policy.toml``): sources, goals, ways of working, National
Indicators, targets and grant criteria, keyed by id, with the citation line shown next to a figure."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import InventoryError
from ..tomlfile import read_toml

DISCLAIMER = (
    "Pre-assessment with evidence, not a funding decision: the figures come from the inventories and this engine's "
    "results; eligibility and awards are decided by the funder. Policy wording marked 'to check' was not read in "
    "the publisher's own text (see inventories/wales_policy_NOTES.md)."
)


NOT_STATED = "not stated"


NOT_ASSESSED = "not assessed"


@dataclass
class WalesPolicy:
    """The policy facts from ``wales_policy.toml``, keyed by id (national indicators by number)."""

    sources: dict[str, dict]
    goals: dict[str, dict]
    ways: dict[str, dict]
    indicators: dict[int, dict]
    targets: dict[str, dict]
    criteria: dict[str, dict]
    path: str = ""

    def cite(self, source_id: str | None) -> str:
        """'Publisher, title (edition), table' — the citation line shown next to a figure."""
        s = self.sources.get(source_id or "")
        if not s:
            return source_id or ""
        parts = [s.get("publisher", ""), s.get("title", "")]
        if s.get("edition"):
            parts.append(f"({s['edition']})")
        return " — ".join(p for p in parts[:2] if p) + (f" {parts[2]}" if len(parts) > 2 else "")


def default_policy_file() -> Path:
    from ..background.catalog import default_inventories_dir

    return default_inventories_dir() / "wales_policy.toml"


def load_policy(path: str | Path | None = None) -> WalesPolicy:
    path = Path(path) if path else default_policy_file()
    data = read_toml(path, "Wales policy file", fix="give an existing wales_policy.toml")

    def by_id(key: str) -> dict[str, dict]:
        return {e["id"]: e for e in data.get(key, [])}

    indicators = {int(e["number"]): e for e in data.get("national_indicator", []) if "number" in e}
    policy = WalesPolicy(
        by_id("source"),
        by_id("goal"),
        by_id("way_of_working"),
        indicators,
        by_id("target"),
        by_id("grant_criterion"),
        str(path),
    )
    missing = [
        (where, sid)
        for where, entries in (("goal", policy.goals), ("target", policy.targets), ("grant_criterion", policy.criteria))
        for sid in {e.get("source") for e in entries.values()} - {None}
        if sid not in policy.sources
    ]
    if missing:
        raise InventoryError(
            f"{missing[0][0]} cites unknown source '{missing[0][1]}'",
            file=str(path),
            fix="add a [[source]] with that id",
        )
    return policy
