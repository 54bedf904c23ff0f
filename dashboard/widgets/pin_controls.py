"""The sidebar's pin controls: "Pin this setting", then how A differs from now, re-pin and unpin.

A itself (the URL's ``pin=``, this session's copy, its numbers) is :mod:`dashboard.state.pin`.
"""

from __future__ import annotations

import streamlit as st

from dashboard.state import pin
from dashboard.views import compare as compare_view
from dashboard.views.settings import Settings


def draw(sb, s: Settings) -> Settings | None:
    """The sidebar's pin controls under the settings; returns A when it is on ``s``'s dataset."""
    a = pin.pinned()
    err = st.session_state.pop(pin.ERROR, None)
    if err:
        sb.warning(err)
    if a is None:
        sb.button("Pin this setting", key="pin_button", icon=":material/push_pin:", on_click=pin.pin_setting,
                  args=(s,), help="keep this setting as A: every number then shows its difference to A, and "
                       "the figures show A beside or over the current ones; the link keeps it")
        return None
    sb.markdown(f"**Pinned A** (where it differs from now): {compare_view.differences(a, s)}")
    left, right = sb.columns(2)
    left.button("re-pin", key="repin_button", on_click=pin.pin_setting, args=(s,),
                help="pin the current setting as A")
    right.button("unpin", key="unpin_button", on_click=pin.unpin)
    if a.dataset != s.dataset:
        sb.caption(f"A is on dataset {a.dataset}: no comparison on {s.dataset}.")
        return None
    return a
