"""Sensitivity: one pair over an ω x δ grid, and reconstruction vs accuracy across pairs."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard import defaults
from dashboard.views.common import fmt
from dashboard.views.settings import MetricsFn, Settings
from dashboard.views.translate import cell_metrics_fn


def sensitivity_grid(ds, s: Settings, omegas: Sequence[int] = defaults.SWEEP_OMEGAS,
                     deltas: Sequence[float] = defaults.SWEEP_DELTAS,
                     progress: Callable[[float, str], None] | None = None,
                     metrics_fn: MetricsFn | None = None) -> dict:
    """Recon, zero-shot accuracy, mean condition number (raw, and damped at ``s.ridge``) and mean
    anchors kept over an ω x δ grid.

    The damped figure is the cell's ``cond_damped_mean`` (the subsets' exact figures, averaged);
    for a metrics function without it, :func:`irp_core.spectrum.damped_from_raw` of the raw mean
    (exact at ridge 0, else an upper bound).
    """
    from irp_core.spectrum import damped_from_raw

    fn = cell_metrics_fn(ds, metrics_fn)
    keys = ("recon", "recon_centred", "zero_shot", "cond_mean", "cond_damped", "kept_mean")
    out = {k: np.full((len(omegas), len(deltas)), np.nan) for k in keys}
    total = len(omegas) * len(deltas)
    errors = []
    for i, w in enumerate(omegas):
        for j, d in enumerate(deltas):
            if progress:
                progress((i * len(deltas) + j + 1) / total, f"ω={w}, δ={d:.2f}")
            try:
                tm = fn(replace(s, omega=int(w), delta=float(d)))
            except Exception as exc:  # noqa: BLE001
                errors.append(f"ω={w}, δ={d:.2f}: {exc}")
                continue
            out["recon"][i, j] = tm["recon"]
            out["recon_centred"][i, j] = tm.get("recon_centred", np.nan)
            zs = tm.get("zero_shot")
            out["zero_shot"][i, j] = np.nan if zs is None else zs
            out["cond_mean"][i, j] = tm["cond_mean"]
            out["cond_damped"][i, j] = tm.get("cond_damped_mean", damped_from_raw(tm["cond_mean"], s.ridge))
            out["kept_mean"][i, j] = tm["kept_mean"]
    out.update(omegas=list(omegas), deltas=list(deltas), errors=errors, ridge=float(s.ridge))
    return out


def sensitivity_figure(grid: dict, centred: bool = False) -> go.Figure:
    """The grid's four heatmaps; ``centred``: the first shows the centred reconstruction similarity.
    With a ridge, the condition number shown is the damped one: what the decoding pays."""
    recon = "recon_centred" if centred else "recon"
    ridge = grid.get("ridge", 0.0)
    cond = grid["cond_damped"] if "cond_damped" in grid else grid["cond_mean"]
    titles = ("reconstruction similarity" + (" (centred)" if centred else ""), "zero-shot accuracy",
              f"condition number, damped at ridge {ridge:.2f} (mean)" if ridge > 0
              else "condition number (mean, log10)", "anchors kept (mean)")
    fig = make_subplots(rows=2, cols=2, subplot_titles=titles, horizontal_spacing=0.12,
                        vertical_spacing=0.16)
    x = [f"{d:.2f}" for d in grid["deltas"]]
    y = [str(w) for w in grid["omegas"]]
    cond = cond if ridge > 0 else np.log10(np.maximum(cond, 1.0))
    mats = (grid[recon], grid["zero_shot"], cond, grid["kept_mean"])
    bars = ((0.45, 0.78), (1.02, 0.78), (0.45, 0.2), (1.02, 0.2))
    for n, (mat, (bx, by)) in enumerate(zip(mats, bars)):
        txt = np.where(np.isfinite(mat), np.round(mat, 2).astype(str), "n/a")
        fig.add_trace(go.Heatmap(z=np.where(np.isfinite(mat), mat, None), x=x, y=y, text=txt,
                                 texttemplate="%{text}", colorscale="Viridis",
                                 colorbar={"x": bx, "y": by, "len": 0.4, "thickness": 10}),
                      row=n // 2 + 1, col=n % 2 + 1)
    fig.update_xaxes(title="δ", type="category")  # every δ of the list labelled, unevenly spaced or not
    fig.update_yaxes(title="ω", type="category")
    fig.update_layout(height=640, margin={"l": 10, "r": 10, "t": 40, "b": 10})
    return fig


def pearson(x: np.ndarray, y: np.ndarray) -> float:
    x, y = np.asarray(x, float).ravel(), np.asarray(y, float).ravel()
    m = np.isfinite(x) & np.isfinite(y)
    if m.sum() < 3 or np.std(x[m]) == 0 or np.std(y[m]) == 0:
        return float("nan")
    return float(np.corrcoef(x[m], y[m])[0, 1])


def recon_vs_acc_figure(pairs: dict, centred: bool = False) -> tuple[go.Figure, float]:
    """Reconstruction similarity (raw, or ``centred``) vs zero-shot accuracy across ordered pairs,
    with Pearson r."""
    encs = pairs["encoders"]
    recon = pairs["recon_centred"] if centred else pairs["recon"]
    xs, ys, names = [], [], []
    for i, a in enumerate(encs):
        for j, b in enumerate(encs):
            if i != j and np.isfinite(recon[i, j]) and np.isfinite(pairs["zero_shot"][i, j]):
                xs.append(recon[i, j])
                ys.append(pairs["zero_shot"][i, j])
                names.append(f"{a} → {b}")
    r = pearson(np.array(xs), np.array(ys))
    fig = go.Figure(go.Scatter(x=xs, y=ys, mode="markers+text", text=names,
                               textposition="top center", marker={"size": 10}))
    fig.update_layout(title=f"across pairs: Pearson r = {fmt(r, 2)}", height=400,
                      xaxis_title="reconstruction similarity" + (" (centred)" if centred else ""),
                      yaxis_title="zero-shot accuracy",
                      margin={"l": 10, "r": 10, "t": 40, "b": 10})
    return fig, r

