"""The Translate page's details tab: the cosine histogram, the per-subspace charts, the confusion
matrix and the norms, with a pinned setting A over or beside them."""

from __future__ import annotations

import streamlit as st

from dashboard.state import caches, pin
from dashboard.views.settings import Settings


def draw(s: Settings, pinned: Settings | None) -> None:
    """The four figures of ``s``; with ``pinned`` (A, whose numbers exist) A's are drawn with them."""
    figs = caches.cached_small_figures(s)
    if pinned is not None:
        figs = {**figs, **pin.compare_figures(s, pinned)}
    a, b = st.columns(2)
    a.plotly_chart(figs["recon_hist"], key="recon_hist", width="stretch")
    b.plotly_chart(figs["kept_cond"], key="kept_cond", width="stretch")
    a, b = st.columns(2)
    if "confusion" in figs:
        a.plotly_chart(figs["confusion"], key="confusion", width="stretch")
    else:
        a.info("No classifier head for this target: no confusion matrix.")
    b.plotly_chart(figs["norms"], key="norms", width="stretch")
