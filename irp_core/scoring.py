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
import time
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import metrics as M

METRICS: dict[str, str] = {
    "recon": "mean cos(translated, true target vector) of the same item",
    "recon_centred": "the same after subtracting the true target vectors' mean from both",
    "retrieval_top1": "share of translated items whose nearest true target vector (cosine) is their own",
    "zero_shot": "accuracy of the target's head on the translated vectors",
    "absolute": "accuracy of the target's head on the raw source vectors (None where dims differ)",
    "non_stitch": "accuracy of the target's head on the true target vectors",
    "kept_mean": "anchors kept per pruned subset, mean (IRP)",
    "kept_min": "anchors kept per pruned subset, fewest (IRP)",
    "kept_max": "anchors kept per pruned subset, most (IRP)",
    "cond_mean": "condition number of the pruned target anchor subsets, mean (IRP)",
    "cond_max": "condition number of the pruned target anchor subsets, largest (IRP)",
    "cond_damped_mean": "what the ridge-damped decoding of the pruned subsets amplifies, mean (IRP)",
    "cond_damped_max": "what the ridge-damped decoding of the pruned subsets amplifies, largest (IRP)",
    "cond_full": "condition number of all (unpruned) target anchors (IRP)",
    "n_anchors": "anchors given to the fit",
}
"""The canonical metric names and what each one measures."""


@dataclass
class PairScore:
    """What :func:`score_pair` found: the translation, per-item cosines, the metrics, the fit."""

    pred: np.ndarray  # (n_test, d_y) translated test vectors
    per_sample: np.ndarray  # (n_test,) cos(translated, true target) per item
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

        recon, per_sample, recon_centred = M.reconstruction_similarities(pred, test_y)
        out: dict[str, Any] = {"recon": recon, "recon_centred": recon_centred}
        sims = None
        if retrieval and keep_similarities:
            sims = M.cosine_similarities(pred, test_y)
            out["retrieval_top1"] = M.retrieval_from_similarities(sims)
        elif retrieval:
            out["retrieval_top1"] = M.retrieval_top1(pred, test_y)
        pred_labels = matrix = None
        if head is not None and labels is not None:
            out["zero_shot"] = M.stitching_accuracy(head, pred, labels)
            if absolute:
                same_dims = np.shape(test_x)[1] == np.shape(test_y)[1]
                out["absolute"] = M.stitching_accuracy(head, test_x, labels) if same_dims else None
            if non_stitch:
                out["non_stitch"] = M.stitching_accuracy(head, test_y, labels)
            if confusion:
                pred_labels = np.asarray(head.predict(pred))
                matrix = np.asarray(M.confusion_matrix(np.asarray(labels), pred_labels, n_classes))
        out.update(_fitted_stats(translator, conditioning, cond_full))  # last: the background work is done
    out["n_anchors"] = int(np.shape(anchors_x)[0])
    return PairScore(
        pred=pred, per_sample=per_sample, metrics=out, translator=translator, pred_labels=pred_labels,
        confusion=matrix, fit_seconds=fit_seconds, warnings=sorted({str(w.message) for w in caught}),
        similarities=sims,
    )


def _fitted_stats(translator, conditioning: bool, cond_full: bool) -> dict[str, Any]:
    """Anchors kept and condition numbers of a fitted IRP (nothing for the baselines)."""
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
