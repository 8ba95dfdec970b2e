"""A named pipe, a device or a socket where a file is expected is refused before it is opened (issue 17): reading
one blocks for ever (a FIFO with no writer) or never ends (/dev/zero). Real FIFOs, real symlinks to a character
device, the real command in a subprocess with a time limit."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest

from lca_engine.errors import BackgroundError, InventoryError

from .conftest import DATA

#: Seconds a refused file may take, start-up of a fresh interpreter included.
WITHIN = 60


@contextmanager
def returns_within(seconds: int):
    """Fail (instead of hanging the test run) if the block is still blocked after ``seconds``."""

    def _late(signum, frame):
        raise AssertionError(f"still blocked after {seconds} s: the file was opened")

    previous = signal.signal(signal.SIGALRM, _late)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _cli(*args: object) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "lca_engine.cli", *(str(a) for a in args)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=WITHIN, env=os.environ.copy())


@pytest.fixture()
def fifo(tmp_path) -> Path:
    path = tmp_path / "pipe.toml"
    os.mkfifo(path)
    return path


@pytest.fixture()
def device(tmp_path) -> Path:
    path = tmp_path / "zero.toml"
    path.symlink_to("/dev/zero")
    return path


def _refused(res: subprocess.CompletedProcess, path: Path, kind: str) -> None:
    text = res.stdout + res.stderr
    assert res.returncode == 1, text  # the CLI's user-error code: never 4 (defect), never a hang
    assert "Traceback" not in text
    assert f"{path}: inventory file is {kind}, not a regular file" in text
    assert "fix: name the inventory file itself (a regular file)" in text


def test_validate_refuses_a_fifo_and_returns(fifo):
    _refused(_cli("validate", fifo), fifo, "a named pipe (FIFO)")


def test_validate_refuses_a_symlink_to_a_character_device(device):
    _refused(_cli("validate", device), device, "a character device")


def test_validate_of_a_folder_names_the_fifo_and_checks_the_other_files(tmp_path, fifo):
    for name in ("tiny_micro.toml", "tiny_baseline.toml"):
        shutil.copy(DATA / name, tmp_path / name)
    res = _cli("validate", tmp_path)
    _refused(res, fifo, "a named pipe (FIFO)")
    assert f"✓ {tmp_path / 'tiny_micro.toml'}" in res.stdout + res.stderr


def test_assess_refuses_a_fifo_before_calculating(tmp_path, fifo):
    _refused(_cli("assess", fifo, "--out", tmp_path / "out"), fifo, "a named pipe (FIFO)")


def test_a_baseline_named_as_a_fifo_is_not_read(tmp_path):
    text = (DATA / "tiny_micro.toml").read_text(encoding="utf-8")
    (tmp_path / "micro.toml").write_text(text.replace("tiny_baseline.toml", "base.toml"), encoding="utf-8")
    os.mkfifo(tmp_path / "base.toml")
    res = _cli("validate", tmp_path / "micro.toml")
    assert res.returncode == 1, res.stdout + res.stderr
    assert "baseline 'base.toml' is not a regular file" in res.stdout + res.stderr


def test_reconcile_refuses_a_fifo_as_measurements(tmp_path):
    csv = tmp_path / "m.csv"
    os.mkfifo(csv)
    res = _cli("reconcile", DATA / "tiny_micro.toml", "--measurements", csv)
    assert res.returncode == 1, res.stdout + res.stderr
    assert f"{csv}: measurements file is a named pipe (FIFO), not a regular file" in res.stdout + res.stderr


@pytest.mark.parametrize("make", ["fifo", "device"])
def test_the_library_readers_refuse_before_opening(request, make):
    from lca_engine.inventory import load
    from lca_engine.limits import check_xlsx
    from lca_engine.sources import load_sources
    from lca_engine.tomlfile import read_toml

    path = request.getfixturevalue(make)
    with returns_within(20):
        for read in (load, load_sources, check_xlsx, lambda p: read_toml(p, "claims file")):
            with pytest.raises(InventoryError) as exc:
                read(path)
            assert exc.value.problems[0].file == str(path)
            assert "not a regular file" in exc.value.problems[0].message
        with pytest.raises(BackgroundError):  # a reader's own error type is kept
            read_toml(path, "facts file", BackgroundError)


def test_the_excel_reader_and_the_open_factors_digest_refuse_a_fifo(tmp_path):
    from lca_engine import read_bw_excel
    from lca_engine.background.open_factors import FOLDER, open_factors_digest

    xlsx = tmp_path / "pipe.xlsx"
    os.mkfifo(xlsx)
    (tmp_path / FOLDER).mkdir(parents=True)
    os.mkfifo(tmp_path / FOLDER / "steel.toml")
    with returns_within(20):
        with pytest.raises(InventoryError, match="not a regular file"):
            read_bw_excel(xlsx, "x")
        with pytest.raises(InventoryError, match="named pipe"):
            open_factors_digest(tmp_path)


def test_a_regular_file_and_a_symlink_to_one_still_read(tmp_path):
    from lca_engine.inventory import load

    link = tmp_path / "link.toml"
    link.symlink_to(DATA / "tiny_micro.toml")
    assert load(link).id == "tiny-micro"
