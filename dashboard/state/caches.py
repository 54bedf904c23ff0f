"""The cached numbers the pages read: precomputed tables first, else computed once and cached.

Caches are keyed on small identifiers (dataset name and the frozen
:class:`dashboard.views.settings.Settings`), never on arrays, and every slider-dependent cache is
bounded with ``max_entries``. Condition numbers, baselines and the metrics of the presets' pairs
and grids come first from the precomputed tables (``dashboard/precomputed.py``, read once per
server). An upload's results never enter Streamlit's caches, which every session shares:
:func:`session_cached` keeps them in a bounded cache of the session instead.
"""

from __future__ import annotations

import functools
from dataclasses import replace
from typing import Any

import streamlit as st

from dashboard import defaults, precomputed, uploads
from dashboard.state.session import UPLOAD_CACHE_KEY, get_dataset
from dashboard.views import crosslingual as crosslingual_view
from dashboard.views import scale as scale_view
from dashboard.views import spectrum as spectrum_view
from dashboard.views import translate as translate_view
from dashboard.views.common import frozen
from dashboard.views.layouts import layout_figures, layout_panel_data
from dashboard.views.settings import BY_REPR, Settings
from dashboard.views.translate import Translation


def session_cached(shared, max_entries: int = 16):
    """``shared`` (an st.cache_data/st.cache_resource decorator) for shipped data; for an upload, a
    ``functools.lru_cache`` of ``max_entries`` results in this session's state instead, since
    Streamlit's caches are shared by all sessions.

    The first argument of the decorated function is a dataset name or a Settings. The session
    keeps one LRU per upload and function, found by the function's file and qualified name: a page
    script defines its functions anew on every run, and their results must outlive the run.
    """
    def wrap(fn):
        cached = shared(fn)
        fn_key = (fn.__code__.co_filename, fn.__qualname__)

        @functools.wraps(fn)
        def call(*args, **kwargs):
            first = args[0] if args else next(iter(kwargs.values()))
            name = getattr(first, "dataset", first)
            if not uploads.is_upload_name(name):
                return cached(*args, **kwargs)
            per_upload = st.session_state.setdefault(UPLOAD_CACHE_KEY, {}).setdefault(name, {})
            memo = per_upload.get(fn_key)
            if memo is None:
                memo = per_upload[fn_key] = _lru(max_entries)
            memo.fn = fn  # this run's definition: the LRU must not keep an old run's globals alive
            return memo(*args, **kwargs)

        call.clear = cached.clear
        return call

    return wrap


def _lru(max_entries: int):
    """A ``functools.lru_cache`` of ``max_entries`` results, calling whatever function its ``fn`` is."""

    def compute(*args, **kwargs):
        return memo.fn(*args, **kwargs)

    memo = functools.lru_cache(maxsize=max_entries)(compute)
    return memo


@st.cache_resource(show_spinner=False)
def _tables(name: str) -> precomputed.Tables | None:
    """The dataset's precomputed tables (``dashboard/precomputed.py``), read once per server."""
    return precomputed.load_tables(name)


def tables(name: str) -> precomputed.Tables | None:
    """The shipped dataset's tables, or None (an upload, or no usable table: compute live)."""
    if uploads.is_upload_name(name):
        return None
    try:
        return _tables(name)
    except Exception:  # noqa: BLE001 - the tables only speed things up
        return None


@session_cached(st.cache_data(max_entries=256, show_spinner=False))
def _live_cond_full(dataset: str, target: str, n_anchors: int, center: str, whiten_floor: float,
                    random_state: int) -> float:
    return precomputed.live_cond_full(get_dataset(dataset), target, n_anchors, center, whiten_floor, random_state)


def cached_cond_full(dataset: str, target: str, n_anchors: int, center: str, whiten_floor: float,
                     random_state: int) -> float:
    """Condition number of all target anchors: independent of ω and δ, so off the slider path.

    From the precomputed tables when they hold it (K = all anchors, where the seed picks no rows),
    else computed (and cached).
    """
    t = tables(dataset) if not n_anchors else None
    v = None if t is None else t.cond_full(target, n_anchors, center, whiten_floor)
    return v if v is not None else _live_cond_full(dataset, target, n_anchors, center, whiten_floor, random_state)


