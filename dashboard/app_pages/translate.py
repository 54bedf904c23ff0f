"""Translate: one source -> target translation, live on ω/δ."""

from __future__ import annotations

from functools import partial

import numpy as np
import pyarrow as pa
import streamlit as st

from dashboard import defaults, exports
from dashboard.state import caches, lookahead, pin, session
from dashboard.views import compare as compare_view
from dashboard.views import layouts as layouts_view
from dashboard.views import translate as translate_view
from dashboard.views.edges import edge_notes, target_dim
from dashboard.views.settings import Settings
from dashboard.widgets import details, share, spectrum

TABS = ["layouts and linked selection", "distributions, conditioning, confusion matrix",
        "spectrum: why the knobs work"]
# The selection as the layouts last drew it, for the figures download: the layout fragment reruns
# alone on a selection, so it updates this session's box, which the deferred download reads on click.
SELECTION_BOX = "_export_selection"

st.title("Translate")
s = session.require_settings()
ds = session.require_dataset(s.dataset)
st.caption(f"{ds.title}: **{s.source}** → **{s.target}**. The source "
           "side sees only its anchors, the target side only its own: no map is ever fitted on "
           "both.")
try:
    # A new setting's scores first: its condition numbers follow once the tiles are drawn.
    t = caches.cached_scores(s)
except Exception as exc:  # noqa: BLE001 - the core's message, never a traceback
    st.error(f"IRP could not translate at these settings: {exc}")
    st.stop()


def notes_of(t: translate_view.Translation) -> list[str]:
    return edge_notes(s, t.metrics, target_dim(ds, s.target), t.extras.get("warnings", []))


notes_box = st.container()  # the notes the condition numbers add join these
notes_shown = notes_of(t)
with notes_box:
    share.notes(notes_shown)

m_pin = pin.metrics(pinned := pin.current(s), full=True)  # A: each tile shows its difference to it
pending = {}  # metric key -> the slot of a conditioning tile still to fill
headline = st.container(key="headline")  # the page's numbers: tests and the load test find them by this key
for row in translate_view.metric_tiles(t):
    # each row one flex container, not st.columns: 13 column blocks fewer to send and reconcile on
    # every move (a column is a message of its own); tiles take their content's width and wrap
    tiles = headline.container(horizontal=True, gap="medium")
    for tile in row:
        slot = tiles.empty() if tile.value == translate_view.PENDING else tiles
        slot.metric(
            tile.label, tile.value, help=tile.help, width="content", **compare_view.delta(tile.key, t.metrics, m_pin)
        )
        if slot is not tiles:
            pending[tile.key] = slot
# Drawn after the numbers, so when it shows the new setting the numbers above are updated too.
st.container(key="settings_caption").caption(translate_view.settings_caption(s))

if pending:  # a new setting's condition numbers: after its scores, before its figures
    try:
        t = caches.cached_translation(s)  # the same object, now conditioned
    except Exception as exc:  # noqa: BLE001
        st.warning(f"condition numbers unavailable: {exc}")
    for row in translate_view.metric_tiles(t):
        for tile in row:
            if tile.key in pending:
                pending[tile.key].metric(tile.label, tile.value, help=tile.help, width="content",
                                         **compare_view.delta(tile.key, t.metrics, m_pin))
    with notes_box:
        share.notes([n for n in notes_of(t) if n not in notes_shown])

# The baselines table is filled at the end of the script: their first fit takes a few seconds
# and must not hold back the numbers and layouts above it.
baseline_slot = st.expander("stitching: IRP against the baselines", expanded=True)


def _on_select(key: str) -> None:
    ids = layouts_view.ids_from_selection(st.session_state.get(key))
    if ids:
        st.session_state["linked_ids"] = ids


def _clear_selection() -> None:
    st.session_state.pop("linked_ids", None)


