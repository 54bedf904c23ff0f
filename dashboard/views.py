"""Pure view functions: parameters -> numbers and plotly figures.

No Streamlit here: every function takes a loaded dataset (``irp_core.cache.load_dataset``) and
plain settings, calls ``irp_core``, and returns numbers (dicts, arrays) or ``plotly`` figures.
Pages in ``dashboard/pages`` only wire widgets to these functions; ``tests/test_dashboard_views.py``
tests them without Streamlit.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard import defaults as D
from dashboard import exports as X

PALETTE = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
)
NA_DIMS = "n/a: dims differ"


# --------------------------------------------------------------------------------------------
# Settings
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Settings:
    """One translation setting: what the sidebar (and the URL) holds. Hashable, small."""

    dataset: str = D.DATASET
    source: str = ""
    target: str = ""
    omega: int = D.OMEGA
    delta: float = D.DELTA
    k: int = D.K  # 0: all anchors
    seed: int = D.SEED
    center: str = D.CENTER
    whiten_floor: float = D.WHITEN_FLOOR
    ridge: float = D.RIDGE
    prune_on: str = D.PRUNE_ON
    rescale: str = D.RESCALE
    completion: bool = D.COMPLETION
    head: str = D.HEAD

    def irp_kwargs(self) -> dict[str, Any]:
        return {
            "omega": int(self.omega), "delta": float(self.delta), "seed": int(self.seed),
            "center": self.center, "whiten_floor": float(self.whiten_floor), "ridge": float(self.ridge),
            "prune_on": self.prune_on, "rescale": self.rescale,
            "completion": bool(self.completion),
        }

    def with_pair(self, source: str, target: str) -> Settings:
        return replace(self, source=source, target=target)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def default_pair(encoders: Sequence[str]) -> tuple[str, str]:
    """The default (source, target): the dataset's first two encoders."""
    if not encoders:
        raise ValueError("dataset has no encoders")
    src = encoders[min(D.SOURCE_INDEX, len(encoders) - 1)]
    tgt = encoders[min(D.TARGET_INDEX, len(encoders) - 1)]
    return src, tgt


def _f32(a: np.ndarray) -> np.ndarray:
    return np.asarray(a, dtype=np.float32)


def _unit(a: np.ndarray) -> np.ndarray:
    a = np.asarray(a, dtype=np.float32)
    n = np.linalg.norm(a, axis=1, keepdims=True)
    return a / np.maximum(n, 1e-12)


def _anchors(sp, k: int) -> np.ndarray:
    """First ``k`` anchors (all when k <= 0 or k >= available)."""
    a = sp.anchors
    if k and 0 < k < a.shape[0]:
        return a[:k]
    return a


def _load_head(ds, enc: str, kind: str):
    """The encoder's classifier head, or ``None`` when the dataset ships none."""
    try:
        return ds.head(enc, kind)
    except Exception:  # noqa: BLE001 - no head means "n/a", never a crash
        return None


def _acc(head, x, labels) -> float | None:
    from irp_core import metrics

    if head is None or labels is None:
        return None
    return float(metrics.stitching_accuracy(head, np.asarray(x), np.asarray(labels)))


# --------------------------------------------------------------------------------------------
# Translation: the numbers of the Translate page
# --------------------------------------------------------------------------------------------
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


def fit_irp(ds, s: Settings):
    """Fit IRP on the (first k) parallel anchors of ``s.source`` -> ``s.target``."""
    from irp_core import IRP

    sx, sy = ds.space(s.source), ds.space(s.target)
    ax, ay = _anchors(sx, s.k), _anchors(sy, s.k)
    return IRP(**s.irp_kwargs()).fit(ax, ay)


def full_condition_number(ds, target: str, k: int = D.K, center: str = D.CENTER,
                          whiten_floor: float = D.WHITEN_FLOOR) -> float:
    """Condition number of all (unpruned) target anchors, in the coordinates the core decodes in.

    It does not depend on ω or δ, so pages cache it apart from the fit.
    """
    from irp_core.relative import effective_condition_number, normalize_rows, working_frame

    ay = np.asarray(_anchors(ds.space(target), k), dtype=np.float64)
    ny = normalize_rows(working_frame(ay, center, whiten_floor).to_working(ay))
    ny = ny[np.linalg.norm(ny, axis=1) > 0.5]
    if ny.size == 0:
        return float("inf")
    return float(effective_condition_number(np.linalg.svd(ny, compute_uv=False)))