cached_cond_full.clear = _live_cond_full.clear


@session_cached(st.cache_data(max_entries=defaults.CACHE_ENTRIES, show_spinner=False))
def cached_pair_constants(dataset: str, source: str, target: str, head: str) -> dict[str, Any]:
    """The numbers of a pair that no setting changes (:func:`translate_view.pair_constants`)."""
    return translate_view.pair_constants(get_dataset(dataset), source, target, head)


# cache_resource, not cache_data: a hit hands over the shared object instead of unpickling a copy
# of its 2000 x d translation on every rerun of every session. Pages only read it (add_conditioning
# completes it once).
@session_cached(st.cache_resource(hash_funcs=BY_REPR, max_entries=defaults.CACHE_ENTRIES, show_spinner="Translating…"),
                max_entries=8)
def cached_scores(s: Settings) -> Translation:
    """The translation at ``s`` as soon as it is scored: its pruned condition numbers may still be
    missing (``conditioned`` False). Shared: :func:`cached_translation` completes this object."""
    cond = cached_cond_full(s.dataset, s.target, s.n_anchors, s.center, s.whiten_floor, s.random_state)
    pair = cached_pair_constants(s.dataset, s.source, s.target, s.head)
    return translate_view.translate(get_dataset(s.dataset), s, cond_full=cond, conditioning=False, pair=pair)


def cached_translation(s: Settings) -> Translation:
    """The translation at ``s``, condition numbers included (the first call for a setting adds them)."""
    return translate_view.add_conditioning(get_dataset(s.dataset), cached_scores(s))


cached_translation.clear = cached_scores.clear


@session_cached(st.cache_data(hash_funcs=BY_REPR, max_entries=4096, show_spinner=False), max_entries=256)
def _live_metrics(s: Settings) -> dict[str, Any]:
    cond = cached_cond_full(s.dataset, s.target, s.n_anchors, s.center, s.whiten_floor, s.random_state)
    return precomputed.live_metrics(get_dataset(s.dataset), s, cond)


def table_metrics(s: Settings) -> dict[str, Any] | None:
    """The precomputed metrics at exactly ``s``, or None: a dict lookup, never a fit."""
    t = tables(s.dataset)
    return None if t is None else t.metrics(s)


def cached_metrics(s: Settings) -> dict[str, Any]:
    """Only the small numbers of a translation: what sweeps need (tables first, else live)."""
    m = table_metrics(s)
    return m if m is not None else _live_metrics(s)


cached_metrics.clear = _live_metrics.clear


def setting_metrics(s: Settings) -> dict[str, Any]:
    """The metrics of the one setting a page shows beside the Translate page (Method): tables first,
    else the translation that page shares. A light fit of its own would score the setting a
    second time when a student switches pages; their figures are the same to the bit."""
    m = table_metrics(s)
    return m if m is not None else cached_translation(s).metrics


@session_cached(st.cache_data(max_entries=defaults.CACHE_ENTRIES, show_spinner=False))
def _live_baselines(dataset: str, source: str, target: str, n_anchors: int, head: str, random_state: int) -> dict:
    return precomputed.live_baselines(get_dataset(dataset), source, target, n_anchors, head, random_state)


def cached_baselines(dataset: str, source: str, target: str, n_anchors: int, head: str, random_state: int) -> dict:
    """Procrustes and linear-map baselines of a pair (tables first at K = all anchors, else live)."""
    t = tables(dataset) if not n_anchors else None
    b = None if t is None else t.baselines(source, target, n_anchors, head)
    return b if b is not None else _live_baselines(dataset, source, target, n_anchors, head, random_state)


cached_baselines.clear = _live_baselines.clear


@session_cached(
    st.cache_resource(hash_funcs=BY_REPR, max_entries=defaults.CACHE_ENTRIES, show_spinner=False), max_entries=8
)
def cached_panel(s: Settings, n_show: int = defaults.N_LAYOUT_POINTS) -> dict:
    ds = get_dataset(s.dataset)
    return layout_panel_data(ds, cached_scores(s), n_show)



