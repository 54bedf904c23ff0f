"""Shared Streamlit state: the sidebar bound to the URL, and the caches.

Every control is a keyed widget with ``bind="query-params"``: the URL carries the view (defaults
omitted) and a URL seeds the widgets. Caches are keyed on small identifiers (dataset name and the
frozen :class:`dashboard.views.Settings`), never on arrays, and every slider-dependent cache is
bounded with ``max_entries``. Uploaded datasets (names ``upload:…``) live in ``st.session_state``
only, and their results in a bounded per-session cache (:func:`session_cached`), never in
Streamlit's caches, which every session shares. Condition numbers, baselines and the metrics of
the presets' pairs and grids come first from the precomputed tables (``dashboard/precomputed.py``,
read once per server), and :class:`Progressive` draws a sweep's known cells before computing the
rest.
"""

from __future__ import annotations

import functools
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import streamlit as st

from dashboard import defaults as D
from dashboard import precomputed as P
from dashboard import uploads as U
from dashboard import views as V

BIND = "query-params"
SETTINGS_KEY = "_irp_settings"
UPLOADS_KEY = "_irp_uploads"  # name -> uploads.UploadedDataset: this session's uploads only
UPLOAD_CACHE_KEY = "_irp_upload_cache"  # name -> function -> bounded LRU of results
PENDING_KEY = "_irp_pending_dataset"  # a dataset for the sidebar to select on its next draw


# --------------------------------------------------------------------------------------------
# Data and caches
# --------------------------------------------------------------------------------------------
@st.cache_resource(show_spinner="Loading the embedding cache…")
def _shipped_dataset(name: str):
    """A shipped dataset, shared by all sessions (its arrays are read-only)."""
    from irp_core.cache import load_dataset

    return load_dataset(name)


def session_uploads() -> dict:
    """This session's uploaded datasets: in st.session_state, so no other session sees them."""
    return st.session_state.setdefault(UPLOADS_KEY, {})


def get_dataset(name: str):
    """The dataset: an upload from this session's state, else the shared shipped one."""
    if U.is_upload_name(name):
        ds = session_uploads().get(name)
        if ds is None:
            raise U.UploadError(f"{name!r} is not uploaded in this session (uploads last as long as the "
                                "browser session): upload it again on the Upload page")
        return ds
    return _shipped_dataset(name)


@st.cache_data(show_spinner=False, ttl=600)
def _shipped_names() -> list[str]:
    from irp_core.cache import list_datasets

    return list(list_datasets())


def dataset_names() -> list[str]:
    return _shipped_names() + list(session_uploads())


def add_upload(ds) -> None:
    """Keep ``ds`` in this session (the oldest upload goes past the limit) and select it."""
    uploads = session_uploads()
    uploads[ds.name] = ds
    while len(uploads) > U.MAX_SESSION_UPLOADS:
        remove_upload(next(iter(uploads)))
    st.session_state[PENDING_KEY] = ds.name


def remove_upload(name: str) -> None:
    """Drop an upload and its cached results; the sidebar goes back to a shipped dataset."""
    session_uploads().pop(name, None)
    st.session_state.get(UPLOAD_CACHE_KEY, {}).pop(name, None)
    if st.session_state.get("dataset") == name:
        st.session_state[PENDING_KEY] = D.DATASET


def session_cached(shared, max_entries: int = 16):
    """``shared`` (an st.cache_data/st.cache_resource decorator) for shipped data; for an upload, a
    bounded cache in this session's state instead, since Streamlit's caches are shared by all sessions.

    The first argument of the decorated function is a dataset name or a Settings.
    """
    def wrap(fn):
        cached = shared(fn)
        fn_key = (fn.__code__.co_filename, fn.__qualname__)

        @functools.wraps(fn)
        def call(*args, **kwargs):
            first = args[0] if args else next(iter(kwargs.values()))
            name = getattr(first, "dataset", first)
            if not U.is_upload_name(name):
                return cached(*args, **kwargs)
            memo = st.session_state.setdefault(UPLOAD_CACHE_KEY, {}).setdefault(name, {}).setdefault(
                fn_key, OrderedDict())
            key = (args, tuple(sorted(kwargs.items())))
            if key in memo:
                memo.move_to_end(key)
                return memo[key]
            value = memo[key] = fn(*args, **kwargs)
            while len(memo) > max_entries:
                memo.popitem(last=False)
            return value

        call.clear = cached.clear
        return call

    return wrap


