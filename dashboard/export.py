"""Files for download: the result cube, comparison and coverage tables as ``lca-engine assess`` writes them, and
chart images (kaleido where a Chromium exists, else drawn without a browser by :mod:`dashboard.static`)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import lca_engine as le
from dashboard import images, static
from dashboard.settings import LOCK


def results_files(a: le.Assessment) -> dict[str, bytes]:
    """The result cube, the comparison (both scopes) and the coverage table, as ``lca-engine assess`` writes them
    (Parquet through lca_engine.results)."""
    from lca_engine.results import write_comparison, write_coverage

    comp = a.comparison(scope=None)
    with tempfile.TemporaryDirectory(prefix="lca-dashboard-") as tmp:
        le.write_results(a.results, Path(tmp) / "results.parquet")
        write_comparison(comp, Path(tmp) / "comparison.parquet")
        write_coverage(a.coverage, Path(tmp) / "coverage.parquet")
        return {
            "results.parquet": (Path(tmp) / "results.parquet").read_bytes(),
            "results.csv": a.results.to_csv(index=False).encode("utf-8"),
            "comparison.parquet": (Path(tmp) / "comparison.parquet").read_bytes(),
            "comparison.csv": comp.to_csv(index=False).encode("utf-8"),
            "coverage.parquet": (Path(tmp) / "coverage.parquet").read_bytes(),
            "coverage.csv": a.coverage.to_csv(index=False).encode("utf-8"),
        }


def chart_images(charts: dict[str, object], fmt: str = "png") -> images.ChartImages:
    """PNG or SVG images of the charts (plotly figures; a dict is a Sankey's ``sankey_data``). With a Chromium,
    kaleido draws them as the dashboard shows them; without one the Sankeys come from the report's SVG writer and
    the rest from matplotlib, and a chart neither can draw is named in ``need_chromium`` instead of failing the
    others."""
    from lca_engine.report.sankey import figure

    figures = {name: figure(c) if isinstance(c, dict) else c for name, c in charts.items()}
    try:
        with LOCK:
            return images.ChartImages(images.kaleido_images(figures, fmt), browser=True)
    except images.NoBrowser:
        pass
    out = images.ChartImages({}, browser=False)
    for name, chart in charts.items():
        try:
            out.files[f"{name}.{fmt}"] = _static_image(name, chart, fmt)
        except (static.Unsupported, ValueError, TypeError):
            out.need_chromium.append(name)
    return out


def _static_image(name: str, chart, fmt: str) -> bytes:
    """One chart drawn without a browser."""
    from lca_engine.report.sankey_layout import layout
    from lca_engine.report.sankey_svg import to_svg

    if not isinstance(chart, dict):
        return static.figure_image(chart, fmt)
    if fmt == "svg":
        svg = to_svg(chart, name, f"Material flows, kg per functional unit ({name})")
        return ('<?xml version="1.0" encoding="UTF-8"?>\n' + svg + "\n").encode("utf-8")
    return static.sankey_image(layout(chart), fmt)
