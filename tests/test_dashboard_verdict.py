"""The verdict block on the Factory page and for uploads, the upload's claims and circularity side by side, and the
dashboard faults of issue 17 that need no browser (Sankey colours and labels, the map's legend and baselines, chart
toolbars, an upload without its baseline). Every number shown is compared with the library called directly
(``assess_files``, ``monte_carlo``, ``verdict_block``, ``check_claims``, ``circularity_report``)."""

from __future__ import annotations

import html
import math
import re

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import lca_engine as le
from lca_engine.circularity import circularity_report
from lca_engine.claims import check_claims
from lca_engine.indicators import SCOPE_LABELS, SCOPES
from lca_engine.verdict import POINT_VS_MEAN, verdict_block

from .conftest import EXAMPLES, ROOT

APP = str(ROOT / "dashboard" / "app.py")
MICRO, BASE = "textile-merthyr-micro", "textile-conventional-baseline"
TIMEOUT = 300


def number(text: str) -> float:
    m = re.search(r"[-+−]?[0-9][0-9,]*\.?[0-9]*(?:e[-+]?[0-9]+)?", text)
    assert m, f"no number in {text!r}"
    return float(m.group(0).replace(",", "").replace("−", "-"))


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def shown_matches(at: AppTest, block) -> None:
    """The verdict table shown (drawn whole with st.table) against the library's verdict block (same order), and
    its notes as numbered footnotes under it."""
    table = at.table[0].value
    assert list(table.columns) == [
        "indicator", "scope", "verdict", "P(better)", "point change", "MC mean difference", "95 % interval", "coverage"
    ]  # fmt: skip
    assert len(table) == len(block)
    drawn = block["mean_difference"].notna()
    notes = [n for n in dict.fromkeys(block["note"][~drawn]) if n]  # why not assessable: numbered on the verdict
    captions = " ".join(c.value for c in at.caption).replace("\\", "")
    assert f"† {POINT_VS_MEAN}" in captions  # the point-vs-mean note of rows with draws: a dagger on the mean
    for (_, shown), r in zip(table.iterrows(), block.itertuples(), strict=True):
        assert shown["scope"] == SCOPE_LABELS[r.scope]
        assert r.verdict in shown["verdict"] if r.verdict else shown["verdict"].startswith("point estimate only")
        assert shown["MC mean difference"].endswith(" †") == bool(r.note and r.mean_difference == r.mean_difference)
        if r.note and r.mean_difference != r.mean_difference:
            n = notes.index(r.note) + 1
            assert shown["verdict"].endswith(f" [{n}]") and f"[{n}] {r.note}" in captions, (shown["verdict"], n)
        rel, diff = (
            shown["point change"].split(" · ") if " · " in shown["point change"] else ("", shown["point change"])
        )
        assert diff.endswith(f" {r.unit}") and number(diff) == pytest.approx(r.point_difference, rel=5e-3, abs=1e-12)
        if r.point_change == r.point_change:
            assert rel == f"{r.point_change:+.1%}"
        if math.isnan(r.p_better):
            assert shown["P(better)"] == "n/a" and shown["95 % interval"] == "n/a"
            continue
        assert number(shown["P(better)"]) == pytest.approx(100 * r.p_better, abs=0.5)
        assert shown["MC mean difference"].removesuffix(" †").endswith(f" {r.unit}")
        assert number(shown["MC mean difference"]) == pytest.approx(r.mean_difference, rel=5e-3, abs=1e-9)
        lo, hi = (number(x) for x in shown["95 % interval"].split(" … "))
        assert (lo, hi) == pytest.approx((r.p2_5, r.p97_5), rel=5e-3, abs=1e-9)


@pytest.fixture(scope="module")
def examples():
    a = le.assess_files([EXAMPLES], year=2025)
    return a, le.monte_carlo([a.checked[MICRO].factory, a.checked[BASE].factory], draws=1000, seed=1)


def test_factory_page_opens_with_the_verdict_block(examples):
    a, mc = examples
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.switch_page("pages/factory.py").run()
    at.selectbox[0].set_value(MICRO).run()
    no_exception(at)
    assert at.subheader[0].value.startswith("Verdict")
    shown_matches(at, verdict_block(a, MICRO, mc))
    assert any(POINT_VS_MEAN in c.value for c in at.caption)
    # by hand on the draws: site water is lower in every draw (−86 % as written)
    water = at.table[0].value
    row = water[(water["indicator"] == "Water withdrawal") & (water["scope"] == "site")].iloc[0]
    key = "water_withdrawal@site"
    assert (mc.of(MICRO, key) < mc.of(BASE, key)).all() and row["P(better)"] == "100%" and "better" in row["verdict"]


