"""Benchmark (not a test): slider move -> updated metrics latency in a real browser.

Starts ``streamlit run dashboard/app.py`` on a free loopback port, opens the Translate page on the
largest shipped pair (test items x source dim x target dim) in Chromium (Playwright), and moves the
ω slider with the keyboard 20 times. The latency of one move is the time from the key press to
the page showing the numbers for the new ω (the caption drawn after the metrics); before each
move the page is let settle (script finished, browser idle). Two runs: 20 new ω values (cache
misses: a fit each) and 20 moves back and forth (cache hits).

    python bench/bench_dashboard.py [--moves 20]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path += [str(ROOT), str(ROOT / "tests" / "browser")]

from browser_helpers import (
    CHROMIUM,
    CHROMIUM_ARGS,
    nudge_slider,
    start_app,
    stop_app,
    wait_idle,
    wait_metric,
)

from dashboard import defaults as D

OMEGA = "ω: anchor subspaces"
# textContent of the captions only: body.innerText would force a layout of the whole page on
# every poll and slow down the very rendering being measured.
IDLE = "() => new Promise(r => requestIdleCallback(() => r(), {timeout: 10000}))"
SHOWN = """t => Array.from(document.querySelectorAll('[data-testid="stCaptionContainer"]'))
              .some(e => e.textContent.includes(t))"""


def largest_pair() -> tuple[str, str, str, int]:
    from irp_core.cache import list_datasets, load_dataset

    best = None
    for name in list_datasets():
        try:
            ds = load_dataset(name)
            dims = {e: ds.space(e).test.shape for e in ds.encoders}
        except Exception as exc:  # noqa: BLE001
            print(f"skipping dataset {name}: {exc}")
            continue
        for a in ds.encoders:
            for b in ds.encoders:
                if a == b:
                    continue
                size = dims[a][0] * dims[a][1] * dims[b][1]
                if best is None or size > best[3]:
                    best = (name, a, b, size)
    if best is None:
        raise SystemExit("no dataset with two encoders in the cache")
    return best


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    k = max(0, min(len(xs) - 1, round(q / 100 * (len(xs) - 1))))
    return xs[k]


def report(name: str, xs: list[float]) -> None:
    print(f"{name}: n={len(xs)} median {statistics.median(xs) * 1000:.0f} ms, "
          f"p95 {pct(xs, 95) * 1000:.0f} ms, min {min(xs) * 1000:.0f} ms, "
          f"max {max(xs) * 1000:.0f} ms")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--moves", type=int, default=20)
    args = ap.parse_args()
    dataset, src, tgt, _ = largest_pair()
    from playwright.sync_api import sync_playwright

    proc, base, healthy = start_app()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1500, "height": 1000})
            page.set_default_timeout(120_000)
            url = f"{base}/?" + urlencode({"dataset": dataset, "source": src, "target": tgt})
            t0 = time.perf_counter()
            page.goto(url)
            wait_metric(page, "reconstruction similarity", timeout=120)
            first = time.perf_counter() - t0
            print(f"pair: {dataset} {src} -> {tgt}; server healthy after {healthy:.1f} s; "
                  f"URL load -> metrics shown {first:.2f} s")
            omega = D.OMEGA
            wait_idle(page)
            page.evaluate(IDLE)

            def move(key: str) -> float:
                nonlocal omega
                omega += 1 if key == "ArrowRight" else -1
                text = f"Numbers above: ω = {omega},"
                t = time.perf_counter()
                nudge_slider(page, OMEGA, key)
                page.wait_for_function(SHOWN, arg=text, polling=10, timeout=120_000)
                dt = time.perf_counter() - t
                settle()
                return dt

            def settle() -> None:
                """Let the previous move finish (script done, charts drawn, main thread idle),
                so each measurement starts from a quiet page, as a person's next move would."""
                wait_idle(page)
                page.evaluate(IDLE)
                page.wait_for_timeout(300)

            n = min(args.moves, D.OMEGA_MAX - D.OMEGA)
            miss = [move("ArrowRight") for _ in range(n)]
            hit = [move("ArrowLeft" if i % 2 == 0 else "ArrowRight") for i in range(args.moves)]
            report("slider move -> updated metrics, new ω (cache miss)", miss)
            report("slider move -> updated metrics, revisited ω (cache hit)", hit)
            browser.close()
    finally:
        stop_app(proc)


if __name__ == "__main__":
    main()
