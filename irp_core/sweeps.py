"""Sweeps over (ω, δ) and over ordered pairs of spaces, parallel through joblib.

Each cell is an independent fit + evaluation, so any joblib backend works, e.g.
``with joblib.parallel_backend("dask"): sweep_pairs(...)`` on a cluster.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

import numpy as np
from joblib import Parallel, delayed

from .scoring import score_pair
from .translator import IRP


def _grid_cell(omega, delta, anchors_x, anchors_y, test_x, test_y, labels, head, params) -> dict:
    irp = IRP(omega=omega, delta=delta, **params)
    # the head's bounds (non-stitch, absolute) do not depend on (ω, δ): not repeated per cell
    row = score_pair(irp, anchors_x, anchors_y, test_x, test_y, labels=labels, head=head, non_stitch=False,
                     absolute=False).metrics
    return {"omega": omega, "delta": delta, **row}


def sweep_grid(
    anchors_x,
    anchors_y,
    test_x,
    test_y,
    omegas: Sequence[int],
    deltas: Sequence[float],
    labels=None,
    head=None,
    n_jobs: int = 1,
    **irp_params,
) -> list[dict]:
    """One row per (ω, δ): reconstruction, retrieval, conditioning, anchors kept, zero-shot accuracy."""
    cells = itertools.product(omegas, deltas)
    return Parallel(n_jobs=n_jobs)(
        delayed(_grid_cell)(o, d, anchors_x, anchors_y, test_x, test_y, labels, head, irp_params) for o, d in cells
    )


def _pair_cell(source, target, spaces, labels, heads, params) -> dict:
    (ax, tx), (ay, ty) = spaces[source], spaces[target]
    head = heads.get(target) if heads else None
    scores = score_pair(IRP(**params), ax, ay, tx, ty, labels=labels, head=head)
    return {"source": source, "target": target, **scores.metrics}


def sweep_pairs(
    spaces: Mapping[str, tuple[np.ndarray, np.ndarray]],
    labels=None,
    heads: Mapping | None = None,
    n_jobs: int = 1,
    **irp_params,
) -> list[dict]:
    """Every ordered pair (source != target) of ``spaces`` = {name: (anchors, test)}.

    With ``labels`` and ``heads`` = {name: head trained on that space}, each row also carries the
    ``zero_shot`` accuracy, the ``non_stitch`` upper bound and ``absolute`` (None if dims differ).
    """
    pairs = [(s, t) for s in spaces for t in spaces if s != t]
    return Parallel(n_jobs=n_jobs)(delayed(_pair_cell)(s, t, spaces, labels, heads, irp_params) for s, t in pairs)
