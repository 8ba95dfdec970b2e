"""The Streamlit dashboard, run for real with ``streamlit.testing.v1.AppTest`` on the real engine.

Every number checked here is recomputed in the test through the engine's public API (assess_files, comparison,
circularity, monte_carlo + claims, scenarios) and compared with the text the page shows. The test data folder
and home come from tests/conftest.py (temporary; Brightway never touches the user's home).
"""

from __future__ import annotations

import io
import re
import shutil

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import lca_engine as le
from lca_engine.circularity import circularity_report, portfolio_mci
from lca_engine.indicators import CRADLE_TO_GATE, SCOPE_LABELS, SCOPES, SITE
from lca_engine.scenarios import Scenario, assess_scenarios
from lca_engine.verdict import verdict_block

from .conftest import EXAMPLES, ROOT

APP = str(ROOT / "dashboard" / "app.py")
MICRO = "textile-merthyr-micro"
BASE = "textile-conventional-baseline"
MICRO_FILE = EXAMPLES / "textile_merthyr_micro.toml"
TIMEOUT = 240


@pytest.fixture(scope="module")
def assessed():
    """The same assessment the dashboard shows: every shipped example on the 2025 background."""
    return le.assess_files([EXAMPLES], year=2025)


@pytest.fixture(scope="module")
def paired(assessed):
    """The paired Monte Carlo the dashboard's verdicts use for MICRO, as the report's page 1: the micro-factory and
    its baseline alone, 1,000 draws, seed 1."""
    return le.monte_carlo([assessed.checked[MICRO].factory, assessed.checked[BASE].factory], draws=1000, seed=1)


def number(text: str) -> float:
    """The first number in a metric's text ('4,006 kg CO2e' → 4006.0; '-48.8%' → -48.8)."""
    m = re.search(r"[-+−]?[0-9][0-9,]*\.?[0-9]*(?:e[-+]?[0-9]+)?", text)
    assert m, f"no number in {text!r}"
    return float(m.group(0).replace(",", "").replace("−", "-"))


def close(shown: str, expected: float) -> bool:
    """The shown value equals ``expected`` to the 4 significant digits the dashboard shows."""
    return abs(number(shown) - expected) <= 5.1e-4 * abs(expected) + 1e-12


def card(at: AppTest, label: str, scope: str):
    """A headline card: short label, its scope in the help (the row heading names it on screen)."""
    found = [m for m in at.metric if m.label == label and f"scope {SCOPE_LABELS[scope]}," in (m.help or "")]
    assert len(found) == 1, f"no card {label!r} at scope {scope} among {[(m.label, m.help) for m in at.metric]}"
    return found[0]


def metric(at: AppTest, label_start: str):
    found = [m for m in at.metric if m.label.startswith(label_start)]
    assert found, f"no metric '{label_start}…' among {[m.label for m in at.metric]}"
    return found[0]


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


@pytest.fixture(scope="module")
def app():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    no_exception(at)
    return at


def page(at: AppTest, name: str, factory: str | None = MICRO) -> AppTest:
    at.switch_page(f"pages/{name}.py").run()
    no_exception(at)
    if factory and at.selectbox and at.selectbox[0].label == "Micro-factory" and at.selectbox[0].value != factory:
        at.selectbox[0].set_value(factory).run()
        no_exception(at)
    return at