def translate(ds, s: Settings, light: bool = False, cond_full: float | None = None) -> Translation:
    """Fit IRP for ``s`` and measure it on the test split (no baselines: see :func:`baselines`).

    Scored by :func:`irp_core.scoring.score_pair`; ``metrics`` keys are its canonical names, plus
    ``ridge`` and (not light) the ``norm_*`` statistics. ``light=True`` (sweeps) skips retrieval,
    the non-stitch bound, the confusion matrix, norms and the full-anchor condition number (NaN
    unless ``cond_full`` is given). ``cond_full`` lets a caller pass a cached
    :func:`full_condition_number`.
    """
    from irp_core import IRP, metrics
    from irp_core.scoring import score_pair

    t0 = time.perf_counter()
    sx, sy = ds.space(s.source), ds.space(s.target)
    head = _load_head(ds, s.target, s.head)
    score = score_pair(IRP(**s.irp_kwargs()), _anchors(sx, s.k), _anchors(sy, s.k), sx.test, sy.test,
                       labels=sy.test_labels, head=head, retrieval=not light, keep_similarities=not light,
                       non_stitch=not light,
                       confusion=not light, n_classes=len(ds.classes), pred_dtype=np.float32,
                       capture_warnings=True)
    irp, sm, pred = score.translator, score.metrics, score.pred
    kept = [int(v) for v in getattr(irp, "n_anchors_kept_", [])]
    with warnings.catch_warnings():  # score_pair read them first and captured their warnings
        warnings.simplefilter("ignore")
        cond_sub = [float(v) for v in getattr(irp, "condition_numbers_", [])]  # memoised: no recompute
    if cond_full is None:
        cond_full = float("nan") if light else full_condition_number(ds, s.target, s.k, s.center, s.whiten_floor)
    m = {
        "recon": sm["recon"],
        "recon_centred": sm["recon_centred"],
        "retrieval_top1": sm.get("retrieval_top1", float("nan")),
        "kept_mean": sm.get("kept_mean", float("nan")),
        "kept_min": sm.get("kept_min", 0),
        "kept_max": sm.get("kept_max", 0),
        "n_anchors": sm["n_anchors"],
        "cond_full": cond_full,
        "cond_mean": sm.get("cond_mean", float("nan")),
        "cond_max": sm.get("cond_max", float("nan")),
        "ridge": float(getattr(irp, "ridge", 0.0)),  # damping of the decoding: tames a high cond_max
        "zero_shot": sm.get("zero_shot"),
        "absolute": sm.get("absolute") if sx.test.shape[1] == sy.test.shape[1] else NA_DIMS,
        "non_stitch": sm.get("non_stitch"),
    }
    extras = {"warnings": score.warnings, "irp_params": irp.get_params()}  # every option, defaults included
    if not light:
        m.update(norm_source=metrics.norm_stats(sx.test), norm_target=metrics.norm_stats(sy.test),
                 norm_translated=metrics.norm_stats(pred))
        # the layouts' placements from the similarities retrieval already computed (no second product)
        rows = display_rows(sy.test.shape[0])
        extras["placement"] = (rows, *place_by_similarity(score.similarities[rows], sy.layout))
    return Translation(
        settings=s, pred=pred, recon_per_sample=_f32(score.per_sample), metrics=m, kept=kept,
        cond_sub=cond_sub, cond_full=cond_full, pred_labels=score.pred_labels, confusion=score.confusion,
        seconds=time.perf_counter() - t0,
        extras=extras,
    )


def baselines(ds, source: str, target: str, k: int = D.K, head: str = D.HEAD) -> dict[str, dict]:
    """Direct translations with both anchor sets (Procrustes, linear map): ``recon`` and ``zero_shot``.

    They do not depend on ω/δ, so pages cache them separately.
    """
    from irp_core.baselines import LinearMap, Procrustes
    from irp_core.scoring import score_pair

    sx, sy = ds.space(source), ds.space(target)
    ax, ay = _anchors(sx, k), _anchors(sy, k)
    h = _load_head(ds, target, head)
    out: dict[str, dict] = {}
    for name, cls in (("procrustes", Procrustes), ("linear", LinearMap)):
        try:
            m = score_pair(cls(), ax, ay, sx.test, sy.test, labels=sy.test_labels, head=h, retrieval=False,
                           non_stitch=False, absolute=False, pred_dtype=np.float32).metrics
            out[name] = {"recon": m["recon"], "zero_shot": m.get("zero_shot")}
        except Exception as exc:  # noqa: BLE001 - shown as a message next to the numbers
            out[name] = {"error": str(exc)}
    return out


def fmt(v: Any, digits: int = 3) -> str:
    """Format a metric for display: floats rounded, ``None`` as n/a, strings as they are."""
    if v is None:
        return "n/a"
    if isinstance(v, str):
        return v
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    v = float(v)
    if math.isnan(v):
        return "n/a"
    if math.isinf(v):
        return "∞" if v > 0 else "-∞"
    if abs(v) >= 1e4:
        return f"{v:.3g}"
    return f"{v:.{digits}f}"


def summary_rows(t: Translation, base: dict[str, dict] | None = None) -> list[dict[str, str]]:
    """The stitching comparison as table rows: method, accuracy, reconstruction similarity."""
    m = t.metrics
    rows = [
        {"method": "IRP zero-shot (this setting)", "accuracy": fmt(m["zero_shot"]),
         "recon. similarity": fmt(m["recon"])},
        {"method": "absolute (raw source vectors)", "accuracy": fmt(m["absolute"]),
         "recon. similarity": "-"},
        {"method": "non-stitch (true target vectors)", "accuracy": fmt(m["non_stitch"]),
         "recon. similarity": "1.000"},
    ]
    for name, label in (("procrustes", "Procrustes (both anchor sets)"),
                        ("linear", "linear map (both anchor sets)")):
        b = (base or {}).get(name)
        if b is None:
            continue
        if "error" in b:
            rows.append({"method": label, "accuracy": "n/a: " + b["error"], "recon. similarity": "-"})
        else:
            rows.append({"method": label, "accuracy": fmt(b["zero_shot"]),
                         "recon. similarity": fmt(b["recon"])})
    return rows


# --------------------------------------------------------------------------------------------
# Edges of the controls: what a setting does to the numbers, in words
# --------------------------------------------------------------------------------------------
FEW_KEPT = 5  # a subspace keeping this many anchors or fewer decodes into a span this thin
COND_HIGH = 100.0  # above this, the pruned anchor matrices amplify noise in the cosines visibly
# core messages that a note below restates in terms of the controls (tests/test_app_edges.py
# checks them against the core's real messages)
CORE_FEW_ANCHORS = "anchors for a"
CORE_SINGLE_ANCHOR = "kept a single anchor"


