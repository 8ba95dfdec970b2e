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
from dashboard.charts import change, fmt, pct, signed
from dashboard.ui import literal
from lca_engine.verdict import POINT_VS_MEAN, Direction

MARKS = {
    Direction.BETTER: "▲ better",
    Direction.WORSE: "▼ worse",
    Direction.UNCERTAIN: "≈ uncertain",
    Direction.NO_DIFFERENCE: "= no difference",
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


#: The library's verdict where the two sides are equal in every draw (e.g. both 0), as shown.
NO_DIFFERENCE = MARKS[Direction.NO_DIFFERENCE]


def verdict_text(row) -> str:
    """The verdict as shown (the library's :class:`~lca_engine.verdict.Direction` with its mark)."""
    return mark(row["verdict"])


def _interval(lo: float, hi: float) -> str:
    return "n/a" if math.isnan(lo) else f"{signed(lo)} … {signed(hi)}"


def footnotes(notes) -> tuple[list[str], list[str]]:
    """(a marker per row: ' [n]' or '', the distinct notes in order of first use): notes shown once under the
    table, numbered, instead of a cut cell."""
    order: list[str] = []
    markers = []
    for n in notes:
        if n and n not in order:
            order.append(n)
        markers.append(f" [{order.index(n) + 1}]" if n else "")
    return markers, order


def verdict_table(block: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """The rows of :func:`lca_engine.verdict.verdict_block` as shown, and the notes as footnotes: indicator and
    scope in words, the verdict (with its footnote number), P(better), the point change (relative and absolute),
    the Monte Carlo mean and 95 % interval of the difference with the unit, and the lower coverage of both sides."""
    # a row with draws has at most the point-vs-mean note: a dagger on its mean, explained once (as on page 1 of
    # the report); the other notes (why a row is not assessable) numbered on the verdict
    drawn = [m == m for m in block["mean_difference"]]
    dagger = [" †" if d and n else "" for d, n in zip(drawn, block["note"], strict=True)]
    markers, notes = footnotes(["" if d else (n or "") for d, n in zip(drawn, block["note"], strict=True)])
    units = list(block["unit"])
    table = pd.DataFrame(
        {
            "indicator": [short_name(i) for i in block["indicator"]],
            "scope": [engine.SCOPE_LABELS[s] for s in block["scope"]],
            "verdict": [verdict_text(r) + m for (_, r), m in zip(block.iterrows(), markers, strict=True)],
            "P(better)": [pct(p, sign=False, decimals=0) for p in block["p_better"]],
            "point change": [
                change(c, d, u) for c, d, u in zip(block["point_change"], block["point_difference"], units, strict=True)
            ],
            "MC mean difference": [
                "n/a" if math.isnan(m) else f"{signed(m)} {u}{d}"
                for m, u, d in zip(block["mean_difference"], units, dagger, strict=True)
            ],
            "95 % interval": [_interval(lo, hi) for lo, hi in zip(block["p2_5"], block["p97_5"], strict=True)],
            "coverage": [pct(c, sign=False, decimals=0) for c in block["coverage"]],
        }
    )
    return table, notes


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
    table, notes = verdict_table(block)
    st.table(table, hide_index=True)
    show_footnotes(notes)
    mc = engine.paired_draws(a, key, fid)
    st.caption("† " + point_vs_mean() + (" " + mc.solve_note() if mc is not None else ""))


def show_footnotes(notes: list[str]) -> None:
    """The numbered notes under a table, whole."""
    if notes:
        st.caption("  \n".join(f"\\[{i}\\] {literal(n)}" for i, n in enumerate(notes, 1)))
    st.caption(VERDICT_HELP)


def _cell(row: pd.Series) -> str:
    """'-64.8% · ▲ better (P 100%)': one indicator at one scope in a portfolio row (the difference with its unit
    where the baseline is 0 and there is no relative change)."""
    p = "" if math.isnan(row["p_better"]) else f" (P {pct(row['p_better'], sign=False, decimals=0)})"
    rel = row["point_change"]
    point = f"{signed(row['point_difference'])} {row['unit']}" if math.isnan(rel) else pct(rel)
    verdict = verdict_text(row)
    return f"{point} · {verdict}" + ("" if verdict == NO_DIFFERENCE else p)


def portfolio_verdicts(a, key: str, df: pd.DataFrame, scope: str) -> pd.DataFrame:
    """One row per micro-factory at one scope: its short label (site · sector, as the change chart), per headline
    indicator the point change with the verdict and P(better), then its MCI."""
    rows = []
    for fid, name in zip(df["factory"], engine.short_labels(df), strict=True):
        block = engine.verdicts(a, key, fid).set_index(["indicator", "scope"])
        row = {"micro-factory": name}
        row |= {engine.HEADLINE_LABELS[ind]: _cell(block.loc[(ind, scope)]) for ind in engine.HEADLINE}
        rows.append(row)
    out = pd.DataFrame(rows)
    out["MCI"] = [fmt(v, 3) for v in df["MCI"]]
    return out


def who_is_who(df: pd.DataFrame) -> pd.DataFrame:
    """The short label of each micro-factory with its whole name, functional unit and baseline."""
    return pd.DataFrame(
        {
            "micro-factory": engine.short_labels(df),
            "name": df["name"],
            "functional unit": df["functional unit"],
            "baseline": df["baseline"],
        }
    )


#: The claim check's columns as shown (what is claimed: a table of its own; the basis: numbered notes).
CLAIM_COLUMNS = {
    "claim": "claim",
    "scope": "scope",
    "indicator": "indicator",
    "verdict": "verdict",
    "p_claim_holds": "P(claim holds)",
    "claimed_change": "claimed change",
    "measured_change": "point change",
    "coverage": "coverage",
}


def _indicator(ind: str) -> str:
    return short_name(ind) if ind in engine.indicator_ids() else str(ind).replace("_", " ")


def claims_table(claims: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """The claim check (:func:`lca_engine.claims.check_claims` rows) as shown, drawn whole: one row per claim and
    scope, the verdict marked with the number of its basis; and the bases, numbered, for under the table."""
    markers, notes = footnotes([w or "" for w in claims["why"]])
    show = claims[list(CLAIM_COLUMNS)].copy()
    show["scope"] = show["scope"].map(lambda s: engine.SCOPE_LABELS.get(s, "operations"))
    show["indicator"] = show["indicator"].map(_indicator)
    show["verdict"] = [v + m for v, m in zip(show["verdict"], markers, strict=True)]
    show["claimed_change"] = show["claimed_change"].map(lambda v: pct(v, decimals=0))
    show["measured_change"] = show["measured_change"].map(pct)
    show["coverage"] = show["coverage"].map(lambda v: pct(v, decimals=0, sign=False))
    show["p_claim_holds"] = show["p_claim_holds"].map(lambda v: fmt(v, 3))
    return show.rename(columns=CLAIM_COLUMNS), notes


def claims_text(claims: pd.DataFrame) -> pd.DataFrame:
    """What each claim says, once per claim."""
    first = claims.drop_duplicates("claim")
    return pd.DataFrame({"claim": first["claim"], "what is claimed": first["text"]})


def show_claims(claims: pd.DataFrame) -> None:
    """The claim check whole: the verdicts, the bases numbered under them, then what each claim says."""
    table, notes = claims_table(claims)
    st.table(table, hide_index=True)
    if notes:
        st.caption("Basis: " + "  \n".join(f"\\[{i}\\] {literal(n)}" for i, n in enumerate(notes, 1)))
    st.table(claims_text(claims), hide_index=True)


def circularity_table(pair: pd.DataFrame) -> pd.DataFrame:
    """:func:`dashboard.views.circularity_pair` as shown: shares in %, the difference in points."""

    def shown(v: float, share: bool, sign: bool = False) -> str:
        if math.isnan(v):
            return "not stated"
        if share:
            return f"{signed(100 * v)} points" if sign else pct(v, sign=False)
        return signed(v) if sign else fmt(v, 3)

    return pd.DataFrame(
        {
            "figure": pair["figure"],
            "micro-factory": [shown(v, s) for v, s in zip(pair["micro-factory"], pair["share"], strict=True)],
            "baseline": [shown(v, s) for v, s in zip(pair["baseline"], pair["share"], strict=True)],
            "difference": [shown(v, s, True) for v, s in zip(pair["difference"], pair["share"], strict=True)],
        }
    )
