"""Material-flow Sankey diagrams (plotly ``go.Sankey``) exported to inline SVG with kaleido 1.x.

kaleido 1.x drives a Chromium; it finds Debian's ``chromium`` on PATH (or the one named by ``BROWSER_PATH``) and
cannot download its own offline. Without one this module fails with an error naming the package to install —
the report never silently leaves the diagram out.

User strings (process names) are HTML-escaped before plotly sees them (plotly reads labels as pseudo-HTML), and
the SVG Chromium serialises is checked for anything active (scripts, event handlers, foreign objects, external
references) before it is inlined.
"""

from __future__ import annotations

import asyncio
import html
import re
import threading
from collections.abc import Sequence

from ..errors import LcaEngineError

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
NODE_COLOURS = {
    "process": OKABE_ITO["blue"],
    "market": OKABE_ITO["grey"],
    "environment": OKABE_ITO["sky_blue"],
    "landfill": OKABE_ITO["vermillion"],
    "recycling": OKABE_ITO["bluish_green"],
    "reuse": OKABE_ITO["bluish_green"],
    "composting": OKABE_ITO["bluish_green"],
    "energy_recovery": OKABE_ITO["reddish_purple"],
    "wastewater_treatment": OKABE_ITO["reddish_purple"],
}
#: Link colours (rgba: translucent so overlapping links stay readable); loops are opaque orange.
LINK_COLOURS = {
    "loop": "rgba(230, 159, 0, 0.85)",
    "water": "rgba(86, 180, 233, 0.40)",
    "waste": "rgba(213, 94, 0, 0.45)",
    "emission": "rgba(213, 94, 0, 0.45)",
    "other": "rgba(0, 114, 178, 0.55)",
}
LEGEND = [
    ("reuse / recycling loop (inside the factory)", LINK_COLOURS["loop"]),
    ("material, chemical or product", LINK_COLOURS["other"]),
    ("water", LINK_COLOURS["water"]),
    ("waste or emission", LINK_COLOURS["waste"]),
]
WIDTH = 900
INSTALL_FIX = (
    "install Debian's Chromium: `sudo apt-get install -y chromium` (kaleido 1.x finds it on PATH), or point the "
    "environment variable BROWSER_PATH at a Chrome/Chromium executable"
)

_BOUNDARY_LABELS = {
    ("in", "market"): "purchases",
    ("out", "market"): "products sold",
    ("in", "environment"): "from environment",
    ("out", "environment"): "to environment",
}


def _fmt_kg(x: float) -> str:
    from .html import fmt_num

    return f"{fmt_num(x, 3)} kg"


def node_label(node: dict) -> str:
    """Plain-text label (name and throughput); :func:`figure` escapes and wraps it for plotly."""
    if node["kind"] == "boundary":
        name = _BOUNDARY_LABELS.get((node["side"], node["label"]), node["label"].replace("_", " "))
    else:
        name = node["label"]
    return f"{name} · {_fmt_kg(node['mass_kg'])}"


def plotly_label(node: dict) -> str:
    """The label as plotly pseudo-HTML: the name wrapped on up to two lines, then the mass; every user character
    escaped, lines joined by our own <br>."""
    name = node_label(node).rsplit(" · ", 1)[0]
    lines = [*wrap(name, lines=2), _fmt_kg(node["mass_kg"])]
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


def positions(data: dict, height_px: int, pad: float) -> tuple[list[float], list[float]]:
    """Node centres (x, y in 0..1): columns from :func:`columns`; in each column the nodes keep their order and
    share the free height evenly around them, so small nodes in neighbouring columns do not sit side by side.
    Node heights follow plotly's own scale (the fullest column fills the height, ``pad`` pixels apart)."""
    col = columns(data)
    last = max(col.values(), default=1) or 1
    inner = height_px  # plot area height in pixels
    by_col: dict[int, list[dict]] = {}
    for n in data["nodes"]:
        by_col.setdefault(col[n["id"]], []).append(n)
    ky = min((inner - pad * (len(ns) - 1)) / max(sum(n["mass_kg"] for n in ns), 1e-300) for ns in by_col.values())
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
    links = data["links"]
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


def height(data: dict) -> int:
    """Figure height: room for the nodes, grown for the return arcs of loops."""
    base = min(820, max(340, 200 + 30 * len(data["nodes"])))
    return int(min(1000, base / (1 - 2 * arc_room(data))))


# ---------------------------------------------------------------- SVG export

