"""Issue 17, faults of the command line and the Python API: each through the real `lca-engine` (in a terminal of 80
columns where the width matters: a pseudo-terminal, as a user's) or the real API, checked against values worked out
here (catalogue keys, the umask, amounts by hand)."""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import struct
import subprocess
import sys
import termios
import tomllib
from pathlib import Path

import pytest
from pydantic import ValidationError

import lca_engine as le
from lca_engine.model import FLOW_KINDS, Flow

from .cli_run import invoke
from .conftest import DATA, ROOT


def in_terminal(*args: object, columns: int = 80, cwd: Path | None = None) -> tuple[int, str]:
    """Run `lca-engine` in a pseudo-terminal ``columns`` wide (no colours: TERM=dumb); (exit code, what it showed)."""
    import pty

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    env = {**os.environ, "COLUMNS": str(columns), "LINES": "50", "TERM": "dumb"}  # dumb: 80x25 unless both set
    cmd = [sys.executable, "-m", "lca_engine.cli", *map(str, args)]
    proc = subprocess.Popen(cmd, stdin=slave, stdout=slave, stderr=slave, env=env, cwd=cwd, close_fds=True)
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    return proc.wait(timeout=600), b"".join(chunks).decode("utf-8").replace("\r\n", "\n")


def _whole(token: str, text: str) -> bool:
    return re.search(rf"(?<!\S){re.escape(token)}(?!\S)", text) is not None


# --- `factors`: keys are copied into inventories, so they are never cut -----------------------------------------------


def test_factors_prints_every_key_whole_in_80_columns(catalog):
    from lca_engine.background.open_factors import PREFIX, load_open_factors

    code, shown = in_terminal("factors")
    assert code == 0, shown
    keys = [k for k in catalog.factors if not k.startswith(PREFIX)] + list(load_open_factors())
    assert len(keys) > 200
    missing = [k for k in keys if not _whole(k, shown)]
    assert missing == [] and "…" not in shown
    assert max(len(line) for line in shown.split("\n")) <= 80
    # each DESNZ factor's value is shown with its key (the line after the key, in this width)
    lines = shown.split("\n")
    for key in ("desnz.electricity.uk", "desnz.material.paper_and_board_board.closed_loop"):
        i = lines.index(key)
        assert f"kg CO2e: {catalog.factors[key].value:.6g}" in lines[i + 1]


def test_factors_in_a_wide_terminal_is_a_table_with_whole_keys(catalog):
    from lca_engine.background.open_factors import PREFIX

    code, shown = in_terminal("factors", columns=200)
    assert code == 0, shown
    rows = {line.split("│")[1].strip(): line for line in shown.split("\n") if line.startswith("│ ")}
    for key, factor in catalog.factors.items():
        if not key.startswith(PREFIX):
            assert f" {factor.value:.6g} " in rows[key], key  # the key's own row carries its value
    assert "…" not in shown


# --- output files -----------------------------------------------------------------------------------------------------


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def test_every_writer_gives_its_files_the_mode_open_would(tmp_path, data_dir):
    """Reports, results, claims, scenarios, circularity, Wales, graphs and Excel: none is left 0600 (mkstemp)."""
    for name in ("tiny_micro.toml", "tiny_baseline.toml"):
        shutil.copy(DATA / name, tmp_path / name)
    micro, out = tmp_path / "tiny_micro.toml", tmp_path / "out"
    dd = ("--data-dir", data_dir)
    commands = [
        ("graph", micro, "--graphml", out / "graph.graphml", "--json", out / "graph.json"),
        ("assess", micro, "--out", out / "assess", *dd),
        ("assess", micro, "--out", out / "assess-again", *dd),  # the second run may come from the result cache
        ("compare", micro, "--draws", 50, "--out", out / "compare", *dd),
        ("scenarios", micro, "--out", out / "scenarios", *dd),
        ("circularity", micro, "--json", out / "circularity.json"),
        ("wales", micro, "--out", out / "wales", *dd),
        ("report", micro, "--out", out / "report", "--formats", "html,json,pdf", *dd),
        ("export-excel", micro, "--out", out / "tiny.xlsx", *dd),
        ("import-excel", out / "tiny.xlsx", "--out", out / "back" / "tiny.toml", *dd),
    ]
    for args in commands:
        code, output, trace = invoke(*args)
        assert (code, trace) == (0, ""), (args[0], output)
    files = [p for p in out.rglob("*") if p.is_file()]
    written = {p.suffix for p in files}
    assert {".graphml", ".json", ".parquet", ".csv", ".html", ".pdf", ".xlsx", ".toml"} <= written
    expected = 0o666 & ~_umask()
    assert {p.relative_to(out).as_posix(): oct(p.stat().st_mode & 0o777) for p in files} == {
        p.relative_to(out).as_posix(): oct(expected) for p in files
    }


