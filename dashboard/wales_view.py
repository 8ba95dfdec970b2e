"""The Wales page's tables as pure functions of :class:`lca_engine.wales.WalesAlignment` and the policy facts: the
summary per micro-factory at the top, then one table per section. Long wording goes into tables the page draws with
``st.table`` (cells wrap, nothing is cut); the tests read these functions."""

from __future__ import annotations

import math

import pandas as pd

from dashboard import charts
from dashboard.wales_cache import NOT_STATED
from lca_engine.wales import GrantStatus

C = charts.OKABE_ITO
NEUTRAL = "#555555"  # darker than Okabe–Ito grey, for legible text on white
#: direction / status → (marker text, colour). The marker carries the meaning; the colour only repeats it.
MARKS = {
    "better": ("▲ better", C["bluish_green"]),
    "worse": ("▼ worse", C["vermillion"]),
    "contributes": ("● contributes", C["blue"]),
    "no contribution": ("○ no contribution", NEUTRAL),
    "no change": ("= no change", NEUTRAL),
    NOT_STATED: ("? not stated", NEUTRAL),
    "not assessed": ("– not assessed", NEUTRAL),
    "meets": ("✔ meets", C["bluish_green"]),
    "below": ("✘ below", C["vermillion"]),
    "above": ("✘ above", C["vermillion"]),
    "not yet": ("✘ not yet", C["vermillion"]),
    "no process waste stated": ("? no process waste stated", NEUTRAL),
    "met": ("✔ met", C["bluish_green"]),
    "not met": ("✘ not met", C["vermillion"]),
    "assessor's judgement": ("◆ assessor's judgement", C["blue"]),
}
COLOURS = {text: colour for text, colour in MARKS.values()}
#: The fund criteria statuses, in the order the page counts them.
FUND_STATUSES = (GrantStatus.MET, GrantStatus.NOT_MET, GrantStatus.ASSESSOR, GrantStatus.NOT_STATED)
TO_CHECK = "[wording to check] "

#: The summary's columns: short header → help (what is counted).
SUMMARY_HELP = {
    "micro-factory": "The micro-factory (each against the baseline its inventory names).",
    "▲ better": "Well-being measures (each counted once) better than the baseline's.",
    "▼ worse": "Well-being measures worse than the baseline's.",
    "● contrib.": "Measures only the micro-factory states (e.g. renewable capacity on site).",
    "? not stated": "Measures the inventory does not state: not counted as 0.",
    "Beyond Recycling": "Beyond Recycling targets met, of those checked (benchmarks, not obligations).",
    "✔ met": "Circular Economy Fund criteria met (pre-assessment, not a funding decision).",
    "✘ not met": "Circular Economy Fund criteria not met.",
    "◆ judgement": "Circular Economy Fund criteria left to the assessor's judgement (qualitative).",
    "? no figure": "Circular Economy Fund criteria the inventory gives no figure for.",
    "to check": "Policy entries behind this factory's rows (goals, National Indicators, ways of working, targets, "
    "fund criteria) whose wording has not yet been read in the publisher's own text.",
}


def mark(status: str) -> str:
    return MARKS.get(status, (status, NEUTRAL))[0]


def colour_marks(v) -> str:
    c = COLOURS.get(v)
    return f"color: {c}; font-weight: 600" if c else ""


