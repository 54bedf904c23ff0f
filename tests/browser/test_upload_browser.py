"""The Upload page in a real browser: files through the real uploader, then Translate on the upload.

AppTest (``tests/test_app_upload.py``) covers the page's logic; this covers what only a browser
has: Streamlit's upload endpoint, and a second browser session that must not see the first's data.
"""

from __future__ import annotations

import io

import numpy as np

from bench.browser import button, exception_texts, key, nav_link, selectbox_text, wait_idle, wait_tile
from dashboard import defaults
from dashboard.uploads import LAYOUTS
from irp_core.cache import load_dataset

SRC, TGT = "resnet10t_128", "resnet18_256"
N_ITEMS = 400


def _npy(arr) -> bytes:
    buf = io.BytesIO()
    np.save(buf, arr)
    return buf.getvalue()


def _files(nan: bool = False) -> list[dict]:
    ds = load_dataset("mnist")
    a, b = ds.space(SRC), ds.space(TGT)
    xa = np.vstack([a.anchors, a.test])[:N_ITEMS].copy()
    if nan:
        xa[7, 3] = np.nan
    arrays = {f"{SRC}.npy": xa, f"{TGT}.npy": np.vstack([b.anchors, b.test])[:N_ITEMS],
              "labels.npy": np.concatenate([a.anchor_labels, a.test_labels])[:N_ITEMS]}
    return [{"name": n, "mimeType": "application/octet-stream", "buffer": _npy(x)} for n, x in arrays.items()]


def _upload(page, app_url, files) -> None:
    page.goto(f"{app_url}/upload")
    uploader = page.locator(key("upload_files"))
    uploader.wait_for()
    uploader.locator('input[type="file"]').set_input_files(files)
    for f in files:
        uploader.get_by_text(f["name"]).first.wait_for()  # the uploader lists each file by its name
    page.locator(key("upload_layout")).get_by_role("combobox").click()
    page.locator('[role="listbox"] [role="option"]').nth(list(LAYOUTS).index("pca")).click()
    wait_idle(page)
    button(page, "upload_build").click()


def test_upload_then_translate_and_a_second_session_does_not_see_it(page, browser, app_url):
    _upload(page, app_url, _files())
    flash = page.locator(key("upload_flash"))
    flash.wait_for(timeout=120_000)
    name = flash.locator("strong").first.inner_text().strip()
    assert name.startswith("upload:")
    # in-app navigation keeps the session (a fresh page load would start a new one)
    nav_link(page, "translate").click()
    recon = wait_tile(page, "recon", timeout=120)
    assert 0.3 < float(recon) <= 1.0
    assert 0.5 < float(wait_tile(page, "zero_shot")) <= 1.0
    assert name in selectbox_text(page, "dataset")  # the page runs on the upload
    assert "dataset=upload" in page.url
    wait_idle(page)
    assert exception_texts(page) == []

    other = browser.new_context(viewport={"width": 1500, "height": 1000})
    try:
        second = other.new_page()
        second.set_default_timeout(60_000)
        second.goto(f"{app_url}/?dataset={name}")  # the first session's URL
        wait_tile(second, "recon", timeout=120)
        assert defaults.DATASET in selectbox_text(second, "dataset")  # the default dataset
        assert name not in second.locator("body").inner_text()  # nowhere on the page
        assert exception_texts(second) == []
    finally:
        other.close()


def test_a_bad_upload_shows_its_error_in_the_browser(page, app_url):
    _upload(page, app_url, _files(nan=True))
    alert = page.locator('[data-testid="stAlertContentError"]')
    alert.first.wait_for(timeout=120_000)
    error = alert.first.inner_text()  # the file, what is wrong, and where
    assert all(fact in error for fact in (f"{SRC}.npy", "not finite", "row 7, column 3")), error
    assert exception_texts(page) == []
