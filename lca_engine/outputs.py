"""The files an assessment writes to a folder — results, comparison (both scopes), completeness and coverage —
computed, or copied from the result cache (:mod:`.result_cache`) when every input is byte for byte that of an
earlier run. Either way the tables handed back for printing are read from the files written."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from . import atomic, result_cache
from .collect import collect_files
from .errors import Problem

OUTPUTS = ("results.parquet", "comparison.parquet", "comparison.csv", "completeness.parquet", "coverage.parquet")


@dataclass(frozen=True)
class Written:
    """What an assessment wrote to ``folder`` and what its report needs besides the files."""

    folder: Path
    comparison: object  # pandas DataFrame: micro-factory vs baseline at both scopes (comparison.parquet)
    coverage: object  # pandas DataFrame: coverage.parquet
    warnings: list[tuple[str | None, list[Problem]]]  # per checked inventory: its file and its warnings
    timings: dict[str, float]
    digest: str  # the result cache key of the inputs ("" without the cache)
    cached: bool  # True: copied from the cache, nothing was recalculated
    assessment: object = None  # the lca_engine Assessment when it was calculated (None when copied from the cache)

    @property
    def files(self) -> list[Path]:
        return [self.folder / name for name in OUTPUTS]


def assess_to_folder(
    paths: Iterable[str | Path],
    folder: str | Path,
    *,
    year: int,
    data_dir: str | Path | None = None,
    tolerance: float,
    strict_balance: bool = True,
    on_file: Callable[[Path], None] | None = None,
    use_cache: bool = True,
) -> Written:
    """Assess inventory files (and the baselines they name) and write the result files to ``folder``.

    With ``use_cache`` an earlier run on the same input bytes, options and code is copied instead of recalculated
    (its digest is in :attr:`Written.digest`); without, the cache is neither read nor written.
    """
    from .bw.project import DataDir, default_data_dir

    files, folder = collect_files(paths), Path(folder)
    cache = DataDir(Path(data_dir).expanduser().resolve() if data_dir else default_data_dir().resolve()).cache
    options = {"year": year, "tolerance": tolerance, "strict_balance": strict_balance}
    digest = _key(files, options, cache.parent) if use_cache else ""
    entry = result_cache.fetch(cache, digest) if digest else None
    if entry is None:
        entry, assessment = _compute(files, folder, year, data_dir, tolerance, strict_balance, on_file)
        if digest:
            result_cache.store(cache, digest, entry)
        return _written(folder, entry, digest, cached=False, assessment=assessment)
    for name in OUTPUTS:
        atomic.write_bytes(folder / name, entry.outputs[name])
    return _written(folder, entry, digest, cached=True)


def _key(files: list[Path], options: dict, data_root: Path) -> str:
    """The cache key, or "" where an input cannot be digested (missing, not a file, too large): the run then
    reports it as it always does."""
    from .background.catalog import default_inventories_dir

    try:
        return result_cache.key(files, default_inventories_dir(), options, data_root)
    except OSError:
        return ""


def _compute(
    files, folder: Path, year, data_dir, tolerance, strict_balance, on_file
) -> tuple[result_cache.Entry, object]:
    """The files written (as a cache entry) and the Assessment they come from."""
    from .assess import assess_files
    from .results import write_comparison, write_completeness, write_coverage, write_results

    a = assess_files(
        files, year=year, data_dir=data_dir, tolerance=tolerance, strict_balance=strict_balance, on_file=on_file
    )
    comp = a.comparison(scope=None)
    write_results(a.results, folder / "results.parquet")
    write_comparison(comp, folder / "comparison.parquet")
    write_completeness(a.completeness, folder / "completeness.parquet")
    write_coverage(a.coverage, folder / "coverage.parquet")
    atomic.write_text(folder / "comparison.csv", comp.to_csv(index=False))
    entry = result_cache.Entry(
        {name: (folder / name).read_bytes() for name in OUTPUTS},
        [(c.file, c.warnings) for c in a.checked.values()],
        dict(a.timings),
        result_cache.also_read(files, [c.file for c in a.checked.values()]),
    )
    return entry, a


def _written(folder: Path, entry: result_cache.Entry, digest: str, cached: bool, assessment=None) -> Written:
    import pyarrow.parquet as pq

    comparison = pq.read_table(folder / "comparison.parquet").to_pandas()
    coverage = pq.read_table(folder / "coverage.parquet").to_pandas()
    return Written(folder, comparison, coverage, entry.warnings, entry.timings, digest, cached, assessment)