def test_portfolio_shows_every_micro_factory_with_headline_changes_and_mci(app, assessed, paired):
    """One table per scope, drawn whole: the short label (site · sector, as the change chart), then per headline
    indicator the point change with the verdict and P(better) of the verdict block on the same paired draws, then
    the MCI; a third table gives each short label's whole name. Cards count, per scope, the micro-factories below
    their baseline ("2 of 6")."""
    at = app
    assert at.title[0].value.startswith("Portfolio")
    comp = assessed.comparison(scope=None)
    site_table, c2g_table, who = (t.value for t in at.table[:3])
    for table in (site_table, c2g_table):
        assert len(table) == len(assessed.pairs)
        assert list(table.columns) == [
            "micro-factory", "Carbon", "Energy (delivered)", "Water withdrawal", "Chemicals", "MCI"
        ]  # fmt: skip
    f = assessed.checked[MICRO].factory
    short = f"{f.site.name.split(',')[0]} · {f.sector}"
    assert who[who["micro-factory"] == short].iloc[0]["name"] == f.name
    block = verdict_block(assessed, MICRO, paired).set_index(["indicator", "scope"])
    for scope, table in zip(SCOPES, (site_table, c2g_table), strict=True):
        row = table[table["micro-factory"] == short].iloc[0]
        for ind, col in [
            ("carbon", "Carbon"),
            ("water_withdrawal", "Water withdrawal"),
            ("chemicals_total", "Chemicals"),
        ]:
            sel = comp[(comp.factory == MICRO) & (comp.indicator == ind) & (comp.scope == scope)]
            cell = row[col]
            assert cell.startswith(f"{sel['relative_change'].iloc[0]:+.1%} · "), cell
            b = block.loc[(ind, scope)]
            assert b["verdict"] in cell
            if b["p_better"] == b["p_better"]:
                assert cell.endswith(f"(P {b['p_better']:.0%})"), cell
        mci = circularity_report(assessed.checked[MICRO])["mci"]["value"]
        assert number(row["MCI"]) == pytest.approx(mci, abs=5e-4)
    items = []
    for fid, _ in assessed.pairs:
        r = circularity_report(assessed.checked[fid])
        items.append((r["material_flows"]["product_kg"], r["mci"]["value"]))
    assert number(metric(at, "Portfolio MCI").value) == pytest.approx(portfolio_mci(items), abs=5e-4)
    carbon = comp[comp.indicator == "carbon"]
    n = len(assessed.pairs)
    shown = [m.value for m in at.metric if m.label == "Carbon"]  # one card per scope, site first
    assert shown == [f"{int((carbon[carbon.scope == s]['relative_change'] < 0).sum())} of {n}" for s in SCOPES]
    # map (offline white-bg map with the Wales GeoJSON) and the attribution under it
    charts = at.get("plotly_chart")
    assert len(charts) >= 2
    assert any("Open Government Licence v3.0" in c.value and "CC BY 4.0" in c.value for c in at.caption)


def test_factory_page_cards_match_the_engine(app, assessed):
    """Both scopes of every headline card: the value and change equal the engine's, and the coverage under each
    number equals the coverage table's (micro-factory / baseline)."""
    at = page(app, "factory")
    comp = assessed.comparison(scope=None)
    cov = assessed.coverage.set_index(["factory", "indicator", "scope"])
    captions = [c.value for c in at.caption]
    cards = ["carbon", "energy_delivered", "water_withdrawal", "chemicals_total"]
    # one row of short-labelled cards per scope, under a heading naming the scope; unit and scope in the help
    headings = [m.value for m in at.markdown if m.value.endswith(", per functional unit")]
    assert headings == [f"**{SCOPE_LABELS[s].capitalize()}**, per functional unit" for s in SCOPES]
    shown = [m for m in at.metric if m.label in ("Carbon", "Energy (delivered)", "Water withdrawal", "Chemicals")]
    assert len(shown) == len(cards) * len(SCOPES) and all(len(m.label) <= 20 for m in shown)
    for ind_i, ind in enumerate(cards):
        for scope_i, (scope, scope_label) in enumerate(SCOPE_LABELS.items()):
            row = comp[(comp.factory == MICRO) & (comp.indicator == ind) & (comp.scope == scope)].iloc[0]
            m = shown[scope_i * len(cards) + ind_i]
            assert f"scope {scope_label}, {row['unit']} per FU" in m.help
            assert close(m.value, assessed.total(MICRO, ind, scope)), (ind, scope, m.value)
            rel, diff = m.delta.split(" · ")  # '-23.2% · -3.83': relative change, then the difference (3 s.f.)
            assert number(rel) == pytest.approx(100 * row["relative_change"], abs=0.051), m.delta
            assert number(diff) == pytest.approx(row["difference"], rel=5e-3) and number(diff) != 0, m.delta
            mine, theirs = cov.loc[(MICRO, ind, scope)], cov.loc[(BASE, ind, scope)]
            note = f"{row['unit']} · coverage {mine['coverage']:.0%} / {theirs['coverage']:.0%}"
            note += " · to check" if mine["to_check"] or theirs["to_check"] else ""
            assert note in captions, (ind, scope, note, captions)
    site, c2g = (assessed.total(MICRO, "carbon", s) for s in SCOPES)
    assert site < c2g, "the site's own carbon is part of its cradle-to-gate carbon"
    assert any("Mass balance closes" in s.value for s in at.success)
    assert len(at.get("plotly_chart")) >= 2  # Sankey + contributions
    # the contribution chart says its scope, and the controls recompute it
    assert any(c.value.startswith("Scope: cradle to gate") for c in at.caption)
    at.selectbox(key="contrib-by-factory").set_value("stage").run()
    at.selectbox(key="contrib-scope-factory").set_value(SITE).run()
    no_exception(at)
    assert any(c.value.startswith("Scope: site") for c in at.caption)


