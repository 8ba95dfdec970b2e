"""Geometry of the static Sankey (pure, in pixels): node rectangles, link bands and the return arcs of loops.

Columns, node centres and the vertical scale come from :mod:`.sankey` (the layout the dashboard's plotly figure
uses too). This module adds what a drawing needs:

- every link is a band whose width is ``scale × mass``; at each node the bands leave the right edge and enter the
  left edge stacked from the top, ordered by where they go (so forward bands do not cross);
- a forward band is a filled shape bounded by two cubic Béziers;
- a loop (a link to the same or an earlier column) is a *return arc*: a stroke of the band's width that leaves to
  the right, runs in a lane above or below every node and comes back into the target from the left, its mass
  written along it. Lanes are nested: the arc spanning the least is innermost (nearest the nodes, at the top of
  its nodes' stacks). A loop heavier than :data:`MAX_ARC` pixels keeps its full width at both nodes and narrows to
  ``MAX_ARC`` in a short taper (a vertical band of 1,800 kg of recirculated water would need more room beside the
  nodes than the page has); the legend then says so.

Paths are tuples of ``(command, numbers)`` with absolute ``M``, ``L``, ``C`` and ``Z`` commands, which both the SVG
writer and matplotlib (the dashboard's PNG export) draw.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .sankey import (
    LEGEND,
    base_height,
    columns,
    fmt_kg,
    label_lines,
    link_colour,
    node_colour,
    positions,
    scale,
)

WIDTH = 900
THICKNESS = 14  # node width
PAD = 36  # least gap between nodes of a column
MARGIN = 8
LABEL_ROOM = 160  # right of the last column, for its labels
FONT_SIZE = 12
LINE_HEIGHT = 14
CHAR_WIDTH = 6.7  # mean advance of DejaVu Sans at 12 px: label wrapping and backgrounds
LANE_GAP = 4  # between neighbouring return arcs
LANE_OFFSET = 10  # between the node area and the first lane
MAX_ARC = 40.0  # widest return arc drawn; heavier loops taper to it (their mass is written on the arc)
TAPER = 32.0  # length of that taper
KAPPA = 0.5523  # cubic Bézier control distance of a quarter circle

Path = tuple[tuple[str, tuple[float, ...]], ...]


@dataclass(frozen=True)
class Node:
    id: str
    x: float
    y: float
    height: float
    colour: str
    lines: tuple[str, ...]
    label_x: float
    label_y: float  # centre of the label block


@dataclass(frozen=True)
class Link:
    flow: str
    source: str
    target: str
    mass_kg: float
    width: float
    colour: str  # #RRGGBB
    opacity: float
    arc: bool  # a loop drawn as a stroked return arc (of width ``stroke``), else a filled band
    path: Path
    stroke: float = 0.0
    tapers: tuple[Path, ...] = ()  # filled, from the full width at the nodes to ``stroke``


@dataclass(frozen=True)
class Text:
    x: float
    y: float  # baseline
    text: str


@dataclass(frozen=True)
class Layout:
    scale: float  # px per kg
    left: float  # view box: everything drawn lies in [left, left + width] × [top, top + height]
    width: float
    top: float
    height: float
    nodes: tuple[Node, ...]
    links: tuple[Link, ...]
    texts: tuple[Text, ...]  # the masses written on return arcs
    legend: tuple[tuple[str, str, float, float, float], ...]  # label, colour, opacity, x, y
    thickness: float = THICKNESS  # node width
    font_size: float = FONT_SIZE


def rgba(colour: str) -> tuple[str, float]:
    """``rgba(r, g, b, a)`` or ``#RRGGBB`` → (``#RRGGBB``, opacity): SVG 1.1 renderers need them apart."""
    m = re.fullmatch(r"rgba\((\d+),\s*(\d+),\s*(\d+),\s*([0-9.]+)\)", colour)
    if not m:
        return colour, 1.0
    r, g, b = (int(m.group(i)) for i in (1, 2, 3))
    return f"#{r:02X}{g:02X}{b:02X}", float(m.group(4))


def _nodes(data: dict, inner: float) -> tuple[dict[str, Node], float]:
    col = columns(data)
    last = max(col.values(), default=1) or 1
    ky = scale(data, inner, PAD)
    _, ys = positions(data, inner, PAD)
    step = (WIDTH - 2 * MARGIN - LABEL_ROOM - THICKNESS) / last
    out = {}
    for n, yc in zip(data["nodes"], ys, strict=True):
        h = n["mass_kg"] * ky
        x = MARGIN + col[n["id"]] * step
        room = LABEL_ROOM if col[n["id"]] == last else step - THICKNESS
        chars = max(10, min(22, int((room - 12) / CHAR_WIDTH)))
        lines = tuple(label_lines(n, width=chars, lines=2 if chars >= 18 else 3))  # narrow columns: 3 lines
        out[n["id"]] = Node(n["id"], x, yc * inner - h / 2, h, node_colour(n), lines, x + THICKNESS + 4, yc * inner)
    return out, ky


