"""The Method page's step-through (classroom mode): the steps' words, and the two pictures of the
relative space that no other page draws. The other steps reuse the layout, spectrum and translate
figures (``dashboard/state/classroom.py`` picks them)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from dashboard.views.common import PALETTE, pair_anchors
from dashboard.views.settings import Settings
from irp_core import spectrum

# key -> (title, what the step does and what its picture shows)
STEPS: dict[str, tuple[str, str]] = {
    "encode": ("Encode", "Each source vector becomes its cosines to the K source anchors: the relative "
               "representation. The picture: a few test items (rows) against the first anchors (columns)."),
    "bridge": ("Bridge", "Two encoders trained apart give similar cosines to the same anchors. The picture: "
               "each dot is one (item, anchor) cosine, source side against target side; the closer to "
               "the diagonal, the better the translation can be."),
    "decode": ("Decode", "The target vector whose cosines to the target anchors best match those cosines "
               "(a pseudo-inverse). The picture: each translated item (×) lands among the true target "
               "embeddings of its class."),
    "pruning": ("Pruning (δ)", "Near-colinear anchors make the inverse ill-conditioned. Farthest point "
                "sampling keeps anchors with |cos| ≤ 1 − δ. The picture: the condition number against δ, "
                "the current δ marked."),
    "subspaces": ("Subspaces (ω)", "The pruning runs from ω seeded starts and the ω decodings are "
                  "averaged. The picture: anchors kept per subspace and how much the subsets overlap."),
    "ridge": ("Ridge", "Decoding multiplies each eigen-direction by 1/s: weak directions amplify noise. "
              "The ridge shrinks them instead. The picture: the spectrum, and the gain the pseudo-inverse "
              "and the ridge apply to it."),
    "rescale": ("Rescale", "The decoded direction is kept and the target's typical norm restored. The "
                "picture: norms of the source, true target and translated vectors."),
    "stitching": ("Stitching", "A classifier trained on the target alone reads the translated vectors. "
                  "The picture: its confusion matrix on the test split (zero-shot)."),
}
N_ITEMS, N_ANCHORS = 8, 24  # the relative-space pictures' rows and columns


def relative_rows(ds, s: Settings) -> tuple[np.ndarray, np.ndarray]:
    """Cosines of the first test items to the first anchors on each side, in the coordinates the
    core takes them in (each side's working frame)."""
    ax, ay = pair_anchors(ds, s)
    side_x, side_y = spectrum.prepared_sides(ax, ay, s.center, s.whiten_floor, spectrum.RTOL)

    def cosines(side, test):
        w = side.frame.to_working(np.asarray(test[:N_ITEMS], dtype=np.float64))
        w /= np.maximum(np.linalg.norm(w, axis=1, keepdims=True), 1e-12)
        return w @ side.unit[:N_ANCHORS].T

    return cosines(side_x, ds.space(s.source).test), cosines(side_y, ds.space(s.target).test)


def encode_figure(rx: np.ndarray, source: str) -> go.Figure:
    fig = go.Figure(go.Heatmap(z=rx, colorscale="RdBu", zmid=0, x=[f"a{j + 1}" for j in range(rx.shape[1])],
                               y=[f"item {i + 1}" for i in range(rx.shape[0])], colorbar={"title": "cos"}))
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(height=360, margin={"l": 10, "r": 10, "t": 40, "b": 10},
                      title=f"relative representation in {source}: cos(item, anchor)")
    return fig


def bridge_figure(rx: np.ndarray, ry: np.ndarray, source: str, target: str) -> tuple[go.Figure, float]:
    """Source cosines against target cosines, and their correlation."""
    r = float(np.corrcoef(rx.ravel(), ry.ravel())[0, 1])
    lim = float(max(np.abs(rx).max(), np.abs(ry).max(), 1e-3))
    fig = go.Figure(go.Scatter(x=rx.ravel(), y=ry.ravel(), mode="markers", marker={"color": PALETTE[0]},
                               name="(item, anchor)"))
    fig.add_trace(go.Scatter(x=[-lim, lim], y=[-lim, lim], mode="lines", line={"dash": "dot", "color": "gray"},
                             name="agreement"))
    fig.update_layout(height=360, margin={"l": 10, "r": 10, "t": 40, "b": 10}, showlegend=False,
                      title=f"the same cosines in both spaces: Pearson r = {r:.2f}",
                      xaxis_title=f"cos in {source}", yaxis_title=f"cos in {target}")
    return fig, r