def test_circular_credentials_and_report_download(app, assessed):
    at = page(app, "circularity")
    r = circularity_report(assessed.checked[MICRO])
    rb = circularity_report(assessed.checked[BASE])
    # two figures, each as micro-factory and baseline cards side by side, the difference as the delta
    mci_micro, mci_base, out_micro, out_base = at.metric[:4]
    assert [m.label for m in at.metric[:4]] == ["micro-factory", "baseline"] * 2
    assert number(mci_micro.value) == pytest.approx(r["mci"]["value"], abs=5e-4)
    assert number(mci_base.value) == pytest.approx(rb["mci"]["value"], abs=5e-4)
    assert number(mci_micro.delta) == pytest.approx(r["mci"]["value"] - rb["mci"]["value"], rel=5e-3)
    outflow = [x["cti"]["circular_outflow"]["value"] for x in (r, rb)]
    assert number(out_micro.value) == pytest.approx(100 * outflow[0], abs=0.051)
    assert number(out_base.value) == pytest.approx(100 * outflow[1], abs=0.051)
    assert out_micro.delta.endswith(" points")
    assert number(out_micro.delta) == pytest.approx(100 * (outflow[0] - outflow[1]), rel=5e-3)
    at.button(key="prepare-report").click().run()
    no_exception(at)
    labels = [b.label for b in at.get("download_button")]
    assert {"Download report (HTML)", "Download report (PDF)", "Download report (JSON)"} <= set(labels)


def test_wales_alignment_page_matches_the_api(app, assessed):
    from lca_engine.wales import assessment_alignment

    at = page(app, "wales")
    assert at.title[0].value == "Wales alignment"
    w = assessment_alignment(assessed, MICRO)
    # portfolio counts on top, one row per micro-factory
    assert len(at.table[0].value) == len(assessed.pairs)
    # NI 42 (life-cycle GHG): the same direction and micro-factory value as the API; the measures one table per goal
    expected = w.wfg[w.wfg.national_indicator == 42].iloc[0]
    wfg = pd.concat([t.value for t in at.table if "National Indicator (wording)" in t.value.columns])
    row = wfg[wfg["NI"] == "NI 42"].iloc[0]
    assert expected["direction"] in row["direction"]
    assert close(row["micro-factory"], expected["micro_factory"]), (row["micro-factory"], expected["micro_factory"])
    # a figure the API does not give is shown in words ("not stated", "not assessed" or the stated text), never 0
    by_goal = pd.concat([g for _, g in w.wfg.groupby("goal_id", sort=False)])
    for api, (_, shown_row) in zip(by_goal.itertuples(), wfg.iterrows(), strict=True):
        assert shown_row["measure"] == api.measure
        if pd.isna(api.micro_factory):
            assert shown_row["micro-factory"] in {"not stated", "not assessed", api.stated}, shown_row
        if pd.isna(api.relative_change):
            assert shown_row["change"] == "—"
    assert any("not a funding decision" in i.value for i in at.info)
    # a grant criterion's status from the API
    grants = next(t.value for t in at.table if "criterion" in t.value.columns)
    g = w.grants.iloc[0]
    shown = grants[grants["criterion"].str.endswith(g["criterion"])].iloc[0]
    assert shown["status"].endswith(g["status"]) and shown["figure"] == (g["figure"] or "—")
    assert any("[socio_economic]" in c.value for c in at.caption)


