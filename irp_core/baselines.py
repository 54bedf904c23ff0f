"""Baselines with IRP's fit/transform surface.

``Absolute`` is no translation at all. ``Procrustes`` and ``LinearMap`` are *direct* maps: they are
fitted on both anchor sets at once, which IRP never does, and show what IRP gives up (or not) by
staying zero-shot.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator

from .estimator import TranslatorMixin


class _Baseline(TranslatorMixin, BaseEstimator):
    def _check_fit(self, X, y) -> tuple[np.ndarray, np.ndarray]:
        ax, ay = self._check_fit_data(X, y)
        ax, ay = ax.astype(np.float64), ay.astype(np.float64)
        self.n_features_in_, self.n_features_out_ = ax.shape[1], ay.shape[1]
        return ax, ay

    def _check_input(self, X) -> np.ndarray:
        return super()._check_input(X).astype(np.float64)


class Absolute(_Baseline):
    """Identity: feed source vectors to the target as they are (only where dimensions match)."""

    def fit(self, X, y=None) -> Absolute:
        ax, ay = self._check_fit(X, y)
        if ax.shape[1] != ay.shape[1]:
            raise ValueError(f"absolute baseline needs equal dimensions, got d_x={ax.shape[1]} and d_y={ay.shape[1]}")
        return self

    def transform(self, X) -> np.ndarray:
        return self._check_input(X)


class Procrustes(_Baseline):
    """Orthogonal Procrustes after standard scaling, zero-padding the smaller space."""

    def fit(self, X, y=None) -> Procrustes:
        ax, ay = self._check_fit(X, y)
        self.mean_x_, self.std_x_ = ax.mean(0), _safe_std(ax)
        self.mean_y_, self.std_y_ = ay.mean(0), _safe_std(ay)
        d = max(ax.shape[1], ay.shape[1])
        zx, zy = _pad((ax - self.mean_x_) / self.std_x_, d), _pad((ay - self.mean_y_) / self.std_y_, d)
        u, _, vt = np.linalg.svd(zx.T @ zy)
        self.rotation_ = u @ vt  # argmin ||zx R - zy|| over orthogonal R
        return self

    def transform(self, X) -> np.ndarray:
        x = self._check_input(X)
        z = _pad((x - self.mean_x_) / self.std_x_, self.rotation_.shape[0]) @ self.rotation_
        return z[:, : self.n_features_out_] * self.std_y_ + self.mean_y_


class LinearMap(_Baseline):
    """Least-squares affine map ``y ≈ x W + b`` (minimum-norm solution when under-determined)."""

    def fit(self, X, y=None) -> LinearMap:
        ax, ay = self._check_fit(X, y)
        design = np.hstack([ax, np.ones((ax.shape[0], 1))])
        coef, *_ = np.linalg.lstsq(design, ay, rcond=None)
        self.coef_, self.intercept_ = coef[:-1], coef[-1]
        return self

    def transform(self, X) -> np.ndarray:
        return self._check_input(X) @ self.coef_ + self.intercept_


def _safe_std(a: np.ndarray) -> np.ndarray:
    std = a.std(axis=0)
    return np.where(std > 1e-12, std, 1.0)


def _pad(a: np.ndarray, d: int) -> np.ndarray:
    return a if a.shape[1] == d else np.hstack([a, np.zeros((a.shape[0], d - a.shape[1]))])