def edge_notes(s: Settings, m: dict[str, Any], target_dims: int | Sequence[int],
               core: Sequence[str] = ()) -> list[str]:
    """Warnings for a setting at the edge of the controls, saying what happens and what to move.

    ``m`` holds ``kept_min``, ``kept_max``, ``n_anchors`` and ``cond_max`` (a translation's
    metrics, or their extremes over several pairs); ``target_dims`` the target dimension(s);
    ``core`` the core's own warnings, kept unless a note here already says the same.
    """
    dims = [int(d) for d in np.atleast_1d(target_dims)]
    notes: list[str] = []
    superseded: list[str] = []
    n = int(m.get("n_anchors") or 0)
    kmin, kmax = m.get("kept_min"), m.get("kept_max")
    if kmin is not None and kmax is not None and np.isfinite(kmin) and 0 < kmin <= FEW_KEPT:
        kmin, kmax = int(kmin), int(kmax)
        kept = str(kmin) if kmin == kmax else f"{kmin}–{kmax}"
        span = "a 1-D span (a single direction)" if kmax == 1 else f"a span of at most {kmax} dimensions"
        reach = min(s.omega * kmax, n, max(dims))
        fixes = (["lower δ"] if s.delta > D.DELTA_MIN else []) + (["raise K"] if s.k else [])
        why = (" or ".join(fixes) if fixes else
               "at δ = 0 only colinear anchors are dropped, so these anchors are (nearly) colinear")
        if s.completion:  # the rest of the span comes from every anchor, unpruned
            notes.append(f"δ = {s.delta:.2f} keeps only {kept} of {n} anchors per subspace, so anchor "
                         "completion supplies almost all of the translation from the full, unpruned "
                         f"anchor set: pruning does little here ({why}).")
        else:
            notes.append(f"δ = {s.delta:.2f} keeps only {kept} of {n} anchors per subspace: each subspace "
                         f"decodes into {span}, and the average of ω = {s.omega} reaches at most {reach} "
                         f"of the target's {max(dims)} dimensions; expect lower accuracy ({why}).")
        if kmax == 1:
            superseded.append(CORE_SINGLE_ANCHOR)
    below = [d for d in dims if 0 < n < d]
    if below:
        who = f"K = {n}" if s.k else f"The dataset's {n} anchors"
        than = (f"target dim {below[0]}" if len(dims) == 1
                else f"the dimension of {len(below)} of {len(dims)} target spaces (up to {max(below)})")
        fix = "raise K (0 = all anchors)" if s.k else "only more anchors would help"
        notes.append(f"{who} < {than}: every translation lies in the span of the {n} target anchors, "
                     f"so at most {n} directions of the target space can be reached; {fix}.")
        superseded.append(CORE_FEW_ANCHORS)
    prunes = kmax is None or not np.isfinite(kmax) or n == 0 or kmax < n  # else every subset is the same
    if s.omega <= 1 and prunes:
        notes.append("ω = 1: a single pruned anchor subset and nothing to average, so the translation "
                     "rests on the anchors this seed's farthest-point sampling happens to keep; raise ω "
                     "to average several subsets.")
    elif 1 < s.omega < D.OMEGA_MAX and not prunes:
        notes.append(f"δ = {s.delta:.2f} keeps every anchor, so the ω = {s.omega} subsets are one and "
                     "the same set: ω changes nothing here. Raise δ to prune and give ω different "
                     "subsets to average.")
    elif s.omega >= D.OMEGA_MAX:
        what = ("anchor subsets are fitted and averaged for every translation" if prunes else
                f"subsets are fitted, all the same: δ = {s.delta:.2f} keeps every anchor, so ω only costs time")
        notes.append(f"ω = {s.omega} (the maximum): {s.omega} {what}; each fit costs that many "
                     "pseudo-inverses and pages that translate many pairs are slower.")
    cmax = m.get("cond_max")
    # with a ridge the decoding is damped: the undamped condition number no longer bounds its error
    if cmax is not None and not np.isnan(cmax) and cmax > COND_HIGH and not s.ridge:
        notes.append(f"The pruned anchor matrices are ill-conditioned (condition number up to "
                     f"{fmt(cmax, 0)}): near-duplicate or colinear anchors, whose inverse amplifies "
                     "small differences in the cosines; raise δ to prune them.")
    notes += [c for c in core if not any(x in c for x in superseded)]
    return list(dict.fromkeys(notes))


def target_dim(ds, enc: str) -> int:
    return int(ds.space(enc).test.shape[1])


def anchors_used(ds, enc: str, k: int) -> int:
    """How many anchors a fit with ``K = k`` sees (0: all)."""
    return int(_anchors(ds.space(enc), k).shape[0])


def pairs_extremes(res: dict) -> dict[str, Any]:
    """The range of anchors kept and the worst conditioning over the pairs of ``all_pairs``."""

    def pick(key: str, fn) -> float | None:
        v = np.asarray(res.get(key, []), dtype=float)
        v = v[np.isfinite(v)]
        return float(fn(v)) if v.size else None

    return {"kept_min": pick("kept_min", np.min), "kept_max": pick("kept_max", np.max),
            "cond_max": pick("cond_max", np.max)}


# --------------------------------------------------------------------------------------------
# Exports: what the download buttons hold (built on click; see dashboard.exports)
# --------------------------------------------------------------------------------------------
def translation_file(ds, t: Translation) -> bytes:
    """The translated test split as ``.npz``: vectors, item ids, labels, per-item cosine, settings."""
    s = t.settings
    sx, sy = ds.space(s.source), ds.space(s.target)
    extra: dict[str, Any] = {"cos_translated_true": t.recon_per_sample}
    if t.pred_labels is not None:
        extra["predicted"] = t.pred_labels
    classes = list(ds.classes) or None  # an upload without labels has no classes
    return X.translation_npz(t.pred, sx.test_ids, sy.test_labels, export_settings(t), classes, extra)


def export_settings(t: Translation) -> dict[str, Any]:
    """The page's settings and every parameter of the fitted IRP (``irp_<name>``; None omitted), so
    a file stays reproducible when the library's defaults change."""
    params = t.extras.get("irp_params", {})
    return {**t.settings.as_dict(), **{f"irp_{k}": v for k, v in params.items() if v is not None}}


def metrics_file(t: Translation, base: dict[str, dict] | None = None) -> bytes:
    """The Translate page's numbers and the baselines as a long CSV (``name, value``)."""
    return X.rows_csv(X.metrics_rows(export_settings(t), t.metrics, base))


