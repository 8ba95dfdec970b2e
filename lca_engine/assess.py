"""Assess micro-factories against their baselines: the product's main job, as a Python API.

Loads and checks every inventory first (fast, no Brightway), then builds/refreshes the embedded Brightway
project and computes everything in one MultiLCA pass.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from .background.catalog import Catalog, load_catalog
from .background.imported import is_link
from .background.open_background import unverified_links
from .balance import DEFAULT_TOLERANCE
from .collect import collect_files
from .coverage import coverage as coverage_table
from .errors import BalanceError, InventoryError, LcaEngineError
from .indicators import CRADLE_TO_GATE, SCOPES
from .load import Checked, baseline_path, check_factory, load_checked, require_baseline_fits
from .model import BOUNDARY, MARKET, MICRO_FACTORY, Factory
from .results import COMPARISON_SCHEMA


@dataclass
class Assessment:
    """Results of one run: the result cube plus the checked inputs it came from."""

    results: pd.DataFrame  # the result cube (see lca_engine.results)
    pairs: list[tuple[str, str | None]]  # (micro-factory id, baseline id or None)
    checked: dict[str, Checked] = field(default_factory=dict)
    year: int = 2025
    completeness: pd.DataFrame = field(default_factory=pd.DataFrame)
    timings: dict[str, float] = field(default_factory=dict)
    split_factors: frozenset[str] = frozenset()  # background keys whose CO2e DESNZ splits by gas
    #: background keys -> indicators for which a figure behind the key is "to check" (not read at the publisher)
    to_check: dict[str, frozenset[str]] = field(default_factory=dict)

    @cached_property
    def coverage(self) -> pd.DataFrame:
        """Per factory × indicator × scope: the share of the inflows in scope each number covers, and the flows
        it does not (:mod:`lca_engine.coverage`), for the inventories as written."""
        comp = self.completeness
        if "scenario" in comp.columns:
            comp = comp[comp.scenario == "default"]
        return coverage_table([c.factory for c in self.checked.values()], comp, self.results, self.to_check)

    def total(self, factory_id: str, indicator: str = "carbon", scope: str = CRADLE_TO_GATE) -> float:
        r = self.results
        sel = r[
            (r.factory == factory_id)
            & (r.indicator == indicator)
            & (r.contributor_type == "total")
            & (r.scope == scope)
            & (r.scenario == "default")
        ]
        if sel.empty:
            raise KeyError(f"no result for factory '{factory_id}', indicator '{indicator}', scope '{scope}'")
        return float(sel["value"].iloc[0])

    def comparison(self, scope: str | None = CRADLE_TO_GATE) -> pd.DataFrame:
        """Micro-factory vs baseline per functional unit (and per year where the output volume is stated), at
        ``scope`` (``None``: both scopes, one row each)."""
        annual = {
            micro: (c.factory.production.annual_output if c.factory.production else np.nan)
            for micro, c in self.checked.items()
        }
        return comparison_table(self.results, self.pairs, annual, self.year, scope)

    def carbon_basis_share(self, factory_id: str) -> float:
        """Share of the IPCC 2021 carbon result that is on the DESNZ AR5 basis: shipped factors without a gas split.

        The rest is on the basis of the method that characterised it, IPCC 2021 (AR6): factors DESNZ splits by gas,
        links to an imported background (``NAME:code``, characterised by bw2io's IPCC 2021 method over its
        elementary flows) and the factory's own elementary flows (``biosphere3:<name>``). Shipped factor keys are
        the only factors without a ':' (:func:`~lca_engine.background.imported.is_link`).
        """
        r = self.results
        sel = r[
            (r.factory == factory_id)
            & (r.indicator == "carbon_ipcc2021")
            & (r.contributor_type == "flow")
            & (r.scope == CRADLE_TO_GATE)
            & (r.scenario == "default")
        ]
        total = self.total(factory_id, "carbon_ipcc2021")
        ar5 = ~sel.factor.isin(self.split_factors) & ~sel.factor.map(is_link).astype(bool)
        unsplit = sel[ar5]["value"].sum() if len(sel) else 0.0
        return float(unsplit / total) if total else 0.0


COMPLETENESS_COLUMNS = ["factory", "flow", "process", "kind", "scope", "link", "characterised_by", "status"]


def comparison_table(
    cube: pd.DataFrame,
    pairs: list[tuple[str, str | None]],
    annual_output: dict[str, float],
    year: int,
    scope: str | None = CRADLE_TO_GATE,
) -> pd.DataFrame:
    """Micro-factory vs baseline per functional unit from the cube's totals (``annual_output``: functional units per
    year of each micro-factory, NaN where not stated), at ``scope`` (``None``: both scopes): the micro-factories in
    the order of ``pairs``, each with its rows in the cube's order (one join, whatever the number of pairs)."""
    tot = cube[cube.contributor_type == "total"]
    rows = tot if scope is None else tot[tot.scope == scope]
    order = pd.DataFrame(
        {
            "factory": [m for m, _ in pairs],
            "baseline": [b or "" for _, b in pairs],
            "_pair": np.arange(len(pairs)),
            "annual_output": [_per_year(annual_output.get(m)) for m, _ in pairs],
        }
    )
    left = order.merge(rows.assign(_row=np.arange(len(rows))), on="factory").sort_values(["_pair", "_row"])
    keys = ["scenario", "indicator", "scope"]
    base = tot[["factory", *keys, "value"]].rename(columns={"factory": "baseline", "value": "baseline_value"})
    out = left.merge(base, on=["baseline", *keys], how="left").rename(columns={"value": "micro_factory"})
    out["year"] = year
    out["difference"] = out.micro_factory - out.baseline_value
    b = out.baseline_value
    out["relative_change"] = np.where((out.baseline != "") & (b != 0), out.difference / b.where(b != 0), np.nan)
    out["difference_per_year"] = out.difference * out.annual_output
    return out[COMPARISON_SCHEMA.names].reset_index(drop=True)


