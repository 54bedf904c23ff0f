"""Playwright helpers for driving the dashboard in Chromium: the browser tests (``tests/browser``),
the benchmarks here and ``scripts/screenshots.py`` (which retakes ``docs/screenshots/``; the tests
write theirs to a temporary folder).

Elements are found by the keys the app gives them, never by their captions or labels: Streamlit
puts a CSS class ``st-key-<key>`` on a keyed widget and on ``st.container(key=...)`` (:func:`key`).
Every page keeps its numbers in a container keyed ``headline`` (:data:`HEADLINE`); the Translate
page's tiles are found by their metric keys (:data:`TILES`), and the pages by their entries in
:data:`dashboard.pages.PAGES`.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
import warnings
from pathlib import Path

from dashboard import pages
from dashboard.views.classroom import STEPS
from dashboard.views.translate import TILE_ROWS

ROOT = Path(__file__).resolve().parents[1]
DOCS_SCREENSHOTS = ROOT / "docs" / "screenshots"  # written by scripts/screenshots.py only

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage"]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(timeout: float = 90.0, module: str = "streamlit",
              extra_env: dict[str, str] | None = None) -> tuple[subprocess.Popen, str, float]:
    """Start ``streamlit run dashboard/app.py``; return (process, base URL, seconds to healthy).

    ``module``: what ``python -m`` runs with streamlit's arguments (the load test's
    ``bench.server_clock``); ``extra_env``: added to the server's environment."""
    port = free_port()
    env = dict(os.environ, **(extra_env or {}))
    env.setdefault("PYTHONPATH", str(ROOT))
    cmd = [sys.executable, "-m", module, "run", str(ROOT / "dashboard" / "app.py"),
           "--server.port", str(port), "--server.address", "127.0.0.1",
           "--server.headless", "true", "--browser.gatherUsageStats", "false",
           "--server.fileWatcherType", "none"]
    log_path = os.environ.get("IRP_APP_LOG")  # a file to receive the server's output
    log = open(log_path, "w") if log_path else subprocess.DEVNULL  # noqa: SIM115 - kept open for the server
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(base + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return proc, base, time.perf_counter() - t0
        except OSError:
            time.sleep(0.25)
    proc.terminate()
    raise RuntimeError(f"streamlit not healthy after {timeout:.0f} s")


def stop_app(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


EXCEPTION_TEXTS = ("Traceback", "This app has encountered an error")


# The app root carries the script's state; Streamlit's "Running…" status widget is not a usable
# signal (with ``toolbarMode = "minimal"`` it is never drawn, so waiting for it to go returned at once).
SCRIPT_STATE = "() => document.querySelector('[data-testid=\"stApp\"]')?.getAttribute('data-test-script-state')"
SCRIPT_IDLE = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  return !!app && app.getAttribute('data-test-script-state') === 'notRunning';
}"""


def wait_idle(page, timeout: float = 60.0, settle_ms: int = 400) -> None:
    """Wait until no script runs, and none has begun ``settle_ms`` later (a URL-seeded load or a
    moved control can be followed by a second run)."""
    deadline = time.perf_counter() + timeout
    while True:
        left = max(deadline - time.perf_counter(), 0.001)
        page.wait_for_function(SCRIPT_IDLE, timeout=left * 1000, polling=50)
        page.wait_for_timeout(settle_ms)
        if page.evaluate(SCRIPT_IDLE):
            return
        if time.perf_counter() > deadline:
            raise TimeoutError(f"the app kept running scripts for {timeout:.0f} s")


# Every plotly chart drawn, every image loaded, no skeleton left, and the charts where they were at
# the previous poll: polled every 100 ms, the page has then held still for one poll.
DRAWN = """() => {
  const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')];
  const drawn = charts.every(c => { const gd = c.querySelector('.js-plotly-plot');
                                    return !!gd && !!gd._fullLayout && !!gd.querySelector('.main-svg'); });
  const ready = drawn && [...document.images].every(i => i.complete)
    && !document.querySelector('[data-testid="stSkeleton"]');
  const where = JSON.stringify(charts.map(c => { const r = c.getBoundingClientRect();
                                                 return [r.x, r.y, r.width, r.height]; }));
  const still = window.__irpChartsAt === where;
  window.__irpChartsAt = where;
  return ready && still;
}"""


def wait_drawn(page, timeout: float = 60.0) -> None:
    """Wait until the page's plotly charts are drawn and hold still (for a screenshot, or before
    dragging on a chart that was just scrolled into view)."""
    page.evaluate("() => { window.__irpChartsAt = null; }")
    page.wait_for_function(DRAWN, timeout=timeout * 1000, polling=100)


def screenshot(page, path: Path, height: int | None = None) -> Path:
    """A full-page PNG of what the page shows once drawn; ``height``: the viewport's, first (the
    app scrolls inside its own pane, so only what fits in the viewport is captured)."""
    if height is not None:
        page.set_viewport_size({"width": page.viewport_size["width"], "height": height})
    wait_drawn(page)
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return path


def download(page, button, first_s: float = 45.0, again_s: float = 120.0):
    """Press a (deferred) download button and return Playwright's Download.

    With a mouse click, about half the local runs got no download from one of the two buttons that
    carry a help tooltip, and the click sent nothing to the server (no websocket frame). The cause
    is most likely the tooltip popping up under the pointer; pressed from the keyboard
    (:func:`press`), no button has missed since (4 runs). Should a press still bring nothing within
    ``first_s``, this warns with what the page showed (the button's error text lasts 5 s, so it is
    watched for) and presses once more, as a person would; a second miss fails.
    """
    got: list = []

    def on_download(d) -> None:  # a plain function: Playwright tags its handlers
        got.append(d)

    page.on("download", on_download)
    try:
        press(button)
        error, seen = button.locator('[data-testid="stDownloadButtonError"]'), "no error shown"
        deadline = time.perf_counter() + first_s
        while not got and time.perf_counter() < deadline:
            if error.count():
                seen = f"error shown: {error.inner_text()!r}"
            page.wait_for_timeout(100)
        if got:
            return got[0]
        state = page.evaluate(SCRIPT_STATE)
        warnings.warn(f"no download {first_s:.0f} s after a press ({seen}; script {state}): pressing again",
                      stacklevel=2)
    finally:
        page.remove_listener("download", on_download)
    with page.expect_download(timeout=again_s * 1000) as info:
        press(button)
    return info.value


def press(button) -> None:
    """Activate a button from the keyboard (focus, Enter), as a keyboard user does: no pointer, so
    no help tooltip pops up (see :func:`download`)."""
    inner = button.locator("button").first
    inner.focus()
    inner.press("Enter")


# --------------------------------------------------------------------------------------------
# Elements by their keys
# --------------------------------------------------------------------------------------------
HEADLINE = "headline"  # every page's numbers (dashboard.pages.Page.numbers)
SETTING = "settings_caption"  # the Translate page's line naming the setting of its numbers
TILES = [metric for row in TILE_ROWS for metric in row]  # the Translate page's tiles, in page order
PANEL = "panel"  # the Translate page's tabs: layouts, details, spectrum
DETAILS, SPECTRUM = 1, 2  # their positions
DETAILS_TAB = "distributions, conditioning, confusion matrix"  # the details tab in the URL (?panel=)


def key(name: str) -> str:
    """The CSS selector of the widget or container the app keyed ``name``."""
    return f".st-key-{name}"


def numbers(page, container: str = HEADLINE) -> list[str]:
    """The values of the metrics in the container keyed ``container``, in page order."""
    return [v.strip() for v in page.locator(f'{key(container)} [data-testid="stMetricValue"]').all_inner_texts()]


def tile_locator(page, metric: str):
    """The Translate page's tile of ``metric`` (a key of :data:`dashboard.views.translate.TILE_ROWS`)."""
    return page.locator(f'{key(HEADLINE)} [data-testid="stMetric"]').nth(TILES.index(metric))


