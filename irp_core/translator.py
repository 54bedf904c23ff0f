"""The IRP translator: a scikit-learn style estimator over the functional core.

Fitting collapses the whole method (ω prunings, ω pseudo-inverses, optional completion) into one
(d_x, d_y) matrix ``matrix_`` because, before the final rescale, IRP is linear in the normalised
source vector: encoding the identity with the source anchors and decoding it with the target anchors
*is* that matrix. Translating n samples is then one matrix product and two row normalisations.
``transform_plain`` runs the method step by step (encode, decode, average, rescale) and serves as
the obviously-correct reference that the fast path is tested against.

Zero-shot rules: the source side only ever touches ``anchors_x``, the target side only
``anchors_y``; the two share anchor identities (which rows, which subsets) and nothing else.
"""

from __future__ import annotations

import warnings
from collections import Counter
from functools import partial

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from . import functional as F
from .memo import ContentCache, content_key
from .relative import (
    CENTER_OPTIONS,
    effective_condition_number,
    inverse_relative_projection,
    normalize_rows,
    pseudo_inverse,
    relative_projection,
)
from .threads import matmul, one_thread
from .validation import IRPWarning, check_embeddings, check_parallel

PRUNE_ON_OPTIONS = ("source", "target", "both")
RESCALE_OPTIONS = ("anchor_mean_norm", "anchor_median_norm", "none")


