"""The Upload page in a real browser: files through the real uploader, then Translate on the upload.

AppTest (``tests/test_app_upload.py``) covers the page's logic; this covers what only a browser
has: Streamlit's upload endpoint, and a second browser session that must not see the first's data.
"""

from __future__ import annotations

import io

import numpy as np
from browser_helpers import exception_texts, wait_idle, wait_metric

from dashboard import defaults as D
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
    page.get_by_text("Upload two or more spaces").wait_for()
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(files)
    for f in files:
        page.get_by_text(f["name"]).first.wait_for()
    page.locator('[data-testid="stSelectbox"]').filter(has_text="2-D layout").click()
    page.get_by_role("option", name="PCA (fast)").click()
    wait_idle(page)
    page.get_by_role("button", name="Build dataset").click()


def test_upload_then_translate_and_a_second_session_does_not_see_it(page, browser, app_url):
    _upload(page, app_url, _files())
    page.get_by_text("and selected it in the sidebar").wait_for(timeout=120_000)
    name = page.locator("strong", has_text="upload:").first.inner_text().strip()
    assert name.startswith("upload:")
    # in-app navigation keeps the session (a fresh page load would start a new one)
    page.locator('[data-testid="stSidebarNav"]').get_by_text("Translate").click()
    recon = wait_metric(page, "reconstruction similarity", timeout=120)
    assert 0.3 < float(recon) <= 1.0
    assert 0.5 < float(wait_metric(page, "zero-shot accuracy")) <= 1.0
    assert page.get_by_text(f"Upload: {SRC}").count() >= 1  # the page's caption names the upload
    assert "dataset=upload" in page.url
    wait_idle(page)
    assert exception_texts(page) == []

    other = browser.new_context(viewport={"width": 1500, "height": 1000})
    try:
        second = other.new_page()
        second.set_default_timeout(60_000)
        second.goto(f"{app_url}/?dataset={name}")  # the first session's URL
        wait_metric(second, "reconstruction similarity", timeout=120)
        assert second.get_by_text(load_dataset(D.DATASET).title).count() >= 1  # the default dataset
        assert second.get_by_text("Upload:").count() == 0
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
