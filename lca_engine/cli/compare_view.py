"""What `lca-engine compare` prints: the claim check and the paired differences, one block per micro-factory, readable
in 80 columns — ids, numbers and verdicts whole, headers in words, P with the digits that show the verdict rule."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from rich.console import Group
from rich.table import Table
from rich.text import Text

from ..claims import NOT_SUPPORTED, SUPPORTED, verdict_of
from ..indicators import SCOPE_LABELS
from .common import literal
from .fit import blocks, fit

#: The claim check's columns: verdict table column → header.
CLAIM_HEADERS = {
    "claim": "claim",
    "scope": "scope",
    "claimed_change": "claimed",
    "measured_change": "measured",
    "coverage": "coverage",
    "p_claim_holds": "P(holds)",
    "verdict": "verdict",
}
CLAIM_RULE = f"verdict: supported if P(holds) ≥ {SUPPORTED}, not supported if ≤ {NOT_SUPPORTED}, else inconclusive"
COVERAGE_NOTE = "coverage: the lower of the two sides' share of the inflows in scope characterised"
#: The paired differences' columns.
DIFFERENCE_HEADERS = {
    "indicator": "indicator",
    "mean": "mean",
    "p2_5": "2.5 %",
    "p97_5": "97.5 %",
    "p_lower": "P(micro < baseline)",
}
BOTH_ZERO = "no difference: both 0"
EQUAL = "no difference: equal in every draw"


def p_text(p: float) -> str:
    """P(claim holds) with as many decimals as the verdict rule needs to be read off it: 0.0509 → '0.051'
    (inconclusive), never '0.05' beside a '≤ 0.05' rule."""
    if p != p:
        return "n/a"
    for decimals in range(2, 7):
        text = f"{p:.{decimals}f}"
        if verdict_of(float(text)) == verdict_of(p):
            return text
    return repr(p)


def _claim_cells(rows: pd.DataFrame) -> pd.DataFrame:
    cells = pd.DataFrame(
        {
            "claim": rows["claim"].astype(str),
            "scope": rows["scope"].map(lambda s: SCOPE_LABELS.get(s, "operations")),
            "claimed_change": rows["claimed_change"].map(lambda v: f"{v:+.0%}"),
            "measured_change": rows["measured_change"].map(lambda v: "n/a" if v != v else f"{v:+.1%}"),
            "coverage": rows["coverage"].map(lambda v: "" if v != v else f"{v:.0%}"),
            "p_claim_holds": rows["p_claim_holds"].map(p_text),
            "verdict": rows["verdict"].astype(str),
        }
    )
    return cells.rename(columns=CLAIM_HEADERS)


def _pair(factory: str, baseline) -> str:
    return f"{factory} vs {baseline}" if isinstance(baseline, str) and baseline else factory


def _table(cells: pd.DataFrame, heading: str, whole: set[int], numbers: set[int], width: int):
    """One pair's table without rules, one space between columns (80 columns hold it); the block layout if even that
    is too wide. Headers are counted in the widths: a header word is never folded."""
    table = Table(box=None, pad_edge=False, collapse_padding=True, header_style="bold underline")
    justify = ["right" if i in numbers else "left" for i in range(len(cells.columns))]
    for column, how in zip(cells.columns, justify, strict=True):
        table.add_column(Text(literal(column), justify=how), justify=how)
    for row in cells.itertuples(index=False):
        table.add_row(*(Text(literal(v), justify=how) for v, how in zip(row, justify, strict=True)))
    if fit(table, [[c, *cells[c]] for c in cells.columns], whole) > width:
        return blocks(cells, heading)
    return Group(Text(literal(heading), style="bold"), table)


def claims_view(verdicts: pd.DataFrame, title: str, width: int) -> Group:
    """The claim check per micro-factory vs its baseline: claim id, scope, claimed and measured change, coverage,
    P(holds) and the verdict, whole; then the rule and what coverage means."""
    parts: list = [Text(literal(title), style="italic")]
    verdict_column = list(CLAIM_HEADERS).index("verdict")
    for (factory, baseline), rows in verdicts.groupby(["factory", "baseline"], sort=False, dropna=False):
        cells = _claim_cells(rows)
        parts.append(_table(cells, _pair(factory, baseline), {0, 2, 3, 4, 5, verdict_column}, {2, 3, 4, 5}, width))
    parts += [Text(CLAIM_RULE), Text(COVERAGE_NOTE)]
    return Group(*parts)


def _difference_p(mc, factory: str, baseline: str, indicator: str, p_lower: float) -> str:
    """P(micro < baseline), or in words where there is no difference: 0 there would read 'certainly worse'."""
    micro, base = mc.of(factory, indicator), mc.of(baseline, indicator)
    if not np.any(micro) and not np.any(base):
        return BOTH_ZERO
    if not np.any(micro - base):
        return EQUAL
    text = f"{p_lower:.3f}"
    return f"{p_lower:.4f}" if float(text) in (0.0, 1.0) and p_lower not in (0.0, 1.0) else text  # 0.9995, not 1.000


def _number(v: float) -> str:
    return "n/a" if v != v or math.isinf(v) else f"{v:.4g}"


def differences_view(diffs: pd.DataFrame, runs: dict, title: str, width: int) -> Group:
    """Per micro-factory − baseline: the mean difference per functional unit, its 95 % interval and P(micro lower);
    ``runs``: micro-factory id → the paired Monte Carlo the pair's rows come from."""
    parts: list = [Text(literal(title), style="italic")]
    for (factory, baseline), rows in diffs.groupby(["factory", "baseline"], sort=False):
        cells = pd.DataFrame(
            {
                "indicator": rows["indicator"].astype(str),
                "mean": rows["mean"].map(_number),
                "p2_5": rows["p2_5"].map(_number),
                "p97_5": rows["p97_5"].map(_number),
                "p_lower": [
                    _difference_p(runs[factory], factory, baseline, r.indicator, r.p_lower) for r in rows.itertuples()
                ],
            }
        ).rename(columns=DIFFERENCE_HEADERS)
        parts.append(_table(cells, f"{factory} − {baseline}", {0, 1, 2, 3}, {1, 2, 3, 4}, width))
    return Group(*parts)