# --- messages ---------------------------------------------------------------------------------------------------------


def test_a_short_reasoning_names_the_field_and_the_minimum(tmp_path):
    text = (DATA / "tiny_micro.toml").read_text(encoding="utf-8")
    text = text.replace('reasoning = "typical whole-garment knitting offcut share, test value"', 'reasoning = "short"')
    shutil.copy(DATA / "tiny_baseline.toml", tmp_path / "tiny_baseline.toml")
    (tmp_path / "tiny_micro.toml").write_text(text, encoding="utf-8")
    code, output, trace = invoke("validate", tmp_path / "tiny_micro.toml")
    assert (code, trace) == (1, "")
    output = " ".join(output.split())  # the console wraps long lines
    assert "tiny_micro.toml:54 field 'flows[2].assumption.reasoning'" in output  # the file's line 54 (grep -n)
    assert "has 5 characters, at least 10 are needed" in output and "fix: write at least 10 characters" in output
    assert "non-empty" not in output


def test_error_headings_are_plain_words_not_class_names():
    from lca_engine.circularity.mci import CircularityError
    from lca_engine.errors import BackgroundError, BalanceError, InventoryError, LcaEngineError, UnitError
    from lca_engine.reconciliation import ReconciliationError

    headings = {
        cls: cls.heading()
        for cls in (
            LcaEngineError,
            InventoryError,
            UnitError,
            BalanceError,
            BackgroundError,
            CircularityError,
            ReconciliationError,
        )
    }
    assert headings[InventoryError] == "error: invalid inventory"
    assert headings[BalanceError] == "error: mass balance does not close"
    assert headings[LcaEngineError] == "error"
    assert all(cls.__name__ not in heading and "Error" not in heading for cls, heading in headings.items())


# --- the Python API ---------------------------------------------------------------------------------------------------


def test_a_model_mistake_in_code_is_an_inventory_error_with_field_and_fix():
    with pytest.raises(le.InventoryError) as e:
        le.Flow(id="x", from_="market", to="knit", kind="materials", amount=1, unit="kg")
    (p,) = e.value.problems
    assert p.field == "Flow.kind" and all(repr(kind) in p.fix for kind in FLOW_KINDS)
    with pytest.raises(le.InventoryError) as e:  # 'from' is 'from_' in code; a negative amount; an unknown field
        le.Flow(id="x", to="knit", kind="material", amount=-1, unit="kg", colour="red")
    fields = {p.field: p for p in e.value.problems}
    assert set(fields) == {"Flow.from_", "Flow.amount", "Flow.colour"}
    assert fields["Flow.amount"].fix == "reverse 'from' and 'to' instead"
    with pytest.raises(le.InventoryError) as e:  # nested: the path inside the model
        le.Factory(
            id="f",
            name="F",
            sector="textiles",
            site=le.Site(name="Merthyr Tydfil", lat=51.75, lon=-3.38),
            functional_unit={"amount": 0, "unit": "item", "description": "one"},
            flows=[{"id": "a", "from": "market", "to": "knit", "kind": "material", "amount": "2 kg", "unit": "kg"}],
        )
    fields = {p.field: p.fix for p in e.value.problems}
    assert fields == {
        "Factory.functional_unit.amount": "use a number greater than 0",
        "Factory.flows[0].amount": "write a plain number (no unit in the number: put the unit in 'unit')",
    }
    with pytest.raises(le.InventoryError) as e:
        le.Assumption(reasoning="short", low=1, high=2)
    assert e.value.problems[0].fix == "write at least 10 characters"
    # the file loaders validate with model_validate and map pydantic's errors to file and line themselves
    with pytest.raises(ValidationError):
        Flow.model_validate({"id": "x", "to": "knit", "kind": "material", "amount": 1, "unit": "kg"})


