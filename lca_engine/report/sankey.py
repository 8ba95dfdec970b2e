"""The material-flow Sankey's layout, shared by the report's static SVG (:mod:`.sankey_svg`) and the dashboard's
interactive plotly figure (:func:`figure`): columns, node centres, the vertical scale, colours and labels.

User strings (process names) are HTML-escaped before plotly sees them (plotly reads labels as pseudo-HTML).
"""

from __future__ import annotations

import html

from ..model import BOUNDARY, ENVIRONMENT, MARKET, MATERIAL_RECOVERY_NODES

#: Okabe & Ito (2008) colour-blind-safe palette.
OKABE_ITO = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "grey": "#777777",
}
#: Node colours: processes blue; boundary nodes by role — material recovery green, landfill vermillion, the other
#: treatments (energy recovery, waste water) reddish purple. Keys are model.BOUNDARY, never retyped.
_ROLE_COLOURS = {MARKET: OKABE_ITO["grey"], ENVIRONMENT: OKABE_ITO["sky_blue"], "landfill": OKABE_ITO["vermillion"]}
_ROLE_COLOURS |= dict.fromkeys(MATERIAL_RECOVERY_NODES, OKABE_ITO["bluish_green"])
NODE_COLOURS = {"process": OKABE_ITO["blue"]} | {
    node: _ROLE_COLOURS.get(node, OKABE_ITO["reddish_purple"]) for node in BOUNDARY
}


def _rgba(name: str, alpha: float) -> str:
    h = OKABE_ITO[name]
    return f"rgba({int(h[1:3], 16)}, {int(h[3:5], 16)}, {int(h[5:7], 16)}, {alpha})"


#: Link colours, one hue of the palette per kind of flow (translucent so overlapping links stay readable; loops
#: nearly opaque): loops orange, materials / chemicals / products grey, water sky blue, waste and emissions reddish
#: purple — no two kinds share a hue, and none is the orange of the loops.
LINK_COLOURS = {
    "loop": _rgba("orange", 0.85),
    "water": _rgba("sky_blue", 0.55),
    "waste": _rgba("reddish_purple", 0.55),
    "emission": _rgba("reddish_purple", 0.55),
    "other": _rgba("grey", 0.45),
}
LEGEND = [
    ("reuse / recycling loop (inside the factory)", LINK_COLOURS["loop"]),
    ("material, chemical or product", LINK_COLOURS["other"]),
    ("water", LINK_COLOURS["water"]),
    ("waste or emission", LINK_COLOURS["waste"]),
]
WIDTH = 900

_BOUNDARY_LABELS = {
    ("in", "market"): "purchases",
    ("out", "market"): "products sold",
    ("in", "environment"): "from environment",
    ("out", "environment"): "to environment",
}


def fmt_kg(x: float) -> str:
    from .html import fmt_num

    return f"{fmt_num(x, 3)} kg"


def node_label(node: dict) -> str:
    """Plain-text label (name and throughput); :func:`figure` escapes and wraps it for plotly."""
    if node["kind"] == "boundary":
        name = _BOUNDARY_LABELS.get((node["side"], node["label"]), node["label"].replace("_", " "))
    else:
        name = node["label"]
    return f"{name} · {fmt_kg(node['mass_kg'])}"


def label_lines(node: dict, width: int = 22, lines: int = 2) -> list[str]:
    """The label as plain lines: the name wrapped on up to ``lines`` lines, then the mass."""
    name = node_label(node).rsplit(" · ", 1)[0]
    return [*wrap(name, width=width, lines=lines), fmt_kg(node["mass_kg"])]


#: The interactive figure wraps names on as many lines as they need (never cut; a word longer than a line is the
#: only thing cut).
PLOTLY_LABEL_WIDTH, PLOTLY_LABEL_LINES = 24, 6


def plotly_label(node: dict) -> str:
    """The label as plotly pseudo-HTML: every user character escaped, lines joined by our own <br>."""
    lines = label_lines(node, width=PLOTLY_LABEL_WIDTH, lines=PLOTLY_LABEL_LINES)
    return "<br>".join(html.escape(line) for line in lines)


def node_colour(node: dict) -> str:
    if node["kind"] == "process":
        return NODE_COLOURS["process"]
    return NODE_COLOURS.get(node["label"], OKABE_ITO["grey"])


def link_colour(link: dict) -> str:
    if link["loop"]:
        return LINK_COLOURS["loop"]
    return LINK_COLOURS.get(link["kind"], LINK_COLOURS["other"])


def columns(data: dict) -> dict[str, int]:
    """Column of every node: boundary inputs 0, processes by longest path along the flow direction (edges that
    close a loop are ignored, so loops are drawn as return arcs), boundary outputs last."""
    procs = [n["id"] for n in data["nodes"] if n["kind"] == "process"]
    succ: dict[str, list[str]] = {p: [] for p in procs}
    for lk in data["links"]:
        if lk["source"] in succ and lk["target"] in succ and lk["target"] not in succ[lk["source"]]:
            succ[lk["source"]].append(lk["target"])
    fed = [lk["target"] for lk in data["links"] if lk["source"].startswith("in:") and lk["target"] in succ]
    order = list(dict.fromkeys(fed + procs))
    back: set[tuple[str, str]] = set()
    state: dict[str, int] = {}  # 1 on the DFS stack, 2 done

    def visit(u: str) -> None:
        state[u] = 1
        for v in succ[u]:
            if state.get(v) == 1:
                back.add((u, v))
            elif v not in state:
                visit(v)
        state[u] = 2

    for p in order:
        if p not in state:
            visit(p)
    col = dict.fromkeys(procs, 1)
    for _ in procs:  # longest path on the acyclic rest (at most len(procs) relaxations)
        changed = False
        for u in procs:
            for v in succ[u]:
                if (u, v) not in back and col[v] < col[u] + 1:
                    col[v] = col[u] + 1
                    changed = True
        if not changed:
            break
    last = max(col.values(), default=0) + 1
    out = {}
    for n in data["nodes"]:
        out[n["id"]] = 0 if n["side"] == "in" else last if n["side"] == "out" else col[n["id"]]
    return out


