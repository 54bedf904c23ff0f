"""Browser tests: a real ``streamlit run`` driven by Playwright with Debian's Chromium.

Also writes a screenshot of every page into ``docs/screenshots/``.
"""

from __future__ import annotations

import pytest
from browser_helpers import (
    SCREENSHOTS,
    all_metrics,
    exception_texts,
    nudge_slider,
    slider_value,
    wait_idle,
    wait_metric,
)

from dashboard import defaults as D

OMEGA = "ω: anchor subspaces"
DELTA = "δ: pruning threshold"
RECON = "reconstruction similarity"
PAGES = {  # url path -> something every render of that page shows ("": the default page)
    "": RECON,
    "all_pairs": "zero-shot (mean ± std over pairs)",
    "sensitivity": "Pearson r",
    "scale": "translated mean norm",
    "crosslingual": None,  # metrics, or the "not shipped" warning
    "method": "reconstruction similarity",
}


def test_url_params_seed_the_view_and_metrics_show(page, app_url):
    page.goto(f"{app_url}/?omega=4&delta=0.6")
    value = wait_metric(page, RECON)
    assert float(value) > -1.0
    assert slider_value(page, OMEGA) == "4"
    assert float(slider_value(page, DELTA)) == pytest.approx(0.6)
    assert page.get_by_text("ω = 4, δ = 0.60").count() == 1
    wait_idle(page)
    assert exception_texts(page) == []


def test_moving_omega_updates_metrics_and_url(page, app_url):
    page.goto(f"{app_url}/?delta=0.8")  # pruning on, so the ω subsets differ (at δ = 0 they are all equal)
    wait_metric(page, RECON)
    page.get_by_text(f"Numbers above: ω = {D.OMEGA}, δ = 0.80").wait_for()
    before = all_metrics(page)
    nudge_slider(page, OMEGA)
    page.wait_for_url(f"**omega={D.OMEGA + 1}**")
    # the caption is drawn after the metrics in the same run: once it shows the new ω, so do they
    page.get_by_text(f"Numbers above: ω = {D.OMEGA + 1},").wait_for()
    after = all_metrics(page)
    timing = "fit + evaluate"  # changes on every fit anyway: not evidence
    assert {k: v for k, v in after.items() if k != timing} != {
        k: v for k, v in before.items() if k != timing}
    wait_idle(page)
    assert exception_texts(page) == []


def _drag_box(page, chart, fx0, fy0, fx1, fy1) -> None:
    box = chart.bounding_box()
    x, y, w, h = box["x"], box["y"], box["width"], box["height"]
    page.mouse.move(x + fx0 * w, y + fy0 * h)
    page.mouse.down()
    for i in range(1, 11):
        page.mouse.move(x + (fx0 + (fx1 - fx0) * i / 10) * w, y + (fy0 + (fy1 - fy0) * i / 10) * h)
    page.mouse.up()


def test_selecting_points_shows_the_linked_items(page, app_url):
    page.goto(f"{app_url}/")
    wait_metric(page, RECON)
    chart = page.locator('[data-testid="stPlotlyChart"]').first
    chart.scroll_into_view_if_needed()
    page.wait_for_timeout(1000)
    page.get_by_text("Select points in either layout").wait_for()
    # a box over most of the source chart (its legend sits on the right)
    _drag_box(page, chart, 0.05, 0.15, 0.7, 0.9)
    page.get_by_text("Selected items").wait_for(timeout=60_000)
    wait_idle(page)
    # the same items are ringed in both panels: the figure now has a "selected" legend entry
    assert chart.get_by_text("selected").count() >= 1
    # the linked item itself: a thumbnail (image datasets) or its text
    item = page.locator('[data-testid="stImage"] img').first
    item.wait_for(timeout=30_000)
    assert item.get_attribute("src")
    assert exception_texts(page) == []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1500, "height": 2000})
    page.wait_for_timeout(500)
    page.screenshot(path=str(SCREENSHOTS / "translate_selection.png"), full_page=True)
    page.get_by_role("button", name="clear selection").click()
    page.get_by_text("Select points in either layout").wait_for()


def test_details_tab_shows_its_figures(page, app_url):
    page.set_viewport_size({"width": 1500, "height": 2000})
    page.goto(f"{app_url}/")
    wait_metric(page, RECON)
    page.get_by_role("tab", name="distributions, conditioning, confusion matrix").click()
    page.wait_for_url("**panel=**")
    page.get_by_text("stitching confusion matrix").wait_for()
    wait_idle(page)
    assert page.locator('[data-testid="stPlotlyChart"]').count() >= 4
    assert exception_texts(page) == []
    page.wait_for_timeout(500)
    page.screenshot(path=str(SCREENSHOTS / "translate_details.png"), full_page=True)


@pytest.mark.parametrize("path", list(PAGES), ids=[p or "translate" for p in PAGES])
def test_page_has_no_exception_and_is_screenshotted(page, app_url, path):
    page.set_viewport_size({"width": 1500, "height": 2400})  # the app scrolls inside its own pane
    page.goto(f"{app_url}/{path}")
    label = PAGES[path]
    if label is None:
        page.locator('[data-testid="stMetric"], [data-testid="stAlertContentWarning"]').first.wait_for(
            timeout=240_000)
    else:
        wait_metric(page, label, timeout=240)
    wait_idle(page, timeout=240)
    page.wait_for_timeout(500)  # let plotly finish drawing for the screenshot
    assert exception_texts(page) == []
    assert page.get_by_text("Page not found").count() == 0
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{path or 'translate'}.png"), full_page=True)