@st.fragment
def layout_panel(s: Settings, ds, t: translate_view.Translation) -> None:
    try:
        panel = caches.cached_panel(s)
    except Exception as exc:  # noqa: BLE001
        st.error(f"layouts unavailable: {exc}")
        return
    n_test = len(t.recon_per_sample)
    linked = [r for r in st.session_state.get("linked_ids", []) if 0 <= int(r) < n_test]
    st.session_state.setdefault(SELECTION_BOX, {})["ids"] = linked
    fig_src, fig_tgt = caches.cached_layout_figures(s, tuple(int(r) for r in linked))
    left, right = st.columns(2)
    for col, fig, key in ((left, fig_src, "select_source"), (right, fig_tgt, "select_target")):
        col.plotly_chart(fig, key=key, on_select=partial(_on_select, key),
                         selection_mode=("points", "box", "lasso"), width="stretch")
    st.caption(f"{len(panel['rows'])} test items drawn. Precomputed 2-D layouts; each translated "
               f"point (×) sits at the mean position of its {defaults.PLACE_K} nearest true target "
               "embeddings (no refit). Drag a box or lasso in either panel: the same items are "
               "ringed in both and shown below.")
    if not linked:
        st.container(key="selection_hint").info("Select points in either layout to see their items.")
        return
    info = layouts_view.selected_items(ds, t, panel, linked)
    left, right = st.container(key="selection").columns([3, 2])
    with left:
        st.markdown(f"**Selected items**: {info['n_selected']} "
                    f"(showing {len(info['items'])})")
        st.dataframe(info["items"], hide_index=True, width="stretch")
    with right:
        if info["images"] is not None and len(info["images"]):
            names = info["texts"] or [it["class"] for it in info["items"]]  # paired data: its name
            st.image([np.asarray(im, dtype=np.uint8) for im in info["images"]],
                     caption=[f"#{it['row']} {name.split(':')[0]}" for it, name in zip(info["items"], names)],
                     width=72)
        elif info["texts"]:
            for it, txt in zip(info["items"], info["texts"]):
                st.markdown(f"**#{it['row']}** ({it['class']}): {txt}")
    left, right = st.columns(2)
    left.button("clear selection", key="clear_selection", on_click=_clear_selection)
    with right:
        share.download(f"selection ({len(linked)} items, .csv)", partial(exports.selection_file, ds, t, linked),
                          exports.file_stem(s.as_dict()) + "_selection.csv", exports.CSV_MIME, "dl_selection")


# Tabs bound to the URL run lazily: only the open one is computed and re-sent on a slider move,
# so the browser redraws one plot panel per move, not five.
tab_layouts, tab_details, tab_spectrum = st.tabs(TABS, key="panel", bind="query-params")
if tab_layouts.open:
    with tab_layouts:
        layout_panel(s, ds, t)
if tab_details.open:
    with tab_details:
        details.draw(s, pinned if m_pin is not None else None)
if tab_spectrum.open:
    with tab_spectrum:
        spectrum.draw(s)

with baseline_slot:
    try:
        with st.spinner("Fitting Procrustes and the linear map on both anchor sets…"):
            base = caches.cached_baselines(s.dataset, s.source, s.target, s.n_anchors, s.head, s.random_state)
    except Exception as exc:  # noqa: BLE001
        st.warning(f"baselines unavailable: {exc}")
        base = {}
    # as an Arrow table: Streamlit converts a list of dicts through pandas, 0.9 against 0.2 ms per rerun
    st.dataframe(pa.Table.from_pylist(translate_view.summary_rows(t, base)), hide_index=True, width="stretch")
    st.caption("Procrustes and the linear map see both anchor sets at once: they show what IRP "
               "gives up, or not, by never seeing both spaces together.")

stem = exports.file_stem(s.as_dict())
with share.export_panel(3) as c:
    with c[0]:
        share.translation_download(ds, t, stem)
    with c[1]:
        share.download("metrics and baselines (.csv)", partial(exports.metrics_file, t, base),
                          stem + "_metrics.csv", exports.CSV_MIME, "dl_metrics")
    with c[2]:
        box = st.session_state.setdefault(SELECTION_BOX, {})
        share.figures_button(lambda: translate_view.translate_figures(ds, t, box.get("ids", [])),
                                f"IRP Explorer: {s.source} → {s.target}", stem + "_figures.html",
                                "dl_figures")

lookahead.after_move(ds, s)  # last: a lone user's next step is fitted while they look at this one