def _pair_files(tmp_path):
    """A micro-factory and its baseline under new ids and names, the micro-factory naming the baseline file."""
    micro = (EXAMPLES / "textile_merthyr_micro.toml").read_text(encoding="utf-8")
    micro = micro.replace(f'id = "{MICRO}"', 'id = "my-micro"', 1)
    micro = micro.replace('baseline = "textile_conventional_baseline.toml"', 'baseline = "my_baseline.toml"', 1)
    base = (EXAMPLES / "textile_conventional_baseline.toml").read_text(encoding="utf-8")
    base = base.replace(f'id = "{BASE}"', 'id = "my-baseline"', 1)
    files = [("my_micro.toml", micro.encode()), ("my_baseline.toml", base.encode())]
    for name, data in files:
        (tmp_path / name).write_bytes(data)
    return files


def test_upload_with_its_baseline_gets_verdict_claims_and_circularity(tmp_path):
    files = _pair_files(tmp_path)
    a = le.assess_files([tmp_path / n for n, _ in files], year=2025)
    mc = le.monte_carlo([a.checked["my-micro"].factory, a.checked["my-baseline"].factory], draws=1000, seed=1)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.switch_page("pages/upload.py").run()
    at.file_uploader(key="upload").set_value([(n, d, "application/toml") for n, d in files]).run()
    no_exception(at)
    assert at.subheader[0].value.startswith("Verdict")
    shown_matches(at, verdict_block(a, "my-micro", mc))
    claims = check_claims(a, mc)
    shown = at.table[1].value
    assert [v.split(" [")[0] for v in shown["verdict"]] == list(claims["verdict"]) and list(shown["claim"]) == list(
        claims["claim"]
    )
    circ = at.table[3].value.set_index("figure")
    mine, theirs = circularity_report(a.checked["my-micro"]), circularity_report(a.checked["my-baseline"])
    mci = next(i for i in circ.index if i.startswith("MCI"))
    assert number(circ.loc[mci, "micro-factory"]) == pytest.approx(mine["mci"]["value"], abs=5e-4)
    assert number(circ.loc[mci, "baseline"]) == pytest.approx(theirs["mci"]["value"], abs=5e-4)
    diff = mine["mci"]["value"] - theirs["mci"]["value"]
    assert number(circ.loc[mci, "difference"]) == pytest.approx(diff, abs=5e-4)
    inflow = circ.loc["CTI % circular inflow"]
    points = 100 * (mine["cti"]["circular_inflow"]["value"] - theirs["cti"]["circular_inflow"]["value"])
    assert inflow["difference"].endswith(" points") and number(inflow["difference"]) == pytest.approx(points, rel=5e-3)


def test_upload_without_its_baseline_says_which_file_to_upload(tmp_path):
    from dashboard import engine

    text = (EXAMPLES / "textile_merthyr_micro.toml").read_text(encoding="utf-8")
    text = text.replace('baseline = "textile_conventional_baseline.toml"', 'baseline = "our_old_plant.toml"', 1)
    work = tmp_path / "server-side-folder"
    with pytest.raises(engine.LcaEngineError) as err:
        engine.assess_upload([("mine.toml", text.encode())], workdir=work)
    (p,) = err.value.problems
    assert p.field == "baseline" and p.file == "mine.toml"
    assert "'our_old_plant.toml'" in p.message and "not uploaded" in p.message
    assert "together" in p.fix and "'our_old_plant.toml'" in p.fix and "textile_conventional_baseline.toml" in p.fix
    assert str(work) not in str(err.value) and "server-side-folder" not in str(err.value)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.switch_page("pages/upload.py").run()
    at.file_uploader(key="upload").set_value(("mine.toml", text.encode(), "application/toml")).run()
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert "our\\_old\\_plant.toml" in errors and "together" in errors
    assert "/tmp" not in errors and "lca-dashboard-upload" not in errors and "existing inventory" not in errors


