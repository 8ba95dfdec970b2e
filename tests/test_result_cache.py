"""The result cache of `lca-engine assess` (issue 17, speed): a second run on byte-identical inputs copies the first
run's files instead of recalculating; any changed input byte, option or damaged entry recalculates."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from tests.cli_run import invoke

EXAMPLES = Path(__file__).resolve().parent.parent / "inventories" / "examples"
OUTPUTS = ("results.parquet", "comparison.parquet", "comparison.csv", "completeness.parquet", "coverage.parquet")
CACHED = "results from the result cache"


@pytest.fixture
def pair(tmp_path) -> Path:
    """The textile micro-factory in a folder of its own; its baseline (named in the file) beside it."""
    folder = tmp_path / "inv"
    folder.mkdir()
    for name in ("textile_merthyr_micro.toml", "textile_conventional_baseline.toml"):
        shutil.copy(EXAMPLES / name, folder / name)
    return folder / "textile_merthyr_micro.toml"


def _assess(micro: Path, out: Path, data_dir: Path, *extra: str) -> str:
    code, output, trace = invoke("assess", micro, "--out", out, "--data-dir", data_dir, *extra)
    assert code == 0, output + trace
    return output


def _files(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in OUTPUTS}


def _tables(output: str) -> str:
    """The printed tables and notes, without the last two lines (timing or cache, and the files written) and
    without the line bw2data logs when the test process imports it (the first calculation only)."""
    lines = output.rstrip("\n").splitlines()[:-2]
    log = next((i for i, line in enumerate(lines) if "BRIGHTWAY2_DIR" in line), None)
    return "\n".join(lines if log is None else lines[:log] + lines[log + 2 :])


def test_second_run_is_a_byte_identical_copy_and_says_so(pair, tmp_path, data_dir):
    first = _assess(pair, tmp_path / "a", data_dir)
    second = _assess(pair, tmp_path / "b", data_dir)
    assert CACHED not in first and "calculated " in first
    assert CACHED in second and "calculated " not in second
    digest = second.split("inputs sha256 ", 1)[1][:64]
    assert (data_dir / "cache" / "results" / f"{digest}.zip").is_file()  # the entry the output names
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    assert _tables(first) == _tables(second)
    fresh = _assess(pair, tmp_path / "c", data_dir, "--no-cache")
    assert CACHED not in fresh
    assert _files(tmp_path / "c") == _files(tmp_path / "a")
    pd.testing.assert_frame_equal(
        pd.read_parquet(tmp_path / "c" / "results.parquet"), pd.read_parquet(tmp_path / "b" / "results.parquet")
    )


def test_a_changed_byte_in_any_input_recalculates(pair, tmp_path, data_dir):
    _assess(pair, tmp_path / "a", data_dir)
    assert CACHED in _assess(pair, tmp_path / "b", data_dir)
    baseline = pair.with_name("textile_conventional_baseline.toml")
    baseline.write_text(baseline.read_text() + "\n# a comment\n")  # the baseline is read, never named
    assert CACHED not in _assess(pair, tmp_path / "c", data_dir)
    assert CACHED in _assess(pair, tmp_path / "d", data_dir)
    pair.write_text(pair.read_text() + "\n")
    assert CACHED not in _assess(pair, tmp_path / "e", data_dir)
    (pair.parent / "sources.toml").write_text("")  # a registry above the inventory now overlays the shipped one
    assert CACHED not in _assess(pair, tmp_path / "f", data_dir)
    assert CACHED not in _assess(pair, tmp_path / "g", data_dir, "--tolerance", "0.02")
    assert CACHED not in _assess(pair, tmp_path / "h", data_dir, "--year", "2024")


def test_the_numbers_follow_the_changed_input(pair, tmp_path, data_dir):
    """Not only a miss: the recalculated file holds the new numbers (0.25 kWh more electricity in the baseline)."""
    _assess(pair, tmp_path / "a", data_dir)
    baseline = pair.with_name("textile_conventional_baseline.toml")
    text = baseline.read_text()
    cut = text.index('unit = "kWh"')
    start = text.rindex("amount = ", 0, cut)
    end = text.index("\n", start)
    kwh = float(text[start + len("amount = ") : end])
    baseline.write_text(text[:start] + f"amount = {kwh + 0.25!r}" + text[end:])  # within its assumption range
    _assess(pair, tmp_path / "b", data_dir)
    before = pd.read_parquet(tmp_path / "a" / "comparison.parquet")
    after = pd.read_parquet(tmp_path / "b" / "comparison.parquet")
    key = ["factory", "indicator", "scope"]
    joined = before.merge(after, on=key, suffixes=("_a", "_b"))
    energy = joined[(joined.indicator == "energy_delivered") & (joined.scope == "site")].iloc[0]
    assert energy.baseline_value_b - energy.baseline_value_a == pytest.approx(0.25, rel=1e-12)
    assert energy.micro_factory_b == pytest.approx(energy.micro_factory_a, rel=1e-12)  # one solve of both


def _entries(data_dir: Path) -> list[Path]:
    return sorted((data_dir / "cache" / "results").glob("*.zip"), key=lambda p: p.stat().st_mtime)


def test_a_damaged_entry_is_recalculated_never_trusted(pair, tmp_path, data_dir):
    pair.write_text(pair.read_text() + "\n# damaged-entry test\n")  # inputs no other test uses
    _assess(pair, tmp_path / "a", data_dir)
    entry = _entries(data_dir)[-1]
    with zipfile.ZipFile(entry) as z:
        names = z.namelist()
    data = bytearray(entry.read_bytes())
    offset = data.index(b"PAR1") + 100  # inside the first Parquet member: its CRC no longer matches
    data[offset] ^= 0xFF
    entry.write_bytes(bytes(data))
    again = _assess(pair, tmp_path / "b", data_dir)
    assert CACHED not in again
    assert _files(tmp_path / "b") == _files(tmp_path / "a")
    with zipfile.ZipFile(entry) as z:  # written anew, whole
        assert z.namelist() == names and z.testzip() is None
    assert CACHED in _assess(pair, tmp_path / "c", data_dir)
    entry.write_bytes(entry.read_bytes()[:1000])  # a torn file
    assert CACHED not in _assess(pair, tmp_path / "d", data_dir)
    assert _files(tmp_path / "d") == _files(tmp_path / "a")


def test_no_cache_neither_reads_nor_writes(pair, tmp_path, data_dir):
    pair.write_text(pair.read_text() + "\n# no-cache test\n")
    before = set(_entries(data_dir))
    assert CACHED not in _assess(pair, tmp_path / "a", data_dir, "--no-cache")
    assert set(_entries(data_dir)) == before


def _entry() -> object:
    from lca_engine.errors import Problem
    from lca_engine.result_cache import Entry

    return Entry({"results.parquet": b"PAR1 bytes"}, [("a.toml", [Problem("m", fix="f", file="a.toml")])], {}, [])


def test_entries_read_back_and_the_oldest_are_pruned(tmp_path, monkeypatch):
    import os

    from lca_engine import result_cache

    monkeypatch.setattr(result_cache, "MAX_ENTRIES", 3)
    for i in range(5):
        assert result_cache.store(tmp_path, f"{i:064x}", _entry())
        os.utime(tmp_path / "results" / f"{i:064x}.zip", (1000 + i, 1000 + i))
    stale, writing = tmp_path / "results" / ".a.zip.x1.tmp", tmp_path / "results" / ".b.zip.x2.tmp"
    for tmp in (stale, writing):
        tmp.write_bytes(b"half an entry")  # what a killed writer leaves (atomic.atomic_path's name)
    os.utime(stale, (1000, 1000))
    result_cache.store(tmp_path, f"{5:064x}", _entry())
    assert (stale.exists(), writing.exists()) == (False, True)  # another process may still be writing this one
    kept = sorted(p.stem for p in (tmp_path / "results").glob("*.zip"))
    assert kept == [f"{i:064x}" for i in (3, 4, 5)]
    assert result_cache.fetch(tmp_path, f"{5:064x}") == _entry()


def test_a_cache_that_cannot_be_written_does_not_fail_the_run(tmp_path):
    from lca_engine import result_cache

    (tmp_path / "results").write_text("a file where the cache folder should be")
    assert result_cache.store(tmp_path, "0" * 64, _entry()) is False
    assert result_cache.fetch(tmp_path, "0" * 64) is None


def test_inputs_the_cache_cannot_digest_are_reported_as_without_it(tmp_path, data_dir):
    """A missing file, a folder named like an inventory or a file over the size limit: the usual error (exit 1),
    never an internal error from the cache."""
    from lca_engine.limits import LIMITS

    missing = tmp_path / "missing.toml"
    (tmp_path / "folder.toml").mkdir()
    big = tmp_path / "big.toml"
    with open(big, "wb") as fh:
        fh.truncate(LIMITS.file_bytes + 1)  # sparse: nothing is written, nothing need be read
    for path, message in ((missing, "file not found"), (tmp_path / "folder.toml", ""), (big, "the limit is")):
        code, output, trace = invoke("assess", path, "--out", tmp_path / "out", "--data-dir", data_dir)
        assert (code, trace) == (1, ""), output
        assert str(path) in output and message in output


def test_an_imported_background_and_its_reimport_recalculate(pair, tmp_path, data_dir):
    """An inventory may link an imported background by name: importing one, or removing it and importing other
    data under the same name, must never give the earlier run's numbers from the cache (the same data imported
    again may: its results are the same)."""
    es2 = tmp_path / "es2"
    es2.mkdir()
    source = Path(__file__).resolve().parent / "fixtures" / "bw2io" / "ecospold2"
    shutil.copy(next(p for p in sorted(source.glob("*.spold")) if "synonyms" not in p.name), es2)
    _assess(pair, tmp_path / "a", data_dir)
    assert CACHED in _assess(pair, tmp_path / "b", data_dir)
    imp = ("background", "import", es2, "--name", "es2", "--licence", "BSD-3-Clause", "--cut-off", "--data-dir")
    code, output, trace = invoke(*imp, data_dir)
    assert code == 0, output + trace
    assert CACHED not in _assess(pair, tmp_path / "c", data_dir)
    assert CACHED in _assess(pair, tmp_path / "d", data_dir)
    assert invoke("background", "remove", "es2", "--data-dir", data_dir)[0] == 0
    spold = next(es2.glob("*.spold"))
    spold.write_text(spold.read_text(encoding="utf-8").replace('amount="9999"', 'amount="9998"', 1), encoding="utf-8")
    assert invoke(*imp, data_dir)[0] == 0  # same name, other data
    assert CACHED not in _assess(pair, tmp_path / "e", data_dir)