_FORBIDDEN = [
    (re.compile(r"<\s*script", re.I), "script element"),
    (re.compile(r"<\s*foreignObject", re.I), "foreignObject element"),
    (re.compile(r"<[^>]*\son[a-z]+\s*=", re.I), "event-handler attribute"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
    (re.compile(r"""(?:href|src)\s*=\s*["'](?!#)""", re.I), "external reference"),
    (re.compile(r"@import|url\(\s*['\"]?(?!#)", re.I), "external CSS reference"),
]


def sanitise_svg(svg: str, uid: str) -> str:
    """Make plotly's SVG safe and stable to inline: plotly's random figure id is replaced by ``uid`` (so two
    diagrams on one page never share ids and the same input gives the same SVG); anything active is refused."""
    svg = re.sub(r"^\s*<\?xml[^>]*>\s*", "", svg)
    m = re.search(r'id="defs-([0-9a-zA-Z]+)"', svg)
    if m:
        old = m.group(1)
        svg = re.sub(rf'((?:id="|url\(#|href="#)[A-Za-z_-]*){re.escape(old)}', rf"\g<1>{uid}", svg)
    for pattern, what in _FORBIDDEN:
        if pattern.search(svg):
            raise LcaEngineError(
                f"the Sankey SVG contains an unsafe {what}; refusing to inline it",
                fix="this is a bug (labels are escaped before plotting); please report it",
            )
    # plotly positions label lines with dy relative to y="0"; some SVG renderers (WeasyPrint) add the dy values
    # up instead, so give each line its absolute position
    svg = re.sub(r'<tspan class="line" dy="([0-9.]+)em" x="0" y="0">', r'<tspan class="line" x="0" y="\g<1>em">', svg)
    # a responsive, accessible inline SVG
    svg = svg.replace('<svg class="main-svg"', '<svg class="main-svg sankey-svg" role="img"', 1)
    return svg


_TOKEN = re.compile(r"[MLCAZHVmlcazhv]|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def _path_ys(d: str) -> list[float]:
    """y coordinates of an absolute SVG path (M, L, C, A commands, as plotly writes Sankey links)."""
    ys: list[float] = []
    cmd, nums = "", []

    def flush() -> None:
        if cmd in "ML":
            ys.extend(nums[1::2])
        elif cmd == "C":
            ys.extend(nums[1::2])
        elif cmd == "A":
            ys.extend(nums[6::7])

    for tok in _TOKEN.findall(d):
        if tok.isalpha():
            flush()
            cmd, nums = tok, []
        else:
            nums.append(float(tok))
    flush()
    return ys


def crop_svg(svg: str, plot_top: float, plot_bottom: float, pad: float = 18.0) -> str:
    """Crop the SVG's height to what is drawn: the plot area plus the loops' return arcs (plotly draws them
    above or below the nodes, into the room :func:`figure` keeps free on both sides)."""
    m = re.search(r'<g class="sankey" transform="translate\(([-0-9.e]+),([-0-9.e]+)\)', svg)
    size = re.search(r'<svg[^>]*\swidth="([0-9.]+)" height="([0-9.]+)"[^>]*viewBox="0 0 [0-9.]+ [0-9.]+"', svg)
    if not m or not size:
        return svg
    offset = float(m.group(2))
    width, total = float(size.group(1)), float(size.group(2))
    ys = [plot_top - pad, plot_bottom + pad]
    for d in re.findall(r'<path class="sankey-link"[^>]*?\sd="([^"]*)"', svg):
        ys.extend(y + offset for y in _path_ys(d))
    top = max(0.0, min(ys) - 4)
    bottom = min(total, max(ys) + 4)
    h = bottom - top
    head = size.group(0)
    new = re.sub(r'\sheight="[0-9.]+"', f' height="{h:.0f}"', head, count=1)
    new = re.sub(r'viewBox="0 0 [0-9.]+ [0-9.]+"', f'viewBox="0 {top:.1f} {width:.0f} {h:.1f}"', new)
    return svg.replace(head, new, 1)


def _run(coro):
    """Run a coroutine to completion, also from inside a running event loop (Jupyter, some web servers)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    result: dict = {}

    def target():
        try:
            result["value"] = asyncio.run(coro)
        except BaseException as exc:  # re-raised in the caller's thread
            result["error"] = exc

    t = threading.Thread(target=target)
    t.start()
    t.join()
    if "error" in result:
        raise result["error"]
    return result["value"]


def render_svgs(datas: Sequence[dict], uids: Sequence[str]) -> list[str]:
    """Export several Sankeys to SVG in one Chromium session (starting Chromium costs ~1.5 s)."""
    if not datas:
        return []
    try:
        import kaleido
        from choreographer.errors import BrowserDepsError, BrowserFailedError, ChromeNotFoundError
    except ImportError as exc:
        raise LcaEngineError(
            f"the Sankey export needs plotly and kaleido>=1 ({exc})", fix="pip install 'plotly' 'kaleido>=1'"
        ) from None
    figs = [figure(d) for d in datas]

    async def export() -> list[bytes]:
        # mathjax=False: kaleido would otherwise load MathJax from a CDN (the report must not fetch anything)
        async with kaleido.Kaleido(n=1, mathjax=False, timeout=120) as k:
            return [
                await k.calc_fig(f, opts={"format": "svg", "width": WIDTH, "height": f.layout.height}) for f in figs
            ]

    try:
        raw = _run(export())
    except ChromeNotFoundError as exc:
        raise LcaEngineError(
            f"no Chromium found for the Sankey export (kaleido 1.x needs one): {exc}", fix=INSTALL_FIX
        ) from None
    except (BrowserFailedError, BrowserDepsError) as exc:
        raise LcaEngineError(f"Chromium failed to start for the Sankey export: {exc}", fix=INSTALL_FIX) from None
    out = []
    for b, uid, f in zip(raw, uids, figs, strict=True):
        margin = f.layout.margin
        svg = crop_svg(b.decode("utf-8"), margin.t, f.layout.height - margin.b)
        out.append(sanitise_svg(svg, uid))
    return out
