"""Input checks shared by the library, the command line and the dashboard: errors name the problem."""

from __future__ import annotations

import numpy as np


class IRPWarning(UserWarning):
    """A translation that is finite but numerically fragile (rank deficiency, too few anchors)."""


def check_embeddings(name: str, a, min_rows: int = 1, n_cols: int | None = None) -> np.ndarray:
    """A finite, non-empty 2-D float array, or a ``ValueError`` naming ``name`` and what is wrong."""
    if _is_sparse(a):
        raise ValueError(f"{name} is a sparse matrix: sparse input is not supported; pass a dense array "
                         "(embeddings are dense)")
    try:
        arr = np.asarray(a)
    except Exception as err:  # ragged nested lists and the like
        raise ValueError(f"{name} is not a rectangular array: {err}") from err
    if arr.dtype == object and arr.ndim == 2:  # numbers held as Python objects (a mixed DataFrame)
        try:
            arr = arr.astype(np.float64)
        except (TypeError, ValueError) as err:  # numpy's message names the offending value
            raise type(err)(f"{name} must be numeric: {err}") from err
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise ValueError(f"{name} must be numeric, got dtype {arr.dtype}")
    if np.iscomplexobj(arr):
        raise ValueError(f"{name} must be real-valued, got dtype {arr.dtype} (Complex data not supported)")
    if arr.ndim != 2:
        hint = f"; Reshape your data: {name}.reshape(1, -1) for a single vector" if arr.ndim == 1 else ""
        raise ValueError(f"{name} must be a 2-D array (n, d), got shape {arr.shape}{hint}")
    if arr.shape[0] < min_rows:
        raise ValueError(f"{name} needs at least {min_rows} row(s), got shape {arr.shape}")
    if arr.shape[1] == 0:
        raise ValueError(f"{name} has 0 feature(s) (shape={arr.shape}) while a minimum of 1 is required.")
    if n_cols is not None and arr.shape[1] != n_cols:
        raise ValueError(f"{name} has {arr.shape[1]} columns, expected {n_cols}")
    if not np.issubdtype(arr.dtype, np.floating):
        arr = arr.astype(np.float64)
    # Cheap test first (a NaN or Inf anywhere makes the float64 sum non-finite); locate on failure.
    if not np.isfinite(np.add.reduce(arr, axis=None, dtype=np.float64)) and not (finite := np.isfinite(arr)).all():
        row, col = np.argwhere(~finite)[0]
        raise ValueError(
            f"{name} contains NaN or Inf ({int((~finite).sum())} values; first at row {row}, column {col})"
        )
    return arr


def check_parallel(name_x: str, x: np.ndarray, name_y: str, y: np.ndarray) -> None:
    """Anchors of two spaces must describe the same items in the same order."""
    if x.shape[0] != y.shape[0]:
        raise ValueError(
            f"{name_x} has {x.shape[0]} rows but {name_y} has {y.shape[0]}: anchors must be "
            "parallel (the same items, in the same order, in both spaces)"
        )


def _is_sparse(a) -> bool:
    """A scipy sparse matrix or array (np.asarray would wrap it in a 0-d object array)."""
    try:
        from scipy.sparse import issparse
    except ImportError:  # pragma: no cover - scipy is a dependency
        return False
    return issparse(a)