class IRP(BaseEstimator):
    """Inverse Relative Projection from a source space X into a target space Y.

    Parameters
    ----------
    omega : number of anchor subspaces (seeded prunings) whose decodings are averaged.
    delta : pruning threshold in [0, 1): kept anchors satisfy |cos| <= 1 - delta; 0 keeps all.
    seed : seeds the pruning starts and the anchor subsample.
    center : "whiten" subtracts each side's own anchor mean and whitens in its own anchors' principal
        axes before taking cosines, so no few high-variance directions dominate them; "anchor_mean"
        only subtracts the mean; "none" takes cosines of the raw vectors (the paper as written).
    prune_on : which side's anchors pruning looks at ("source", "target", or "both": an anchor pair
        counts as close when it is close in either space); the indices found are used on both sides.
    rescale : target scale statistic for the output norm: mean or median norm of the (centred)
        target anchors, or "none" (output stays unit-scale and centred).
    completion : recover the directions a pruned subset cannot reach from the full anchor set
        (see ``docs/METHOD.md``).
    n_anchors : use a seeded subsample of this many anchors (None: all).
    max_kept : cap on anchors kept per subspace (None: only delta decides).
    whiten_floor : with ``center="whiten"``, added to every principal variance as a fraction of the
        largest, so the noisy low-variance directions are not blown up.
    ridge : Tikhonov damping of the decoding, as a fraction of the largest eigenvalue of each target
        anchor subset's Gram matrix; 0 is the plain pseudo-inverse.
    rtol : relative tolerance of the float64 SVD pseudo-inverse.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> ax = rng.normal(size=(300, 16)); q, _ = np.linalg.qr(rng.normal(size=(16, 16)))
    >>> irp = IRP(omega=4, delta=0.0, center="none", ridge=0.0).fit(ax, 3 * ax @ q)  # undamped: exact
    >>> x = rng.normal(size=(5, 16))
    >>> bool(np.allclose(normalize_rows(irp.transform(x)), normalize_rows(x @ q), atol=1e-6))
    True
    """

    def __init__(
        self,
        omega: int = 1,
        delta: float = 0.0,
        seed: int = 0,
        *,
        center: str = "whiten",
        prune_on: str = "source",
        rescale: str = "anchor_mean_norm",
        completion: bool = False,
        n_anchors: int | None = None,
        max_kept: int | None = None,
        whiten_floor: float = 0.003,
        ridge: float = 0.3,
        rtol: float = 1e-6,
    ) -> None:
        self.omega = omega
        self.delta = delta
        self.seed = seed
        self.center = center
        self.prune_on = prune_on
        self.rescale = rescale
        self.completion = completion
        self.n_anchors = n_anchors
        self.max_kept = max_kept
        self.whiten_floor = whiten_floor
        self.ridge = ridge
        self.rtol = rtol

    # ------------------------------------------------------------------ fitting
    def _check_params(self) -> None:
        if int(self.omega) != self.omega or self.omega < 1:
            raise ValueError(f"omega must be a positive integer, got {self.omega!r}")
        if not 0.0 <= float(self.delta) < 1.0:
            raise ValueError(f"delta must lie in [0, 1), got {self.delta!r}")
        for name, value, options in (
            ("center", self.center, CENTER_OPTIONS),
            ("prune_on", self.prune_on, PRUNE_ON_OPTIONS),
            ("rescale", self.rescale, RESCALE_OPTIONS),
        ):
            if value not in options:
                raise ValueError(f"{name} must be one of {options}, got {value!r}")
        if self.n_anchors is not None and int(self.n_anchors) < 1:
            raise ValueError(f"n_anchors must be a positive integer or None, got {self.n_anchors!r}")
        if self.max_kept is not None and int(self.max_kept) < 1:
            raise ValueError(f"max_kept must be a positive integer or None, got {self.max_kept!r}")
        if not 0.0 <= float(self.whiten_floor) < 1e6:
            raise ValueError(f"whiten_floor must be a number >= 0, got {self.whiten_floor!r}")
        if not 0.0 <= float(self.ridge) < 1e6:
            raise ValueError(f"ridge must be a number >= 0, got {self.ridge!r}")
        if not 0.0 < float(self.rtol) < 1.0:
            raise ValueError(f"rtol must lie in (0, 1), got {self.rtol!r}")

    def fit(self, anchors_x, anchors_y, *, quiet: bool = False) -> IRP:
        """Learn the translation from parallel anchors (row i of both = the same item).

        Composes the steps of :mod:`irp_core.functional`; their expensive parts are memoised on the
        anchors' content, so a refit that changes ω, δ or the ridge redoes only what changed.
        ``quiet=True`` emits no IRPWarning: for a fit done ahead in a background thread, since
        Python's warning filters are global, and a thread catching warnings at that moment would
        record it as its own.
        """

        def warn(message: str) -> None:
            if not quiet:
                warnings.warn(message, IRPWarning, stacklevel=3)

        self._check_params()
        self.__dict__.pop("_singular_values_full", None)  # computed lazily; stale after a refit
        ax = check_embeddings("anchors_x", anchors_x)  # as given: read-only arrays are hashed once
        ay = check_embeddings("anchors_y", anchors_y)
        check_parallel("anchors_x", ax, "anchors_y", ay)

        rows = np.arange(ax.shape[0])
        if self.n_anchors is not None and self.n_anchors < rows.size:
            rows = np.sort(np.random.default_rng(self.seed).choice(rows.size, self.n_anchors, replace=False))
            ax, ay = ax[rows], ay[rows]

        # Each side's working coordinates, from its own anchors only: centred and, if asked, whitened.
        options = (self.center, float(self.whiten_floor), float(self.rtol))
        side_x, side_y = F.parallel_map(lambda a: F.prepare_side(a, *options), [ax, ay])
        self.frame_x_, self.frame_y_ = side_x.frame, side_y.frame
        self.center_x_, self.center_y_ = self.frame_x_.center, self.frame_y_.center
        self.whitener_x_, self.unwhitener_y_ = self.frame_x_.forward, self.frame_y_.backward

        # An anchor with zero norm (after centring) has no direction: it cannot carry a cosine.
        usable = side_x.usable & side_y.usable
        if not usable.any():
            raise ValueError("every anchor has zero norm (after centring): nothing to project onto")
        if not usable.all():
            warn(f"{int((~usable).sum())} anchor(s) have zero norm after centring and are ignored")
            side_x, side_y = F.restrict(side_x, np.flatnonzero(usable)), F.restrict(side_y, np.flatnonzero(usable))
        self.anchor_rows_ = rows[usable]
        self.n_features_in_, self.n_features_out_ = ax.shape[1], ay.shape[1]
        n_kept_rows = int(usable.sum())
        if n_kept_rows < ay.shape[1]:
            warn(
                f"only {n_kept_rows} anchors for a {ay.shape[1]}-d target: translations are confined "
                f"to a {n_kept_rows}-d subspace of it"
            )

        gram_key, abs_gram = F.prune_gram(side_x, side_y, self.prune_on)
        max_kept = None if self.max_kept is None else int(self.max_kept)
        self.subsets_ = F.prune(gram_key, abs_gram, int(self.omega), float(self.delta), int(self.seed), max_kept)
        self.n_anchors_kept_ = [int(s.size) for s in self.subsets_]
        self._side_y = side_y  # the condition numbers are computed on demand from its Gram matrix

        if self.completion:
            matrix = self._completion_map(side_x.unit, side_y.unit)
        elif all(s.size == n_kept_rows for s in self.subsets_):  # nothing pruned: one decoding
            matrix = F.full_set_map(side_x, side_y, float(self.ridge), float(self.rtol))
        else:
            seeds_key = (gram_key, float(self.delta), int(self.seed), max_kept)
            matrix = F.pruned_map(side_x, side_y, self.subsets_, seeds_key, float(self.ridge), float(self.rtol))
        self.matrix_ = matrix
        self._matrix32 = self.matrix_.astype(np.float32)

        if min(self.n_anchors_kept_) == 1:
            warn("a subspace kept a single anchor: its translations are one-dimensional; lower delta")

        norms = side_y.centred_norms
        self.scale_ = {"anchor_mean_norm": norms.mean(), "anchor_median_norm": np.median(norms), "none": 1.0}[
            self.rescale
        ]
        return self

    def _completion_map(self, nx: np.ndarray, ny: np.ndarray) -> np.ndarray:
        """The map with anchor completion: each subset's decoding plus, for the directions its
        anchors cannot reach, the full anchor set's (see ``docs/METHOD.md``). Not on the fast path."""
        w_full, self._singular_values_full = _gram_pinv(ny @ ny.T, self.rtol, self.ridge)
        m_full = nx.T @ (w_full @ ny)  # identity encoded and decoded with every anchor
        counts = Counter(np.sort(subset).tobytes() for subset in self.subsets_)
        lefts, rights = [], []
        for key, count in counts.items():
            subset = np.frombuffer(key, dtype=np.int64)
            sx, sy = nx[subset], ny[subset]
            gram = sy @ sy.T
            right = _gram_pinv(gram, self.rtol, self.ridge)[0] @ sy  # (k, d_y) = pinv(sy).T
            # The subset only reaches span(sy); the full anchor set supplies the rest through
            # (I - P), P = sy.T @ pinv(sy).T the projector onto span(sy) (undamped).
            plain_right = _gram_pinv(gram, self.rtol)[0] @ sy if self.ridge else right
            lefts += [count * sx.T, count * m_full]
            rights += [right, np.eye(ny.shape[1]) - sy.T @ plain_right]
        matrix = np.hstack(lefts) @ np.vstack(rights) / len(self.subsets_)
        if self.center == "whiten":  # raw source -> whitened source ... whitened target -> raw target
            matrix = self.whitener_x_ @ matrix @ self.unwhitener_y_
        return matrix

    def start_conditioning(self) -> IRP:
        """Begin computing the condition numbers in the background and return at once.

        For a caller that will read ``condition_numbers_`` after other work (the dashboard
        translates and scores the test split meanwhile): on a machine with a spare core their
        eigenvalue decompositions then cost no waiting. Reading them later waits for the result.
        """
        check_is_fitted(self, "matrix_")
        distinct = {s.tobytes(): s for s in (np.sort(s) for s in self.subsets_)}.values()
        for subset in distinct:  # one task each: the core's pool runs them on every core
            F.in_background(partial(F.subset_spectrum, self._side_y, subset))
        return self

    def _spectra(self) -> list[np.ndarray]:
        """Singular values of each subset's unit target anchors (memoised; see :attr:`ranks_`)."""
        check_is_fitted(self, "matrix_")
        return F.parallel_map(lambda s: F.subset_spectrum(self._side_y, np.sort(s)), self.subsets_)

    @property
    def condition_numbers_(self) -> list[float]:
        """Per subset: s_max / smallest singular value kept by the pseudo-inverse (undamped).

        Computed on first use, not in ``fit``: an eigenvalue decomposition per new subset would cost
        more than the fit itself. Warns (IRPWarning) when a subset is rank deficient.
        """
        return [effective_condition_number(s, self.rtol) for s in self._checked_spectra()]

    @property
    def damped_condition_numbers_(self) -> list[float]:
        """Per subset: the amplification the (ridge-damped) decoding pays, the largest gain relative
        to the strongest direction's (:func:`irp_core.spectrum.damped_condition_number`); equal to
        :attr:`condition_numbers_` at ridge 0. From the same memoised spectra."""
        from .spectrum import damped_condition_number

        return [damped_condition_number(s, self.ridge, self.rtol) for s in self._spectra()]

    @property
    def ranks_(self) -> list[int]:
        """Per subset: the rank the pseudo-inverse keeps (singular values above rtol * s_max)."""
        return _ranks(self._checked_spectra(), self.rtol)

    def _checked_spectra(self) -> list[np.ndarray]:
        spectra = self._spectra()
        n_rows, d_y = self._side_y.unit.shape  # d_y: the working dimension (whitening may drop some)

        # Centring all n anchors leaves rank n - 1 when n <= d: expected, not a defect.
        def expected_rank(k: int) -> int:
            return min(k, d_y) - int(self.center != "none" and k == n_rows <= d_y)

        ranks = _ranks(spectra, self.rtol)
        if any(r < expected_rank(k) for r, k in zip(ranks, self.n_anchors_kept_)):
            warnings.warn(
                "some anchor subsets are rank deficient (duplicate or colinear anchors): their "
                "pseudo-inverse drops the degenerate directions",
                IRPWarning,
                stacklevel=3,
            )
        return spectra

    @property
    def condition_number_full_(self) -> float:
        """Condition number of all (unpruned) target anchors: what pruning is there to improve."""
        check_is_fitted(self, "matrix_")
        if not hasattr(self, "_singular_values_full"):
            with one_thread():
                self._singular_values_full = np.linalg.svd(self._side_y.unit, compute_uv=False)
        return effective_condition_number(self._singular_values_full, self.rtol)

    # ------------------------------------------------------------------ translating
    def _check_input(self, x) -> np.ndarray:
        check_is_fitted(self, "matrix_")
        return check_embeddings("x", x, n_cols=self.n_features_in_)

    def _finish(self, y_hat: np.ndarray) -> np.ndarray:
        """Rescale: unit direction times the target's scale statistic, plus the target centre."""
        if self.rescale == "none":
            return y_hat
        norms = np.sqrt(np.einsum("ij,ij->i", y_hat, y_hat))
        y_hat *= (self.scale_ / np.where(norms > 0, norms, np.inf))[:, None]
        y_hat += self.center_y_.astype(y_hat.dtype)
        return y_hat

    def transform(self, x) -> np.ndarray:
        """Translate (n, d_x) source vectors into the target space: one matrix product.

        float32 input is translated in float32 (fast), anything else in float64. When the output
        is rescaled, its direction does not depend on the input's norm, so the input normalisation
        is skipped: ``norm(x - c) @ M`` and ``(x - c) @ M`` differ by a positive factor per row.
        """
        x = self._check_input(x)
        single = x.dtype == np.float32
        matrix = self._matrix32 if single else self.matrix_
        x = x if single else x.astype(np.float64, copy=False)
        if self.rescale == "none":  # unit-normalise the input in the coordinates cosines are taken in
            centred = x - self.center_x_.astype(x.dtype)
            working = centred if self.whitener_x_ is None else centred @ self.whitener_x_.astype(x.dtype)
            norms = np.linalg.norm(working, axis=1, keepdims=True)
            return matmul(centred / np.where(norms > 1e-12, norms, np.inf), matrix)
        y_hat = matmul(x, matrix)
        y_hat -= (self.center_x_ @ self.matrix_).astype(x.dtype)
        return self._finish(y_hat)

    def transform_plain(self, x, anchors_x, anchors_y) -> np.ndarray:
        """Reference path, step by step: encode on each subset, decode, average, rescale.

        Needs the anchors again (the fast path does not keep them); float64 throughout.
        """
        x = self._check_input(x).astype(np.float64)
        # Work in each side's working coordinates, as ``fit`` does.
        x = self.frame_x_.to_working(x)
        ax = self.frame_x_.to_working(np.asarray(anchors_x, dtype=np.float64)[self.anchor_rows_])
        ay = self.frame_y_.to_working(np.asarray(anchors_y, dtype=np.float64)[self.anchor_rows_])

        def decode(anchor_rows):
            r = relative_projection(x, ax[anchor_rows])
            return inverse_relative_projection(r, ay[anchor_rows], None, self.rtol, self.ridge)

        if self.completion:  # the full-set decoding does not depend on the subset: once
            y_full = decode(slice(None))
        decoded = []
        for subset in self.subsets_:
            y = decode(subset)
            if self.completion:
                basis = normalize_rows(ay[subset])
                y = y + y_full - _project_onto_rows(y_full, basis, self.rtol)
            decoded.append(y)
        y = np.mean(decoded, axis=0)
        if self.unwhitener_y_ is not None:
            y = y @ self.unwhitener_y_
        return self._finish(y)


