"""All pairs: every ordered (encoder, decoder) pair of the dataset at the current settings."""

from __future__ import annotations

import itertools

import streamlit as st

from dashboard import exports
from dashboard.state import caches, pin, session, sweeps
from dashboard.views import compare as compare_view
from dashboard.views import pairs as pairs_view
from dashboard.views.edges import anchors_used, edge_notes, target_dim
from dashboard.widgets import share

st.title("All pairs")
s = session.require_settings()
ds = session.require_dataset(s.dataset)
n = len(ds.encoders)
st.caption(f"{ds.title}: {n} encoders, {n * n} ordered pairs at "
           f"ω = {s.omega}, δ = {s.delta:.2f} (diagonal: intra-space, X = Y).")
cells = [s.with_pair(src, tgt) for tgt in ds.encoders for src in ds.encoders]  # pairs_view.all_pairs' cells
labels = pairs_view.encoder_labels(ds, ds.encoders)  # marked with their modality where the dataset pairs two
centred = share.similarity_toggle()
recon_key, recon_title = (("recon_centred", "recon. similarity (centred)") if centred
                          else ("recon", "reconstruction similarity"))


def draw(res: dict, final: bool) -> None:
    """The numbers and matrices of ``res``; before ``final``, the pairs known so far."""
    if final:
        for msg in res["errors"]:
            st.warning(msg)
        share.notes(
            edge_notes(
                s,
                {**pairs_view.pairs_extremes(res), "n_anchors": anchors_used(ds, s.source, s.n_anchors)},
                [target_dim(ds, e) for e in ds.encoders],
            )
        )
    else:
        st.caption("Pairs fill in as they are computed (n/a: not yet).")
    tag = "" if final else f"_partial_{next(draws)}"  # a key may appear once per run
    table = pairs_view.paper_table(ds, res, s)
    now = compare_view.pairs_means(res)
    # the page's numbers; keyed once final (a key may appear once per run), in a container either way
    # so that the final draw replaces the partial one's tiles in place
    c = st.container(key="headline" if final else None).columns(4)
    c[0].metric(
        "zero-shot (mean ± std over pairs)", table[0]["zero-shot"], **compare_view.delta("zero_shot", now, at_a)
    )
    c[1].metric(recon_title, table[0]["recon. similarity (centred)" if centred else "recon. similarity"],
                **compare_view.delta(recon_key, now, at_a))
    c[2].metric("non-stitch", table[0]["non-stitch"], **compare_view.delta("non_stitch", now, at_a))
    c[3].metric("pairs available", table[0]["pairs available"])
    st.subheader("Paper-style table")
    st.dataframe(table, hide_index=True, width="stretch", key=("pairs_table" + tag) if tag else None)
    by_direction = pairs_view.direction_table(ds, res)
    if by_direction:
        st.subheader("By direction")
        st.dataframe(by_direction, hide_index=True, width="stretch",
                     key=("pairs_directions" + tag) if tag else None)
    a, b = st.columns(2)
    a.plotly_chart(pairs_view.pair_matrix_figure(res[recon_key], labels, recon_title),
                   key="pairs_recon" + tag, width="stretch")
    b.plotly_chart(pairs_view.pair_matrix_figure(res["zero_shot"], labels, "zero-shot accuracy"),
                   key="pairs_acc" + tag, width="stretch")


draws = itertools.count()
pinned = pin.current(s)  # A: the tiles show the difference of its means (cells cached or tabled)
with st.spinner("Translating every pair at the pinned setting A…"):
    at_a = (
        None
        if pinned is None
        else compare_view.pairs_means(pairs_view.all_pairs(ds, pinned, metrics_fn=caches.cached_metrics))
    )
try:
    res = sweeps.progressive(cells, lambda fn: pairs_view.all_pairs(ds, s, metrics_fn=fn), draw,
                             "Translating every pair…")
except Exception as exc:  # noqa: BLE001
    st.error(f"could not compute the pairs: {exc}")
    st.stop()
st.caption("Rows: encoder (source). Columns: decoder (target space and its classifier head). "
           "Absolute needs equal dimensions; pairs whose dims differ count as n/a.")

stem = exports.file_stem({"dataset": s.dataset, "omega": s.omega, "delta": s.delta}) + "_all_pairs"
with share.export_panel(2) as c:
    with c[0]:
        share.download("every pair (.csv)", lambda: exports.rows_csv(exports.pairs_rows(res, s.as_dict())),
                          stem + ".csv", exports.CSV_MIME, "dl_pairs")
    with c[1]:
        share.figures_button(
            lambda: {
                "reconstruction similarity": pairs_view.pair_matrix_figure(
                    res["recon"], labels, "reconstruction similarity"
                ),
                "zero-shot accuracy": pairs_view.pair_matrix_figure(res["zero_shot"], labels, "zero-shot accuracy"),
            },
            f"IRP Explorer: all pairs of {s.dataset}",
            stem + "_figures.html",
            "dl_figures",
        )
