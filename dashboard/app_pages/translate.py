"""Translate: one source -> target translation, live on ω/δ."""

from __future__ import annotations

from functools import partial

import numpy as np
import streamlit as st

from dashboard import defaults as D
from dashboard import exports as X
from dashboard import share_ui, state
from dashboard import views as V

TABS = ["layouts and linked selection", "distributions, conditioning, confusion matrix"]
# The selection as the layouts last drew it, for the figures download: the layout fragment reruns
# alone on a selection, so it updates this session's box, which the deferred download reads on click.
SELECTION_BOX = "_export_selection"

st.title("Translate")
s = state.require_settings()
ds = state.require_dataset(s.dataset)
st.caption(f"{getattr(ds, 'title', s.dataset)}: **{s.source}** → **{s.target}**. The source "
           "side sees only its anchors, the target side only its own: no map is ever fitted on "
           "both.")
try:
    t = state.cached_translation(s)
except Exception as exc:  # noqa: BLE001 - the core's message, never a traceback
    st.error(f"IRP could not translate at these settings: {exc}")
    st.stop()
m = t.metrics
share_ui.notes(V.edge_notes(s, m, V.target_dim(ds, s.target), t.extras.get("warnings", [])))

c = st.columns(6)
c[0].metric("reconstruction similarity", V.fmt(m["recon"]),
            help="mean cos(translated, true target embedding) of the same test item")
c[1].metric("recon. similarity (centred)", V.fmt(m["recon_centred"]),
            help="the same after subtracting the true vectors' mean: not inflated by a shared mean")
c[2].metric("retrieval top-1", V.fmt(m["retrieval_top1"]),
            help="share of translated items whose nearest true target embedding is their own")
c[3].metric("zero-shot accuracy", V.fmt(m["zero_shot"]),
            help="target head on translated vectors")
c[4].metric("absolute", V.fmt(m["absolute"]), help="target head on raw source vectors")
c[5].metric("non-stitch", V.fmt(m["non_stitch"]), help="target head on true target vectors")
c = st.columns(6)
c[0].metric("anchors kept (mean)", V.fmt(m["kept_mean"], 1),
            help=f"per subspace, of {m['n_anchors']} anchors; min {m['kept_min']}, "
                 f"max {m['kept_max']}")
c[1].metric("anchors kept (min–max)", f"{m['kept_min']}–{m['kept_max']}")
c[2].metric("cond. number, all anchors", V.fmt(m["cond_full"], 1),
            help="target anchor matrix before pruning")
c[3].metric("cond. number, pruned (mean)", V.fmt(m["cond_mean"], 1))
c[4].metric("cond. number, pruned (max)", V.fmt(m["cond_max"], 1))
c[5].metric("fit + evaluate", f"{t.seconds:.2f} s")
# Drawn after the numbers, so when it shows the new setting the numbers above are updated too.
st.caption(f"Numbers above: ω = {s.omega}, δ = {s.delta:.2f}, K = {s.k or 'all'}, seed {s.seed}, "
           f"centring {s.center}, ridge {s.ridge:.2f}, pruned on {s.prune_on}, rescale {s.rescale}, completion "
           f"{'on' if s.completion else 'off'}, {s.head} head.")

# The baselines table is filled at the end of the script: their first fit takes a few seconds
# and must not hold back the numbers and layouts above it.
baseline_slot = st.expander("stitching: IRP against the baselines", expanded=True)


def _on_select(key: str) -> None:
    ids = V.ids_from_selection(st.session_state.get(key))
    if ids:
        st.session_state["linked_ids"] = ids


def _clear_selection() -> None:
    st.session_state.pop("linked_ids", None)


