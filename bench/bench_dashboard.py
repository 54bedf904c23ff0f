"""Benchmark (not a test): the dashboard as a new user meets it, on a fresh server, in Chromium.

Launches Chromium (Playwright), then starts ``streamlit run dashboard/app.py`` on a free loopback
port and, with one browser page (one Streamlit session at a time), measures:

1. **server healthy**: seconds from launch to ``/_stcore/health`` answering;
2. **first render**: URL load of ``/`` (the default Translate page) -> its numbers shown (the
   setting line, keyed ``settings_caption``, is drawn after the tiles), and -> the page idle (the
   app root's script state ``notRunning``, the baselines table filled at the end included);
3. **first open of each page** on that fresh server, in sidebar order: from the click on the
   page's sidebar link to its address and main content shown (its headline's metrics, plotly
   charts or an uploader, per page: see ``PAGES``) with its script idle;
4. **slider series** on the Translate page of the default pair, each opened by URL (a new
   session) and let settle; a move is timed from the key press to the setting line showing the
   new setting, and the page is let settle (script idle, browser idle) before the next:

   a. ω one step right at δ 0.50 from ω 1 (new values; stops below series b's values when b runs);
   b. ω one step right at δ 0.50 from ω 8 (new values);
   c. δ one step right at ω 8 from δ 0.50 (new values), then as many steps back (revisited);
   d. ridge one step right at ω 8, δ 0.50 from ridge 0.30 (new values).

   A series is one session alone on the server, so the server works ahead
   (``dashboard/state/lookahead.py``): after each move it fits the next step the same way while
   the page settles. Only a series' first move has no move before it, so it is printed apart, as
   the cost of a new setting nobody asked for ahead; ``--lookahead off`` measures every move so.
   (With ``--pin`` two sessions share the server, and nothing is done ahead.)

The goals (first render ≤ 5 s after healthy, each page ≤ 5 s and Sensitivity ≤ 10 s, p95 of
each series ≤ 1 s) are printed next to the figures, never asserted. The machine's load average is
printed at start and end: figures taken on a busy machine say little. The server's CPU seconds per
page open and per move are printed too (its process tree, from ``/proc``).

5. with ``--pin``, the chosen series instead run as a pair, in two sessions (two tabs) whose moves
   alternate, so drift on a shared machine hits both alike: one unpinned at seed 1, one at seed 2
   with that series' start pinned as A (``pin=`` in its URL); each move reaches new values in
   both. The medians of the two and their ratio are printed (goal: pinning adds ≤ 20 %).
   ``--panel details`` opens the Translate details tab (where A's figures are drawn) instead
   of the layouts.

    python -m bench.bench_dashboard [--moves 10] [--series abcd] [--pages all|none|"Scale,Method"]
                                   [--pin] [--panel layouts|details] [--lookahead on|off]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from bench.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    DETAILS_TAB,
    HEADLINE,
    SCRIPT_IDLE,
    SETTING,
    exception_texts,
    knob_text,
    nav_link,
    setting_text,
    slider_thumb,
    start_app,
    stop_app,
    wait_idle,
)
from bench.load_test import tree_cpu
from dashboard import defaults
from dashboard import pages as pages_module

OMEGA, DELTA, RIDGE = "omega", "delta", "ridge"  # the sliders' keys

# Page (its title in the sidebar) -> (the page, [(selector, least count)] in the main area): every
# page but the default one, in sidebar order; the pages that show numbers wait for their headline.
NEEDS: dict[str, list[tuple[str, int]]] = {
    "all_pairs": [(".js-plotly-plot", 2)],
    "sensitivity": [('[data-testid="stMetric"]', 5), (".js-plotly-plot", 2)],
    "scale": [(".js-plotly-plot", 2)],
    "crosslingual": [(".js-plotly-plot", 1)],
    "upload": [(".st-key-upload_files", 1)],
}
PAGES: dict[str, tuple[pages_module.Page, list[tuple[str, int]]]] = {
    p.title: (p, ([(f'.st-key-{HEADLINE} [data-testid="stMetric"]', 4)] if p.numbers else []) + NEEDS.get(p.name, []))
    for p in pages_module.PAGES if not p.default
}
GOAL_PAGE_S = {"Sensitivity": 10.0}  # others: 5 s
GOAL_FIRST_S, GOAL_PAGE_DEFAULT_S, GOAL_P95_S = 5.0, 5.0, 1.0

# The page's address and content shown, with no script running (stale elements of the page left
# are gone once a run ends, so the content counted is the new page's).
PAGE_SHOWN = """([path, need]) => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (location.pathname.replace(/\\/$/, '').split('/').pop() !== path) return false;
  const main = document.querySelector('[data-testid="stMain"]');
  return !!main && need.every(([sel, n]) => main.querySelectorAll(sel).length >= n);
}"""
# [key, texts]: the element keyed ``key`` shows every text. Its textContent only: body.innerText
# would force a layout of the whole page on every poll and slow down the very rendering measured.
CAPTION_SHOWN = """([k, ts]) => Array.from(document.querySelectorAll('.st-key-' + k))
  .some(e => ts.every(t => e.textContent.includes(t)))"""
BROWSER_IDLE = "() => new Promise(r => requestIdleCallback(() => r(), {timeout: 10000}))"
# Counts the script runs the page sees (the app root's script state turning to "running"): a lower
# bound, since a short run's start and end may be drawn in one frame and never show.
COUNT_RUNS = """
window.__irpRuns = 0;
new MutationObserver(ms => { for (const m of ms)
    if (m.target.getAttribute('data-test-script-state') === 'running' && m.oldValue !== 'running')
      window.__irpRuns++; })
  .observe(document, {subtree: true, attributes: true, attributeOldValue: true,
                      attributeFilter: ['data-test-script-state']});
