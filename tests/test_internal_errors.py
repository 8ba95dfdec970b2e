"""Inputs that once ended in an internal error (exit 4 or a traceback), each run through the real command line.

Every case asserts: exit code as for any other inventory (never 4), no traceback, and the file named. User text
(names, ids, folders, messages quoting them) prints as written: Rich markup is not interpreted, control and
bidirectional characters show as escapes.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from lca_engine.circularity.graph_indicators import CONVENTIONS
from lca_engine.indicators import INDICATORS

from .cli_run import ctrl_c_reaches_it, run
from .conftest import DATA, EXAMPLES, ROOT

MARKUP = ("[/red]", "[link=file:///etc/passwd]x[/link]", "[bold]B")
TINY = (DATA / "tiny_micro.toml").read_text(encoding="utf-8")


def _inventory(folder: Path, text: str = TINY, name: str = "tiny_micro.toml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "tiny_baseline.toml").write_text((DATA / "tiny_baseline.toml").read_text(encoding="utf-8"))
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _named(name: str, process_name: str = "Knitting") -> str:
    text = TINY.replace('name = "Tiny knitting micro-factory (test)"', f"name = {json.dumps(name)}", 1)
    return text.replace('name = "Knitting"', f"name = {json.dumps(process_name)}", 1)


@pytest.mark.parametrize("markup", MARKUP)
def test_markup_in_factory_name_prints_literally(tmp_path, markup):
    path = _inventory(tmp_path, _named(f"Factory {markup} end"))
    code, output = run("validate", path)
    assert code == 0
    assert f"{path}: Factory {markup} end — 2 processes" in output


@pytest.mark.parametrize("markup", MARKUP)
def test_markup_in_folder_name_prints_literally_for_good_and_bad_files(tmp_path, markup):
    folder = tmp_path / f"site {markup}"
    good = _inventory(folder)
    code, output = run("validate", good)
    assert code == 0
    assert f"✓ {good}: Tiny knitting micro-factory (test)" in output
    bad = _inventory(folder, TINY.replace('unit = "kWh"', 'unit = "kWh', 1), name="bad.toml")
    code, output = run("validate", bad)
    assert code == 1
    assert f"✗ {bad}" in output and f"{bad}:" in output.replace(f"✗ {bad}", "")


@pytest.mark.parametrize("markup", MARKUP)
def test_markup_in_process_name_and_in_an_error_message(tmp_path, markup):
    path = _inventory(tmp_path, _named("Tiny", process_name=f"Knit {markup}"))
    code, output = run("graph", path, "--json", tmp_path / "g.json")
    assert code == 0
    labels = [n.get("label") for n in json.loads((tmp_path / "g.json").read_text())["nodes"]]
    assert f"Knit {markup}" in labels
    # a unit quoting the markup: the message names the file and shows the unit as written
    bad = _inventory(tmp_path, TINY.replace('unit = "kWh"', f"unit = {json.dumps(markup)}", 1), name="bad.toml")
    code, output = run("validate", bad)
    assert code == 1
    assert markup in output and f"{bad}:" in output


def test_markup_names_through_assess_and_brightway(tmp_path, data_dir):
    """The whole path (Brightway foreground, result tables) with markup in the factory and process names."""
    path = _inventory(tmp_path / "[bold]x[/bold]", _named("[/red] F [link=file:///etc/passwd]x[/link]", "[/]"))
    code, output = run("assess", path, "--out", tmp_path / "out", "--data-dir", data_dir)
    assert code == 0
    assert (tmp_path / "out" / "results.parquet").is_file()
    assert "wrote" in output


def test_terminal_control_and_bidi_characters_print_as_escapes(tmp_path):
    osc8 = "\x1b]8;;file:///etc/passwd\x1b\\x\x1b]8;;\x1b\\"
    path = _inventory(tmp_path, _named(f"A{osc8}\u202eB"))
    code, output = run("validate", path)
    assert code == 0
    assert "\x1b" not in output and "\u202e" not in output
    assert r"A\x1b]8;;file:///etc/passwd\x1b\x\x1b]8;;\x1b\\u202eB" in output


def test_newline_in_a_key_keeps_each_problem_starting_with_its_file(tmp_path):
    """Found by tests/test_fuzz.py: a key holding a line break split a problem over lines without the file."""
    path = _inventory(tmp_path, '"a\\r\\nb" = 1\n' + TINY, name="nl.toml")
    code, output = run("validate", path)
    assert code == 1
    lines = output[output.index(f"✗ {path}") :].splitlines()[1:]
    heads = [line for line in lines if line and not line.startswith(" ")]
    assert heads and all(line.startswith(f"{path} field 'a\\x0d\\nb'") for line in heads), output


NO_BACKGROUND = re.sub(r'(?m)^background = ".*"\n', "", TINY).replace('baseline = "tiny_baseline.toml"\n', "")


def test_inventory_with_no_characterised_flow_gives_zeros_and_says_so(tmp_path, data_dir):
    """No flow has a background factor or an elementary flow: bw2calc has nothing to characterise (it raised
    EmptyBiosphere). Every indicator is 0 and the completeness table lists every boundary flow as not
    characterised."""
    path = _inventory(tmp_path, NO_BACKGROUND, name="nothing.toml")
    out = tmp_path / "out"
    code, output = run("assess", path, "--out", out, "--data-dir", data_dir)
    assert code == 0
    results = pd.read_parquet(out / "results.parquet")
    totals = results[results.contributor_type == "total"]
    assert len(totals) == 2 * len(INDICATORS) and (totals.value == 0).all()  # every indicator, both scopes
    completeness = pd.read_parquet(out / "completeness.parquet")
    boundary = {"yarn", "recovery_loss", "power", "power_recover", "water", "delivery"}
    assert boundary <= set(completeness.flow)
    assert set(completeness[completeness.flow.isin(boundary)].status) == {"not characterised"}
    assert "not characterised in tiny-micro: " in output and "yarn" in output


def test_circularity_under_python_OO(tmp_path):
    """`python -OO` strips docstrings; the conventions stated in every circularity result are a constant."""
    out = tmp_path / "c.json"
    micro = EXAMPLES / "textile_merthyr_micro.toml"
    res = subprocess.run(
        [sys.executable, "-OO", "-m", "lca_engine.cli", "circularity", str(micro), "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert res.returncode == 0, res.stderr
    assert "Traceback" not in res.stderr + res.stdout
    report = json.loads(out.read_text())
    assert report["textile-merthyr-micro"]["conventions"] == CONVENTIONS.strip()
    assert CONVENTIONS.startswith("* **Material inflows**")


# ------------------------------------------------------------------------------------------------ dashboard
HOSTILE = "**bold** [x](javascript:alert(1)) <img src=x>"


def _rendered(source: str) -> tuple[str, str]:
    """(HTML, visible text) of a markdown element's source, rendered by CommonMark as Streamlit does."""
    from markdown_it import MarkdownIt

    page = MarkdownIt("commonmark").render(source)
    return page, html.unescape(re.sub(r"<[^>]+>", "", page))


