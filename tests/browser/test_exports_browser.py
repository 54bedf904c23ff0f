"""Export and sharing in a real browser: the .npz download, and the link that restores a view."""

from __future__ import annotations

import numpy as np
import pytest
from browser_helpers import download as browser_download
from browser_helpers import exception_texts, nudge_slider, slider_value, wait_idle, wait_metric

from dashboard import defaults as D

OMEGA = "ω: anchor subspaces"
DELTA = "δ: pruning threshold"
RECON = "reconstruction similarity"


def _open_exports(page) -> None:
    page.locator('[data-testid="stExpander"]').filter(has_text="export and share").locator(
        "summary").click()


def _link(page) -> str:
    return page.locator('[data-testid="stCode"]').first.inner_text().strip()


def test_npz_download_loads_with_the_settings(page, app_url, tmp_path):
    page.goto(f"{app_url}/?omega=5&delta=0.6")
    wait_metric(page, RECON)
    page.get_by_text("Numbers above: ω = 5, δ = 0.60").wait_for()
    wait_idle(page)
    _open_exports(page)
    button = page.locator('[data-testid="stDownloadButton"]').filter(has_text="translated test embeddings")
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
    wait_metric(page, RECON)
    nudge_slider(page, OMEGA)  # a change made in the page, not in the URL it was opened with
    moved = D.OMEGA + 1
    page.wait_for_url(f"**omega={moved}**")
    page.get_by_text(f"Numbers above: ω = {moved}, δ = 0.60").wait_for()
    wait_idle(page)
    _open_exports(page)
    link = _link(page)
    assert link.startswith(app_url) and f"omega={moved}" in link and "delta=0.6" in link
    other = browser.new_context(viewport={"width": 1500, "height": 1000}).new_page()
    try:
        other.set_default_timeout(60_000)
        other.goto(link)
        wait_metric(other, RECON)
        assert slider_value(other, OMEGA) == str(moved)
        assert float(slider_value(other, DELTA)) == pytest.approx(0.6)
        other.get_by_text(f"Numbers above: ω = {moved}, δ = 0.60").wait_for()
    finally:
        other.context.close()


def test_figures_download_draws_offline(page, app_url, browser, tmp_path):
    page.goto(f"{app_url}/")
    wait_metric(page, RECON)
    wait_idle(page)
    _open_exports(page)
    button = page.locator('[data-testid="stDownloadButton"]').filter(has_text="figures (.html)")
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
