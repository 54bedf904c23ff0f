"""The Translate page's numbers and figures: one IRP fit, measured on the test split.

:func:`translate` scores a setting (its condition numbers optionally later, with
:func:`add_conditioning`); :func:`baselines` (independent of ω and δ, so cached apart) the direct
maps that see both anchor sets; the rest turns a :class:`Translation` into the page's tiles, table
and figures (and the figures download).
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard import defaults
from dashboard.views.common import anchors, head_accuracy, load_head, pair_anchors
from dashboard.views.layouts import display_rows, layout_figures, layout_panel_data, place_by_similarity
from dashboard.views.settings import KNOBS, MetricsFn, Settings, short_name, shown
from irp_core.scoring import METRICS


def _f32(a: np.ndarray) -> np.ndarray:
    return np.asarray(a, dtype=np.float32)


@dataclass
class Translation:
    settings: Settings
    pred: np.ndarray  # (n_test, d_y) translated test vectors, float32
    recon_per_sample: np.ndarray
    metrics: dict[str, Any]
    kept: list[int]
    cond_sub: list[float]
    cond_full: float
    pred_labels: np.ndarray | None = None
    confusion: np.ndarray | None = None
    seconds: float = 0.0
    extras: dict[str, Any] = field(default_factory=dict)
    conditioned: bool = True  # False: the pruned subsets' condition numbers are missing until add_conditioning
    translator: Any = None  # the fitted IRP, kept until add_conditioning has read its condition numbers


def fit_irp(ds, s: Settings, quiet: bool = False):
    """Fit IRP on the K parallel anchors of ``s.source`` -> ``s.target`` (``quiet``: see
    :meth:`irp_core.IRP.fit`)."""
    from irp_core import IRP

    return IRP(**s.irp_kwargs()).fit(*pair_anchors(ds, s), quiet=quiet)


def full_condition_number(
    ds,
    target: str,
    n_anchors: int = defaults.N_ANCHORS,
    center: str = defaults.CENTER,
    whiten_floor: float = defaults.WHITEN_FLOOR,
    random_state: int = defaults.RANDOM_STATE,
) -> float:
    """Condition number of all (unpruned) target anchors, in the coordinates the core decodes in:
    the core's own computation (IRP's ``condition_number_full_``), on the target side alone.

    It does not depend on ω or δ, so pages cache it apart from the fit.
    """
    from irp_core import functional
    from irp_core.relative import effective_condition_number
    from irp_core.spectrum import RTOL

    side = functional.prepare_side(anchors(ds.space(target), n_anchors, random_state), center, whiten_floor, RTOL)
    if not side.usable.any():
        return float("inf")
    return effective_condition_number(functional.full_singular_values(side), RTOL)


def pair_constants(ds, source: str, target: str, head: str = defaults.HEAD) -> dict[str, Any]:
    """What no setting of a pair changes: the target head's accuracy on the raw source vectors
    (``absolute``; None where the dims differ, as :func:`irp_core.scoring.score_pair` has it) and
    on the true target vectors (``non_stitch``), and both sides' norm statistics; a metric is left
    out without a head or labels. Pages cache them per pair, off the slider path (30 ms of every
    new MNIST setting)."""
    from irp_core import metrics

    sx, sy = ds.space(source), ds.space(target)
    h, labels = load_head(ds, target, head), sy.test_labels
    out: dict[str, Any] = {"norm_source": metrics.norm_stats(sx.test), "norm_target": metrics.norm_stats(sy.test)}
    if h is not None and labels is not None:
        out["absolute"] = head_accuracy(h, sx.test, labels) if sx.test.shape[1] == sy.test.shape[1] else None
        out["non_stitch"] = head_accuracy(h, sy.test, labels)
    return out


def translate(ds, s: Settings, light: bool = False, cond_full: float | None = None,
              conditioning: bool = True, pair: dict[str, Any] | None = None) -> Translation:
    """Fit IRP for ``s`` and measure it on the test split (no baselines: see :func:`baselines`).

    Scored by :func:`irp_core.scoring.score_pair`, whose ``metrics`` pass through unchanged, with
    ``cond_full`` and (not light) the pair's constants added: ``absolute``, ``non_stitch`` and the
    ``norm_*`` statistics. ``light=True`` (sweeps) skips retrieval, the non-stitch bound, the
    confusion matrix and norms, and the full-anchor condition number unless ``cond_full`` is given
    (a cached :func:`full_condition_number`). ``conditioning=False`` leaves out the pruned subsets'
    condition numbers (an eigenvalue decomposition per new subset: up to a third of a new setting's
    CPU time), so the scores come first; :func:`add_conditioning` adds them from the same fitted
    estimator. ``pair`` lets a caller pass cached :func:`pair_constants` (unused when light).
    """
    from irp_core import IRP, metrics
    from irp_core.scoring import score_pair

    t0 = time.perf_counter()
    sx, sy = ds.space(s.source), ds.space(s.target)
    head = load_head(ds, s.target, s.head)
    fixed = None if light else pair if pair is not None else pair_constants(ds, s.source, s.target, s.head)
    score = score_pair(IRP(**s.irp_kwargs()), *pair_anchors(ds, s), sx.test, sy.test,
                       labels=sy.test_labels, head=head, retrieval=not light, keep_similarities=not light,
                       non_stitch=False, absolute=light,  # not light: from the pair's constants
                       confusion=not light, n_classes=len(ds.classes), pred_dtype=np.float32,
                       conditioning=conditioning, capture_warnings=True)
    irp, m, pred = score.translator, dict(score.metrics), score.pred
    if cond_full is None and not light:
        cond_full = full_condition_number(ds, s.target, s.n_anchors, s.center, s.whiten_floor, s.random_state)
    if cond_full is not None:
        m["cond_full"] = cond_full
    extras = {"warnings": score.warnings, "irp_params": irp.get_params()}  # every option, defaults included
    # the amplification the decoding pays; settings are compared on it (Sensitivity, pinning),
    # since the raw figures ignore the ridge
    cond_sub, extras["cond_damped"] = _condition_numbers(irp) if conditioning else ([], [])
    if fixed is not None:
        m.update(fixed, norm_translated=metrics.norm_stats(pred))
        # the layouts' placements from the similarities retrieval already computed (no second product)
        rows = display_rows(sy.test.shape[0])
        extras["placement"] = (rows, *place_by_similarity(score.similarities[rows], sy.layout))
    return Translation(
        settings=s, pred=pred, recon_per_sample=_f32(score.recon_per_sample), metrics=m,
        kept=[int(v) for v in getattr(irp, "n_anchors_kept_", [])],
        cond_sub=cond_sub,
        cond_full=math.nan if cond_full is None else cond_full, pred_labels=score.pred_labels,
        confusion=score.confusion, seconds=time.perf_counter() - t0, extras=extras, conditioned=conditioning,
        translator=None if conditioning else irp,
    )


def _condition_numbers(irp) -> tuple[list[float], list[float]]:
    """Per subset: the raw condition numbers, and the damped ones (what the decoding pays). Read
    from the fit's memoised spectra; their warnings were captured when the scorer read them."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ([float(v) for v in getattr(irp, "condition_numbers_", [])],
                [float(v) for v in getattr(irp, "damped_condition_numbers_", [])])