def _readme_block(marker: str) -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    (block,) = re.findall(rf"<!-- {marker}: .*? -->\n```python\n(.*?)```", readme, flags=re.S)
    return block


def test_the_readme_builds_a_model_in_code_with_from_(tmp_path, monkeypatch, capsys):
    block = _readme_block("build-in-code")
    assert 'from_="market"' in block
    monkeypatch.chdir(tmp_path)
    scope: dict = {}
    exec(compile(block, "README.md", "exec"), scope)  # the README's own example, run as a user would
    written = tomllib.loads((tmp_path / "trays-micro.toml").read_text(encoding="utf-8"))
    assert [f["from"] for f in written["flows"]] == ["market", "market", "mould"]
    comp = scope["result"].comparison().set_index("indicator")
    assert comp.loc["energy_delivered", ["micro_factory", "baseline_value"]].tolist() == pytest.approx([22.0, 30.0])
    assert "Flow.kind → use one of: 'material'" in capsys.readouterr().out


# --- the functional unit ----------------------------------------------------------------------------------------------


def _fu_in_kg(tmp_path: Path, mass_per_unit: str | None) -> Path:
    """tiny_micro with its functional unit as the mass of the one garment it sells (0.49 kg)."""
    text = (DATA / "tiny_micro.toml").read_text(encoding="utf-8")
    text = text.replace('amount = 1\nunit = "item"\ndescription', 'amount = 0.49\nunit = "kg"\ndescription', 1)
    text = text.replace('baseline = "tiny_baseline.toml"\n', "")
    line = 'mass_per_unit = "0.49 kg/item"\n'
    text = text.replace(line, f'mass_per_unit = "{mass_per_unit}"\n' if mass_per_unit else "")
    path = tmp_path / f"fu-{mass_per_unit or 'none'}.toml".replace("/", "-")
    path.write_text(text, encoding="utf-8")
    return path


def test_the_functional_unit_check_counts_items_by_their_mass_per_unit(tmp_path):
    code, output, trace = invoke("validate", _fu_in_kg(tmp_path, "0.49 kg/item"))
    assert (code, trace) == (0, ""), output  # 1 item × 0.49 kg/item = 0.49 kg: the functional unit
    code, output, trace = invoke("validate", _fu_in_kg(tmp_path, "400 g/item"))
    assert (code, trace) == (1, "")
    assert "product flows to market deliver 0.4 kg, but the functional unit is 0.49 kg" in output  # 1 × 400 g
    code, output, trace = invoke("validate", _fu_in_kg(tmp_path, None))
    assert (code, trace) == (1, "")
    assert "deliver 0 kg" not in output
    assert "the functional unit is in 'kg' but the product flows to market are in 'item' (garment)" in output


# --- Brightway's own output -------------------------------------------------------------------------------------------


def test_brightway_feedback_is_silenced_before_bw2data_is_imported(tmp_path):
    """bw2data prints "Using environment variable BRIGHTWAY2_DIR …" with raw colour codes when imported; after
    silence_feedback() nothing of its information reaches stdout/stderr, and its warnings still do."""
    code = (
        "from lca_engine.bw.quiet import silence_feedback\n"
        "silence_feedback(); silence_feedback()\n"
        "import logging, bw2data\n"
        "log = logging.getLogger('brightway-stdout-feedback')\n"
        "log.info('an information'); log.warning('a warning')\n"
    )
    (tmp_path / "bw").mkdir()
    env = {k: v for k, v in os.environ.items() if k != "BRIGHTWAY_NO_STRUCTLOG"}
    env["BRIGHTWAY2_DIR"] = str(tmp_path / "bw")
    res = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    shown = res.stdout + res.stderr
    assert "\x1b" not in shown and "BRIGHTWAY2_DIR" not in shown and "an information" not in shown
    assert shown.count("a warning") == 1


def test_the_cli_error_heading_is_plain_words(tmp_path):
    code, output, _ = invoke("graph", tmp_path / "nope.toml")
    assert code == 1
    assert "error: invalid inventory:" in output and "InventoryError" not in output