def tile(page, metric: str) -> str:
    """The value the tile of ``metric`` shows."""
    return tile_locator(page, metric).locator('[data-testid="stMetricValue"]').inner_text().strip()


def wait_tile(page, metric: str, timeout: float = 60.0) -> str:
    """Wait until the Translate page shows the tile of ``metric``; its value."""
    tile_locator(page, metric).wait_for(state="visible", timeout=timeout * 1000)
    return tile(page, metric)


def tiles(page) -> dict[str, str]:
    """Every tile of the Translate page: metric key -> the value shown."""
    return dict(zip(TILES, numbers(page), strict=True))


def tile_deltas(page) -> dict[str, str]:
    """Metric key -> the delta text of each Translate tile that shows one (a pinned A)."""
    out = {}
    for metric, m in zip(TILES, page.locator(f'{key(HEADLINE)} [data-testid="stMetric"]').all(), strict=True):
        d = m.locator('[data-testid="stMetricDelta"]')
        if d.count():
            out[metric] = d.inner_text().strip()
    return out


def knob_text(name: str, value) -> str:
    """How the pages write one knob where they name the setting of their numbers (``ridge = 0.30``):
    as ``dashboard.views.settings`` captions it."""
    from dashboard.views.settings import short_name, shown
    from irp_core.params import param

    knob = param(name)
    return f"{short_name(knob)} = {shown(knob, value)}"