@session_cached(
    st.cache_resource(hash_funcs=BY_REPR, max_entries=defaults.CACHE_ENTRIES, show_spinner=False), max_entries=8
)
def cached_layout_figures(s: Settings, selected: tuple[int, ...] = ()) -> tuple:
    """The two layout charts, built once per setting and selection: building them (plotly
    validates the layout) was a quarter of a rerun's server time. Shared, so never mutated."""
    ds = get_dataset(s.dataset)
    return layout_figures(cached_panel(s), ds.classes, s.source, s.target, selected=list(selected))


@session_cached(st.cache_resource(hash_funcs=BY_REPR, max_entries=defaults.CACHE_ENTRIES, show_spinner=False))
def cached_small_figures(s: Settings) -> dict:
    """The small figures of the Translate page, built once (plotly validation is slow); never mutated."""
    return {
        k: frozen(f) for k, f in translate_view.small_figures(get_dataset(s.dataset), cached_translation(s)).items()
    }


@session_cached(st.cache_data(max_entries=8, show_spinner="Measuring norms…"))
def cached_norm_fits(dataset: str) -> list[dict]:
    return scale_view.norm_fits(get_dataset(dataset))


@session_cached(st.cache_data(hash_funcs=BY_REPR, max_entries=32, show_spinner="Rescaling inputs…"))
def cached_alpha_curves(s: Settings) -> dict:
    """Head accuracy vs input scale on the target, for its true vectors and the IRP translation."""
    return scale_view.alpha_curves(
        get_dataset(s.dataset), s.target, extra={"IRP translated": cached_translation(s).pred}
    )


@st.cache_data(hash_funcs=BY_REPR, max_entries=defaults.CACHE_ENTRIES, show_spinner="Translating…")
def cached_crosslingual(corpus: str, s: Settings, model: str, lang: str, target: str) -> dict:
    """The Cross-lingual page's numbers on a shipped corpus (so Streamlit's shared cache)."""
    out = crosslingual_view.crosslingual(get_dataset(corpus), s, model, lang, target)
    t = out.pop("translation")  # the vectors stay out of the cache: only the numbers are shown
    out["metrics"] = {k: v for k, v in t.metrics.items() if not k.startswith("norm_")}
    out["warnings"] = t.extras.get("warnings", [])
    return out


# -- the spectrum view (Translate's spectrum tab, the Method page) ------------------------------
# The spectra are the core's memoised ones (hits after the page's fit); the δ curve, the one new
# computation, is cached on what fixes it (not ω, δ or the ridge, so moving them reuses it).
def curve_key(s: Settings) -> Settings:
    """``s`` with what the δ curve does not depend on set to the defaults: one cache entry per frame."""
    return replace(
        s,
        omega=defaults.OMEGA,
        delta=defaults.DELTA,
        ridge=defaults.RIDGE,
        head=defaults.HEAD,
        rescale=defaults.RESCALE,
        completion=defaults.COMPLETION,
    )


@session_cached(
    st.cache_data(hash_funcs=BY_REPR, max_entries=defaults.CACHE_ENTRIES, show_spinner="Pruning at every δ…"),
    max_entries=8,
)
def cached_curve(key: Settings, delta: float):
    return spectrum_view.delta_curve(get_dataset(key.dataset), replace(key, delta=delta))


@session_cached(
    st.cache_resource(hash_funcs=BY_REPR, max_entries=defaults.CACHE_ENTRIES, show_spinner=False), max_entries=8
)
def cached_pair_spectrum(s: Settings) -> spectrum_view.PairSpectrum:
    """Kept per setting: a rerun (a move of any other control, a page switch) hashes no anchors."""
    return spectrum_view.pair_spectrum(get_dataset(s.dataset), s)


@session_cached(
    st.cache_resource(hash_funcs=BY_REPR, max_entries=defaults.CACHE_ENTRIES, show_spinner=False), max_entries=8
)
def cached_spectrum_figures(s: Settings) -> tuple:
    """The spectrum, δ-curve and subsets figures, built once per setting (plotly's validation
    was ~70 % of a Method page rerun) and shared by every session: never mutated."""
    p = cached_pair_spectrum(s)
    curve = cached_curve(curve_key(s), round(float(s.delta), 4))
    return tuple(frozen(f) for f in (spectrum_view.spectrum_figure(p), spectrum_view.delta_curve_figure(curve, s),
                                     spectrum_view.subsets_figure(p)))
