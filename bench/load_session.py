"""One browser session of the load test: opens the app, moves ω and δ, switches pages, checks that
every session at one setting shows the same numbers and that uploads stay private."""

from __future__ import annotations

import asyncio
import random
import time
from pathlib import Path
from typing import TYPE_CHECKING

from playwright.async_api import TimeoutError as PlaywrightTimeout

from bench.browser import HEADLINE, SCRIPT_IDLE, SETTING, key, nav_link, setting_text
from dashboard import defaults
from dashboard.uploads import LAYOUTS
from dashboard.uploads import PREFIX as UPLOAD_PREFIX
from dashboard.views.translate import N_TILES

if TYPE_CHECKING:
    from bench.load_report import Result

OMEGA, DELTA = "omega", "delta"  # the sliders' keys


def _around(center: float, lo: float, hi: float, step: float) -> list[float]:
    """Up to 5 slider values: two steps either side of ``center``, within [lo, hi]."""
    return [v for v in (round(center + k * step, 2) for k in range(-2, 3)) if lo - 1e-9 <= v <= hi + 1e-9]


# The box the sessions move in, around the defaults (where they start): at most 5 x 5 settings,
# well under the translation cache's 64 entries, so the caches fill in the first minute and memory
# then has no reason to grow.
OMEGAS = [int(v) for v in _around(defaults.OMEGA, defaults.OMEGA_MIN, defaults.OMEGA_MAX, 1)]
DELTAS = _around(defaults.DELTA, defaults.DELTA_MIN, defaults.DELTA_MAX, defaults.DELTA_STEP)
# page (dashboard.pages) -> the key of what names the setting its numbers are for, once a run shows them
PAGES = {"translate": SETTING, "method": HEADLINE}
N_METRICS = N_TILES  # tiles on the Translate page (dashboard.views.translate.TILE_ROWS)
# One call per check: the setting texts, the Translate numbers and any error shown.
SNAPSHOT = """() => {
  const q = s => Array.from(document.querySelectorAll(s));
  const texts = q('.st-key-SETTING, .st-key-HEADLINE').map(e => e.textContent);
  const metrics = {};
  for (const m of q('.st-key-HEADLINE [data-testid="stMetric"]')) {
    const l = m.querySelector('[data-testid="stMetricLabel"]'), v = m.querySelector('[data-testid="stMetricValue"]');
    if (l && v) metrics[l.textContent.trim()] = v.textContent.trim();
  }
  const errors = q('[data-testid="stException"], [data-testid="stAlertContentError"]')
    .map(e => e.textContent.slice(0, 200));
  const main = document.querySelector('[data-testid="stMain"]');
  const body = main ? main.textContent : '';
  for (const t of ["Traceback", "This app has encountered an error", "Connection error"])
    if (body.includes(t)) errors.push(t);
  const app = document.querySelector('[data-testid="stApp"]');
  const running = !app || app.getAttribute('data-test-script-state') !== 'notRunning';
  const sidebar = document.querySelector('[data-testid="stSidebar"]');
  const shows = t => location.href.includes(encodeURIComponent(t)) || !!(sidebar && sidebar.textContent.includes(t));
  return {texts, metrics, errors, running, shows_upload: shows(UPLOAD_PREFIX)};
}""".replace("SETTING", SETTING).replace("HEADLINE", HEADLINE)
# [key, text]: the element keyed ``key`` shows ``text``
SHOWN = """([k, t]) => Array.from(document.querySelectorAll('.st-key-' + k)).some(e => e.textContent.includes(t))"""
# The moves' waits do not poll. Polling every 50 ms cost a waiting page ~0.04 CPU-s per second (each
# check walks a DOM that holds two charts' thousands of nodes), taken from the server's two cores by
# work a classroom's browsers would not do: without it the renderers' CPU per move in the 20-session
# load test fell from 0.75 to 0.58 s. A MutationObserver checks when the page changes instead: at
# the first change, then at most every 50 ms while changes go on, and once a second regardless.
OBSERVED = """([check, arg, ms]) => new Promise((resolve, reject) => {
  const holds = (CHECK);
  let cooling = false, dirty = false, finished = false;
  const finish = (ok) => {
    if (finished) return;
    finished = true; observer.disconnect(); clearTimeout(timer); clearInterval(tick);
    ok ? resolve(true) : reject(new Error(`not true after ${ms} ms: ${check}`));
  };
  const test = () => {
    if (cooling) { dirty = true; return; }
    if (holds(arg)) return finish(true);
    cooling = true;
    setTimeout(() => { cooling = false; if (dirty) { dirty = false; test(); } }, 50);
  };
  const observer = new MutationObserver(test);
  observer.observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true,
                                   attributeFilter: ['data-test-script-state']});
  const tick = setInterval(() => holds(arg) && finish(true), 1000);
  const timer = setTimeout(() => finish(false), ms);
  test();
})"""
METRICS_SHOWN = f"""n => document.querySelectorAll('{key(HEADLINE)} [data-testid="stMetricValue"]').length >= n"""
N_LAYOUTS = 2  # plotly charts the Translate page opens with (dashboard.views.layouts.layout_figures)
CHARTS_DRAWN = """n => Array.from(document.querySelectorAll(
  '.st-key-select_source .js-plotly-plot, .st-key-select_target .js-plotly-plot'))
  .filter(g => g._fullLayout && g.querySelector('.main-svg')).length >= n"""
