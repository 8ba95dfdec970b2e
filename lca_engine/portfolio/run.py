"""Assess a portfolio: many inventories on one background solved once, streamed to Parquet row groups.

The background (the DESNZ database of the year and every imported background of the data folder) is solved once,
here, under the data folder's read lock; the inventories are read, checked and solved in chunks — in this process
or on Dask workers (:mod:`.runners`) — each chunk's rows written as one row group as soon as it is its turn, in
the files' order. Memory holds a few chunks' rows and one total per factory × indicator × scope. The cube is
written beside its final name and renamed only once complete: a failure, an invalid inventory (unless skipped) or
a worker that keeps dying leaves no cube, never half of one.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .. import atomic
from ..assess import comparison_table
from ..balance import DEFAULT_TOLERANCE
from ..collect import collect_files
from ..errors import InventoryError, Problem
from ..model import MICRO_FACTORY
from ..results import FACTORIES_SCHEMA, SCHEMA, UNCERTAINTY_SCHEMA, write_comparison, write_factories, write_uncertainty
from .chunk import ChunkResult, ChunkSetup, Loaded, Skipped, Variant, assess_chunk
from .montecarlo import UNCERTAINTY, PairSetup, background_chunk, pair_chunk, spans
from .runners import LocalRunner, Runner

CUBE = "portfolio.parquet"
COMPARISON = "portfolio_comparison.parquet"
FACTORIES = "portfolio_factories.parquet"
#: Inventories per chunk: a task of about a second; a chunk's rows are what a worker holds at once.
CHUNK = 100
#: Micro-factory / baseline pairs per Monte Carlo task.
PAIR_CHUNK = 25


@dataclass
class PortfolioRun:
    """What a portfolio run wrote and what it left out (``skipped``: only with ``skip_invalid``)."""

    cube: Path
    comparison: Path
    factory_table: Path
    factories: int
    pairs: list[tuple[str, str | None]]
    skipped: list[Skipped] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    workers: int = 1
    uncertainty: Path | None = None  # with draws: each micro-factory against its baseline over the draws


@dataclass
class _Collected:
    loaded: dict[str, Loaded] = field(default_factory=dict)  # by factory id
    files: dict[str, str] = field(default_factory=dict)  # resolved file -> factory id
    skipped: list[Skipped] = field(default_factory=list)
    totals: list[pd.DataFrame] = field(default_factory=list)

    def add(self, result: ChunkResult, writer: pq.ParquetWriter) -> None:
        self.skipped += result.skipped
        for item in result.loaded:
            if item.id in self.loaded:
                problem = Problem(
                    f"factory id '{item.id}' is also used by {self.loaded[item.id].file}",
                    fix="give every inventory a unique id",
                    file=item.file,
                    field="id",
                )
                raise InventoryError([problem])
            self.loaded[item.id] = item
            self.files[item.file] = item.id
        if result.table.num_rows:
            writer.write_table(result.table)
            totals = result.table.filter(pc.equal(result.table["contributor_type"], "total"))
            self.totals.append(totals.to_pandas())

    def baseline_of(self, m: Loaded) -> Loaded | None:
        """The baseline a factory names, if it was assessed in this run."""
        found = self.files.get(m.baseline_file) if m.baseline_file else None
        return self.loaded[found] if found else None

    def factory_table(self) -> pd.DataFrame:
        """One row per factory (:data:`~lca_engine.results.FACTORIES_SCHEMA`), in the files' order."""
        rows = [
            {
                "id": m.id,
                "name": m.name,
                "system": m.system,
                "sector": m.sector,
                "baseline": b.id if (b := self.baseline_of(m)) else None,
                "lat": m.lat,
                "lon": m.lon,
                "annual_output": m.annual_output,
                "functional_unit": m.functional_unit,
                "file": m.file,
            }
            for m in self.loaded.values()
        ]
        return pd.DataFrame(rows, columns=FACTORIES_SCHEMA.names)

    def pairs(self) -> list[tuple[str, str | None]]:
        """(micro-factory id, its baseline's id or None) in the files' order."""
        return [
            (m.id, b.id if (b := self.baseline_of(m)) else None)
            for m in self.loaded.values()
            if m.system == MICRO_FACTORY
        ]


