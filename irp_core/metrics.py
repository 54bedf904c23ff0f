"""Metrics of a translation: reconstruction, retrieval, conditioning, stitching, scale.

Every function takes plain arrays; ``pred`` is a translation into the target space and ``true`` the
target encoder's own embeddings of the same items, row for row.
"""

from __future__ import annotations

import numpy as np

from .relative import normalize_rows
from .threads import matmul
from .validation import check_embeddings

ROW_BLOCK = 256  # rows per block where a metric converts to float64


def _checked(pred, true) -> tuple[np.ndarray, np.ndarray]:
    """``pred`` and ``true`` validated as one row per item each, in their own dtype."""
    pred = check_embeddings("pred", pred)
    true = check_embeddings("true", true, n_cols=pred.shape[1])
    if pred.shape[0] != true.shape[0]:
        raise ValueError(f"pred has {pred.shape[0]} rows but true has {true.shape[0]}")
    return pred, true


def _pair(pred, true) -> tuple[np.ndarray, np.ndarray]:
    pred, true = _checked(pred, true)
    return pred.astype(np.float64), true.astype(np.float64)


def cosine_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cosine between row i of a and row i of b (0 where either row is zero)."""
    return np.einsum("ij,ij->i", normalize_rows(a), normalize_rows(b))


def reconstruction_similarity(pred, true, center: bool = False) -> tuple[float, np.ndarray]:
    """Mean and per-sample cos(translated, true target) of the same item.

    ``center=True`` first subtracts the true vectors' mean from both: raw cosines between vectors
    that share a large mean (ReLU features) are inflated by that mean and can hide a bad translation.

    >>> reconstruction_similarity([[1.0, 0.0]], [[2.0, 0.0]])[0]
    1.0
    """
    pred, true = _pair(pred, true)
    if center:
        mu = true.mean(axis=0)
        pred, true = pred - mu, true - mu
    per_sample = cosine_rows(pred, true)
    return float(per_sample.mean()), per_sample


def reconstruction_similarities(pred, true) -> tuple[float, np.ndarray, float]:
    """Both :func:`reconstruction_similarity` figures from one conversion of the inputs:
    ``(mean, per-sample, centred mean)``, what a scorer reports together.

    >>> mean, _, centred = reconstruction_similarities([[1.0, 0.0], [1.0, 1.0]], [[2.0, 0.0], [1.0, 1.0]])
    >>> round(mean, 6), round(centred, 6)  # the shared mean made item 0 look perfect
    (1.0, 0.5)
    """
    pred, true = _checked(pred, true)  # converted block by block below, not whole
    mu = true.mean(axis=0, dtype=np.float64)
    per_sample, centred = np.empty(pred.shape[0]), np.empty(pred.shape[0])
    # float64 in blocks of rows: the same cosines as whole arrays, without ten (n, d) temporaries
    for start in range(0, pred.shape[0], ROW_BLOCK):
        p = pred[start:start + ROW_BLOCK].astype(np.float64)
        t = true[start:start + ROW_BLOCK].astype(np.float64)
        per_sample[start:start + ROW_BLOCK] = cosine_rows(p, t)
        centred[start:start + ROW_BLOCK] = cosine_rows(p - mu, t - mu)
    return float(per_sample.mean()), per_sample, float(centred.mean())


def _unit32(pred, true) -> tuple[np.ndarray, np.ndarray]:
    pred, true = _pair(pred, true)
    # float32 is ample to rank cosines and halves the cost of the (n, n) similarity products.
    return normalize_rows(pred).astype(np.float32), normalize_rows(true).astype(np.float32)


def retrieval_top1(pred, true, chunk: int = 2048) -> float:
    """Share of translated samples whose nearest (cosine) true target vector is their own item."""
    p, t = _unit32(pred, true)
    hits = 0
    for start in range(0, p.shape[0], chunk):
        sims = matmul(p[start : start + chunk], t.T)
        hits += int((sims.argmax(axis=1) == np.arange(start, start + sims.shape[0])).sum())
    return hits / p.shape[0]


def cosine_similarities(pred, true) -> np.ndarray:
    """cos(translated i, true j) for every pair, float32 (n, n): what retrieval ranks, kept for
    callers that also need each item's neighbours (the dashboard's layouts).

    >>> s = cosine_similarities([[2.0, 0.0], [4.0, 3.0]], [[1.0, 0.0], [0.0, 1.0]])
    >>> s.astype(float).round(2).tolist(), retrieval_from_similarities(s)  # item 1 is nearer item 0
    ([[1.0, 0.0], [0.8, 0.6]], 0.5)
    """
    p, t = _unit32(pred, true)
    return matmul(p, t.T)


def retrieval_from_similarities(sims: np.ndarray) -> float:
    """:func:`retrieval_top1` from a :func:`cosine_similarities` matrix."""
    return float(np.mean(np.argmax(sims, axis=1) == np.arange(sims.shape[0])))


def condition_number(matrix) -> float:
    """2-norm condition number s_max / s_min over the min(rows, cols) singular values."""
    s = np.linalg.svd(np.asarray(matrix, dtype=np.float64), compute_uv=False)
    return float("inf") if s.size == 0 or s[-1] == 0 else float(s[0] / s[-1])


def stitching_accuracy(head, x, labels) -> float:
    """Accuracy of a target-space head on (translated) vectors."""
    labels = np.asarray(labels)
    x = check_embeddings("x", x)
    if labels.shape != (x.shape[0],):
        raise ValueError(f"labels must have shape ({x.shape[0]},), got {labels.shape}")
    return float(np.mean(head.predict(x) == labels))


def confusion_matrix(labels, predicted, n_classes: int | None = None) -> np.ndarray:
    """Counts (n_classes, n_classes): row = true class, column = predicted class."""
    labels, predicted = np.asarray(labels, dtype=np.int64), np.asarray(predicted, dtype=np.int64)
    if labels.shape != predicted.shape:
        raise ValueError(f"labels {labels.shape} and predictions {predicted.shape} differ in shape")
    if labels.size and min(labels.min(), predicted.min()) < 0:
        raise ValueError("class indices must be non-negative")
    n = n_classes if n_classes is not None else int(max(labels.max(initial=-1), predicted.max(initial=-1)) + 1)
    out = np.zeros((n, n), dtype=np.int64)
    np.add.at(out, (labels, predicted), 1)
    return out


def norm_stats(x) -> dict[str, float]:
    """Summary of row norms: the scale a decoder was trained on, and how spread it is."""
    norms = np.linalg.norm(check_embeddings("x", x).astype(np.float64), axis=1)
    return {
        "mean": float(norms.mean()),
        "std": float(norms.std()),
        "median": float(np.median(norms)),
        "min": float(norms.min()),
        "max": float(norms.max()),
    }