def selection_file(ds, t: Translation, selected: Sequence[int]) -> bytes:
    """The linked selection as CSV: every selected item (not only those shown), with its class,
    the target head's prediction, the translation's cosine and, for text datasets, the text."""
    s = t.settings
    sy = ds.space(s.target)
    n = len(t.recon_per_sample)
    rows = np.asarray([int(r) for r in selected if 0 <= int(r) < n], dtype=int)
    item_ids = np.asarray(sy.test_ids)[rows]
    labels = np.asarray(sy.test_labels)[rows] if sy.test_labels is not None else None
    predicted = np.asarray(t.pred_labels)[rows] if t.pred_labels is not None else None
    texts = None
    if getattr(ds, "modality", "image") == "text":
        try:
            texts = list(ds.item_texts(item_ids))
        except Exception:  # noqa: BLE001 - the ids and classes are still worth exporting
            texts = None
    return X.rows_csv(X.selection_rows(rows, item_ids, labels, list(ds.classes), predicted,
                                       t.recon_per_sample[rows], texts))


def translate_figures(ds, t: Translation, selected: Sequence[int] = ()) -> dict[str, go.Figure]:
    """Every figure of the Translate page for ``t``, with ``selected`` ringed in the layouts."""
    s = t.settings
    sx, sy = ds.space(s.source), ds.space(s.target)
    fig_src, fig_tgt = layout_figures(layout_panel_data(ds, t), ds.classes, s.source, s.target,
                                      selected=selected)
    figs = {"source layout": fig_src, "target layout": fig_tgt,
            "reconstruction similarity per item": recon_hist_figure(t.recon_per_sample),
            "anchors kept and condition numbers": kept_cond_figure(t),
            "vector norms": norms_figure({f"source ({s.source})": sx.test,
                                          f"target ({s.target})": sy.test, "translated": t.pred})}
    if t.confusion is not None:
        figs["confusion matrix"] = confusion_figure(t.confusion, ds.classes)
    return figs


# --------------------------------------------------------------------------------------------
# Layouts: precomputed 2-D maps, translated points placed without refitting
# --------------------------------------------------------------------------------------------
def display_rows(n_test: int, n_show: int = D.N_LAYOUT_POINTS, seed: int = 0) -> np.ndarray:
    """A fixed, sorted subsample of test rows to draw (all rows when n_test <= n_show)."""
    if n_test <= n_show:
        return np.arange(n_test)
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(n_test, size=n_show, replace=False))


def place_in_layout(pred: np.ndarray, target_test: np.ndarray, target_layout: np.ndarray,
                    k: int = D.PLACE_K) -> tuple[np.ndarray, np.ndarray]:
    """Place translated vectors in the target's precomputed layout, without refitting.

    Each translated vector goes to the mean layout position of its ``k`` nearest true target test
    embeddings by cosine. Returns (positions (n, 2), index of the nearest true target row (n,)).
    """
    return place_by_similarity(_unit(pred) @ _unit(target_test).T, target_layout, k)


def place_by_similarity(sims: np.ndarray, target_layout: np.ndarray,
                        k: int = D.PLACE_K) -> tuple[np.ndarray, np.ndarray]:
    """:func:`place_in_layout` from cos(translated i, true target j), shape (n, n_test)."""
    k = max(1, min(int(k), sims.shape[1]))
    idx = np.argpartition(-sims, k - 1, axis=1)[:, :k]
    pos = np.asarray(target_layout, dtype=np.float32)[idx].mean(axis=1)
    nearest = idx[np.arange(len(idx)), np.argmax(np.take_along_axis(sims, idx, 1), axis=1)]
    return pos.astype(np.float32), nearest


def layout_panel_data(ds, t: Translation, n_show: int = D.N_LAYOUT_POINTS) -> dict[str, np.ndarray]:
    """Rows drawn, their source/target layout positions, translated placements and labels."""
    s = t.settings
    sx, sy = ds.space(s.source), ds.space(s.target)
    rows = display_rows(sy.test.shape[0], n_show)
    cached = t.extras.get("placement")
    if cached is not None and np.array_equal(cached[0], rows):
        placed, nearest = cached[1], cached[2]
    else:
        placed, nearest = place_in_layout(t.pred[rows], sy.test, sy.layout)
    labels = np.asarray(sy.test_labels)[rows] if sy.test_labels is not None else np.zeros(len(rows), int)
    return {
        "rows": rows,
        "src_xy": np.asarray(sx.layout, dtype=np.float32)[rows],
        "tgt_xy": np.asarray(sy.layout, dtype=np.float32)[rows],
        "placed_xy": placed,
        "nearest": nearest,
        "labels": labels,
        "cos": t.recon_per_sample[rows],
    }


def _class_name(classes: Sequence[str], c: int) -> str:
    try:
        return str(classes[int(c)])
    except (IndexError, TypeError, ValueError):
        return str(c)


def _scatter(x, y, col: int, **kw) -> dict:
    """A scatter trace as a plain dict (validated once by the tests, not on every rerun)."""
    axes = {} if col == 1 else {"xaxis": "x2", "yaxis": "y2"}
    return {"type": "scatter", "x": np.round(np.asarray(x, dtype=np.float32), 3),
            "y": np.round(np.asarray(y, dtype=np.float32), 3), **axes, **kw}


