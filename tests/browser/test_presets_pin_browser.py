"""Presets and pin-and-compare in a real browser: ``?preset=paper`` sets the controls, a pinned
setting puts its differences on every tile, and the copied link shows the comparison elsewhere."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest

from bench.browser import (
    button,
    exception_texts,
    key,
    nudge_slider,
    open_exports,
    screenshot,
    selectbox_text,
    share_link,
    slider_value,
    tile_deltas,
    wait_idle,
    wait_setting,
    wait_tile,
)
from dashboard.state.presets import OPTIONS
from dashboard.views.translate import SECONDS

RADIO_OPTION = '[role="radiogroup"] label'


def _preset(page) -> str:
    """The preset radio's checked option (its value, as the URL holds it)."""
    checked = page.locator(f"{key('preset')} {RADIO_OPTION}").evaluate_all(
        "ls => ls.map(l => !!l.querySelector('input:checked'))")
    return OPTIONS[checked.index(True)]


def _choose_preset(page, name: str) -> None:
    page.locator(f"{key('preset')} {RADIO_OPTION}").nth(OPTIONS.index(name)).click()


def _pinned(page):
    """Shown once A is pinned: its re-pin button."""
    return page.locator(key("repin_button"))


def test_paper_preset_pin_move_and_share(page, app_url, browser, screenshots):
    page.set_viewport_size({"width": 1500, "height": 1400})
    page.goto(f"{app_url}/?preset=paper")
    wait_tile(page, "recon")
    wait_setting(page, 8, 0.7)
    wait_idle(page)
    assert _preset(page) == "paper"
    assert slider_value(page, "omega") == "8" and float(slider_value(page, "delta")) == pytest.approx(0.7)
    assert float(slider_value(page, "ridge")) == 0.0 and "none" in selectbox_text(page, "center")
    assert tile_deltas(page) == {}  # nothing pinned yet

    button(page, "pin_button").click()
    page.wait_for_url("**pin=**")
    _pinned(page).wait_for()
    wait_idle(page)
    nudge_slider(page, "omega", "ArrowLeft")  # ω 8 -> 7: a change of one control
    page.wait_for_url(re.compile(r".*omega=7.*"))
    wait_setting(page, 7, 0.7)
    wait_idle(page)
    query = parse_qs(urlparse(page.url).query)
    assert query["preset"] == ["custom"] and query["omega"] == ["7"] and "pin" in query
    assert _preset(page) == "custom"
    deltas = tile_deltas(page)
    assert len(deltas) >= 8 and all(d.endswith("vs A") for d in deltas.values()), deltas
    assert any(d != "±0 vs A" for d in deltas.values()), deltas  # ω 7 against ω 8: something moved
    screenshot(page, screenshots / "presets_pin.png")

    open_exports(page)
    link = share_link(page)
    assert "pin=" in link and "preset=custom" in link
    other = browser.new_context(viewport={"width": 1500, "height": 1000}).new_page()
    try:
        other.set_default_timeout(60_000)
        other.goto(link)
        wait_tile(other, "recon")
        wait_setting(other, 7, 0.7)
        _pinned(other).wait_for()
        wait_idle(other)
        assert tile_deltas(other) | {SECONDS: ""} == deltas | {SECONDS: ""}
        assert exception_texts(other) == []
    finally:
        other.context.close()

    button(page, "unpin_button").click()
    page.locator(key("pin_button")).wait_for()
    wait_idle(page)
    assert "pin=" not in page.url and tile_deltas(page) == {}
    assert exception_texts(page) == []


def test_choosing_a_preset_moves_the_controls(page, app_url):
    page.goto(f"{app_url}/method?omega=3")
    page.locator(f'{key("headline")} [data-testid="stMetric"]').first.wait_for()
    wait_idle(page)
    assert _preset(page) == "custom"
    _choose_preset(page, "paper")
    page.wait_for_url("**preset=paper**")
    wait_idle(page)
    assert slider_value(page, "omega") == "8" and float(slider_value(page, "delta")) == pytest.approx(0.7)
    assert "none" in selectbox_text(page, "center")
    _choose_preset(page, "defaults")
    wait_idle(page)
    assert slider_value(page, "omega") == "1" and float(slider_value(page, "delta")) == 0.0
    assert "preset=" not in page.url and "omega=" not in page.url  # the defaults: a clean address
