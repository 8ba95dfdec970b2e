"""Render the report content (:mod:`lca_engine.report.content`) as one self-contained HTML page.

Jinja2 with autoescaping: every string from an inventory is escaped. CSS is inline, the Sankey diagrams are
inline SVG (written and checked in :mod:`lca_engine.report.sankey_svg`), and nothing is fetched: links to sources
are plain anchors. The same HTML is what WeasyPrint turns into the PDF.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from markupsafe import Markup, escape

from ..circularity.labels import FIGURES, LOOP_COLUMNS, SECTIONS

TEMPLATES = Path(__file__).resolve().parent / "templates"

#: Display names for well-known keys of the circularity report (anything else is shown as written): the figures'
#: plain labels and the loops' column headers (:mod:`lca_engine.circularity.labels`).
KEY_NAMES = {
    **{f.key: f.label for f in FIGURES if f.key},
    **{key: header for key, header, _ in LOOP_COLUMNS},
    **SECTIONS,
    "mci": "Material Circularity Indicator (MCI)",
    "lfi": "LFI",
    "cmu": "CMU",
}
#: Keys of a circularity entry rendered as text (method statements, notes) rather than as data.
TEXT_KEYS = ("method", "conventions", "note", "notes", "description")
SHARE_UNITS = ("share", "fraction", "ratio share")


# ---------------------------------------------------------------- formatting


def fmt_num(x: Any, sig: int = 4) -> str:
    """A readable number: 4 significant digits, thousands separators, scientific only when very small/large."""
    if x is None:
        return "—"
    if isinstance(x, bool):
        return "yes" if x else "no"
    if not isinstance(x, int | float):
        return str(x)
    if isinstance(x, float) and not math.isfinite(x):
        return "—"
    if x == 0:
        return "0"
    ax = abs(x)
    if ax < 1e-3 or ax >= 1e9:
        return f"{x:.{sig - 1}e}"
    digits = max(0, sig - 1 - math.floor(math.log10(ax)))
    text = f"{round(x, digits):,.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def fmt_pct(x: Any, sign: bool = True) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "n/a"
    return f"{x * 100:+.1f} %" if sign else f"{x * 100:.1f} %"


def fmt_prob(p: Any) -> str:
    """A probability with 3 decimals that never rounds to a certain 0 or 1 it is not ("< 0.001", "> 0.999")."""
    if p is None or (isinstance(p, float) and not math.isfinite(p)):
        return "—"
    if 0 < p < 0.0005:
        return "< 0.001"
    if 0.9995 <= p < 1:
        return "> 0.999"
    return f"{p:.3f}"


def fmt_measure(v: Any, unit: str = "") -> str:
    """One figure in a table cell: a share as a percentage, a number with its unit (ratios bare), text as is."""
    if v is None or isinstance(v, str):
        return "—" if v is None else v
    if unit.strip().lower() in SHARE_UNITS:
        return fmt_pct(v, sign=False)
    shown = unit and not unit.startswith("ratio")
    return f"{fmt_num(v)} {unit}" if shown else fmt_num(v)


def fmt_value(v: Any, unit: str = "") -> str:
    """Any JSON value as short text (nested dicts as 'k: v; …')."""
    if isinstance(v, Mapping):
        if "value" in v:
            return f"{fmt_value(v['value'], str(v.get('unit', '')))} {v.get('unit', '')}".strip()
        return "; ".join(f"{human(k)}: {fmt_value(x)}" for k, x in v.items())
    if isinstance(v, list | tuple):
        return ", ".join(fmt_value(x) for x in v) if v else "—"
    if isinstance(v, int | float) and not isinstance(v, bool) and unit.strip().lower() in SHARE_UNITS:
        return f"{fmt_num(v)} ({fmt_pct(v, sign=False)})"
    return fmt_num(v)


def human(key: Any) -> str:
    key = str(key)
    if key in KEY_NAMES:
        return KEY_NAMES[key]
    if re.fullmatch(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+", key):
        return key.replace("_", " ")
    return key


# ---------------------------------------------------------------- generic circularity rendering


def _is_metric(v: Any) -> bool:
    return isinstance(v, Mapping) and "value" in v


def _is_scalar(v: Any) -> bool:
    return v is None or isinstance(v, str | int | float | bool)


def _metric_row(name: str, m: Mapping) -> dict:
    formula = m.get("formula", "")
    if isinstance(formula, Mapping):
        formula_lines = [f"{k} = {v}" for k, v in formula.items()]
    elif isinstance(formula, list | tuple):
        formula_lines = [fmt_value(x) for x in formula]
    else:
        formula_lines = [str(formula)] if formula not in ("", None) else []
    inputs = m.get("inputs", {}) or {}
    if isinstance(inputs, Mapping):
        input_lines = [f"{k} = {fmt_value(v)}" for k, v in inputs.items()]
    else:
        input_lines = [fmt_value(inputs)]
    extra = []
    for k, v in m.items():
        if k in ("value", "unit", "formula", "inputs"):
            continue
        if isinstance(v, Mapping):
            extra.append(f"{human(k)}: " + "; ".join(f"{kk} = {fmt_value(vv)}" for kk, vv in v.items()))
        elif isinstance(v, list | tuple):
            extra.extend(f"{human(k)}: {fmt_value(x)}" for x in v)
        else:
            extra.append(f"{human(k)}: {fmt_value(v)}")
    unit = str(m.get("unit", "") or "")
    return {
        "name": human(name),
        "value": fmt_value(m.get("value"), unit),
        "unit": unit,
        "formula": formula_lines,
        "inputs": input_lines,
        "extra": extra,
    }


def _table(rows: Sequence[Mapping]) -> dict:
    columns: list[str] = []
    for r in rows:
        for k in r:
            if k not in columns:
                columns.append(k)
    return {
        "type": "table",
        "columns": [human(c) for c in columns],
        "rows": [[fmt_value(r.get(c)) for c in columns] for r in rows],
    }


def blocks(obj: Any, level: int = 0) -> list[dict]:
    """Turn any nested JSON value into display blocks: headings, text, metric tables (value, unit, formula,
    inputs), key-value tables and record tables. Used for the circularity section, whose shape this module
    does not assume."""
    out: list[dict] = []
    if _is_metric(obj):
        return [{"type": "metrics", "rows": [_metric_row("value", obj)]}]
    if isinstance(obj, list | tuple):
        if obj and all(isinstance(x, Mapping) for x in obj):
            return [_table(obj)]
        if not obj:
            return [{"type": "text", "label": "", "text": "none"}]
        return [{"type": "list", "label": "", "items": [fmt_value(x) for x in obj]}]
    if not isinstance(obj, Mapping):
        return [{"type": "text", "label": "", "text": fmt_value(obj)}]
    texts, metrics, scalars, rest = [], [], [], []
    for k, v in obj.items():
        if k in TEXT_KEYS and isinstance(v, str):
            texts.append({"type": "text", "label": human(k), "text": v})
        elif k in TEXT_KEYS and isinstance(v, list | tuple) and all(isinstance(x, str) for x in v):
            texts.append({"type": "list", "label": human(k), "items": list(v)})
        elif _is_metric(v):
            metrics.append(_metric_row(k, v))
        elif _is_scalar(v):
            scalars.append((human(k), fmt_value(v)))
        else:
            rest.append((k, v))
    out.extend(texts)
    if scalars:
        out.append(_kv(scalars))
    if metrics:
        out.append({"type": "metrics", "rows": metrics})
    for k, v in rest:
        out.append({"type": "heading", "level": min(level + 4, 6), "text": human(k)})
        if isinstance(v, Mapping) and v and all(_is_scalar(x) for x in v.values()):
            out.append(_kv([(human(kk), fmt_value(vv)) for kk, vv in v.items()]))
        else:
            out.extend(blocks(v, level + 1))
    return out


def _kv(rows: list[tuple[str, str]]) -> dict:
    """Key-value pairs: one row of columns when few (compact), else one row per pair."""
    return {"type": "hkv" if len(rows) <= 8 else "kv", "rows": rows}


def md(text: Any) -> Markup:
    """Escape a text, then show the little Markdown found in method notes: **bold** and ``code``."""
    safe = str(escape(str(text)))
    safe = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", safe)
    safe = re.sub(r"``(.+?)``|`([^`]+)`", lambda m: f"<code>{m.group(1) or m.group(2)}</code>", safe)
    return Markup(safe)


# ---------------------------------------------------------------- page


def cited(items: Sequence[str]) -> list[str]:
    """'cited by' entries for display: the background factors citing one source grouped into one entry."""
    prefix = "background factor "
    factors = [x[len(prefix) :] for x in items if x.startswith(prefix)]
    others = [x for x in items if not x.startswith(prefix)]
    return others + ([f"background factors: {', '.join(factors)}"] if factors else [])


def is_link(url: Any) -> bool:
    """Only plain http(s) URLs become anchors (never javascript: or data: URLs from a sources file)."""
    return isinstance(url, str) and re.fullmatch(r"https?://[^\s<>\"']+", url) is not None


@lru_cache(maxsize=1)
def _environment():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        num=fmt_num, pct=fmt_pct, prob=fmt_prob, value=fmt_value, measure=fmt_measure, human=human, md=md, cited=cited
    )
    env.tests["link"] = is_link
    return env


def render_html(content: Mapping, svgs: Mapping[str, str] | None = None) -> str:
    """The report page. ``svgs`` maps inventory id → Sankey SVG (see :mod:`.sankey_svg`); an inventory without one
    shows the reason in its place."""
    env = _environment()
    css = (TEMPLATES / "report.css").read_text(encoding="utf-8")
    circularity = {fid: blocks(rep) for fid, rep in content["circularity"].items()}
    svg_markup = {fid: Markup(svg) for fid, svg in (svgs or {}).items()}
    return env.get_template("report.html.j2").render(
        c=content,
        css=Markup(css),
        circularity=circularity,
        svgs=svg_markup,
        stocks_svg=stocks_chart(content),
    )


def stocks_chart(content: Mapping) -> Markup | None:
    """The in-use chart of the report's factory (:mod:`.stocks_svg`), or None when nothing is modelled."""
    from .stocks_svg import to_svg

    use = content.get("cycles", {}).get("in_use", {})
    if not use.get("modelled"):
        return None
    title = f"Material in use and end-of-life outflow, t: {content['inventories'][content['factory_id']]['name']}"
    return Markup(to_svg(use["series"], f"stocks-{content['factory_id']}", title))