BUTTON_ENABLED = """k => Array.from(document.querySelectorAll('.st-key-' + k + ' button')).some(b => !b.disabled)"""
BUILD = "upload_build"  # the Upload page's build button
IDLE = SCRIPT_IDLE
PAGE_STATE = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  const alerts = Array.from(document.querySelectorAll('[data-testid="stAlert"]')).map(e => e.textContent.slice(0, 120));
  const uploader = document.querySelector('[data-testid="stFileUploader"]');
  return `script state ${app ? app.getAttribute('data-test-script-state') : 'no app'}, at ${location.pathname}` +
         (alerts.length ? `, alerts: ${alerts.join(' | ')}` : '') +
         (uploader ? `, uploader: ${uploader.textContent.slice(0, 160)}` : '');
}"""




# --------------------------------------------------------------------------------------------
# One browser session
# --------------------------------------------------------------------------------------------
class Session:
    """One browser context on the app; records its own errors, moves and latencies."""

    def __init__(self, i: int, res: Result, seen: dict, seed: int, upload_file: str | None = None):
        self.i, self.res, self.seen, self.upload_file = i, res, seen, upload_file
        self.rng = random.Random(seed * 1000 + i)
        self.omega, self.delta, self.page_name, self.dataset = (
            defaults.OMEGA,
            defaults.DELTA,
            "translate",
            defaults.DATASET,
        )
        self.moves, self.closing, self.sockets, self.doing = 0, False, 0, "opening"
        self.page = None

    def error(self, what: str) -> None:
        self.res.errors.append(f"session {self.i}: {what}")

    async def describe(self) -> str:
        """Where the page stands, for an error: the script's state and any alert shown."""
        try:
            return await self.page.evaluate(PAGE_STATE)
        except Exception as exc:  # noqa: BLE001 - a closed or crashed page
            return f"page unreadable: {str(exc)[:80]}"

    def _on_ws(self, ws) -> None:
        self.sockets += 1
        if self.sockets > 1:
            self.error(f"websocket opened again (#{self.sockets}): a reconnect")
        ws.on("close", lambda _: None if self.closing else self.error("websocket closed"))

    async def open(self, browser, base: str) -> None:
        ctx = await browser.new_context(viewport={"width": 1400, "height": 900})
        self.page = page = await ctx.new_page()
        page.set_default_timeout(180_000)
        page.on("console", lambda m: m.type == "error" and self.error(f"console error: {m.text[:200]}"))
        page.on("pageerror", lambda e: self.error(f"page error: {str(e)[:200]}"))
        page.on("crash", lambda _: self.error("page crashed"))
        page.on("websocket", self._on_ws)
        await page.goto(f"{base}/")
        await self.wait_shown()
        # On first load a metric's component may still be loading when the caption is drawn.
        await page.wait_for_function(METRICS_SHOWN, arg=N_METRICS, polling=100)
        await page.wait_for_function(IDLE, polling=100)
        # The page is open when its charts are drawn too: plotly's code loads and draws them after
        # the numbers (0.2-0.7 renderer CPU-s a page), and left over, 20 pages' drawing fell on the
        # first moves, all made at once.
        await page.wait_for_function(CHARTS_DRAWN, arg=N_LAYOUTS, polling=100)
        self.record(await self.check())

    def expected(self) -> str:
        return setting_text(self.omega, self.delta)

    async def until(self, check: str, arg=None, timeout: float = 180.0) -> None:
        """Until the JS function ``check`` holds for ``arg`` (see :data:`OBSERVED`)."""
        await self.page.evaluate(OBSERVED.replace("CHECK", check), [check, arg, int(timeout * 1000)])

    async def wait_shown(self, timeout: float = 180.0) -> None:
        """Until the page shows the numbers of the current setting."""
        await self.until(SHOWN, [PAGES[self.page_name], self.expected()], timeout)

    async def check(self) -> dict:
        snap = await self.page.evaluate(SNAPSHOT.replace("UPLOAD_PREFIX", repr(UPLOAD_PREFIX)))
        for e in snap["errors"]:
            self.error(f"error element on {self.page_name} at ω={self.omega}, δ={self.delta:.2f}: {e}")
        if snap["shows_upload"] and not self.upload_file:
            self.error("an uploaded dataset shows in the sidebar or the URL of a session that uploaded nothing")
        return snap

    async def offered(self) -> list[str]:
        """The options of the sidebar's dataset selector (opened, read, closed)."""
        page = self.page
        selector = page.locator(key("dataset")).get_by_role("combobox")
        options = page.locator('[role="listbox"] [role="option"]')
        await selector.click()
        try:
            await options.first.wait_for(timeout=5_000)
        except PlaywrightTimeout:  # seen after the upload: the click opened nothing; click again
            await selector.click()
            await options.first.wait_for(timeout=30_000)
        names = await options.all_inner_texts()
        await page.keyboard.press("Escape")
        await page.locator('[role="listbox"]').wait_for(state="hidden")
        return [n.strip() for n in names]

    async def check_isolation(self) -> None:
        """Another session's upload is never offered here; our own is."""
        self.doing = "reading the dataset selector"
        if self.upload_file:
            if self.res.upload not in await self.offered():
                self.error(f"the uploading session is not offered its upload {self.res.upload}")
        elif self.res.upload:
            names = await self.offered()
            self.res.isolation_checks += 1
            if [n for n in names if n.startswith(UPLOAD_PREFIX)]:
                self.error(f"offered another session's upload: {names}")

    async def upload(self) -> None:
        """Build a dataset from ``upload_file`` on the Upload page; it becomes this session's dataset."""
        page, self.doing = self.page, "uploading: opening the Upload page"
        await nav_link(page, "upload").click()
        uploader = page.locator(key("upload_files"))
        await uploader.wait_for()
        # The file first, on the freshly drawn page: given after a rerun of this page (choosing the
        # layout first), it went unlisted in 3 of about 11 runs under load (cause not found).
        self.doing = "uploading: sending the file"
        await uploader.locator('input[type="file"]').set_input_files(self.upload_file)
        self.doing = "uploading: waiting for the build button"
        try:
            await page.wait_for_function(BUTTON_ENABLED, arg=BUILD, polling=100, timeout=60_000)
        except PlaywrightTimeout:
            # Do what a person would (give the file again if it is not listed, else press R to
            # rerun) and report it; see the "upload recoveries" row.
            listed = Path(self.upload_file).name in await uploader.inner_text()
            self.res.upload_recoveries.append(f"file {'listed' if listed else 'not listed'}; "
                                              f"{await self.describe()}")
            if listed:
                await page.keyboard.press("r")
            else:
                await uploader.locator('input[type="file"]').set_input_files(self.upload_file)
            await page.wait_for_function(BUTTON_ENABLED, arg=BUILD, polling=100)
        await page.wait_for_function(IDLE, polling=100)
        self.doing = "uploading: choosing the PCA layout"
        await page.locator(key("upload_layout")).get_by_role("combobox").click()
        pca = page.locator('[role="listbox"] [role="option"]').nth(list(LAYOUTS).index("pca"))
        await pca.click()  # no numba start-up under load
        await page.wait_for_function(IDLE, polling=100)
        await page.wait_for_function(BUTTON_ENABLED, arg=BUILD, polling=100)
        self.doing = "uploading: building the dataset"
        await page.locator(f"{key(BUILD)} button").click()
        done = page.locator(key("upload_flash"))
        await done.wait_for()
        self.res.upload = self.dataset = (await done.locator("strong").first.inner_text()).strip()  # its name
        await page.wait_for_function(IDLE, polling=100)
        await self.check()
        await self.check_isolation()
        self.page_name = "translate"
        await nav_link(page, "translate").click()
        await self.wait_shown()

    def record(self, snap: dict) -> None:
        """Compare the Translate numbers with those another session showed at the same setting."""
        if self.page_name != "translate" or snap["running"]:  # a rerun may have begun: skip
            return
        if len(snap["metrics"]) != N_METRICS or self.expected() not in "".join(snap["texts"]):
            self.error(f"finished run without its numbers at ω={self.omega}, δ={self.delta:.2f}: {snap}")
            return
        key = (self.dataset, self.omega, self.delta)
        if key not in self.seen:
            self.seen[key] = (self.i, snap["metrics"])
            return
        j, other = self.seen[key]
        if j == self.i:
            return
        self.res.compared += 1
        if snap["metrics"] != other:
            diff = {k: (v, other.get(k)) for k, v in snap["metrics"].items() if other.get(k) != v}
            self.error(f"numbers at {key} differ from session {j}'s: {diff}")

    async def move(self) -> None:
        """Jump ω or δ to a new random value in the box with the keyboard; time the update."""
        page, rng = self.page, self.rng
        self.doing = "moving a slider"
        if rng.random() < 0.5:
            label, values, cur = OMEGA, OMEGAS, OMEGAS.index(self.omega)
        else:
            label, values, cur = DELTA, DELTAS, DELTAS.index(self.delta)
        new = rng.choice([k for k in range(len(values)) if k != cur])
        thumb = page.locator(f'{key(label)} input[type="range"]')
        await thumb.focus()
        arrow = "ArrowRight" if new > cur else "ArrowLeft"
        for _ in range(abs(new - cur) - 1):
            await page.keyboard.press(arrow)
        if label == OMEGA:
            self.omega = values[new]
        else:
            self.delta = values[new]
        t = time.perf_counter()
        await page.keyboard.press(arrow)
        await self.wait_shown()
        self.res.latencies.append(time.perf_counter() - t)
        self.res.pressed_at.append(t - self.res.moving_since)
        self.res.presses += abs(new - cur)
        self.moves += 1

    async def switch(self) -> None:
        self.page_name = "method" if self.page_name == "translate" else "translate"
        self.doing = f"switching to {self.page_name}"
        await nav_link(self.page, self.page_name).click()
        await self.wait_shown()
        self.res.switches += 1

    async def run(self, deadline: float) -> None:
        if self.upload_file:
            await self.upload()
        while time.perf_counter() < deadline:
            if self.rng.random() < 0.1:
                await self.check_isolation()
            if self.rng.random() < 0.15:
                await self.switch()
            else:
                await self.move()
            await self.until(IDLE)  # let the run finish
            self.record(await self.check())
            await asyncio.sleep(self.rng.uniform(0.2, 1.0))  # think time

    async def final(self) -> bool:
        """Alive: one more move is shown, error-free, on the websocket it started with."""
        try:
            await self.move()
            await self.until(IDLE)
            self.record(await self.check())
            await self.check_isolation()
        except Exception as exc:  # noqa: BLE001
            self.error(f"not alive at the end ({self.doing}): {str(exc)[:200]} ({await self.describe()})")
            return False
        return self.sockets == 1 and not self.page.is_closed()