def missing(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA


def value(v, unit: str) -> str | None:
    """A shown figure, or None when there is none (the caller says 'not stated' or '—', never 0)."""
    if missing(v):
        return None
    return charts.pct(v, sign=False) if unit == "share" else charts.fmt(v)


def disagree(conflicts) -> str:
    """The 'sources disagree' cell of an entry: how many sources say otherwise (listed in the expander below)."""
    n = len(conflicts or ())
    return f"{n} source{'s disagree' if n != 1 else ' disagrees'} — see below" if n else "—"


def checked(ok: bool, read: str = "") -> str:
    return f"✔ read at the publisher{f' ({read})' if read else ''}" if ok else "to check"


def unverified(w) -> int:
    """Policy entries behind the rows of one alignment whose wording is still to check (:data:`SUMMARY_HELP`)."""
    wfg = w.wfg
    goals = wfg.drop_duplicates("goal_id")
    nis = wfg[wfg["national_indicator"].notna()].drop_duplicates("national_indicator")
    return (
        int((~goals["goal_checked"].astype(bool)).sum())
        + int((~nis["indicator_checked"].astype(bool)).sum())
        + int((~w.ways["checked"].astype(bool)).sum())
        + (int((~w.beyond_recycling["target_checked"].astype(bool)).sum()) if len(w.beyond_recycling) else 0)
        + (int((~w.grants["criterion_checked"].astype(bool)).sum()) if len(w.grants) else 0)
    )


def summary(port: pd.DataFrame, alignments: dict, names: dict[str, str]) -> pd.DataFrame:
    """One row per micro-factory: the measures' directions and Beyond Recycling from
    :func:`lca_engine.wales.portfolio_alignment` (``port``), the fund criteria per status and the entries still to
    check from each one's alignment (``alignments``: factory id → WalesAlignment)."""
    rows = []
    for r in port.to_dict("records"):
        w = alignments[r["factory"]]
        fund = w.grants["status"].value_counts() if len(w.grants) else pd.Series(dtype=int)
        rows.append(
            {
                "micro-factory": names[r["factory"]],
                "▲ better": r["measures_better"],
                "▼ worse": r["measures_worse"],
                "● contrib.": r["contributions"],
                "? not stated": r["not_stated"],
                "Beyond Recycling": f"{r['beyond_recycling_met']} of {r['beyond_recycling_checked']} met",
            }
            | {h: int(fund.get(s, 0)) for h, s in zip(list(SUMMARY_HELP)[6:10], FUND_STATUSES, strict=True)}
            | {"to check": unverified(w)}
        )
    return pd.DataFrame(rows, columns=list(SUMMARY_HELP))


def goal_summary(wfg: pd.DataFrame, goals: pd.DataFrame, policy_goals: dict) -> pd.DataFrame:
    """One row per well-being goal (the Act's order): its measures by direction, whether its wording was read and
    how many sources disagree."""
    rows = []
    for g in goals.to_dict("records"):
        entry = policy_goals.get(g["goal_id"], {})
        counts = wfg[wfg.goal_id == g["goal_id"]]["direction"].value_counts()
        rows.append(
            {
                "goal": g["goal"],
                "measures": int(counts.sum()),
                "▲ better": int(counts.get("better", 0)),
                "▼ worse": int(counts.get("worse", 0)),
                "● contrib.": int(counts.get("contributes", 0)),
                "? not stated": int(counts.get(NOT_STATED, 0)),
                "– not assessed": int(counts.get("not assessed", 0)),
                "goal wording": checked(entry.get("verified", False), str(entry.get("read", ""))),
                "sources disagree": disagree(entry.get("conflicts")),
            }
        )
    return pd.DataFrame(rows)


def measure_rows(wfg: pd.DataFrame) -> pd.DataFrame:
    """The measures of a goal (rows of the alignment's ``wfg``) as shown; the National Indicator's wording whole,
    '[wording to check]' where it was not read at the publisher."""
    rows = []
    for r in wfg.to_dict("records"):
        unit, ni = r["unit"], r["national_indicator"]
        micro = value(r["micro_factory"], unit)
        if micro is None:
            micro = r["stated"] or ("not assessed" if r["direction"] == "not assessed" else NOT_STATED)
        wording = r["indicator_wording"]
        if not missing(ni) and not r["indicator_checked"]:
            wording = TO_CHECK + wording
        rows.append(
            {
                "NI": "—" if missing(ni) else f"NI {int(ni)}",
                "measure": r["measure"],
                "direction": mark(r["direction"]),
                "change": "—" if missing(r["relative_change"]) else charts.pct(r["relative_change"]),
                "micro-factory": micro,
                "baseline": value(r["baseline"], unit) or (NOT_STATED if unit != "—" else "—"),
                "unit": unit,
                "National Indicator (wording)": wording or "—",
            }
        )
    return pd.DataFrame(rows)


def evidence_rows(wfg: pd.DataFrame) -> pd.DataFrame:
    ev = wfg.drop_duplicates(["measure", "national_indicator"])
    return pd.DataFrame(
        {
            "measure": ev["measure"],
            "NI": ["—" if missing(n) else f"NI {int(n)}" for n in ev["national_indicator"]],
            "evidence": ev["evidence"],
            "source": ev["source"],
        }
    )


def ways_rows(ways: pd.DataFrame, policy_ways: dict) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "way": ways["way"],
            "what the Act asks": ways["what the Act asks"],
            "wording": [
                checked(ok, str(policy_ways.get(i, {}).get("read", "")))
                for ok, i in zip(ways["checked"], ways["way_id"], strict=True)
            ],
            "sources disagree": [disagree(policy_ways.get(i, {}).get("conflicts")) for i in ways["way_id"]],
            "what the inventory states": ways["what the inventory states"],
            "source": ways["source"],
        }
    )


def target_rows(br: pd.DataFrame, policy_targets: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Beyond Recycling in two tables keyed by the target: the figures (both systems and their status), then the
    evidence (in-house recovery of both, how the target applies, whether it was read, disagreeing sources)."""
    has_base = "baseline_value" in br.columns
    figures, evidence = [], []
    for r in br.to_dict("records"):
        unit = r["unit"]
        target = ("" if r["target_checked"] else "[to check] ") + r["target"]
        row = {"target": target, "basis": r["measure_label"]}
        row |= {"micro-factory": value(r["factory_value"], unit) or NOT_STATED, "status": mark(r["status"])}
        if has_base:
            row |= {"baseline": value(r["baseline_value"], unit) or NOT_STATED}
            row |= {"baseline status": mark(r["baseline_status"])}
        row |= {"target value": "zero" if unit != "share" else value(r["target_value"], "share") or "—"}
        row |= {"year": "—" if missing(r["year"]) else str(int(r["year"]))}
        figures.append(row)
        ev = {"target": target}
        ev["in-house recovery, micro-factory"] = value(r["factory_in_house_recovery"], "share") or NOT_STATED
        if has_base:
            ev["in-house recovery, baseline"] = value(r["baseline_in_house_recovery"], "share") or NOT_STATED
        ev |= {"applies as": r["applies_as"], "target read": checked(r["target_checked"], r["target_read"])}
        ev |= {"sources disagree": disagree(policy_targets.get(r["target_id"], {}).get("conflicts"))}
        evidence.append(ev | {"source": r["source"]})
    return pd.DataFrame(figures), pd.DataFrame(evidence)


def criteria_rows(gr: pd.DataFrame, policy_criteria: dict) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "criterion": [
                ("" if ok else "[to check] ") + c
                for c, ok in zip(gr["criterion"], gr["criterion_checked"], strict=True)
            ],
            "status": [mark(s) for s in gr["status"]],
            "figure": [f or "—" for f in gr["figure"]],
            "evidence": gr["evidence"],
            "criterion read": [
                checked(ok, str(rd or "")) for ok, rd in zip(gr["criterion_checked"], gr["read"], strict=True)
            ],
            "sources disagree": [disagree(policy_criteria.get(i, {}).get("conflicts")) for i in gr["criterion_id"]],
            "source": gr["source"],
        }
    )
