"""Classifier heads for stitching experiments: trained with scikit-learn, applied with numpy alone.

Heads never normalise their inputs: IRP's rescaling step exists because decoders are only *nearly*
scale invariant, and that is exactly what stitching measures. Heads are stored as plain ``.npz``
arrays (no pickle), so a shipped or uploaded head can never execute code when loaded.
"""

from __future__ import annotations

import os
import warnings

import numpy as np

_ACTIVATIONS = {
    "relu": lambda z: np.maximum(z, 0.0),
    "tanh": np.tanh,
}


def _check_features(x: np.ndarray, n_features: int) -> np.ndarray:
    x = np.asarray(x)
    if x.ndim != 2:
        raise ValueError(f"head input must be 2-D (n, d), got shape {x.shape}")
    if x.shape[1] != n_features:
        raise ValueError(f"head expects {n_features} features, got {x.shape[1]}")
    return x


def _softmax(logits: np.ndarray) -> np.ndarray:
    z = logits - logits.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    return z / z.sum(axis=1, keepdims=True)


class _Head:
    """Shared numpy forward pass over a stack of dense layers (weights[i]: (d_in, d_out))."""

    kind = "base"
    activation = "relu"

    def __init__(self) -> None:
        self.weights_: list[np.ndarray] = []
        self.biases_: list[np.ndarray] = []
        self.classes_: np.ndarray = np.zeros(0, dtype=np.int64)

    @property
    def n_features_in_(self) -> int:
        if not self.weights_:
            raise RuntimeError(f"{type(self).__name__} is not fitted yet: call fit() or load_head()")
        return int(self.weights_[0].shape[0])

    def decision_function(self, x: np.ndarray) -> np.ndarray:
        """Logits (n, n_classes); computed in float64 so float16 caches do not round the margins."""
        h = _check_features(x, self.n_features_in_).astype(np.float64, copy=False)
        act = _ACTIVATIONS[self.activation]
        last = len(self.weights_) - 1
        for i, (w, b) in enumerate(zip(self.weights_, self.biases_)):
            h = h @ w + b
            if i < last:
                h = act(h)
        return h

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        return _softmax(self.decision_function(x))

    def predict(self, x: np.ndarray) -> np.ndarray:
        return self.classes_[np.argmax(self.decision_function(x), axis=1)]

    def score(self, x: np.ndarray, y: np.ndarray) -> float:
        return float(np.mean(self.predict(x) == np.asarray(y)))

    def save(self, path: str | os.PathLike) -> None:
        arrays = {f"W{i}": w for i, w in enumerate(self.weights_)}
        arrays.update({f"b{i}": b for i, b in enumerate(self.biases_)})
        np.savez(
            path,
            kind=np.array(self.kind),
            activation=np.array(self.activation),
            classes=self.classes_,
            n_layers=np.array(len(self.weights_)),
            **arrays,
        )


