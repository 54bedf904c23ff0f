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

from . import functional
from .params import defaults
from .validation import check_embeddings, check_parallel

_IRP = defaults()  # IRP's defaults, written once in its signature
RTOL = _IRP["rtol"]


def filter_gains(s: np.ndarray, ridge: float, rtol: float = RTOL) -> np.ndarray:
    """The decoding's gain on each singular direction (``s`` descending), as the core applies it."""
    s = np.asarray(s, dtype=np.float64)
    top = float(s[0]) if s.size else 0.0
    if top <= 0:
        return np.zeros_like(s)
    if ridge > 0:  # functional.damped_inverse: (G + ridge * lambda_max I)^-1, every direction kept
        return s / (s**2 + ridge * top**2)
    kept = s > rtol * top  # functional.inverse_from_eigh: lambda > rtol^2 lambda_max
    return np.where(kept, 1.0 / np.where(kept, s, 1.0), 0.0)


def damped_condition_number(s: np.ndarray, ridge: float, rtol: float = RTOL) -> float:
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
class FitSpectra(NamedTuple):
    """A fit's map, its ω subsets (sorted) and their spectra."""

    map: functional.TranslationMap
    subsets: list[np.ndarray]
    spectra: list[np.ndarray]  # singular values s, descending; eigenvalues of G_i are s²


def fit_spectra(anchors_x, anchors_y, **params) -> FitSpectra:
    """The subsets and spectra of IRP fitted with ``params`` on these anchors: the fit's own, from
    :func:`irp_core.translation_map` (a cache hit after that fit; its warnings are not repeated)."""
    fitted = functional.translation_map(anchors_x, anchors_y, quiet=True, **params)
    subsets = [np.sort(s) for s in fitted.subsets]
    return FitSpectra(fitted, subsets, subset_spectra(fitted.side_y, subsets))


def prepared_sides(anchors_x, anchors_y, center: str = _IRP["center"], whiten_floor: float = _IRP["whiten_floor"],
                   rtol: float = RTOL) -> tuple[functional.Side, functional.Side]:
    """Both sides as :func:`irp_core.translation_map` prepares them (:func:`irp_core.functional.prepare_pair`,
    same cache keys: hits after a fit on all of these anchors). Anchors with no direction on either
    side are left out, as the fit does.
    """
    ax, ay = check_embeddings("anchors_x", anchors_x), check_embeddings("anchors_y", anchors_y)
    check_parallel("anchors_x", ax, "anchors_y", ay)
    pair = functional.prepare_pair(ax, ay, center, whiten_floor, rtol)
    return pair.source, pair.target


def pruned_subsets(side_x: functional.Side, side_y: functional.Side, omega: int, delta: float,
                   random_state: int = _IRP["random_state"], prune_on: str = _IRP["prune_on"],
                   max_kept: int | None = _IRP["max_kept"]) -> list[np.ndarray]:
    """The ω anchor subsets the fit keeps (sorted indices into the usable anchors)."""
    subsets, _ = functional.prune_pair(side_x, side_y, prune_on, omega, delta, random_state, max_kept)
    return [np.sort(s) for s in subsets]


def subset_spectra(side_y: functional.Side, subsets: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Singular values (descending) of each subset's unit target anchors (memoised per subset)."""
    return functional.parallel_map(lambda s: functional.subset_spectrum(side_y, np.sort(s)), list(subsets))


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


def delta_curve(
    side_x: functional.Side,
    side_y: functional.Side,
    deltas: Sequence[float],
    random_state: int = _IRP["random_state"],
    prune_on: str = _IRP["prune_on"],
    rtol: float = RTOL,
) -> DeltaCurve:
    """Subset S1 (the first seeded pruning; it does not depend on ω) at each δ of ``deltas``."""
    subsets = [pruned_subsets(side_x, side_y, 1, d, random_state, prune_on)[0] for d in deltas]
    spectra = subset_spectra(side_y, subsets)
    raw = [damped_condition_number(s, 0.0, rtol) for s in spectra]
    return DeltaCurve([float(d) for d in deltas], [int(s.size) for s in subsets], raw, spectra)


def damped_curve(curve: DeltaCurve, ridge: float, rtol: float = RTOL) -> list[float]:
    """The damped condition number at each δ of ``curve``, for ``ridge``."""
    return [damped_condition_number(s, ridge, rtol) for s in curve.spectra]
