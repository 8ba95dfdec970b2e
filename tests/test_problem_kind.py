"""Warnings are told apart by their kind, never by searching their message text (issue 17): the purchases without a
background factor that `assess` groups on one line are chosen by `ProblemKind.NO_BACKGROUND` and named by the
problem's subject, also when the warnings come back from the result cache."""

from __future__ import annotations

import json
import shutil
from dataclasses import asdict

from lca_engine.cli.assess import split_uncounted
from lca_engine.errors import Problem, ProblemKind

from .cli_run import invoke
from .conftest import DATA


def _without_background(tmp_path, flow: str = "delivery"):
    """The tiny pair with the background factor of one purchase of the micro-factory removed."""
    text = (DATA / "tiny_micro.toml").read_text(encoding="utf-8")
    anchor = f'id = "{flow}"'
    head, tail = text.split(anchor)
    block, rest = tail.split("[[flows]]", 1) if "[[flows]]" in tail else (tail, None)
    block = "\n".join(line for line in block.splitlines() if not line.startswith("background ="))
    micro = tmp_path / "micro.toml"
    micro.write_text(head + anchor + block + ("\n[[flows]]" + rest if rest is not None else "\n"), encoding="utf-8")
    shutil.copy(DATA / "tiny_baseline.toml", tmp_path / "tiny_baseline.toml")
    return micro


def test_the_warning_carries_its_kind_and_the_flow_id(tmp_path, catalog):
    from lca_engine.load import load_checked

    checked = load_checked(_without_background(tmp_path), catalog=catalog)
    kinds = [(w.kind, w.subject, w.field) for w in checked.warnings if w.kind is not None]
    assert kinds == [(ProblemKind.NO_BACKGROUND, "delivery", "flows[7].background")]


def test_selection_is_by_kind_not_by_message():
    tagged = Problem("worded any other way", kind=ProblemKind.NO_BACKGROUND, subject="yarn")
    lookalike = Problem("purchased material 'x' has no background factor: its upstream impact is not counted")
    other = Problem("something else")
    assert split_uncounted([lookalike, tagged, other]) == ([lookalike, other], ["yarn"])
    assert split_uncounted([]) == ([], [])


def test_the_kind_survives_the_result_cache_json():
    p = Problem("m", fix="f", file="a.toml", field="flows[0]", line=3, kind=ProblemKind.NO_BACKGROUND, subject="y")
    back = Problem(**json.loads(json.dumps(asdict(p))))
    assert back == p and back.kind is ProblemKind.NO_BACKGROUND
    assert Problem(**{k: v for k, v in asdict(p).items() if k not in ("kind", "subject")}).kind is None


def test_assess_groups_the_purchases_without_a_factor_fresh_and_cached(tmp_path, data_dir):
    micro = _without_background(tmp_path)
    for run in ("fresh", "cached"):
        code, output, tb = invoke("assess", micro, "--out", tmp_path / "out", "--data-dir", data_dir)
        assert (code, tb) == (0, ""), output
        assert f"no background factor: {micro}: delivery (their upstream burdens are not counted)" in output, run
        assert "'delivery' has no background factor" not in output  # not printed again as a single warning
        assert ("results from the result cache" in output) == (run == "cached")
