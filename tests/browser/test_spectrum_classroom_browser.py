"""Browser: Translate's spectrum tab and classroom mode's step-through, in a real Chromium."""

from __future__ import annotations

from browser_helpers import (
    all_metrics,
    exception_texts,
    open_classroom,
    open_spectrum,
    screenshot,
    wait_drawn,
    wait_idle,
)

from dashboard.views import classroom as VC

CHARTS = '[data-testid="stPlotlyChart"]'


def test_spectrum_tab_draws_its_three_plots(page, app_url, screenshots):
    open_spectrum(page, app_url)
    wait_drawn(page)
    m = all_metrics(page)
    assert m["condition number, raw (worst subset)"] == "5.68e+04"
    assert m["condition number, damped"] == "1.19"
    assert m["cond. number, damped (max)"] == "1.19"  # the tile beside the raw ones
    assert page.locator(CHARTS).count() == 3  # the other tabs are not drawn
    for title in ("eigenvalues of the kept target anchors", "condition number of subspace S1 against δ",
                  "anchors kept per subspace"):
        assert page.locator(CHARTS).get_by_text(title).count() >= 1, title
    assert exception_texts(page) == []
    assert screenshot(page, screenshots / "spectrum.png").stat().st_size > 10_000


def test_classroom_mode_steps_through_the_method(page, app_url, screenshots):
    open_classroom(page, app_url)
    # a projector's page: sidebar collapsed, larger type
    assert page.locator('[data-testid="stSidebar"]').get_attribute("data-collapsed") == "true"
    page.wait_for_function("() => getComputedStyle(document.documentElement).fontSize === '21px'",
                           timeout=10_000)  # the style element arrives with the script's first elements
    keys = list(VC.STEPS)
    for n, key in enumerate(keys):
        page.get_by_text(f"Step {n + 1} of {len(keys)}: {VC.STEPS[key][0]}").wait_for()
        wait_idle(page)
        wait_drawn(page)
        assert page.locator(CHARTS).count() >= 1 or key == "stitching", key
        assert exception_texts(page) == [], key
        if key == "ridge":
            assert screenshot(page, screenshots / "classroom_ridge.png").stat().st_size > 10_000
        if n < len(keys) - 1:
            page.get_by_role("button", name="next ▶").click()
            page.wait_for_url(f"**step={keys[n + 1]}**")
    assert page.get_by_role("button", name="next ▶").is_disabled()
    page.get_by_role("button", name="◀ previous").click()
    page.wait_for_url(f"**step={keys[-2]}**")
    assert "classroom=1" in page.url
