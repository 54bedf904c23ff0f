"""What IRP and the direct baselines share as scikit-learn estimators.

A translator is a transformer fitted on ``(X, y)`` = (source anchors, target anchors): ``y`` is a
required (n, d_y) matrix, row i the same item as ``X``'s row i, and ``transform`` maps source
vectors into the target space, so its output has ``n_features_out_ = d_y`` columns (named
``irp0``, ``irp1``, ... by :meth:`get_feature_names_out`, for ``set_output(transform="pandas")``).
The tags say so, and :func:`expected_failed_checks` lists what of scikit-learn's estimator checks
cannot apply, with the reason, for ``check_estimator(est, expected_failed_checks=...)``.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from sklearn.base import ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from .validation import check_embeddings, check_parallel


class TranslatorMixin(ClassNamePrefixFeaturesOutMixin, TransformerMixin):
    """Tags, input checks and output feature names of a translator; put it before BaseEstimator."""

    #: scikit-learn checks that cannot apply to a translator: {check name: why}
    _expected_failed_checks: ClassVar[dict[str, str]] = {
        name: f"{what} with a 1-d y of class labels, whatever the tags say; a translator's y is the (n, d_y) "
              "matrix of target anchors, and a 1-d y is refused rather than read as a 1-d space (with y as "
              "a column the check passes)"
        for name, what in (("check_transformer_general", "fits"),
                           ("check_transformer_data_not_an_array", "fits on lists and array-likes"),
                           ("check_transformer_preserve_dtypes", "fits each dtype"))
    }
    #: dtypes ``transform`` keeps (float32 stays float32 only where the translator computes in it)
    _preserves_dtype: ClassVar[tuple[str, ...]] = ("float64",)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True  # y: the target anchors
        tags.target_tags.one_d_labels = False
        tags.target_tags.two_d_labels = True
        tags.target_tags.multi_output = True  # y is (n, d_y) ...
        tags.target_tags.single_output = False  # ... never a 1-d vector
        tags.input_tags.sparse = False
        tags.input_tags.allow_nan = False
        tags.transformer_tags.preserves_dtype = list(self._preserves_dtype)
        return tags

    @property
    def _n_features_out(self) -> int:
        """For ``ClassNamePrefixFeaturesOutMixin``: the target space's dimension."""
        return self.n_features_out_

    def _require_y(self, y) -> None:
        if y is None:
            raise ValueError(f"{type(self).__name__} requires y to be passed, but the target y is None: y is "
                             "the target space's anchors (n, d_y), row i the same item as X's row i")

    def _check_fit_data(self, X, y) -> tuple[np.ndarray, np.ndarray]:
        """Both anchor sets as checked arrays (not converted: a read-only array stays itself)."""
        self._require_y(y)
        ax, ay = check_embeddings("anchors_x", X), check_embeddings("anchors_y", y)
        check_parallel("anchors_x", ax, "anchors_y", ay)
        return ax, ay

    def _check_input(self, X) -> np.ndarray:
        """Source vectors to translate, checked against the fitted source dimension."""
        check_is_fitted(self)
        x = check_embeddings("x", X)
        if x.shape[1] != self.n_features_in_:
            raise ValueError(f"X has {x.shape[1]} features, but {type(self).__name__} is expecting "
                             f"{self.n_features_in_} features as input (the source space's dimension)")
        return x


def expected_failed_checks(estimator) -> dict[str, str]:
    """The scikit-learn estimator checks ``estimator`` is expected to fail, with the reason for each:
    for ``check_estimator(est, expected_failed_checks=expected_failed_checks(est))`` and
    ``parametrize_with_checks(..., expected_failed_checks=expected_failed_checks)``."""
    return dict(getattr(estimator, "_expected_failed_checks", {}))
