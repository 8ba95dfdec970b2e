"""The Welsh policy facts (``inventories/wales_policy.toml``): sources, goals, ways of working, National
Indicators, targets and grant criteria, keyed by id, with the citation line shown next to a figure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..errors import InventoryError, Problem
from ..tomlfile import read_toml

DISCLAIMER = (
    "Pre-assessment with evidence, not a funding decision: the figures come from the inventories and this engine's "
    "results; eligibility and awards are decided by the funder. Policy wording marked 'to check' was not read in "
    "the publisher's own text (see inventories/wales_policy_NOTES.md)."
)


NOT_STATED = "not stated"


NOT_ASSESSED = "not assessed"


# The tables whose entries carry evidence flags: ``verified`` (the publisher's own words were read), and when true
# ``verified_against`` (the http(s) address read, or a list of them) and ``read`` (the date, TOML date or
# "YYYY-MM-DD"); optional ``conflicts`` = ["source id or address: what it says", ...] where sources disagree.
EVIDENCE_TABLES = ("goal", "way_of_working", "national_indicator", "target", "grant_criterion")


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
    problems = evidence_problems(data, str(path))
    if problems:
        raise InventoryError(problems)
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


def evidence_problems(data: dict, file: str) -> list[Problem]:
    """Every evidence-flag problem of the policy file: a verified entry without its address or read date, a
    ``verified`` that is not true/false, ``conflicts`` that is not a list of strings."""
    return [p for table in EVIDENCE_TABLES for e in data.get(table, []) for p in _entry_problems(table, e, file)]


def _entry_problems(table: str, entry: dict, file: str) -> list[Problem]:
    name = f"[[{table}]] '{entry.get('id', entry.get('number', entry.get('wording', '?')))}'"

    def problem(field: str, message: str, fix: str) -> Problem:
        return Problem(f"{name}: {message}", fix=fix, file=file, field=field)

    out = []
    if not isinstance(entry.get("verified", False), bool):
        out.append(problem("verified", "must be true or false", "write verified = true or verified = false"))
    conflicts = entry.get("conflicts", [])
    if not (isinstance(conflicts, list) and all(isinstance(c, str) for c in conflicts)):
        fix = 'write conflicts = ["source id or address: what it says", ...]'
        out.append(problem("conflicts", "must be a list of strings", fix))
    if entry.get("verified") is True:
        out += [problem(f, m, fx) for f, m, fx in _verified_gaps(entry)]
    return out


def _verified_gaps(entry: dict) -> list[tuple[str, str, str]]:
    """(field, message, fix) for what a verified entry lacks: the publisher's address read and the date read."""
    gaps = []
    urls = entry.get("verified_against")
    urls = urls if isinstance(urls, list) else [urls]
    if not all(isinstance(u, str) and u.startswith(("http://", "https://")) for u in urls):
        gaps.append(
            (
                "verified_against",
                "verified = true needs the publisher's address that was read (http/https)",
                'write verified_against = "https://..." (the page read), or set verified = false',
            )
        )
    if not _is_date(entry.get("read")):
        gaps.append(
            ("read", "verified = true needs the date it was read", 'write read = "YYYY-MM-DD", or set verified = false')
        )
    return gaps


def _is_date(value: object) -> bool:
    if isinstance(value, date):
        return True
    try:
        date.fromisoformat(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    return True
