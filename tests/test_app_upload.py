"""AppTest of the Upload page: real files through st.file_uploader, then the other pages on the upload.

An upload lives in one session only: a second AppTest (a second browser session) must not see it,
even when it is handed the first session's URL.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import defaults
from dashboard.state import session
from irp_core.cache import list_datasets, load_dataset

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")
TIMEOUT = 240
N_ITEMS = 400
SRC, TGT = "resnet10t_128", "resnet18_256"


def npy(arr) -> bytes:
    buf = io.BytesIO()
    np.save(buf, arr)
    return buf.getvalue()


def upload_files() -> list[tuple[str, bytes, str]]:
    """The first 400 MNIST items of two shipped spaces, as .npy files, and their labels."""
    ds = load_dataset("mnist")
    a, b = ds.space(SRC), ds.space(TGT)
    return [(f"{SRC}.npy", npy(np.vstack([a.anchors, a.test])[:N_ITEMS]), "application/octet-stream"),
            (f"{TGT}.npy", npy(np.vstack([b.anchors, b.test])[:N_ITEMS]), "application/octet-stream"),
            ("labels.npy", npy(np.concatenate([a.anchor_labels, a.test_labels])[:N_ITEMS]), "application/octet-stream")]


class Payload:
    """Unpickling this creates ``path``."""

    def __init__(self, path: str):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


def clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def upload(files, layout: str = "pca") -> AppTest:
    """A session on the Upload page that uploads ``files`` and presses Build."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.switch_page("app_pages/upload.py")
    at.run()
    at.file_uploader(key="upload_files").set_value(files)
    at.selectbox(key="upload_layout").set_value(layout)
    at.run()
    at.button(key="upload_build").click().run()
    return at


@pytest.fixture(scope="module")
def uploaded() -> AppTest:
    at = upload(upload_files())
    clean(at)
    return at


def upload_name(at: AppTest) -> str:
    names = [n for n in at.sidebar.selectbox(key="dataset").options if n.startswith("upload:")]
    assert len(names) == 1, names
    return names[0]


def test_upload_is_selected_and_translate_shows_numbers(uploaded):
    at = uploaded
    name = upload_name(at)
    assert at.sidebar.selectbox(key="dataset").value == name
    assert at.sidebar.selectbox(key="source").value == SRC
    assert at.sidebar.selectbox(key="target").value == TGT
    assert any(f"Built **{name}**" in s.value for s in at.success)
    assert at.query_params["dataset"] == name  # the URL carries it (useless to any other session)
    at.switch_page("app_pages/translate.py")
    at.run()
    clean(at)
    m = {x.label: x.value for x in at.metric}
    assert 0.3 < float(m["reconstruction similarity"]) <= 1.0
    assert 0.5 < float(m["zero-shot accuracy"]) <= 1.0  # heads trained on the upload's anchors
    assert float(m["non-stitch"]) > 0.8
    # the results sit in this session's own cache, not only in Streamlit's shared ones
    assert name in at.session_state[session.UPLOAD_CACHE_KEY]


@pytest.mark.parametrize("page", ["all_pairs", "sensitivity", "scale"])
def test_other_pages_work_on_the_upload(uploaded, page):
    at = uploaded
    name = upload_name(at)
    at.switch_page(f"app_pages/{page}.py")
    at.run()
    clean(at)
    assert at.sidebar.selectbox(key="dataset").value == name
    assert len(at.metric) >= 4
    zero_shot = [m.value for m in at.metric if m.label.startswith("zero-shot")]  # the upload has labels
    assert zero_shot and all(v not in ("", "n/a") for v in zero_shot), zero_shot


def test_a_second_session_does_not_see_the_upload(uploaded):
    name = upload_name(uploaded)
    other = AppTest.from_file(APP, default_timeout=TIMEOUT)
    other.query_params["dataset"] = name  # even with the first session's URL
    other.switch_page("app_pages/upload.py")
    other.run()
    clean(other)
    box = other.sidebar.selectbox(key="dataset")
    assert box.options == list_datasets() and box.value == defaults.DATASET
    assert session.UPLOADS_KEY not in other.session_state or not other.session_state[session.UPLOADS_KEY]
    assert not any("upload:" in md.value for md in other.markdown)


def test_a_bad_file_shows_a_specific_error_and_no_traceback():
    files = upload_files()
    bad = np.load(io.BytesIO(files[0][1])).copy()
    bad[7, 3] = np.nan
    at = upload([(files[0][0], npy(bad), files[0][2]), files[1]])
    assert not at.exception
    (error,) = [e.value for e in at.error]  # one error: the file, what is wrong, and where
    assert all(fact in error for fact in (f"{SRC}.npy", "not finite", "row 7, column 3")), error
    assert at.sidebar.selectbox(key="dataset").value == defaults.DATASET


def test_a_pickle_upload_is_refused_on_the_page(tmp_path):
    marker = tmp_path / "ran"
    payload = npy(np.array([Payload(str(marker))], dtype=object))
    at = upload([("evil.npy", payload, "application/octet-stream"), upload_files()[1]])
    assert not at.exception
    assert len(at.error) == 1 and "evil.npy: holds Python objects" in at.error[0].value
    assert not marker.exists()


def test_remove_upload_goes_back_to_shipped_data():
    at = upload(upload_files())
    name = upload_name(at)
    at.switch_page("app_pages/translate.py")
    at.run()
    assert name in at.session_state[session.UPLOAD_CACHE_KEY]
    at.switch_page("app_pages/upload.py")
    at.run()
    at.button(key=f"remove_{name}").click().run()
    clean(at)
    box = at.sidebar.selectbox(key="dataset")
    assert box.value == defaults.DATASET and name not in box.options
    assert name not in at.session_state[session.UPLOADS_KEY]
    assert name not in at.session_state[session.UPLOAD_CACHE_KEY]
