"""A portfolio run's folder read for looking at: one frozen :class:`PortfolioView` (the factories with their
principal area, each micro-factory's comparison with its baseline, the Monte Carlo summary if the run has one), its
aggregates by sector or area, filters, and one table row per factory. Pure pandas; the only I/O is :func:`read_view`.

Counts and medians are over micro-factories (each against its own baseline); "below" means a difference
micro-factory − baseline < 0 per functional unit (the point estimate).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal, get_args

import numpy as np
import pandas as pd

from ..errors import LcaEngineError, Problem
from ..geo import principal_areas
from ..indicators import CARDS, CRADLE_TO_GATE
from ..model import MICRO_FACTORY
from ..results import FACTORIES_SCHEMA
from ..verdict import BETTER_AT
from .montecarlo import UNCERTAINTY
from .run import COMPARISON, FACTORIES

#: Columns the factories file must have (one row per factory).
FACTORY_COLUMNS: tuple[str, ...] = tuple(FACTORIES_SCHEMA.names)
#: A group's functional unit when its micro-factories have more than one.
MIXED = "several"
#: Columns read from the comparison file.
COMPARISON_COLUMNS = ("factory", "scenario", "year", "indicator", "scope", "relative_change", "difference")
COMPARISON_COLUMNS += ("micro_factory", "baseline_value", "difference_per_year")
#: Keys the Monte Carlo summary is joined on.
UNCERTAINTY_KEYS = ("factory", "indicator", "scope")
#: What the aggregates group by.
GroupBy = Literal["sector", "area"]
GROUP_BY: tuple[str, ...] = get_args(GroupBy)
#: The area of a site outside every principal area (a baseline abroad; a coastal site within ~300 m).
OUTSIDE = "outside Wales"
#: The scenario a portfolio run writes.
DEFAULT_SCENARIO = "default"
FIX = "assess the portfolio first: lca-engine portfolio assess DIR --out {folder}"


class PortfolioViewError(LcaEngineError):
    """A folder that is not a complete portfolio run."""

    title = "not a portfolio run folder"


@dataclass(frozen=True)
class PortfolioView:
    """``factories``: one row per factory, with ``area``; ``comparison``: micro-factory × indicator × scope, with
    its ``sector`` and ``area``; ``uncertainty``: the run's Monte Carlo summary (None when it has none); ``year``:
    the DESNZ background year of the run."""

    folder: Path
    factories: pd.DataFrame
    comparison: pd.DataFrame
    uncertainty: pd.DataFrame | None = None
    year: int | None = None

    @property
    def micro(self) -> pd.DataFrame:
        return self.factories[self.factories.system == MICRO_FACTORY]

    def monte_carlo(self) -> dict[str, int] | None:
        """The Monte Carlo's ``draws`` and ``seed`` where the summary names them (None without a summary)."""
        if self.uncertainty is None:
            return None
        return {
            k: int(self.uncertainty[k].iloc[0])
            for k in ("draws", "seed")
            if k in self.uncertainty and len(self.uncertainty)
        }


def _problem(folder: Path, message: str, name: str = "", field: str | None = None) -> PortfolioViewError:
    file = str(folder / name) if name else str(folder)
    return PortfolioViewError([Problem(message, FIX.format(folder=folder), file=file, field=field)])


def _read(folder: Path, name: str, columns: Iterable[str]) -> pd.DataFrame:
    path = folder / name
    if not path.is_file():
        raise _problem(folder, f"{name} is missing: this folder holds no complete portfolio run", name)
    try:
        df = pd.read_parquet(path)
    except Exception as exc:  # pyarrow's errors for a damaged or foreign file have no common public base
        raise _problem(folder, f"{name} is not a readable Parquet file ({type(exc).__name__})", name) from None
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise _problem(folder, f"{name} has no column {', '.join(missing)}", name, field=missing[0])
    return df


def _with_area(factories: pd.DataFrame) -> pd.DataFrame:
    out = factories.loc[:, list(FACTORY_COLUMNS)].reset_index(drop=True)
    areas = principal_areas(out["lat"].to_numpy(float), out["lon"].to_numpy(float))
    out["area"] = pd.Series(areas, dtype=object).fillna(OUTSIDE).astype(str)
    return out


