"""The circularity figures and the Wales policy evidence as the report, the CLI and the Wales library show them
(issue 22): both systems side by side, project variants named with their note, "not stated" with the reason, the
waste figures under plain labels, loops with plain headers, Beyond Recycling for both systems, sources that
disagree, and the fund's closed call read from the policy file.

Expected numbers are worked out by hand from the TOML files (``tomllib``), never taken from the tool's output; the
report's own formatter only turns them into the text a reader sees.
"""

from __future__ import annotations

import html as htmllib
import re
import tomllib

import pytest

from lca_engine import load
from lca_engine.circularity import YIELD_NOTE, circularity_report
from lca_engine.circularity.labels import WASTE_NOTE
from lca_engine.report import assess_for_report, build_content, render_html
from lca_engine.report.circularity_table import side_by_side
from lca_engine.report.html import fmt_measure
from lca_engine.wales import load_policy, wfg_table
from lca_engine.wales.figures import figures

from .cli_run import invoke
from .conftest import EXAMPLES, ROOT

MICRO = EXAMPLES / "textile_merthyr_micro.toml"
BASE = EXAMPLES / "textile_conventional_baseline.toml"
POLICY_FILE = ROOT / "inventories" / "wales_policy.toml"


def _toml(path) -> dict:
    with open(path, "rb") as fh:
        return tomllib.load(fh)


def _outflows(path) -> tuple[float, dict[str, float], dict]:
    """(product kg, {destination: kg} of process outflows, end_of_use) read by hand from the file."""
    data = _toml(path)
    procs = {p["id"] for p in data["processes"]}
    product, out = 0.0, {}
    for f in data["flows"]:
        if f["from"] in procs and f["to"] not in procs:
            if f["kind"] == "product" and f["to"] == "market":
                product += f["amount"] * float(f["mass_per_unit"].split()[0])
            elif f["kind"] == "waste":
                out[f["to"]] = out.get(f["to"], 0.0) + f["amount"]
    return product, out, data["end_of_use"]


def _cti_outflow(path, yield_adjusted: bool) -> float:
    """% circular outflow: product × (C_U + C_R [× E_C] + C_C) + recovered process waste, over all outflow mass."""
    product, out, eou = _outflows(path)
    e_c = eou["recycling_efficiency_collection"] if yield_adjusted else 1.0
    frac = eou["collected_for_reuse"] + eou["collected_for_recycling"] * e_c + eou["collected_for_composting"]
    recovered = sum(out.get(d, 0.0) for d in ("recycling", "reuse", "composting"))
    return (product * frac + recovered) / (product + sum(out.values()))


def _solid(path) -> dict[str, float]:
    return {d: kg for d, kg in _outflows(path)[1].items() if d != "wastewater_treatment"}


def _text(fragment: str) -> str:
    """Visible text of an HTML fragment, whitespace collapsed."""
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


@pytest.fixture(scope="module")
def report(data_dir):
    assessment, catalog, micro = assess_for_report([MICRO], data_dir=data_dir)
    content = build_content(assessment, micro[0], catalog=catalog)
    return content, render_html(content)


def _section(page: str, start: str, end: str) -> str:
    return page[page.index(start) : page.index(end, page.index(start))]


def _circ_rows(page: str) -> dict[str, list[str]]:
    """The side-by-side circularity table: {figure label: [micro-factory cell, baseline cell]}."""
    table = _section(page, '<table class="records circ-table">', "</table>")
    rows = {}
    for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", table, flags=re.S):
        cells = [_text(td) for td in re.findall(r"<td[^>]*>(.*?)</td>", tr, flags=re.S)]
        if len(cells) == 3:
            rows[re.sub(r" [ab]$", "", cells[0])] = cells[1:]
    return rows


def test_cti_outflow_of_both_systems_in_one_table(report):
    _, page = report
    rows = _circ_rows(page)
    micro, base = _cti_outflow(MICRO, False), _cti_outflow(BASE, False)
    # micro: 0.5 kg × 0.62 / (0.5 + 0.2145 + 0.00775) = 42.9 %; baseline (0.31 + 0.0387) / 1.11055 = 31.4 %
    assert (round(micro, 3), round(base, 3)) == (0.429, 0.314)
    assert rows["% circular outflow"] == ["42.9 %", "31.4 %"]
    assert page.count('<table class="records circ-table">') == 1, "one table for both systems"


def test_yield_adjusted_rows_are_named_variants_with_the_note(report):
    _, page = report
    rows = _circ_rows(page)
    micro, base = _cti_outflow(MICRO, True), _cti_outflow(BASE, True)  # 0.296 / 0.72225; 0.3347 / 1.11055
    assert rows["% circular outflow (project variant, yield-adjusted)"] == [fmt_measure(micro, "share"), "30.1 %"]
    assert fmt_measure(micro, "share") == "41.0 %" and round(base, 3) == 0.301
    assert "outflow recycled (project variant, yield-adjusted)" in rows
    circ = _text(_section(page, '<section id="circularity">', "<h3>"))
    assert f"a {YIELD_NOTE}" in circ, "the variant's footnote"