def layout_figures(panel: dict[str, np.ndarray], classes: Sequence[str], source: str,
                   target: str, selected: Sequence[int] = ()) -> tuple[go.Figure, go.Figure]:
    """Two figures: the source layout, and the target layout with the translated points (×).

    Two charts rather than two subplots: the source chart does not depend on ω/δ, so a slider
    move leaves it untouched and the browser redraws only the target chart. Every point carries
    its global test row id in ``customdata`` so a selection in either chart is read by item, not
    by per-trace index. Items in ``selected`` are ringed in both, with a segment from each true
    target position to its translated placement (for the first ``N_LINKED_ITEMS``; at most
    ``MAX_RINGED`` rings).

    Built from plain dicts with plotly's validation off: validating ~3,000 points costs ~0.2 s
    per rerun, the dict form ~2 ms (``tests/test_dashboard_views.py`` validates them once).
    """
    rows, labels = panel["rows"], panel["labels"]
    sel = {int(r) for r in selected}
    dim = 0.25 if sel else 0.8
    # arrays, not lists: plotly deep-copies the figure on every draw, and an array copies at once
    names = np.asarray([_class_name(classes, c) for c in labels], dtype=object).astype(str)
    colors = np.asarray(PALETTE)[np.asarray(labels, dtype=int) % len(PALETTE)]
    ring = {"size": 11, "symbol": "circle-open", "color": "black", "line": {"width": 2}}
    ringed = np.isin(rows, list(sel)[:D.MAX_RINGED]) if sel else np.zeros(len(rows), bool)

    def base(xy, show_legend: bool) -> list[dict]:
        # one trace for all points (per-trace cost dominates the redraw); the class legend is
        # drawn by empty legend-only traces
        traces = [{"type": "scatter", "x": [None], "y": [None], "mode": "markers",
                   "name": _class_name(classes, c), "hoverinfo": "skip", "showlegend": show_legend,
                   "marker": {"size": 8, "color": PALETTE[int(c) % len(PALETTE)]}}
                  for c in np.unique(labels)]
        traces.append(_scatter(
            xy[:, 0], xy[:, 1], 1, mode="markers", name="items", showlegend=False,
            marker={"size": 5, "color": colors, "opacity": dim}, customdata=rows, text=names,
            hovertemplate="class %{text}<br>item %{customdata}<extra></extra>"))
        if sel:
            traces.append(_scatter(
                xy[ringed, 0], xy[ringed, 1], 1, mode="markers", name="selected", marker=ring,
                customdata=rows[ringed], hovertemplate="selected item %{customdata}<extra></extra>"))
        return traces

    src = base(panel["src_xy"], show_legend=True)
    tgt = base(panel["tgt_xy"], show_legend=False)
    tgt.append(_scatter(
        panel["placed_xy"][:, 0], panel["placed_xy"][:, 1], 1, mode="markers", name="translated",
        customdata=rows,
        marker={"size": 6, "symbol": "x-thin", "line": {"width": 1.5, "color": colors},
                "color": colors, "opacity": 0.35 if sel else 0.7},
        hovertemplate="translated item %{customdata}<extra></extra>"))
    if sel:
        seg_x, seg_y = [], []
        first = np.isin(rows, list(sel)[:D.N_LINKED_ITEMS])
        for a, b in zip(panel["tgt_xy"][first], panel["placed_xy"][first]):
            seg_x += [float(a[0]), float(b[0]), None]
            seg_y += [float(a[1]), float(b[1]), None]
        tgt.append({"type": "scatter", "x": seg_x, "y": seg_y, "mode": "lines",
                    "name": "true → translated", "hoverinfo": "skip",
                    "line": {"color": "black", "width": 1}})
    axis = {"showticklabels": False, "showgrid": False, "zeroline": False}

    def layout(title: str, legend: bool) -> dict:
        return {"title": {"text": title, "font": {"size": 14}}, "xaxis": axis, "yaxis": axis,
                "height": 440, "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
                "dragmode": "select", "clickmode": "event+select", "showlegend": True,
                "legend": {"itemsizing": "constant"} if legend else {}}

    return (go.Figure({"data": src, "layout": layout(f"source: {source}", True)}, _validate=False),
            go.Figure({"data": tgt, "layout": layout(
                f"target: {target} (● true, × translated)", False)}, _validate=False))


def selected_items(ds, t: Translation, panel: dict[str, np.ndarray], selected: Sequence[int],
                   limit: int = D.N_LINKED_ITEMS) -> dict[str, Any]:
    """What a selection shows: per item its class, prediction, cosine, and text or thumbnail."""
    s = t.settings
    sy = ds.space(s.target)
    ids = [int(r) for r in selected][:limit]
    if not ids:
        return {"rows": [], "items": [], "images": None, "texts": None, "n_selected": 0}
    rows = np.asarray(ids)
    item_ids = np.asarray(sy.test_ids)[rows]
    labels = np.asarray(sy.test_labels)[rows] if sy.test_labels is not None else None
    pos = {int(r): i for i, r in enumerate(panel["rows"])}
    items = []
    for j, r in enumerate(ids):
        i = pos.get(r)
        nearest = int(panel["nearest"][i]) if i is not None else None
        items.append({
            "row": r,
            "item id": str(item_ids[j]),
            "class": _class_name(ds.classes, labels[j]) if labels is not None else "-",
            "predicted (target head)": (_class_name(ds.classes, t.pred_labels[r])
                                        if t.pred_labels is not None else "n/a"),
            "cos(translated, true)": round(float(t.recon_per_sample[r]), 3),
            "nearest true target is itself": (nearest == r) if nearest is not None else None,
        })
    images = texts = None
    if getattr(ds, "modality", "image") == "image":
        try:
            images = np.asarray(ds.item_thumbnails(item_ids))
        except Exception:  # noqa: BLE001
            images = None
    else:
        try:
            texts = list(ds.item_texts(item_ids))
        except Exception:  # noqa: BLE001
            texts = None
    return {"rows": ids, "items": items, "images": images, "texts": texts,
            "n_selected": len(list(selected))}


def ids_from_selection(selection: Any) -> list[int]:
    """Global row ids from a Streamlit plotly selection (``customdata`` of each point), unique."""
    if not selection:
        return []
    try:
        points = selection["selection"]["points"]
    except (KeyError, TypeError):
        try:
            points = selection.selection.points
        except AttributeError:
            return []
    out: list[int] = []
    for p in points or []:
        cd = p.get("customdata") if isinstance(p, dict) else None
        if isinstance(cd, (list, tuple)):
            cd = cd[0] if cd else None
        if cd is None:
            continue
        try:
            v = int(cd)
        except (TypeError, ValueError):
            continue
        if v not in out:
            out.append(v)
    return out


