"""Chart images without a browser: the dashboard's plotly figures and the report's Sankey layout drawn with
matplotlib (pip wheels only), for machines without the Chromium kaleido needs.

Only what :mod:`dashboard.charts` uses for the exported charts is translated — bar traces (horizontal or
vertical, grouped or stacked), scatter traces (lines with ``None`` breaks, ``fill="toself"``, markers, stacked areas
of a ``stackgroup``), titles, axis titles,
hidden axes, a fixed y/x scale ratio, reversed y axes and paper-anchored annotations. A figure with anything
else raises :class:`Unsupported`, and the caller says which chart needs Chromium.

No numbers are computed here: every value comes from the figure or the layout it is given.
"""

from __future__ import annotations

import io
import re

import numpy as np

PX_PER_INCH = 100  # figure sizes: plotly pixels → inches
DPI = 150
PT_PER_PX = 72 / PX_PER_INCH


class Unsupported(ValueError):
    """A figure with a trace or setting this module does not draw."""


def _figure(width_px: float, height_px: float):
    """A matplotlib figure without pyplot (no global state: Streamlit runs sessions in threads)."""
    from matplotlib.figure import Figure

    return Figure(figsize=(width_px / PX_PER_INCH, height_px / PX_PER_INCH))


def plain(text) -> str:
    """Plotly pseudo-HTML → matplotlib text: line breaks kept, other tags dropped, ``$`` never starts mathtext."""
    text = re.sub(r"<br\s*/?>", "\n", str(text or ""), flags=re.I)
    text = re.sub(r"</?(?:b|i|sub|sup|span)[^>]*>", "", text, flags=re.I)
    return text.replace("$", r"\$")


def _save(fig, fmt: str) -> bytes:
    import matplotlib

    buf = io.BytesIO()
    # deterministic SVG: no date, and ids from a fixed salt (a dashboard-only process: set once, never varies)
    matplotlib.rcParams["svg.hashsalt"] = "lca-engine"
    fig.savefig(buf, format=fmt, dpi=DPI, metadata={"Date": None} if fmt == "svg" else None)
    return buf.getvalue()


def _categories(traces, axis: str) -> list[str]:
    out: dict[str, None] = {}
    for t in traces:
        out.update(dict.fromkeys(str(c) for c in getattr(t, axis)))
    return list(out)


def stack_bases(rows: list[np.ndarray]) -> list[np.ndarray]:
    """Where each stacked series starts: the sum of the series before it (as plotly stacks; values ≥ 0)."""
    base = np.zeros_like(rows[0], dtype=float) if rows else np.zeros(0)
    out = []
    for row in rows:
        out.append(base.copy())
        base = base + np.nan_to_num(row)
    return out


