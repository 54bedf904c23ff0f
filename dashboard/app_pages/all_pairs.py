"""All pairs: every ordered (encoder, decoder) pair of the dataset at the current settings."""

from __future__ import annotations

import streamlit as st

from dashboard import state
from dashboard import views as V

st.title("All pairs")
s = state.require_settings()
ds = state.require_dataset(s.dataset)
n = len(ds.encoders)
st.caption(f"{getattr(ds, 'title', s.dataset)}: {n} encoders, {n * n} ordered pairs at "
           f"ω = {s.omega}, δ = {s.delta:.2f} (diagonal: intra-space, X = Y).")
bar, update = state.progress_callback("Translating every pair…")
try:
    res = V.all_pairs(ds, s, progress=update, metrics_fn=state.metrics_fn)
except Exception as exc:  # noqa: BLE001
    bar.empty()
    st.error(f"could not compute the pairs: {exc}")
    st.stop()
bar.empty()
for msg in res["errors"]:
    st.warning(msg)
table = V.paper_table(ds, res, s)
c = st.columns(4)
c[0].metric("zero-shot (mean ± std over pairs)", table[0]["zero-shot"])
c[1].metric("reconstruction similarity", table[0]["recon. similarity"])
c[2].metric("non-stitch", table[0]["non-stitch"])
c[3].metric("pairs available", table[0]["pairs available"])
st.subheader("Paper-style table")
st.dataframe(table, hide_index=True, width="stretch")
a, b = st.columns(2)
a.plotly_chart(V.pair_matrix_figure(res["recon"], res["encoders"], "reconstruction similarity"),
               key="pairs_recon", width="stretch")
b.plotly_chart(V.pair_matrix_figure(res["zero_shot"], res["encoders"], "zero-shot accuracy"),
               key="pairs_acc", width="stretch")
st.caption("Rows: encoder (source). Columns: decoder (target space and its classifier head). "
           "Absolute needs equal dimensions; pairs whose dims differ count as n/a.")