# --------------------------------------------------------------------------------------------
# Small figures of the Translate page
# --------------------------------------------------------------------------------------------
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


# --------------------------------------------------------------------------------------------
# All pairs
# --------------------------------------------------------------------------------------------
MetricsFn = Callable[[Settings], dict]


def _metrics_fn(ds, fn: MetricsFn | None) -> MetricsFn:
    return fn if fn is not None else (lambda s: translate(ds, s, light=True).metrics)


def all_pairs(ds, s: Settings, progress: Callable[[float, str], None] | None = None,
              metrics_fn: MetricsFn | None = None) -> dict:
    """Every ordered (encoder, decoder) pair at the settings ``s``: recon, zero-shot, absolute.

    ``metrics_fn(settings) -> metrics dict`` lets a caller cache each cell (default: translate).
    """
    fn = _metrics_fn(ds, metrics_fn)
    encs = list(ds.encoders)
    n = len(encs)
    recon = np.full((n, n), np.nan)
    acc = np.full((n, n), np.nan)
    absolute = np.full((n, n), np.nan)
    non_stitch = np.full(n, np.nan)
    kept_min, kept_max, cond_max = (np.full((n, n), np.nan) for _ in range(3))
    errors: list[str] = []
    total, done = n * n, 0
    for j, tgt in enumerate(encs):
        head = _load_head(ds, tgt, s.head)
        sy = ds.space(tgt)
        a = _acc(head, sy.test, sy.test_labels)
        non_stitch[j] = np.nan if a is None else a
        for i, src in enumerate(encs):
            done += 1
            if progress:
                progress(done / total, f"{src} → {tgt}")
            try:
                tm = fn(replace(s, dataset=ds.name, source=src, target=tgt))
            except Exception as exc:  # noqa: BLE001 - one failing pair must not hide the others
                errors.append(f"{src} → {tgt}: {exc}")
                continue
            recon[i, j] = tm["recon"]
            acc[i, j] = np.nan if tm["zero_shot"] is None else tm["zero_shot"]
            ab = tm["absolute"]
            absolute[i, j] = ab if isinstance(ab, float) else np.nan
            kept_min[i, j] = tm.get("kept_min", np.nan)
            kept_max[i, j] = tm.get("kept_max", np.nan)
            cond_max[i, j] = tm.get("cond_max", np.nan)
    return {"encoders": encs, "recon": recon, "zero_shot": acc, "absolute": absolute,
            "non_stitch": non_stitch, "kept_min": kept_min, "kept_max": kept_max,
            "cond_max": cond_max, "errors": errors}


def _mean_std(v: np.ndarray) -> str:
    v = v[np.isfinite(v)]
    if v.size == 0:
        return "n/a"
    return f"{v.mean():.2f} ± {v.std():.2f}"


def paper_table(ds, res: dict, s: Settings) -> list[dict[str, str]]:
    """The paper-style row: zero-shot, absolute and non-stitch mean ± std over ordered pairs."""
    n = len(res["encoders"])
    off = ~np.eye(n, dtype=bool)
    return [{
        "dataset": getattr(ds, "title", ds.name),
        "ω": str(s.omega), "δ": f"{s.delta:.2f}",
        "zero-shot": _mean_std(res["zero_shot"][off]),
        "absolute": _mean_std(res["absolute"][off]),
        "non-stitch": _mean_std(res["non_stitch"]),
        "recon. similarity": _mean_std(res["recon"][off]),
        "pairs available": str(int(np.isfinite(res["zero_shot"][off]).sum())),
    }]


def pair_matrix_figure(mat: np.ndarray, encoders: Sequence[str], title: str,
                       zmin: float = 0.0, zmax: float = 1.0) -> go.Figure:
    txt = np.where(np.isfinite(mat), np.round(mat, 2).astype(str), "n/a")
    fig = go.Figure(go.Heatmap(z=np.where(np.isfinite(mat), mat, None), x=list(encoders),
                               y=list(encoders), zmin=zmin, zmax=zmax, colorscale="Viridis",
                               text=txt, texttemplate="%{text}"))
    fig.update_yaxes(autorange="reversed", title="encoder (source)")
    fig.update_xaxes(title="decoder (target)")
    fig.update_layout(title=title, height=380, margin={"l": 10, "r": 10, "t": 40, "b": 10})
    return fig


# --------------------------------------------------------------------------------------------
# Sensitivity
# --------------------------------------------------------------------------------------------
def sensitivity_grid(ds, s: Settings, omegas: Sequence[int] = D.SWEEP_OMEGAS,
                     deltas: Sequence[float] = D.SWEEP_DELTAS,
                     progress: Callable[[float, str], None] | None = None,
                     metrics_fn: MetricsFn | None = None) -> dict:
    """Recon, zero-shot accuracy, mean condition number and mean anchors kept over an ω x δ grid."""
    fn = _metrics_fn(ds, metrics_fn)
    keys = ("recon", "zero_shot", "cond_mean", "kept_mean")
    out = {k: np.full((len(omegas), len(deltas)), np.nan) for k in keys}
    total = len(omegas) * len(deltas)
    errors = []
    for i, w in enumerate(omegas):
        for j, d in enumerate(deltas):
            if progress:
                progress((i * len(deltas) + j + 1) / total, f"ω={w}, δ={d:.2f}")
            try:
                tm = fn(replace(s, omega=int(w), delta=float(d)))
            except Exception as exc:  # noqa: BLE001
                errors.append(f"ω={w}, δ={d:.2f}: {exc}")
                continue
            out["recon"][i, j] = tm["recon"]
            zs = tm["zero_shot"]
            out["zero_shot"][i, j] = np.nan if zs is None else zs
            out["cond_mean"][i, j] = tm["cond_mean"]
            out["kept_mean"][i, j] = tm["kept_mean"]
    out.update(omegas=list(omegas), deltas=list(deltas), errors=errors)
    return out


