"""Retake the screenshots of ``docs/screenshots/`` (the tests write theirs to a temporary folder).

Starts ``streamlit run dashboard/app.py`` on a free loopback port and drives Chromium through the
same steps as the browser tests (``bench/browser.py``): every page by its URL, All
pairs on the cross-modal emoji set, the Translate page with points selected, its details tab, its
spectrum tab (defaults and the paper's setting) and classroom mode's ridge step; then the paper
preset with the defaults pinned as A (the tiles' deltas, and A in the details tab).

    python -m scripts.screenshots [--out DIR]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from bench.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    DETAILS_TAB,
    DOCS_SCREENSHOTS,
    PAGES,
    ROOT,
    TRANSLATE_HEIGHT,
    exception_texts,
    key,
    open_classroom,
    open_details,
    open_page,
    open_spectrum,
    screenshot,
    select_points,
    start_app,
    stop_app,
    wait_drawn,
    wait_idle,
    wait_numbers,
    wait_tile,
)


def take(page, base: str, out: Path) -> list[Path]:
    shots = []
    for path, name in PAGES.items():
        open_page(page, base, path)
        shots.append(check(page, screenshot(page, out / f"{name}.png")))
    page.goto(f"{base}/all_pairs?dataset=emoji")  # cross-modal: image and text encoders
    wait_numbers(page)  # drawn once every pair is known, with the table by direction
    wait_idle(page)
    wait_drawn(page)
    shots.append(check(page, screenshot(page, out / "all_pairs_emoji.png")))
    select_points(page, base)
    page.locator('[data-testid="stImage"] img').first.wait_for(timeout=30_000)
    shots.append(check(page, screenshot(page, out / "translate_selection.png", height=TRANSLATE_HEIGHT)))
    open_details(page, base)
    shots.append(check(page, screenshot(page, out / "translate_details.png")))
    open_spectrum(page, base)
    shots.append(check(page, screenshot(page, out / "spectrum.png")))
    open_spectrum(page, base, "?center=none&ridge=0.0&omega=8&delta=0.7")  # the paper as written
    shots.append(check(page, screenshot(page, out / "spectrum_paper.png")))
    open_classroom(page, base, "ridge")
    shots.append(check(page, screenshot(page, out / "classroom_ridge.png", height=1000)))
    shots += pinned_shots(page, base, out)
    return shots


def pinned_shots(page, base: str, out: Path) -> list[Path]:
    """``?preset=paper`` with this tool's defaults pinned as A: tiles, then the details tab."""
    from urllib.parse import urlencode

    from dashboard import precomputed
    from dashboard.views.compare import encode
    from dashboard.views.settings import default_pair
    from irp_core.cache import load_dataset

    a = precomputed.preset("mnist", "defaults", *default_pair(list(load_dataset("mnist").encoders)))
    shots = []
    for name, extra in (("presets_pin", {}), ("pin_details", {"panel": DETAILS_TAB})):
        page.set_viewport_size({"width": 1500, "height": TRANSLATE_HEIGHT})
        page.goto(f"{base}/?" + urlencode({"preset": "paper", "pin": encode(a), **extra}))
        wait_tile(page, "recon")
        page.locator(key("repin_button")).wait_for()  # shown once A is pinned
        wait_idle(page)
        shots.append(check(page, screenshot(page, out / f"{name}.png")))
    return shots


def check(page, shot: Path) -> Path:
    errors = exception_texts(page)
    if errors:
        raise RuntimeError(f"{shot.name}: the page shows {errors}")
    print(f"{shot.relative_to(ROOT) if shot.is_relative_to(ROOT) else shot}  {shot.stat().st_size // 1024} KiB",
          flush=True)
    return shot


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=DOCS_SCREENSHOTS, help="folder of the PNGs (default: %(default)s)")
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    t0 = time.perf_counter()
    proc, base, _ = start_app()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                page = browser.new_context(viewport={"width": 1500, "height": 1000}).new_page()
                page.set_default_timeout(60_000)
                shots = take(page, base, args.out.resolve())
            finally:
                browser.close()
    finally:
        stop_app(proc)
    print(f"{len(shots)} screenshots in {time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
