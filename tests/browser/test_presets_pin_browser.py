"""Presets and pin-and-compare in a real browser: ``?preset=paper`` sets the controls, a pinned
setting puts its differences on every tile, and the copied link shows the comparison elsewhere."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest
from browser_helpers import exception_texts, nudge_slider, screenshot, slider_value, wait_idle, wait_metric

OMEGA = "ω: anchor subspaces"
DELTA = "δ: pruning threshold"
RIDGE = "ridge: decoding damping"
RECON = "reconstruction similarity"
ZERO_SHOT = "zero-shot accuracy"


def _preset(page) -> str:
    """The preset radio's checked option."""
    radio = page.locator('[data-testid="stRadio"]').filter(has_text="method preset")
    return radio.locator("label").filter(has=page.locator("input:checked")).first.inner_text().split("\n")[0].strip()


def _centring(page) -> str:
    """The centring selectbox's text, with the values of its inputs (where 1.67 keeps the choice)."""
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text="centring").first
    return box.evaluate("e => e.textContent + ' ' + [...e.querySelectorAll('input')].map(i => i.value).join(' ')")


def _deltas(page) -> dict[str, str]:
    """Metric label -> its delta text, for the tiles that show one."""
    out = {}
    for m in page.locator('[data-testid="stMetric"]').all():
        d = m.locator('[data-testid="stMetricDelta"]')
        if d.count():
            out[m.locator('[data-testid="stMetricLabel"]').inner_text().strip()] = d.inner_text().strip()
    return out


def _link(page) -> str:
    page.locator('[data-testid="stExpander"]').filter(has_text="export and share").locator("summary").click()
    return page.locator('[data-testid="stCode"]').first.inner_text().strip()


def test_paper_preset_pin_move_and_share(page, app_url, browser, screenshots):
    page.set_viewport_size({"width": 1500, "height": 1400})
    page.goto(f"{app_url}/?preset=paper")
    wait_metric(page, RECON)
    page.get_by_text("Numbers above: ω = 8, δ = 0.70").wait_for()
    wait_idle(page)
    assert _preset(page) == "paper"
    assert slider_value(page, OMEGA) == "8" and float(slider_value(page, DELTA)) == pytest.approx(0.7)
    assert float(slider_value(page, RIDGE)) == 0.0 and "none" in _centring(page)
    assert _deltas(page) == {}  # nothing pinned yet

    page.get_by_role("button", name="Pin this setting").click()
    page.wait_for_url("**pin=**")
    page.get_by_text("Pinned A").wait_for()
    wait_idle(page)
    nudge_slider(page, OMEGA, "ArrowLeft")  # ω 8 -> 7: a change of one control
    page.wait_for_url(re.compile(r".*omega=7.*"))
    page.get_by_text("Numbers above: ω = 7, δ = 0.70").wait_for()
    wait_idle(page)
    query = parse_qs(urlparse(page.url).query)
    assert query["preset"] == ["custom"] and query["omega"] == ["7"] and "pin" in query
    assert _preset(page) == "custom"
    deltas = _deltas(page)
    assert len(deltas) >= 8 and all(d.endswith("vs A") for d in deltas.values()), deltas
    assert any(d != "±0 vs A" for d in deltas.values()), deltas  # ω 7 against ω 8: something moved
    screenshot(page, screenshots / "presets_pin.png")

    link = _link(page)
    assert "pin=" in link and "preset=custom" in link
    other = browser.new_context(viewport={"width": 1500, "height": 1000}).new_page()
    try:
        other.set_default_timeout(60_000)
        other.goto(link)
        wait_metric(other, RECON)
        other.get_by_text("Numbers above: ω = 7, δ = 0.70").wait_for()
        other.get_by_text("Pinned A").wait_for()
        wait_idle(other)
        assert _deltas(other) | {"fit + evaluate": ""} == deltas | {"fit + evaluate": ""}
        assert exception_texts(other) == []
    finally:
        other.context.close()

    page.get_by_role("button", name="unpin").click()
    page.get_by_role("button", name="Pin this setting").wait_for()
    wait_idle(page)
    assert "pin=" not in page.url and _deltas(page) == {}
    assert exception_texts(page) == []


def test_choosing_a_preset_moves_the_controls(page, app_url):
    page.goto(f"{app_url}/method?omega=3")
    wait_metric(page, RECON)
    wait_idle(page)
    assert _preset(page) == "custom"
    page.locator('[data-testid="stRadio"]').filter(has_text="method preset").get_by_text("paper", exact=True).click()
    page.wait_for_url("**preset=paper**")
    wait_idle(page)
    assert slider_value(page, OMEGA) == "8" and float(slider_value(page, DELTA)) == pytest.approx(0.7)
    assert "none" in _centring(page)
    page.locator('[data-testid="stRadio"]').filter(has_text="method preset").get_by_text("defaults",
                                                                                       exact=True).click()
    wait_idle(page)
    assert slider_value(page, OMEGA) == "1" and float(slider_value(page, DELTA)) == 0.0
    assert "preset=" not in page.url and "omega=" not in page.url  # the defaults: a clean address
