"""The long-format result table ("cube") and its Parquet persistence.

One row per (factory, indicator, contributor). ``contributor_type`` is ``total`` (the factory's result per
functional unit), ``process`` (that foreground process and its supply chain) or ``factor`` (the background
factor where the impact occurs). Totals equal the sum of either contribution family.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from . import atomic
from .errors import LcaEngineError

SCHEMA = pa.schema(
    [
        ("factory", pa.string()),
        ("factory_name", pa.string()),
        ("system", pa.string()),  # micro-factory | baseline
        ("sector", pa.string()),
        ("functional_unit", pa.string()),
        ("year", pa.int32()),  # background data year
        ("indicator", pa.string()),
        ("indicator_name", pa.string()),
        ("unit", pa.string()),  # per functional unit
        ("contributor_type", pa.string()),  # total | process | factor
        ("contributor", pa.string()),
        ("value", pa.float64()),
    ]
)

COMPARISON_SCHEMA = pa.schema(
    [
        ("factory", pa.string()),
        ("baseline", pa.string()),
        ("sector", pa.string()),
        ("functional_unit", pa.string()),
        ("year", pa.int32()),
        ("indicator", pa.string()),
        ("unit", pa.string()),
        ("micro_factory", pa.float64()),
        ("baseline_value", pa.float64()),
        ("difference", pa.float64()),  # micro-factory − baseline
        ("relative_change", pa.float64()),  # difference / baseline (NaN if baseline is 0)
    ]
)


def _write(df: pd.DataFrame, path: str | Path, schema: pa.Schema) -> None:
    missing = [n for n in schema.names if n not in df.columns]
    if missing:
        raise LcaEngineError(f"result table lacks columns {missing}", fix="this is a bug; please report it")
    table = pa.Table.from_pandas(df[schema.names], schema=schema, preserve_index=False)
    with atomic.atomic_path(path) as tmp:
        pq.write_table(table, tmp)


def write_results(df: pd.DataFrame, path: str | Path) -> None:
    _write(df, path, SCHEMA)


def write_comparison(df: pd.DataFrame, path: str | Path) -> None:
    _write(df, path, COMPARISON_SCHEMA)


def read_results(path: str | Path) -> pd.DataFrame:
    return pq.read_table(path).to_pandas()


def totals(df: pd.DataFrame) -> pd.DataFrame:
    """Wide table: one row per factory, one column per indicator (totals per functional unit)."""
    t = df[df["contributor_type"] == "total"]
    return t.pivot_table(index=["factory", "system"], columns="indicator", values="value").reset_index()
