"""The static Sankey as SVG, written directly from :mod:`.sankey_layout` (no browser, no plotly).

Every user string is XML-escaped (quotes included) and stripped of characters XML forbids; ids start with the
``uid`` given, so two diagrams on one page never clash; numbers are written with two decimals, so the same input
gives a byte-identical SVG. The markup is checked for anything active (scripts, event handlers, foreign objects,
external references) before it is returned.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html import escape

from ..errors import LcaEngineError
from .sankey_layout import CHAR_WIDTH, FONT_SIZE, LINE_HEIGHT, THICKNESS, Layout, Link, Node, Path, Text, layout

FONT = "DejaVu Sans, Arial, sans-serif"
TEXT_COLOUR = "#222222"

FORBIDDEN = [
    (re.compile(r"<\s*script", re.I), "script element"),
    (re.compile(r"<\s*foreignObject", re.I), "foreignObject element"),
    (re.compile(r"<\s*style", re.I), "style element"),
    (re.compile(r"<[^>]*\son[a-z]+\s*=", re.I), "event-handler attribute"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
    (re.compile(r"""(?:href|src)\s*=\s*["'](?!#)""", re.I), "external reference"),
    (re.compile(r"@import|url\(\s*['\"]?(?!#)", re.I), "external CSS reference"),
]
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_UID = re.compile(r"[^A-Za-z0-9_-]")


def esc(text: str) -> str:
    """Text or attribute content: XML-escaped (``<``, ``>``, ``&``, both quotes), characters XML forbids removed."""
    return escape(_NOT_XML.sub("", str(text)), quote=True)


def markup_only(svg: str) -> str:
    """The SVG without its text content (what :data:`FORBIDDEN` is checked against: a label may say anything)."""
    return re.sub(r">[^<]*<", "><", svg)


def check_inert(svg: str) -> str:
    """Refuse an SVG whose markup has anything active; returns it unchanged otherwise."""
    tags = markup_only(svg)
    for pattern, what in FORBIDDEN:
        if pattern.search(tags):
            raise LcaEngineError(
                f"the Sankey SVG contains an unsafe {what}; refusing to inline it",
                fix="this is a bug (labels are escaped when the SVG is written); please report it",
            )
    return svg


def _n(x: float) -> str:
    return f"{x:.2f}"


def path_d(path: Path) -> str:
    return " ".join(cmd + (" " + " ".join(_n(v) for v in nums) if nums else "") for cmd, nums in path)


def kg(mass: float) -> str:
    """A link's mass in its tooltip: the material-flow Sankey's kg."""
    return f"{mass:.4g} kg"


def _link(lk: Link, amount: Callable[[float], str] = kg) -> str:
    tip = f"<title>{esc(lk.flow)}: {amount(lk.mass_kg)}</title>"
    fill = f'fill="{lk.colour}" fill-opacity="{lk.opacity:.2f}"'
    if lk.arc:
        stroke = f'fill="none" stroke="{lk.colour}" stroke-opacity="{lk.opacity:.2f}" stroke-width="{_n(lk.stroke)}"'
        tapers = "".join(f'<path class="sankey-taper" d="{path_d(t)}" {fill}/>' for t in lk.tapers)
        return f'{tapers}<path class="sankey-loop" d="{path_d(lk.path)}" {stroke}>{tip}</path>'
    return f'<path class="sankey-link" d="{path_d(lk.path)}" {fill}>{tip}</path>'


def _node(n: Node) -> str:
    return (
        f'<rect class="sankey-node" x="{_n(n.x)}" y="{_n(n.y)}" width="{THICKNESS}" height="{_n(n.height)}" '
        f'fill="{n.colour}"/>'
    )


def _label(n: Node) -> str:
    top = n.label_y - len(n.lines) * LINE_HEIGHT / 2
    width = max(len(line) for line in n.lines) * CHAR_WIDTH + 4
    back = (
        f'<rect x="{_n(n.label_x - 2)}" y="{_n(top - 1)}" width="{_n(width)}" '
        f'height="{_n(len(n.lines) * LINE_HEIGHT + 2)}" fill="#FFFFFF" fill-opacity="0.75"/>'
    )
    texts = "".join(
        f'<text x="{_n(n.label_x)}" y="{_n(top + (k + 0.8) * LINE_HEIGHT)}">{esc(line)}</text>'
        for k, line in enumerate(n.lines)
    )
    return back + texts


def _text(t: Text) -> str:
    return f'<text x="{_n(t.x)}" y="{_n(t.y)}" text-anchor="middle">{esc(t.text)}</text>'


def _legend(lay: Layout) -> str:
    out = []
    for label, colour, opacity, x, y in lay.legend:
        if colour:
            out.append(
                f'<rect x="{_n(x)}" y="{_n(y)}" width="24" height="10" fill="{colour}" fill-opacity="{opacity:.2f}"/>'
            )
        out.append(f'<text x="{_n(x + 30)}" y="{_n(y + 9)}">{esc(label)}</text>')
    return f'<g class="sankey-legend">{"".join(out)}</g>'


def to_svg(data: dict, uid: str, title: str) -> str:
    """An inline SVG of one :func:`lca_engine.report.content.sankey_data` (which must have links)."""
    lay = layout(data)
    loops = sum(lk.arc for lk in lay.links)
    desc = (
        f"{len(lay.nodes)} nodes and {len(lay.links)} mass flows in kg per functional unit, band widths "
        f"proportional to mass; {loops} loop link(s) drawn as return arcs."
    )
    return draw(lay, uid, title, desc)


def draw(
    lay: Layout, uid: str, title: str, desc: str, *, css_class: str = "sankey-svg", amount: Callable[[float], str] = kg
) -> str:
    """The inline SVG of a :class:`~.sankey_layout.Layout`: ``css_class`` on the ``<svg>``, ``amount`` writes a
    link's mass in its tooltip (``Link.mass_kg`` holds whatever mass the layout was given)."""
    uid = _UID.sub("_", uid) or "sankey"
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{esc(css_class)}" id="{uid}" role="img" '
        f'aria-labelledby="{uid}-title {uid}-desc" width="{_n(lay.width)}" height="{_n(lay.height)}" '
        f'viewBox="{_n(lay.left)} {_n(lay.top)} {_n(lay.width)} {_n(lay.height)}" font-family="{FONT}" '
        f'font-size="{FONT_SIZE}" fill="{TEXT_COLOUR}">'
        f'<title id="{uid}-title">{esc(title)}</title><desc id="{uid}-desc">{esc(desc)}</desc>'
    )
    body = (
        f'<rect x="{_n(lay.left)}" y="{_n(lay.top)}" width="{_n(lay.width)}" height="{_n(lay.height)}" fill="#FFFFFF"/>'
        f'<g class="sankey-loops">{"".join(_link(lk, amount) for lk in lay.links if lk.arc)}</g>'
        f'<g class="sankey-links">{"".join(_link(lk, amount) for lk in lay.links if not lk.arc)}</g>'
        f'<g class="sankey-nodes">{"".join(_node(n) for n in lay.nodes)}</g>'
        f'<g class="sankey-labels">{"".join(_label(n) for n in lay.nodes)}{"".join(map(_text, lay.texts))}</g>'
        f"{_legend(lay)}"
    )
    return check_inert(f"{head}{body}</svg>")
