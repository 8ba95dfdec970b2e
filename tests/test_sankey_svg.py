"""The static Sankey SVG (no browser): geometry checked by hand, escaping of hostile labels, determinism, no
active content. The data dicts have the shape of ``lca_engine.report.content.sankey_data``."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from lca_engine import LcaEngineError, load
from lca_engine.report.content import sankey_data
from lca_engine.report.sankey_layout import MARGIN, MAX_ARC, THICKNESS, layout
from lca_engine.report.sankey_svg import FORBIDDEN, check_inert, markup_only, to_svg

from .conftest import EXAMPLES

NS = {"s": "http://www.w3.org/2000/svg"}
NUM = re.compile(r"-?\d+\.\d+")
HOSTILE = "<script>alert(1)</script> & \"dq\" 'sq' ]]> javascript:x onload=y"


def node(nid: str, mass: float, label: str | None = None) -> dict:
    side = "in" if nid.startswith("in:") else "out" if nid.startswith("out:") else ""
    kind = "boundary" if side else "process"
    return {"id": nid, "label": label or nid.split(":")[-1], "kind": kind, "side": side, "mass_kg": mass}


def link(flow: str, source: str, target: str, mass: float, loop: bool = False, kind: str = "material") -> dict:
    return {"flow": flow, "name": flow, "source": source, "target": target, "kind": kind, "mass_kg": mass, "loop": loop}


def chain() -> dict:
    """market → a (4 kg) → b as two flows of 1 kg and 3 kg → market (4 kg)."""
    nodes = [node("in:market", 4.0), node("a", 4.0), node("b", 4.0), node("out:market", 4.0)]
    links = [
        link("buy", "in:market", "a", 4.0),
        link("one", "a", "b", 1.0),
        link("three", "a", "b", 3.0),
        link("sell", "b", "out:market", 4.0),
    ]
    return {"nodes": nodes, "links": links}


def looped(back_kg: float) -> dict:
    """market → a (1 kg) → b (1 + back) → a again (back, a loop) and → market (1 kg)."""
    through = 1.0 + back_kg
    nodes = [node("in:market", 1.0), node("a", through), node("b", through), node("out:market", 1.0)]
    links = [
        link("buy", "in:market", "a", 1.0),
        link("fwd", "a", "b", through, loop=True),
        link("back", "b", "a", back_kg, loop=True),
        link("sell", "b", "out:market", 1.0),
    ]
    return {"nodes": nodes, "links": links}


def paths(svg: str, cls: str) -> dict[str, list[float]]:
    """Flow id (from the path's tooltip) → the numbers of its ``d``."""
    out = {}
    for d, flow in re.findall(rf'<path class="{cls}" d="([^"]*)"[^>]*><title>([^:<]*):', svg):
        out[flow] = [float(x) for x in NUM.findall(d)]
    return out


def rects(svg: str) -> list[tuple[float, float, float, float]]:
    return [
        tuple(map(float, m))
        for m in re.findall(
            r'<rect class="sankey-node" x="([-\d.]+)" y="([-\d.]+)" width="(\d+)" height="([\d.]+)"', svg
        )
    ]


def test_band_widths_and_column_heights_are_scale_times_mass():
    svg = to_svg(chain(), "t", "chain")
    # by hand: 4 nodes → base height max(340, 200 + 30 × 4) = 340, node area 340 − 2 × 8 = 324 px; every column
    # holds one node of 4 kg, so 324 / 4 = 81 px per kg
    scale = (340 - 2 * MARGIN) / 4.0
    assert layout(chain()).scale == pytest.approx(81.0)
    bands = paths(svg, "sankey-link")
    assert set(bands) == {"buy", "one", "three", "sell"}
    # band: M x0 y0 C … x1 y1 L x1 y1+w C … x0 y0+w Z → the width at both ends
    widths = {f: (d[-1] - d[1], d[9] - d[7]) for f, d in bands.items()}
    assert widths["one"] == pytest.approx((81.0, 81.0), abs=0.01)
    assert widths["three"] == pytest.approx((243.0, 243.0), abs=0.01)
    assert widths["three"][0] / widths["one"][0] == pytest.approx(3.0, rel=1e-4)
    assert widths["buy"][0] == pytest.approx(4 * scale, abs=0.01)
    # each column is one node of scale × 4 kg, and its bands stack on it without gap or overlap
    heights = [h for _, _, _, h in rects(svg)]
    assert heights == pytest.approx([324.0] * 4, abs=0.01)
    one, three = bands["one"], bands["three"]
    assert three[1] == pytest.approx(one[1] + 81.0, abs=0.01), "the 3 kg band starts where the 1 kg band ends"
    x_a, y_a = rects(svg)[1][:2]
    assert one[0] == pytest.approx(x_a + THICKNESS) and one[1] == pytest.approx(y_a)


def test_a_loop_is_a_return_arc_above_the_nodes():
    data = looped(0.1)
    svg = to_svg(data, "t", "loop")
    arcs = paths(svg, "sankey-loop")
    assert list(arcs) == ["back"] and "back" not in paths(svg, "sankey-link")
    # by hand: node area 324 px for the fullest column (1.1 kg) → 0.1 kg is 324 × 0.1 / 1.1 = 29.45 px wide
    assert re.search(r'class="sankey-loop"[^>]*stroke-width="29\.45"', svg)
    assert 'stroke="#E69F00"' in svg, "drawn in the loop colour (Okabe–Ito orange)"
    _, (x_a, y_a, _, _), (x_b, y_b, _, _), _ = rects(svg)
    d = arcs["back"]
    xs, ys = d[0::2], d[1::2]
    assert xs[0] == pytest.approx(x_b + THICKNESS), "leaves b's right edge"
    assert xs[-1] == pytest.approx(x_a), "enters a's left edge"
    assert max(xs) > x_b + THICKNESS and min(xs) < x_a, "goes round both nodes"
    assert min(ys) < min(y_a, y_b) - 29.45 / 2, "its lane runs above every node"
    assert "0.1 kg returned" in svg


def test_a_heavy_loop_narrows_to_the_widest_arc_and_keeps_its_width_at_the_nodes():
    data = looped(10.0)  # 10 of 11 kg: 294.5 px, wider than the page allows beside the nodes
    svg = to_svg(data, "t", "heavy")
    assert re.search(rf'class="sankey-loop"[^>]*stroke-width="{MAX_ARC:.2f}"', svg)
    tapers = re.findall(r'<path class="sankey-taper" d="([^"]*)"', svg)
    assert len(tapers) == 2
    full = 324 * 10 / 11
    for d in tapers:
        nums = [float(x) for x in NUM.findall(d)]
        ends = sorted([nums[-1] - nums[1], nums[9] - nums[7]])
        assert ends == pytest.approx([MAX_ARC, full], abs=0.01), "from the full width at the node to the arc's"
    assert "narrows beside its nodes" in svg


def test_hostile_labels_are_text_and_the_svg_is_well_formed():
    data = chain()
    data["nodes"][1]["label"] = HOSTILE + "\x00\x1b"
    data["links"][1]["flow"] = HOSTILE
    svg = to_svg(data, 'u"><script>', HOSTILE)
    root = ET.fromstring(svg)  # well-formed XML (quotes, ]]> and control characters handled)
    assert root.get("id") == "u___script_", "the uid is reduced to safe characters"
    assert root.find("s:title", NS).text == HOSTILE
    texts = " ".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))
    assert "<script>alert" in texts and "& \"dq\" 'sq' ]]>" in texts, "the label is shown literally"
    assert "<script" not in svg.lower() and "]]>" not in svg
    assert "&lt;script&gt;" in svg and "&amp;" in svg and "&quot;dq&quot;" in svg and "&#x27;sq&#x27;" in svg
    tags = markup_only(svg)
    for pattern, what in FORBIDDEN:
        assert not pattern.search(tags), what
    assert not any(el.tag.endswith(("script", "foreignObject")) for el in root.iter())
    assert not any(k.startswith("on") or "href" in k for el in root.iter() for k in el.attrib)


