"""Classroom mode (``?classroom=1``): whether it is on for this session.

The flag is read from the URL once and kept for the session, and written back to the URL on every
run: a page switch drops query parameters that no widget owns, and a shared link must keep it.
What the mode draws (larger type, the Method page's step-through) is :mod:`dashboard.widgets.classroom`.
"""

from __future__ import annotations

import streamlit as st

FLAG, STATE = "classroom", "_classroom"
ON = ("1", "true", "on", "yes")


def active() -> bool:
    """Whether classroom mode is on: ``?classroom=1`` turns it on for the session, ``=0`` off."""
    raw = st.query_params.get(FLAG)
    if raw is not None:
        st.session_state[STATE] = str(raw).strip().lower() in ON
    on = bool(st.session_state.get(STATE, False))
    if on and raw != "1":
        st.query_params[FLAG] = "1"
    elif not on and raw is not None:
        del st.query_params[FLAG]
    return on
