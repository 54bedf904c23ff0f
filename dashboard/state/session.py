"""This browser session: its datasets and the settings of this run.

Shipped datasets are loaded once per server and shared (their arrays are read-only). Uploaded
datasets (names ``upload:…``) live in ``st.session_state`` only, so no other session sees them,
and go with the session, the page's "remove upload" button, or the next upload past the limit.
"""

from __future__ import annotations

import streamlit as st

from dashboard import defaults
from dashboard import uploads as uploads_module
from dashboard.views.settings import Settings

SETTINGS_KEY = "_irp_settings"
UPLOADS_KEY = "_irp_uploads"  # name -> uploads.UploadedDataset: this session's uploads only
UPLOAD_CACHE_KEY = "_irp_upload_cache"  # name -> function -> bounded LRU of results (caches.session_cached)
PENDING_KEY = "_irp_pending_dataset"  # a dataset for the sidebar to select on its next draw


@st.cache_resource(show_spinner="Loading the embedding cache…")
def _shipped_dataset(name: str):
    """A shipped dataset, shared by all sessions (its arrays are read-only)."""
    from irp_core.cache import load_dataset

    return load_dataset(name)


def session_uploads() -> dict:
    """This session's uploaded datasets: in st.session_state, so no other session sees them."""
    return st.session_state.setdefault(UPLOADS_KEY, {})


def get_dataset(name: str):
    """The dataset: an upload from this session's state, else the shared shipped one."""
    if uploads_module.is_upload_name(name):
        ds = session_uploads().get(name)
        if ds is None:
            raise uploads_module.UploadError(f"{name!r} is not uploaded in this session (uploads last as long as the "
                                "browser session): upload it again on the Upload page")
        return ds
    return _shipped_dataset(name)


@st.cache_data(show_spinner=False, ttl=600)
def _shipped_names() -> list[str]:
    from irp_core.cache import list_datasets

    return list(list_datasets())


def dataset_names() -> list[str]:
    return _shipped_names() + list(session_uploads())


def add_upload(ds) -> None:
    """Keep ``ds`` in this session (the oldest upload goes past the limit) and select it."""
    uploads = session_uploads()
    uploads[ds.name] = ds
    while len(uploads) > uploads_module.MAX_SESSION_UPLOADS:
        remove_upload(next(iter(uploads)))
    st.session_state[PENDING_KEY] = ds.name


def remove_upload(name: str) -> None:
    """Drop an upload and its cached results; the sidebar goes back to a shipped dataset."""
    session_uploads().pop(name, None)
    st.session_state.get(UPLOAD_CACHE_KEY, {}).pop(name, None)
    if st.session_state.get("dataset") == name:
        st.session_state[PENDING_KEY] = defaults.DATASET


def require_dataset(name: str):
    """The dataset; otherwise show the loader's message (never a traceback) and stop the page."""
    try:
        return get_dataset(name)
    except Exception as exc:  # noqa: BLE001
        st.error(f"Could not load dataset {name!r}: {exc}")
        st.stop()


def current() -> Settings | None:
    """The settings the sidebar produced in this run."""
    return st.session_state.get(SETTINGS_KEY)


def require_settings() -> Settings:
    """The settings; when the sidebar has none (no dataset loads), say so and stop the page."""
    s = current()
    if s is None:
        st.warning("No dataset is available yet: check the embedding cache.")
        st.stop()
    return s
