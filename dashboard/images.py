"""Chart images through kaleido 1.x, which drives a Chromium (Debian's ``chromium`` on PATH, or the executable
named by ``BROWSER_PATH``); :class:`NoBrowser` when there is none, so the caller can draw them without one
(:mod:`dashboard.static`). No ``lca_engine`` here: :func:`dashboard.engine.chart_images` decides."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field

INSTALL_CHROMIUM = "apt-get install -y chromium"


class NoBrowser(RuntimeError):
    """kaleido found no working Chromium (or kaleido is not installed)."""


@dataclass
class ChartImages:
    files: dict[str, bytes]  # "<name>.<fmt>" → bytes
    browser: bool  # drawn by kaleido in Chromium (the dashboard's own look)
    need_chromium: list[str] = field(default_factory=list)  # charts that could not be drawn without one


def _run(coro):
    """Run a coroutine to completion, also from inside a running event loop (Streamlit, Jupyter)."""
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


def kaleido_images(figures: dict[str, object], fmt: str) -> dict[str, bytes]:
    """PNG/SVG bytes of plotly figures in one Chromium session; :class:`NoBrowser` without a Chromium."""
    try:
        import kaleido
        from choreographer.errors import BrowserDepsError, BrowserFailedError, ChromeNotFoundError
    except ImportError as exc:
        raise NoBrowser(f"kaleido is not installed ({exc})") from None

    async def export() -> list[bytes]:
        async with kaleido.Kaleido(n=1, mathjax=False, timeout=120) as k:  # mathjax=False: no CDN
            out = []
            for fig in figures.values():
                w, h = fig.layout.width or 1000, fig.layout.height or 500
                out.append(await k.calc_fig(fig, opts={"format": fmt, "width": w, "height": h, "scale": 1}))
            return out

    try:
        raw = _run(export())
    except (ChromeNotFoundError, BrowserFailedError, BrowserDepsError) as exc:
        raise NoBrowser(str(exc)) from None
    return {f"{name}.{fmt}": b for name, b in zip(figures, raw, strict=True)}