def arc_room(data: dict) -> float:
    """Share of the figure height to keep free above and below the nodes for loops drawn as return arcs (links
    whose target is not to the right of their source): their total mass relative to the fullest column."""
    col = columns(data)
    back = sum(lk["mass_kg"] for lk in data["links"] if col[lk["target"]] <= col[lk["source"]])
    if back <= 0:
        return 0.0
    fullest = max(sum(n["mass_kg"] for n in data["nodes"] if col[n["id"]] == c) for c in set(col.values()))
    return min(0.3, back / (fullest + 2 * back))


def by_column(data: dict) -> dict[int, list[dict]]:
    """The nodes of each column, in their order in ``data``."""
    col = columns(data)
    out: dict[int, list[dict]] = {}
    for n in data["nodes"]:
        out.setdefault(col[n["id"]], []).append(n)
    return out


def scale(data: dict, inner: float, pad: float) -> float:
    """Pixels per kg: the fullest column (its nodes plus ``pad`` between them) fills the height ``inner``."""
    cols = by_column(data).values()
    return min((inner - pad * (len(ns) - 1)) / max(sum(n["mass_kg"] for n in ns), 1e-300) for ns in cols)


def positions(data: dict, height_px: int, pad: float) -> tuple[list[float], list[float]]:
    """Node centres (x, y in 0..1): columns from :func:`columns`; in each column the nodes keep their order and
    share the free height evenly around them, so small nodes in neighbouring columns do not sit side by side.
    Node heights follow plotly's own scale (the fullest column fills the height, ``pad`` pixels apart)."""
    col = columns(data)
    last = max(col.values(), default=1) or 1
    inner = height_px  # plot area height in pixels
    by_col = by_column(data)
    ky = scale(data, inner, pad)
    xs, ys = {}, {}
    for c, ns in sorted(by_col.items()):
        heights = [n["mass_kg"] * ky for n in ns]
        gap = max(pad, (inner - sum(heights)) / len(ns))
        top = (inner - sum(heights) - gap * (len(ns) - 1)) / 2  # centre the stack in the column
        for n, h in zip(ns, heights, strict=True):
            xs[n["id"]] = min(0.99, max(0.01, c / last))
            ys[n["id"]] = min(0.98, max(0.02, (top + h / 2) / inner))
            top += h + gap
    return [xs[n["id"]] for n in data["nodes"]], [ys[n["id"]] for n in data["nodes"]]


def wrap(text: str, width: int = 22, lines: int = 3) -> list[str]:
    """Split a label into at most ``lines`` lines of about ``width`` characters (long words are cut with …)."""
    out: list[str] = []
    for word in text.split():
        if out and len(out[-1]) + 1 + len(word) <= width:
            out[-1] += " " + word
        else:
            out.append(word if len(word) <= width else word[: width - 1] + "…")
    if len(out) > lines:
        out = out[: lines - 1] + [out[lines - 1][: width - 1] + "…"]
    return out


def figure(data: dict):
    """A plotly Sankey of :func:`lca_engine.report.content.sankey_data` (labels escaped for plotly)."""
    import plotly.graph_objects as go

    index = {n["id"]: i for i, n in enumerate(data["nodes"])}
    links = [lk for lk in data["links"] if lk["mass_kg"] > 0]  # no empty bands
    pad = 36
    total = height(data)
    room = int(arc_room(data) * total)
    margin = {"l": 8, "r": 8, "t": 8 + room, "b": 8 + room}
    xs, ys = positions(data, total - margin["t"] - margin["b"], pad)
    fig = go.Figure(
        go.Sankey(
            arrangement="fixed",
            valueformat=".3g",
            valuesuffix=" kg",
            node={
                "label": [plotly_label(n) for n in data["nodes"]],
                "color": [node_colour(n) for n in data["nodes"]],
                "x": xs,
                "y": ys,
                "pad": pad,
                "thickness": 14,
                "line": {"color": "#FFFFFF", "width": 0.5},
            },
            link={
                "source": [index[lk["source"]] for lk in links],
                "target": [index[lk["target"]] for lk in links],
                "value": [lk["mass_kg"] for lk in links],
                "color": [link_colour(lk) for lk in links],
                "label": [html.escape(lk["flow"]) for lk in links],
            },
        )
    )
    fig.update_layout(
        width=WIDTH,
        height=total,
        margin=margin,
        font={"family": "DejaVu Sans, sans-serif", "size": 10, "color": "#222222"},
        paper_bgcolor="#FFFFFF",
    )
    return fig


def base_height(data: dict) -> int:
    """Height of the node area plus margins, before any room for the return arcs of loops."""
    return min(820, max(340, 200 + 30 * len(data["nodes"])))


def height(data: dict) -> int:
    """Figure height: room for the nodes, grown for the return arcs of loops."""
    return int(min(1000, base_height(data) / (1 - 2 * arc_room(data))))
