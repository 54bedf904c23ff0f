"""Browser tests: a real ``streamlit run`` driven by Playwright with Debian's Chromium.

Elements are found by the keys the app gives them (``bench/browser.py``). Also takes a screenshot
of every page, into a temporary folder (``screenshots`` fixture); ``python -m scripts.screenshots``
retakes the ones in ``docs/screenshots/``.
"""

from __future__ import annotations

import pytest

from bench.browser import (
    PAGES,
    SETTING,
    TRANSLATE_HEIGHT,
    button,
    exception_texts,
    key,
    nudge_slider,
    open_details,
    open_page,
    screenshot,
    select_points,
    setting_text,
    slider_value,
    tiles,
    wait_idle,
    wait_setting,
    wait_tile,
)
from dashboard import defaults
from dashboard.views.translate import SECONDS


def test_url_params_seed_the_view_and_metrics_show(page, app_url):
    page.goto(f"{app_url}/?omega=4&delta=0.6")
    value = wait_tile(page, "recon")
    assert float(value) > -1.0
    assert slider_value(page, "omega") == "4"
    assert float(slider_value(page, "delta")) == pytest.approx(0.6)
    assert setting_text(4, 0.6) in page.locator(key(SETTING)).inner_text()
    wait_idle(page)
    assert exception_texts(page) == []


def test_moving_omega_updates_metrics_and_url(page, app_url):
    page.goto(f"{app_url}/?delta=0.8")  # pruning on, so the ω subsets differ (at δ = 0 they are all equal)
    wait_tile(page, "recon")
    wait_setting(page, defaults.OMEGA, 0.8)
    before = tiles(page)
    nudge_slider(page, "omega")
    page.wait_for_url(f"**omega={defaults.OMEGA + 1}**")
    # the setting line is drawn after the tiles in the same run: once it shows the new ω, so do they
    wait_setting(page, defaults.OMEGA + 1, 0.8)
    after = tiles(page)
    # the fit's seconds change on every fit anyway: not evidence
    assert {k: v for k, v in after.items() if k != SECONDS} != {k: v for k, v in before.items() if k != SECONDS}
    wait_idle(page)
    assert exception_texts(page) == []


def test_selecting_points_shows_the_linked_items(page, app_url, screenshots):
    chart = select_points(page, app_url)
    # the same items are ringed in both panels: the figure now has a "selected" legend entry
    assert chart.get_by_text("selected").count() >= 1
    # the linked item itself: a thumbnail (image datasets) or its text
    item = page.locator(f'{key("selection")} [data-testid="stImage"] img').first
    item.wait_for(timeout=30_000)
    assert item.get_attribute("src")
    assert exception_texts(page) == []
    shot = screenshot(page, screenshots / "translate_selection.png", height=TRANSLATE_HEIGHT)
    assert shot.stat().st_size > 10_000
    button(page, "clear_selection").click()
    page.locator(key("selection_hint")).wait_for()


def test_details_tab_shows_its_figures(page, app_url, screenshots):
    open_details(page, app_url)
    for chart in ("recon_hist", "kept_cond", "confusion", "norms"):
        assert page.locator(f"{key(chart)} .main-svg").count() >= 1, chart
    assert exception_texts(page) == []
    shot = screenshot(page, screenshots / "translate_details.png")
    assert shot.stat().st_size > 10_000


@pytest.mark.parametrize("path", list(PAGES), ids=list(PAGES.values()))
def test_page_has_no_exception_and_is_screenshotted(page, app_url, path, screenshots):
    open_page(page, app_url, path)
    assert exception_texts(page) == []
    assert page.get_by_text("Page not found").count() == 0  # Streamlit's own dialog for an unknown path
    shot = screenshot(page, screenshots / f"{PAGES[path]}.png")
    assert shot.stat().st_size > 10_000
