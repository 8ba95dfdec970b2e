"""The dashboard in a real browser: `streamlit run dashboard/app.py` in a subprocess, every page loaded in headless
Debian Chromium (selenium + chromedriver), charts drawn, no exception shown, uploads through the real file input.

Screenshots go to a temporary folder, and also to $DASHBOARD_SCREENSHOTS when that is set.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from .conftest import EXAMPLES, ROOT

APP = ROOT / "dashboard" / "app.py"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")

pytestmark = pytest.mark.skipif(
    CHROMIUM is None or CHROMEDRIVER is None,
    reason="needs the optional Debian packages chromium and chromium-driver; as root: "
    "apt-get install -y chromium chromium-driver",
)

# (url path, title shown, number of plotly charts expected at least, screenshot name)
PAGES = [
    ("", "Portfolio", 2, "01_portfolio"),
    ("factory", "Factory", 2, "02_factory"),
    ("circularity", "Circular credentials", 0, "03_circularity"),
    ("wales", "Wales alignment", 0, "10_wales"),
    ("cycles", "Material cycles", 4, "11_cycles"),
    ("claims", "Claims & uncertainty", 1, "04_claims"),
    ("scenarios", "Scenarios", 1, "05_scenarios"),
    ("downloads", "Downloads", 0, "06_downloads"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def _serve(tmp: Path):
    """``streamlit run dashboard/app.py`` on a free port with its own data folder and home under ``tmp``: yields
    the URL once the server answers its health check; stops the server afterwards."""
    (tmp / "home").mkdir(exist_ok=True)
    env = dict(os.environ)
    env.update({"LCA_ENGINE_DATA_DIR": str(tmp / "data"), "HOME": str(tmp / "home"), "BRIGHTWAY_NO_STRUCTLOG": "1"})
    env.pop("BRIGHTWAY2_DIR", None)  # the engine derives it from LCA_ENGINE_DATA_DIR
    port = _free_port()
    flags = ["--server.headless", "true", "--server.port", str(port), "--server.address", "127.0.0.1"]
    flags += ["--server.maxUploadSize", "2", "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"]
    log_path = tmp / f"streamlit-{port}.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(APP), *flags],
            cwd=APP.parent,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.time() + 60
            while not _healthy(url):
                if proc.poll() is not None or time.time() > deadline:
                    log.flush()
                    pytest.fail("streamlit did not start:\n" + log_path.read_text(errors="replace"))
                time.sleep(0.3)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The dashboard served by Streamlit, with its own temporary data folder and home."""
    tmp = tmp_path_factory.mktemp("dashboard-browser")
    with _serve(tmp) as url:
        yield url, tmp


@pytest.fixture(scope="module")
def browser(server):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    _, tmp = server
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-dev-shm-usage",
        "--enable-unsafe-swiftshader",  # software WebGL for the map (plotly scatter_map / MapLibre)
        "--window-size=1500,2400",
        f"--user-data-dir={tmp / 'chromium-profile'}",
    ):
        opts.add_argument(arg)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> list[Path]:
    dirs = [tmp_path_factory.mktemp("screenshots")]
    if os.environ.get("DASHBOARD_SCREENSHOTS"):
        extra = Path(os.environ["DASHBOARD_SCREENSHOTS"])
        extra.mkdir(parents=True, exist_ok=True)
        dirs.append(extra)
    return dirs


def _save(driver, dirs: list[Path], name: str) -> None:
    for d in dirs:
        assert driver.save_screenshot(str(d / f"{name}.png")), f"screenshot {name} failed"


