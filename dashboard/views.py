"""Tables and figures read off an :class:`lca_engine.Assessment` for the pages: no Streamlit, no caching, no I/O.

Both scopes of every number carry their coverage (:mod:`lca_engine.coverage`)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

import lca_engine as le
from dashboard.settings import HEADLINE
from lca_engine.circularity import circularity_report
from lca_engine.circularity import portfolio_mci as weighted_mci
from lca_engine.claims import MIN_COVERAGE
from lca_engine.coverage import of as coverage_of
from lca_engine.coverage import shortfall
from lca_engine.indicators import CRADLE_TO_GATE, INDICATORS, SCOPE_LABELS, SCOPES
from lca_engine.verdict import BETTER_AT


def indicator_name(ind: str) -> str:
    return INDICATORS[ind].name


def indicator_unit(ind: str) -> str:
    return INDICATORS[ind].unit


def indicator_ids() -> list[str]:
    return list(INDICATORS)


def indicator_table() -> pd.DataFrame:
    return pd.DataFrame(
        [(i.id, i.family, i.unit, i.name) for i in INDICATORS.values()],
        columns=["indicator", "family", "unit per functional unit", "name"],
    )


def comparison(a: le.Assessment) -> pd.DataFrame:
    return a.comparison()


def micro_ids(a: le.Assessment) -> list[str]:
    return [m for m, _ in a.pairs]


def baseline_of(a: le.Assessment, fid: str) -> str | None:
    return dict(a.pairs).get(fid)


def factory(a: le.Assessment, fid: str):
    return a.checked[fid].factory


def stated_renewable_share(a: le.Assessment, fid: str) -> float | None:
    """The renewable electricity share the inventory states in [socio_economic] (None: not stated)."""
    se = factory(a, fid).socio_economic
    s = se.renewable_electricity_share if se else None
    return None if s is None else float(s.value)


def label(a: le.Assessment, fid: str) -> str:
    f = factory(a, fid)
    return f"{f.name} ({f.sector})"


def headline(a: le.Assessment, fid: str) -> pd.DataFrame:
    """Micro-factory vs baseline for every indicator at both scopes (rows of :meth:`Assessment.comparison`),
    indexed by (indicator, scope)."""
    comp = a.comparison(scope=None)
    return comp[(comp.factory == fid) & (comp.scenario == "default")].set_index(["indicator", "scope"])


def total(a: le.Assessment, fid: str, indicator: str, scope: str = CRADLE_TO_GATE) -> float:
    return a.total(fid, indicator, scope)


def coverage(a: le.Assessment, fid: str, indicator: str, scope: str) -> dict:
    """One number's coverage row (:attr:`Assessment.coverage`): coverage share, flows ``missing``, ``to_check``."""
    return coverage_of(a.coverage, fid, indicator, scope)


def not_assessable(a: le.Assessment, fid: str, indicator: str, scope: str) -> str:
    """Why the verdict of ``indicator`` at ``scope`` is 'not assessable' — the verdict block's own note (a side's
    coverage below the claims' threshold, naming the flows not characterised) — or "" when it is assessable."""
    base = baseline_of(a, fid)
    if not base:
        return "no baseline"
    return shortfall(a.coverage, [fid, base], indicator, scope, MIN_COVERAGE)[1]


def _by_key(df: pd.DataFrame, column: str) -> pd.Series:
    """``column`` by (factory, indicator, scope), the first row of each as :meth:`Assessment.total` reads it."""
    keys = ["factory", "indicator", "scope"]
    return df.drop_duplicates(keys).set_index(keys)[column]


def all_totals(a: le.Assessment, fid: str, baseline: str | None) -> pd.DataFrame:
    """Every indicator at both scopes: values, difference, change and each side's coverage (each table indexed
    once: one lookup per number, not a scan)."""
    r = a.results
    sides = [fid, baseline] if baseline else [fid]
    value = _by_key(r[(r.contributor_type == "total") & (r.scenario == "default") & r.factory.isin(sides)], "value")
    cov = _by_key(a.coverage[a.coverage.factory.isin(sides)], "coverage")
    rows = []
    for ind in INDICATORS:
        for scope in SCOPES:
            m = float(value[(fid, ind, scope)])
            b = float(value[(baseline, ind, scope)]) if baseline else np.nan
            rows.append(
                {
                    "indicator": ind,
                    "scope": SCOPE_LABELS[scope],
                    "name": INDICATORS[ind].name,
                    "unit per FU": INDICATORS[ind].unit,
                    "micro-factory": m,
                    "coverage": cov[(fid, ind, scope)],
                    "baseline": b,
                    "baseline coverage": cov[(baseline, ind, scope)] if baseline else np.nan,
                    "difference": m - b,
                    "change": (m - b) / b if baseline and b else np.nan,
                }
            )
    return pd.DataFrame(rows)