def _uncertainty(folder: Path) -> pd.DataFrame | None:
    if not (folder / UNCERTAINTY).is_file():
        return None
    return _read(folder, UNCERTAINTY, UNCERTAINTY_KEYS)


def run_folder(folder: str | Path) -> Path:
    """``folder`` as an absolute path to an existing folder, or a :class:`PortfolioViewError` saying what it is."""
    text = str(folder).strip()
    if not text or "\0" in text:
        problem = Problem("no folder given" if not text else "the folder name holds a NUL character", field="folder")
        problem.fix = "give the folder a portfolio run was written to (lca-engine portfolio assess DIR --out FOLDER)"
        raise PortfolioViewError([problem])
    path = Path(text).expanduser().resolve()
    if not path.is_dir():
        raise _problem(path, "no such folder" if not path.exists() else "not a folder")
    return path


def read_view(folder: str | Path) -> PortfolioView:
    """The run in ``folder`` (what ``lca-engine portfolio assess`` writes): a missing folder or a missing or
    unreadable file is a :class:`PortfolioViewError` naming it and how to make it."""
    folder = run_folder(folder)
    factories = _with_area(_read(folder, FACTORIES, FACTORY_COLUMNS))
    comp = _read(folder, COMPARISON, COMPARISON_COLUMNS)
    comp = comp.loc[comp.scenario == DEFAULT_SCENARIO, list(COMPARISON_COLUMNS)]
    year = int(comp.year.iloc[0]) if len(comp) else None
    where = factories.set_index("id")[["sector", "area"]]
    comp = comp.drop(columns=["scenario", "year"]).join(where, on="factory").reset_index(drop=True)
    return PortfolioView(folder, factories, comp, _uncertainty(folder), year)


def filter_view(view: PortfolioView, sectors=None, areas=None, systems=None) -> PortfolioView:
    """The factories of the given sectors, areas and systems (``None``: all) and the comparison of the
    micro-factories kept."""
    keep = np.ones(len(view.factories), dtype=bool)
    for column, allowed in (("sector", sectors), ("area", areas), ("system", systems)):
        if allowed is not None:
            keep &= view.factories[column].isin(list(allowed)).to_numpy()
    factories = view.factories[keep]
    comp = view.comparison[view.comparison.factory.isin(factories.loc[factories.system == MICRO_FACTORY, "id"])]
    unc = view.uncertainty
    if unc is not None:
        unc = unc[unc.factory.isin(factories.id)]
    return replace(view, factories=factories, comparison=comp, uncertainty=unc)


def headline(view: PortfolioView, scope: str = CRADLE_TO_GATE, indicators=CARDS) -> pd.DataFrame:
    """One row per micro-factory at ``scope``: its id and, per indicator, columns ``<indicator> <measure>`` for
    ``change`` (relative), ``difference`` (per FU), ``per year`` (difference × annual output) and, with a Monte
    Carlo summary, ``p_better``."""
    comp = view.comparison[(view.comparison.scope == scope) & view.comparison.indicator.isin(list(indicators))]
    comp = comp.rename(columns={"relative_change": "change", "difference_per_year": "per year"})
    values = ["change", "difference", "per year"]
    if view.uncertainty is not None and "p_better" in view.uncertainty.columns:
        comp = comp.merge(view.uncertainty[[*UNCERTAINTY_KEYS, "p_better"]], on=list(UNCERTAINTY_KEYS), how="left")
        values.append("p_better")
    wide = comp.pivot(index="factory", columns="indicator", values=values)
    wide.columns = [f"{ind} {measure}" for measure, ind in wide.columns]
    return wide.reindex(columns=[f"{i} {m}" for i in indicators for m in values]).rename_axis("factory").reset_index()