def _per_year(value: float | None) -> float:
    return np.nan if value is None else value


def _completeness(factories: list[Factory], check: pd.DataFrame) -> pd.DataFrame:
    """Every flow crossing the factory boundary, per scope, with the indicators it contributes to ("" = none),
    so that a zero is never mistaken for 'no impact'."""
    rows = []
    by_flow = {}
    for r in check.itertuples():
        entry = by_flow.setdefault((r.factory, r.flow, r.scope), [r.process, set(), []])
        entry[1].update(x for x in r.characterised_by.split(",") if x)
        entry[2].append(r.factor)
    for f in factories:
        for fl in f.flows:
            internal = fl.from_ not in BOUNDARY and fl.to not in BOUNDARY
            if internal or (fl.to == MARKET and fl.kind == "product"):
                continue
            for scope in SCOPES:
                where = fl.to if fl.from_ in BOUNDARY else fl.from_
                proc, inds, links = by_flow.get((f.id, fl.id, scope), [where, set(), []])
                rows.append(
                    {
                        "factory": f.id,
                        "flow": fl.id,
                        "process": proc,
                        "kind": fl.kind,
                        "scope": scope,
                        "link": "; ".join(sorted(set(links))),
                        "characterised_by": ",".join(sorted(inds)),
                        "status": "characterised" if inds else "not characterised",
                    }
                )
    return pd.DataFrame(rows, columns=COMPLETENESS_COLUMNS)


def _run(
    checked: dict[str, Checked], pairs, catalog: Catalog, data_dir, year: int, indicators: list[str] | None
) -> Assessment:
    from .bw.calc import calculate

    factories = [c.factory for c in checked.values()]
    calc = calculate(factories, catalog, data_dir, indicators)
    cube, check = calc.cube, calc.check
    cube.insert(2, "scenario", "default")
    fs = catalog.factors
    split = frozenset(k for k, f in fs.items() if f.gases or (f.components and all(fs[c].gases for c in f.components)))
    completeness = _completeness(factories, check)
    return Assessment(
        cube, pairs, checked, year, completeness, calc.timings.as_dict(), split, unverified_links(catalog.factors)
    )


def _load_one(path: Path, catalog: Catalog, tolerance: float, strict_balance: bool) -> Checked | LcaEngineError:
    try:
        return load_checked(path, catalog=catalog, tolerance=tolerance, strict_balance=strict_balance)
    except LcaEngineError as exc:
        return exc


def _pairs(checked: dict[str, Checked], by_path: dict[Path, str]) -> list[tuple[str, str | None]]:
    """(micro-factory id, baseline id or None) for every micro-factory whose baseline loaded (or that names none)."""
    pairs: list[tuple[str, str | None]] = []
    for c in checked.values():
        if c.factory.system != MICRO_FACTORY:
            continue
        bp = baseline_path(c)
        if bp is not None and bp not in by_path:
            continue  # the baseline failed to load; its problems are already listed
        pairs.append((c.factory.id, by_path[bp] if bp else None))
    return pairs


def _raise(failures: list[LcaEngineError]) -> None:
    """One error for all files, of the type they share (a BalanceError, exit 3, only if every failure is one)."""
    problems = [p for exc in failures for p in exc.problems]
    for kind in (BalanceError, InventoryError):
        if all(isinstance(exc, kind) for exc in failures):
            raise kind(problems)
    raise LcaEngineError(problems)