def test_claims_and_uncertainty_match_a_paired_monte_carlo(app, assessed):
    at = page(app, "claims")
    at.number_input(key="draws").set_value(500).run()
    no_exception(at)
    micro, base = assessed.checked[MICRO].factory, assessed.checked[BASE].factory
    mc = le.monte_carlo([micro, base], draws=500, seed=1)  # the pair alone, as the report
    diff = mc.difference(MICRO, BASE).set_index("indicator").loc["carbon"]
    assert number(metric(at, "P(better)").value) == pytest.approx(100 * diff["p_lower"], abs=0.051)
    assert close(metric(at, "Mean difference").value, diff["mean"])
    # carbon cradle to gate is not assessable (the textile micro-factory's coverage is 61 %): said beside the
    # distribution, with the verdict block's own reason
    why = verdict_block(assessed, MICRO, mc).set_index(["indicator", "scope"]).loc[("carbon", CRADLE_TO_GATE), "note"]
    assert why.startswith("coverage below")
    assert any("not assessable" in w.value and why in w.value.replace("\\", "") for w in at.warning)
    from lca_engine.claims import evaluate, load_claims, operations_of

    comp = assessed.comparison(scope=None)
    verdicts = evaluate(load_claims(), comp[comp.factory == MICRO], mc, operations_of([micro, base]), assessed.coverage)
    shown = at.table[0].value  # drawn whole; each verdict marked with the number of its basis, listed below
    assert [v.split(" [")[0] for v in shown["verdict"]] == list(verdicts["verdict"])
    captions = " ".join(c.value for c in at.caption).replace("\\", "")
    for v, why in zip(shown["verdict"], verdicts["why"], strict=True):
        assert not why or (v.endswith("]") and f"[{v.rsplit('[', 1)[1]} {why}" in captions), (v, why)
    # energy-80 is judged twice, once per scope, each with the lower coverage of the two sides
    energy = shown[shown["claim"] == "energy-80"]
    assert list(energy["scope"]) == ["site", "cradle to gate"]
    expected = verdicts[verdicts.claim == "energy-80"]
    assert list(energy["coverage"]) == [f"{c:.0%}" for c in expected["coverage"]]
    assert list(energy["indicator"]) == ["Energy (delivered)", "Primary energy"]
    assert len(at.get("plotly_chart")) == 1  # histogram; Sobol on demand
    at.toggle(key="sobol-on").set_value(True).run()
    no_exception(at)
    assert len(at.get("plotly_chart")) == 2  # + Sobol bars


def test_scenario_controls_recompute_with_the_engine(app):
    at = page(app, "scenarios")
    at.radio(key="sc-grid").set_value("custom intensity").run()
    at.number_input(key="sc-intensity").set_value(0.05).run()
    at.slider(key="sc-recycled").set_value(0.5).run()
    no_exception(at)
    expected = assess_scenarios(
        [MICRO_FILE], [Scenario(name="test-dash", electricity_intensity=0.05, recycled_share=0.5)]
    ).comparison()
    row = expected[(expected.scenario == "test-dash") & (expected.indicator == "carbon")].iloc[0]
    m = metric(at, "Carbon")
    assert close(m.value, row["micro_factory"]), (m.value, row["micro_factory"])
    rel, diff = m.delta.split(" · ")
    assert number(rel) == pytest.approx(100 * row["relative_change"], abs=0.051)
    assert number(diff) == pytest.approx(row["difference"], rel=5e-3)