"""  # a script (not a function): add_init_script runs it in every new document

# For an error: where the page stands.
PAGE_STATE = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  const caps = Array.from(document.querySelectorAll('.st-key-SETTING')).map(e => e.textContent.slice(0, 90));
  const errs = Array.from(document.querySelectorAll('[data-testid="stException"], [data-testid="stAlertContentError"]'))
    .map(e => e.textContent.slice(0, 200));
  const state = app ? app.getAttribute('data-test-script-state') : 'no app';
  return `script state ${state} at ${location.pathname}${location.search}` +
         (caps.length ? `, caption: ${caps.join(' | ')}` : '') + (errs.length ? `, errors: ${errs.join(' | ')}` : '');
}""".replace("SETTING", SETTING)


# --------------------------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------------------------
def pct(xs: list[float], q: float) -> float:
    """The ``q``-th percentile by nearest rank (with n ≤ 10, p95 is the largest value)."""
    xs = sorted(xs)
    return xs[max(0, min(len(xs) - 1, round(q / 100 * (len(xs) - 1))))] if xs else float("nan")


def fmt_load(load: tuple[float, float, float]) -> str:
    return " ".join(f"{x:.2f}" for x in load)


def ms(x: float) -> str:
    return f"{x * 1000:.0f} ms"


@dataclass
class Setting:
    omega: int
    delta: float
    ridge: float

    def query(self) -> dict:
        return {"omega": self.omega, "delta": f"{self.delta:.2f}", "ridge": f"{self.ridge:.2f}"}

    def settings(self, seed: int):
        """This setting on the default pair, as the dashboard's Settings (for a ``pin=``)."""
        from dashboard.precomputed import preset
        from dashboard.views.settings import default_pair
        from irp_core.cache import load_dataset

        src, tgt = default_pair(list(load_dataset(defaults.DATASET).encoders))
        return replace(preset(defaults.DATASET, "defaults", src, tgt), omega=self.omega, delta=self.delta,
                       ridge=self.ridge, random_state=seed)

    def texts(self) -> list[str]:
        """What the Translate page's setting line shows at this setting."""
        return [setting_text(self.omega, self.delta), knob_text("ridge", self.ridge)]

    def moved(self, label: str, key: str) -> Setting:
        k = 1 if key == "ArrowRight" else -1
        if label == OMEGA:
            return Setting(self.omega + k, self.delta, self.ridge)
        if label == DELTA:
            return Setting(self.omega, round(self.delta + k * defaults.DELTA_STEP, 2), self.ridge)
        return Setting(self.omega, self.delta, round(self.ridge + k * defaults.RIDGE_STEP, 2))

    def __str__(self) -> str:
        return f"ω {self.omega}, δ {self.delta:.2f}, ridge {self.ridge:.2f}"