def test_engine_errors_from_an_upload_carry_no_server_path(tmp_path):
    """A baseline that is uploaded but broken: the loader's message names files, never the upload folder."""
    from dashboard import engine

    files = _pair_files(tmp_path)
    broken = files[1][1].replace(b'unit = "kg"', b'unit = "kgg"', 1)
    work = tmp_path / "server-side-folder"
    with pytest.raises(engine.LcaEngineError) as err:
        engine.assess_upload([files[0], ("my_baseline.toml", broken)], workdir=work)
    assert "kgg" in str(err.value) and str(work) not in str(err.value)


def test_sankey_colours_one_hue_per_kind_labels_wrapped_no_empty_links():
    from lca_engine import load
    from lca_engine.report.content import sankey_data
    from lca_engine.report.sankey import LINK_COLOURS, OKABE_ITO, figure

    def rgb(c: str) -> tuple[int, ...]:
        return tuple(int(x) for x in re.findall(r"\d+", c)[:3])

    kinds = ["loop", "other", "water", "waste"]
    assert len({rgb(LINK_COLOURS[k]) for k in kinds}) == len(kinds), "every kind its own hue"
    palette = {tuple(int(h[i : i + 2], 16) for i in (1, 3, 5)) for h in OKABE_ITO.values()}
    assert all(rgb(LINK_COLOURS[k]) in palette for k in kinds), "all from the Okabe–Ito palette"
    for path in sorted(EXAMPLES.glob("*micro*.toml")):
        data = sankey_data(load(path))
        trace = figure(data).data[0]
        assert all(v > 0 for v in trace.link.value), path.name
        for node, text in zip(data["nodes"], trace.node.label, strict=True):
            assert "…" not in text, (path.name, text)  # wrapped, never cut
            if node["kind"] == "process":  # the whole name, on as many lines as it needs
                assert " ".join(html.escape(node["label"]).split()) in text.replace("<br>", " "), (path.name, text)
    composites = figure(sankey_data(load(EXAMPLES / "composites_micro.toml"))).data[0].node.label
    assert any("needle-punching" in t for t in composites)


def test_map_legend_below_wales_baselines_in_england_labelled_toolbars_above_titles(examples):
    from dashboard import charts, engine

    a, _ = examples
    fig = charts.map_figure(engine.portfolio(a), engine.baseline_sites(a))
    assert fig.layout.legend.y <= 0 and fig.layout.legend.yanchor == "top", "under the map, not over the coast"
    assert fig.layout.margin.b >= charts.LEGEND_PX and fig.layout.margin.t >= charts.TOOLBAR_PX
    england = next(t for t in fig.data if t.name == charts.BASELINE_IN_ENGLAND)
    # the packaging (West Midlands, lon −1.89) and composites (Derby, lon −1.47) baselines: east of Offa's Dyke
    assert sorted(england.lon) == pytest.approx([-1.8904, -1.4746])
    wales = next(t for t in fig.data if t.name == charts.BASELINE_IN_WALES)
    assert list(wales.lon) == pytest.approx([-2.9977])  # Newport
    assert charts.far_baselines(engine.baseline_sites(a)) == [
        a.checked[b].factory.name for _, b in a.pairs if b.split("-")[0] in ("emobility", "greentech", "textile")
    ]
    contrib = engine.contributions(a, MICRO, "carbon")
    bars = charts.contribution_figure({"micro-factory": contrib}, "process", "kg CO2e", "A long title")
    height = bars.layout.height
    assert (1 - bars.layout.title.y) * height >= charts.TOOLBAR_PX - 1e-9 and bars.layout.title.yanchor == "top"
    assert charts.change_bars(engine.portfolio(a)).layout.margin.t >= charts.TOOLBAR_PX