def require_dataset(name: str):
    """The dataset; otherwise show the loader's message (never a traceback) and stop the page."""
    try:
        return get_dataset(name)
    except Exception as exc:  # noqa: BLE001
        st.error(f"Could not load dataset {name!r}: {exc}")
        st.stop()


@st.cache_resource(show_spinner=False)
def _tables(name: str) -> P.Tables | None:
    """The dataset's precomputed tables (``dashboard/precomputed.py``), read once per server."""
    return P.load_tables(name)


def tables(name: str) -> P.Tables | None:
    """The shipped dataset's tables, or None (an upload, or no usable table: compute live)."""
    if U.is_upload_name(name):
        return None
    try:
        return _tables(name)
    except Exception:  # noqa: BLE001 - the tables only speed things up
        return None


@session_cached(st.cache_data(max_entries=256, show_spinner=False))
def _live_cond_full(dataset: str, target: str, k: int, center: str, whiten_floor: float) -> float:
    return P.live_cond_full(get_dataset(dataset), target, k, center, whiten_floor)


def cached_cond_full(dataset: str, target: str, k: int, center: str, whiten_floor: float) -> float:
    """Condition number of all target anchors: independent of ω and δ, so off the slider path.

    From the precomputed tables when they hold it, else computed (and cached).
    """
    t = tables(dataset)
    v = None if t is None else t.cond_full(target, k, center, whiten_floor)
    return v if v is not None else _live_cond_full(dataset, target, k, center, whiten_floor)


cached_cond_full.clear = _live_cond_full.clear


# cache_resource, not cache_data: a hit hands over the shared object instead of unpickling a copy
# of its 2000 x d translation on every rerun of every session. Pages only read it.
@session_cached(st.cache_resource(max_entries=D.CACHE_ENTRIES, show_spinner="Translating…"), max_entries=8)
def cached_translation(s: V.Settings) -> V.Translation:
    cond = cached_cond_full(s.dataset, s.target, s.k, s.center, s.whiten_floor)
    return V.translate(get_dataset(s.dataset), s, cond_full=cond)


@session_cached(st.cache_data(max_entries=4096, show_spinner=False), max_entries=256)
def _live_metrics(s: V.Settings) -> dict[str, Any]:
    cond = cached_cond_full(s.dataset, s.target, s.k, s.center, s.whiten_floor)
    return P.live_metrics(get_dataset(s.dataset), s, cond)


def table_metrics(s: V.Settings) -> dict[str, Any] | None:
    """The precomputed metrics at exactly ``s``, or None: a dict lookup, never a fit."""
    t = tables(s.dataset)
    return None if t is None else t.metrics(s)


def cached_metrics(s: V.Settings) -> dict[str, Any]:
    """Only the small numbers of a translation: what sweeps need (tables first, else live)."""
    m = table_metrics(s)
    return m if m is not None else _live_metrics(s)


cached_metrics.clear = _live_metrics.clear


@session_cached(st.cache_data(max_entries=D.CACHE_ENTRIES, show_spinner=False))
def _live_baselines(dataset: str, source: str, target: str, k: int, head: str) -> dict:
    return P.live_baselines(get_dataset(dataset), source, target, k, head)


def cached_baselines(dataset: str, source: str, target: str, k: int, head: str) -> dict:
    """Procrustes and linear-map baselines of a pair (tables first, else live)."""
    t = tables(dataset)
    b = None if t is None else t.baselines(source, target, k, head)
    return b if b is not None else _live_baselines(dataset, source, target, k, head)


cached_baselines.clear = _live_baselines.clear


@session_cached(st.cache_resource(max_entries=D.CACHE_ENTRIES, show_spinner=False), max_entries=8)
def cached_panel(s: V.Settings, n_show: int = D.N_LAYOUT_POINTS) -> dict:
    ds = get_dataset(s.dataset)
    return V.layout_panel_data(ds, cached_translation(s), n_show)


def metrics_fn(s: V.Settings) -> dict[str, Any]:
    return cached_metrics(s)


def progress_callback(label: str):
    """A progress bar and the ``(fraction, text)`` callback that drives it."""
    bar = st.progress(0.0, text=label)

    def update(frac: float, text: str) -> None:
        bar.progress(min(max(frac, 0.0), 1.0), text=f"{label} {text}")

    return bar, update


class _Pending(Exception):
    """A cell not computed yet: the partial result shows it as n/a."""