def test_an_api_run_prints_no_brightway_line(tmp_path):
    """The Python API (no CLI) assesses a shipped pair in a fresh process: nothing of bw2data's information (the
    coloured "Using environment variable BRIGHTWAY2_DIR" line) reaches the user's screen."""
    code = (
        "import lca_engine as le\n"
        f"a = le.assess_files([{str(ROOT / 'inventories/examples/textile_merthyr_micro.toml')!r}])\n"
        "print('total', a.total('textile-merthyr-micro', 'carbon'))\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("BRIGHTWAY_NO_STRUCTLOG", "BRIGHTWAY2_DIR")}
    env.update(LCA_ENGINE_DATA_DIR=str(tmp_path / "data"), HOME=str(tmp_path))
    res = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr
    shown = res.stdout + res.stderr
    assert "total" in res.stdout
    assert "\x1b" not in shown and "BRIGHTWAY2_DIR" not in shown, shown


# --- `compare` in 80 columns -----------------------------------------------------------------------------------------


def test_p_is_printed_with_the_digits_the_verdict_rule_needs():
    from lca_engine.claims import verdict_of
    from lca_engine.cli.compare_view import p_text

    # 0.0509 is inconclusive (> 0.05): printed '0.05' it read as "not supported" beside the "≤ 0.05" rule
    assert [p_text(p) for p in (0.0509, 0.05, 0.0504, 0.9495, 0.95, 0.5, 1.0, float("nan"))] == [
        "0.051",
        "0.05",
        "0.0504",
        "0.9495",
        "0.95",
        "0.50",
        "1.00",
        "n/a",
    ]
    for p in (i / 2000 for i in range(2001)):  # every P 2000 draws can give
        assert verdict_of(float(p_text(p))) == verdict_of(p)


def _sections(shown: str, headings: list[str]) -> dict[str, list[str]]:
    """The lines under each heading, up to the next heading."""
    lines, out, current = shown.split("\n"), {}, None
    for line in lines:
        if line in headings:
            current = line
            out.setdefault(current, [])
        elif current is not None:
            out[current].append(line)
    return out


def test_compare_in_80_columns_keeps_names_verdicts_and_the_rule_readable(tmp_path, data_dir):
    import pandas as pd

    from lca_engine.claims import verdict_of
    from lca_engine.cli.compare_view import BOTH_ZERO
    from lca_engine.indicators import SCOPE_LABELS

    from .conftest import EXAMPLES

    code, shown = in_terminal("compare", EXAMPLES, "--out", tmp_path, "--data-dir", data_dir)
    assert code == 0, shown
    assert "…" not in shown and "p_claim" not in shown and "p_lower" not in shown
    assert max(len(line) for line in shown.split("\n")) <= 80
    verdicts = pd.read_parquet(tmp_path / "claims.parquet")
    pairs = verdicts[["factory", "baseline"]].drop_duplicates().itertuples(index=False)
    headings = {f: (f"{f} vs {b}", f"{f} − {b}") for f, b in pairs}
    sections = _sections(shown, [h for both in headings.values() for h in both])
    for r in verdicts.itertuples():
        scope = SCOPE_LABELS.get(r.scope, "operations")
        (line,) = [x for x in sections[headings[r.factory][0]] if x.split()[:1] == [r.claim] and f" {scope} " in x]
        assert line.rstrip().endswith(f" {r.verdict}"), line  # the verdict whole, on the claim's own line
        p = line.rstrip().removesuffix(r.verdict).split()[-1]
        if r.verdict != "not assessable":  # the printed P, read against the printed rule, gives the printed verdict
            assert verdict_of(float(p)) == r.verdict and abs(float(p) - r.p_claim_holds) < 0.005, line
    # the housing pair states no chemicals on either side (read from the files): no difference, not "P = 0"
    housing = [tomllib.loads(p.read_text(encoding="utf-8")) for p in EXAMPLES.glob("housing*.toml")]
    assert len(housing) == 2 and not [f for h in housing for f in h["flows"] if f["kind"] == "chemical"]
    micro = next(h["id"] for h in housing if h["system"] == "micro-factory")
    (row,) = [x for x in sections[headings[micro][1]] if x.startswith("chemicals_total ")]
    assert row.rstrip().endswith(BOTH_ZERO)
