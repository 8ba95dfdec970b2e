"""The work of one chunk of a portfolio: read and check its inventories, then their results on the solved background.

A worker function (importable, so that Dask sends it by reference): it needs the catalogue and the background's
per-unit scores (:class:`~lca_engine.bw.background_scores.BackgroundScores`, solved once by the caller) and never
writes to the Brightway project — a worker process only reads the project's node data through bw2data.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from ..background.catalog import Catalog
from ..errors import LcaEngineError, Problem
from ..load import baseline_path, load_checked
from ..results import SCHEMA


@dataclass(frozen=True)
class Variant:
    """A named scenario as the chunks assess it: its parameters, its catalogue and its background solved once."""

    scenario: object  # lca_engine.scenarios.Scenario
    catalog: Catalog
    background: object  # BackgroundScores


@dataclass(frozen=True)
class ChunkSetup:
    """What every chunk shares (sent to each Dask worker once)."""

    catalog: Catalog
    background: object  # BackgroundScores (a Brightway-side type; typed loosely so this module imports no Brightway)
    data_dir: str
    tolerance: float
    contributions: bool
    boundaries: bool = False  # also keep each factory's boundary exchanges (for the Monte Carlo)
    backgrounds: tuple = ()  # names of the imported backgrounds solved with DESNZ
    variants: tuple[Variant, ...] = ()  # named scenarios, assessed besides the inventories as written ("default")


@dataclass(frozen=True)
class Loaded:
    """What the run keeps of a factory once its rows are written: enough to pair and compare it."""

    id: str
    file: str
    system: str
    baseline_file: str | None  # resolved path of the baseline it names
    annual_output: float
    name: str
    sector: str
    lat: float
    lon: float
    functional_unit: str
    boundary: object = None  # lca_engine.bw.foreground_draws.Boundary (only with ChunkSetup.boundaries)


@dataclass(frozen=True)
class Skipped:
    file: str
    problems: list[Problem]


@dataclass
class ChunkResult:
    table: pa.Table
    loaded: list[Loaded] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def _loaded(c, path: Path, boundary=None) -> Loaded:
    f = c.factory
    base = baseline_path(c)
    fu = f.functional_unit
    return Loaded(
        f.id,
        str(path.resolve()),
        f.system,
        str(base) if base else None,
        f.production.annual_output if f.production else np.nan,
        f.name,
        str(f.sector),
        f.site.lat,
        f.site.lon,
        f"{fu.amount:g} {fu.unit}: {fu.description}",
        boundary,
    )


def _rows(c, setup: ChunkSetup) -> list[dict]:
    """A checked factory's cube rows as written ("default") and under each scenario of ``setup.variants``; a
    scenario that cannot assess it is an error naming this inventory (and the flow, for a factor its year lacks)."""
    from ..bw.calc import factory_row_dicts
    from ..scenarios import apply, require_published

    rows, _ = factory_row_dicts(c.factory, setup.catalog, setup.background, setup.contributions)
    out = [r | {"scenario": "default"} for r in rows]
    for v in setup.variants:
        require_published({c.file: c}, v.catalog, v.scenario)
        try:
            rows, _ = factory_row_dicts(
                apply(c.factory, v.scenario, v.catalog), v.catalog, v.background, setup.contributions
            )
        except LcaEngineError as exc:
            said = f"scenario '{v.scenario.name}' (DESNZ {v.catalog.year}): "
            problems = [replace(p, message=said + p.message, file=c.file) for p in exc.problems]
            raise type(exc)(problems) from None
        out += [r | {"scenario": v.scenario.name} for r in rows]
    return out


def assess_chunk(paths: list[str], setup: ChunkSetup) -> ChunkResult:
    """Rows of the result cube (the inventories as written, ``scenario = "default"``, and each scenario of
    ``setup.variants``; totals only unless ``setup.contributions``) for every file of ``paths`` that reads and
    checks; the others as :class:`Skipped`, with their problems."""
    from ..bw.project import activate

    activate(setup.data_dir, create=False)  # before Brightway is imported in a worker process; never a writer
    from ..bw.foreground_draws import factory_boundary

    out = ChunkResult(pa.Table.from_pylist([], schema=SCHEMA))
    rows: list[dict] = []
    for p in map(Path, paths):
        try:
            c = load_checked(p, catalog=setup.catalog, tolerance=setup.tolerance)
            found = _rows(c, setup)
        except LcaEngineError as exc:
            out.skipped.append(Skipped(str(p), exc.problems))
            continue
        rows += found
        boundary = factory_boundary(c.factory, setup.catalog) if setup.boundaries else None
        out.loaded.append(_loaded(c, p, boundary))
    if rows:
        cube = pd.DataFrame(rows)
        out.table = pa.Table.from_pandas(cube[SCHEMA.names], schema=SCHEMA, preserve_index=False)
    return out
