"""Issue 22 in the dashboard: the circularity page puts micro-factory and baseline side by side with the CTI
project variants named as such, the scenarios page says which scenario cannot act on an inventory, the Wales page
shows the Beyond Recycling rows for both systems, sources that disagree and the closed Circular Economy Fund.

Driven with ``streamlit.testing.v1.AppTest`` on the real engine. Expected values are worked out here from the
inventory and policy TOML files with ``tomllib`` (plain arithmetic), never from what the pages or the engine print.
"""

from __future__ import annotations

import tomllib

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from .conftest import EXAMPLES, ROOT

APP = str(ROOT / "dashboard" / "app.py")
MICRO_FILE = EXAMPLES / "textile_merthyr_micro.toml"
BASE_FILE = EXAMPLES / "textile_conventional_baseline.toml"
POLICY_FILE = ROOT / "inventories" / "wales_policy.toml"
SCENARIO_FILE = ROOT / "inventories" / "scenarios.toml"
FUND_LANDING = "wrap-cymru-cef-landing"  # the fund's landing page in the policy file (issue 22)
TIMEOUT = 300


def read(path) -> dict:
    with open(path, "rb") as fh:
        return tomllib.load(fh)


def by_hand(path) -> dict[str, float]:
    """CTI % circular outflow with and without the MCI yield E_C, and the recycling rate of solid process waste,
    from the TOML amounts: outflow = product + waste leaving; recovery of the product C_U + C_R + C_C (variant:
    C_U + C_R·E_C + C_C) plus process waste sent to recycling / reuse / composting; effluent to waste-water
    treatment is not solid waste."""
    data = read(path)
    processes = {p["id"] for p in data["processes"]}
    (product,) = [f for f in data["flows"] if f["kind"] == "product"]
    mass = product["amount"] * float(product["mass_per_unit"].split()[0])
    leaving = [f for f in data["flows"] if f["kind"] == "waste" and f["to"] not in processes]
    recovered = sum(f["amount"] for f in leaving if f["to"] in ("recycling", "reuse", "composting"))
    solid = sum(f["amount"] for f in leaving if f["to"] != "wastewater_treatment")
    outflow = mass + sum(f["amount"] for f in leaving)
    e = data["end_of_use"]
    method = e["collected_for_reuse"] + e["collected_for_recycling"] + e["collected_for_composting"]
    variant = method - e["collected_for_recycling"] * (1 - e["recycling_efficiency_collection"])
    return {
        "outflow": (mass * method + recovered) / outflow,
        "outflow_variant": (mass * variant + recovered) / outflow,
        "recycling_rate": recovered / solid,
    }


def pct(x: float) -> str:
    return f"{x:.1%}"


def plain(text: str) -> str:
    """Markdown text as read: without the backslashes that keep user text literal."""
    return text.replace("\\", "")


def frames(at: AppTest) -> list[pd.DataFrame]:
    """Every table on the page: interactive (st.dataframe) and static (st.table, whose cells wrap)."""
    return [d.value.data if hasattr(d.value, "data") else d.value for d in [*at.dataframe, *at.table]]


def unmarked(values: pd.Series) -> pd.Series:
    """Cells without the number of their footnote ('% circular outflow [2]' → '% circular outflow')."""
    return values.astype(str).str.replace(r" \[\d+\]$", "", regex=True)


def row(at: AppTest, column: str, label: str) -> pd.Series:
    """The first row of any table whose ``column`` equals ``label`` (its footnote number aside)."""
    for df in frames(at):
        if column in df.columns and (unmarked(df[column]) == label).any():
            return df[unmarked(df[column]) == label].iloc[0]
    raise AssertionError(f"no row {label!r} in column {column!r}")


def note(at: AppTest, cell: str) -> str:
    """The method note a figure's marker ('… [3]') points to, from the numbered list under its table."""
    n = cell.rsplit("[", 1)[1].rstrip("]")
    for m in at.markdown:
        for line in m.value.splitlines():
            if line.startswith(f"{n}. "):
                return plain(line)
    raise AssertionError(f"no note {n}")