def _site(f) -> dict:
    return {
        "site": f.site.name if f.site else "",
        "lat": f.site.lat if f.site else np.nan,
        "lon": f.site.lon if f.site else np.nan,
    }


def portfolio(a: le.Assessment) -> pd.DataFrame:
    """One row per micro-factory: site, headline change vs its baseline (relative) at each scope — columns
    ``<indicator> change|micro|baseline <scope>`` — and its MCI."""
    comp = a.comparison(scope=None)
    comp = comp[comp.scenario == "default"].set_index(["factory", "indicator", "scope"])
    rows = []
    for fid, base in a.pairs:
        f = factory(a, fid)
        circ = circularity_report(a.checked[fid])
        row = {"factory": fid, "name": f.name, "sector": f.sector, **_site(f)}
        row |= {"functional unit": f.functional_unit.label(), "baseline": base or ""}
        row["baseline site"] = factory(a, base).site.name if base and factory(a, base).site else ""
        for ind in HEADLINE:
            for scope in SCOPES:
                r = comp.loc[(fid, ind, scope)] if (fid, ind, scope) in comp.index else None
                for col, name in (
                    ("change", "relative_change"),
                    ("micro", "micro_factory"),
                    ("baseline", "baseline_value"),
                ):
                    row[f"{ind} {col} {scope}"] = float(r[name]) if r is not None else np.nan
        row["MCI"] = circ["mci"].get("value")
        row["product kg"] = circ["material_flows"]["product_kg"]
        rows.append(row)
    return pd.DataFrame(rows)


def short_labels(df: pd.DataFrame) -> list[str]:
    """'Deeside · advanced composites': the town of each micro-factory's site and its sector (portfolio rows)."""
    return [f"{site.split(',')[0]} · {sector}" for site, sector in zip(df["site"], df["sector"], strict=True)]


def portfolio_mci(df: pd.DataFrame) -> float | None:
    ok = df[df["MCI"].notna() & (df["product kg"] > 0)]
    if ok.empty:
        return None
    return weighted_mci(list(zip(ok["product kg"], ok["MCI"], strict=True)))


def baseline_sites(a: le.Assessment) -> pd.DataFrame:
    rows = [
        {"baseline": base, "for": fid, "name": factory(a, base).name, **_site(factory(a, base))}
        for fid, base in a.pairs
        if base
    ]
    return pd.DataFrame(rows, columns=["baseline", "for", "name", "site", "lat", "lon"])


def contributions(
    a: le.Assessment, fid: str, indicator: str, by: str = "process", cutoff: float = 0.02, scope: str = CRADLE_TO_GATE
) -> pd.DataFrame:
    return le.contributions(a.results, fid, indicator, by=by, cutoff=cutoff, scope=scope)


def balance(a: le.Assessment, fid: str):
    """(closes?, per-process table, flows not in the balance)."""
    b = a.checked[fid].balance
    return b.ok, b.table, list(b.excluded)


def loops(a: le.Assessment, fid: str) -> pd.DataFrame:
    return le.loops_table(le.find_loops(factory(a, fid)))


def completeness(a: le.Assessment, fid: str) -> pd.DataFrame:
    c = a.completeness
    return c[c.factory == fid]


def warnings_of(a: le.Assessment, fid: str) -> list[str]:
    return [w.format() for w in a.checked[fid].warnings]


def sankey(a: le.Assessment, fid: str):
    """(plotly figure, data) of the material-flow Sankey drawn by the report (loops in orange)."""
    from lca_engine.report.content import sankey_data
    from lca_engine.report.sankey import figure

    data = sankey_data(factory(a, fid))
    if not data["links"]:
        return None, data
    return figure(data), data


def sankey_legend() -> list[tuple[str, str]]:
    from lca_engine.report.sankey import LEGEND

    return list(LEGEND)


def circularity(a: le.Assessment, fid: str) -> dict:
    return circularity_report(a.checked[fid])