class Progressive:
    """The metrics of every cell, drawn as they become known; :meth:`finish` gives the result.

    ``assemble(metrics_fn)`` builds a result (``V.all_pairs``, ``V.sensitivity_grid``) from a
    per-cell function; ``draw(result, final)`` renders it with plain ``st`` calls, which land in a
    placeholder here, so that each draw replaces the last (give keyed elements a key only when
    ``final``: a key may appear once per run). Cells in the precomputed tables are looked up at
    once: when they are all there, the final result is drawn at once. Otherwise the known cells
    are drawn straight away (the others n/a), and :meth:`finish` computes the rest under a
    progress bar above them, redrawing every ``every_s`` seconds as cells finish. A page can
    create several before finishing any, so that nothing known waits for a fit.
    """

    def __init__(self, cells: Sequence[V.Settings], assemble: Callable[[V.MetricsFn], dict],
                 draw: Callable[[dict, bool], None], label: str, every_s: float = 1.0):
        self.assemble, self.draw, self.label, self.every_s = assemble, draw, label, every_s
        self.bar_slot, self.box = st.empty(), st.empty()
        self.known: dict[V.Settings, dict] = {}
        self.failed: dict[V.Settings, Exception] = {}
        for c in cells:
            m = table_metrics(c)
            if m is not None:
                self.known[c] = m
        self.missing = [c for c in dict.fromkeys(cells) if c not in self.known]
        self.result = None
        if not self.missing:
            self.result = self._show(True)
        else:
            self._show(False)

    def _lookup(self, c: V.Settings) -> dict:
        if c in self.known:
            return self.known[c]
        if c in self.failed:
            raise self.failed[c]
        raise _Pending("not computed yet")

    def _show(self, final: bool) -> dict:
        res = self.assemble(self._lookup)
        with self.box.container():
            self.draw(res, final)
        return res

    def finish(self) -> dict:
        """Compute the cells the tables lack (cached per cell), then draw and return the result."""
        if self.result is not None:
            return self.result
        n_all = len(self.missing)
        bar = self.bar_slot.progress(0.0, text=f"{self.label} {n_all} to compute"
                                     + (f" ({len(self.known)} from the tables)" if self.known else ""))
        last = time.monotonic()
        for n, c in enumerate(self.missing, 1):
            try:
                self.known[c] = cached_metrics(c)
            except Exception as exc:  # noqa: BLE001 - assemble reports it, as it would live
                self.failed[c] = exc
            bar.progress(n / n_all, text=f"{self.label} {n} of {n_all} computed ({c.source} → "
                                         f"{c.target}, ω={c.omega}, δ={c.delta:.2f})")
            if n < n_all and time.monotonic() - last >= self.every_s:
                self._show(False)
                last = time.monotonic()
        self.bar_slot.empty()
        self.result = self._show(True)
        return self.result


def progressive(cells: Sequence[V.Settings], assemble: Callable[[V.MetricsFn], dict],
                draw: Callable[[dict, bool], None], label: str, every_s: float = 1.0) -> dict:
    """:class:`Progressive` at once: draws what the tables hold, computes the rest, returns the result."""
    return Progressive(cells, assemble, draw, label, every_s).finish()


# --------------------------------------------------------------------------------------------
# Sidebar
# --------------------------------------------------------------------------------------------
def _reset_pair() -> None:
    """When the dataset changes, start from its default encoder pair."""
    name = st.session_state.get("dataset")
    try:
        encs = list(get_dataset(name).encoders)
        src, tgt = V.default_pair(encs)
    except Exception:  # noqa: BLE001 - the sidebar shows the loader's error on the rerun
        return
    st.session_state["source"] = src
    st.session_state["target"] = tgt
    st.session_state.pop("linked_ids", None)


