"""Input checks shared by the library, the command line and the dashboard: errors name the problem."""

from __future__ import annotations

import numpy as np


class IRPWarning(UserWarning):
    """A translation that is finite but numerically fragile (rank deficiency, too few anchors)."""


def check_embeddings(name: str, a, min_rows: int = 1, n_cols: int | None = None) -> np.ndarray:
    """A finite, non-empty 2-D float array, or a ``ValueError`` naming ``name`` and what is wrong."""
    try:
        arr = np.asarray(a)
    except Exception as err:  # ragged nested lists and the like
        raise ValueError(f"{name} is not a rectangular array: {err}") from err
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise ValueError(f"{name} must be numeric, got dtype {arr.dtype}")
    if np.iscomplexobj(arr):
        raise ValueError(f"{name} must be real-valued, got dtype {arr.dtype}")
    if arr.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (n, d), got shape {arr.shape}")
    if arr.shape[0] < min_rows:
        raise ValueError(f"{name} needs at least {min_rows} row(s), got shape {arr.shape}")
    if arr.shape[1] == 0:
        raise ValueError(f"{name} has zero columns (shape {arr.shape})")
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
