"""Page 1 of the report opens with the verdict block (issue 17): point change, Monte Carlo mean difference, 95 %
interval, P(better) and verdict per headline indicator and scope, on paired draws of the micro-factory and its
baseline with a fixed seed — checked against an independent Monte Carlo call and its draws; and the generation date,
printed by default and omitted with ``--generated none``."""

from __future__ import annotations

import inspect
import json
from datetime import UTC, date, datetime

import numpy as np
import pytest
from pypdf import PdfReader

from lca_engine import LcaEngineError, monte_carlo
from lca_engine.cli import report as cli_report
from lca_engine.report import (
    DEFAULT_DRAWS,
    DEFAULT_SEED,
    assess_for_report,
    build_content,
    generation_date,
    render_files,
    render_report,
)
from lca_engine.report.html import fmt_num, fmt_prob
from lca_engine.verdict import BLOCK_INDICATORS, Direction, verdict_block

from .cli_run import invoke
from .conftest import EXAMPLES

MICRO_FILE = EXAMPLES / "textile_merthyr_micro.toml"
MICRO, BASE = "textile-merthyr-micro", "textile-conventional-baseline"
HEADING = "Verdict: micro-factory against baseline, and how sure"


@pytest.fixture(scope="module")
def report(data_dir, tmp_path_factory):
    assessment, catalog, _ = assess_for_report([MICRO_FILE], data_dir=data_dir)
    content = build_content(assessment, MICRO, catalog=catalog, data_dir=data_dir)
    out = tmp_path_factory.mktemp("verdict")
    paths = render_files([content], out, formats=("html", "pdf"))
    return assessment, content, paths, catalog


@pytest.fixture(scope="module")
def independent(report, data_dir):
    """The same comparison computed apart: Monte Carlo of the pair on the same seed and draws, then the block."""
    a = report[0]
    mc = monte_carlo(
        [a.checked[MICRO].factory, a.checked[BASE].factory], draws=1000, seed=1, data_dir=data_dir, year=a.year
    )
    return mc, verdict_block(a, MICRO, mc)


def _verdict_table(html: str) -> str:
    return html[html.index('<table class="verdict">') : html.index("</table>", html.index('<table class="verdict">'))]


def test_verdict_rows_equal_an_independent_monte_carlo(report, independent):
    a, content, _, _ = report
    mc, block = independent
    v = content["verdict"]
    assert (v["monte_carlo"], v["draws"], v["seed"]) == (True, 1000, 1) and (DEFAULT_DRAWS, DEFAULT_SEED) == (1000, 1)
    # how the draws were solved, as the solver counted them (foreground uncertainty: the exact Woodbury solve)
    solver = "Solver: 1,000 draws solved exactly (a Woodbury update of the mean matrix's LU)."
    assert v["solver"] == mc.solve_note() == solver
    html = report[2][f"{MICRO}.html"].read_text(encoding="utf-8")
    assert solver.replace("'", "&#39;") in html
    assert [(r["indicator"], r["scope"]) for r in v["rows"]] == list(zip(block.indicator, block.scope, strict=True))
    assert len(v["rows"]) == 2 * len(BLOCK_INDICATORS)
    for r, e in zip(v["rows"], block.itertuples(), strict=True):
        assert r["verdict"] == e.verdict
        assert r["point_difference"] == pytest.approx(
            a.total(MICRO, e.indicator, e.scope) - a.total(BASE, e.indicator, e.scope), rel=1e-11
        )
        if e.verdict == Direction.NOT_ASSESSABLE:
            assert r["p_better"] is None and v["reasons"][r["reason"] - 1] == e.note
            continue
        for key in ("mean_difference", "p2_5", "p97_5", "p_better"):
            assert r[key] == pytest.approx(getattr(e, key), rel=1e-11, abs=1e-15), key
    # and straight from the draws (plain numpy), for the site carbon row
    d = mc.of(MICRO, "carbon@site") - mc.of(BASE, "carbon@site")
    site_carbon = v["rows"][0]
    assert (site_carbon["indicator"], site_carbon["scope"]) == ("carbon", "site")
    assert site_carbon["p_better"] == pytest.approx(np.mean(d < 0), rel=1e-11)
    assert (site_carbon["p2_5"], site_carbon["p97_5"]) == pytest.approx(
        (np.percentile(d, 2.5), np.percentile(d, 97.5)), rel=1e-9
    )
    water = next(r for r in v["rows"] if r["indicator"] == "water_withdrawal" and r["scope"] == "site")
    assert water["verdict"] == Direction.BETTER and water["p_better"] == 1.0


