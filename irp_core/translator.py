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
from functools import partial

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from . import functional, params
from .estimator import TranslatorMixin
from .relative import (
    effective_condition_number,
    inverse_relative_projection,
    normalize_rows,
    pseudo_inverse,
    relative_projection,
)
from .threads import matmul
from .validation import IRPWarning

# the choices of IRP's string options, in a stable order (declared once, in irp_core.params)
CENTER_OPTIONS = params.options("center")
PRUNE_ON_OPTIONS = params.options("prune_on")
RESCALE_OPTIONS = params.options("rescale")


class IRP(TranslatorMixin, BaseEstimator):
    """Inverse Relative Projection from a source space X into a target space Y.

    A scikit-learn transformer fitted on ``(X, y)`` = (source anchors, target anchors): rows are
    the same items in both spaces. The parameters are declared, with their constraints, labels and
    ranges, in :mod:`irp_core.params`; the defaults are the ones below.

    Parameters
    ----------
    omega : number of anchor subspaces (seeded prunings) whose decodings are averaged.
    delta : pruning threshold in [0, 1): kept anchors satisfy |cos| <= 1 - delta; 0 keeps all.
    random_state : an int >= 0; seeds the pruning starts and the anchor subsample
        (:func:`irp_core.anchor_rows`).
    center : "whiten" subtracts each side's own anchor mean and whitens in its own anchors' principal
        axes before taking cosines, so no few high-variance directions dominate them; "anchor_mean"
        only subtracts the mean; "none" takes cosines of the raw vectors (the paper as written).
    prune_on : which side's anchors pruning looks at ("source", "target", or "both": an anchor pair
        counts as close when it is close in either space); the indices found are used on both sides.
    rescale : target scale statistic for the output norm: mean or median norm of the (centred)
        target anchors, or "none" (output stays unit-scale and centred).
    completion : recover the directions a pruned subset cannot reach from the full anchor set
        (see ``docs/METHOD.md``).
    n_anchors : use a seeded subsample of this many anchor rows (None: all); the rows are
        ``irp_core.anchor_rows(len(X), n_anchors, random_state)``.
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

    _parameter_constraints: dict = params.constraints()
    _preserves_dtype = ("float64", "float32")  # float32 input is translated in float32

    def __init__(
        self,
        omega: int = 1,
        delta: float = 0.0,
        random_state: int = 0,
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
        self.random_state = random_state
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
    def fit(self, X, y=None, *, quiet: bool = False) -> IRP:
        """Learn the translation from parallel anchors: ``X`` the source anchors (n, d_x), ``y`` the
        target anchors (n, d_y), row i of both the same item.

        Fits with :func:`irp_core.translation_map`'s code (``functional.fit_map``) and keeps what it
        learnt as fitted attributes; its expensive steps are memoised on the anchors' content, so a
        refit that changes ω, δ or the ridge redoes only what changed. ``quiet=True`` emits no
        IRPWarning: for a fit done ahead in a background thread, since Python's warning filters
        are global, and a thread catching warnings at that moment would record it as its own.
        """
        self._validate_params()
        self._require_y(y)
        fitted = functional.fit_map(X, y, self.get_params(deep=False))
        if not quiet:
            for note in fitted.notes:
                warnings.warn(note, IRPWarning, stacklevel=2)

        self.matrix_ = fitted.matrix
        self._matrix32 = self.matrix_.astype(np.float32)
        self.subsets_ = list(fitted.subsets)
        self.n_anchors_kept_ = fitted.n_anchors_kept
        self.anchor_rows_ = fitted.anchor_rows
        self.frame_x_, self.frame_y_ = fitted.frame_x, fitted.frame_y
        self.center_x_, self.center_y_ = fitted.center_x, fitted.center_y
        self.whitener_x_, self.unwhitener_y_ = fitted.frame_x.forward, fitted.frame_y.backward
        self.n_features_in_, self.n_features_out_ = self.matrix_.shape
        self.scale_ = fitted.scale
        self._side_y = fitted.side_y  # the condition numbers are computed on demand from its Gram matrix
        if fitted.target_singular_values is None:
            self.__dict__.pop("_singular_values_full", None)  # computed lazily; stale after a refit
        else:
            self._singular_values_full = fitted.target_singular_values
        return self

    def start_conditioning(self) -> IRP:
        """Begin computing the condition numbers in the background and return at once.

        For a caller that will read ``condition_numbers_`` after other work (the dashboard
        translates and scores the test split meanwhile): on a machine with a spare core their
        eigenvalue decompositions then cost no waiting. Reading them later waits for the result.
        """
        check_is_fitted(self, "matrix_")
        distinct = {s.tobytes(): s for s in (np.sort(s) for s in self.subsets_)}.values()
        for subset in distinct:  # one task each: the core's pool runs them on every core
            functional.in_background(partial(functional.subset_spectrum, self._side_y, subset))
        return self

    def _spectra(self) -> list[np.ndarray]:
        """Singular values of each subset's unit target anchors (memoised; see :attr:`ranks_`)."""
        check_is_fitted(self, "matrix_")
        return functional.parallel_map(lambda s: functional.subset_spectrum(self._side_y, np.sort(s)), self.subsets_)

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
            self._singular_values_full = functional.full_singular_values(self._side_y)
        return effective_condition_number(self._singular_values_full, self.rtol)

    # ------------------------------------------------------------------ translating
    def _finish(self, y_hat: np.ndarray) -> np.ndarray:
        """Rescale: unit direction times the target's scale statistic, plus the target centre."""
        if self.rescale == "none":
            return y_hat
        norms = np.sqrt(np.einsum("ij,ij->i", y_hat, y_hat))
        y_hat *= (self.scale_ / np.where(norms > 0, norms, np.inf))[:, None]
        y_hat += self.center_y_.astype(y_hat.dtype)
        return y_hat

    def transform(self, X) -> np.ndarray:
        """Translate (n, d_x) source vectors into the target space: one matrix product.

        float32 input is translated in float32 (fast), anything else in float64. When the output
        is rescaled, its direction does not depend on the input's norm, so the input normalisation
        is skipped: ``norm(x - c) @ M`` and ``(x - c) @ M`` differ by a positive factor per row.
        """
        x = self._check_input(X)
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


def _project_onto_rows(v: np.ndarray, basis: np.ndarray, rtol: float) -> np.ndarray:
    """Orthogonal projection of each row of v onto the span of the rows of basis."""
    pinv, _ = pseudo_inverse(basis, rtol)
    return v @ (pinv @ basis).T