def load_many(
    paths: Iterable[str | Path],
    catalog: Catalog,
    *,
    tolerance: float = DEFAULT_TOLERANCE,
    strict_balance: bool = True,
    on_file: Callable[[Path], None] | None = None,
) -> tuple[dict[str, Checked], list[tuple[str, str | None]]]:
    """Load files and the baselines they name; every problem in every file is reported together."""
    checked: dict[str, Checked] = {}
    by_path: dict[Path, str] = {}
    failures: list[LcaEngineError] = []
    queue = list(collect_files(paths))
    while queue:
        path = queue.pop(0)
        if path.resolve() in by_path:
            continue
        if on_file:
            on_file(path)
        c = _load_one(path, catalog, tolerance, strict_balance)
        if isinstance(c, LcaEngineError):
            failures.append(c)
            continue
        if c.factory.id in checked:
            failures.append(
                InventoryError(
                    f"factory id '{c.factory.id}' is also used by {checked[c.factory.id].file}",
                    fix="give every inventory a unique id",
                    file=str(path),
                    field="id",
                )
            )
            continue
        checked[c.factory.id] = c
        by_path[path.resolve()] = c.factory.id
        bp = baseline_path(c)  # validated with the file: it exists and fits
        if bp is not None and bp not in by_path:
            queue.insert(0, bp)
    if failures:
        _raise(failures)
    return checked, _pairs(checked, by_path)


def assess_files(
    paths: Iterable[str | Path],
    *,
    year: int = 2025,
    data_dir: str | Path | None = None,
    tolerance: float = DEFAULT_TOLERANCE,
    strict_balance: bool = True,
    on_file: Callable[[Path], None] | None = None,
    indicators: list[str] | None = None,
) -> Assessment:
    """Assess inventory files (or folders of them) and the baselines they name."""
    from .bw.project import activate

    cache = activate(data_dir).cache  # before anything imports bw2data

    catalog = load_catalog(year, cache_dir=cache)
    checked, pairs = load_many(paths, catalog, tolerance=tolerance, strict_balance=strict_balance, on_file=on_file)
    return _run(checked, pairs, catalog, data_dir, year, indicators)


def assess(
    factory: Factory,
    baseline: Factory | None = None,
    *,
    year: int = 2025,
    data_dir: str | Path | None = None,
    tolerance: float = DEFAULT_TOLERANCE,
    strict_balance: bool = True,
    indicators: list[str] | None = None,
) -> Assessment:
    """Assess models built in code (same checks and numbers as for files)."""
    from .bw.project import activate

    cache = activate(data_dir).cache  # before anything imports bw2data

    catalog = load_catalog(year, cache_dir=cache)
    checked = {factory.id: check_factory(factory, catalog=catalog, tolerance=tolerance, strict_balance=strict_balance)}
    pairs: list[tuple[str, str | None]] = [(factory.id, baseline.id if baseline else None)]
    if baseline is not None:
        if baseline.id == factory.id:
            raise InventoryError("factory and baseline share the same id", fix="give them different ids", field="id")
        checked[baseline.id] = check_factory(
            baseline, catalog=catalog, tolerance=tolerance, strict_balance=strict_balance
        )
        require_baseline_fits(checked[factory.id], checked[baseline.id])
    return _run(checked, pairs, catalog, data_dir, year, indicators)


def matrix_system(
    factories: list[Factory],
    *,
    year: int = 2025,
    data_dir: str | Path | None = None,
    indicators: list[str] | None = None,
):
    """The matrices and distributions of these factories, read from Brightway once (for Monte Carlo/Sobol)."""
    from .bw.project import activate

    cache = activate(data_dir).cache
    from .bw.matrices import extract

    return extract(factories, load_catalog(year, cache_dir=cache), data_dir, indicators)


def monte_carlo(
    factories: list[Factory],
    *,
    draws: int = 10_000,
    seed: int | None = None,
    year: int = 2025,
    data_dir: str | Path | None = None,
    indicators: list[str] | None = None,
    paired: bool = True,
    workers: int | None = None,
    progress=None,
):
    """Paired Monte Carlo of factories (and their baselines, if passed too) on the vectorised engine.

    Returns :class:`lca_engine.uncertainty.MonteCarloResult`; ``.difference(micro_id, baseline_id)`` gives the
    distribution of the difference and P(micro-factory < baseline). ``workers``: threads (None: every core for
    a background-sized model, see :func:`lca_engine.uncertainty.thread_count`; the numbers never depend on it).
    """
    from .bw.project import activate
    from .uncertainty import monte_carlo as run

    cache = activate(data_dir).cache
    from .bw.matrices import extract

    catalog = load_catalog(year, cache_dir=cache)
    system = extract(factories, catalog, data_dir, indicators)
    return run(system, draws=draws, seed=seed, paired=paired, workers=workers, progress=progress)