def add_conditioning(ds, t: Translation) -> Translation:
    """``t`` with its pruned subsets' condition numbers, as :func:`translate` gives them: filled in
    place, once, and returned. They come from ``t``'s own fitted estimator (its spectra are
    memoised in the core), never from a refit, and the estimator is dropped afterwards.

    Fields are replaced, never mutated, and ``conditioned`` is set last, so a session reading a
    shared ``t`` meanwhile sees the old fields or the new ones; two sessions filling it at once
    compute the same values. (``ds`` is unused: kept so every caller passes what it has.)
    """
    from irp_core.scoring import fitted_metrics

    irp = t.translator
    if t.conditioned or irp is None:
        return t
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        added = fitted_metrics(irp)
    t.cond_sub, cond_damped = _condition_numbers(irp)
    t.metrics = {**t.metrics, **added}
    t.extras = {**t.extras, "cond_damped": cond_damped,
                "warnings": sorted(set(t.extras.get("warnings", [])) | {str(w.message) for w in caught})}
    t.conditioned = True
    t.translator = None
    return t


def baselines(ds, source: str, target: str, n_anchors: int = defaults.N_ANCHORS, head: str = defaults.HEAD,
              random_state: int = defaults.RANDOM_STATE) -> dict[str, dict]:
    """Direct translations with both anchor sets (Procrustes, linear map): ``recon`` and ``zero_shot``.

    They do not depend on ω/δ, so pages cache them separately.
    """
    from irp_core.baselines import LinearMap, Procrustes
    from irp_core.scoring import score_pair

    sx, sy = ds.space(source), ds.space(target)
    ax, ay = anchors(sx, n_anchors, random_state), anchors(sy, n_anchors, random_state)
    h = load_head(ds, target, head)
    out: dict[str, dict] = {}
    for name, cls in (("procrustes", Procrustes), ("linear", LinearMap)):
        try:
            m = score_pair(cls(), ax, ay, sx.test, sy.test, labels=sy.test_labels, head=h, retrieval=False,
                           non_stitch=False, absolute=False, pred_dtype=np.float32).metrics
            out[name] = {"recon": m["recon"], "recon_centred": m["recon_centred"], "zero_shot": m.get("zero_shot")}
        except Exception as exc:  # noqa: BLE001 - shown as a message next to the numbers
            out[name] = {"error": str(exc)}
    return out



