"""Scale: norm distributions per encoder, and head accuracy as inputs are rescaled by α."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from dashboard import defaults
from dashboard.views.common import PALETTE, head_accuracy, load_head


def alphas(n: int = defaults.N_ALPHAS) -> np.ndarray:
    return np.logspace(math.log10(defaults.ALPHA_MIN), math.log10(defaults.ALPHA_MAX), n)


def norm_fits(ds) -> list[dict[str, Any]]:
    """Per encoder: test-vector norms and their Gaussian fit (mean, std)."""
    out = []
    for enc in ds.encoders:
        sp = ds.space(enc)
        n = np.linalg.norm(np.asarray(sp.test, dtype=np.float32), axis=1)
        out.append({"encoder": enc, "norms": n, "mean": float(n.mean()), "std": float(n.std()),
                    "dim": int(sp.test.shape[1])})
    return out


def norm_fits_figure(fits: list[dict[str, Any]]) -> go.Figure:
    fig = go.Figure()
    for i, f in enumerate(fits):
        color = PALETTE[i % len(PALETTE)]
        fig.add_trace(go.Histogram(x=np.round(f["norms"], 4), histnorm="probability density",
                                   name=f["encoder"], opacity=0.45, nbinsx=50,
                                   marker_color=color, legendgroup=f["encoder"]))
        if f["std"] > 0:
            g = np.linspace(f["mean"] - 4 * f["std"], f["mean"] + 4 * f["std"], 120)
            pdf = np.exp(-0.5 * ((g - f["mean"]) / f["std"]) ** 2) / (f["std"] * math.sqrt(2 * math.pi))
            fig.add_trace(go.Scatter(x=g, y=pdf, mode="lines", line={"color": color},
                                     name=f"N({f['mean']:.2f}, {f['std']:.2f}²)",
                                     legendgroup=f["encoder"]))
    fig.update_layout(barmode="overlay", height=380, title="norm distributions with Gaussian fit",
                      xaxis_title="‖v‖", yaxis_title="density", margin={"l": 10, "r": 10, "t": 40, "b": 10})
    return fig


def norm_rows(fits: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The table under the histograms: per encoder its dimension, mean norm, std and their ratio."""
    return [{"encoder": f["encoder"], "dim": f["dim"], "mean norm": round(f["mean"], 3),
             "std": round(f["std"], 3), "cv": round(f["std"] / f["mean"], 3) if f["mean"] else None}
            for f in fits]


def alpha_curves(ds, enc: str, extra: dict[str, np.ndarray] | None = None,
                 head_kinds: Sequence[str] = defaults.HEAD_OPTIONS) -> dict[str, Any]:
    """Head accuracy when inputs are rescaled by α, for each head type (true target vectors and,
    optionally, other inputs such as the IRP translation)."""
    sp = ds.space(enc)
    a = alphas()
    curves: dict[str, list[float]] = {}
    inputs = {"true": np.asarray(sp.test, dtype=np.float32)}
    inputs.update(extra or {})
    for kind in head_kinds:
        head = load_head(ds, enc, kind)
        if head is None:
            continue
        for name, x in inputs.items():
            accs = [head_accuracy(head, alpha * x, sp.test_labels) for alpha in a]
            if all(v is not None for v in accs):
                curves[f"{kind} head, {name}"] = [float(v) for v in accs]
    return {"alphas": a, "curves": curves}


def alpha_figure(res: dict, marks: dict[str, float]) -> go.Figure:
    fig = go.Figure()
    for name, ys in res["curves"].items():
        fig.add_trace(go.Scatter(x=res["alphas"], y=ys, mode="lines+markers", name=name,
                                 line={"dash": "dot" if "translated" in name else "solid"}))
    shown = [(label, x) for label, x in marks.items() if x and math.isfinite(x) and x > 0]
    for i, (label, x) in enumerate(shown):  # marks often coincide: labels alternate middle and bottom
        fig.add_vline(x=x, line_dash="dash")
        # on a log axis an annotation's x is log10 of the value (add_vline's own label lands at 10**x)
        fig.add_annotation(x=math.log10(x), y=0.5 if i % 2 == 0 else 0.04, yref="paper", text=label,
                           showarrow=False, xanchor="left", xshift=4, font={"size": 11},
                           bgcolor="rgba(255,255,255,0.8)")
    fig.update_xaxes(type="log", title="input rescaling α (×)")
    fig.update_layout(height=380, yaxis_title="accuracy", yaxis_range=[0, 1.02],
                      title="head accuracy vs input scale", margin={"l": 10, "r": 10, "t": 40, "b": 10})
    return fig

