"""The result cube: one long-format table, its Parquet persistence, and pandas helpers to read it.

One row per (factory, scenario, indicator, contributor):

* ``contributor_type = "total"`` — the factory's result per functional unit (one row per indicator);
* ``contributor_type = "flow"`` — the part due to one inventory flow (``contributor`` = flow id), with the
  ``process`` that owns it, that process's ``stage``, the life-cycle ``module`` (EN 15804 A1 raw materials, A2
transport, A3 manufacturing, A3 waste treatment) and the background ``factor`` it links to (or
  ``biosphere3:<name>`` / ``lca-engine-biosphere:<name>`` for elementary flows).

Flow rows of a factory and indicator add up to its total; :func:`contributions` groups them by process, stage,
factor or flow, with a cut-off.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from . import atomic
from .errors import LcaEngineError
from .indicators import CRADLE_TO_GATE

SCHEMA = pa.schema(
    [
        ("factory", pa.string()),
        ("factory_name", pa.string()),
        ("scenario", pa.string()),  # "default" = the inventory as written
        ("system", pa.string()),  # micro-factory | baseline
        ("sector", pa.string()),
        ("functional_unit", pa.string()),
        ("year", pa.int32()),  # background data year
        ("indicator", pa.string()),
        ("indicator_name", pa.string()),
        ("family", pa.string()),  # carbon | energy | water | chemicals
        ("unit", pa.string()),  # per functional unit
        ("scope", pa.string()),  # site | cradle_to_gate (indicators.SCOPES)
        ("contributor_type", pa.string()),  # total | flow
        ("contributor", pa.string()),  # flow id ("" for totals)
        ("process", pa.string()),
        ("stage", pa.string()),  # the process's stage as written in the inventory
        ("module", pa.string()),  # life-cycle module: A1 raw materials | A2 transport | A3 manufacturing | A3 waste…
        ("factor", pa.string()),
        ("value", pa.float64()),
    ]
)

COMPARISON_SCHEMA = pa.schema(
    [
        ("factory", pa.string()),
        ("baseline", pa.string()),
        ("scenario", pa.string()),
        ("sector", pa.string()),
        ("functional_unit", pa.string()),
        ("year", pa.int32()),
        ("indicator", pa.string()),
        ("family", pa.string()),
        ("unit", pa.string()),
        ("scope", pa.string()),  # site | cradle_to_gate
        ("micro_factory", pa.float64()),
        ("baseline_value", pa.float64()),
        ("difference", pa.float64()),  # micro-factory − baseline
        ("relative_change", pa.float64()),  # difference / baseline (NaN if baseline is 0)
        ("annual_output", pa.float64()),  # functional units per year of the micro-factory (NaN if not stated)
        ("difference_per_year", pa.float64()),  # difference × annual output (unit: indicator unit per year)
    ]
)

COMPLETENESS_SCHEMA = pa.schema(
    [
        ("factory", pa.string()),
        ("flow", pa.string()),
        ("process", pa.string()),
        ("kind", pa.string()),
        ("scope", pa.string()),  # site | cradle_to_gate
        ("link", pa.string()),  # background factor or elementary flow, "" if none
        ("characterised_by", pa.string()),  # comma-separated indicator ids, "" = none
        ("status", pa.string()),  # characterised | not characterised
    ]
)


COVERAGE_SCHEMA = pa.schema(
    [
        ("factory", pa.string()),
        ("indicator", pa.string()),
        ("scope", pa.string()),
        ("coverage", pa.float64()),  # the lower of mass_share and energy_share that apply (1 = nothing in scope)
        ("mass_share", pa.float64()),  # characterised share of the inflow mass in scope (NaN: none)
        ("energy_share", pa.float64()),  # characterised share of the delivered energy in scope (NaN: none)
        ("inflow_kg", pa.float64()),
        ("inflow_kwh", pa.float64()),
        ("missing", pa.string()),  # flows in scope that the indicator does not characterise, "; "-separated
        ("to_check", pa.string()),  # contributing background keys with a figure not read at its publisher
    ]
)

#: One row per factory of a portfolio run: what to group, filter and map it by.
FACTORIES_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("name", pa.string()),
        ("system", pa.string()),  # micro-factory | baseline
        ("sector", pa.string()),
        ("baseline", pa.string()),  # the baseline's factory id (micro-factories that name one), else null
        ("lat", pa.float64()),
        ("lon", pa.float64()),
        ("annual_output", pa.float64()),  # functional units per year (NaN if not stated)
        ("functional_unit", pa.string()),  # e.g. "1 item: one garment"
        ("file", pa.string()),
    ]
)

#: A portfolio's Monte Carlo: one row per micro-factory × indicator × scope (95 % intervals: 2.5 and 97.5 percentiles).
UNCERTAINTY_SCHEMA = pa.schema(
    [
        ("factory", pa.string()),
        ("baseline", pa.string()),
        ("indicator", pa.string()),
        ("scope", pa.string()),
        ("micro_factory_mean", pa.float64()),
        ("micro_factory_p2_5", pa.float64()),
        ("micro_factory_p97_5", pa.float64()),
        ("baseline_mean", pa.float64()),
        ("baseline_p2_5", pa.float64()),
        ("baseline_p97_5", pa.float64()),
        ("difference_mean", pa.float64()),  # micro-factory − baseline, paired draws
        ("difference_p2_5", pa.float64()),
        ("difference_p97_5", pa.float64()),
        ("p_better", pa.float64()),  # P(micro-factory < baseline) over the draws
        ("direction", pa.string()),  # lca_engine.verdict.Direction from p_better (no coverage check)
        ("draws", pa.int64()),
        ("seed", pa.int64()),
    ]
)


def _write(df: pd.DataFrame, path: str | Path, schema: pa.Schema) -> None:
    missing = [n for n in schema.names if n not in df.columns]
    if missing:
        raise LcaEngineError(f"result table lacks columns {missing}", fix="this is a bug; please report it")
    table = pa.Table.from_pandas(df[schema.names], schema=schema, preserve_index=False)
    with atomic.atomic_path(path) as tmp:
        pq.write_table(table, tmp)


def _write_frame(df: pd.DataFrame, path: str | Path) -> None:
    """Any table as Parquet, atomically (schema inferred; for tables without a fixed schema)."""
    table = pa.Table.from_pandas(df, preserve_index=False)
    with atomic.atomic_path(path) as tmp:
        pq.write_table(table, tmp)


def write_results(df: pd.DataFrame, path: str | Path) -> None:
    _write(df, path, SCHEMA)


def write_comparison(df: pd.DataFrame, path: str | Path) -> None:
    _write(df, path, COMPARISON_SCHEMA)


def write_factories(df: pd.DataFrame, path: str | Path) -> None:
    _write(df, path, FACTORIES_SCHEMA)


def write_uncertainty(df: pd.DataFrame, path: str | Path) -> None:
    _write(df, path, UNCERTAINTY_SCHEMA)


def write_completeness(df: pd.DataFrame, path: str | Path) -> None:
    _write(df, path, COMPLETENESS_SCHEMA)


def write_coverage(df: pd.DataFrame, path: str | Path) -> None:
    _write(df, path, COVERAGE_SCHEMA)


def read_results(path: str | Path) -> pd.DataFrame:
    return pq.read_table(path).to_pandas()


def to_cube_dtypes(df: pd.DataFrame, schema: pa.Schema = SCHEMA) -> pd.DataFrame:
    """The same frame with exactly the dtypes a Parquet round trip gives (so in-memory == on-disk)."""
    return pa.Table.from_pandas(df[schema.names], schema=schema, preserve_index=False).to_pandas()


def totals(cube: pd.DataFrame, scenario: str = "default", scope: str = CRADLE_TO_GATE) -> pd.DataFrame:
    """Wide table: one row per factory, one column per indicator (totals per functional unit, at ``scope``)."""
    t = cube[(cube["contributor_type"] == "total") & (cube["scenario"] == scenario) & (cube["scope"] == scope)]
    return t.pivot_table(index=["factory", "system"], columns="indicator", values="value").reset_index()


def contributions(
    cube: pd.DataFrame,
    factory: str,
    indicator: str,
    by: str = "process",
    cutoff: float = 0.01,
    scenario: str = "default",
    scope: str = CRADLE_TO_GATE,
) -> pd.DataFrame:
    """Contributions grouped ``by`` process | stage | module | factor | flow, largest first; parts whose absolute share
    of the total is below ``cutoff`` are merged into one "other (< x %)" row. Columns: by, value, share."""
    if by not in ("process", "stage", "module", "factor", "flow"):
        raise ValueError("by must be one of: process, stage, module, factor, flow")
    col = "contributor" if by == "flow" else by
    mine = cube[
        (cube["factory"] == factory)
        & (cube["indicator"] == indicator)
        & (cube["scenario"] == scenario)
        & (cube["scope"] == scope)
    ]
    sel = mine[mine["contributor_type"] == "flow"]
    total = float(mine[mine["contributor_type"] == "total"]["value"].sum())
    g = sel.groupby(col, as_index=False)["value"].sum().rename(columns={col: by})
    g["share"] = g["value"] / total if total else 0.0
    g = g.reindex(g["value"].abs().sort_values(ascending=False).index)
    small = g["share"].abs() < cutoff
    out = g[~small]
    if small.any():
        other = pd.DataFrame(
            [{by: f"other (< {cutoff:.0%})", "value": g[small]["value"].sum(), "share": g[small]["share"].sum()}]
        )
        out = pd.concat([out, other], ignore_index=True)
    return out.reset_index(drop=True)


def top_contributors(
    cube: pd.DataFrame, by: str = "factor", n: int = 3, scenario: str = "default", scope: str = CRADLE_TO_GATE
) -> pd.DataFrame:
    """The ``n`` largest contributors per factory and indicator (for reports and the dashboard)."""
    sel = cube[(cube["contributor_type"] == "flow") & (cube["scenario"] == scenario) & (cube["scope"] == scope)]
    col = "contributor" if by == "flow" else by
    g = sel.groupby(["factory", "indicator", col], as_index=False)["value"].sum()
    g = g[g["value"] != 0]
    g["abs"] = g["value"].abs()
    return (
        g.sort_values(["factory", "indicator", "abs"], ascending=[True, True, False])
        .groupby(["factory", "indicator"])
        .head(n)
        .drop(columns="abs")
        .reset_index(drop=True)
    )