def aggregate(view: PortfolioView, by: GroupBy = "sector", scope: str = CRADLE_TO_GATE, indicators=CARDS):
    """Per sector or area (``by``), over its micro-factories at ``scope``: ``micro-factories`` (count); by sector
    only, its ``functional unit`` (:data:`MIXED` where several) and ``annual output`` (functional units per year,
    summed; NaN where the functional units differ — as in an area); and per indicator
    ``<indicator> below`` (how many are below their baseline), ``<indicator> median change`` (relative) and
    ``<indicator> change per year`` (summed, the indicator's unit per year); with a Monte Carlo summary,
    ``<indicator> better`` (how many are better with P(better) ≥ :data:`~lca_engine.verdict.BETTER_AT`) and
    ``<indicator> median p_better``. Sorted by the group's name."""
    if by not in GROUP_BY:
        raise ValueError(f"by must be one of {GROUP_BY}, not {by!r}")
    rows = view.micro[["id", by, "annual_output", "functional_unit"]].merge(
        headline(view, scope, indicators), left_on="id", right_on="factory", how="left"
    )
    for ind in indicators:
        rows[f"{ind} below"] = rows[f"{ind} difference"] < 0
        if f"{ind} p_better" in rows.columns:
            rows[f"{ind} better"] = rows[f"{ind} p_better"] >= BETTER_AT
    groups = rows.groupby(by, sort=True)
    out = pd.DataFrame({"micro-factories": groups.size()})
    if by == "sector":
        units = groups["functional_unit"].nunique(dropna=False)
        out["functional unit"] = groups["functional_unit"].first().where(units == 1, MIXED)
        out["annual output"] = groups["annual_output"].sum(min_count=1).where(units == 1)
    for ind in indicators:
        out[f"{ind} below"] = groups[f"{ind} below"].sum()
        out[f"{ind} median change"] = groups[f"{ind} change"].median()
        out[f"{ind} change per year"] = groups[f"{ind} per year"].sum(min_count=1)
        if f"{ind} p_better" in rows.columns:
            out[f"{ind} better"] = groups[f"{ind} better"].sum()
            out[f"{ind} median p_better"] = groups[f"{ind} p_better"].median()
    return out.reset_index()


def factory_table(view: PortfolioView, scope: str = CRADLE_TO_GATE, indicators=CARDS) -> pd.DataFrame:
    """One row per factory (micro-factories and baselines as filtered): id, name, system, sector, area, functional
    unit, annual output, baseline, and the micro-factories' headline columns (:func:`headline`; empty for baselines)."""
    columns = ["id", "name", "system", "sector", "area", "functional_unit", "annual_output", "baseline"]
    heads = headline(view, scope, indicators).rename(columns={"factory": "id"})
    return view.factories[columns].merge(heads, on="id", how="left")


def page(table: pd.DataFrame, sort_by: str, ascending: bool = True, number: int = 1, size: int = 50):
    """(rows of page ``number`` (from 1) of ``table`` sorted by ``sort_by`` (missing values last, ties in the
    table's order), the number of pages)."""
    pages = max(1, -(-len(table) // size))
    number = min(max(1, int(number)), pages)
    ordered = table.sort_values(sort_by, ascending=ascending, na_position="last", kind="stable")
    return ordered.iloc[(number - 1) * size : number * size], pages


#: Latitude of the middle of Wales: the longitude step of a square map cell there.
MID_LAT = 52.3
KM_PER_DEGREE_LAT = 111.2


def site_cells(factories: pd.DataFrame, km: float = 10.0) -> pd.DataFrame:
    """The sites in Wales counted on a grid of ``km`` × ``km`` cells (square at the middle of Wales): one row per
    cell holding any, with its centre (``lat``, ``lon``), ``sites`` and ``micro-factories``; sites outside Wales and
    without coordinates are left out. For a map that stays readable at any number of factories."""
    inside = factories[(factories["area"] != OUTSIDE) & factories["lat"].notna() & factories["lon"].notna()]
    dlat = km / KM_PER_DEGREE_LAT
    dlon = dlat / np.cos(np.radians(MID_LAT))
    i = np.floor(inside["lat"].to_numpy(float) / dlat).astype(int)
    j = np.floor(inside["lon"].to_numpy(float) / dlon).astype(int)
    cells = pd.DataFrame({"i": i, "j": j, "micro": (inside["system"] == MICRO_FACTORY).to_numpy()})
    counts = cells.groupby(["i", "j"], sort=True).agg(sites=("micro", "size"), micro=("micro", "sum")).reset_index()
    return pd.DataFrame(
        {
            "lat": (counts["i"] + 0.5) * dlat,
            "lon": (counts["j"] + 0.5) * dlon,
            "sites": counts["sites"].astype(int),
            "micro-factories": counts["micro"].astype(int),
        }
    )
