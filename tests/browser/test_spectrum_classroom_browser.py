"""Browser: Translate's spectrum tab and classroom mode's step-through, in a real Chromium."""

from __future__ import annotations

from bench.browser import (
    button,
    exception_texts,
    key,
    numbers,
    open_classroom,
    open_spectrum,
    screenshot,
    tile,
    wait_drawn,
    wait_idle,
)
from dashboard.views import classroom as classroom_view

CHARTS = '[data-testid="stPlotlyChart"]'
SPECTRUM_CHARTS = ("spectrum_eig", "spectrum_delta", "spectrum_subsets")  # eigenvalues, δ curve, subsets


def test_spectrum_tab_draws_its_three_plots(page, app_url, screenshots):
    open_spectrum(page, app_url)
    wait_drawn(page)
    raw, damped, _kept, _overlap = numbers(page, "spectrum_numbers")
    assert raw == "5.68e+04"  # the worst subset's raw condition number
    assert damped == "1.19"
    assert tile(page, "cond_damped_max") == "1.19"  # the tile beside the raw ones
    assert page.locator(CHARTS).count() == 3  # the other tabs are not drawn
    for chart in SPECTRUM_CHARTS:
        assert page.locator(f"{key(chart)} .main-svg").count() >= 1, chart
    assert exception_texts(page) == []
    assert screenshot(page, screenshots / "spectrum.png").stat().st_size > 10_000


def test_classroom_mode_steps_through_the_method(page, app_url, screenshots):
    open_classroom(page, app_url)
    # a projector's page: sidebar collapsed, larger type
    assert page.locator('[data-testid="stSidebar"]').get_attribute("data-collapsed") == "true"
    page.wait_for_function("() => getComputedStyle(document.documentElement).fontSize === '21px'",
                           timeout=10_000)  # the style element arrives with the script's first elements
    steps = list(classroom_view.STEPS)
    for n, step in enumerate(steps):
        page.locator(key(f"step_{step}")).wait_for()  # the step's own plot
        wait_idle(page)
        wait_drawn(page)
        assert exception_texts(page) == [], step
        if step == "ridge":
            assert screenshot(page, screenshots / "classroom_ridge.png").stat().st_size > 10_000
        if n < len(steps) - 1:
            button(page, "step_next").click()
            page.wait_for_url(f"**step={steps[n + 1]}**")
    assert button(page, "step_next").is_disabled()
    button(page, "step_prev").click()
    page.wait_for_url(f"**step={steps[-2]}**")
    assert "classroom=1" in page.url