def test_waste_rows_have_plain_labels_and_the_footnote(report):
    _, page = report
    rows = _circ_rows(page)
    ms, bs = _solid(MICRO), _solid(BASE)
    assert ms == pytest.approx({"energy_recovery": 0.00775})
    assert bs == pytest.approx({"landfill": 0.01349 + 0.0902 + 0.01546, "recycling": 0.0387})  # 0.15785 kg in all
    kg = [fmt_measure(sum(x.values()), "kg per FU") for x in (ms, bs)]
    assert rows["solid process waste"] == kg and kg[0] == "0.00775 kg per FU"
    effluent = _outflows(MICRO)[1]["wastewater_treatment"]
    assert rows["effluent to waste-water treatment"][0] == fmt_measure(effluent, "kg per FU") == "0.2145 kg per FU"
    # baseline: 0.0387 kg recycled of 0.15785 kg solid waste; micro: nothing recycled, nothing landfilled
    assert rows["recycling rate of solid process waste"] == ["0.0 %", fmt_measure(0.0387 / sum(bs.values()), "share")]
    assert rows["landfill diversion of solid process waste"] == ["100.0 %", "24.5 %"]
    # in-house recovery: yarn returned 0.0102 + 0.0198 kg (the two material loops, counted once) of that + 0.00775
    assert rows["in-house recovery"] == [fmt_measure(0.030 / 0.03775, "share"), "0.0 %"] == ["79.5 %", "0.0 %"]
    circ = _text(_section(page, '<section id="circularity">', "<h3>"))
    assert f"b {WASTE_NOTE}" in circ


def test_loops_table_has_plain_headers_and_the_water_loop_share(report):
    _, page = report
    loops = _section(page, "<h3>Loops inside the micro-factory", "<h3>Loops inside the baseline")
    heads = [_text(th) for th in re.findall(r"<th>(.*?)</th>", loops)]
    assert heads[:3] == ["loop (processes in order)", "kind", "returned per FU, kg (counted once)"]
    assert "share of water used" in heads and "share_of_water_use" not in loops
    data = _toml(MICRO)
    amount = {f["id"]: f["amount"] for f in data["flows"]}
    withdrawal = amount["water_dye_fresh"] + amount["water_steam"]  # 11.34 L
    returned = min(amount["rinse_to_loop"], amount["water_permeate"])  # 9.74 L
    row = next(_text(tr) for tr in re.findall(r"<tr>(.*?)</tr>", loops, flags=re.S) if "water_loop" in tr)
    assert row == f"dye → water_loop → dye water 9.74 9.74 — {fmt_measure(returned / (withdrawal + returned), 'share')}"
    assert row.endswith("46.2 %")


def test_no_none_anywhere_and_not_stated_with_a_reason(report):
    content, page = report
    assert "None" not in page
    # a pair where figures have no value: the composites micro-factory withdraws no water, its baseline neither
    # states economics — pure, from the circularity reports
    ids = ["composites-deeside-micro", "composites-prepreg-baseline"]
    reports = {
        fid: circularity_report(load(EXAMPLES / name))
        for fid, name in zip(ids, ("composites_micro.toml", "composites_conventional_baseline.toml"), strict=True)
    }
    assert not any(f["kind"] == "water" for f in _toml(EXAMPLES / "composites_micro.toml")["flows"])
    rows = {r["key"]: r["cells"] for r in side_by_side(reports, ids)["rows"]}
    cell = rows["iso59020.water_reuse"][ids[0]]
    assert cell["value"] is None and cell["reason"].startswith("nothing to divide by")
    assert "economics" not in _toml(EXAMPLES / "composites_conventional_baseline.toml")
    cell = rows["iso59020.material_productivity"][ids[1]]
    assert cell["value"] is None and "[economics]" in cell["reason"]
    assert all(c["reason"] is None for r in content["circularity_table"]["rows"] for c in r["cells"].values())


def test_beyond_recycling_rows_carry_both_systems(report):
    content, page = report
    rows = content["wales"]["beyond_recycling"]
    ms, bs = _solid(MICRO), _solid(BASE)
    landfill = next(r for r in rows if r["measure"] == "landfill_share")
    assert landfill["factory_value"] == pytest.approx(ms.get("landfill", 0.0) / sum(ms.values())) == 0.0
    assert landfill["baseline_value"] == pytest.approx(bs["landfill"] / sum(bs.values()))  # 0.11915 / 0.15785
    zero = next(r for r in rows if r["measure"] == "waste_not_recycled_kg")
    assert zero["baseline_value"] == pytest.approx(bs["landfill"])  # the dissolved effluent is not counted
    assert zero["measure_label"] == "Solid process waste not recycled, re-used or composted (effluent excluded)"
    table = _section(page, "<h3>Beyond Recycling", "</table>")
    assert '<th class="n">baseline</th>' in table
    row = next(_text(tr) for tr in re.findall(r"<tr>(.*?)</tr>", table, flags=re.S) if "landfill share" in tr)
    assert "0.0 % meets 75.5 % above" in row
    assert "Basis of every row: solid process waste leaving the factory" in _text(table)