def _settle(driver, charts: int = 0, timeout: float = 150, text: str | None = None) -> None:
    """Wait until the app has finished running (no status widget / spinner for a moment), shows at least
    ``charts`` drawn plotly charts and, if given, ``text``; fail at once on a Streamlit exception box."""
    from selenium.webdriver.common.by import By

    deadline = time.time() + timeout
    quiet_since = None
    while time.time() < deadline:
        exc = driver.find_elements(By.CSS_SELECTOR, '[data-testid="stException"]')
        assert not exc, "Streamlit exception on the page:\n" + exc[0].text
        running = driver.find_elements(By.CSS_SELECTOR, '[data-testid="stStatusWidget"], [data-testid="stSpinner"]')
        drawn = driver.find_elements(By.CSS_SELECTOR, ".js-plotly-plot .main-svg")
        ready = (
            not running
            and len(driver.find_elements(By.CSS_SELECTOR, '[data-testid="stMain"]')) > 0
            and len({e.id for e in drawn}) >= charts
            and len(driver.find_elements(By.CSS_SELECTOR, ".js-plotly-plot")) >= charts
            and (text is None or text in driver.find_element(By.TAG_NAME, "body").text)
        )
        if ready:
            quiet_since = quiet_since or time.time()
            if time.time() - quiet_since > 1.5:
                return
        else:
            quiet_since = None
        time.sleep(0.25)
    body = driver.find_element(By.TAG_NAME, "body").text[:2000]
    pytest.fail(f"page did not settle (charts ≥ {charts}, text {text!r}) within {timeout} s; page text:\n{body}")


