"""Where the embedded Brightway project lives, and how it is opened safely.

Default: ``$LCA_ENGINE_DATA_DIR`` or the user cache folder (``~/.cache/lca-engine`` on Linux) — never
Brightway's own default directory. SQLite allows one writer: every write holds a file lock.
"""

from __future__ import annotations

import os
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock
from platformdirs import user_cache_dir

PROJECT = "lca-engine"
ENV = "LCA_ENGINE_DATA_DIR"


def default_data_dir() -> Path:
    env = os.environ.get(ENV)
    return Path(env) if env else Path(user_cache_dir("lca-engine", appauthor=False))


@dataclass(frozen=True)
class DataDir:
    root: Path

    @property
    def brightway(self) -> Path:
        return self.root / "brightway"

    @property
    def cache(self) -> Path:
        return self.root / "cache"

    def lock(self, timeout: float = 600) -> FileLock:
        return FileLock(str(self.root / "write.lock"), timeout=timeout)


_active: Path | None = None


def guard_import() -> None:
    """Call before ``import bw2data`` anywhere: if nothing chose a directory yet, choose ours.

    bw2data picks its directory at import time and would otherwise create ``~/.local/share/Brightway3``.
    """
    if "bw2data" not in sys.modules and not os.environ.get("BRIGHTWAY2_DIR"):
        d = DataDir(default_data_dir().resolve())
        d.brightway.mkdir(parents=True, exist_ok=True)
        os.environ["BRIGHTWAY2_DIR"] = str(d.brightway)


def activate(data_dir: str | Path | None = None) -> DataDir:
    """Point Brightway at ``data_dir`` (created if needed) and open the product's project.

    Must run before any other Brightway call. If bw2data was already imported for another directory (tests,
    notebooks), it is switched over with ``projects.change_base_directories`` rather than re-imported.
    """
    global _active
    d = DataDir(Path(data_dir).expanduser().resolve() if data_dir else default_data_dir().resolve())
    d.brightway.mkdir(parents=True, exist_ok=True)
    d.cache.mkdir(parents=True, exist_ok=True)
    (d.brightway / "logs").mkdir(exist_ok=True)
    if "bw2data" not in sys.modules:
        os.environ["BRIGHTWAY2_DIR"] = str(d.brightway)
    warnings.filterwarnings("ignore", message="(?s).*pypardiso")  # we deliberately do not install pypardiso
    import bw2data as bd

    if _active != d.brightway:
        if Path(bd.projects._base_data_dir).resolve() != d.brightway:
            os.environ["BRIGHTWAY2_DIR"] = str(d.brightway)
            bd.projects.change_base_directories(d.brightway, d.brightway / "logs", project_name=PROJECT)
        _active = d.brightway
    if bd.projects.current != PROJECT:
        bd.projects.set_current(PROJECT)
    return d