def sensitivity_figure(grid: dict) -> go.Figure:
    titles = ("reconstruction similarity", "zero-shot accuracy",
              "condition number (mean, log10)", "anchors kept (mean)")
    fig = make_subplots(rows=2, cols=2, subplot_titles=titles, horizontal_spacing=0.12,
                        vertical_spacing=0.16)
    x = [f"{d:.2f}" for d in grid["deltas"]]
    y = [str(w) for w in grid["omegas"]]
    mats = (grid["recon"], grid["zero_shot"], np.log10(np.maximum(grid["cond_mean"], 1.0)), grid["kept_mean"])
    bars = ((0.45, 0.78), (1.02, 0.78), (0.45, 0.2), (1.02, 0.2))
    for n, (mat, (bx, by)) in enumerate(zip(mats, bars)):
        txt = np.where(np.isfinite(mat), np.round(mat, 2).astype(str), "n/a")
        fig.add_trace(go.Heatmap(z=np.where(np.isfinite(mat), mat, None), x=x, y=y, text=txt,
                                 texttemplate="%{text}", colorscale="Viridis",
                                 colorbar={"x": bx, "y": by, "len": 0.4, "thickness": 10}),
                      row=n // 2 + 1, col=n % 2 + 1)
    fig.update_xaxes(title="δ")
    fig.update_yaxes(title="ω", type="category")
    fig.update_layout(height=640, margin={"l": 10, "r": 10, "t": 40, "b": 10})
    return fig


def pearson(x: np.ndarray, y: np.ndarray) -> float:
    x, y = np.asarray(x, float).ravel(), np.asarray(y, float).ravel()
    m = np.isfinite(x) & np.isfinite(y)
    if m.sum() < 3 or np.std(x[m]) == 0 or np.std(y[m]) == 0:
        return float("nan")
    return float(np.corrcoef(x[m], y[m])[0, 1])


def recon_vs_acc_figure(pairs: dict) -> tuple[go.Figure, float]:
    """Reconstruction similarity vs zero-shot accuracy across ordered pairs, with Pearson r."""
    encs = pairs["encoders"]
    xs, ys, names = [], [], []
    for i, a in enumerate(encs):
        for j, b in enumerate(encs):
            if i != j and np.isfinite(pairs["recon"][i, j]) and np.isfinite(pairs["zero_shot"][i, j]):
                xs.append(pairs["recon"][i, j])
                ys.append(pairs["zero_shot"][i, j])
                names.append(f"{a} → {b}")
    r = pearson(np.array(xs), np.array(ys))
    fig = go.Figure(go.Scatter(x=xs, y=ys, mode="markers+text", text=names,
                               textposition="top center", marker={"size": 10}))
    fig.update_layout(title=f"across pairs: Pearson r = {fmt(r, 2)}", height=400,
                      xaxis_title="reconstruction similarity", yaxis_title="zero-shot accuracy",
                      margin={"l": 10, "r": 10, "t": 40, "b": 10})
    return fig, r


# --------------------------------------------------------------------------------------------
# Scale
# --------------------------------------------------------------------------------------------
def alphas(n: int = D.N_ALPHAS) -> np.ndarray:
    return np.logspace(math.log10(D.ALPHA_MIN), math.log10(D.ALPHA_MAX), n)


def norm_fits(ds) -> list[dict[str, Any]]:
    """Per encoder: test-vector norms and their Gaussian fit (mean, std)."""
    out = []
    for enc in ds.encoders:
        sp = ds.space(enc)
        n = np.linalg.norm(np.asarray(sp.test, dtype=np.float32), axis=1)
        out.append({"encoder": enc, "norms": n, "mean": float(n.mean()), "std": float(n.std()),
                    "dim": int(sp.test.shape[1])})
    return out


def norm_fits_figure(fits: list[dict[str, Any]]) -> go.Figure:
    fig = go.Figure()
    for i, f in enumerate(fits):
        color = PALETTE[i % len(PALETTE)]
        fig.add_trace(go.Histogram(x=np.round(f["norms"], 4), histnorm="probability density",
                                   name=f["encoder"], opacity=0.45, nbinsx=50,
                                   marker_color=color, legendgroup=f["encoder"]))
        if f["std"] > 0:
            g = np.linspace(f["mean"] - 4 * f["std"], f["mean"] + 4 * f["std"], 120)
            pdf = np.exp(-0.5 * ((g - f["mean"]) / f["std"]) ** 2) / (f["std"] * math.sqrt(2 * math.pi))
            fig.add_trace(go.Scatter(x=g, y=pdf, mode="lines", line={"color": color},
                                     name=f"N({f['mean']:.2f}, {f['std']:.2f}²)",
                                     legendgroup=f["encoder"]))
    fig.update_layout(barmode="overlay", height=380, title="norm distributions with Gaussian fit",
                      xaxis_title="‖v‖", yaxis_title="density", margin={"l": 10, "r": 10, "t": 40, "b": 10})
    return fig


def alpha_curves(ds, enc: str, extra: dict[str, np.ndarray] | None = None,
                 head_kinds: Sequence[str] = D.HEAD_OPTIONS) -> dict[str, Any]:
    """Head accuracy when inputs are rescaled by α, for each head type (true target vectors and,
    optionally, other inputs such as the IRP translation)."""
    sp = ds.space(enc)
    a = alphas()
    curves: dict[str, list[float]] = {}
    inputs = {"true": np.asarray(sp.test, dtype=np.float32)}
    inputs.update(extra or {})
    for kind in head_kinds:
        head = _load_head(ds, enc, kind)
        if head is None:
            continue
        for name, x in inputs.items():
            accs = [_acc(head, alpha * x, sp.test_labels) for alpha in a]
            if all(v is not None for v in accs):
                curves[f"{kind} head, {name}"] = [float(v) for v in accs]
    return {"alphas": a, "curves": curves}


def alpha_figure(res: dict, marks: dict[str, float]) -> go.Figure:
    fig = go.Figure()
    for name, ys in res["curves"].items():
        fig.add_trace(go.Scatter(x=res["alphas"], y=ys, mode="lines+markers", name=name,
                                 line={"dash": "dot" if "translated" in name else "solid"}))
    shown = [(label, x) for label, x in marks.items() if x and math.isfinite(x) and x > 0]
    for i, (label, x) in enumerate(shown):  # marks often coincide: labels alternate middle and bottom
        fig.add_vline(x=x, line_dash="dash")
        # on a log axis an annotation's x is log10 of the value (add_vline's own label lands at 10**x)
        fig.add_annotation(x=math.log10(x), y=0.5 if i % 2 == 0 else 0.04, yref="paper", text=label,
                           showarrow=False, xanchor="left", xshift=4, font={"size": 11},
                           bgcolor="rgba(255,255,255,0.8)")
    fig.update_xaxes(type="log", title="input rescaling α (×)")
    fig.update_layout(height=380, yaxis_title="accuracy", yaxis_range=[0, 1.02],
                      title="head accuracy vs input scale", margin={"l": 10, "r": 10, "t": 40, "b": 10})
    return fig


# --------------------------------------------------------------------------------------------
# Cross-lingual
# --------------------------------------------------------------------------------------------
def split_encoder(ds, enc: str) -> tuple[str, str]:
    """(model, language) of a cross-lingual encoder ``<model>_<lang>``."""
    info = getattr(ds, "encoder_info", {}).get(enc, {}) or {}
    lang = info.get("language")
    if lang and enc.endswith("_" + str(lang)):
        return enc[: -len(str(lang)) - 1], str(lang)
    model, _, suffix = enc.rpartition("_")
    return (model, lang or suffix) if model else (enc, str(lang or ""))


def xl_catalog(ds) -> dict[str, Any]:
    """Models and their languages; which models have non-English spaces; English spaces."""
    models: dict[str, list[str]] = {}
    for e in ds.encoders:
        m, lang = split_encoder(ds, e)
        models.setdefault(m, []).append(lang)
    multilingual = [m for m, langs in models.items()
                    if any(lang != D.XL_ENGLISH for lang in langs)]
    english = [e for e in ds.encoders if split_encoder(ds, e)[1] == D.XL_ENGLISH]
    return {"models": models, "multilingual": multilingual, "english": english}


def crosslingual(ds, s: Settings, model: str, lang: str, target: str,
                 n_examples: int = D.N_XL_EXAMPLES) -> dict[str, Any]:
    """Decode ``<model>_<lang>`` into the English space ``target`` with IRP.

    Compares cos(translated, true English embedding) with absolute (raw source vectors, when
    dims match) and the multilingual reference cos(``<model>_<lang>``, ``<model>_en``): how well
    the multilingual encoder itself aligns the two languages without any translation.
    """
    from irp_core import metrics

    src = f"{model}_{lang}"
    if src not in ds.encoders:
        raise ValueError(f"no {lang!r} space for model {model!r}")
    t = translate(ds, replace(s, dataset=ds.name, source=src, target=target))
    sx, sy = ds.space(src), ds.space(target)
    absolute: float | str = NA_DIMS
    if sx.test.shape[1] == sy.test.shape[1]:
        absolute = float(metrics.reconstruction_similarity(sx.test, sy.test)[0])
    ref_enc = f"{model}_{D.XL_ENGLISH}"
    reference: float | str = "n/a: no English space for this model"
    if ref_enc in ds.encoders and ref_enc != src:
        reference = float(metrics.reconstruction_similarity(sx.test, ds.space(ref_enc).test)[0])
    # examples: nearest English neighbour (in the target space) of each translated sentence
    n = min(n_examples, sx.test.shape[0])
    rows = display_rows(sx.test.shape[0], n, seed=1)
    sims = _unit(t.pred[rows]) @ _unit(sy.test).T
    nn = np.argmax(sims, axis=1)
    ids_src = np.asarray(sx.test_ids)[rows]
    ids_nn = np.asarray(sy.test_ids)[nn]
    examples = []
    try:
        src_txt = list(ds.item_texts(ids_src, language=lang))
        true_en = list(ds.item_texts(np.asarray(sy.test_ids)[rows], language=D.XL_ENGLISH))
        nn_en = list(ds.item_texts(ids_nn, language=D.XL_ENGLISH))
    except Exception as exc:  # noqa: BLE001
        src_txt = true_en = nn_en = [f"(texts unavailable: {exc})"] * n
    for i in range(n):
        examples.append({
            f"sentence ({lang})": src_txt[i], "English original": true_en[i],
            "nearest English after IRP": nn_en[i], "correct": bool(nn[i] == rows[i]),
            "cos": round(float(t.recon_per_sample[rows[i]]), 3),
        })
    return {"translation": t, "source": src, "target": target, "recon": t.metrics["recon"],
            "retrieval_top1": t.metrics["retrieval_top1"], "absolute": absolute,
            "reference": reference, "examples": examples}


def xl_languages_figure(rows: list[dict[str, Any]]) -> go.Figure:
    """Bars per language: IRP cos vs absolute vs multilingual reference."""
    fig = go.Figure()
    langs = [r["lang"] for r in rows]
    for key, name in (("irp", "IRP"), ("absolute", "absolute"), ("reference", "multilingual ref.")):
        ys = [r[key] if isinstance(r[key], float) else None for r in rows]
        fig.add_trace(go.Bar(x=langs, y=ys, name=name,
                             text=[fmt(v, 2) if v is not None else "n/a" for v in ys]))
    fig.update_layout(barmode="group", height=340, yaxis_title="cos to true English embedding",
                      margin={"l": 10, "r": 10, "t": 40, "b": 10}, title="source language → English")
    return fig
