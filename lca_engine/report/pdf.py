"""HTML report → PDF with WeasyPrint (A4, page numbers from the report's CSS).

WeasyPrint needs Pango (Debian: ``libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libfontconfig1`` and a font such
as ``fonts-dejavu-core``). The report is self-contained, so the URL fetcher refuses every fetch: a report can never
reach out to the network while it is rendered.
"""

from __future__ import annotations

from ..errors import LcaEngineError

PDF_FIX = (
    "pip install weasyprint, and install its system libraries: "
    "`sudo apt-get install -y libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libfontconfig1 fonts-dejavu-core`"
)


def _no_fetch(url: str, *args, **kwargs):
    raise ValueError(f"the report is self-contained; refusing to fetch {url!r}")


def render_pdf(html: str, *, title: str | None = None) -> bytes:
    """The PDF of a report page (bytes)."""
    try:
        import logging

        from weasyprint import HTML

        logging.getLogger("fontTools").setLevel(logging.WARNING)
    except (ImportError, OSError) as exc:  # OSError: Pango missing
        raise LcaEngineError(f"PDF output needs WeasyPrint and Pango ({exc})", fix=PDF_FIX) from None
    doc = HTML(string=html, url_fetcher=_no_fetch).render()
    if title:
        doc.metadata.title = title
    doc.metadata.generator = "lca-engine (WeasyPrint)"
    return doc.write_pdf()