def _is_back(lk: dict, col: dict[str, int]) -> bool:
    return col[lk["target"]] <= col[lk["source"]]


def _sides(data: dict, nodes: dict[str, Node], inner: float) -> tuple[list[int], list[int]]:
    """Indices of the loops drawn above and below the nodes, each innermost first (least horizontal span)."""
    col = columns(data)
    above, below = [], []
    for i, lk in enumerate(data["links"]):
        if _is_back(lk, col):
            s, t = nodes[lk["source"]], nodes[lk["target"]]
            mid = (s.y + s.height / 2 + t.y + t.height / 2) / 2
            (above if mid <= inner / 2 else below).append(i)

    def span(i: int) -> tuple:
        lk = data["links"][i]
        return (nodes[lk["source"]].x - nodes[lk["target"]].x, lk["mass_kg"], lk["flow"])

    return sorted(above, key=span), sorted(below, key=span)


def _stacks(data: dict, nodes: dict[str, Node], above: list[int], below: list[int], ky: float):
    """Top of each link's band at its source (right edge) and at its target (left edge)."""
    rank = {i: (0, k) for k, i in enumerate(above)} | {i: (2, -k) for k, i in enumerate(below)}
    out_of: dict[str, list[int]] = {}
    into: dict[str, list[int]] = {}
    for i, lk in enumerate(data["links"]):
        out_of.setdefault(lk["source"], []).append(i)
        into.setdefault(lk["target"], []).append(i)

    def centre(nid: str) -> float:
        return nodes[nid].y + nodes[nid].height / 2

    def key(i: int, other: str) -> tuple:
        lk = data["links"][i]
        return (*rank.get(i, (1, 0)), centre(lk[other]), nodes[lk[other]].x, lk["flow"], i)

    start_y: dict[int, float] = {}
    end_y: dict[int, float] = {}
    for nid, idx in out_of.items():
        y = nodes[nid].y
        for i in sorted(idx, key=lambda i: key(i, "target")):
            start_y[i], y = y, y + data["links"][i]["mass_kg"] * ky
    for nid, idx in into.items():
        y = nodes[nid].y
        for i in sorted(idx, key=lambda i: key(i, "source")):
            end_y[i], y = y, y + data["links"][i]["mass_kg"] * ky
    return start_y, end_y


def band(x0: float, y0: float, x1: float, y1: float, w: float, w1: float | None = None) -> Path:
    """A filled band from (x0, y0..y0+w) to (x1, y1..y1+w1) (``w1`` defaults to ``w``): two cubic Béziers."""
    w1 = w if w1 is None else w1
    xm = (x0 + x1) / 2
    return (
        ("M", (x0, y0)),
        ("C", (xm, y0, xm, y1, x1, y1)),
        ("L", (x1, y1 + w1)),
        ("C", (xm, y1 + w1, xm, y0 + w, x0, y0 + w)),
        ("Z", ()),
    )


def rounded(points: list[tuple[float, float]], radius: float) -> Path:
    """An axis-parallel polyline with its corners rounded (quarter circles as cubic Béziers)."""
    path: list[tuple[str, tuple[float, ...]]] = [("M", points[0])]
    for a, c, b in zip(points, points[1:], points[2:], strict=False):
        din = ((c[0] - a[0]), (c[1] - a[1]))
        dout = ((b[0] - c[0]), (b[1] - c[1]))
        lin, lout = abs(din[0]) + abs(din[1]), abs(dout[0]) + abs(dout[1])
        r = min(radius, lin / 2, lout / 2)
        if r <= 0:
            path.append(("L", c))
            continue
        ui = (din[0] / lin, din[1] / lin)
        uo = (dout[0] / lout, dout[1] / lout)
        p0 = (c[0] - ui[0] * r, c[1] - ui[1] * r)
        p1 = (c[0] + uo[0] * r, c[1] + uo[1] * r)
        k = KAPPA * r
        path.append(("L", p0))
        path.append(("C", (p0[0] + ui[0] * k, p0[1] + ui[1] * k, p1[0] - uo[0] * k, p1[1] - uo[1] * k, *p1)))
    path.append(("L", points[-1]))
    return tuple(path)


def return_arc(xs: float, ys: float, xt: float, yt: float, lane: float, out: float, w: float) -> Path:
    """Centre line of a loop's return arc: right of the source by ``out``, along the lane at height ``lane``, left
    of the target by ``out``, into the target."""
    points = [(xs, ys), (xs + out, ys), (xs + out, lane), (xt - out, lane), (xt - out, yt), (xt, yt)]
    return rounded(points, max(out, w / 2))


