"""What the views share: the palette, the n/a marker, number formatting, dataset look-ups, and
figures frozen for drawing many times."""

from __future__ import annotations

import base64
from typing import Any

import numpy as np
import plotly.graph_objects as go

from irp_core.scoring import format_number

PALETTE = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
)


def frozen(fig: go.Figure) -> go.Figure:
    """``fig`` with its numeric arrays already in plotly.js's typed-array form (base64).

    ``st.plotly_chart`` deep-copies a figure and converts its arrays on every rerun, and a cached
    figure is drawn on every rerun of every session: converting them once here cut a cached
    slider move's plotly work about threefold. Never mutate the result (it is shared).
    """
    return go.Figure(fig.to_dict(), _validate=False)


def untyped(v: Any) -> np.ndarray:
    """The values of a figure's array, whether a typed-array spec (see :func:`frozen`) or not."""
    if isinstance(v, dict) and "bdata" in v:
        a = np.frombuffer(base64.b64decode(v["bdata"]), dtype=np.dtype(v["dtype"]))
        return a.reshape([int(n) for n in str(v["shape"]).split(",")]) if "shape" in v else a
    return np.asarray(v)


fmt = format_number  # one formatter for every number shown (irp_core.scoring)


def anchors(sp, n_anchors: int, random_state: int) -> np.ndarray:
    """The anchors a fit at ``K = n_anchors`` uses: the core's seeded subsample
    (:func:`irp_core.anchor_rows`, the rows ``IRP(n_anchors=…, random_state=…)`` keeps); all of them
    at 0."""
    from irp_core import anchor_rows

    a = sp.anchors
    if not n_anchors or n_anchors >= a.shape[0]:
        return a
    return a[anchor_rows(a.shape[0], int(n_anchors), int(random_state))]


def pair_anchors(ds, s) -> tuple[np.ndarray, np.ndarray]:
    """The parallel anchors of the setting ``s``'s source and target: :func:`anchors` on each side."""
    return (anchors(ds.space(s.source), s.n_anchors, s.random_state),
            anchors(ds.space(s.target), s.n_anchors, s.random_state))


def load_head(ds, enc: str, kind: str):
    """The encoder's classifier head, or ``None`` when the dataset ships none."""
    try:
        return ds.head(enc, kind)
    except Exception:  # noqa: BLE001 - no head means "n/a", never a crash
        return None


def head_accuracy(head, x, labels) -> float | None:
    from irp_core import metrics

    if head is None or labels is None:
        return None
    return float(metrics.stitching_accuracy(head, np.asarray(x), np.asarray(labels)))