def sidebar() -> V.Settings | None:
    """Draw the shared sidebar and return the current settings (also kept in session state)."""
    sb = st.sidebar
    sb.header("IRP Explorer")
    pending = st.session_state.pop(PENDING_KEY, None)  # set by the Upload page
    if pending is not None:
        st.session_state["dataset"] = pending
        _reset_pair()
    try:
        names = dataset_names()
    except Exception as exc:  # noqa: BLE001
        sb.error(f"No embedding cache found: {exc}")
        st.session_state[SETTINGS_KEY] = None
        return None
    if not names:
        sb.error("The embedding cache lists no datasets.")
        st.session_state[SETTINGS_KEY] = None
        return None
    default_ds = names.index(D.DATASET) if D.DATASET in names else 0
    name = sb.selectbox("dataset", names, index=default_ds, key="dataset", bind=BIND,
                        on_change=_reset_pair)
    try:
        ds = get_dataset(name)
        encs = list(ds.encoders)
        src0, tgt0 = V.default_pair(encs)
        tables(name)  # read the precomputed tables now, once per server: pages then only look up
    except Exception as exc:  # noqa: BLE001
        sb.error(f"Could not load dataset {name!r}: {exc}")
        st.session_state[SETTINGS_KEY] = None
        return None
    source = sb.selectbox("source encoder (X)", encs, index=encs.index(src0), key="source",
                          bind=BIND)
    target = sb.selectbox("target encoder / decoder (Y)", encs, index=encs.index(tgt0),
                          key="target", bind=BIND)
    omega = sb.slider("ω: anchor subspaces", D.OMEGA_MIN, D.OMEGA_MAX, D.OMEGA, 1, key="omega",
                      bind=BIND, help="number of seeded prunings whose decodings are averaged")
    delta = sb.slider("δ: pruning threshold", D.DELTA_MIN, D.DELTA_MAX, D.DELTA, D.DELTA_STEP,
                      key="delta", bind=BIND, format="%.2f",
                      help="kept anchors satisfy |cos| ≤ 1 − δ: higher δ, fewer anchors")
    center = sb.selectbox("centring", D.CENTER_OPTIONS, index=D.CENTER_OPTIONS.index(D.CENTER),
                          key="center", bind=BIND,
                          help="whiten: each side centred and whitened in its own anchors' principal "
                               "axes before cosines (the default); anchor_mean: centred only; none: "
                               "raw cosines, the paper as written")
    ridge = sb.slider("ridge: decoding damping", D.RIDGE_MIN, D.RIDGE_MAX, D.RIDGE, D.RIDGE_STEP,
                      key="ridge", bind=BIND, format="%.2f",
                      help="Tikhonov damping of the pseudo-inverse, as a fraction of the largest "
                           "eigenvalue of the target anchors' Gram matrix; 0 is the plain pseudo-inverse")
    try:
        n_anchors = int(ds.space(source).anchors.shape[0])
    except Exception:  # noqa: BLE001
        n_anchors = 100000
    with sb.expander("advanced"):
        k = st.number_input(f"K: anchors used (0 = all {n_anchors})", 0, n_anchors, D.K, 50,
                            key="k", bind=BIND)
        seed = st.number_input("seed", 0, 100000, D.SEED, 1, key="seed", bind=BIND)
        whiten_floor = st.number_input("whitening variance floor", 0.0, 1.0, D.WHITEN_FLOOR, 0.001,
                                       format="%.4f", key="whiten_floor", bind=BIND,
                                       help="added to every principal variance, as a fraction of the "
                                            "largest (used with centring = whiten)")
        prune_on = st.selectbox("prune on", D.PRUNE_ON_OPTIONS,
                                index=D.PRUNE_ON_OPTIONS.index(D.PRUNE_ON), key="prune_on",
                                bind=BIND)
        rescale = st.selectbox("rescale", D.RESCALE_OPTIONS,
                               index=D.RESCALE_OPTIONS.index(D.RESCALE), key="rescale", bind=BIND)
        completion = st.checkbox("anchor completion", D.COMPLETION, key="completion", bind=BIND)
        head = st.selectbox("classifier head", D.HEAD_OPTIONS,
                            index=D.HEAD_OPTIONS.index(D.HEAD), key="head", bind=BIND)
    s = V.Settings(
        dataset=name, source=source, target=target, omega=int(omega), delta=round(float(delta), 4),
        k=int(k or 0), seed=int(seed or 0), center=center, whiten_floor=round(float(whiten_floor), 6),
        ridge=round(float(ridge), 4), prune_on=prune_on, rescale=rescale,
        completion=bool(completion), head=head,
    )
    st.session_state[SETTINGS_KEY] = s
    return s


def current() -> V.Settings | None:
    """The settings the sidebar produced in this run."""
    return st.session_state.get(SETTINGS_KEY)


def require_settings() -> V.Settings:
    s = current()
    if s is None:
        st.warning("No dataset is available yet: check the embedding cache.")
        st.stop()
    return s


def with_dataset(s: V.Settings, dataset: str, source: str, target: str) -> V.Settings:
    return replace(s, dataset=dataset, source=source, target=target)


def show_notes(t: V.Translation) -> None:
    for msg in t.extras.get("warnings", []):
        st.warning(msg)
