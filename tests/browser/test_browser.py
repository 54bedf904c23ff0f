"""Browser tests: a real ``streamlit run`` driven by Playwright with Debian's Chromium.

Also takes a screenshot of every page, into a temporary folder (``screenshots`` fixture);
``python scripts/screenshots.py`` retakes the ones in ``docs/screenshots/``.
"""

from __future__ import annotations

import pytest
from browser_helpers import (
    PAGES,
    RECON,
    TRANSLATE_HEIGHT,
    all_metrics,
    exception_texts,
    nudge_slider,
    open_details,
    open_page,
    screenshot,
    select_points,
    slider_value,
    wait_idle,
    wait_metric,
)

from dashboard import defaults as D

OMEGA = "ω: anchor subspaces"
DELTA = "δ: pruning threshold"


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


def test_selecting_points_shows_the_linked_items(page, app_url, screenshots):
    chart = select_points(page, app_url)
    # the same items are ringed in both panels: the figure now has a "selected" legend entry
    assert chart.get_by_text("selected").count() >= 1
    # the linked item itself: a thumbnail (image datasets) or its text
    item = page.locator('[data-testid="stImage"] img').first
    item.wait_for(timeout=30_000)
    assert item.get_attribute("src")
    assert exception_texts(page) == []
    shot = screenshot(page, screenshots / "translate_selection.png", height=TRANSLATE_HEIGHT)
    assert shot.stat().st_size > 10_000
    page.get_by_role("button", name="clear selection").click()
    page.get_by_text("Select points").wait_for()


def test_details_tab_shows_its_figures(page, app_url, screenshots):
    open_details(page, app_url)
    assert page.locator('[data-testid="stPlotlyChart"]').count() >= 4
    assert exception_texts(page) == []
    shot = screenshot(page, screenshots / "translate_details.png")
    assert shot.stat().st_size > 10_000


@pytest.mark.parametrize("path", list(PAGES), ids=[p or "translate" for p in PAGES])
def test_page_has_no_exception_and_is_screenshotted(page, app_url, path, screenshots):
    open_page(page, app_url, path)
    assert exception_texts(page) == []
    assert page.get_by_text("Page not found").count() == 0
    shot = screenshot(page, screenshots / f"{path or 'translate'}.png")
    assert shot.stat().st_size > 10_000