def not_assessable_lines(verdicts: pd.DataFrame) -> list[Text]:
    """One paragraph per claim that cannot be judged, with the reason (wrapped between words)."""
    return [
        Text(literal(f"{r.factory} · {r.claim} · {SCOPE_LABELS.get(r.scope, 'operations')}: not assessable — {r.why}"))
        for r in verdicts[verdicts.verdict == "not assessable"].itertuples()
    ]


def verdict_view(assessment, factory: str, mc, width: int) -> Group:
    """One micro-factory's verdict block (:func:`lca_engine.verdict.verdict_block`): per headline indicator and
    scope the point change, Monte Carlo mean difference, 95 % interval, P(better) and verdict, whole in 80 columns;
    the not-assessable reasons under it."""
    from ..verdict import Direction, verdict_block

    block = verdict_block(assessment, factory, mc)
    cells = pd.DataFrame(
        {
            "indicator": block["indicator"],
            "scope": block["scope"].map(SCOPE_LABELS),
            "unit": block["unit"],
            "point change": [
                _change(c, d) for c, d in zip(block["point_change"], block["point_difference"], strict=True)
            ],
            "MC mean": block["mean_difference"].map(_number),
            "95 % interval": [
                "n/a" if lo != lo else f"{_number(lo)} … {_number(hi)}"
                for lo, hi in zip(block["p2_5"], block["p97_5"], strict=True)
            ],
            "P(better)": block["p_better"].map(p_text),
            "verdict": block["verdict"].astype(str),
        }
    )
    heading = f"verdict: {_pair(factory, dict(assessment.pairs).get(factory))}"
    judged = zip(block["note"], block["verdict"], strict=True)
    reasons = sorted({n for n, v in judged if v == Direction.NOT_ASSESSABLE and n})
    table = _table(cells, heading, {0, 3, 4, 5, 6, 7}, {3, 4, 5, 6}, width)
    return Group(table, *(Text(literal(f"not assessable: {r}")) for r in reasons))


def _change(change: float, difference: float) -> str:
    return _number(difference) if change != change else f"{change:+.1%} ({_number(difference)})"
