"""Relative projection and its inverse: the two halves of IRP, each needing only its own anchors."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .memo import ContentCache, content_key
from .params import options
from .threads import one_thread


def normalize_rows(x: np.ndarray, eps: float = 1e-12) -> np.ndarray:
    """Rows scaled to unit norm; rows of (near) zero norm stay zero instead of becoming NaN."""
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.where(norms > eps, norms, np.inf)


def relative_projection(x: np.ndarray, anchors: np.ndarray, center: np.ndarray | None = None) -> np.ndarray:
    """Cosines of each sample to each anchor, shape (n, K): the space-agnostic relative space."""
    if center is not None:
        x, anchors = x - center, anchors - center
    return normalize_rows(x) @ normalize_rows(anchors).T


def pseudo_inverse(a: np.ndarray, rtol: float = 1e-6, ridge: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Float64 SVD pseudo-inverse with an explicit relative tolerance and optional Tikhonov damping.

    Returns ``(pinv, singular_values)``; singular values below ``rtol * s_max`` are treated as zero,
    which is what keeps duplicate, colinear or centred (rank K-1) anchor sets finite. ``ridge > 0``
    replaces 1/s by s / (s^2 + ridge * s_max^2): the ridge-regression solution, which stops the
    small singular directions from amplifying the disagreement between two relative spaces.
    """
    a = np.asarray(a, dtype=np.float64)
    with one_thread():  # threaded LAPACK SVD is 10-40x slower on a small, busy machine
        u, s, vt = np.linalg.svd(a, full_matrices=False)
    keep = s > rtol * (s[0] if s.size else 0.0)
    inv_s = np.zeros_like(s)
    damping = ridge * s[0] ** 2 if s.size else 0.0
    inv_s[keep] = s[keep] / (s[keep] ** 2 + damping)
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
    ridge: float = 0.0,
) -> np.ndarray:
    """Minimum-norm least-squares ``y`` with ``norm(anchors - center) @ y ≈ r`` for every row ``r``.

    The result lives in the (centred, unit-scale) target space; rescaling is the caller's choice.
    """
    a = normalize_rows(anchors - center if center is not None else anchors)
    pinv, _ = pseudo_inverse(a, rtol, ridge)
    return np.asarray(relative, dtype=np.float64) @ pinv.T


_WHITENINGS = ContentCache(maxsize=8)  # refits on the same anchors (a slider move, an ablation cell)


def whitening(centred: np.ndarray, floor: float, rtol: float = 1e-6) -> tuple[np.ndarray, np.ndarray]:
    """PCA whitening learnt from one space's own centred anchors: ``(forward (d, r), backward (r, d))``.

    ``forward`` maps a centred vector to coordinates where the anchors have (near) unit variance in
    every principal direction, so cosines there weigh every direction equally instead of being
    dominated by a few high-variance ones; ``backward`` undoes it. ``floor`` adds ``floor * lambda_max``
    to every variance: a regulariser that keeps the noisy low-variance directions from being blown up.
    Directions with singular value below ``rtol * s_max`` are dropped (``forward @ backward`` is then
    the projector onto the rest). Memoised on the anchors' content; the arrays come back read-only.
    """
    c = np.asarray(centred, dtype=np.float64)
    return _WHITENINGS.get((content_key(c), float(floor), float(rtol)), lambda: _whiten(c, floor, rtol))


def _whiten(c: np.ndarray, floor: float, rtol: float) -> tuple[np.ndarray, np.ndarray]:
    n, d = c.shape
    with one_thread():
        if d <= n:  # eigenvectors of the (d, d) scatter matrix are the right singular vectors
            lam, v = np.linalg.eigh(c.T @ c)
            lam, v = lam[::-1], v[:, ::-1]
        else:  # fewer anchors than dimensions: go through the (n, n) Gram matrix instead
            lam, u = np.linalg.eigh(c @ c.T)
            lam, u = lam[::-1], u[:, ::-1]
    lam = np.clip(lam, 0.0, None)
    if lam.size == 0 or lam[0] == 0:
        raise ValueError("cannot whiten: the centred anchors are all zero")
    keep = np.sqrt(lam) > rtol * np.sqrt(lam[0])
    lam = lam[keep]
    v = v[:, keep] if d <= n else (c.T @ u[:, keep]) / np.sqrt(lam)
    std = np.sqrt((lam + floor * lam[0]) / n)
    return v / std, (v * std).T


CENTER_OPTIONS = options("center")  # declared once, in irp_core.params


class WorkingFrame(NamedTuple):
    """One side's working coordinates, learnt from its own anchors only: where cosines are taken.

    ``center`` is the anchors' mean (zeros for ``center="none"``); with ``center="whiten"``,
    ``forward`` maps a centred vector into the anchors' whitened principal axes and ``backward``
    maps back (both None otherwise).
    """

    center: np.ndarray
    forward: np.ndarray | None
    backward: np.ndarray | None

    def to_working(self, x: np.ndarray) -> np.ndarray:
        c = np.asarray(x, dtype=np.float64) - self.center
        return c if self.forward is None else c @ self.forward


def working_frame(anchors: np.ndarray, center: str, floor: float = 0.0, rtol: float = 1e-6) -> WorkingFrame:
    """The :class:`WorkingFrame` of one space; ``center`` is one of :data:`CENTER_OPTIONS`."""
    a = np.asarray(anchors, dtype=np.float64)
    if center not in CENTER_OPTIONS:
        raise ValueError(f"center must be one of {CENTER_OPTIONS}, got {center!r}")
    mean = a.mean(axis=0) if center != "none" else np.zeros(a.shape[1])
    if center != "whiten":
        return WorkingFrame(mean, None, None)
    forward, backward = whitening(a - mean, float(floor), rtol)
    return WorkingFrame(mean, forward, backward)