def test_html_shows_each_rows_interval_and_probability(report):
    _, content, paths, _ = report
    html = paths[f"{MICRO}.html"].read_text(encoding="utf-8")
    table = _verdict_table(html)
    assert html.index(HEADING) < html.index("Headline indicators per functional unit"), "the verdict comes first"
    assert "1,000 paired draws, seed 1" in html
    assert "both are right, they answer different questions" in html
    for r in content["verdict"]["rows"]:
        if r["p_better"] is None:
            continue
        assert f"{fmt_num(r['p2_5'])} … {fmt_num(r['p97_5'])}" in table
        assert f'<td class="n">{fmt_prob(r["p_better"])}</td>' in table
    assert table.count("not assessable") == sum(r["verdict"] == "not assessable" for r in content["verdict"]["rows"])


def test_pdf_page_one_opens_with_the_verdict(report):
    _, _, paths, _ = report
    page1 = " ".join(PdfReader(paths[f"{MICRO}.pdf"]).pages[0].extract_text().split())
    assert HEADING in page1 and "1,000 paired draws, seed 1" in page1
    assert "uncertain" in page1 and "better" in page1 and "not assessable" in page1


def test_no_monte_carlo_shows_point_values_only(report, data_dir):
    from lca_engine.report import render_html

    a, content, _, catalog = report
    bare = build_content(a, MICRO, catalog=catalog, data_dir=data_dir, draws=0)
    v = bare["verdict"]
    assert (v["monte_carlo"], v["draws"], v["seed"], v["solver"]) == (False, 0, None, "")
    assert all(r["p_better"] is None and r["mean_difference"] is None for r in v["rows"])
    assert {r["verdict"] for r in v["rows"]} <= {"", Direction.NOT_ASSESSABLE}
    points = [r["point_difference"] for r in v["rows"]]
    assert points == [r["point_difference"] for r in content["verdict"]["rows"]]
    html = render_html(bare)
    assert "No Monte Carlo run (0 draws): point values only" in html and "paired draws, seed" not in html
    with pytest.raises(LcaEngineError) as err:
        render_report([MICRO_FILE], data_dir / "never", draws=-1, data_dir=data_dir)
    assert err.value.problems[0].field == "draws"


def test_generation_date_by_default_and_none(data_dir, tmp_path, report):
    before = datetime.now(UTC).date().isoformat()
    code, output, tb = invoke(
        "report", MICRO_FILE, "--out", tmp_path / "a", "--formats", "json,html", "--data-dir", data_dir
    )
    after = datetime.now(UTC).date().isoformat()
    assert code == 0 and not tb, output
    data = json.loads((tmp_path / "a" / f"{MICRO}.json").read_text(encoding="utf-8"))
    assert data["generated"] in {before, after}
    assert f"Generated {data['generated']}." in (tmp_path / "a" / f"{MICRO}.html").read_text(encoding="utf-8")
    assert data["verdict"] == json.loads(json.dumps(report[1]["verdict"])), "CLI default: the same 1,000 draws"
    args = ("--formats", "json,html", "--data-dir", data_dir, "--generated", "none", "--draws", "0")
    for run in ("b", "c"):
        code, output, tb = invoke("report", MICRO_FILE, "--out", tmp_path / run, *args)
        assert code == 0 and not tb, output
    data = json.loads((tmp_path / "b" / f"{MICRO}.json").read_text(encoding="utf-8"))
    assert data["generated"] is None and data["verdict"]["draws"] == 0
    html = (tmp_path / "b" / f"{MICRO}.html").read_bytes()
    assert b"Generated " not in html
    assert html == (tmp_path / "c" / f"{MICRO}.html").read_bytes(), "byte-identical without a date"
    code, output, tb = invoke("report", MICRO_FILE, "--out", tmp_path / "d", "--draws", "-5", "--data-dir", data_dir)
    assert code not in (0, 4) and not tb and "draws" in output