def _lanes(data: dict, above: list[int], below: list[int], ky: float, inner: float) -> dict[int, tuple]:
    """Link index → (lane centre, horizontal reach beyond the taper, drawn width) of every return arc."""
    lanes = {}
    for side, sign, base in ((above, -1, -LANE_OFFSET), (below, 1, inner + LANE_OFFSET)):
        used = 0.0
        for i in side:
            c = min(data["links"][i]["mass_kg"] * ky, MAX_ARC)
            lanes[i] = (base + sign * (used + c / 2), 8 + used + c / 2, c)
            used += c + LANE_GAP
    return lanes


def _loop(lk: dict, x0: float, y0: float, x1: float, y1: float, w: float, lane: tuple) -> tuple[Link, Text]:
    """A return arc from the band (x0, y0..y0+w) at the source to (x1, y1..y1+w) at the target."""
    centre, reach, c = lane
    t = TAPER if c < w else 0.0
    tapers = (band(x0, y0, x0 + t, y0 + (w - c) / 2, w, c), band(x1 - t, y1 + (w - c) / 2, x1, y1, c, w)) if t else ()
    path = return_arc(x0 + t, y0 + w / 2, x1 - t, y1 + w / 2, centre, reach, c)
    colour, opacity = rgba(link_colour(lk))
    link = Link(lk["flow"], lk["source"], lk["target"], lk["mass_kg"], w, colour, opacity, True, path, c, tapers)
    above = centre < y0
    text = Text(
        (x0 + x1) / 2, centre - c / 2 - 3 if above else centre + c / 2 + FONT_SIZE, f"{fmt_kg(lk['mass_kg'])} returned"
    )
    return link, text


def _links(data, nodes, above, below, ky, inner) -> tuple[list[Link], list[Text]]:
    start_y, end_y = _stacks(data, nodes, above, below, ky)
    lanes = _lanes(data, above, below, ky, inner)
    links, texts = [], []
    for i, lk in enumerate(data["links"]):
        s, t = nodes[lk["source"]], nodes[lk["target"]]
        w = lk["mass_kg"] * ky
        x0, x1 = s.x + THICKNESS, t.x
        if i in lanes:
            link, text = _loop(lk, x0, start_y[i], x1, end_y[i], w, lanes[i])
            links.append(link)
            texts.append(text)
        else:
            colour, opacity = rgba(link_colour(lk))
            path = band(x0, start_y[i], x1, end_y[i], w)
            links.append(Link(lk["flow"], lk["source"], lk["target"], lk["mass_kg"], w, colour, opacity, False, path))
    return links, texts


def _extent(nodes: list[Node], links: list[Link], texts: list[Text]) -> tuple[float, float, float, float]:
    """Left, top, right, bottom of everything drawn (labels by their estimated width), with a margin."""
    xs, ys = [0.0, float(WIDTH)], [0.0]
    for n in nodes:
        half = len(n.lines) * LINE_HEIGHT / 2
        ys += [n.y, n.y + n.height, n.label_y - half - 2, n.label_y + half + 2]
        xs.append(n.label_x + max(map(len, n.lines)) * CHAR_WIDTH + 4)
    for lk in links:
        pad = lk.stroke / 2
        for _, nums in (*lk.path, *(seg for taper in lk.tapers for seg in taper)):
            xs += [x + d for x in nums[0::2] for d in (-pad, pad)]
            ys += [y + d for y in nums[1::2] for d in (-pad, pad)]
    for t in texts:
        ys += [t.y - FONT_SIZE, t.y + 3]
    return min(xs) - MARGIN, min(ys) - MARGIN, max(xs) + MARGIN, max(ys) + MARGIN


def _legend(left: float, bottom: float, tapered: bool) -> tuple[list[tuple[str, str, float, float, float]], float]:
    """Link colours in two columns; if a loop was narrowed, a line saying so (no swatch: colour "")."""
    items = []
    note = [("a loop wider than the page allows narrows beside its nodes (its mass is written on it)", "")]
    entries = [*LEGEND, *(note if tapered else [])]
    for k, (label, colour) in enumerate(entries):
        hexa, opacity = rgba(colour) if colour else ("", 0.0)
        items.append((label, hexa, opacity, left + MARGIN + (k % 2) * (WIDTH / 2), bottom + 8 + (k // 2) * 16))
    return items, bottom + 8 + 16 * ((len(entries) + 1) // 2)


def layout(data: dict) -> Layout:
    """The drawing of one :func:`lca_engine.report.content.sankey_data` (which must have links)."""
    inner = base_height(data) - 2 * MARGIN
    nodes, ky = _nodes(data, inner)
    above, below = _sides(data, nodes, inner)
    links, texts = _links(data, nodes, above, below, ky, inner)
    left, top, right, bottom = _extent(list(nodes.values()), links, texts)
    legend, bottom = _legend(left, bottom, any(lk.tapers for lk in links))
    return Layout(
        ky, left, right - left, top, bottom - top, tuple(nodes.values()), tuple(links), tuple(texts), tuple(legend)
    )
