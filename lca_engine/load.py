"""Read an inventory file and check it completely: structure, references, units, provenance, baseline, balance.

This is the entry point the CLI, the API and the dashboard share, so that a file is judged the same way
everywhere. It never imports Brightway.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .background.catalog import Catalog, default_inventories_dir
from .balance import DEFAULT_TOLERANCE, BalanceResult, mass_balance
from .errors import BackgroundError, BalanceError, InventoryError, LcaEngineError, Problem
from .inventory import loads_shared, locate, read_text
from .model import Factory, Source
from .rules.baseline import pair_findings
from .sources import sources_for
from .validate import Report, check


@dataclass
class Checked:
    """A validated factory with everything needed to report on it."""

    factory: Factory
    file: str | None
    report: Report
    balance: BalanceResult
    sources: dict[str, Source]

    @property
    def warnings(self) -> list[Problem]:
        return self.report.warnings + (self.balance.problems(self.file) if not self.balance.ok else [])


def check_factory(
    factory: Factory,
    *,
    file: str | None = None,
    text: str | None = None,
    sources: dict[str, Source] | None = None,
    catalog: Catalog | None = None,
    tolerance: float = DEFAULT_TOLERANCE,
    strict_balance: bool = True,
) -> Checked:
    """Validate a model (from a file or built in code). Raises on errors; imbalance raises if strict.

    A factory read from ``file`` also has the baseline file it names checked (:func:`baseline_problems`).
    """
    sources = sources if sources is not None else sources_for(file)
    report = check(factory, sources, catalog, file=file, text=text)
    report.errors.extend(baseline_problems(factory, file, text))
    report.raise_if_errors()
    result = mass_balance(factory, tolerance)
    if strict_balance and not result.ok:
        raise BalanceError(result.problems(file))
    return Checked(factory, file, report, result, {**sources, **factory.sources})


def load_checked(
    path: str | Path,
    *,
    catalog: Catalog | None = None,
    tolerance: float = DEFAULT_TOLERANCE,
    strict_balance: bool = True,
) -> Checked:
    path = Path(path)
    text = read_text(path)
    factory = loads_shared(text, file=str(path))
    return check_factory(
        factory, file=str(path), text=text, catalog=catalog, tolerance=tolerance, strict_balance=strict_balance
    )


def resolve_baseline(factory: Factory, file: str | None) -> Path | None:
    """The baseline file a factory read from ``file`` names, resolved (symlinks followed) relative to that file."""
    if not factory.baseline or file is None:
        return None
    return (Path(file).absolute().parent / factory.baseline).resolve()


def baseline_path(checked: Checked) -> Path | None:
    """The baseline file named by a checked micro-factory (already found valid by :func:`baseline_problems`)."""
    return resolve_baseline(checked.factory, checked.file)


def _allowed_roots(file: str) -> list[Path]:
    """Where a baseline may lie: the inventory's own folder tree, and the shipped examples."""
    roots = [Path(file).absolute().parent.resolve()]
    try:
        roots.append((default_inventories_dir() / "examples").resolve())
    except BackgroundError:
        pass  # no shipped inventories in this installation: only the inventory's own tree
    return roots


def _where_problem(ref: str, path: Path, file: str) -> tuple[str, str] | None:
    """(message, fix) if the baseline path is outside the allowed folders, not .toml, the file itself or absent."""
    relative = "name an inventory in this file's folder (or a sub-folder) or in the shipped examples, relative to "
    if not any(path.is_relative_to(root) for root in _allowed_roots(file)):
        return f"baseline '{ref}' lies outside this inventory's folder and the shipped examples", relative + "this file"
    if path.suffix.lower() != ".toml":
        return f"baseline '{ref}' is not a .toml inventory", 'name the baseline\'s ".toml" file'
    if path == Path(file).resolve():
        return f"baseline '{ref}' is this file itself", "name the conventional baseline's own inventory file"
    if not path.exists():
        return f"baseline file '{ref}' not found (looked for {path})", relative + "this file"
    if not path.is_file():
        return f"baseline '{ref}' is not a regular file", "name the baseline's .toml file"
    return None


def _read_baseline(ref: str, path: Path) -> tuple[Factory | None, tuple[str, str] | None]:
    try:
        return loads_shared(read_text(path), file=str(path)), None
    except LcaEngineError as exc:
        first = exc.problems[0].format().replace("\n", " ")
        return None, (f"baseline '{ref}' is not a valid inventory: {first}", f"run `lca-engine validate {path}`")


def baseline_problems(factory: Factory, file: str | None, text: str | None = None) -> list[Problem]:
    """Everything wrong with the baseline a factory read from ``file`` names: where it is, that it reads as an
    inventory, and that it fits (:data:`lca_engine.rules.baseline.PAIR_RULES`). Factories built in code (no file)
    name no file to check."""
    ref = factory.baseline
    if not ref or file is None:
        return []
    try:
        if any(unicodedata.category(c) in ("Cc", "Cf") for c in ref):
            raise ValueError("control or text-direction character")
        path = resolve_baseline(factory, file)
        found = _where_problem(ref, path, file)
    except (OSError, RuntimeError, ValueError) as exc:  # NUL byte, symlink loop, name too long …
        found = (f"baseline {ref!r} is not a usable file name ({exc})", "name the baseline's .toml file")
    findings = [found] if found else []
    if not found:
        baseline, unreadable = _read_baseline(ref, path)
        findings = [unreadable] if unreadable else pair_findings(factory, baseline, ref)
    line = locate(text, ("baseline",)) if findings else None  # the text's line index only when there is news
    return [Problem(msg, fix=fix, file=file, field="baseline", line=line) for msg, fix in findings]


def require_baseline_fits(factory: Checked, baseline: Checked) -> None:
    """Raise if ``baseline`` cannot serve as ``factory``'s baseline (models built in code; files are checked when
    they are loaded)."""
    name = baseline.file or baseline.factory.id
    findings = pair_findings(factory.factory, baseline.factory, name)
    if findings:
        raise InventoryError([Problem(m, fix=fix, file=factory.file, field="baseline") for m, fix in findings])