def test_renewable_slider_starts_at_the_inventories_as_written_and_says_so(app, assessed):
    """The slider splits the grid electricity of both systems onto a renewable tariff; as written every kWh is at the
    grid factor, so it starts at 0 and the cards then equal the inventories as written. The share the inventory
    states in [socio_economic] (read here from the TOML) is named under it; at that share the card equals the
    library's scenario."""
    import tomllib

    at = page(app, "scenarios")
    at.radio(key="sc-grid").set_value("DESNZ 2025").run()
    at.slider(key="sc-recycled").set_value(0.0).run()
    no_exception(at)
    slider = at.slider(key="sc-renewable")
    assert slider.value == 0.0 and "0 reproduces the inventories as written" in slider.help
    stated = tomllib.loads(MICRO_FILE.read_text(encoding="utf-8"))["socio_economic"]["renewable_electricity_share"]
    assert any(
        c.value.startswith("0 = as written") and f"states a {stated['value']:.0%}" in c.value for c in at.caption
    )
    as_written = assessed.comparison(scope=None)
    row = as_written[(as_written.factory == MICRO) & (as_written.indicator == "carbon")]
    row = row[row.scope == CRADLE_TO_GATE].iloc[0]
    assert close(metric(at, "Carbon").value, row["micro_factory"])
    slider.set_value(stated["value"]).run()
    no_exception(at)
    sc = Scenario(name="test-renewable", renewable_electricity_share=stated["value"])
    expected = assess_scenarios([MICRO_FILE], [sc]).comparison()
    expected = expected[(expected.scenario == "test-renewable") & (expected.indicator == "carbon")].iloc[0]
    assert expected["micro_factory"] < row["micro_factory"]
    assert close(metric(at, "Carbon").value, expected["micro_factory"])


