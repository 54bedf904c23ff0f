"""Export and sharing in a real browser: the .npz download, and the link that restores a view."""

from __future__ import annotations

import numpy as np
import pytest

from bench.browser import download as browser_download
from bench.browser import (
    exception_texts,
    key,
    nudge_slider,
    open_exports,
    share_link,
    slider_value,
    wait_idle,
    wait_setting,
    wait_tile,
)
from dashboard import defaults


def test_npz_download_loads_with_the_settings(page, app_url, tmp_path):
    page.goto(f"{app_url}/?omega=5&delta=0.6")
    wait_tile(page, "recon")
    wait_setting(page, 5, 0.6)
    wait_idle(page)
    open_exports(page)
    button = page.locator(key("dl_npz"))
    download = browser_download(page, button)
    assert download.suggested_filename.endswith("_w5_d0.60.npz")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    with np.load(path, allow_pickle=False) as f:
        assert f["translated"].shape == (2000, 1280) and np.isfinite(f["translated"]).all()
        assert f["test_ids"].shape == (2000,) and f["labels"].shape == (2000,)
        assert int(f["setting_omega"]) == 5 and float(f["setting_delta"]) == pytest.approx(0.6)
    assert exception_texts(page) == []


def test_copied_link_restores_the_moved_controls(page, app_url, browser):
    page.goto(f"{app_url}/?delta=0.6")
    wait_tile(page, "recon")
    nudge_slider(page, "omega")  # a change made in the page, not in the URL it was opened with
    moved = defaults.OMEGA + 1
    page.wait_for_url(f"**omega={moved}**")
    wait_setting(page, moved, 0.6)
    wait_idle(page)
    open_exports(page)
    link = share_link(page)
    assert link.startswith(app_url) and f"omega={moved}" in link and "delta=0.6" in link
    other = browser.new_context(viewport={"width": 1500, "height": 1000}).new_page()
    try:
        other.set_default_timeout(60_000)
        other.goto(link)
        wait_tile(other, "recon")
        assert slider_value(other, "omega") == str(moved)
        assert float(slider_value(other, "delta")) == pytest.approx(0.6)
        wait_setting(other, moved, 0.6)
    finally:
        other.context.close()


def test_figures_download_draws_offline(page, app_url, browser, tmp_path):
    page.goto(f"{app_url}/")
    wait_tile(page, "recon")
    wait_idle(page)
    open_exports(page)
    button = page.locator(key("dl_figures"))
    download = browser_download(page, button)
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    ctx = browser.new_context()
    requested = []
    ctx.route("http*://**", lambda route: (requested.append(route.request.url), route.abort()))
    try:
        offline = ctx.new_page()
        offline.goto(path.as_uri())
        offline.locator(".plot-container").nth(5).wait_for(timeout=60_000)  # six figures drawn
        assert offline.locator(".plot-container").count() == 6
        assert requested == []  # nothing was fetched
    finally:
        ctx.close()
