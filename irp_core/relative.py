"""Relative projection and its inverse: the two halves of IRP, each needing only its own anchors."""

from __future__ import annotations

import numpy as np
from threadpoolctl import threadpool_limits


def normalize_rows(x: np.ndarray, eps: float = 1e-12) -> np.ndarray:
    """Rows scaled to unit norm; rows of (near) zero norm stay zero instead of becoming NaN."""
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.where(norms > eps, norms, np.inf)


def relative_projection(x: np.ndarray, anchors: np.ndarray, center: np.ndarray | None = None) -> np.ndarray:
    """Cosines of each sample to each anchor, shape (n, K): the space-agnostic relative space."""
    if center is not None:
        x, anchors = x - center, anchors - center
    return normalize_rows(x) @ normalize_rows(anchors).T


def pseudo_inverse(a: np.ndarray, rtol: float = 1e-6) -> tuple[np.ndarray, np.ndarray]:
    """Float64 SVD pseudo-inverse with an explicit relative tolerance.

    Returns ``(pinv, singular_values)``; singular values below ``rtol * s_max`` are treated as zero,
    which is what keeps duplicate, colinear or centred (rank K-1) anchor sets finite.
    """
    a = np.asarray(a, dtype=np.float64)
    with threadpool_limits(1):  # threaded LAPACK SVD is 10-40x slower on a small, busy machine
        u, s, vt = np.linalg.svd(a, full_matrices=False)
    keep = s > rtol * (s[0] if s.size else 0.0)
    inv_s = np.zeros_like(s)
    inv_s[keep] = 1.0 / s[keep]
    return (vt.T * inv_s) @ u.T, s


def effective_condition_number(singular_values: np.ndarray, rtol: float = 1e-6) -> float:
    """s_max / smallest singular value kept by the pseudo-inverse: the amplification actually paid."""
    s = np.asarray(singular_values)
    if s.size == 0 or s[0] == 0:
        return float("inf")
    kept = s[s > rtol * s[0]]
    return float(kept[0] / kept[-1])


def inverse_relative_projection(
    relative: np.ndarray,
    anchors: np.ndarray,
    center: np.ndarray | None = None,
    rtol: float = 1e-6,
) -> np.ndarray:
    """Minimum-norm least-squares ``y`` with ``norm(anchors - center) @ y ≈ r`` for every row ``r``.

    The result lives in the (centred, unit-scale) target space; rescaling is the caller's choice.
    """
    a = normalize_rows(anchors - center if center is not None else anchors)
    pinv, _ = pseudo_inverse(a, rtol)
    return np.asarray(relative, dtype=np.float64) @ pinv.T