@st.fragment
def layout_panel(s: V.Settings, ds, t: V.Translation) -> None:
    try:
        panel = state.cached_panel(s)
    except Exception as exc:  # noqa: BLE001
        st.error(f"layouts unavailable: {exc}")
        return
    n_test = len(t.recon_per_sample)
    linked = [r for r in st.session_state.get("linked_ids", []) if 0 <= int(r) < n_test]
    st.session_state.setdefault(SELECTION_BOX, {})["ids"] = linked
    fig_src, fig_tgt = V.layout_figures(panel, ds.classes, s.source, s.target, selected=linked)
    left, right = st.columns(2)
    for col, fig, key in ((left, fig_src, "select_source"), (right, fig_tgt, "select_target")):
        col.plotly_chart(fig, key=key, on_select=partial(_on_select, key),
                         selection_mode=("points", "box", "lasso"), width="stretch")
    st.caption(f"{len(panel['rows'])} test items drawn. Precomputed 2-D layouts; each translated "
               f"point (×) sits at the mean position of its {D.PLACE_K} nearest true target "
               "embeddings (no refit). Drag a box or lasso in either panel: the same items are "
               "ringed in both and shown below.")
    if not linked:
        st.info("Select points in either layout to see their items.")
        return
    info = V.selected_items(ds, t, panel, linked)
    left, right = st.columns([3, 2])
    with left:
        st.markdown(f"**Selected items**: {info['n_selected']} "
                    f"(showing {len(info['items'])})")
        st.dataframe(info["items"], hide_index=True, width="stretch")
    with right:
        if info["images"] is not None and len(info["images"]):
            st.image([np.asarray(im, dtype=np.uint8) for im in info["images"]],
                     caption=[f"#{it['row']} {it['class']}" for it in info["items"]], width=72)
        elif info["texts"]:
            for it, txt in zip(info["items"], info["texts"]):
                st.markdown(f"**#{it['row']}** ({it['class']}): {txt}")
    left, right = st.columns(2)
    left.button("clear selection", key="clear_selection", on_click=_clear_selection)
    with right:
        share_ui.download(f"selection ({len(linked)} items, .csv)", partial(V.selection_file, ds, t, linked),
                          X.file_stem(s.as_dict()) + "_selection.csv", X.CSV_MIME, "dl_selection")


# Tabs bound to the URL run lazily: only the open one is computed and re-sent on a slider move,
# so the browser redraws one plot panel per move, not five.
tab_layouts, tab_details = st.tabs(TABS, key="panel", bind="query-params")
if tab_layouts.open:
    with tab_layouts:
        layout_panel(s, ds, t)

@state.session_cached(st.cache_resource(max_entries=D.CACHE_ENTRIES, show_spinner=False))
def _small_figures(s: V.Settings) -> dict:
    """The small figures of a setting, built once (plotly validation is slow); never mutated."""
    ds_, t_ = state.get_dataset(s.dataset), state.cached_translation(s)
    sx, sy = ds_.space(s.source), ds_.space(s.target)
    figs = {"recon_hist": V.recon_hist_figure(t_.recon_per_sample),
            "kept_cond": V.kept_cond_figure(t_),
            "norms": V.norms_figure({f"source ({s.source})": sx.test,
                                     f"target ({s.target})": sy.test, "translated": t_.pred})}
    if t_.confusion is not None:
        figs["confusion"] = V.confusion_figure(t_.confusion, ds_.classes)
    return figs


if tab_details.open:
    with tab_details:
        figs = _small_figures(s)
        a, b = st.columns(2)
        a.plotly_chart(figs["recon_hist"], key="recon_hist", width="stretch")
        b.plotly_chart(figs["kept_cond"], key="kept_cond", width="stretch")
        a, b = st.columns(2)
        if "confusion" in figs:
            a.plotly_chart(figs["confusion"], key="confusion", width="stretch")
        else:
            a.info("No classifier head for this target: no confusion matrix.")
        b.plotly_chart(figs["norms"], key="norms", width="stretch")

with baseline_slot:
    try:
        with st.spinner("Fitting Procrustes and the linear map on both anchor sets…"):
            base = state.cached_baselines(s.dataset, s.source, s.target, s.k, s.head)
    except Exception as exc:  # noqa: BLE001
        st.warning(f"baselines unavailable: {exc}")
        base = {}
    st.dataframe(V.summary_rows(t, base), hide_index=True, width="stretch")
    st.caption("Procrustes and the linear map see both anchor sets at once: they show what IRP "
               "gives up, or not, by never seeing both spaces together.")

with st.expander("export and share"):
    share_ui.link_box()
    stem = X.file_stem(s.as_dict())
    c = st.columns(3)
    with c[0]:
        share_ui.download("translated test embeddings (.npz)", partial(V.translation_file, ds, t),
                          stem + ".npz", X.NPZ_MIME, "dl_npz",
                          help="translated vectors, test item ids, labels, per-item cosine and the "
                               "settings; np.load(path, allow_pickle=False)")
    with c[1]:
        share_ui.download("metrics and baselines (.csv)", partial(V.metrics_file, t, base),
                          stem + "_metrics.csv", X.CSV_MIME, "dl_metrics")
    with c[2]:
        box = st.session_state.setdefault(SELECTION_BOX, {})
        share_ui.figures_button(lambda: V.translate_figures(ds, t, box.get("ids", [])),
                                f"IRP Explorer: {s.source} → {s.target}", stem + "_figures.html",
                                "dl_figures")
