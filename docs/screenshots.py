"""Screenshots of every dashboard page at 1280 and 1600 px and of the report's page 1, for review.

    .venv/bin/python docs/screenshots.py [--out docs/screenshots] [--widths 1280 1600]

Starts the real dashboard (`streamlit run dashboard/app.py`) on a free port with its own temporary data folder,
opens each page in headless Chromium (selenium + chromedriver: `apt-get install chromium chromium-driver`), waits
until the page has finished running, and saves the whole page (the window is resized to the page's height). The
report's page 1 is rendered from the real PDF with pypdfium2. The PNGs are then made small (PIL ``optimize``; if
they still add up to more than ``--budget`` MB, quantised to 256 colours). Nothing is written outside ``--out`` and a
temporary folder.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "dashboard" / "app.py"
#: (url path, screenshot name)
PAGES = [
    ("", "portfolio"),
    ("factory", "factory"),
    ("circularity", "circularity"),
    ("claims", "claims"),
    ("scenarios", "scenarios"),
    ("wales", "wales"),
    ("upload", "upload"),
    ("downloads", "downloads"),
]
MAX_HEIGHT = 16000
#: Total size of the screenshots above which they are saved as quantised (palette) PNGs, MB.
BUDGET_MB = 8.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(tmp: Path, port: int) -> subprocess.Popen:
    env = {**os.environ, "LCA_ENGINE_DATA_DIR": str(tmp / "data"), "HOME": str(tmp), "BRIGHTWAY_NO_STRUCTLOG": "1"}
    env.pop("BRIGHTWAY2_DIR", None)
    cmd = [sys.executable, "-m", "streamlit", "run", str(APP), "--server.headless", "true"]
    cmd += ["--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"]
    log = open(tmp / "streamlit.log", "wb")  # lives as long as the server
    proc = subprocess.Popen(cmd, cwd=APP.parent, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.time() + 90
    while time.time() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    sys.exit("streamlit did not start; log: " + (tmp / "streamlit.log").read_text(errors="replace")[-2000:])


def _browser(tmp: Path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = shutil.which("chromium") or shutil.which("chromium-browser") or ""
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars"):
        opts.add_argument(arg)
    opts.add_argument("--enable-unsafe-swiftshader")
    opts.add_argument(f"--user-data-dir={tmp / 'profile'}")
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=opts)
    driver.set_page_load_timeout(120)
    return driver


def _settle(driver, timeout: float = 240) -> None:
    """Until the app has stopped running for 2 s (no status widget or spinner)."""
    from selenium.webdriver.common.by import By

    busy = '[data-testid="stStatusWidget"], [data-testid="stSpinner"]'
    deadline, quiet = time.time() + timeout, None
    while time.time() < deadline:
        ready = driver.find_elements(By.CSS_SELECTOR, '[data-testid="stMain"] h1') and not driver.find_elements(
            By.CSS_SELECTOR, busy
        )
        quiet = (quiet or time.time()) if ready else None
        if quiet and time.time() - quiet > 2:
            return
        time.sleep(0.25)
    print(f"warning: {driver.current_url} still running after {timeout} s", file=sys.stderr)


def _page_height(driver) -> int:
    js = (
        "const m = document.querySelector('[data-testid=\"stMain\"]');"
        "const c = m ? m.firstElementChild : null;"
        "return Math.max(document.body.scrollHeight, m ? m.scrollHeight : 0, c ? c.scrollHeight : 0);"
    )
    return min(int(driver.execute_script(js)) + 40, MAX_HEIGHT)


def _fit_height(driver, width: int) -> None:
    """Grow the window to the page's height until it stops growing (tables and charts render after resizes)."""
    height = 0
    for _ in range(4):
        wanted = _page_height(driver)
        if wanted <= height:
            return
        height = wanted
        driver.set_window_size(width, height)
        _settle(driver, timeout=30)


def shoot_dashboard(out: Path, widths: list[int]) -> list[Path]:
    saved = []
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        proc = _serve(tmp, port := _free_port())
        driver = _browser(tmp)
        try:
            for width in widths:
                for path, name in PAGES:
                    driver.set_window_size(width, 1000)
                    driver.get(f"http://127.0.0.1:{port}/{path}")
                    _settle(driver)
                    _fit_height(driver, width)
                    saved.append(out / f"{width}_{name}.png")
                    driver.save_screenshot(str(saved[-1]))
        finally:
            driver.quit()
            proc.terminate()
            proc.wait(timeout=30)
    return saved


def shoot_report_page1(out: Path, factory: str = "textile_merthyr_micro.toml") -> Path:
    import pypdfium2

    with tempfile.TemporaryDirectory() as t:
        env = {**os.environ, "LCA_ENGINE_DATA_DIR": str(Path(t) / "data"), "HOME": t}
        inv = ROOT / "inventories" / "examples" / factory
        cmd = [sys.executable, "-m", "lca_engine.cli", "report", str(inv), "--out", t]
        subprocess.run(cmd, env=env, check=True, capture_output=True)
        pdf = next(Path(t).rglob("*.pdf"))
        page = pypdfium2.PdfDocument(str(pdf))[0]
        target = out / "report_page1.png"
        page.render(scale=2).to_pil().save(target)
    return target


def shrink(paths: list[Path], budget_mb: float = BUDGET_MB) -> float:
    """Re-save every PNG optimised; if they still add up to more than ``budget_mb``, as 256-colour PNGs (text and
    flat colours survive). Returns the total size in MB."""
    from PIL import Image

    for p in paths:
        Image.open(p).save(p, optimize=True)
    total = sum(p.stat().st_size for p in paths) / 1e6
    if total > budget_mb:
        for p in paths:
            Image.open(p).convert("RGB").quantize(256, method=Image.Quantize.MEDIANCUT).save(p, optimize=True)
        total = sum(p.stat().st_size for p in paths) / 1e6
    return total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    ap.add_argument("--widths", type=int, nargs="+", default=[1280, 1600])
    ap.add_argument("--no-report", action="store_true")
    ap.add_argument("--budget", type=float, default=BUDGET_MB, help="MB above which the PNGs are quantised")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    saved = [] if args.no_report else [shoot_report_page1(args.out)]
    saved += shoot_dashboard(args.out, args.widths)
    total = shrink(saved, args.budget)
    for p in saved:
        print(p)
    print(f"{len(saved)} screenshots, {total:.1f} MB")


if __name__ == "__main__":
    main()
