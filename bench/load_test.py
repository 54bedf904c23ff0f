"""Load test: concurrent browser sessions moving ω and δ and switching pages on one real server.

Starts ``streamlit run dashboard/app.py`` on a free loopback port and opens N sessions (one
Chromium, one browser context each, so one Streamlit session each). For ``--seconds`` every session
keeps jumping ω or δ to a seeded random value inside a small box (so values are revisited and the
shared cache is hit), sometimes switching between the Translate and Method pages. A move's latency
runs from the last key press to the page showing the numbers for the new setting. Any exception or
error element, console error, page error, crash or websocket close in any session is an error.
Session 0 first uploads a small dataset (cut from a shipped one) on the Upload page and then moves
on it; the other sessions check, now and then and at the end, that their dataset selector never
offers it. Meanwhile the server's RSS (its process tree, from ``/proc``) is sampled every 0.5 s,
and its CPU seconds (utime + stime, from ``/proc``) are read when the sessions start and stop
moving: divided by the moves of all sessions in that time, the server's CPU seconds per move (page
switches and session 0's upload cost CPU too but are not counted as moves).

The clients (this script's driving thread, the Playwright driver and the Chromium it launches, all
inheriting it) run at a niceness raised by ``--nice`` (default 10 here, 0 from :func:`run_load`) and
may not lower it (Chromium run as root would), so the server, started before at its own niceness,
keeps its cores; the niceness seen on the server's and the clients' threads is printed. The last
line is a one-line summary, for quoting.

    python bench/load_test.py [--sessions 10 --seconds 120 --seed 0 --nice 10]

The issue's scenario is ``--sessions 20 --seconds 120``: 20 sessions moving over the few settings
a class would share (``OMEGAS`` × ``DELTAS``, at most 5 × 5 around the defaults; printed).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for p in (str(ROOT), str(ROOT / "tests" / "browser")):
    if p not in sys.path:
        sys.path.append(p)

from browser_helpers import CHROMIUM, CHROMIUM_ARGS, SCRIPT_IDLE, start_app, stop_app
from playwright.async_api import TimeoutError as PlaywrightTimeout

from dashboard import defaults as D
from dashboard.uploads import PREFIX as UPLOAD_PREFIX

OMEGA, DELTA = "ω: anchor subspaces", "δ: pruning threshold"


def _around(center: float, lo: float, hi: float, step: float) -> list[float]:
    """Up to 5 slider values: two steps either side of ``center``, within [lo, hi]."""
    return [v for v in (round(center + k * step, 2) for k in range(-2, 3)) if lo - 1e-9 <= v <= hi + 1e-9]


# The box the sessions move in, around the defaults (where they start): at most 5 x 5 settings,
# well under the translation cache's 64 entries, so the caches fill in the first minute and memory
# then has no reason to grow.
OMEGAS = [int(v) for v in _around(D.OMEGA, D.OMEGA_MIN, D.OMEGA_MAX, 1)]
DELTAS = _around(D.DELTA, D.DELTA_MIN, D.DELTA_MAX, D.DELTA_STEP)
PAGES = {"Translate": "Numbers above: ω = {o}, δ = {d:.2f},",  # nav link -> text of a finished run
         "Method": "(ω = {o}, δ = {d:.2f})"}
N_METRICS = 12  # on the Translate page
# One call per check: the setting texts, the Translate metrics and any error shown.
SNAPSHOT = """() => {
  const q = s => Array.from(document.querySelectorAll(s));
  const texts = q('[data-testid="stCaptionContainer"], [data-testid="stMetricLabel"]')
    .map(e => e.textContent);
  const metrics = {};
  for (const m of q('[data-testid="stMetric"]')) {
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
}"""
SHOWN = """t => Array.from(document.querySelectorAll(
  '[data-testid="stCaptionContainer"], [data-testid="stMetricLabel"]')).some(e => e.textContent.includes(t))"""
METRICS_SHOWN = "n => document.querySelectorAll('[data-testid=\"stMetricValue\"]').length >= n"
BUTTON_ENABLED = """t => Array.from(document.querySelectorAll('button'))
  .some(b => b.textContent.includes(t) && !b.disabled)"""
IDLE = SCRIPT_IDLE
PAGE_STATE = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  const alerts = Array.from(document.querySelectorAll('[data-testid="stAlert"]')).map(e => e.textContent.slice(0, 120));
  const uploader = document.querySelector('[data-testid="stFileUploader"]');
  return `script state ${app ? app.getAttribute('data-test-script-state') : 'no app'}, at ${location.pathname}` +
         (alerts.length ? `, alerts: ${alerts.join(' | ')}` : '') +
         (uploader ? `, uploader: ${uploader.textContent.slice(0, 160)}` : '');
}"""


@dataclass
class Result:
    sessions: int
    seconds: float
    opened: int = 0
    alive: int = 0
    moves: list[int] = field(default_factory=list)  # per session
    presses: int = 0
    switches: int = 0
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    compared: int = 0  # (session, session) pairs at one setting whose numbers were compared
    upload: str | None = None  # the dataset session 0 uploaded
    isolation_checks: int = 0  # dataset selectors read by the other sessions after that upload
    upload_recoveries: list[str] = field(default_factory=list)  # the page's state when the upload stalled
    rss: list[tuple[float, int]] = field(default_factory=list)  # (seconds since start, bytes)
    run_start: float = 0.0  # when the sessions began moving, on the rss clock
    load: tuple[float, float, float] = (0.0, 0.0, 0.0)  # the load average at the end
    load_start: tuple[float, float, float] = (0.0, 0.0, 0.0)  # ... and before the server started
    open_seconds: float = 0.0
    cpu_server: float = 0.0  # CPU seconds while the sessions moved: the streamlit server
    cpu_browser: float = 0.0  # ... and Chromium with the Playwright driver
    moves_held: int = 0  # moves of all sessions while the CPU was counted (the final moves excluded)
    nice: int = 0  # the niceness asked for the clients
    # niceness -> threads seen with it when the sessions started moving: the server's, the clients'
    server_nices: dict[int, int] = field(default_factory=dict)
    client_nices: dict[int, int] = field(default_factory=dict)

    @property
    def cpu_per_move(self) -> float:
        """The server's CPU seconds per move while the sessions moved."""
        return self.cpu_server / self.moves_held if self.moves_held else float("nan")

    @property
    def peak_rss(self) -> int:
        return max((b for _, b in self.rss), default=0)

    @property
    def final_rss(self) -> int:
        return self.rss[-1][1] if self.rss else 0

    def rss_every(self, step: float) -> list[int]:
        """The RSS samples ``step`` seconds apart, from the first sample on."""
        out, nxt = [], 0.0
        for t, b in self.rss:
            if t >= nxt:
                out.append(b)
                nxt += step
        return out

    def rss_growth_last(self, window: float = 30.0) -> int:
        """Peak RSS of the last ``window`` seconds minus the peak before it (bytes; < 0 is fine)."""
        if not self.rss:
            return 0
        end = self.rss[-1][0]
        before = [b for t, b in self.rss if t < end - window]
        last = [b for t, b in self.rss if t >= end - window]
        return max(last) - max(before) if before else 0


# --------------------------------------------------------------------------------------------
# Server memory
# --------------------------------------------------------------------------------------------
def _stat(pid: int) -> list[str]:
    """The fields of /proc/<pid>/stat after the command name (field 3 onwards)."""
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()


def tree(pid: int) -> list[int]:
    """``pid`` and all its live descendants."""
    children: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                children.setdefault(int(_stat(int(d))[1]), []).append(int(d))
            except (OSError, IndexError, ValueError):
                continue
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += children.get(p, [])
    return out


def tree_rss(pid: int) -> int:
    """VmRSS of ``pid`` and all its descendants, in bytes (0 once it is gone)."""
    total = 0
    for p in tree(pid):
        try:
            with open(f"/proc/{p}/status") as f:
                total += next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmRSS:"))
        except (OSError, StopIteration):
            pass
    return total


def thread_nices(pids) -> dict[int, int]:
    """Niceness -> how many threads of the processes ``pids`` have it (on Linux it is per thread)."""
    out: dict[int, int] = {}
    for p in pids:
        try:
            tids = os.listdir(f"/proc/{p}/task")
        except OSError:
            continue
        for t in tids:
            try:
                with open(f"/proc/{p}/task/{t}/stat") as f:
                    n = int(f.read().rsplit(")", 1)[1].split()[16])
            except (OSError, IndexError, ValueError):
                continue
            out[n] = out.get(n, 0) + 1
    return out


def tree_cpu(pid: int, skip: tuple[int, ...] = ()) -> float:
    """CPU seconds (user + system) used so far by ``pid``'s live tree, less the trees in ``skip``."""
    left = set(tree(pid)) - {q for s in skip for q in tree(s)}
    total = 0
    for p in left:
        try:
            f = _stat(p)
            total += int(f[11]) + int(f[12])  # utime, stime
        except (OSError, IndexError, ValueError):
            pass
    return total / os.sysconf("SC_CLK_TCK")


class RssSampler(threading.Thread):
    """Samples ``tree_rss(pid)`` every ``every`` seconds into ``out`` until ``stop`` is set."""

    def __init__(self, pid: int, out: list, every: float = 0.5):
        super().__init__(daemon=True)
        self.pid, self.out, self.every, self.t0 = pid, out, every, time.perf_counter()
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            self.out.append((time.perf_counter() - self.t0, tree_rss(self.pid)))
            self.stop.wait(self.every)


# --------------------------------------------------------------------------------------------
# One browser session
# --------------------------------------------------------------------------------------------
class Session:
    """One browser context on the app; records its own errors, moves and latencies."""

    def __init__(self, i: int, res: Result, seen: dict, seed: int, upload_file: str | None = None):
        self.i, self.res, self.seen, self.upload_file = i, res, seen, upload_file
        self.rng = random.Random(seed * 1000 + i)
        self.omega, self.delta, self.page_name, self.dataset = D.OMEGA, D.DELTA, "Translate", D.DATASET
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
        self.record(await self.check())

    def expected(self) -> str:
        return PAGES[self.page_name].format(o=self.omega, d=self.delta)

    async def wait_shown(self, timeout: float = 180.0) -> None:
        """Until the page shows the numbers of the current setting."""
        await self.page.wait_for_function(SHOWN, arg=self.expected(), polling=50, timeout=timeout * 1000)

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
        await page.get_by_test_id("stSelectbox").filter(has=page.get_by_text("dataset", exact=True)).click()
        names = await page.locator('[role="listbox"] [role="option"]').all_inner_texts()
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
        await page.locator('[data-testid="stSidebarNavLink"]').filter(has_text="Upload").click()
        uploader = page.get_by_test_id("stFileUploader")
        await uploader.wait_for()
        # The file first, on the freshly drawn page: given after a rerun of this page (choosing the
        # layout first), it went unlisted in 3 of about 11 runs under load (cause not found).
        self.doing = "uploading: sending the file"
        await uploader.locator('input[type="file"]').set_input_files(self.upload_file)
        self.doing = "uploading: waiting for the build button"
        try:
            await page.wait_for_function(BUTTON_ENABLED, arg="Build dataset", polling=100, timeout=60_000)
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
            await page.wait_for_function(BUTTON_ENABLED, arg="Build dataset", polling=100)
        await page.wait_for_function(IDLE, polling=100)
        self.doing = "uploading: choosing the PCA layout"
        layout = page.get_by_test_id("stSelectbox").filter(has=page.get_by_text("2-D layout of each space"))
        await layout.click()
        await page.get_by_role("option", name="PCA (fast)").click()  # no numba start-up under load
        await page.wait_for_function(IDLE, polling=100)
        await page.wait_for_function(BUTTON_ENABLED, arg="Build dataset", polling=100)
        self.doing = "uploading: building the dataset"
        await page.get_by_role("button", name="Build dataset").click()
        done = page.get_by_test_id("stAlertContentSuccess")
        await done.wait_for()
        self.res.upload = self.dataset = (await done.inner_text()).split()[1]  # "Built <name> and ..."
        await page.wait_for_function(IDLE, polling=100)
        await self.check()
        await self.check_isolation()
        self.page_name = "Translate"
        await page.locator('[data-testid="stSidebarNavLink"]').filter(has_text="Translate").click()
        await self.wait_shown()

    def record(self, snap: dict) -> None:
        """Compare the Translate numbers with those another session showed at the same setting."""
        if self.page_name != "Translate" or snap["running"]:  # a rerun may have begun: skip
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
        thumb = page.locator('[data-testid="stSlider"]').filter(has_text=label).first.locator(
            'input[type="range"]')
        await thumb.focus()
        key = "ArrowRight" if new > cur else "ArrowLeft"
        for _ in range(abs(new - cur) - 1):
            await page.keyboard.press(key)
        if label == OMEGA:
            self.omega = values[new]
        else:
            self.delta = values[new]
        t = time.perf_counter()
        await page.keyboard.press(key)
        await self.wait_shown()
        self.res.latencies.append(time.perf_counter() - t)
        self.res.presses += abs(new - cur)
        self.moves += 1

    async def switch(self) -> None:
        self.page_name = "Method" if self.page_name == "Translate" else "Translate"
        self.doing = f"switching to {self.page_name}"
        await self.page.locator('[data-testid="stSidebarNavLink"]').filter(has_text=self.page_name).click()
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
            await self.page.wait_for_function(IDLE, polling=100)  # let the run finish
            self.record(await self.check())
            await asyncio.sleep(self.rng.uniform(0.2, 1.0))  # think time

    async def final(self) -> bool:
        """Alive: one more move is shown, error-free, on the websocket it started with."""
        try:
            await self.move()
            await self.page.wait_for_function(IDLE, polling=100)
            self.record(await self.check())
            await self.check_isolation()
        except Exception as exc:  # noqa: BLE001
            self.error(f"not alive at the end ({self.doing}): {str(exc)[:200]} ({await self.describe()})")
            return False
        return self.sockets == 1 and not self.page.is_closed()


async def _drive(res: Result, base: str, n: int, seconds: float, seed: int, upload: str, mark) -> None:
    from playwright.async_api import async_playwright

    seen: dict = {}
    sessions = [Session(i, res, seen, seed, upload if i == 0 else None) for i in range(n)]
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            t0 = time.perf_counter()
            opened = await asyncio.gather(*(s.open(browser, base) for s in sessions), return_exceptions=True)
            res.open_seconds = time.perf_counter() - t0
            for s, r in zip(sessions, opened):
                if isinstance(r, Exception):
                    s.error(f"did not open: {str(r)[:200]}")
            live = [s for s, r in zip(sessions, opened) if not isinstance(r, Exception)]
            res.opened = len(live)
            mark("start")
            deadline = time.perf_counter() + seconds
            ran = await asyncio.gather(*(s.run(deadline) for s in live), return_exceptions=True)
            res.moves_held = sum(s.moves for s in live)
            mark("end")
            for s, r in zip(live, ran):
                if isinstance(r, Exception):
                    s.error(f"stopped while {s.doing}: {str(r)[:200]} ({await s.describe()})")
            alive = await asyncio.gather(*(s.final() for s in live))
            res.alive = sum(alive)
            res.moves = [s.moves for s in sessions]
        finally:
            for s in sessions:
                s.closing = True
            await browser.close()


def upload_file(folder: Path, n: int = 300) -> str:
    """A small valid upload: two spaces of the shipped default dataset (n test items each), labels."""
    import numpy as np

    from irp_core.cache import load_dataset

    ds = load_dataset(D.DATASET)
    a, b = ds.encoders[:2]
    path = folder / "load_upload.npz"
    np.savez(path, **{a: ds.space(a).test[:n], b: ds.space(b).test[:n]}, labels=ds.space(a).test_labels[:n])
    return str(path)


def _drop_sys_nice() -> None:
    """Drop CAP_SYS_NICE from this thread's capability bounding set, so the programs it starts
    cannot lower their niceness. Run as root, Chromium sets the niceness of its threads itself (0,
    and -8 for display threads), undoing an inherited one; without the capability it can only raise
    it. Without CAP_SETPCAP (not root) this fails, harmlessly: there is no CAP_SYS_NICE to drop."""
    import ctypes

    pr_capbset_drop, cap_sys_nice = 24, 23  # <linux/prctl.h>, <linux/capability.h>
    try:
        ctypes.CDLL(None, use_errno=True).prctl(pr_capbset_drop, cap_sys_nice, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def _niced(nice: int, fn):
    """``fn()`` in a thread of its own whose niceness is raised by ``nice`` first, so the processes
    it starts (the Playwright driver, then Chromium) inherit it, and may not lower it (see
    :func:`_drop_sys_nice`); the caller's thread keeps its niceness and capabilities (on Linux both
    are per thread)."""
    if not nice:
        return fn()
    box: dict = {}

    def target() -> None:
        try:
            os.nice(nice)
            _drop_sys_nice()
            box["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            box["error"] = exc

    t = threading.Thread(target=target, name="load-test-clients")
    t.start()
    t.join()
    if "error" in box:
        raise box["error"]
    return box["value"]


def run_load(sessions: int = 10, seconds: float = 120.0, seed: int = 0, nice: int = 0) -> Result:
    """Start the app, hold ``sessions`` browser sessions for ``seconds``, stop; the figures.

    The clients run at niceness raised by ``nice`` (see :func:`_niced`); the server is started
    before, from the caller's thread, at its niceness."""
    res = Result(sessions=sessions, seconds=seconds, nice=nice, load_start=os.getloadavg())
    proc, base, _ = start_app()
    sampler = RssSampler(proc.pid, res.rss)
    sampler.start()
    cpu = {}

    def mark(phase: str) -> None:
        """Note the time and the CPU seconds of server and browser (with this driver) so far."""
        cpu[phase] = (tree_cpu(proc.pid), tree_cpu(os.getpid(), skip=(proc.pid,)))
        if phase == "start":
            res.run_start = time.perf_counter() - sampler.t0
            server = set(tree(proc.pid))
            res.server_nices = thread_nices(server)
            res.client_nices = thread_nices(set(tree(os.getpid())) - server - {os.getpid()})

    try:
        with tempfile.TemporaryDirectory() as tmp:
            up = upload_file(Path(tmp))
            _niced(nice, lambda: asyncio.run(_drive(res, base, sessions, seconds, seed, up, mark)))
        if "end" in cpu:
            res.cpu_server, res.cpu_browser = (b - a for a, b in zip(cpu["start"], cpu["end"]))
        res.load = os.getloadavg()
    finally:
        sampler.stop.set()
        sampler.join()
        if proc.poll() is not None:
            res.errors.append(f"server exited with code {proc.returncode}")
        stop_app(proc)
    return res


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[max(0, min(len(xs) - 1, round(q / 100 * (len(xs) - 1))))] if xs else float("nan")


def niceness(res: Result) -> str:
    def seen(d: dict[int, int]) -> str:
        return ", ".join(f"{n} ({k} threads)" for n, k in sorted(d.items())) or "none seen"

    return f"clients asked {res.nice}; seen: server {seen(res.server_nices)}; clients {seen(res.client_nices)}"


def box() -> str:
    return f"ω {OMEGAS} × δ {[f'{d:.2f}' for d in DELTAS]}".replace("'", "")


def summary(res: Result) -> str:
    """One line for quoting: the run, the server's CPU per move, latency, memory, errors."""
    mb = 1 / 2**20
    lat = res.latencies or [float("nan")]
    return (f"SUMMARY {res.opened}/{res.sessions} sessions, {res.seconds:.0f} s, {res.moves_held} moves: "
            f"server {res.cpu_per_move:.3f} CPU-s/move ({res.cpu_server:.1f} s), move p95 {pct(lat, 95) * 1000:.0f} ms "
            f"(median {statistics.median(lat) * 1000:.0f} ms), server RSS peak {res.peak_rss * mb:.0f} MB, "
            f"errors {len(res.errors)}; clients nice {res.nice}; box {box()}; "
            f"load avg {res.load_start[0]:.2f} -> {res.load[0]:.2f} on {os.cpu_count()} CPUs")


def table(res: Result) -> str:
    mb = 1 / 2**20
    lat = res.latencies or [float("nan")]
    rows = [
        ("sessions opened / alive at end", f"{res.opened} / {res.alive} of {res.sessions}"),
        ("seconds held", f"{res.seconds:.0f} (opening took {res.open_seconds:.1f} s)"),
        ("slider moves (key presses)", f"{sum(res.moves)} ({res.presses})"),
        ("moves per session min / max", f"{min(res.moves, default=0)} / {max(res.moves, default=0)}"),
        ("page switches", f"{res.switches}"),
        ("errors", f"{len(res.errors)}"),
        ("same-setting comparisons", f"{res.compared}"),
        ("upload by session 0", f"{res.upload}"),
        ("its isolation checks by the others", f"{res.isolation_checks}"),
        ("upload recoveries (stalled > 60 s)", f"{len(res.upload_recoveries)}"),
        ("move -> numbers shown, median", f"{statistics.median(lat) * 1000:.0f} ms"),
        ("move -> numbers shown, p95", f"{pct(lat, 95) * 1000:.0f} ms"),
        ("move -> numbers shown, max", f"{max(lat) * 1000:.0f} ms"),
        ("server RSS peak / final", f"{res.peak_rss * mb:.0f} / {res.final_rss * mb:.0f} MB"),
        ("RSS growth, last 30 s", f"{res.rss_growth_last() * mb:+.0f} MB"),
        ("RSS every 15 s from the start", " ".join(f"{b * mb:.0f}" for b in res.rss_every(15.0)) + " MB"),
        ("CPU s while held: server / browser", f"{res.cpu_server:.0f} / {res.cpu_browser:.0f}"),
        ("moves while held (CPU counted)", f"{res.moves_held}"),
        ("server CPU s per move", f"{res.cpu_per_move:.3f}"),
        ("settings box the sessions move in", box()),
        ("niceness of the threads", niceness(res)),
        ("load average 1/5/15 min: start / end", f"{' '.join(f'{x:.2f}' for x in res.load_start)} / "
                                                  f"{' '.join(f'{x:.2f}' for x in res.load)}"),
    ]
    w = max(len(k) for k, _ in rows)
    return "\n".join([f"{k:<{w}}  {v}" for k, v in rows] + [f"ERROR {e}" for e in res.errors[:50]]
                     + [f"UPLOAD STALLED {r}" for r in res.upload_recoveries])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=10)
    ap.add_argument("--seconds", type=float, default=120.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--nice", type=int, default=10,
                    help="niceness added to the clients (Playwright driver, Chromium), not the server (default 10)")
    args = ap.parse_args()
    res = run_load(args.sessions, args.seconds, args.seed, args.nice)
    print(table(res))
    print(summary(res))
    sys.exit(1 if res.errors else 0)


if __name__ == "__main__":
    main()