def setting_text(omega: int, delta: float) -> str:
    """How the pages write ω and δ where they name the setting of their numbers."""
    return f"{knob_text('omega', int(omega))}, {knob_text('delta', float(delta))}"


def setting_shown(page, omega: int, delta: float):
    """The Translate page's setting line, once it names ω and δ (its numbers are drawn first)."""
    return page.locator(key(SETTING)).filter(has_text=setting_text(omega, delta))


def wait_setting(page, omega: int, delta: float, timeout: float = 60.0) -> None:
    """Wait until the Translate page shows its numbers for ω and δ."""
    setting_shown(page, omega, delta).wait_for(timeout=timeout * 1000)


def button(page, name: str):
    """The button keyed ``name`` (its first ``<button>``: one with help also holds the help's icon)."""
    return page.locator(f"{key(name)} button").first


def selectbox_text(page, name: str) -> str:
    """The text of the selectbox keyed ``name``, with the values of its inputs (where 1.67 keeps the choice)."""
    return page.locator(key(name)).evaluate(
        "e => e.textContent + ' ' + [...e.querySelectorAll('input')].map(i => i.value).join(' ')")


def slider_thumb(page, name: str):
    """The focusable range input of the slider keyed ``name`` (1.67 renders a react-aria slider)."""
    return page.locator(f'{key(name)} input[type="range"]')


def slider_value(page, name: str) -> str:
    return slider_thumb(page, name).input_value()


def nudge_slider(page, name: str, press_key: str = "ArrowRight") -> None:
    """Move the slider keyed ``name`` one step with the keyboard (a committed change, like a mouse release)."""
    thumb = slider_thumb(page, name)
    thumb.focus()
    page.keyboard.press(press_key)


def nav_link(page, name: str):
    """The sidebar's link to the page ``name`` (:data:`dashboard.pages.BY_NAME`), by its address."""
    return page.locator(f'[data-testid="stSidebarNavLink"][href$="/{pages.BY_NAME[name].url_path}"]')


def tab(page, index: int):
    """The Translate page's tab at ``index`` (:data:`DETAILS`, :data:`SPECTRUM`)."""
    return page.locator(f'{key(PANEL)} [role="tab"]').nth(index)


def open_exports(page) -> None:
    """Open the page's "export and share" panel."""
    page.locator(f"{key('export')} summary").click()


def share_link(page) -> str:
    """The link in the open export panel."""
    return page.locator(f'{key("export")} [data-testid="stCode"]').first.inner_text().strip()