def test_portfolio_cards_have_short_labels_with_the_whole_name_in_help():
    """'Energy (delivered) below baseline' was cut on the card, and "2 · 6" was cryptic: one row of cards per scope
    under a heading naming it, each saying "n of N"; the label is one word, the help says the rest."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    no_exception(at)
    headings = [m.value for m in at.markdown if "below their baseline" in m.value]
    assert [h.split("**")[1] for h in headings] == [SCOPE_LABELS[s].capitalize() for s in SCOPES]
    energy = [m for m in at.metric if m.label == "Energy"]
    assert len(energy) == len(SCOPES) and {"Carbon", "Water", "Chemicals", "Portfolio MCI"} <= {
        m.label for m in at.metric
    }
    n = len(at.table[0].value)
    for card, scope in zip(energy, SCOPES, strict=True):
        assert re.fullmatch(rf"[0-6] of {n}", card.value), card.value
        assert (
            "Delivered energy" in card.help and "below their baseline" in card.help and SCOPE_LABELS[scope] in card.help
        )


def test_factory_page_and_report_page_one_rest_on_the_same_draws(examples):
    """Issue 17: one Monte Carlo per micro-factory everywhere. The Factory page's verdict rows and the report's page 1
    rows (:func:`verdict_section`, which ``build_content`` puts on page 1 rounded to 12 significant digits) are equal
    to 1e-12, and both equal a verdict block computed here on a paired Monte Carlo of the micro-factory and its
    baseline alone (1,000 draws, seed 1)."""
    from dashboard import engine, verdict_view
    from lca_engine.background import load_catalog
    from lca_engine.bw.project import DataDir, default_data_dir
    from lca_engine.report import build_content, clean
    from lca_engine.report.verdict_section import verdict_section
    from lca_engine.verdict import pair_monte_carlo

    a, mc = examples
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.switch_page("pages/factory.py").run()
    at.selectbox[0].set_value(MICRO).run()
    no_exception(at)
    page = engine.verdicts(engine.examples(2025), f"examples-2025-{engine.examples_fingerprint()}", MICRO)
    assert at.table[0].value.equals(verdict_view.verdict_table(page)[0]), "the rows shown are these rows"
    catalog = load_catalog(2025, cache_dir=DataDir(default_data_dir()).cache)
    report = verdict_section(a, MICRO, pair_monte_carlo(a, MICRO), 1000, 1)
    assert build_content(a, MICRO, catalog=catalog)["verdict"] == clean(report), "page 1 prints these rows"
    assert (report["draws"], report["seed"]) == (engine.VERDICT_DRAWS, engine.VERDICT_SEED) == (1000, 1)
    solver = "Solver: 1,000 draws solved exactly (a Woodbury update of the mean matrix's LU)."
    assert report["solver"] == solver and any(solver in c.value for c in at.caption), "the page says how, as page 1"
    mine = verdict_block(a, MICRO, mc)
    numbers = ["micro_factory", "baseline_value", "point_difference", "mean_difference", "p2_5", "p97_5", "p_better"]
    assert len(report["rows"]) == len(page) == len(mine) == 10
    for row, (_, shown), (_, ref) in zip(report["rows"], page.iterrows(), mine.iterrows(), strict=True):
        assert (row["indicator"], row["scope"], row["verdict"]) == (
            shown["indicator"],
            shown["scope"],
            shown["verdict"],
        )
        assert shown["verdict"] == ref["verdict"]
        for col in numbers:
            expected = ref[col]
            for got in (row[col], shown[col]):
                assert (
                    (got is None or math.isnan(got))
                    if math.isnan(expected)
                    else got == pytest.approx(expected, rel=1e-12, abs=1e-12)
                ), (row["indicator"], row["scope"], col)
    # by hand on the draws (numpy): site water's mean difference and interval
    water = page[(page.indicator == "water_withdrawal") & (page.scope == "site")].iloc[0]
    diff = mc.of(MICRO, "water_withdrawal@site") - mc.of(BASE, "water_withdrawal@site")
    assert water["mean_difference"] == pytest.approx(float(np.mean(diff)), rel=1e-12)
    assert water["p2_5"] == pytest.approx(float(np.percentile(diff, 2.5)), rel=1e-12)


def test_report_download_is_dated_today_like_the_cli():
    """The dashboard's report says when it was made: today's date (UTC, ISO), as ``lca-engine report`` prints by
    default, in the JSON and printed in the PDF."""
    import json
    from datetime import UTC, datetime

    import pypdfium2

    from dashboard import engine

    today = datetime.now(UTC).date().isoformat()
    a = engine.examples(2025)
    files = engine.report(a, f"examples-2025-{engine.examples_fingerprint()}", MICRO)
    assert json.loads(files["json"])["generated"] == today
    pdf = pypdfium2.PdfDocument(files["pdf"])
    text = " ".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    assert f"Generated {today}" in " ".join(text.split())
    assert f"Generated {today}" in files["html"].decode("utf-8")
