"""Sensitivity: ω x δ heatmaps for the selected pair, and recon vs accuracy across pairs."""

from __future__ import annotations

import itertools
from dataclasses import replace

import streamlit as st

from dashboard import defaults, exports
from dashboard.state import caches, pin, session, sweeps
from dashboard.views import compare as compare_view
from dashboard.views import sensitivity as sensitivity_view
from dashboard.views.common import fmt
from dashboard.views.edges import edge_notes, target_dim
from dashboard.views.pairs import all_pairs
from dashboard.widgets import share


def show_here(here: dict) -> None:
    share.notes(edge_notes(s, here, target_dim(ds, s.target)))
    a = pin.metrics(pin.current(s))  # A, when pinned: each number shows its difference to it
    c = st.container(key="headline").columns(4)  # this setting's numbers
    c[0].metric(f"recon. similarity at ω={s.omega}, δ={s.delta:.2f}", fmt(here["recon"]),
                **compare_view.delta("recon", here, a))
    c[1].metric("zero-shot accuracy", fmt(here.get("zero_shot")), **compare_view.delta("zero_shot", here, a))
    label = "cond. number (mean): raw → damped"  # settings are compared on what decoding pays
    c[2].metric(
        label,
        f"{fmt(here['cond_mean'], 1)} → {fmt(here.get('cond_damped_mean'), 2)}",
        help="damped: the largest gain of the ridge-damped decoding relative to the strongest "
        "direction's (Translate's spectrum tab draws it)",
        **compare_view.delta("cond_damped_mean", here, a),
    )
    c[3].metric("anchors kept (mean)", fmt(here["kept_mean"], 1), **compare_view.delta("kept_mean", here, a))


st.title("Sensitivity")
s = session.require_settings()
ds = session.require_dataset(s.dataset)
deltas = defaults.sweep_deltas(s.center)  # where this centring's pruning moves
st.caption(f"{ds.title}: **{s.source}** → **{s.target}**; grid "
           f"ω ∈ {list(defaults.SWEEP_OMEGAS)}, δ ∈ {list(deltas)} (the range where centring {s.center} "
           "prunes); each cell is cached.")
centred = share.similarity_toggle()
top = st.container()  # this setting's numbers: drawn first when the tables hold them
grid_cells = [replace(s, omega=int(w), delta=float(d)) for w in defaults.SWEEP_OMEGAS for d in deltas]
draws = itertools.count()


def draw_grid(res: dict, final: bool) -> None:
    if final:
        for msg in res["errors"]:
            st.warning(msg)
    key = "sens_grid" if final else f"sens_grid_partial_{next(draws)}"  # a key may appear once per run
    st.plotly_chart(sensitivity_view.sensitivity_figure(res, centred), key=key, width="stretch")


def draw_pairs(res: dict, final: bool) -> None:
    fig = sensitivity_view.recon_vs_acc_figure(res, centred)[0]
    a, b = st.columns(2)
    a.metric("Pearson r (recon. similarity, zero-shot accuracy)", fmt(sensitivity_view.recon_vs_acc_figure(res)[1], 2),
             help="raw reconstruction similarity: the figure the paper's r > 0.7 is about")
    b.metric("Pearson r (centred recon. similarity, zero-shot accuracy)",
             fmt(sensitivity_view.recon_vs_acc_figure(res, True)[1], 2))
    key = "sens_pairs" if final else f"sens_pairs_partial_{next(draws)}"
    st.plotly_chart(fig, key=key, width="stretch")


here = caches.table_metrics(s)
if here is not None:
    with top:
        show_here(here)
grid_job = sweeps.Progressive(
    grid_cells,
    lambda fn: sensitivity_view.sensitivity_grid(
        ds, replace(s, omega=defaults.OMEGA, delta=defaults.DELTA), deltas=deltas, metrics_fn=fn
    ),
    draw_grid,
    "Sweeping ω × δ…",
)
st.subheader("Reconstruction similarity vs accuracy across pairs")
pairs_job = sweeps.Progressive([s.with_pair(a, b) for b in ds.encoders for a in ds.encoders],
                               lambda fn: all_pairs(ds, s, metrics_fn=fn), draw_pairs,
                               "Translating every pair…")
st.caption("The paper reports r > 0.7 on its encoders: a translation that reconstructs the "
           "target well also stitches well. " + share.PAPER_SIMILARITY)
if here is None:
    with top:
        try:
            here = caches.cached_metrics(s)
        except Exception as exc:  # noqa: BLE001
            st.error(f"IRP could not translate at these settings: {exc}")
            st.stop()
        show_here(here)
grid = grid_job.finish()
pairs = pairs_job.finish()

stem = exports.file_stem(s.as_dict())
with share.export_panel(3) as c:
    with c[0]:
        share.download("ω × δ grid (.csv)", lambda: exports.rows_csv(exports.grid_rows(grid, s.as_dict())),
                          stem + "_grid.csv", exports.CSV_MIME, "dl_grid",
                          help="this pair at every grid cell (the sidebar's ω and δ do not apply)")
    with c[1]:
        share.download("every pair (.csv)", lambda: exports.rows_csv(exports.pairs_rows(pairs, s.as_dict())),
                          stem + "_pairs.csv", exports.CSV_MIME, "dl_pairs")
    with c[2]:
        share.figures_button(
            lambda: {
                "ω × δ grid": sensitivity_view.sensitivity_figure(grid),
                "recon. similarity vs accuracy": sensitivity_view.recon_vs_acc_figure(pairs)[0],
            },
            f"IRP Explorer: sensitivity of {s.source} → {s.target}",
            stem + "_figures.html",
            "dl_figures",
        )
