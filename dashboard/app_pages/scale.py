"""Scale: norm distributions per encoder, and head accuracy vs input rescaling α."""

from __future__ import annotations

from functools import partial

import streamlit as st

from dashboard import exports as X
from dashboard import share_ui, state
from dashboard import views as V


@state.session_cached(st.cache_data(max_entries=8, show_spinner="Measuring norms…"))
def _norm_fits(dataset: str) -> list[dict]:
    return V.norm_fits(state.get_dataset(dataset))


@state.session_cached(st.cache_data(max_entries=32, show_spinner="Rescaling inputs…"))
def _alpha(s: V.Settings) -> dict:
    ds = state.get_dataset(s.dataset)
    t = state.cached_translation(s)
    return V.alpha_curves(ds, s.target, extra={"IRP translated": t.pred})


st.title("Scale")
s = state.require_settings()
ds = state.require_dataset(s.dataset)
try:
    t = state.cached_translation(s)
    fits = _norm_fits(s.dataset)
    curves = _alpha(s)
except Exception as exc:  # noqa: BLE001
    st.error(f"could not measure scales: {exc}")
    st.stop()
m = t.metrics
share_ui.notes(V.edge_notes(s, m, V.target_dim(ds, s.target), t.extras.get("warnings", [])))
tgt_mean = m["norm_target"]["mean"]
tr_mean = m["norm_translated"]["mean"]
ratio = tr_mean / tgt_mean if tgt_mean else float("nan")
c = st.columns(4)
c[0].metric(f"target mean norm ({s.target})", V.fmt(tgt_mean))
c[1].metric("translated mean norm", V.fmt(tr_mean))
c[2].metric("translated / target scale", V.fmt(ratio))
c[3].metric("zero-shot accuracy", V.fmt(m["zero_shot"]))
st.plotly_chart(V.norm_fits_figure(fits), key="norm_fits", width="stretch")
st.dataframe([{"encoder": f["encoder"], "dim": f["dim"], "mean norm": round(f["mean"], 3),
               "std": round(f["std"], 3), "cv": round(f["std"] / f["mean"], 3) if f["mean"] else None}
              for f in fits], hide_index=True, width="stretch")
st.subheader(f"Head accuracy vs input rescaling α ({s.target})")
marks = {"data's mean scale (α = 1)": 1.0, "IRP output scale": ratio}
st.plotly_chart(V.alpha_figure(curves, marks), key="alpha", width="stretch")
st.caption("Inputs are multiplied by α before the target's heads (heads never normalise inputs). "
           "IRP rescales its output to the target anchors' mean norm; the dashed line at α = 1 is "
           "the data's own mean scale. Dotted curves: the IRP translation rescaled by α.")

with st.expander("export and share"):
    share_ui.link_box()
    stem = X.file_stem(s.as_dict())
    c = st.columns(2)
    with c[0]:
        share_ui.download("translated test embeddings (.npz)", partial(V.translation_file, ds, t),
                          stem + ".npz", X.NPZ_MIME, "dl_npz")
    with c[1]:
        share_ui.figures_button(lambda: {"norm distributions": V.norm_fits_figure(fits),
                                         "head accuracy vs input scale": V.alpha_figure(curves, marks)},
                                f"IRP Explorer: scales, {s.source} → {s.target}", stem + "_figures.html",
                                "dl_figures")