def checked_run(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


@pytest.fixture(scope="module")
def app():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    return checked_run(at.run())


def open_page(at: AppTest, name: str) -> AppTest:
    checked_run(at.switch_page(f"pages/{name}.py").run())
    micro = read(MICRO_FILE)["id"]
    if at.selectbox and at.selectbox[0].label == "Micro-factory" and at.selectbox[0].value != micro:
        checked_run(at.selectbox[0].set_value(micro).run())
    return at


def test_circularity_page_sets_micro_factory_and_baseline_side_by_side(app):
    from lca_engine.circularity import YIELD_NOTE
    from lca_engine.circularity.labels import FIGURES

    at = open_page(app, "circularity")
    micro, base = by_hand(MICRO_FILE), by_hand(BASE_FILE)
    label = {(f.section, f.key): f.label for f in FIGURES}
    outflow = row(at, "figure", label["cti", "circular_outflow"])
    assert (outflow["micro-factory"], outflow["baseline"]) == (pct(micro["outflow"]), pct(base["outflow"]))
    assert outflow["micro-factory"] == "42.9%"  # the WBCSD figure for the textile micro-factory
    points = 100 * (micro["outflow"] - base["outflow"])  # the difference in percentage points, 3 s.f.
    assert outflow["difference"].endswith(" points"), outflow["difference"]
    assert float(outflow["difference"].split()[0]) == pytest.approx(points, rel=5e-3), (outflow["difference"], points)
    variant = row(at, "figure", label["cti", "circular_outflow_yield_adjusted"])
    assert "project variant" in variant["figure"] and "yield-adjusted" in variant["figure"]
    assert (variant["micro-factory"], variant["baseline"]) == (
        pct(micro["outflow_variant"]),
        pct(base["outflow_variant"]),
    )
    assert "E_C" in note(at, variant["figure"])
    assert any(YIELD_NOTE in c.value for c in at.caption)  # the difference explained once, under the table
    waste = row(at, "figure", label["waste", "recycling_rate"])
    assert (waste["micro-factory"], waste["baseline"]) == (pct(micro["recycling_rate"]), pct(base["recycling_rate"]))
    assert waste["baseline"] == "24.5%"
    for df in frames(at):
        assert not df.isna().any().any(), df
        assert not df.isin(["None", "nan", "NaN"]).any().any(), df
        assert not [c for c in df.columns if "_" in str(c)], df.columns  # no code names in headers
    assert list(frames(at)[0].columns) == ["figure", "micro-factory", "baseline", "difference", "unit"]
    # every table drawn whole (st.table: all rows, text wrapped), none scrolling inside a fixed height
    assert not at.dataframe and len(at.table) >= 6
    for df in frames(at):
        if "difference" in df.columns:  # "—" exactly where a side does not state the figure
            missing = df["micro-factory"].isin(["not stated", "no such loop"]) | df["baseline"].isin(
                ["not stated", "no such loop"]
            )
            assert ((df["difference"] == "—") == missing).all(), df


def test_scenarios_page_says_what_cannot_act_on_the_textiles(app):
    at = open_page(app, "scenarios")
    micro = read(MICRO_FILE)
    recycled = [s["name"] for s in read(SCENARIO_FILE)["scenarios"] if s.get("recycled_share")]
    closed_loop = {
        k.removesuffix(".primary") + ".closed_loop"
        for f in micro["flows"]
        if f.get("origin") == "virgin"
        for k in ([f["background"]] if isinstance(f.get("background"), str) else f.get("background", []))
        if k.startswith("desnz.material.") and k.endswith(".primary")
    }
    assert recycled == ["recycled-50"] and closed_loop == {"desnz.material.clothing.closed_loop"}
    infos = [plain(i.value) for i in at.info]
    named = [i for i in infos if "recycled-50" in i and "cannot act" in i]
    assert named and micro["name"] in named[0] and "desnz.material.clothing.closed_loop" in named[0], infos
    assert not any(i.startswith("The settings above") for i in infos)  # nothing chosen yet: nothing to say
    checked_run(at.slider(key="sc-recycled").set_value(0.5).run())
    infos = [plain(i.value) for i in at.info]
    assert any(i.startswith("The settings above") and micro["name"] in i and "closed_loop" in i for i in infos)
    help_text = at.slider(key="sc-renewable").help
    assert "market-based" in help_text and "transmission and distribution losses" in help_text


def test_wales_page_shows_both_systems_conflicts_and_the_closed_fund(app):
    at = open_page(app, "wales")
    policy = read(POLICY_FILE)
    (landing,) = [s for s in policy["source"] if s["id"] == FUND_LANDING]
    assert any(landing["note"] in plain(w.value) for w in at.warning), [w.value for w in at.warning]
    assert "not currently accepting applications" in landing["table"]
    # Beyond Recycling: both systems on the solid-waste basis, and the target with conflicting sources
    (landfill,) = [t for t in policy["target"] if t["id"] == "landfill_max_5pct_2025_consultation"]
    br = next(df for df in frames(at) if "baseline status" in df.columns)
    evidence = next(df for df in frames(at) if "in-house recovery, baseline" in df.columns)
    shown = evidence[evidence["target"].str.endswith(landfill["text"])].iloc[0]
    assert shown["sources disagree"] == f"{len(landfill['conflicts'])} sources disagree — see below"
    recycling = br[br["basis"].str.startswith("recycling rate")].iloc[0]
    micro, base = by_hand(MICRO_FILE), by_hand(BASE_FILE)
    assert (recycling["micro-factory"], recycling["baseline"]) == (
        pct(micro["recycling_rate"]),
        pct(base["recycling_rate"]),
    )
    assert {"in-house recovery, micro-factory", "in-house recovery, baseline"} <= set(evidence.columns)
    assert list(evidence["target"]) == list(br["target"])  # the two Beyond Recycling tables, row for row
    markdown = " ".join(plain(m.value) for m in at.markdown)
    assert all(c in markdown for c in landfill["conflicts"])  # every disagreeing source listed in full
    # goals: the count of sources that disagree with a goal's wording, from the file
    goals = next(df for df in frames(at) if "goal wording" in df.columns)
    for g in policy["goal"]:
        n = len(g.get("conflicts", []))
        expected = f"{n} sources disagree — see below" if n > 1 else ("1 source disagrees — see below" if n else "—")
        assert goals[goals["goal"] == g["name"]].iloc[0]["sources disagree"] == expected