def _chunks(files: list[str], size: int) -> list[list[str]]:
    return [files[i : i + size] for i in range(0, len(files), size)]


def _run_chunks(runner: Runner, files: list[str], setup: ChunkSetup, size: int, got: _Collected, writer) -> None:
    for result in runner.map(assess_chunk, _chunks(files, size), setup):
        got.add(result, writer)
    # baselines named by the inventories but outside the paths given (e.g. the shipped examples)
    missing = sorted({m.baseline_file for m in got.loaded.values() if m.baseline_file} - set(got.files))
    for result in runner.map(assess_chunk, _chunks(missing, size), setup):
        got.add(result, writer)


def _refuse(skipped: list[Skipped]) -> None:
    problems = [
        p if p.file else Problem(p.message, p.fix, s.file, p.field, p.line) for s in skipped for p in s.problems
    ]
    raise InventoryError(
        problems
        + [
            Problem(
                f"{len(skipped)} inventor{'y' if len(skipped) == 1 else 'ies'} of the portfolio could not be "
                "assessed; nothing was written",
                fix="correct them, or pass --skip-invalid to assess the others and list these",
            )
        ]
    )


@dataclass(frozen=True)
class _Options:
    year: int
    data_dir: object
    tolerance: float
    contributions: bool
    boundaries: bool
    scenarios: tuple


def _solved(catalog, data_dir, names: tuple[str, ...]):
    """The background of ``catalog`` (and the imported ``names``) solved once, under the data folder's read lock."""
    from ..bw.background_scores import background_scores
    from ..bw.calc import built, chosen_indicators

    with built([], catalog, data_dir, foregrounds=False, backgrounds=names):
        return background_scores(catalog, chosen_indicators(None), list(names))


def _variant(scenario, catalog, cache: Path, data_dir, names: tuple[str, ...]) -> Variant:
    """A scenario's catalogue (its year, a filled unpublished factor, a user grid intensity) and background."""
    from ..background.catalog import load_catalog
    from ..scenarios import scenario_catalog

    cat = load_catalog(scenario.year, cache_dir=cache) if scenario.year else catalog
    fill = load_catalog(scenario.fill_unpublished_from, cache_dir=cache) if scenario.fill_unpublished_from else None
    cat = scenario_catalog(cat, scenario, fill)
    return Variant(scenario, cat, _solved(cat, data_dir, names))


def _setup(o: _Options) -> ChunkSetup:
    """The catalogue and the background solved once, and once per scenario (every imported background of the data
    folder included: which ones the inventories link to is known only once they are read, on the workers)."""
    from ..background.catalog import load_catalog
    from ..background.imported import list_backgrounds
    from ..bw.project import activate

    d = activate(o.data_dir)
    catalog = load_catalog(o.year, cache_dir=d.cache)
    names = tuple(m.name for m in list_backgrounds(d.root))
    variants = tuple(_variant(sc, catalog, d.cache, o.data_dir, names) for sc in o.scenarios)
    bg = _solved(catalog, o.data_dir, names)  # last: the year's background database is the default's again
    return ChunkSetup(catalog, bg, str(d.root), o.tolerance, o.contributions, o.boundaries, names, variants)


