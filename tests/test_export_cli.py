"""``lca-engine export``: the real command writes each format; bad inputs are user errors (exit 1/2), never exit 4."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile

import pytest

from .cli_run import invoke
from .conftest import DATA, EXAMPLES

MICRO = EXAMPLES / "housing_ebbw_vale_micro.toml"


def test_export_command_in_a_real_process(tmp_path):
    """The installed entry point, in its own process: LCAx, JSON-LD and Excel of the housing pair."""
    outs = {f: tmp_path / f"housing.{f}" for f in ("lcax", "jsonld", "excel")}
    for fmt, path in outs.items():
        run = subprocess.run(
            [sys.executable, "-m", "lca_engine.cli", "export", str(MICRO), "--format", fmt, "--out", str(path)],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert run.returncode == 0, run.stderr
        assert "Traceback" not in run.stderr
        assert f"wrote {path}" in run.stdout
    project = json.loads(outs["lcax"].read_text())
    assert [a["id"] for a in project["assemblies"]] == ["housing-ebbw-vale-micro", "housing-conventional-baseline"]
    with zipfile.ZipFile(outs["jsonld"]) as z:
        assert any(n.startswith("processes/") for n in z.namelist())
    with zipfile.ZipFile(outs["excel"]) as z:  # an xlsx is a zip with a workbook
        assert "xl/workbook.xml" in z.namelist()


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["export", "no-such-file.toml", "--format", "jsonld", "--out", "{tmp}/x.zip"], 1),
        (["export", str(MICRO), "--format", "pdf", "--out", "{tmp}/x.pdf"], 2),
        (["export", str(MICRO), "--format", "jsonld"], 2),
        (["export", str(DATA / "tiny_micro.toml"), "--format", "lcax", "--out", "{tmp}/x.json", "--year", "1999"], 1),
    ],
    ids=["missing-file", "unknown-format", "no-out", "unknown-year"],
)
def test_export_bad_inputs_are_user_errors(tmp_path, args, code):
    got, output, tb = invoke(*(a.replace("{tmp}", str(tmp_path)) for a in args))
    assert (got, tb) == (code, ""), output
    assert not list(tmp_path.iterdir())  # nothing written


def test_help_names_every_format():
    """The command line spells the formats out (no import at start-up): they must be ExportFormat's."""
    from lca_engine.cli.export import _WHAT, FORMATS_HELP
    from lca_engine.export import ExportFormat

    assert set(_WHAT) == set(ExportFormat)
    assert all(f.value in FORMATS_HELP for f in ExportFormat)


@pytest.mark.parametrize("fmt", ["lcax", "jsonld", "excel"])
def test_export_to_a_folder_or_unwritable_place_is_a_user_error(tmp_path, fmt):
    got, output, tb = invoke("export", MICRO, "--format", fmt, "--out", tmp_path)
    assert (got, tb) == (1, ""), output
    assert "is a folder" in output and not list(tmp_path.iterdir())
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    got, output, tb = invoke("export", MICRO, "--format", fmt, "--out", blocker / "x")  # parent is a file: OSError
    assert (got, tb) == (1, ""), output
    assert "cannot write" in output
    assert [p.name for p in tmp_path.iterdir()] == ["a-file"]


def test_our_jsonld_export_imports_as_a_background(tmp_path, data_dir):
    """`background import --format jsonld` of our own export ended in an internal error (exit 4): the importer's
    flows of a separate biosphere were linked by uuid to a database never written. Now they are kept, loudly."""
    out = tmp_path / "h.zip"
    micro = EXAMPLES / "housing_ebbw_vale_micro.toml"
    code, output, trace = invoke("export", micro, "--format", "jsonld", "--out", out, "--data-dir", data_dir)
    assert code == 0, output + trace
    imp = ("background", "import", out, "--name", "h", "--format", "jsonld", "--licence", "x", "--data-dir", data_dir)
    code, output, trace = invoke(*imp)
    assert code == 0, output + trace
    assert "48 activities" in output and "NOT CHARACTERISED" in output