@dataclass
class Run:
    """One timed group of moves: ``count`` presses of ``key`` on the slider ``label``."""
    name: str
    label: str
    key: str
    count: int
    note: str = ""


def plan(series: str, moves: int) -> list[tuple[str, Setting, list[Run]]]:
    """The series to run: (letter, setting opened by URL, timed groups of moves)."""
    out = []
    r0 = defaults.RIDGE
    for letter in series:
        if letter == "a":
            n, note = moves, ""
            if "b" in series and 1 + n > 8:  # ω 9 and up are series b's new values
                n, note = 7, f" (capped at 7 of {moves}: ω ≥ 9 are series b's new values)"
            out.append(("a", Setting(1, 0.5, r0), [Run(f"ω +1 at δ 0.50 from ω 1, new values{note}", OMEGA,
                                                       "ArrowRight", n)]))
        elif letter == "b":
            n = min(moves, defaults.OMEGA_MAX - 8)
            out.append(("b", Setting(8, 0.5, r0), [Run("ω +1 at δ 0.50 from ω 8, new values", OMEGA,
                                                       "ArrowRight", n)]))
        elif letter == "c":
            n = min(moves, round((defaults.DELTA_MAX - 0.5) / defaults.DELTA_STEP))
            out.append(("c", Setting(8, 0.5, r0), [
                Run("δ +0.05 at ω 8 from δ 0.50, new values", DELTA, "ArrowRight", n),
                Run("δ −0.05 at ω 8 back to δ 0.50, revisited", DELTA, "ArrowLeft", n)]))
        elif letter == "d":
            n = min(moves, round((defaults.RIDGE_MAX - r0) / defaults.RIDGE_STEP))
            out.append(("d", Setting(8, 0.5, r0), [Run(f"ridge +0.05 at ω 8, δ 0.50 from ridge {r0:.2f}, "
                                                       "new values", RIDGE, "ArrowRight", n)]))
        else:
            raise SystemExit(f"unknown series {letter!r}: choose among a, b, c, d")
    return out


# --------------------------------------------------------------------------------------------
# The browser side
# --------------------------------------------------------------------------------------------
def settle(page) -> None:
    """Let the last change finish (script done, charts drawn, main thread idle), so the next
    measurement starts from a quiet page, as a person's next move would."""
    wait_idle(page, timeout=180)
    page.evaluate(BROWSER_IDLE)
    page.wait_for_timeout(300)


