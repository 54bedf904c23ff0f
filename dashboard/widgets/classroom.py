"""What classroom mode draws: larger type and a collapsed sidebar for a projector, and the Method
page's step-through, its step in the URL (``?step=ridge``). Whether the mode is on is
:mod:`dashboard.state.classroom`.
"""

from __future__ import annotations

import streamlit as st

from dashboard.state import caches
from dashboard.views import classroom as classroom_view
from dashboard.views import layouts as layouts_view
from dashboard.views import spectrum as spectrum_view
from dashboard.views import translate as translate_view
from dashboard.views.common import fmt
from dashboard.views.settings import Settings

STEP = "step"  # the step picker's key and query parameter
# Streamlit sizes its text in rem: a larger root font scales the page; the metrics a bit more.
CSS = """<style>
html { font-size: 21px; }
[data-testid="stMetricValue"] { font-size: 2.4rem; }
</style>"""


def style() -> None:
    st.html(CSS)


def _move(by: int) -> None:
    keys = list(classroom_view.STEPS)
    here = keys.index(st.session_state.get(STEP, keys[0]))
    st.session_state[STEP] = keys[max(0, min(len(keys) - 1, here + by))]


def step_through(s: Settings, ds) -> None:
    """Previous / next and the step picker (bound to the URL), then the step's words and live plot."""
    keys = list(classroom_view.STEPS)
    left, mid, right = st.columns([1, 8, 1], vertical_alignment="center")
    # the options are the keys, not formatted labels: the URL keeps what the picker shows (?step=ridge)
    step = mid.radio("step", keys, key=STEP, bind="query-params", horizontal=True, label_visibility="collapsed")
    left.button("◀ previous", key="step_prev", on_click=_move, args=(-1,), width="stretch",
                disabled=step == keys[0])
    right.button("next ▶", key="step_next", on_click=_move, args=(1,), width="stretch",
                 disabled=step == keys[-1])
    title, words = classroom_view.STEPS[step]
    st.subheader(f"Step {keys.index(step) + 1} of {len(keys)}: {title}")
    st.markdown(words)
    try:
        _step_plot(step, s, ds)
    except Exception as exc:  # noqa: BLE001 - the core's message, never a traceback
        st.warning(f"no picture for this step at these settings: {exc}")


def _step_plot(step: str, s: Settings, ds) -> None:
    key = f"step_{step}"
    if step in ("encode", "bridge"):
        rx, ry = classroom_view.relative_rows(ds, s)
        fig = (
            classroom_view.encode_figure(rx, s.source)
            if step == "encode"
            else classroom_view.bridge_figure(rx, ry, s.source, s.target)[0]
        )
    elif step in ("pruning", "subspaces", "ridge"):
        p = caches.cached_pair_spectrum(s)
        if step == "pruning":
            fig = spectrum_view.delta_curve_figure(caches.cached_curve(caches.curve_key(s), round(s.delta, 4)), s)
        else:
            fig = spectrum_view.subsets_figure(p) if step == "subspaces" else spectrum_view.spectrum_figure(p)
        if step == "ridge":
            st.caption(spectrum_view.damped_caption(p))
    else:
        t = caches.cached_translation(s)
        if step == "decode":
            fig = layouts_view.layout_figures(caches.cached_panel(s), ds.classes, s.source, s.target)[1]
        elif step == "rescale":
            fig = caches.cached_small_figures(s)["norms"]
        elif t.confusion is None:
            st.info("No classifier head for this target: nothing to stitch.")
            return
        else:
            st.metric("zero-shot accuracy", fmt(t.metrics.get("zero_shot")))
            fig = translate_view.confusion_figure(t.confusion, ds.classes)
    st.plotly_chart(fig, key=key, width="stretch")
