"""Scale: norm distributions per encoder, and head accuracy vs input rescaling α."""

from __future__ import annotations

import streamlit as st

from dashboard import exports
from dashboard.state import caches, pin, session
from dashboard.views import compare as compare_view
from dashboard.views import scale as scale_view
from dashboard.views.common import fmt
from dashboard.views.edges import edge_notes, target_dim
from dashboard.widgets import share

st.title("Scale")
s = session.require_settings()
ds = session.require_dataset(s.dataset)
try:
    t = caches.cached_translation(s)
    fits = caches.cached_norm_fits(s.dataset)
    curves = caches.cached_alpha_curves(s)
except Exception as exc:  # noqa: BLE001
    st.error(f"could not measure scales: {exc}")
    st.stop()
m = t.metrics
share.notes(edge_notes(s, m, target_dim(ds, s.target), t.extras.get("warnings", [])))
tgt_mean = m["norm_target"]["mean"]
tr_mean = m["norm_translated"]["mean"]
ratio = tr_mean / tgt_mean if tgt_mean else float("nan")
now = {"target": tgt_mean, "translated": tr_mean, "ratio": ratio, "zero_shot": m.get("zero_shot")}
ma = pin.metrics(pin.current(s), full=True)  # A, when pinned: each number shows its difference
at_a = None if ma is None else {"target": ma["norm_target"]["mean"], "translated": ma["norm_translated"]["mean"],
                                "ratio": ma["norm_translated"]["mean"] / (ma["norm_target"]["mean"] or float("nan")),
                                "zero_shot": ma.get("zero_shot")}
c = st.container(key="headline").columns(4)  # the page's numbers
c[0].metric(f"target mean norm ({s.target})", fmt(tgt_mean), **compare_view.delta("target", now, at_a, "off"))
c[1].metric("translated mean norm", fmt(tr_mean), **compare_view.delta("translated", now, at_a, "off"))
c[2].metric("translated / target scale", fmt(ratio), **compare_view.delta("ratio", now, at_a, "off"))
c[3].metric("zero-shot accuracy", fmt(m.get("zero_shot")), **compare_view.delta("zero_shot", now, at_a))
st.plotly_chart(scale_view.norm_fits_figure(fits), key="norm_fits", width="stretch")
st.dataframe(scale_view.norm_rows(fits), hide_index=True, width="stretch")
st.subheader(f"Head accuracy vs input rescaling α ({s.target})")
marks = {"data's mean scale (α = 1)": 1.0, "IRP output scale": ratio}
st.plotly_chart(scale_view.alpha_figure(curves, marks), key="alpha", width="stretch")
st.caption("Inputs are multiplied by α before the target's heads (heads never normalise inputs). "
           "IRP rescales its output to the target anchors' mean norm; the dashed line at α = 1 is "
           "the data's own mean scale. Dotted curves: the IRP translation rescaled by α.")

stem = exports.file_stem(s.as_dict())
with share.export_panel(2) as c:
    with c[0]:
        share.translation_download(ds, t, stem)
    with c[1]:
        share.figures_button(lambda: {"norm distributions": scale_view.norm_fits_figure(fits),
                                         "head accuracy vs input scale": scale_view.alpha_figure(curves, marks)},
                                f"IRP Explorer: scales, {s.source} → {s.target}", stem + "_figures.html",
                                "dl_figures")