def wait_for(page, predicate: str, arg, what: str, polling: int = 50, timeout: float = 180.0) -> None:
    """``page.wait_for_function``; on a timeout, says what was awaited and what the page showed."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(predicate, arg=arg, polling=polling, timeout=timeout * 1000)
    except PlaywrightTimeout:
        raise RuntimeError(f"{what}: not shown after {timeout:.0f} s ({page.evaluate(PAGE_STATE)})") from None


def warn_errors(page, where: str) -> None:
    found = exception_texts(page)
    if found:
        print(f"  WARNING: {where}: the page shows an error ({', '.join(found)})")


def first_render(page, base: str) -> tuple[float, float, str]:
    """URL load of ``/`` -> (numbers shown, page idle) in seconds, and the default pair."""
    from dashboard.views.settings import default_pair
    from irp_core.cache import load_dataset

    t0 = time.perf_counter()
    page.goto(f"{base}/")
    wait_for(page, CAPTION_SHOWN, [SETTING, ["ω ="]], "first render: the numbers", polling=20)
    shown = time.perf_counter() - t0
    wait_for(page, SCRIPT_IDLE, None, "first render: script idle", polling=20)
    idle = time.perf_counter() - t0
    pair = " → ".join(default_pair(list(load_dataset(defaults.DATASET).encoders)))
    return shown, idle, f"{defaults.DATASET}: {pair}"


def open_page(page, name: str) -> tuple[float, int]:
    """Click the sidebar link of ``name`` -> its title and content shown, script idle; (s, runs)."""
    target, need = PAGES[name]
    link = nav_link(page, target.name)
    page.evaluate("() => { window.__irpRuns = 0; }")
    t0 = time.perf_counter()
    link.click()
    wait_for(page, PAGE_SHOWN, [target.url_path, need], f"page {name}", timeout=300)
    dt = time.perf_counter() - t0
    return dt, page.evaluate("() => window.__irpRuns")


def run_series(page, base: str, server_pid: int, letter: str, start: Setting, runs: list[Run]) -> None:
    page.goto(f"{base}/?" + urlencode(start.query()))
    wait_for(page, CAPTION_SHOWN, [SETTING, start.texts()], f"series {letter}: the start at {start}")
    settle(page)
    cur = start
    for r in runs:
        times, cpu0 = [], tree_cpu(server_pid)
        thumb = slider_thumb(page, r.label)
        for _ in range(r.count):
            cur = cur.moved(r.label, r.key)
            thumb.focus()
            t = time.perf_counter()
            page.keyboard.press(r.key)
            wait_for(page, CAPTION_SHOWN, [SETTING, cur.texts()], f"series {letter}: {cur}", polling=10)
            times.append(time.perf_counter() - t)
            settle(page)
        cpu = tree_cpu(server_pid) - cpu0
        if times:
            later = times[1:] or times  # the first move of a series has no move before it to follow
            print(f"  {letter}  {r.name}: n={len(times)} median {ms(statistics.median(times))}, "
                  f"p95 {ms(pct(times, 95))} (goal ≤ {GOAL_P95_S:.0f} s), max {ms(max(times))}; "
                  f"first move {ms(times[0])}, the later ones median {ms(statistics.median(later))}, "
                  f"p95 {ms(pct(later, 95))}; server CPU {cpu / len(times):.3f} s/move; ended at {cur}")
        else:
            print(f"  {letter}  {r.name}: n=0 (no room for a move)")
    warn_errors(page, f"series {letter}")



def run_pin_pair(browser, base: str, server_pid: int, letter: str, start: Setting, runs: list[Run],
                 panel: str) -> None:
    """Series ``letter`` in two sessions whose moves alternate: unpinned (seed 1) and pinned (seed
    2, A = the start); prints both medians and the ratio pinned / unpinned."""
    from dashboard.views.compare import encode

    extra = {"panel": DETAILS_TAB} if panel == "details" else {}
    tabs = {}
    for name, seed in (("unpinned", 1), ("pinned", 2)):
        q = {**start.query(), "random_state": seed, **extra}
        if name == "pinned":
            q["pin"] = encode(start.settings(seed))
        page = browser.new_page(viewport={"width": 1500, "height": 1000})
        page.set_default_timeout(180_000)
        page.goto(f"{base}/?" + urlencode(q))
        wait_for(page, CAPTION_SHOWN, [SETTING, start.texts()], f"series {letter} {name}: the start at {start}")
        settle(page)
        tabs[name] = page
    for r in runs:
        cur = {name: start for name in tabs}
        times: dict[str, list[float]] = {name: [] for name in tabs}
        for i in range(r.count):
            order = list(tabs) if i % 2 == 0 else list(tabs)[::-1]  # who goes first alternates too
            for name in order:
                page = tabs[name]
                cur[name] = cur[name].moved(r.label, r.key)
                thumb = slider_thumb(page, r.label)
                thumb.focus()
                t = time.perf_counter()
                page.keyboard.press(r.key)
                wait_for(page, CAPTION_SHOWN, [SETTING, cur[name].texts()], f"series {letter} {name}: {cur[name]}",
                         polling=10)
                times[name].append(time.perf_counter() - t)
                settle(page)
        if times["unpinned"]:
            u, p = statistics.median(times["unpinned"]), statistics.median(times["pinned"])
            print(f"  {letter}  {r.name} ({panel} tab), n={len(times['pinned'])} each: unpinned median "
                  f"{ms(u)} (p95 {ms(pct(times['unpinned'], 95))}), pinned median {ms(p)} "
                  f"(p95 {ms(pct(times['pinned'], 95))}); pinned / unpinned {p / u:.2f} (goal ≤ 1.20)")
    for name, page in tabs.items():
        warn_errors(page, f"series {letter} {name}")
        page.close()


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--moves", type=int, default=10, help="moves per series (default 10; capped where "
                    "the slider ends or, for a, where series b's values begin)")
    ap.add_argument("--series", default="abcd", help="which slider series to run, in order (default abcd; "
                    "'' for none)")
    ap.add_argument("--pages", default="all", help="pages to open after the first render, comma-separated, "
                    f"in that order (default all: {', '.join(PAGES)}; 'none' for none)")
    ap.add_argument("--pin", action="store_true", help="run each series as an alternating pair of "
                    "sessions, unpinned and with a pinned setting in the URL, and print the ratio")
    ap.add_argument("--panel", choices=("layouts", "details"), default="layouts",
                    help="with --pin: the Translate tab open during the moves")
    ap.add_argument("--lookahead", choices=("on", "off"), default="on",
                    help="the server's work ahead for a lone user (dashboard/state/lookahead.py); "
                    "off: every new setting is computed when asked for (default on, as shipped)")
    args = ap.parse_args(argv)
    pages = (list(PAGES) if args.pages == "all" else [] if args.pages == "none"
             else [p.strip() for p in args.pages.split(",") if p.strip()])
    for p in pages:
        if p not in PAGES:
            raise SystemExit(f"unknown page {p!r}: choose among {', '.join(PAGES)}")
    series = plan(args.series, args.moves)

    from playwright.sync_api import sync_playwright

    print(f"load average 1/5/15 min at start: {fmt_load(os.getloadavg())} ({os.cpu_count()} CPUs)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1500, "height": 1000})
        page.set_default_timeout(180_000)
        page.add_init_script(COUNT_RUNS)
        # the browser is already open, as a user's would be
        proc, base, healthy = start_app(extra_env={"IRP_LOOKAHEAD": "0"} if args.lookahead == "off" else None)
        try:
            print(f"server healthy {healthy:.2f} s after launch; lookahead {args.lookahead}")
            cpu0 = tree_cpu(proc.pid)
            shown, idle, pair = first_render(page, base)
            print(f"first render, URL load of / (Translate, {pair}): numbers shown {shown:.2f} s, "
                  f"page idle {idle:.2f} s after healthy (goal ≤ {GOAL_FIRST_S:.0f} s); "
                  f"server CPU {tree_cpu(proc.pid) - cpu0:.1f} s")
            warn_errors(page, "first render")
            settle(page)
            if pages:
                print("first open of each page (sidebar click -> its address and main content shown, script idle):")
            for name in pages:
                cpu0 = tree_cpu(proc.pid)
                dt, runs = open_page(page, name)
                cpu = tree_cpu(proc.pid) - cpu0
                goal = GOAL_PAGE_S.get(name, GOAL_PAGE_DEFAULT_S)
                need = ", ".join(f"{n} × {sel}" for sel, n in PAGES[name][1])
                print(f"  {name:<14} {dt:6.2f} s (goal ≤ {goal:.0f} s); script runs seen {runs}, "
                      f"server CPU {cpu:.1f} s; waited for {need}")
                warn_errors(page, name)
                settle(page)
            if series:
                print("slider series, Translate page opened by URL at the series' start (key press -> "
                      "setting line shows the new setting; page settled between moves):")
            for letter, start, runs in series:
                if args.pin:
                    run_pin_pair(browser, base, proc.pid, letter, start, runs, args.panel)
                else:
                    run_series(page, base, proc.pid, letter, start, runs)
            browser.close()
        finally:
            stop_app(proc)
    print(f"load average 1/5/15 min at end: {fmt_load(os.getloadavg())}")


if __name__ == "__main__":
    main()