def test_every_page_renders_with_charts(server, browser, shots):
    from selenium.webdriver.common.by import By

    url, _ = server
    for path, title, charts, shot in PAGES:
        browser.get(f"{url}/{path}")
        _settle(browser, charts, text=title)
        h1 = browser.find_element(By.CSS_SELECTOR, '[data-testid="stMain"] h1').text
        assert title.split(" ")[0] in h1, (path, h1)
        if path == "":
            assert "Open Government Licence v3.0" in browser.find_element(By.TAG_NAME, "body").text
            assert browser.find_elements(By.CSS_SELECTOR, ".js-plotly-plot .maplibregl-canvas, .js-plotly-plot canvas")
        if path == "factory":
            metrics = browser.find_elements(By.CSS_SELECTOR, '[data-testid="stMetricValue"]')
            assert len(metrics) >= 4 and all(m.text for m in metrics[:4])
        if path == "wales":
            body = browser.find_element(By.TAG_NAME, "body").text
            assert "not a funding decision" in body and "Circular Economy Fund checklist" in body
            assert browser.find_elements(By.CSS_SELECTOR, '[data-testid="stTable"]'), "the summary, cells wrapped"
            assert len(browser.find_elements(By.CSS_SELECTOR, '[role="tab"]')) == 5, "one tab per section"
            # summary, then the sections in tabs (the measures in one expander per goal): was ~4,200 px of tables
            height = browser.execute_script("return document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
            print(f"Wales page: {height} px high at 1500 px wide")
            assert height <= 2600, height
            browser.set_window_size(1500, 2400)
            _settle(browser, charts, text="not a funding decision")
            _save(browser, shots, shot)
            browser.set_window_size(1500, 2400)
            continue
        _save(browser, shots, shot)


#: Elements whose text is cut (wider content than box: an ellipsis or a hidden overflow) or that scroll sideways:
#: every part of a metric card, every static table, every interactive table in view (closed expanders aside).
_CUT = """
const out = [];
document.querySelectorAll('[data-testid="stMetric"] *, [data-testid="stTable"], [data-testid="stDataFrame"]')
  .forEach(e => {
    const shown = e.clientWidth > 0 && !e.closest('details:not([open])');  // not in a closed expander
    if (shown && e.scrollWidth > e.clientWidth + 1) {
      const where = e.closest('[data-testid]')?.getAttribute('data-testid') || e.tagName;
      out.push(where + ': ' + e.innerText.slice(0, 80));
    }
  });
return out;
"""


def test_nothing_cut_at_1280_px(server, browser, shots):
    """Issue 17: at 1280 px no card label, value or delta is cut and no table scrolls sideways (the verdict table's
    interval, the portfolio's MCI and the circularity figures were off to the right or cut)."""
    url, _ = server
    browser.set_window_size(1280, 2400)
    try:
        for path, title, charts, shot in PAGES:
            if path in ("wales", "downloads"):
                continue
            browser.get(f"{url}/{path}")
            _settle(browser, charts, text=title)
            cut = browser.execute_script(_CUT)
            _save(browser, shots, f"1280_{shot}")
            assert not cut, (path, cut)
    finally:
        browser.set_window_size(1500, 2400)


def _metric_values(browser) -> list[str]:
    """The metric values' texts read in one script: the page re-renders while it recomputes, and an element found
    by one WebDriver call can be stale by the next (CI hit StaleElementReferenceException reading ``.text``)."""
    return browser.execute_script(
        "return Array.from(document.querySelectorAll('[data-testid=\"stMetricValue\"]')).map(e => e.innerText)"
    )


def test_scenario_control_recomputes(server, browser, shots):
    from selenium.webdriver.common.by import By

    url, _ = server
    browser.get(f"{url}/scenarios")
    _settle(browser, 1, text="Scenarios")
    before = _metric_values(browser)
    label = next(e for e in browser.find_elements(By.CSS_SELECTOR, "label") if e.text.strip() == "DESNZ 2023")
    label.click()
    deadline = time.time() + 60
    while time.time() < deadline:
        after = _metric_values(browser)
        if after and after != before:
            break
        time.sleep(0.25)
    _settle(browser, 1)
    after = _metric_values(browser)
    assert after != before, "changing the grid year did not change the carbon result"
    _save(browser, shots, "07_scenarios_grid_2023")


def _upload(browser, url: str, path: Path) -> None:
    from selenium.webdriver.common.by import By

    browser.get(f"{url}/upload")
    _settle(browser, 0, text="No file uploaded yet")
    browser.find_element(By.CSS_SELECTOR, 'input[type="file"]').send_keys(str(path))


def test_upload_good_inventory(server, browser, shots, tmp_path):
    from selenium.webdriver.common.by import By

    url, _ = server
    good = tmp_path / "my_textile_micro.toml"
    text = (EXAMPLES / "textile_merthyr_micro.toml").read_text(encoding="utf-8")
    good.write_text(text.replace('id = "textile-merthyr-micro"', 'id = "my-textile-micro"', 1), encoding="utf-8")
    _upload(browser, url, good)
    _settle(browser, 2, text="Assessed 1 micro-factory")
    _save(browser, shots, "08_upload_good")
    body = browser.find_element(By.TAG_NAME, "body").text
    assert "taken from the shipped examples" in body  # its baseline was resolved by file name
    # indicator cards: the number, the change against the baseline, the unit and coverage under the card
    assert "kg CO2e · coverage" in body and "Verdict: better than the baseline" in body


def test_upload_bad_inventory_shows_plain_error(server, browser, shots, tmp_path):
    from selenium.webdriver.common.by import By

    url, _ = server
    bad = tmp_path / "bad_micro.toml"
    text = (EXAMPLES / "textile_merthyr_micro.toml").read_text(encoding="utf-8")
    bad.write_text(text.replace('unit = "kg"', 'unit = "kgg"', 1), encoding="utf-8")
    _upload(browser, url, bad)
    _settle(browser, 0, text="The upload could not be assessed")
    body = browser.find_element(By.TAG_NAME, "body").text
    assert "kgg" in body and "Fix:" in body
    assert "Traceback" not in body
    _save(browser, shots, "09_upload_bad")


@pytest.mark.parametrize("deep", ["factory", "upload"])
def test_a_deep_link_opened_first_on_a_fresh_server_gets_the_whole_app(deep, server, browser, shots):
    """A fresh server whose first request is /factory or /upload: the page still comes through app.py — the
    sidebar lists the pages by title (not file names), has the year control, and the layout is wide."""
    from selenium.webdriver.common.by import By

    _, tmp = server  # its data folder is built: the fresh server below reuses it
    with _serve(tmp) as url:
        browser.get(f"{url}/{deep}")
        title = "Factory" if deep == "factory" else "Bring your own inventory"
        _settle(browser, 0, text=title)
        _save(browser, shots, f"00_deep_link_{deep}")
        sidebar = browser.find_element(By.CSS_SELECTOR, '[data-testid="stSidebar"]').text
        assert "Portfolio" in sidebar and "Circular credentials" in sidebar and "DESNZ background year" in sidebar
        assert "circularity" not in sidebar.split() and "app" not in sidebar.split(), sidebar
        main = browser.find_element(By.CSS_SELECTOR, '[data-testid="stMainBlockContainer"]')
        assert main.size["width"] > 1000, main.size  # wide layout in the 1500 px window (centred is ~736 px)
