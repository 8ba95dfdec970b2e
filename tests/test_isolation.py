"""Nothing writes into the user's home Brightway folder; the default data directory is the user cache."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .conftest import DATA


def test_in_process_brightway_uses_the_session_folder(data_dir):
    from lca_engine import assess_files

    assess_files([DATA / "tiny_micro.toml"], data_dir=data_dir)
    import bw2data as bd

    assert Path(bd.projects._base_data_dir).resolve() == (data_dir / "brightway").resolve()
    assert bd.projects.current == "lca-engine"


def test_default_data_dir_is_the_user_cache_not_brightways_home(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("LCA_ENGINE_DATA_DIR", "BRIGHTWAY2_DIR", "XDG_CACHE_HOME", "XDG_DATA_HOME")
    }
    env["HOME"] = str(home)
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "lca_engine.cli",
            "assess",
            str(DATA / "tiny_micro.toml"),
            "--out",
            str(tmp_path / "out"),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode == 0, res.stderr
    assert (home / ".cache" / "lca-engine" / "brightway" / "projects.db").exists()
    written = {p.relative_to(home).parts[0] for p in home.rglob("*")}
    assert written == {".cache"}, written  # in particular no ~/.local/share/Brightway3
    assert (tmp_path / "out" / "results.parquet").exists()