def _upload_page(app) -> AppTest:
    """A fresh session on the upload page (uploads stay in a session; the engine's caches are shared)."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.switch_page("pages/upload.py").run()
    no_exception(at)
    assert any("No file uploaded yet" in i.value for i in at.info)
    return at


def test_good_upload_is_assessed_like_a_shipped_inventory(app, tmp_path):
    text = MICRO_FILE.read_text(encoding="utf-8").replace(f'id = "{MICRO}"', 'id = "my-upload-micro"', 1)
    # a different inventory from the example: the knitting machine uses 3 kWh instead of 2 per jumper
    knit = text.index('id = "power_knit"')
    text = text[:knit] + text[knit:].replace("amount = 2.0", "amount = 3.0", 1)
    at = _upload_page(app)
    at.file_uploader(key="upload").set_value(("my_micro.toml", text.encode(), "application/toml")).run()
    no_exception(at)
    assert any("Assessed 1 micro-factory" in s.value for s in at.success)
    assert any("taken from the shipped examples" in c.value for c in at.caption)
    (tmp_path / "my_micro.toml").write_text(text, encoding="utf-8")
    (tmp_path / "textile_conventional_baseline.toml").write_bytes(
        (EXAMPLES / "textile_conventional_baseline.toml").read_bytes()
    )
    expected = le.assess_files([tmp_path / "my_micro.toml"]).comparison()
    row = expected[(expected.factory == "my-upload-micro") & (expected.indicator == "carbon")].iloc[0]
    assert close(card(at, "Carbon", CRADLE_TO_GATE).value, row["micro_factory"])
    # shipped data untouched
    assert not (EXAMPLES / "my_micro.toml").exists()


def test_bad_upload_shows_field_and_fix(app):
    text = MICRO_FILE.read_text(encoding="utf-8").replace('unit = "kg"', 'unit = "kgg"', 1)
    at = _upload_page(app)
    at.file_uploader(key="upload").set_value(("bad.toml", text.encode(), "application/toml")).run()
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert "kgg" in errors and "field" in errors and "Fix:" in errors
    assert "Traceback" not in errors


def test_oversized_upload_is_refused_in_plain_words(app):
    at = _upload_page(app)
    big = b"# padding\n" * (2 * 1024 * 1024 // 10 + 10)
    at.file_uploader(key="upload").set_value(("big.toml", big, "application/toml")).run()
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert "the limit is 2 MB" in errors and "big.toml" in errors


def test_upload_handler_refuses_baselines_outside_the_upload(tmp_path):
    from dashboard import engine

    text = MICRO_FILE.read_text(encoding="utf-8").replace(
        'baseline = "textile_conventional_baseline.toml"', 'baseline = "../../etc/passwd"', 1
    )
    with pytest.raises(engine.LcaEngineError) as err:
        engine.assess_upload([("m.toml", text.encode())], workdir=tmp_path / "w")
    assert err.value.problems[0].field == "baseline"
    with pytest.raises(engine.LcaEngineError) as err:
        engine.assess_upload([("m.py", b"print(1)")], workdir=tmp_path / "w2")
    assert "not accepted" in err.value.problems[0].message
    assert engine.safe_name("../../evil/../x.toml") == "x.toml"


def test_upload_reusing_a_shipped_id_is_assessed_under_its_own_id(tmp_path, assessed):
    """Uploading a shipped example as is: assessed as "upload-<id>" (same numbers), so the example's own Brightway
    database is not rebuilt; the note says so."""
    from dashboard import engine

    up = engine.assess_upload([("mine.toml", MICRO_FILE.read_bytes())], workdir=tmp_path / "w")
    assert up.micro == [f"upload-{MICRO}"]
    assert any("reuses the id of a shipped example" in n for n in up.notes)
    shipped = assessed.comparison()
    want = shipped[(shipped.factory == MICRO) & (shipped.indicator == "carbon")].micro_factory.iloc[0]
    got = up.assessment.comparison()
    got = got[(got.factory == f"upload-{MICRO}") & (got.indicator == "carbon")].micro_factory.iloc[0]
    assert got == pytest.approx(want, rel=1e-9)


def test_downloads_page_and_result_files(app, assessed):
    from dashboard import engine

    at = page(app, "downloads")
    labels = {b.label for b in at.get("download_button")}
    assert {"Result cube (Parquet)", "Result cube (CSV)", "Comparison (CSV)"} <= labels
    files = engine.results_files(assessed)
    cube = pd.read_parquet(io.BytesIO(files["results.parquet"]))
    pd.testing.assert_frame_equal(cube, le.results.to_cube_dtypes(assessed.results), check_exact=False)
    comp = pd.read_csv(io.BytesIO(files["comparison.csv"]))
    assert len(comp) == len(assessed.comparison(scope=None)) == 2 * len(assessed.comparison())
    assert set(comp["scope"]) == set(SCOPES)
    cov = pd.read_parquet(io.BytesIO(files["coverage.parquet"]))
    pd.testing.assert_frame_equal(cov, assessed.coverage, check_dtype=False)
    assert "Coverage (CSV)" in labels
    at.button(key="render-images").click().run()
    no_exception(at)
    images = [b for b in at.get("download_button") if b.label.endswith(".png")]
    assert any("sankey" in b.label for b in images) and any("contributions" in b.label for b in images)
    assert any(b.label == "portfolio_map.png" for b in images)  # the static (no-WebGL) map exports too


def test_cli_dashboard_says_where_the_app_is_missing(monkeypatch, tmp_path):
    from typer.testing import CliRunner

    from lca_engine import cli
    from lca_engine.cli import serve

    assert serve.dashboard_app().is_file()  # the source tree's app is found
    monkeypatch.setattr(serve, "dashboard_app", lambda: tmp_path / "nowhere" / "app.py")
    result = CliRunner().invoke(cli.app, ["dashboard"])
    assert result.exit_code == 1
    assert "not installed here" in result.output and "fix:" in result.output


@pytest.mark.parametrize(
    "changed",
    [
        "background/open_factors/construction_metals.toml",
        "background/desnz.toml",
        "background/facts.toml",
        "claims.toml",
        "examples/textile_merthyr_micro.toml",
    ],
)
def test_cache_key_changes_with_every_file_the_numbers_depend_on(changed, tmp_path):
    """The dashboard caches the assessment by examples_fingerprint(): editing a background file, the claims or an
    example must change it (a copy of inventories/ is edited, never the shipped one)."""
    from dashboard import cache

    copy = tmp_path / "root"
    shutil.copytree(ROOT / "inventories", copy / "inventories")
    before = cache.fingerprint(copy / "inventories")
    assert cache.fingerprint(copy / "inventories") == before, "deterministic"
    path = copy / "inventories" / changed
    path.write_text(path.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert cache.fingerprint(copy / "inventories") != before
