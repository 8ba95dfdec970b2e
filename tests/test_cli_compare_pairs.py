"""`lca-engine compare` draws each micro-factory with its baseline alone — the draws of the report's and the
dashboard's verdict block (lca_engine.verdict.pair_monte_carlo) — so that for the same draws and seed the CLI, the
report and the dashboard give the same numbers, whichever other inventories are given (issue 17). Before, it drew
every factory given in one run: the composites pair's 2.5 % carbon difference was −51.45 with all examples and −54.21
alone (1,000 draws, seed 1)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lca_engine.indicators import scoped_id

from .cli_run import invoke
from .conftest import EXAMPLES

TEXTILE = EXAMPLES / "textile_merthyr_micro.toml"
MICRO = "textile-merthyr-micro"
DRAWS, SEED = 200, 3


def _compare(out, data_dir, *paths):
    code, output, tb = invoke("compare", *paths, "--draws", DRAWS, "--seed", SEED, "--out", out, "--data-dir", data_dir)
    assert (code, tb) == (0, ""), output
    return (
        pd.read_parquet(out / "monte_carlo_differences.parquet"),
        pd.read_csv(out / "claims.csv"),
        pd.read_parquet(out / "monte_carlo_summary.parquet"),
    )


@pytest.fixture(scope="module")
def alone(tmp_path_factory, data_dir):
    return _compare(tmp_path_factory.mktemp("alone"), data_dir, TEXTILE)


@pytest.fixture(scope="module")
def assessment(data_dir):
    from lca_engine import assess_files

    return assess_files([TEXTILE], data_dir=data_dir)


def test_a_pair_gets_the_same_numbers_alone_and_with_every_other_example(tmp_path, data_dir, alone):
    diffs, claims, summary = _compare(tmp_path, data_dir, EXAMPLES)
    assert len(set(diffs.factory)) == 6  # every example pair, each on its own draws
    pd.testing.assert_frame_equal(diffs[diffs.factory == MICRO].reset_index(drop=True), alone[0])
    pd.testing.assert_frame_equal(claims[claims.factory == MICRO].reset_index(drop=True), alone[1])
    pd.testing.assert_frame_equal(summary[summary.pair == MICRO].reset_index(drop=True), alone[2])


def test_the_differences_equal_the_report_verdict_rows(alone, assessment, catalog, data_dir):
    from lca_engine.report.content import build_content

    content = build_content(assessment, MICRO, catalog=catalog, draws=DRAWS, seed=SEED, data_dir=data_dir)
    section = content["verdict"]
    assert (section["draws"], section["seed"]) == (DRAWS, SEED)
    diffs = alone[0].set_index("indicator")
    judged = [r for r in section["rows"] if r["mean_difference"] is not None]
    assert len(judged) == sum(r["verdict"] != "not assessable" for r in section["rows"]) >= 6
    for r in judged:  # the report keeps 12 significant digits
        cli = diffs.loc[scoped_id(r["indicator"], r["scope"])]
        assert (cli["mean"], cli["p2_5"], cli["p97_5"], cli["p_lower"]) == pytest.approx(
            (r["mean_difference"], r["p2_5"], r["p97_5"], r["p_better"]), rel=1e-9
        )


def test_the_differences_and_claims_equal_an_independent_pair_run(alone, assessment, data_dir):
    from lca_engine.assess import monte_carlo
    from lca_engine.claims import check_claims

    base = dict(assessment.pairs)[MICRO]
    mc = monte_carlo([assessment.checked[i].factory for i in (MICRO, base)], draws=DRAWS, seed=SEED, data_dir=data_dir)
    d = mc.of(MICRO, "carbon") - mc.of(base, "carbon")  # numpy on the draws, not the library's summary
    carbon = alone[0].set_index("indicator").loc["carbon"]
    assert (carbon["mean"], carbon["p2_5"], carbon["p97_5"], carbon["p_lower"]) == pytest.approx(
        (d.mean(), np.percentile(d, 2.5), np.percentile(d, 97.5), np.mean(d < 0)), rel=1e-12
    )
    theirs = check_claims(assessment, mc)  # the dashboard's claim table: check_claims on the pair's draws
    theirs = theirs[theirs.factory == MICRO].reset_index(drop=True)
    mine = alone[1]
    assert list(mine.claim) == list(theirs.claim)
    np.testing.assert_allclose(mine.p_claim_holds.to_numpy(float), theirs.p_claim_holds.to_numpy(float), rtol=1e-12)
    assert list(mine.verdict) == list(theirs.verdict)


def test_the_cli_defaults_are_the_verdict_blocks():
    import typer

    from lca_engine.cli import app
    from lca_engine.verdict import DEFAULT_DRAWS, DEFAULT_SEED

    params = {p.name: p.default for p in typer.main.get_command(app).commands["compare"].params}
    assert (params["draws"], params["seed"]) == (DEFAULT_DRAWS, DEFAULT_SEED) == (1000, 1)


def test_a_micro_factory_without_a_baseline_gets_claims_but_no_draws(tmp_path, data_dir):
    text = TEXTILE.read_text(encoding="utf-8")
    (tmp_path / "solo.toml").write_text(
        "\n".join(line for line in text.splitlines() if not line.startswith("baseline =")), encoding="utf-8"
    )
    diffs, claims, summary = _compare(tmp_path / "out", data_dir, tmp_path / "solo.toml")
    assert diffs.empty and summary.empty
    assert set(claims.verdict) == {"not assessable"}


def test_assess_uncertainty_prints_the_verdict_block_of_the_same_draws(assessment, tmp_path, data_dir):
    """`assess --uncertainty` prints, per headline indicator and scope, the verdict and P(better) of the verdict block
    on the pair's own draws — the rows of report page 1 and the dashboard for the same draws and seed."""
    from lca_engine.cli.compare_view import p_text
    from lca_engine.indicators import SCOPE_LABELS
    from lca_engine.verdict import pair_monte_carlo, verdict_block

    code, output, trace = invoke(
        "assess", TEXTILE, "--out", tmp_path, "--data-dir", data_dir, "--uncertainty", "--draws", "200", "--seed", "4"
    )
    assert code == 0, output + trace
    mc = pair_monte_carlo(assessment, "textile-merthyr-micro", draws=200, seed=4, data_dir=data_dir)
    block = verdict_block(assessment, "textile-merthyr-micro", mc)
    lines = output[output.index("verdict: textile-merthyr-micro vs textile-conventional-baseline") :].splitlines()
    for r in block.itertuples():
        row = next(line for line in lines if line.startswith(f"{r.indicator} ") and SCOPE_LABELS[r.scope] in line)
        d = mc.of(r.factory, scoped_id(r.indicator, r.scope)) - mc.of(r.baseline, scoped_id(r.indicator, r.scope))
        if r.verdict != "not assessable":
            assert r.p_better == np.mean(d < 0)
            assert row.split()[-2:] == [p_text(float(np.mean(d < 0))), r.verdict]
        else:
            assert row.rstrip().endswith("not assessable")
    assert "200 paired draws, seed 4" in output


@pytest.mark.parametrize("option", [("--draws", "0"), ("--seed", "-1")])
def test_assess_uncertainty_refuses_bad_draws_or_seed_before_any_work(option, tmp_path, data_dir):
    code, output, trace = invoke(
        "assess", TEXTILE, "--out", tmp_path / "o", "--data-dir", data_dir, "--uncertainty", *option
    )
    assert code == 2, output + trace
    assert option[0] in output + trace and not (tmp_path / "o").exists()