def _upload(name: str, text: str):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=300)
    at.switch_page("pages/upload.py").run()
    at.file_uploader(key="upload").set_value((name, text.encode(), "application/toml")).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_dashboard_error_shows_upload_text_literally():
    """An error quoting the upload's text: emphasis, a javascript: link and an <img> are shown as written."""
    text = TINY.replace('unit = "kWh"', f"unit = {json.dumps(HOSTILE)}", 1)
    at = _upload("bad.toml", text.replace('baseline = "tiny_baseline.toml"\n', ""))
    assert len(at.error) == 1
    page, visible = _rendered(at.error[0].value)
    assert HOSTILE in visible and "bad.toml" in visible and "Fix:" in visible
    assert (
        "<img" not in page and "<a " not in page and page.count("<strong>") == 1 + visible.count("Fix:")
    )  # title and fixes


def test_dashboard_factory_view_shows_upload_text_literally():
    text = TINY.replace('description = "one knitted garment of 0.5 kg"', f"description = {json.dumps(HOSTILE)}")
    text = text.replace('name = "Merthyr Tydfil"', 'name = "<b>Merthyr</b> $x$ :red[site]"', 1)
    at = _upload("tiny_micro.toml", text.replace('baseline = "tiny_baseline.toml"\n', ""))
    assert not at.error, [e.value for e in at.error]
    facts = [m.value for m in at.markdown if m.value.startswith("**Functional unit:**")]
    assert len(facts) == 1
    page, visible = _rendered(facts[0])
    assert f"1 item ({HOSTILE})" in visible and "<b>Merthyr</b> $x$ :red[site]" in visible
    assert "<img" not in page and "<a " not in page and "<b>" not in page


def test_dashboard_upload_header_and_notes_show_names_literally():
    text = TINY.replace('name = "Tiny knitting micro-factory (test)"', f"name = {json.dumps(HOSTILE)}", 1)
    at = _upload("tiny_micro.toml", text.replace('baseline = "tiny_baseline.toml"\n', ""))
    assert not at.error, [e.value for e in at.error]
    headers = [h.value for h in at.header if "bold" in h.value]
    assert len(headers) == 1
    page, visible = _rendered(headers[0])
    assert visible.strip() == HOSTILE and "<img" not in page and "<a " not in page and "<strong>" not in page


