"""Sweeps over (ω, δ) and over ordered pairs of spaces, parallel through joblib.

Each cell is an independent fit + evaluation, so any joblib backend works, e.g.
``with joblib.parallel_backend("dask"): sweep_pairs(...)`` on a cluster.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

import numpy as np
from joblib import Parallel, delayed

from . import metrics
from .translator import IRP


def evaluate(
    translator,
    anchors_x,
    anchors_y,
    test_x,
    test_y,
    labels=None,
    head=None,
) -> dict:
    """Fit ``translator`` on the anchors, translate ``test_x`` and score it against ``test_y``."""
    pred = translator.fit(anchors_x, anchors_y).transform(test_x)
    row = {
        "recon": metrics.reconstruction_similarity(pred, test_y)[0],
        "recon_centered": metrics.reconstruction_similarity(pred, test_y, center=True)[0],
        "retrieval": metrics.retrieval_top1(pred, test_y),
    }
    if isinstance(translator, IRP):
        row.update(
            cond_mean=float(np.mean(translator.condition_numbers_)),
            cond_max=float(np.max(translator.condition_numbers_)),
            kept_mean=float(np.mean(translator.n_anchors_kept_)),
        )
    if head is not None and labels is not None:
        row["accuracy"] = metrics.stitching_accuracy(head, pred, labels)
    return row


def _grid_cell(omega, delta, anchors_x, anchors_y, test_x, test_y, labels, head, params) -> dict:
    irp = IRP(omega=omega, delta=delta, **params)
    return {"omega": omega, "delta": delta, **evaluate(irp, anchors_x, anchors_y, test_x, test_y, labels, head)}


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
    """One row per (ω, δ): reconstruction, retrieval, conditioning, anchors kept, accuracy."""
    cells = itertools.product(omegas, deltas)
    return Parallel(n_jobs=n_jobs)(
        delayed(_grid_cell)(o, d, anchors_x, anchors_y, test_x, test_y, labels, head, irp_params) for o, d in cells
    )


def _pair_cell(source, target, spaces, labels, heads, params) -> dict:
    (ax, tx), (ay, ty) = spaces[source], spaces[target]
    head = heads.get(target) if heads else None
    row = {"source": source, "target": target}
    row.update(evaluate(IRP(**params), ax, ay, tx, ty, labels, head))
    if head is not None and labels is not None:
        row["non_stitch"] = metrics.stitching_accuracy(head, ty, labels)
        same_dim = np.shape(tx)[1] == np.shape(ty)[1]
        row["absolute"] = metrics.stitching_accuracy(head, tx, labels) if same_dim else None
    return row


def sweep_pairs(
    spaces: Mapping[str, tuple[np.ndarray, np.ndarray]],
    labels=None,
    heads: Mapping | None = None,
    n_jobs: int = 1,
    **irp_params,
) -> list[dict]:
    """Every ordered pair (source != target) of ``spaces`` = {name: (anchors, test)}.

    With ``labels`` and ``heads`` = {name: head trained on that space}, each row also carries the
    zero-shot ``accuracy``, the ``non_stitch`` upper bound and ``absolute`` (None if dims differ).
    """
    pairs = [(s, t) for s in spaces for t in spaces if s != t]
    return Parallel(n_jobs=n_jobs)(delayed(_pair_cell)(s, t, spaces, labels, heads, irp_params) for s, t in pairs)