def parameter_label(name: str) -> str:
    """A Monte Carlo parameter name ('fg-<id>-<year>:process ← desnz-<year>:factor') in fewer words."""
    name = re.sub(r"fg-(.+?)-\d{4}:", r"\1 · ", name)
    return re.sub(r"desnz-\d{4}:", "", name)


#: The circularity figures shown side by side with the verdict: (section, key, label, share?) of
#: :func:`lca_engine.circularity.circularity_report`.
CIRCULARITY_PAIR = (
    ("mci", "", "MCI (0 linear … 1 circular)", False),
    ("cti", "circular_inflow", "CTI % circular inflow", True),
    ("cti", "circular_outflow", "CTI % circular outflow", True),
    ("iso59020", "recycled_inflow_content", "recycled content (ISO 59020)", True),
)


def _figure_value(report: dict, section: str, key: str):
    entry = report[section] if not key else report[section].get(key, {})
    value = entry.get("value") if isinstance(entry, dict) else None
    return float(value) if value is not None else np.nan


def circularity_pair(a: le.Assessment, fid: str) -> pd.DataFrame:
    """MCI, CTI circular inflow and outflow and recycled content of the micro-factory and its baseline, with the
    difference (micro-factory − baseline; NaN where a side does not state the figure)."""
    base = baseline_of(a, fid)
    mine = circularity(a, fid)
    theirs = circularity(a, base) if base else None
    rows = []
    for section, key, name, share in CIRCULARITY_PAIR:
        m = _figure_value(mine, section, key)
        b = _figure_value(theirs, section, key) if theirs else np.nan
        rows.append({"figure": name, "micro-factory": m, "baseline": b, "difference": m - b, "share": share})
    return pd.DataFrame(rows)


# --- a portfolio run folder (lca_engine.portfolio.view): its aggregates and factory table as the page shows them ---

#: The aggregates' measures (column suffix of ``lca_engine.portfolio.view.aggregate``) → the title of their table.
RUN_MEASURES = {
    "below": "Below baseline (count)",
    "median change": "Median change (%)",
    "change per year": "Change per year (summed)",
    "better": f"Better, P ≥ {BETTER_AT:.2f} (count)",
    "median p_better": "Median P(better)",
}


def run_measures(aggregates: pd.DataFrame, by: str) -> dict[str, pd.DataFrame]:
    """One narrow table per measure the aggregates have (title → table): the group, its micro-factories, one column
    per headline indicator — relative changes in %, sums per year with their unit — and, by sector, the annual
    output and the functional unit (long text: last) in the first table."""
    first = [c for c in ("annual output", "functional unit") if c in aggregates.columns]
    tables = {}
    for measure, title in RUN_MEASURES.items():
        columns = {f"{ind} {measure}": ind for ind in HEADLINE if f"{ind} {measure}" in aggregates.columns}
        if not columns:
            continue
        table = aggregates[[by, "micro-factories", *columns, *([] if tables else first)]].copy()
        if measure == "median change":
            table[list(columns)] *= 100
        per_year = measure == "change per year"
        names = {
            raw: INDICATORS[i].short + (f" ({INDICATORS[i].unit} per year)" if per_year else "")
            for raw, i in columns.items()
        }
        tables[title] = table.rename(columns={**names, "annual output": "annual output (FU per year)"})
    return tables


def run_columns() -> dict[str, str]:
    """Raw column → header of the portfolio run's factory table: changes in %, each measure with its unit."""
    cols = {"id": "id", "name": "name", "system": "system", "sector": "sector", "area": "area"}
    cols |= {"annual_output": "annual output (FU per year)"}
    for ind in HEADLINE:
        label, unit = INDICATORS[ind].short, INDICATORS[ind].unit
        cols |= {
            f"{ind} change": f"{label}: change (%)",
            f"{ind} difference": f"{label}: difference ({unit} per FU)",
            f"{ind} per year": f"{label}: change per year ({unit})",
            f"{ind} p_better": f"{label}: P(better)",
        }
    return cols | {"functional_unit": "functional unit (FU)", "baseline": "baseline"}


def run_display(table: pd.DataFrame) -> pd.DataFrame:
    """Factory rows with the headers of :func:`run_columns`, relative changes in %."""
    cols = {raw: header for raw, header in run_columns().items() if raw in table.columns}
    out = table[list(cols)].copy()
    for raw in cols:
        if raw.endswith(" change"):
            out[raw] = out[raw] * 100
    return out.rename(columns=cols)
