"""Pin and compare: the pinned setting A, kept in the URL (``pin=``) and this session.

A lives in the ``pin`` query parameter (so a shared link shows the comparison) and in this
session's state (so a page switch, which drops unbound query parameters, keeps it). A's numbers
come from the same cached functions as the current setting's, so once computed it costs a lookup.
The sidebar's buttons that pin and unpin are :mod:`dashboard.widgets.pin_controls`.
"""

from __future__ import annotations

import streamlit as st

from dashboard.state import caches
from dashboard.state.session import get_dataset
from dashboard.views import compare as compare_view
from dashboard.views.settings import BY_REPR, Settings

KEY = "pin"  # the query parameter
STORE = "_irp_pin"  # A's encoded form, kept across page switches
ERROR = "_irp_pin_error"  # why the URL's pin was refused, shown once


def pin_setting(s: Settings) -> None:
    """Keep ``s`` as A (``on_click`` of the pin buttons)."""
    text = compare_view.encode(s)
    st.session_state[STORE] = text
    st.query_params[KEY] = text


def unpin() -> None:
    """Drop A (``on_click`` of the unpin button)."""
    st.session_state.pop(STORE, None)
    if KEY in st.query_params:
        del st.query_params[KEY]


def pinned() -> Settings | None:
    """A, from the URL (a shared link) or this session; None when nothing valid is pinned."""
    text = st.query_params.get(KEY)
    if text is None:
        text = st.session_state.get(STORE)
        if text is None:
            return None
        st.query_params[KEY] = text  # a page switch dropped it: put it back for the share link
    try:
        a = compare_view.decode(text)
    except ValueError as exc:
        st.session_state[ERROR] = f"The pinned setting in this link is not valid, so it was dropped: {exc}."
        unpin()
        return None
    st.session_state[STORE] = text
    return a


def current(s: Settings) -> Settings | None:
    """A for the pages: the pinned setting on ``s``'s dataset, else None."""
    a = pinned()
    return a if a is not None and a.dataset == s.dataset else None


def metrics(a: Settings | None, full: bool = False) -> dict | None:
    """A's numbers: the light ones (tables first, else cached live), or ``full`` those of its cached
    translation (retrieval, non-stitch, …, as the Translate tiles); None when unpinned or A fails."""
    if a is None:
        return None
    return guarded(lambda: caches.cached_translation(a).metrics if full else caches.cached_metrics(a))


def guarded(fn, *args):
    """``fn(*args)`` for A's numbers, or None if A fails there: the page must not fail on A's account."""
    try:
        return fn(*args)
    except Exception:  # noqa: BLE001
        return None


@caches.session_cached(st.cache_resource(hash_funcs=BY_REPR, max_entries=16, show_spinner=False), max_entries=8)
def compare_figures(s: Settings, a: Settings) -> dict:
    """The Translate details figures with A beside or over them, built once per (now, A)."""
    return compare_view.compare_figures(get_dataset(s.dataset), caches.cached_translation(s),
                               caches.cached_translation(a))
