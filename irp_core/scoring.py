"""One scorer for a translation: fit on the anchors, translate the test split, measure it.

The dashboard, the sweeps, the command line and the cache's measurement and ablation scripts all
score a pair through :func:`score_pair`, so they cannot drift apart, and every quantity has one
name wherever it is shown or written (:data:`METRICS`). Any estimator with IRP's fit/transform
surface works: ``IRP``, ``Absolute``, ``Procrustes``, ``LinearMap``. Pure numpy: no Streamlit,
no torch.

>>> import numpy as np
>>> from irp_core import IRP
>>> rng = np.random.default_rng(0)
>>> x = rng.normal(size=(400, 8)); q, _ = np.linalg.qr(rng.normal(size=(8, 8)))
>>> score = score_pair(IRP(center="none", ridge=0.0), x[:300], x[:300] @ q, x[300:], x[300:] @ q)
>>> round(score.metrics["recon"], 6), score.metrics["retrieval_top1"], score.metrics["n_anchors"]
(1.0, 1.0, 300)
"""

from __future__ import annotations

import contextlib
import math
import time
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import metrics


@dataclass(frozen=True)
class Metric:
    """One quantity a translation is scored on: declared here once, and every tile, table, CSV
    column, pin delta and count of metrics elsewhere is built from it."""

    key: str  # the name in PairScore.metrics, in CSV columns and in the precomputed tables
    label: str  # short label: a tile's, a table column's
    help: str  # what it measures, in one line
    digits: int = 3  # decimals shown (values of 1e4 and more: 3 significant digits)
    better: str = "higher"  # "higher", "lower" or "neither": how a difference is coloured
    na: str = "n/a"  # shown for None: measured, but not applicable to this pair
    column: str = ""  # a table's column header, where shorter than the label (default: the label)

    def __post_init__(self) -> None:
        if not self.column:
            object.__setattr__(self, "column", self.label)

    def format(self, value: Any) -> str:
        """``value`` as shown: rounded to :attr:`digits`, None as :attr:`na`."""
        return self.na if value is None else format_number(value, self.digits)

    def shown(self, metrics: dict[str, Any]) -> str:
        """This metric of a ``metrics`` dict as shown: "n/a" where it was not measured."""
        return self.format(metrics[self.key]) if self.key in metrics else "n/a"


METRICS: dict[str, Metric] = {m.key: m for m in (
    Metric("recon", "reconstruction similarity", "mean cos(translated, true target vector) of the same item",
           column="recon. similarity"),
    Metric("recon_centred", "recon. similarity (centred)",
           "the same after subtracting the true target vectors' mean from both: not inflated by a shared mean"),
    Metric("retrieval_top1", "retrieval top-1",
           "share of translated items whose nearest true target vector (cosine) is their own"),
    Metric("zero_shot", "zero-shot accuracy", "accuracy of the target's head on the translated vectors",
           column="zero-shot"),
    Metric("absolute", "absolute", "accuracy of the target's head on the raw source vectors",
           na="n/a: dims differ"),
    Metric("non_stitch", "non-stitch", "accuracy of the target's head on the true target vectors"),
    Metric("kept_mean", "anchors kept (mean)", "anchors kept per pruned subset, mean (IRP)", 1, "neither"),
    Metric("kept_min", "anchors kept (fewest)", "anchors kept per pruned subset, fewest (IRP)", 0, "neither"),
    Metric("kept_max", "anchors kept (most)", "anchors kept per pruned subset, most (IRP)", 0, "neither"),
    Metric("cond_mean", "cond. number, pruned (mean)",
           "condition number of the pruned target anchor subsets, mean (IRP)", 1, "lower"),
    Metric("cond_max", "cond. number, pruned (max)",
           "condition number of the pruned target anchor subsets, largest (IRP)", 1, "lower"),
    Metric("cond_damped_mean", "cond. number, damped (mean)",
           "what the ridge-damped decoding of the pruned subsets amplifies, mean (IRP)", 2, "lower"),
    Metric("cond_damped_max", "cond. number, damped (max)",
           "what the decoding pays: its largest gain relative to the strongest direction's; the raw "
           "figures are the plain pseudo-inverse's (ridge 0) (IRP)", 2, "lower"),
    Metric("cond_full", "cond. number, all anchors",
           "condition number of all (unpruned) target anchors: what pruning is there to improve (IRP)", 1, "lower"),
    Metric("n_anchors", "anchors given", "anchors given to the fit", 0, "neither"),
)}
"""The canonical metrics, in their canonical order, by key."""


def format_number(v: Any, digits: int = 3) -> str:
    """A number as the tools show it: ``digits`` decimals (3 significant digits from 1e4 on), ints as
    they are, NaN and None as n/a, infinities as ∞, strings unchanged."""
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


@dataclass
class PairScore:
    """What :func:`score_pair` found: the translation, per-item cosines, the metrics, the fit."""

    pred: np.ndarray  # (n_test, d_y) translated test vectors
    recon_per_sample: np.ndarray  # (n_test,) cos(translated, true target) per item: recon's terms
    metrics: dict[str, Any]  # canonical names (METRICS), only those measured
    translator: Any  # the fitted estimator (IRP: get_params(), n_anchors_kept_, ...)
    pred_labels: np.ndarray | None = None  # the head's classes for the translation (confusion=True)
    confusion: np.ndarray | None = None  # (n_classes, n_classes), rows = true class
    fit_seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)  # capture_warnings=True: unique messages, sorted
    similarities: np.ndarray | None = None  # keep_similarities=True: cos(translated i, true j), float32