def cell_metrics_fn(ds, fn: MetricsFn | None) -> MetricsFn:
    """``fn``, else a light :func:`translate`'s metrics: the per-cell function of the sweeps."""
    return fn if fn is not None else (lambda s: translate(ds, s, light=True).metrics)


class Tile(NamedTuple):
    """One tile of the Translate page: ``key`` is a metric's (:data:`irp_core.scoring.METRICS`) or,
    for the two tiles that are not one metric, :data:`KEPT_RANGE` or :data:`SECONDS`."""

    key: str
    label: str
    value: str
    help: str | None


KEPT_RANGE, SECONDS = "kept_range", "fit_seconds"
# The page's two rows of tiles, by key: the scores, then the anchors.
TILE_ROWS: tuple[tuple[str, ...], ...] = (
    ("recon", "recon_centred", "retrieval_top1", "zero_shot", "absolute", "non_stitch"),
    ("kept_mean", KEPT_RANGE, "cond_full", "cond_mean", "cond_max", "cond_damped_max", SECONDS),
)
N_TILES = sum(len(row) for row in TILE_ROWS)
# The tiles add_conditioning fills: until then they show PENDING.
CONDITIONING_TILES = ("cond_mean", "cond_max", "cond_damped_max")
PENDING = "…"
_OWN_TILES = {
    KEPT_RANGE: "anchors kept (min–max)",
    SECONDS: "fit + evaluate",
}
_SECONDS_HELP = ("seconds this setting took to score when first asked for (its condition numbers came after); "
                 "less where the server had its fit already: another session's setting, or a step it fitted "
                 "ahead while you looked")


def _tile(key: str, t: Translation) -> Tile:
    m = t.metrics
    if key == KEPT_RANGE:
        return Tile(key, _OWN_TILES[key], f"{m.get('kept_min', 0)}–{m.get('kept_max', 0)}", None)
    if key == SECONDS:
        return Tile(key, _OWN_TILES[key], f"{t.seconds:.2f} s", _SECONDS_HELP)
    metric = METRICS[key]
    if key in CONDITIONING_TILES and not t.conditioned:
        return Tile(key, metric.label, PENDING, "computed after the scores")
    help_ = metric.help
    if key == "kept_mean":
        help_ = f"per subspace, of {m.get('n_anchors')} anchors; min {m.get('kept_min')}, max {m.get('kept_max')}"
    return Tile(key, metric.label, metric.shown(m), help_)


def metric_tiles(t: Translation) -> list[list[Tile]]:
    """The page's rows of tiles (:data:`TILE_ROWS`), labelled and formatted by the metric registry.
    A tile of :data:`CONDITIONING_TILES` shows :data:`PENDING` while ``t`` is not conditioned."""
    return [[_tile(key, t) for key in row] for row in TILE_ROWS]


def settings_caption(s: Settings) -> str:
    """Every setting behind the tiles, in one line (every knob of :data:`settings.KNOBS`)."""
    knobs = ", ".join(f"{short_name(p)} = {shown(p, getattr(s, p.name))}" for p in KNOBS)
    return f"Numbers above: {knobs}, {s.head} head."


def summary_rows(t: Translation, base: dict[str, dict] | None = None) -> list[dict[str, str]]:
    """The stitching comparison as table rows: method, accuracy, reconstruction similarity raw and
    centred (raw cosine is inflated by a mean the spaces share; a baseline read from tables written
    before the centred figure existed shows it as n/a)."""
    m = t.metrics
    acc, recon, centred = "accuracy", METRICS["recon"].column, METRICS["recon_centred"].column
    rows = [
        {"method": "IRP zero-shot (this setting)", acc: METRICS["zero_shot"].shown(m),
         recon: METRICS["recon"].shown(m), centred: METRICS["recon_centred"].shown(m)},
        {"method": "absolute (raw source vectors)", acc: METRICS["absolute"].shown(m), recon: "-", centred: "-"},
        {"method": "non-stitch (true target vectors)", acc: METRICS["non_stitch"].shown(m),
         recon: "1.000", centred: "1.000"},
    ]
    for name, label in (("procrustes", "Procrustes (both anchor sets)"),
                        ("linear", "linear map (both anchor sets)")):
        b = (base or {}).get(name)
        if b is None:
            continue
        if "error" in b:
            rows.append({"method": label, acc: "n/a: " + b["error"], recon: "-", centred: "-"})
        else:
            rows.append({"method": label, acc: METRICS["zero_shot"].shown(b), recon: METRICS["recon"].shown(b),
                         centred: METRICS["recon_centred"].shown(b)})
    return rows


