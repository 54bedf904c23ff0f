"""Benchmark (not a test): what Translate's spectrum tab costs a slider move, in Chromium.

For each tab (the default layouts tab, then the spectrum tab), on a fresh server each so both
meet new values: open Translate by URL at ω 8, δ 0.50 with that tab open (``?panel=``), let it
settle, then move δ one step right ``--moves`` times. A move is timed from the key press to the
caption showing the new setting (the numbers), and to the script idle with the charts drawn (the
open tab included). Medians and the spectrum tab's ratio to the layouts tab are printed; the
machine's load average too, since a shared machine makes single figures noisy.

    python -m bench.bench_spectrum [--moves 8] [--omega 8]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from urllib.parse import urlencode

from bench.bench_dashboard import CAPTION_SHOWN, DELTA, SCRIPT_IDLE, Setting, fmt_load, settle, wait_for
from bench.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    SETTING,
    exception_texts,
    slider_thumb,
    start_app,
    stop_app,
    wait_drawn,
)
from dashboard import defaults

SPECTRUM_TAB = "spectrum: why the knobs work"  # the spectrum tab's value in the URL (?panel=)
TABS = {"layouts (default)": None, "spectrum": SPECTRUM_TAB}


def run(page, tab: str | None, omega: int, moves: int) -> tuple[list[float], list[float], float]:
    """One fresh server: (press -> numbers, press -> idle and drawn) per move, and the tab's open time."""
    proc, base, _ = start_app()
    try:
        cur = Setting(omega, 0.5, defaults.RIDGE)
        query = cur.query() | ({"panel": tab} if tab else {})
        t0 = time.perf_counter()
        page.goto(f"{base}/?" + urlencode(query))
        wait_for(page, CAPTION_SHOWN, [SETTING, cur.texts()], f"{tab}: the start")
        settle(page)
        wait_drawn(page)
        opened = time.perf_counter() - t0
        numbers, idle = [], []
        thumb = slider_thumb(page, DELTA)
        for _ in range(moves):
            cur = cur.moved(DELTA, "ArrowRight")
            thumb.focus()
            t = time.perf_counter()
            page.keyboard.press("ArrowRight")
            wait_for(page, CAPTION_SHOWN, [SETTING, cur.texts()], f"{tab}: {cur}", polling=10)
            numbers.append(time.perf_counter() - t)
            wait_for(page, SCRIPT_IDLE, None, f"{tab}: idle at {cur}", polling=10)
            wait_drawn(page)
            idle.append(time.perf_counter() - t)
            settle(page)
        if exception_texts(page):
            print(f"  WARNING: {tab}: the page shows an error")
        return numbers, idle, opened
    finally:
        stop_app(proc)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--moves", type=int, default=8, help="δ moves per tab (default 8: δ 0.50 -> 0.90)")
    ap.add_argument("--omega", type=int, default=8, help="ω of the series (default 8)")
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    print(f"load average 1/5/15 min at start: {fmt_load(os.getloadavg())} ({os.cpu_count()} CPUs)")
    medians = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1500, "height": 1000})
        page.set_default_timeout(180_000)
        for name, tab in TABS.items():
            numbers, idle, opened = run(page, tab, args.omega, args.moves)
            medians[name] = (statistics.median(numbers), statistics.median(idle))
            print(f"  {name:<18} open {opened:5.2f} s; δ +0.05 at ω {args.omega}, n={len(idle)}: numbers "
                  f"median {medians[name][0] * 1000:.0f} ms, idle and drawn median {medians[name][1] * 1000:.0f} ms "
                  f"(max {max(idle) * 1000:.0f} ms)")
        browser.close()
    (n0, i0), (n1, i1) = medians.values()
    print(f"spectrum tab / layouts tab, medians: numbers {n1 / n0:.2f}x, idle and drawn {i1 / i0:.2f}x")
    print(f"load average 1/5/15 min at end: {fmt_load(os.getloadavg())}")


if __name__ == "__main__":
    main()