def test_generation_date_values_and_cli_defaults():
    assert generation_date("today", today=date(2026, 1, 2)) == "2026-01-02"
    before = datetime.now(UTC).date().isoformat()
    assert generation_date(" TODAY ") in {before, datetime.now(UTC).date().isoformat()}
    assert [generation_date(x) for x in ("none", "None", "", None)] == [None] * 4
    assert generation_date("2026 Q4 draft") == "2026 Q4 draft"
    params = inspect.signature(cli_report.report).parameters
    assert params["draws"].default.default == DEFAULT_DRAWS and params["seed"].default.default == DEFAULT_SEED
    assert params["generated"].default.default == "today"


def test_probabilities_never_round_to_certainty():
    assert [fmt_prob(p) for p in (0.0, 0.0004, 0.0006, 0.5, 0.9994, 0.9996, 1.0, None)] == [
        "0.000",
        "< 0.001",
        "0.001",
        "0.500",
        "0.999",
        "> 0.999",
        "1.000",
        "—",
    ]


def test_no_page_is_left_mostly_blank(report):
    """Every page but the last is filled to at least 60 % of its body height, except the page before a section that
    starts on a new page (circularity, Wales): tall table rows (which do not break) used to leave pages mostly blank."""
    import re

    import pypdfium2

    _, _, paths, _ = report
    html = paths[f"{MICRO}.html"].read_text(encoding="utf-8")
    forced = [re.search(rf'<section id="{s}">\s*<h2>([^<]+)</h2>', html).group(1) for s in ("circularity", "wales")]
    pdf = paths[f"{MICRO}.pdf"]
    texts = [" ".join(p.extract_text().split()) for p in PdfReader(pdf).pages]
    doc = pypdfium2.PdfDocument(pdf)
    for i in range(len(doc) - 1):
        if any(texts[i + 1].startswith(h) for h in forced):
            continue
        grey = np.asarray(doc[i].render(scale=0.5).to_pil().convert("L"))
        top, bottom = int(grey.shape[0] * 18 / 297), int(grey.shape[0] * 278 / 297)  # inside the running header/footer
        inked = np.flatnonzero((grey[top:bottom] < 200).any(axis=1))
        assert inked.max() + 1 >= 0.6 * (bottom - top), f"page {i + 1} is mostly blank: {texts[i][:80]}"


def test_without_a_baseline_the_block_says_there_is_nothing_to_compare(data_dir, tmp_path):
    from lca_engine import load, save
    from lca_engine.report import render_html

    from .conftest import DATA

    alone = load(DATA / "tiny_micro.toml")
    alone.baseline = None
    save(alone, tmp_path / "alone.toml")
    assessment, catalog, (fid,) = assess_for_report([tmp_path / "alone.toml"], data_dir=data_dir)
    v = build_content(assessment, fid, catalog=catalog, data_dir=data_dir)["verdict"]
    assert (v["baseline"], v["monte_carlo"], v["draws"]) == ("", False, 0)
    assert {r["verdict"] for r in v["rows"]} == {Direction.NOT_ASSESSABLE} and v["reasons"] == ["no baseline"]
    assert all(r["point_difference"] is None for r in v["rows"])
    html = render_html(build_content(assessment, fid, catalog=catalog, data_dir=data_dir))
    assert "No baseline named: nothing to compare, so no verdict." in html and "No Monte Carlo run" not in html