def test_policy_conflicts_are_shown_as_such(report):
    _, page = report
    policy = _toml(POLICY_FILE)
    (target,) = [t for t in policy["target"] if t["id"] == "landfill_max_5pct_2025_consultation"]
    table = _text(_section(page, "<h3>Beyond Recycling", "</table>"))
    assert "sources disagree: " + "; ".join(target["conflicts"]) in table
    wfg = _text(_section(page, "<h3>Well-being of Future Generations", "</table>"))
    for goal in (g for g in policy["goal"] if g.get("conflicts")):
        assert f"sources disagree: {goal['conflicts'][0]}" in wfg, goal["id"]


def test_closed_fund_line_is_read_from_the_policy_file(report):
    _, page = report
    (landing,) = [s for s in _toml(POLICY_FILE)["source"] if s["id"] == "wrap-cymru-cef-landing"]
    fund = _text(_section(page, "<h3>Circular Economy Fund criteria", "</table>"))
    assert f"Fund status: {landing['note']}" in fund
    assert "not currently accepting applications" in landing["note"]
    assert landing["url"] in fund


def test_wales_waste_figure_is_solid_waste_not_recycled():
    """NI 15 row: kg per FU of solid process waste not recycled, re-used or composted (effluent excluded)."""
    micro, base = load(MICRO), load(BASE)
    assert figures(micro).waste_not_recycled_kg == pytest.approx(0.00775)  # was 0.222 with the effluent
    assert figures(base).waste_not_recycled_kg == pytest.approx(0.01349 + 0.0902 + 0.01546)
    df = wfg_table(load_policy(), micro, base)
    row = df[df.measure.str.startswith("Solid process waste not recycled")].iloc[0]
    assert (row.micro_factory, row.direction) == (pytest.approx(0.00775), "better")


def _flat(output: str) -> str:
    return " ".join(output.split())


def test_cli_circularity_prints_variants_with_the_note_and_waste_labels():
    code, output, tb = invoke("circularity", MICRO, BASE)
    assert code == 0, tb or output
    flat = _flat(output)
    assert "Project variants, yield-adjusted (not part of WBCSD CTI or ISO 59020)" in flat
    assert f"note: {YIELD_NOTE}" in flat and f"note: {WASTE_NOTE}" in flat
    line = next(x for x in output.splitlines() if "textile-merthyr-micro" in x and "41.0%" in x)
    assert "42.9%" in line and "41.0%" in line  # the method's figure beside its variant
    waste = next(x for x in output.splitlines() if "textile-conventional-baseline" in x and "kg per FU" in x)
    assert "0.1578 kg per FU" in waste and "24.5%" in waste and "75.5%" in waste
    for label in ("solid process waste", "in-house recovery", "waste-water treatment"):
        assert label in flat, label


def test_cli_scenarios_prints_what_cannot_act(tmp_path, data_dir):
    bg = [f.get("background", []) for f in _toml(MICRO)["flows"]]
    keys = {k for b in bg for k in ([b] if isinstance(b, str) else b)}
    assert "desnz.material.clothing.primary" in keys, "the jumper's cotton has no closed-loop DESNZ factor"
    code, output, tb = invoke("scenarios", MICRO, "--out", tmp_path, "--data-dir", data_dir)
    assert code == 0, tb or output
    flat = _flat(output)
    assert (
        "recycled-50 cannot act on textile-merthyr-micro: DESNZ has no closed-loop factor "
        "(desnz.material.clothing.closed_loop) [parameter recycled_share]"
    ) in flat
    assert "renewable-100 cannot act on textile-merthyr-micro" not in flat  # it buys grid electricity


def test_cli_wales_prints_both_systems_disagreements_and_the_fund_status(data_dir):
    code, output, tb = invoke("wales", MICRO, "--data-dir", data_dir)
    assert code == 0, tb or output
    flat = _flat(output)
    row = next(x for x in output.splitlines() if "No more than 5% of" in x)
    # landfill share of solid waste: micro 0 (nothing landfilled), baseline 0.11915 / 0.15785 = 0.755
    assert "0.000" in row and "meets" in row and f"{0.11915 / 0.15785:.3f}" in row and "above" in row
    policy = _toml(POLICY_FILE)
    (target,) = [t for t in policy["target"] if t["id"] == "landfill_max_5pct_2025_consultation"]
    assert f"sources disagree: {target['conflicts'][0]}" in flat
    (landing,) = [s for s in policy["source"] if s["id"] == "wrap-cymru-cef-landing"]
    assert f"Circular Economy Fund status [wrap-cymru-cef-landing]: {landing['note']}" in flat
