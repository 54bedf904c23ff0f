"""The shared sidebar: every control a keyed widget bound to the URL, in this one file.

Every control has ``bind="query-params"``: the URL carries the view (defaults omitted) and a URL
seeds the widgets. :func:`draw` returns the settings and keeps them for the page
(:func:`dashboard.state.session.current`).
"""

from __future__ import annotations

import streamlit as st

from dashboard import defaults as D
from dashboard.state import caches, presets
from dashboard.state import session as S
from dashboard.views.settings import Settings, default_pair
from dashboard.widgets import pin_controls, preset_picker

BIND = "query-params"


def _reset_pair() -> None:
    """When the dataset changes, start from its default encoder pair."""
    name = st.session_state.get("dataset")
    try:
        encs = list(S.get_dataset(name).encoders)
        src, tgt = default_pair(encs)
    except Exception:  # noqa: BLE001 - the sidebar shows the loader's error on the rerun
        return
    st.session_state["source"] = src
    st.session_state["target"] = tgt
    st.session_state.pop("linked_ids", None)


def draw() -> Settings | None:
    """Draw the shared sidebar and return the current settings (also kept in session state)."""
    sb = st.sidebar
    sb.header("IRP Explorer")
    pending = st.session_state.pop(S.PENDING_KEY, None)  # set by the Upload page
    if pending is not None:
        st.session_state["dataset"] = pending
        _reset_pair()
    try:
        names = S.dataset_names()
    except Exception as exc:  # noqa: BLE001
        sb.error(f"No embedding cache found: {exc}")
        st.session_state[S.SETTINGS_KEY] = None
        return None
    if not names:
        sb.error("The embedding cache lists no datasets.")
        st.session_state[S.SETTINGS_KEY] = None
        return None
    default_ds = names.index(D.DATASET) if D.DATASET in names else 0
    name = sb.selectbox("dataset", names, index=default_ds, key="dataset", bind=BIND,
                        on_change=_reset_pair)
    try:
        ds = S.get_dataset(name)
        encs = list(ds.encoders)
        src0, tgt0 = default_pair(encs)
        caches.tables(name)  # read the precomputed tables now, once per server: pages then only look up
    except Exception as exc:  # noqa: BLE001
        sb.error(f"Could not load dataset {name!r}: {exc}")
        st.session_state[S.SETTINGS_KEY] = None
        return None
    source = sb.selectbox("source encoder (X)", encs, index=encs.index(src0), key="source",
                          bind=BIND)
    target = sb.selectbox("target encoder / decoder (Y)", encs, index=encs.index(tgt0),
                          key="target", bind=BIND)
    presets.resolve()
    presets.fix_pending()
    presets.seed_from_url()
    preset = preset_picker.draw(sb)
    sync = presets.sync  # every method control: a change selects the preset it matches, or custom
    omega = sb.slider("ω: anchor subspaces", D.OMEGA_MIN, D.OMEGA_MAX, D.OMEGA, 1, key="omega", on_change=sync,
                      bind=BIND, help="number of seeded prunings whose decodings are averaged")
    delta = sb.slider("δ: pruning threshold", D.DELTA_MIN, D.DELTA_MAX, D.DELTA, D.DELTA_STEP,
                      key="delta", on_change=sync, bind=BIND, format="%.2f",
                      help="kept anchors satisfy |cos| ≤ 1 − δ: higher δ, fewer anchors")
    center = sb.selectbox("centring", D.CENTER_OPTIONS, index=D.CENTER_OPTIONS.index(D.CENTER),
                          key="center", on_change=sync, bind=BIND,
                          help="whiten: each side centred and whitened in its own anchors' principal "
                               "axes before cosines (the default); anchor_mean: centred only; none: "
                               "raw cosines, the paper as written")
    ridge = sb.slider("ridge: decoding damping", D.RIDGE_MIN, D.RIDGE_MAX, D.RIDGE, D.RIDGE_STEP,
                      key="ridge", on_change=sync, bind=BIND, format="%.2f",
                      help="Tikhonov damping of the pseudo-inverse, as a fraction of the largest "
                           "eigenvalue of the target anchors' Gram matrix; 0 is the plain pseudo-inverse")
    try:
        n_anchors = int(ds.space(source).anchors.shape[0])
    except Exception:  # noqa: BLE001
        n_anchors = 100000
    with sb.expander("advanced"):
        k = st.number_input(f"K: anchors used (0 = all {n_anchors})", 0, n_anchors, D.K, 50,
                            key="k", on_change=sync, bind=BIND)
        seed = st.number_input("seed", 0, 100000, D.SEED, 1, key="seed", on_change=sync, bind=BIND)
        whiten_floor = st.number_input("whitening variance floor", 0.0, 1.0, D.WHITEN_FLOOR, 0.001,
                                       format="%.4f", key="whiten_floor", on_change=sync, bind=BIND,
                                       help="added to every principal variance, as a fraction of the "
                                            "largest (used with centring = whiten)")
        prune_on = st.selectbox("prune on", D.PRUNE_ON_OPTIONS,
                                index=D.PRUNE_ON_OPTIONS.index(D.PRUNE_ON), key="prune_on", on_change=sync,
                                bind=BIND)
        rescale = st.selectbox("rescale", D.RESCALE_OPTIONS,
                               index=D.RESCALE_OPTIONS.index(D.RESCALE), key="rescale", on_change=sync, bind=BIND)
        completion = st.checkbox("anchor completion", D.COMPLETION, key="completion", on_change=sync, bind=BIND)
        head = st.selectbox("classifier head", D.HEAD_OPTIONS,
                            index=D.HEAD_OPTIONS.index(D.HEAD), key="head", bind=BIND)
    s = Settings(
        dataset=name, source=source, target=target, omega=int(omega), delta=round(float(delta), 4),
        k=int(k or 0), seed=int(seed or 0), center=center, whiten_floor=round(float(whiten_floor), 6),
        ridge=round(float(ridge), 4), prune_on=prune_on, rescale=rescale,
        completion=bool(completion), head=head,
    )
    presets.reconcile(preset, {f: getattr(s, f) for f in presets.FIELDS})
    pin_controls.draw(sb, s)
    st.session_state[S.SETTINGS_KEY] = s
    return s