def _ranks(spectra: list[np.ndarray], rtol: float) -> list[int]:
    """Per spectrum: the singular values the pseudo-inverse keeps (above rtol * s_max)."""
    return [int((s > rtol * s[0]).sum()) if s[0] > 0 else 0 for s in spectra]


_GRAM_EIGH = ContentCache(maxsize=8)  # the completion path's full-set decomposition, per target


def _gram_pinv(gram: np.ndarray, rtol: float, ridge: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """From the Gram matrix G = A A.T of unit-row anchors: ``W`` with pinv(A).T = W @ A, and the
    singular values of A (descending).

    With A = U S V.T, pinv(A).T = U S^-2 U.T A, so a (k, k) eigendecomposition replaces a (k, d) SVD:
    the same tolerance (s > rtol * s_max, i.e. lambda > rtol^2 * lambda_max), several times faster.
    ``ridge`` damps it to U (S^2 + ridge * lambda_max)^-1 U.T A, as :func:`pseudo_inverse` does.
    """
    lam, u = _GRAM_EIGH.get(content_key(gram), lambda: F.eigh_descending(gram))
    return F.inverse_from_eigh(lam, u, rtol, ridge), np.sqrt(np.clip(lam, 0.0, None))


def _project_onto_rows(v: np.ndarray, basis: np.ndarray, rtol: float) -> np.ndarray:
    """Orthogonal projection of each row of v onto the span of the rows of basis."""
    pinv, _ = pseudo_inverse(basis, rtol)
    return v @ (pinv @ basis).T
