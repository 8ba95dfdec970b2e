"""Test isolation: every Brightway write goes to a per-session temporary folder, never to the user's home.

The environment is set here, at import time, before any test module can import bw2data.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

_REAL_HOME = Path.home()
_SESSION_DIR = Path(tempfile.mkdtemp(prefix="lca-engine-tests-"))
os.environ["LCA_ENGINE_DATA_DIR"] = str(_SESSION_DIR / "data")
os.environ["BRIGHTWAY2_DIR"] = str(_SESSION_DIR / "data" / "brightway")
(_SESSION_DIR / "data" / "brightway").mkdir(parents=True)
# A fake home catches anything that would still write to "~" (platformdirs, Brightway defaults).
os.environ["HOME"] = str(_SESSION_DIR / "home")
(_SESSION_DIR / "home").mkdir()

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
EXAMPLES = ROOT / "inventories" / "examples"


# CI (.ci/run) installs every optional system package and sets LCA_ENGINE_NO_SKIPS=1: there, a skipped test means
# something is missing, so it fails the run instead of passing quietly.
NO_SKIPS = os.environ.get("LCA_ENGINE_NO_SKIPS") == "1"
_SKIPPED: list[str] = []


def pytest_runtest_logreport(report):
    if report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        _SKIPPED.append(f"{report.nodeid} — {reason}")


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if NO_SKIPS and _SKIPPED:
        terminalreporter.section("LCA_ENGINE_NO_SKIPS=1: skipped tests fail the run", red=True, bold=True)
        for line in _SKIPPED:
            terminalreporter.write_line(line)


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(_SESSION_DIR, ignore_errors=True)
    if NO_SKIPS and _SKIPPED and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return Path(os.environ["LCA_ENGINE_DATA_DIR"])


@pytest.fixture(scope="session")
def real_home() -> Path:
    return _REAL_HOME


@pytest.fixture(scope="session")
def catalog(data_dir):
    from lca_engine.background import load_catalog

    return load_catalog(2025, cache_dir=data_dir / "cache")
