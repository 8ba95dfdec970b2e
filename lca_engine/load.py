"""Read an inventory file and check it completely: structure, references, units, provenance, balance.

This is the entry point the CLI, the API and the dashboard share, so that a file is judged the same way
everywhere. It never imports Brightway.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .background.catalog import Catalog
from .balance import DEFAULT_TOLERANCE, BalanceResult, mass_balance
from .errors import BalanceError, InventoryError, Problem
from .inventory import loads, read_text
from .model import Factory, Source
from .sources import sources_for
from .units import parse_unit
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
    """Validate a model (from a file or built in code). Raises on errors; imbalance raises if strict."""
    sources = sources if sources is not None else sources_for(file)
    report = check(factory, sources, catalog, file=file, text=text)
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
    factory = loads(text, file=str(path))
    return check_factory(
        factory, file=str(path), text=text, catalog=catalog, tolerance=tolerance, strict_balance=strict_balance
    )


def baseline_path(checked: Checked) -> Path | None:
    """The baseline file named by a micro-factory, resolved relative to the factory's file."""
    ref = checked.factory.baseline
    if not ref:
        return None
    base = Path(checked.file).parent if checked.file else Path.cwd()
    path = (base / ref).resolve()
    if not path.exists():
        raise InventoryError(
            f"baseline file '{ref}' not found (looked for {path})",
            fix="name an existing inventory, relative to this file",
            file=checked.file,
            field="baseline",
        )
    return path


def require_same_functional_unit(factory: Checked, baseline: Checked) -> None:
    fu, bu = factory.factory.functional_unit, baseline.factory.functional_unit
    a, b = parse_unit(fu.unit), parse_unit(bu.unit)
    same = a.dimensionality == b.dimensionality and abs(fu.quantity.to(b).magnitude - bu.amount) <= 1e-9 * bu.amount
    if not same:
        raise InventoryError(
            f"functional unit {fu.label()} differs from the baseline's {bu.label()}",
            fix="a baseline must describe the same functional unit; scale one of the inventories",
            file=factory.file,
            field="functional_unit",
        )
    if baseline.factory.system != "baseline":
        raise InventoryError(
            f"'{baseline.file}' is named as baseline but has system = \"micro-factory\"",
            fix='set system = "baseline" in the baseline file',
            file=factory.file,
            field="baseline",
        )