def test_dashboard_upload_defect_is_a_plain_message_not_a_traceback(monkeypatch):
    """Fault injection: a defect (an exception that is not an LcaEngineError) inside the upload handler."""
    from dashboard import engine

    def broken(*args, **kwargs):
        raise ZeroDivisionError("injected")

    monkeypatch.setattr(engine, "assess_upload", broken)
    at = _upload("tiny_micro.toml", TINY)
    assert len(at.error) == 1
    _, visible = _rendered(at.error[0].value)
    assert "internal error: ZeroDivisionError" in visible and "tiny_micro.toml" in visible and "Fix:" in visible
    assert "Traceback" not in visible and "injected" not in visible


def test_dashboard_upload_with_no_characterised_flow_shows_zeros():
    """The upload that raised EmptyBiosphere on the page: assessed, every headline card at 0."""
    at = _upload("nothing.toml", NO_BACKGROUND)
    assert not at.error, [e.value for e in at.error]
    assert any("Assessed 1 micro-factory" in s.value for s in at.success)
    cards = [m.value for m in at.metric]
    assert cards and all(re.match(r"0(\.0+)?( |$)", v) for v in cards), cards


def test_amount_below_float32_range_is_a_user_error_not_a_singular_matrix_crash(tmp_path, data_dir):
    """Found by tests/test_fuzz.py: recovered_yarn = 1e-300 kg is 0 in Brightway's float32 matrices, so the
    recovery process produces nothing and SuperLU raised "Factor is exactly singular" (exit 4)."""
    text = TINY.replace('amount = 40\nunit = "g"', 'amount = 1e-300\nunit = "kg"', 1)
    path = _inventory(tmp_path, text)
    code, output = run("validate", path)
    assert code == 1  # refused where it is written: the field, the float32 range and the fix
    assert "flows[" in output and "float32" in output and "fix: write 0 for nothing" in output
    # in range as written (1e-37 µg) but 1e-46 kg once converted to the activity's kg: 0 in float32
    path = _inventory(tmp_path, TINY.replace('amount = 40\nunit = "g"', 'amount = 1e-37\nunit = "ug"', 1))
    code, output = run("assess", path, "--lenient", "--out", tmp_path / "out", "--data-dir", data_dir)
    assert code == 1
    assert "float32" in output and "singular" in output and "tiny-micro" in output and "fix:" in output


def test_written_files_get_the_mode_open_would_give(tmp_path):
    """Atomic writes go through mkstemp (mode 0600): the result must be readable as any file the user writes."""
    import os

    from lca_engine import atomic

    atomic.write_text(tmp_path / "r.html", "x")
    mask = os.umask(0o022)
    os.umask(mask)
    assert (tmp_path / "r.html").stat().st_mode & 0o777 == 0o666 & ~mask


_HALF_BUILT = """
import os, signal, sys, time, zipfile
import lca_engine.cli as cli

def half_built():
    half = zipfile.ZipFile.__new__(zipfile.ZipFile)  # as a Ctrl-C inside ZipFile.__init__ leaves it:
    half.fp = open(sys.executable, "rb")  # file opened, ``_writing`` not set yet
    os.kill(os.getpid(), signal.SIGINT)  # a real Ctrl-C
    time.sleep(30)

def app():
    try:
        half_built()
    except KeyboardInterrupt as exc:
        exc.__traceback__ = None  # a layer that drops the traceback: the half-built object is finalised here,
        raise KeyboardInterrupt from None  # before the interrupt reaches cli.main

cli.app = app
cli.main()
"""


def test_interrupt_exits_130_without_a_finaliser_traceback(tmp_path):
    """Ctrl-C that cuts an object off mid-construction: its finaliser fails on the way out (``ZipFile.__del__``:
    no ``fp``/``_writing``, as CI saw during a background write). The run says "interrupted" and exits 130; Python's
    "Exception ignored in ... Traceback" for that finaliser is not shown, also when the object is finalised during
    the unwinding, before the interrupt reaches ``cli.main`` (fails without the SIGINT handler)."""
    env = {**__import__("os").environ, "LCA_ENGINE_DATA_DIR": str(tmp_path)}
    cmd = [sys.executable, "-c", _HALF_BUILT]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120, preexec_fn=ctrl_c_reaches_it)
    assert proc.returncode == 130, proc.stderr
    assert "interrupted" in proc.stderr and "Traceback" not in proc.stderr and "Exception ignored" not in proc.stderr
