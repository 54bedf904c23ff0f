"""Why the knobs work: what the decoding does to the target anchors' spectrum.

Pruning (δ), the subspaces (ω) and the ridge all act on one object, the singular values s of each
subset's unit target anchors (the eigenvalues of its Gram matrix are s²). Decoding cosines back
into the target space multiplies the part of the cosines along singular direction j by a gain:

- the pseudo-inverse (ridge 0): ``1 / s_j`` above its cut ``s_j > rtol * s_max``, 0 below;
- the ridge: ``g(s) = s / (s² + ρ s_max²)``, from ``(G + ρ λ_max I)^-1`` with λ = s².

The *condition number* shown is the largest gain relative to the gain of the strongest direction,
``max_j g(s_j) / g(s_max)``: how much more a weak direction's noise is amplified than the signal
along the strongest one. At ridge 0 it is the usual ``s_max / s_min`` of the kept values; with a
ridge it is bounded by :func:`ridge_bound`. Everything here composes the public, memoised steps
of :mod:`irp_core.functional`, so after a fit the sides, subsets and spectra are cache hits.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from . import functional as F
from .validation import check_embeddings, check_parallel


def filter_gains(s: np.ndarray, ridge: float, rtol: float = 1e-6) -> np.ndarray:
    """The decoding's gain on each singular direction (``s`` descending), as the core applies it."""
    s = np.asarray(s, dtype=np.float64)
    top = float(s[0]) if s.size else 0.0
    if top <= 0:
        return np.zeros_like(s)
    if ridge > 0:  # functional.damped_inverse: (G + ridge * lambda_max I)^-1, every direction kept
        return s / (s**2 + ridge * top**2)
    kept = s > rtol * top  # functional.inverse_from_eigh: lambda > rtol^2 lambda_max
    return np.where(kept, 1.0 / np.where(kept, s, 1.0), 0.0)


def damped_condition_number(s: np.ndarray, ridge: float, rtol: float = 1e-6) -> float:
    """``max_j g(s_j) / g(s_max)`` over the actual spectrum: the amplification the decoding pays.

    Equals :func:`irp_core.relative.effective_condition_number` at ridge 0; with a ridge it is at
    most :func:`ridge_bound` (less when no singular value lies near ``sqrt(ρ) s_max``).
    """
    g = filter_gains(s, ridge, rtol)
    if g.size == 0 or g[0] <= 0:
        return float("inf")
    return float(g.max() / g[0])


def ridge_bound(ridge: float) -> float:
    """The largest :func:`damped_condition_number` any spectrum can have at this ridge.

    g(s) = s / (s² + ρ s_max²) peaks at s = √ρ s_max with 1 / (2 √ρ s_max), and g(s_max) =
    1 / ((1 + ρ) s_max): the ratio is (1 + ρ) / (2 √ρ) (1.19 at ρ = 0.3). For ρ ≥ 1 the peak lies
    above s_max, g rises over the whole spectrum, and the ratio is 1. Infinite at ρ = 0.
    """
    if ridge <= 0:
        return float("inf")
    return 1.0 if ridge >= 1 else (1 + ridge) / (2 * np.sqrt(ridge))


def damped_from_raw(kappa: float, ridge: float) -> float:
    """The damped figure of a spectrum known only by its raw ``kappa = s_max / s_min``: the
    largest one any spectrum in [s_max / kappa, s_max] can have, so an upper bound of the actual.

    Non-decreasing and concave in kappa, so applied to a mean of raw figures it also bounds the
    mean of the damped ones (Jensen). Equals kappa at ridge 0.
    """
    kappa = float(kappa)
    if not np.isfinite(kappa) or ridge <= 0:
        return kappa
    t_min = 1.0 / max(kappa, 1.0)  # s_min / s_max
    if t_min <= np.sqrt(ridge):
        return ridge_bound(ridge)
    return float((1 + ridge) * t_min / (t_min**2 + ridge))


# ------------------------------------------------------------------------------ a pair's spectra
def prepared_sides(anchors_x, anchors_y, center: str, whiten_floor: float,
                   rtol: float) -> tuple[F.Side, F.Side]:
    """Both sides as :meth:`irp_core.IRP.fit` prepares them (same cache keys: hits after a fit).

    Anchors with no direction on either side are left out, as the fit does.
    """
    ax, ay = check_embeddings("anchors_x", anchors_x), check_embeddings("anchors_y", anchors_y)
    check_parallel("anchors_x", ax, "anchors_y", ay)
    options = (center, float(whiten_floor), float(rtol))
    side_x, side_y = F.parallel_map(lambda a: F.prepare_side(a, *options), [ax, ay])
    usable = side_x.usable & side_y.usable
    if not usable.any():
        raise ValueError("every anchor has zero norm (after centring): no spectrum")
    if not usable.all():
        rows = np.flatnonzero(usable)
        side_x, side_y = F.restrict(side_x, rows), F.restrict(side_y, rows)
    return side_x, side_y


def pruned_subsets(side_x: F.Side, side_y: F.Side, omega: int, delta: float, seed: int,
                   prune_on: str = "target") -> list[np.ndarray]:
    """The ω anchor subsets the fit keeps (sorted indices into the usable anchors)."""
    gram_key, abs_gram = F.prune_gram(side_x, side_y, prune_on)
    return [np.sort(s) for s in F.prune(gram_key, abs_gram, int(omega), float(delta), int(seed))]


def subset_spectra(side_y: F.Side, subsets: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Singular values (descending) of each subset's unit target anchors (memoised per subset)."""
    return F.parallel_map(lambda s: F.subset_spectrum(side_y, np.sort(s)), list(subsets))


def jaccard(subsets: Sequence[np.ndarray]) -> np.ndarray:
    """(ω, ω) overlap |S_i ∩ S_j| / |S_i ∪ S_j| of the subsets: 1 everywhere means ω adds nothing."""
    sets = [np.unique(s) for s in subsets]
    n = len(sets)
    out = np.ones((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            inter = np.intersect1d(sets[i], sets[j], assume_unique=True).size
            union = sets[i].size + sets[j].size - inter
            out[i, j] = out[j, i] = inter / union if union else 1.0
    return out


class DeltaCurve(NamedTuple):
    """The first subspace's kept count and condition numbers over a δ grid."""

    deltas: list[float]
    kept: list[int]
    raw: list[float]  # ridge 0: s_max / s_min of the kept values
    spectra: list[np.ndarray]  # for the damped figure at any ridge (:func:`damped_curve`)


def delta_curve(side_x: F.Side, side_y: F.Side, deltas: Sequence[float], seed: int,
                prune_on: str = "target", rtol: float = 1e-6) -> DeltaCurve:
    """Subset S1 (the first seeded pruning; it does not depend on ω) at each δ of ``deltas``."""
    subsets = [pruned_subsets(side_x, side_y, 1, d, seed, prune_on)[0] for d in deltas]
    spectra = subset_spectra(side_y, subsets)
    raw = [damped_condition_number(s, 0.0, rtol) for s in spectra]
    return DeltaCurve([float(d) for d in deltas], [int(s.size) for s in subsets], raw, spectra)


def damped_curve(curve: DeltaCurve, ridge: float, rtol: float = 1e-6) -> list[float]:
    """The damped condition number at each δ of ``curve``, for ``ridge``."""
    return [damped_condition_number(s, ridge, rtol) for s in curve.spectra]