def _bars(ax, traces, barmode: str | None) -> None:
    horizontal = traces[0].orientation == "h"
    cats = _categories(traces, "y" if horizontal else "x")
    index = {c: i for i, c in enumerate(cats)}
    n = len(traces) if barmode == "group" else 1
    width = 0.8 / n
    rows = []
    for t in traces:
        labels, values = (t.y, t.x) if horizontal else (t.x, t.y)
        row = np.zeros(len(cats))
        row[[index[str(c)] for c in labels]] = [np.nan if v is None else v for v in values]
        rows.append(row)
    bases = stack_bases(rows) if barmode == "stack" else [np.zeros(len(cats))] * len(rows)
    for k, (t, row, base) in enumerate(zip(traces, rows, bases, strict=True)):
        pos = np.arange(len(cats), dtype=float) - 0.4 + width * (k % n + 0.5)
        draw, side = (ax.barh, "left") if horizontal else (ax.bar, "bottom")
        draw(pos, row, width, color=t.marker.color, label=plain(t.name) if t.name else None, **{side: base})
    ticks = ax.set_yticks if horizontal else ax.set_xticks
    step = 1 if horizontal else max(1, len(cats) // 12)  # years along x: every nth label, not 36 on top of each other
    ticks(range(0, len(cats), step), [plain(c) for c in cats[::step]])
    (ax.axvline if horizontal else ax.axhline)(0, color="#888888", linewidth=0.8)


def _areas(ax, traces) -> None:
    """Scatter traces of one ``stackgroup`` as filled bands, each on top of the ones before it."""
    rows = [np.array([np.nan if v is None else v for v in t.y], dtype=float) for t in traces]
    for t, row, base in zip(traces, rows, stack_bases(rows), strict=True):
        x = np.array(list(t.x), dtype=float)
        colour = t.fillcolor or t.line.color
        ax.fill_between(x, base, base + np.nan_to_num(row), color=colour, linewidth=0, label=plain(t.name))


def _rings(xs, ys):
    """Split coordinates at ``None`` (plotly's line breaks) into separate rings."""
    ring: list[tuple[float, float]] = []
    for x, y in zip(xs, ys, strict=True):
        if x is None or y is None:
            if ring:
                yield ring
            ring = []
        else:
            ring.append((float(x), float(y)))
    if ring:
        yield ring


def _scatter(ax, t) -> None:
    from matplotlib.patches import Polygon

    mode = t.mode or "lines"
    label = plain(t.name) if t.name and t.showlegend is not False else None
    if "lines" in mode:
        colour = t.line.color or "#444444"
        for ring in _rings(t.x, t.y):
            if t.fill == "toself":
                ax.add_patch(Polygon(ring, closed=True, facecolor=t.fillcolor or colour, edgecolor=colour,
                                     linewidth=(t.line.width or 1) * 0.75))  # fmt: skip
            else:
                ax.plot(*zip(*ring, strict=True), color=colour, linewidth=(t.line.width or 1) * 0.75)
    if "markers" in mode:
        size = (t.marker.size or 8) * PT_PER_PX
        edge = t.marker.line.color if t.marker.line and t.marker.line.color else "none"
        ax.scatter(list(t.x), list(t.y), s=size**2, c=t.marker.color, edgecolors=edge, label=label, zorder=3)


def _axes(ax, layout) -> None:
    for axis, name in ((layout.xaxis, "x"), (layout.yaxis, "y")):
        if axis.visible is False:
            (ax.xaxis if name == "x" else ax.yaxis).set_visible(False)
            ax.spines[["top", "bottom"] if name == "x" else ["left", "right"]].set_visible(False)
        if axis.title and axis.title.text:
            (ax.set_xlabel if name == "x" else ax.set_ylabel)(plain(axis.title.text))
    if layout.yaxis.autorange == "reversed":
        ax.invert_yaxis()
    if layout.yaxis.scaleanchor == "x":
        ax.set_aspect(layout.yaxis.scaleratio or 1)
    ax.grid(axis="both", color="#E5E5E5", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def figure_image(fig, fmt: str = "png") -> bytes:
    """A plotly figure of :mod:`dashboard.charts` as PNG or SVG bytes, drawn by matplotlib."""
    kinds = {t.type for t in fig.data}
    if not kinds or not kinds <= {"bar", "scatter"}:
        raise Unsupported(f"traces {sorted(kinds)}")
    layout = fig.layout
    out = _figure(layout.width or 1000, layout.height or 500)
    ax = out.subplots()
    if "bar" in kinds:
        _bars(ax, [t for t in fig.data if t.type == "bar"], layout.barmode)
    groups: dict[str, list] = {}
    for t in fig.data:
        if t.type == "scatter" and t.stackgroup:
            groups.setdefault(t.stackgroup, []).append(t)
        elif t.type == "scatter":
            _scatter(ax, t)
    for traces in groups.values():
        _areas(ax, traces)
    _axes(ax, layout)
    if layout.title and layout.title.text:
        ax.set_title(plain(layout.title.text), loc="left", fontsize=12)
    if any(t.name and t.showlegend is not False for t in fig.data):
        ax.legend(frameon=False, fontsize=9, loc="best")
    for note in layout.annotations or ():
        if note.xref == "paper" and note.yref == "paper":
            out.text(0.01, 0.01, plain(note.text), fontsize=(note.font.size or 10) * PT_PER_PX * 1.3, color="#555555")
    out.set_layout_engine("tight")
    return _save(out, fmt)


def _mpl_path(path):
    """A layout path (absolute M, L, C, Z commands) as a matplotlib Path."""
    from matplotlib.path import Path

    codes = {"M": [Path.MOVETO], "L": [Path.LINETO], "C": [Path.CURVE4] * 3, "Z": [Path.CLOSEPOLY]}
    verts, kinds = [], []
    for cmd, nums in path:
        verts += list(zip(nums[0::2], nums[1::2], strict=True)) or [(0.0, 0.0)]
        kinds += codes[cmd]
    return Path(verts, kinds)


def _sankey_links(ax, lay) -> None:
    """Return arcs first (beneath), then the forward bands, as the SVG writer draws them."""
    from matplotlib.patches import PathPatch

    for lk in sorted(lay.links, key=lambda lk: not lk.arc):
        for taper in lk.tapers:
            ax.add_patch(PathPatch(_mpl_path(taper), facecolor=lk.colour, alpha=lk.opacity, linewidth=0))
        if lk.arc:
            paint = {"facecolor": "none", "edgecolor": lk.colour, "linewidth": lk.stroke * PT_PER_PX}
            ax.add_patch(PathPatch(_mpl_path(lk.path), alpha=lk.opacity, capstyle="butt", **paint))
        else:
            ax.add_patch(PathPatch(_mpl_path(lk.path), alpha=lk.opacity, facecolor=lk.colour, linewidth=0))


def _sankey_nodes_and_text(ax, lay) -> None:
    from matplotlib.patches import Rectangle

    font = {"fontsize": lay.font_size * PT_PER_PX, "family": "DejaVu Sans", "color": "#222222"}
    for n in lay.nodes:
        ax.add_patch(Rectangle((n.x, n.y), lay.thickness, n.height, facecolor=n.colour, linewidth=0))
    box = {"facecolor": "white", "alpha": 0.75, "linewidth": 0, "pad": 1}
    for n in lay.nodes:
        ax.text(n.label_x, n.label_y, plain("\n".join(n.lines)), va="center", ha="left", bbox=box, **font)
    for t in lay.texts:
        ax.text(t.x, t.y, plain(t.text), ha="center", va="baseline", **font)
    for label, colour, opacity, x, y in lay.legend:
        if colour:
            ax.add_patch(Rectangle((x, y), 24, 10, facecolor=colour, alpha=opacity, linewidth=0))
        ax.text(x + 30, y + 9, plain(label), va="baseline", **font)


def sankey_image(lay, fmt: str = "png") -> bytes:
    """A :class:`lca_engine.report.sankey_layout.Layout` drawn by matplotlib, 1 layout pixel per 1/100 inch."""
    fig = _figure(lay.width, lay.height)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(lay.left, lay.left + lay.width)
    ax.set_ylim(lay.top + lay.height, lay.top)
    ax.axis("off")
    _sankey_links(ax, lay)
    _sankey_nodes_and_text(ax, lay)
    return _save(fig, fmt)
