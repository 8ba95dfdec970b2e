"""The verdict block as every page shows it — Factory (top), Portfolio (one row per micro-factory), uploads — and
the blocks shown beside it for an upload: the claim check and circularity of both sides.

One function draws the block (:func:`verdict_block`); the tables it shows are built by pure functions
(:func:`verdict_table`, :func:`portfolio_verdicts`, :func:`claims_table`, :func:`circularity_table`) that the tests
read. Every number comes from :mod:`dashboard.engine`."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from dashboard import engine
from dashboard.charts import fmt, pct
from lca_engine.verdict import POINT_VS_MEAN, Direction

MARKS = {
    Direction.BETTER: "▲ better",
    Direction.WORSE: "▼ worse",
    Direction.UNCERTAIN: "≈ uncertain",
    Direction.NOT_ASSESSABLE: "– not assessable",
    "": "point estimate only",
}
VERDICT_HELP = (
    "better: P(better) ≥ 95 %; worse: ≤ 5 %; uncertain in between; not assessable: a side's coverage at that scope "
    "is below 90 % (the note names the flows not characterised) or there is no baseline. P(better) = share of "
    "paired draws in which the micro-factory is lower than its baseline."
)


def point_vs_mean(draws: int = engine.VERDICT_DRAWS, seed: int = engine.VERDICT_SEED) -> str:
    """The library's one sentence on point change vs Monte Carlo mean (:data:`lca_engine.verdict.POINT_VS_MEAN`,
    as in the report), then the draws it rests on."""
    report = (draws, seed) == (engine.VERDICT_DRAWS, engine.VERDICT_SEED)
    same = " — the draws of page 1 of the report" if report else ""
    return (
        f"{POINT_VS_MEAN} Monte Carlo: {draws:,} paired draws of the micro-factory and its baseline alone, "
        f"seed {seed}{same}."
    )


def mark(verdict: str) -> str:
    return MARKS.get(verdict, verdict)


def _interval(lo: float, hi: float) -> str:
    return "n/a" if math.isnan(lo) else f"{fmt(lo, 3)} … {fmt(hi, 3)}"


def verdict_table(block: pd.DataFrame) -> pd.DataFrame:
    """The rows of :func:`lca_engine.verdict.verdict_block` as shown: indicator and scope in words, the point
    change, the Monte Carlo mean and 95 % interval of the difference, P(better), the verdict, coverage and note."""
    return pd.DataFrame(
        {
            "indicator": [short_name(i) for i in block["indicator"]],
            "scope": [engine.SCOPE_LABELS[s] for s in block["scope"]],
            "verdict": [mark(v) for v in block["verdict"]],
            "P(better)": [pct(p, sign=False, decimals=0) for p in block["p_better"]],
            "point change": [pct(c) for c in block["point_change"]],
            "point difference": [
                f"{fmt(d, 3)} {u}" for d, u in zip(block["point_difference"], block["unit"], strict=True)
            ],
            "MC mean difference": [fmt(m, 3) for m in block["mean_difference"]],
            "95 % interval": [_interval(lo, hi) for lo, hi in zip(block["p2_5"], block["p97_5"], strict=True)],
            "coverage": [pct(c, sign=False, decimals=0) for c in block["coverage"]],
            "note": [n or "" for n in block["note"]],
        }
    )


def short_name(ind: str) -> str:
    """The card label of a headline indicator, else its name up to the first comma ('Primary energy')."""
    return engine.HEADLINE_LABELS.get(ind) or engine.indicator_name(ind).split(",")[0]


def verdict_block(a, key: str, fid: str, *, title: str = "Verdict: better than the baseline, and how sure?") -> None:
    """The verdict block of one micro-factory against its baseline, on the cached paired Monte Carlo."""
    st.subheader(title, help=VERDICT_HELP)
    if not engine.baseline_of(a, fid):
        st.info("No baseline is named in this inventory: there is nothing to compare with.")
        return
    try:
        block = engine.verdicts(a, key, fid)
    except engine.LcaEngineError as exc:
        st.error(f"The Monte Carlo could not run: {exc.problems[0].message}")
        return
    st.dataframe(
        verdict_table(block),
        hide_index=True,
        width="stretch",
        column_config={
            "indicator": st.column_config.TextColumn(pinned=True),
            "point change": st.column_config.TextColumn(help="(micro-factory − baseline) / baseline, as written."),
            "MC mean difference": st.column_config.TextColumn(help="Mean over the paired draws, unit as the row."),
            "95 % interval": st.column_config.TextColumn(help="2.5 % and 97.5 % percentiles of the difference."),
            "P(better)": st.column_config.TextColumn(help=VERDICT_HELP),
            "coverage": st.column_config.TextColumn(help="The lower of the two sides' coverage at this scope."),
            "note": st.column_config.TextColumn(width="large"),
        },
    )
    st.caption(point_vs_mean())


def _cell(row: pd.Series) -> str:
    """'−64.8 % · ▲ better (P 100 %)': one indicator at one scope in a portfolio row (the difference with its unit
    where the baseline is 0 and there is no relative change)."""
    p = "" if math.isnan(row["p_better"]) else f" (P {pct(row['p_better'], sign=False, decimals=0)})"
    change = row["point_change"]
    point = f"{fmt(row['point_difference'], 3)} {row['unit']}" if math.isnan(change) else pct(change)
    return f"{point} · {mark(row['verdict'])}{p}"


def portfolio_verdicts(a, key: str, df: pd.DataFrame) -> pd.DataFrame:
    """One row per micro-factory of the portfolio table: name, then per headline indicator and scope the point
    change with the verdict and P(better), then MCI, sector, site, functional unit and baseline."""
    rows = []
    for fid, (_, r) in zip(df["factory"], df.iterrows(), strict=True):
        block = engine.verdicts(a, key, fid).set_index(["indicator", "scope"])
        row = {"name": r["name"]}
        for ind in engine.HEADLINE:
            for scope in engine.SCOPES:
                row[column(ind, scope)] = _cell(block.loc[(ind, scope)])
        row |= {"MCI": fmt(r["MCI"], 3), "sector": r["sector"], "site": r["site"]}
        row |= {"functional unit": r["functional unit"], "baseline": r["baseline"]}
        rows.append(row)
    return pd.DataFrame(rows)


def column(ind: str, scope: str) -> str:
    return f"{engine.HEADLINE_LABELS[ind]} · {engine.SCOPE_LABELS[scope]}"


#: The claim check's columns as shown, the verdict first after the claim and its scope.
CLAIM_COLUMNS = {
    "claim": "claim",
    "scope": "scope",
    "verdict": "verdict",
    "p_claim_holds": "P(claim holds)",
    "claimed_change": "claimed change",
    "measured_change": "point change",
    "coverage": "coverage",
    "text": "what is claimed",
    "indicator": "indicator",
    "why": "basis",
}
#: Column settings of the claim table (the claim's id stays in view when the table scrolls sideways).
CLAIM_CONFIG = {"claim": st.column_config.TextColumn(pinned=True)}


def claims_table(claims: pd.DataFrame) -> pd.DataFrame:
    """The claim check (:func:`lca_engine.claims.check_claims` rows) as shown."""
    show = claims[list(CLAIM_COLUMNS)].copy()
    show["scope"] = show["scope"].map(lambda s: engine.SCOPE_LABELS.get(s, "operations"))
    show["claimed_change"] = show["claimed_change"].map(lambda v: pct(v, decimals=0))
    show["measured_change"] = show["measured_change"].map(pct)
    show["coverage"] = show["coverage"].map(lambda v: pct(v, decimals=0, sign=False))
    show["p_claim_holds"] = show["p_claim_holds"].map(lambda v: fmt(v, 3))
    return show.rename(columns=CLAIM_COLUMNS)


def circularity_table(pair: pd.DataFrame) -> pd.DataFrame:
    """:func:`dashboard.views.circularity_pair` as shown: shares in %, the difference in points."""

    def shown(v: float, share: bool, sign: bool = False) -> str:
        if math.isnan(v):
            return "not stated"
        if share:
            return f"{100 * v:+.1f} points" if sign else pct(v, sign=False)
        return f"{v:+.3f}" if sign else fmt(v, 3)

    return pd.DataFrame(
        {
            "figure": pair["figure"],
            "micro-factory": [shown(v, s) for v, s in zip(pair["micro-factory"], pair["share"], strict=True)],
            "baseline": [shown(v, s) for v, s in zip(pair["baseline"], pair["share"], strict=True)],
            "difference": [shown(v, s, True) for v, s in zip(pair["difference"], pair["share"], strict=True)],
        }
    )