def exception_texts(page) -> list[str]:
    found = []
    if page.locator('[data-testid="stException"]').count():
        found.append("stException element")
    body = page.locator("body").inner_text()
    found += [t for t in EXCEPTION_TEXTS if t in body]
    return found


# --------------------------------------------------------------------------------------------
# The views the browser tests check and scripts/screenshots.py photographs
# --------------------------------------------------------------------------------------------
PAGES = {p.url_path: p.name for p in pages.PAGES if p.numbers}  # url path -> page name ("": the default)
PAGE_HEIGHT = 2400  # viewport heights of the screenshots: the app scrolls inside its own pane
TRANSLATE_HEIGHT = 2000


def wait_numbers(page, timeout: float = 60.0) -> None:
    """Wait until the page shows its numbers (or, where its data is not shipped, a warning)."""
    page.locator(f'{key(HEADLINE)} [data-testid="stMetric"], [data-testid="stAlertContentWarning"]').first.wait_for(
        timeout=timeout * 1000)


def open_page(page, base: str, path: str, timeout: float = 240.0) -> None:
    """Open a page by its URL path (a fresh session) and wait for its numbers and an idle script."""
    page.set_viewport_size({"width": page.viewport_size["width"], "height": PAGE_HEIGHT})
    page.goto(f"{base}/{path}")
    wait_numbers(page, timeout)
    wait_idle(page, timeout=timeout)


def drag_box(page, chart, fx0: float, fy0: float, fx1: float, fy1: float) -> None:
    """Drag a selection box over ``chart``, corners as fractions of its width and height."""
    box = chart.bounding_box()
    x, y, w, h = box["x"], box["y"], box["width"], box["height"]
    page.mouse.move(x + fx0 * w, y + fy0 * h)
    page.mouse.down()
    for i in range(1, 11):
        page.mouse.move(x + (fx0 + (fx1 - fx0) * i / 10) * w, y + (fy0 + (fy1 - fy0) * i / 10) * h)
    page.mouse.up()


def select_points(page, base: str):
    """On the default Translate page, box-select most of the source layout; return that chart."""
    page.goto(f"{base}/")
    wait_tile(page, "recon")
    chart = page.locator(key("select_source"))
    chart.scroll_into_view_if_needed()
    wait_drawn(page)
    page.locator(key("selection_hint")).wait_for()
    drag_box(page, chart, 0.05, 0.15, 0.7, 0.9)  # the source chart's legend sits on the right
    page.locator(key("selection")).wait_for(timeout=60_000)
    wait_idle(page)
    return chart


def _open_tab(page, base: str, query: str, name: str, ready: str) -> None:
    """The Translate page at ``query`` with its tab ``name`` clicked open, as a user does, until the
    element ``ready`` (a selector) is drawn and the page is idle."""
    page.set_viewport_size({"width": page.viewport_size["width"], "height": TRANSLATE_HEIGHT})
    page.goto(f"{base}/{query}")
    wait_tile(page, "recon")
    tab(page, name).click()
    page.wait_for_url("**panel=**")
    page.locator(ready).first.wait_for()
    wait_idle(page)


def open_details(page, base: str) -> None:
    """The default Translate page with its details tab open."""
    _open_tab(page, base, "", DETAILS, f"{key('confusion')} .main-svg")


def open_spectrum(page, base: str, query: str = "") -> None:
    """The Translate page with its spectrum tab open."""
    _open_tab(page, base, query, SPECTRUM, f'{key("spectrum_numbers")} [data-testid="stMetric"]')


def open_classroom(page, base: str, step: str = "") -> None:
    """The Method page in classroom mode (``?classroom=1``), at ``step`` if given (else the first)."""
    page.set_viewport_size({"width": page.viewport_size["width"], "height": PAGE_HEIGHT})
    page.goto(f"{base}/method?classroom=1" + (f"&step={step}" if step else ""))
    page.locator(key(f"step_{step or next(iter(STEPS))}")).wait_for(timeout=240_000)
    wait_idle(page)