def score_pair(
    translator,
    anchors_x,
    anchors_y,
    test_x,
    test_y,
    *,
    labels=None,
    head=None,
    retrieval: bool = True,
    keep_similarities: bool = False,
    non_stitch: bool = True,
    absolute: bool = True,
    confusion: bool = False,
    n_classes: int | None = None,
    conditioning: bool = True,
    cond_full: bool = False,
    pred_dtype=None,
    capture_warnings: bool = False,
) -> PairScore:
    """Fit ``translator`` on the parallel anchors, translate ``test_x`` and score it against ``test_y``.

    Always measured: ``recon``, ``recon_centred``, ``n_anchors``, and for IRP (anything with
    ``n_anchors_kept_``) ``kept_*``. The flags choose the costlier or optional ones:
    ``retrieval`` (an n x n similarity), ``conditioning`` (``cond_mean``/``cond_max`` from the
    fitted ``condition_numbers_``), ``cond_full`` (an SVD of all target anchors; IRP only). With
    a target-space ``head`` and the test ``labels``: ``zero_shot``, and where asked
    ``non_stitch``, ``absolute`` (None where the source and target dims differ) and
    ``confusion`` (predicted labels and the confusion matrix over ``n_classes``).

    ``keep_similarities`` (with ``retrieval``) keeps the (n, n) float32 cosine matrix retrieval
    ranks as ``PairScore.similarities``, for callers that also need each item's neighbours.

    ``pred_dtype`` casts the translation before it is measured (the dashboard keeps float32);
    ``capture_warnings`` collects the warnings of the fit, the transform and the fitted
    attributes read here into ``PairScore.warnings`` instead of letting them through.

    Raises ValueError when the translation has non-finite values.
    """
    caught: list = []
    guard = warnings.catch_warnings(record=True) if capture_warnings else contextlib.nullcontext()
    with guard as recorded:
        if capture_warnings:
            warnings.simplefilter("always")
            caught = recorded
        start = time.perf_counter()
        translator = translator.fit(anchors_x, anchors_y)
        fit_seconds = time.perf_counter() - start
        if conditioning and hasattr(translator, "start_conditioning"):
            translator.start_conditioning()  # overlaps with the transform and the metrics below
        pred = translator.transform(test_x)
        if pred_dtype is not None:
            pred = np.asarray(pred, dtype=pred_dtype)
        if not np.all(np.isfinite(pred)):
            hint = " (try a lower δ)" if hasattr(translator, "delta") else ""
            raise ValueError(f"{type(translator).__name__} produced non-finite vectors at these settings{hint}")

        recon, recon_per_sample, recon_centred = metrics.reconstruction_similarities(pred, test_y)
        out: dict[str, Any] = {"recon": recon, "recon_centred": recon_centred}
        sims = None
        if retrieval and keep_similarities:
            sims = metrics.cosine_similarities(pred, test_y)
            out["retrieval_top1"] = metrics.retrieval_from_similarities(sims)
        elif retrieval:
            out["retrieval_top1"] = metrics.retrieval_top1(pred, test_y)
        pred_labels = matrix = None
        if head is not None and labels is not None:
            out["zero_shot"] = metrics.stitching_accuracy(head, pred, labels)
            if absolute:
                same_dims = np.shape(test_x)[1] == np.shape(test_y)[1]
                out["absolute"] = metrics.stitching_accuracy(head, test_x, labels) if same_dims else None
            if non_stitch:
                out["non_stitch"] = metrics.stitching_accuracy(head, test_y, labels)
            if confusion:
                pred_labels = np.asarray(head.predict(pred))
                matrix = np.asarray(metrics.confusion_matrix(np.asarray(labels), pred_labels, n_classes))
        out.update(fitted_metrics(translator, conditioning, cond_full))  # last: the background work is done
    out["n_anchors"] = int(np.shape(anchors_x)[0])
    return PairScore(
        pred=pred, recon_per_sample=recon_per_sample, metrics=out, translator=translator, pred_labels=pred_labels,
        confusion=matrix, fit_seconds=fit_seconds, warnings=sorted({str(w.message) for w in caught}),
        similarities=sims,
    )


def fitted_metrics(translator, conditioning: bool = True, cond_full: bool = False) -> dict[str, Any]:
    """The metrics a fitted IRP knows without test items: anchors kept and, with ``conditioning``,
    its subsets' condition numbers (``cond_full``: all target anchors' too). Nothing for the
    baselines. A caller that scored with ``conditioning=False`` calls it later on the same fitted
    estimator: the numbers are the fit's own, never a refit's."""
    out: dict[str, Any] = {}
    kept = getattr(translator, "n_anchors_kept_", None)
    if kept:
        out.update(kept_mean=float(np.mean(kept)), kept_min=int(min(kept)), kept_max=int(max(kept)))
    cond = getattr(translator, "condition_numbers_", None) if conditioning else None
    if cond:
        out.update(cond_mean=float(np.mean(cond)), cond_max=float(np.max(cond)))
        damped = translator.damped_condition_numbers_  # the same memoised spectra
        out.update(cond_damped_mean=float(np.mean(damped)), cond_damped_max=float(np.max(damped)))
    if cond_full and hasattr(translator, "condition_number_full_"):
        out["cond_full"] = float(translator.condition_number_full_)
    return out
