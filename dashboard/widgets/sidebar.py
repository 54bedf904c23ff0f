"""The shared sidebar: every control a keyed widget bound to the URL, in this one file.

Every control has ``bind="query-params"``: the URL carries the view (defaults omitted) and a URL
seeds the widgets. :func:`draw` returns the settings and keeps them for the page
(:func:`dashboard.state.session.current`).
"""

from __future__ import annotations

import streamlit as st

from dashboard import defaults
from dashboard.state import caches, presets, session
from dashboard.views.settings import KNOBS, Settings, default_pair, knob_default, knob_value
from dashboard.widgets import pin_controls, preset_picker

BIND = "query-params"


def _reset_pair() -> None:
    """When the dataset changes, start from its default encoder pair."""
    name = st.session_state.get("dataset")
    try:
        encs = list(session.get_dataset(name).encoders)
        src, tgt = default_pair(encs)
    except Exception:  # noqa: BLE001 - the sidebar shows the loader's error on the rerun
        return
    st.session_state["source"] = src
    st.session_state["target"] = tgt
    st.session_state.pop("linked_ids", None)


def _control(where, p, n_rows: int):
    """The control of knob ``p`` (:mod:`irp_core.params`: label, help, widget, range), keyed by its
    name and bound to the URL; a change selects the preset the controls now match, or custom. A
    number whose None means something (K: all anchors) shows it as 0, up to the dataset's rows."""
    common = {"key": p.name, "on_change": presets.sync, "bind": BIND, "help": p.help}
    default = knob_default(p)
    if p.widget == "slider":
        kind = p.value_type
        return where.slider(p.label, kind(p.low), kind(p.high), default, kind(p.step), format=p.fmt, **common)
    if p.widget == "select":
        return where.selectbox(p.label, p.options, index=p.options.index(default), **common)
    if p.widget == "checkbox":
        return where.checkbox(p.label, default, **common)
    kind, high = p.value_type, n_rows if p.none_means else p.high
    label = f"{p.label} (0 = {p.none_means}: {n_rows})" if p.none_means else p.label
    return where.number_input(label, kind(p.low), kind(high), default, kind(p.step), format=p.fmt, **common)


def draw() -> Settings | None:
    """Draw the shared sidebar and return the current settings (also kept in session state)."""
    sb = st.sidebar
    sb.header("IRP Explorer")
    pending = st.session_state.pop(session.PENDING_KEY, None)  # set by the Upload page
    if pending is not None:
        st.session_state["dataset"] = pending
        _reset_pair()
    try:
        names = session.dataset_names()
    except Exception as exc:  # noqa: BLE001
        sb.error(f"No embedding cache found: {exc}")
        st.session_state[session.SETTINGS_KEY] = None
        return None
    if not names:
        sb.error("The embedding cache lists no datasets.")
        st.session_state[session.SETTINGS_KEY] = None
        return None
    default_ds = names.index(defaults.DATASET) if defaults.DATASET in names else 0
    name = sb.selectbox("dataset", names, index=default_ds, key="dataset", bind=BIND,
                        on_change=_reset_pair)
    try:
        ds = session.get_dataset(name)
        encs = list(ds.encoders)
        src0, tgt0 = default_pair(encs)
        caches.tables(name)  # read the precomputed tables now, once per server: pages then only look up
    except Exception as exc:  # noqa: BLE001
        sb.error(f"Could not load dataset {name!r}: {exc}")
        st.session_state[session.SETTINGS_KEY] = None
        return None
    source = sb.selectbox("source encoder (X)", encs, index=encs.index(src0), key="source",
                          bind=BIND)
    target = sb.selectbox("target encoder / decoder (Y)", encs, index=encs.index(tgt0),
                          key="target", bind=BIND)
    presets.resolve()
    presets.fix_pending()
    presets.seed_from_url()
    preset = preset_picker.draw(sb)
    try:
        n_rows = int(ds.space(source).anchors.shape[0])
    except Exception:  # noqa: BLE001
        n_rows = 100000
    values = {p.name: _control(sb, p, n_rows) for p in KNOBS if not p.advanced}
    with sb.expander("advanced"):
        values |= {p.name: _control(st, p, n_rows) for p in KNOBS if p.advanced}
        head = st.selectbox("classifier head", defaults.HEAD_OPTIONS,
                            index=defaults.HEAD_OPTIONS.index(defaults.HEAD), key="head", bind=BIND)
    s = Settings(dataset=name, source=source, target=target, head=head,
                 **{p.name: knob_value(p, values[p.name]) for p in KNOBS})
    presets.reconcile(preset, {f: getattr(s, f) for f in presets.FIELDS})
    pin_controls.draw(sb, s)
    st.session_state[session.SETTINGS_KEY] = s
    return s