def recon_hist_figure(per_sample: np.ndarray) -> go.Figure:
    fig = go.Figure(go.Histogram(x=np.round(per_sample, 4), nbinsx=40, marker_color="#1f77b4"))
    fig.add_vline(x=float(np.mean(per_sample)), line_dash="dash",
                  annotation_text=f"mean {np.mean(per_sample):.3f}")
    fig.update_layout(height=260, margin={"l": 10, "r": 10, "t": 30, "b": 10},
                      title="cos(translated, true target) per test item",
                      xaxis_title="cosine", yaxis_title="items")
    return fig


def confusion_figure(cm: np.ndarray | None, classes: Sequence[str]) -> go.Figure:
    fig = go.Figure()
    if cm is not None:
        names = [str(c) for c in classes][: cm.shape[0]]
        fig.add_trace(go.Heatmap(z=cm, x=names, y=names, colorscale="Blues", text=cm,
                                 texttemplate="%{text}", showscale=False))
        fig.update_yaxes(autorange="reversed", title="true class")
        fig.update_xaxes(title="predicted (target head on translated)")
    fig.update_layout(height=380, margin={"l": 10, "r": 10, "t": 30, "b": 10},
                      title="stitching confusion matrix")
    return fig


def norms_figure(named: dict[str, np.ndarray]) -> go.Figure:
    """Overlaid histograms of vector norms (e.g. source, target, translated)."""
    fig = go.Figure()
    for name, x in named.items():
        n = np.linalg.norm(np.asarray(x, dtype=np.float32), axis=1)
        fig.add_trace(go.Histogram(x=np.round(n, 4), name=name, opacity=0.6, nbinsx=50))
    fig.update_layout(barmode="overlay", height=300, margin={"l": 10, "r": 10, "t": 30, "b": 10},
                      title="vector norms", xaxis_title="‖v‖", yaxis_title="items")
    return fig


def kept_cond_figure(t: Translation) -> go.Figure:
    fig = make_subplots(rows=1, cols=2, subplot_titles=("anchors kept per subspace",
                                                        "condition number per subspace"))
    x = [f"S{i + 1}" for i in range(len(t.kept))]
    fig.add_trace(go.Bar(x=x, y=t.kept, name="kept", marker_color="#2ca02c"), row=1, col=1)
    fig.add_trace(go.Bar(x=x, y=t.cond_sub, name="after pruning", marker_color="#9467bd"),
                  row=1, col=2)
    if math.isfinite(t.cond_full):
        fig.add_hline(y=t.cond_full, line_dash="dash", row=1, col=2,
                      annotation_text=f"all anchors: {t.cond_full:.3g}")
    fig.update_yaxes(type="log", row=1, col=2)
    fig.update_layout(height=260, margin={"l": 10, "r": 10, "t": 30, "b": 10}, showlegend=False)
    return fig



SMALL_FIGURES = {"recon_hist": "reconstruction similarity per item",
                 "kept_cond": "anchors kept and condition numbers", "norms": "vector norms",
                 "confusion": "confusion matrix"}  # key -> title in the figures download


def small_figures(ds, t: Translation) -> dict[str, go.Figure]:
    """The small figures of the details tab, by :data:`SMALL_FIGURES` key (``confusion`` only
    when the target has a head)."""
    s = t.settings
    sx, sy = ds.space(s.source), ds.space(s.target)
    figs = {"recon_hist": recon_hist_figure(t.recon_per_sample), "kept_cond": kept_cond_figure(t),
            "norms": norms_figure({f"source ({s.source})": sx.test,
                                   f"target ({s.target})": sy.test, "translated": t.pred})}
    if t.confusion is not None:
        figs["confusion"] = confusion_figure(t.confusion, ds.classes)
    return figs


def translate_figures(ds, t: Translation, selected: Sequence[int] = ()) -> dict[str, go.Figure]:
    """Every figure of the Translate page for ``t``, with ``selected`` ringed in the layouts."""
    s = t.settings
    fig_src, fig_tgt = layout_figures(layout_panel_data(ds, t), ds.classes, s.source, s.target,
                                      selected=selected)
    figs = {"source layout": fig_src, "target layout": fig_tgt}
    figs.update((SMALL_FIGURES[key], fig) for key, fig in small_figures(ds, t).items())
    return figs
