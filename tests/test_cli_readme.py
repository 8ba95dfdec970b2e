"""The README's command-line section names only commands and options the CLI has, and says where the result cache
lives and how to bypass it (issue 17)."""

from __future__ import annotations

import re

import typer

from lca_engine.cli import app

from .cli_run import invoke
from .conftest import DATA, ROOT


def _section() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return readme.split("## Command line", 1)[1].split("\n## ", 1)[0]


def _commands() -> dict:
    return typer.main.get_command(app).commands


def _options(cmd) -> set[str]:
    return {o for p in cmd.params for o in p.opts}


def test_every_option_in_the_command_table_exists():
    commands = _commands()
    rows = [line for line in _section().splitlines() if line.startswith("| `lca-engine ")]
    named_commands = [row.split("`")[1].split()[1] for row in rows]
    assert set(named_commands) == set(commands)  # every command has a row; a group may have one per subcommand
    rows_of = [
        tuple(row.split("`")[1].split()[1:3])
        for row in rows
        if hasattr(commands[row.split("`")[1].split()[1]], "commands")
    ]
    assert len(rows_of) == len(set(rows_of))  # a subcommand of a group in one row only
    assert len(named_commands) == len(set(named_commands)) + len(rows_of) - len({g for g, _ in rows_of})
    for row in rows:
        usage = row.split("`")[1]
        cmd = commands[usage.split()[1]]
        if hasattr(cmd, "commands"):  # a group (background): the first usage names its subcommand
            cmd = cmd.commands[usage.split()[2]]
        named = set(re.findall(r"(--[a-z][a-z-]*)", usage))
        assert named <= _options(cmd), (usage, named - _options(cmd))
    assert "--no-cache" in _options(commands["assess"]) and "--no-cache" in _section()


def test_the_result_cache_is_where_the_readme_says(tmp_path):
    assert "`cache/results/`" in _section() and "`lca-engine --version`" in _section()
    data = tmp_path / "data"
    code, output, tb = invoke("assess", DATA / "tiny_micro.toml", "--out", tmp_path / "out", "--data-dir", data)
    assert (code, tb) == (0, ""), output
    entries = list((data / "cache" / "results").glob("*.zip"))
    assert len(entries) == 1 and len(entries[0].stem) == 64  # one entry, named by its SHA-256 key
    code, output, _ = invoke("assess", DATA / "tiny_micro.toml", "--out", tmp_path / "again", "--data-dir", data)
    assert code == 0 and f"results from the result cache (inputs sha256 {entries[0].stem})" in output
    code, output, _ = invoke(
        "assess", DATA / "tiny_micro.toml", "--out", tmp_path / "fresh", "--data-dir", data, "--no-cache"
    )
    assert code == 0 and "result cache" not in output and "calculated " in output
    assert list((data / "cache" / "results").glob("*.zip")) == entries