def test_same_input_same_bytes_and_ids_carry_the_uid():
    assert to_svg(chain(), "a1", "t") == to_svg(chain(), "a1", "t")
    one, two = to_svg(looped(0.1), "a1", "t"), to_svg(looped(0.1), "b2", "t")
    ids1, ids2 = re.findall(r'\sid="([^"]+)"', one), re.findall(r'\sid="([^"]+)"', two)
    assert ids1 == ["a1", "a1-title", "a1-desc"] and ids2 == ["b2", "b2-title", "b2-desc"]
    assert not set(ids1) & set(ids2), "two diagrams on one page never share an id"
    assert one.replace("a1", "b2") == two


def test_accessible_root():
    root = ET.fromstring(to_svg(chain(), "x", "Material flows: chain"))
    assert root.get("role") == "img" and root.get("aria-labelledby") == "x-title x-desc"
    assert root.find("s:title", NS).text == "Material flows: chain"
    assert "4 nodes and 4 mass flows" in root.find("s:desc", NS).text
    legend = [t.text for t in root.findall("s:g[@class='sankey-legend']/s:text", NS)]
    assert legend[0].startswith("reuse / recycling loop") and len(legend) == 4


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.toml")), ids=lambda p: p.stem)
def test_every_example_draws_without_active_content(path):
    data = sankey_data(load(path))
    svg = to_svg(data, "ex", path.stem)
    for pattern, what in FORBIDDEN:
        assert not pattern.search(svg), what
    root = ET.fromstring(svg)
    drawn_links = root.findall(".//s:path[@class='sankey-link']", NS) + root.findall(
        ".//s:path[@class='sankey-loop']", NS
    )
    assert len(drawn_links) == len(data["links"]), "every mass flow drawn once"
    viewbox = [float(x) for x in root.get("viewBox").split()]
    drawn = [float(x) for x in NUM.findall(" ".join(re.findall(r' d="([^"]*)"', svg)))]
    assert min(drawn[1::2]) >= viewbox[1] and max(drawn[1::2]) <= viewbox[1] + viewbox[3], "nothing cut off"


def test_active_markup_is_refused():
    for bad in (
        "<svg><script>alert(1)</script></svg>",
        '<svg><g onload="alert(1)"/></svg>',
        '<svg><a href="https://example.org">x</a></svg>',
        "<svg><foreignObject><div/></foreignObject></svg>",
        '<svg><style>@import "x.css";</style></svg>',
    ):
        with pytest.raises(LcaEngineError):
            check_inert(bad)
    assert check_inert("<svg><text>javascript: onload= is only text</text></svg>")