def _check_training_data(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y)
    if x.ndim != 2 or x.shape[0] == 0:
        raise ValueError(f"training embeddings must be a non-empty 2-D array, got shape {x.shape}")
    if y.shape != (x.shape[0],):
        raise ValueError(f"labels must have shape ({x.shape[0]},), got {y.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError("training embeddings contain NaN or Inf")
    if np.unique(y).size < 2:
        raise ValueError("a classifier head needs at least two classes in its training labels")
    return x, y


class LinearHead(_Head):
    """Multinomial logistic regression on raw embeddings."""

    kind = "linear"

    def __init__(self, C: float = 1.0, max_iter: int = 1000, random_state: int = 0) -> None:
        super().__init__()
        self.C, self.max_iter, self.random_state = C, max_iter, random_state

    def fit(self, x: np.ndarray, y: np.ndarray) -> LinearHead:
        from sklearn.linear_model import LogisticRegression

        x, y = _check_training_data(x, y)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # lbfgs convergence chatter on unscaled features
            clf = LogisticRegression(C=self.C, max_iter=self.max_iter, random_state=self.random_state).fit(x, y)
        self.classes_ = clf.classes_
        coef, intercept = clf.coef_, clf.intercept_
        if coef.shape[0] == 1:  # binary: sklearn keeps one logit; expand to two for a uniform API
            coef, intercept = np.vstack([-coef, coef]) / 2, np.array([-intercept[0], intercept[0]]) / 2
        self.weights_, self.biases_ = [coef.T.copy()], [intercept.copy()]
        return self


class MLPHead(_Head):
    """One-hidden-layer perceptron (ReLU or tanh) on raw embeddings.

    ``early_stopping`` holds out 10% of the training items and stops when their score stalls: right
    for thousands of items; on a few hundred (the emoji: 537) it can stop at the majority class
    (e5: 0.33 on the emoji names, 0.83 without it), so small training sets turn it off.
    """

    kind = "mlp"

    def __init__(self, hidden: int = 256, activation: str = "relu", max_iter: int = 200, random_state: int = 0,
                 early_stopping: bool = True) -> None:
        super().__init__()
        if activation not in _ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(_ACTIVATIONS)}, got {activation!r}")
        self.hidden, self.activation, self.max_iter, self.random_state = hidden, activation, max_iter, random_state
        self.early_stopping = early_stopping

    def fit(self, x: np.ndarray, y: np.ndarray) -> MLPHead:
        from sklearn.neural_network import MLPClassifier

        x, y = _check_training_data(x, y)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            clf = MLPClassifier(
                hidden_layer_sizes=(self.hidden,),
                activation=self.activation,
                max_iter=self.max_iter,
                early_stopping=self.early_stopping,
                random_state=self.random_state,
            ).fit(x, y)
        self.classes_ = clf.classes_
        weights, biases = [w.copy() for w in clf.coefs_], [b.copy() for b in clf.intercepts_]
        if weights[-1].shape[1] == 1:  # binary: logistic output -> two logits
            weights[-1] = np.hstack([-weights[-1], weights[-1]]) / 2
            biases[-1] = np.array([-biases[-1][0], biases[-1][0]]) / 2
        self.weights_, self.biases_ = weights, biases
        return self


def load_head(path: str | os.PathLike) -> _Head:
    """Load a head saved by ``save``; never unpickles, and says what is wrong with a bad file."""
    try:
        with np.load(path, allow_pickle=False) as f:
            data = {k: f[k] for k in f.files}
    except (OSError, ValueError) as err:
        raise ValueError(f"cannot read head file {os.fspath(path)!r}: {err}") from err
    for key in ("kind", "activation", "classes", "n_layers"):
        if key not in data:
            raise ValueError(f"head file {os.fspath(path)!r} lacks key {key!r}")
    kind, activation = str(data["kind"]), str(data["activation"])
    heads = {"linear": LinearHead, "mlp": MLPHead}
    if kind not in heads:
        raise ValueError(f"head file {os.fspath(path)!r} has unknown kind {kind!r}")
    if activation not in _ACTIVATIONS:
        raise ValueError(f"head file {os.fspath(path)!r} has unknown activation {activation!r}")
    head = heads[kind]()
    head.activation = activation
    n_layers = int(data["n_layers"])
    try:
        head.weights_ = [np.asarray(data[f"W{i}"], dtype=np.float64) for i in range(n_layers)]
        head.biases_ = [np.asarray(data[f"b{i}"], dtype=np.float64) for i in range(n_layers)]
    except KeyError as err:
        raise ValueError(f"head file {os.fspath(path)!r} lacks layer array {err}") from err
    for i in range(n_layers):
        w, b = head.weights_[i], head.biases_[i]
        if w.ndim != 2 or b.shape != (w.shape[1],) or (i and w.shape[0] != head.weights_[i - 1].shape[1]):
            raise ValueError(f"head file {os.fspath(path)!r}: layer {i} has inconsistent shapes")
    head.classes_ = data["classes"]
    if head.classes_.shape != (head.weights_[-1].shape[1],):
        raise ValueError(f"head file {os.fspath(path)!r}: classes do not match the output layer")
    return head