def _monte_carlo(runner: Runner, setup: ChunkSetup, got: _Collected, draws: int, seed: int, out: Path) -> Path:
    """Every micro-factory with a baseline against it on ``draws`` paired draws (:mod:`.montecarlo`), written to
    ``out`` atomically."""
    from ..bw.background_draws import background_system
    from ..bw.calc import built

    pairs = [
        (m.boundary, b.boundary)
        for m in got.loaded.values()
        if m.system == MICRO_FACTORY and (b := got.baseline_of(m)) is not None
    ]
    keys = sorted({k for pair in pairs for b in pair for k in b.products})
    bg, names = setup.background, list(setup.backgrounds)
    lam = np.zeros((0, 2 * len(bg.indicators), draws))  # nothing bought from the background
    if keys:
        with built([], setup.catalog, setup.data_dir, foregrounds=False, backgrounds=tuple(names)):
            system = background_system(setup.catalog, list(bg.indicators), names, keys)
        chunks = list(runner.map(background_chunk, spans(draws), system, seed))
        lam = np.ascontiguousarray(np.concatenate(chunks, axis=2).transpose(1, 0, 2))
    pair_setup = PairSetup(bg, setup.data_dir, seed, draws, {k: i for i, k in enumerate(keys)})
    frames = list(runner.map(pair_chunk, _chunks(pairs, PAIR_CHUNK), pair_setup, lam))
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=UNCERTAINTY_SCHEMA.names)
    write_uncertainty(table.assign(draws=draws, seed=seed), out)
    return out


def assess_portfolio(
    paths,
    out_dir: str | Path,
    *,
    year: int = 2025,
    data_dir: str | Path | None = None,
    runner: Runner | None = None,
    skip_invalid: bool = False,
    contributions: bool = False,
    tolerance: float = DEFAULT_TOLERANCE,
    chunk: int = CHUNK,
    draws: int = 0,
    seed: int = 1,
    scenarios=(),
) -> PortfolioRun:
    """Assess every inventory under ``paths`` (files or folders) and the baselines they name: the result cube
    (every indicator at both scopes; each flow's part too if ``contributions``) and the comparison of each
    micro-factory with its baseline, as Parquet in ``out_dir``. An invalid inventory stops the run with every
    problem of every file, and nothing is written — unless ``skip_invalid``: then it is left out and listed.
    ``draws`` > 0: also each micro-factory against its baseline on that many paired Monte Carlo draws (``seed``),
    every factory on the same draws of the background (:mod:`.montecarlo`), in ``portfolio_uncertainty.parquet``
    (the inventories as written). ``scenarios`` (:func:`lca_engine.scenarios.load_scenarios`): each factory also
    under each of them, in the same cube and comparison (``scenario`` column), each scenario's background solved
    once."""
    t0 = time.perf_counter()
    files = [str(p.resolve()) for p in collect_files(paths)]
    if not files:
        raise InventoryError("no inventory files (*.toml) found", fix="give a folder of inventories", field="paths")
    if draws:
        from ..verdict import check_draws

        check_draws(draws)
    setup = _setup(_Options(year, data_dir, tolerance, contributions, draws > 0, tuple(scenarios)))
    t1 = time.perf_counter()
    runner = runner or LocalRunner()
    got = _Collected()
    out = Path(out_dir)
    with atomic.atomic_path(out / CUBE) as tmp:
        with pq.ParquetWriter(tmp, SCHEMA) as writer:
            _run_chunks(runner, files, setup, chunk, got, writer)
        if got.skipped and not skip_invalid:
            _refuse(got.skipped)
        pairs = got.pairs()
        annual = {m.id: m.annual_output for m in got.loaded.values()}
        totals = pd.concat(got.totals, ignore_index=True) if got.totals else pd.DataFrame(columns=SCHEMA.names)
        write_comparison(comparison_table(totals, pairs, annual, year, scope=None), out / COMPARISON)
        write_factories(got.factory_table(), out / FACTORIES)
        t2 = time.perf_counter()
        uncertainty = _monte_carlo(runner, setup, got, draws, seed, out / UNCERTAINTY) if draws else None
    timings = {"background": t1 - t0, "factories": t2 - t1, "monte_carlo": time.perf_counter() - t2}
    return PortfolioRun(
        out / CUBE,
        out / COMPARISON,
        out / FACTORIES,
        len(got.loaded),
        pairs,
        got.skipped,
        timings,
        runner.workers,
        uncertainty,
    )
