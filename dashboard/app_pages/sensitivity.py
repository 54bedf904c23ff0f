"""Sensitivity: ω x δ heatmaps for the selected pair, and recon vs accuracy across pairs."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from dashboard import defaults as D
from dashboard import exports as X
from dashboard import share_ui, state
from dashboard import views as V

st.title("Sensitivity")
s = state.require_settings()
ds = state.require_dataset(s.dataset)
st.caption(f"{getattr(ds, 'title', s.dataset)}: **{s.source}** → **{s.target}**; grid "
           f"ω ∈ {list(D.SWEEP_OMEGAS)}, δ ∈ {list(D.SWEEP_DELTAS)}; each cell is cached.")
try:
    here = state.cached_metrics(s)
except Exception as exc:  # noqa: BLE001
    st.error(f"IRP could not translate at these settings: {exc}")
    st.stop()
share_ui.notes(V.edge_notes(s, here, V.target_dim(ds, s.target)))
c = st.columns(4)
c[0].metric(f"recon. similarity at ω={s.omega}, δ={s.delta:.2f}", V.fmt(here["recon"]))
c[1].metric("zero-shot accuracy", V.fmt(here["zero_shot"]))
c[2].metric("cond. number (mean)", V.fmt(here["cond_mean"], 1))
c[3].metric("anchors kept (mean)", V.fmt(here["kept_mean"], 1))

bar, update = state.progress_callback("Sweeping ω × δ…")
grid = V.sensitivity_grid(ds, replace(s, omega=D.OMEGA, delta=D.DELTA), progress=update,
                          metrics_fn=state.metrics_fn)
bar.empty()
for msg in grid["errors"]:
    st.warning(msg)
st.plotly_chart(V.sensitivity_figure(grid), key="sens_grid", width="stretch")

st.subheader("Reconstruction similarity vs accuracy across pairs")
bar, update = state.progress_callback("Translating every pair…")
pairs = V.all_pairs(ds, s, progress=update, metrics_fn=state.metrics_fn)
bar.empty()
fig, r = V.recon_vs_acc_figure(pairs)
st.metric("Pearson r (recon. similarity, zero-shot accuracy)", V.fmt(r, 2))
st.plotly_chart(fig, key="sens_pairs", width="stretch")
st.caption("The paper reports r > 0.7 on its encoders: a translation that reconstructs the "
           "target well also stitches well.")

with st.expander("export and share"):
    share_ui.link_box()
    stem = X.file_stem(s.as_dict())
    c = st.columns(3)
    with c[0]:
        share_ui.download("ω × δ grid (.csv)", lambda: X.rows_csv(X.grid_rows(grid, s.as_dict())),
                          stem + "_grid.csv", X.CSV_MIME, "dl_grid",
                          help="this pair at every grid cell (the sidebar's ω and δ do not apply)")
    with c[1]:
        share_ui.download("every pair (.csv)", lambda: X.rows_csv(X.pairs_rows(pairs, s.as_dict())),
                          stem + "_pairs.csv", X.CSV_MIME, "dl_pairs")
    with c[2]:
        share_ui.figures_button(lambda: {"ω × δ grid": V.sensitivity_figure(grid),
                                         "recon. similarity vs accuracy": V.recon_vs_acc_figure(pairs)[0]},
                                f"IRP Explorer: sensitivity of {s.source} → {s.target}",
                                stem + "_figures.html", "dl_figures")
