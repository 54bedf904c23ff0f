"""Why the knobs work: the target anchors' spectrum, the decoding's filter over it, the condition
number against δ, and the ω subsets' sizes and overlap (Translate's spectrum tab, Method page).

Numbers come from :mod:`irp_core.spectrum` (memoised in the core: after the page's fit they are
cache hits); the δ curve is the only new work, and the pages cache it apart from the sliders.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard import defaults
from dashboard.views.common import PALETTE, fmt, pair_anchors
from dashboard.views.settings import Settings
from irp_core import spectrum

RTOL = spectrum.RTOL  # IRP's default rtol: the dashboard has no control for it
MARGIN = {"l": 10, "r": 10, "t": 40, "b": 10}


@dataclass(frozen=True)
class PairSpectrum:
    """The current setting's ω subsets and their spectra."""

    settings: Settings
    subsets: list[np.ndarray]
    spectra: list[np.ndarray]  # singular values s, descending; eigenvalues of G_i are s²
    n_anchors: int  # usable anchors before pruning
    rank: int  # working dimension of the target side

    @property
    def kept(self) -> list[int]:
        return [int(s.size) for s in self.subsets]

    def raw(self) -> list[float]:
        return [spectrum.damped_condition_number(s, 0.0, RTOL) for s in self.spectra]

    def damped(self) -> list[float]:
        return [spectrum.damped_condition_number(s, self.settings.ridge, RTOL) for s in self.spectra]


def _sides(ds, s: Settings):
    ax, ay = pair_anchors(ds, s)
    return spectrum.prepared_sides(ax, ay, s.center, s.whiten_floor, RTOL)


def pair_spectrum(ds, s: Settings) -> PairSpectrum:
    """The subsets and spectra of ``s`` (cache hits in the core once ``s`` was translated)."""
    side_x, side_y = _sides(ds, s)
    subsets = spectrum.pruned_subsets(side_x, side_y, s.omega, s.delta, s.random_state, s.prune_on)
    return PairSpectrum(s, subsets, spectrum.subset_spectra(side_y, subsets), side_y.unit.shape[0],
                        side_y.unit.shape[1])


def delta_curve(ds, s: Settings, deltas=defaults.SPECTRUM_DELTAS) -> spectrum.DeltaCurve:
    """Subset S1 over ``deltas`` (and ``s.delta``): independent of ω and the ridge."""
    grid = sorted({round(float(d), 4) for d in deltas} | {round(float(s.delta), 4)})
    side_x, side_y = _sides(ds, s)
    return spectrum.delta_curve(side_x, side_y, grid, s.random_state, s.prune_on, RTOL)


def damped_caption(p: PairSpectrum) -> str:
    """Raw and damped condition numbers of the worst subset, and the ridge's bound, in words."""
    rho = p.settings.ridge
    raw, damped = max(p.raw()), max(p.damped())
    if rho <= 0:
        return (f"Ridge 0: the plain pseudo-inverse. A direction with singular value s is multiplied by "
                f"1/s, so the weakest kept one is amplified {fmt(raw, 1)} times more than the strongest.")
    return (f"Ridge ρ = {rho:.2f}: a direction with singular value s gets s / (s² + ρ s_max²). The raw "
            f"condition number {fmt(raw, 1)} would amplify the weakest direction that much; damped, "
            f"the largest relative gain is {fmt(damped, 2)} (at most (1 + ρ) / (2√ρ) = "
            f"{fmt(spectrum.ridge_bound(rho), 2)} for ρ < 1). Weak directions are shrunk instead of amplified.")


def spectrum_figure(p: PairSpectrum, max_subsets: int = 8) -> go.Figure:
    """Left: eigenvalues λ/λ_max of each subset's Gram matrix with the rtol cut and the ridge
    level. Right: the gain on each direction relative to the strongest, ridge 0 and the ridge."""
    rho = p.settings.ridge
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.1, subplot_titles=(
        "eigenvalues of the kept target anchors' Gram matrix", "gain on each direction (noise amplification)"))
    for i, s in enumerate(p.spectra[:max_subsets]):
        first = i == 0
        lam = (s / s[0]) ** 2 if s.size and s[0] > 0 else s
        rank = np.arange(1, s.size + 1)
        style = {"color": PALETTE[0] if first else "#bbbbbb", "width": 2 if first else 1}
        fig.add_trace(go.Scatter(x=rank, y=np.maximum(lam, 1e-30), mode="lines", line=style,
                                 name=f"λ/λ_max, S{i + 1}", showlegend=first or i == 1), row=1, col=1)
        if not first:
            continue
        pinv = spectrum.filter_gains(s, 0.0, RTOL) * s[0]
        fig.add_trace(go.Scatter(x=rank, y=np.where(pinv > 0, pinv, np.nan), mode="lines",
                                 line={"color": PALETTE[3], "dash": "dot"},
                                 name="pseudo-inverse 1/s (ridge 0)"), row=1, col=2)
        if rho > 0:
            g = spectrum.filter_gains(s, rho, RTOL)
            fig.add_trace(go.Scatter(x=rank, y=g / g[0], mode="lines", line={"color": PALETTE[2], "width": 3},
                                     name=f"ridge {rho:.2f}: s/(s²+ρ s_max²)"), row=1, col=2)
    # levels as legend entries, not hline annotations (plotly misplaces those on a log axis)
    n = max(s.size for s in p.spectra) if p.spectra else 1
    levels = [(RTOL**2, "pseudo-inverse cut: λ = rtol² λ_max", PALETTE[3], "dot")]
    if rho > 0:
        levels.append((rho, f"ridge level: λ = ρ λ_max, ρ = {rho:.2f}", PALETTE[2], "dash"))
    for y, name, color, dash in levels:
        fig.add_trace(go.Scatter(x=[1, max(n, 2)], y=[y, y], mode="lines", name=name,
                                 line={"color": color, "dash": dash, "width": 1}), row=1, col=1)
    fig.update_yaxes(type="log", exponentformat="power")
    fig.update_xaxes(title="direction (by eigenvalue, largest first)")
    fig.update_yaxes(title="λ / λ_max", row=1, col=1)
    fig.update_yaxes(title="gain / gain of the strongest", row=1, col=2)
    fig.update_layout(height=360, margin=MARGIN, legend={"orientation": "h", "y": -0.25})
    return fig


def delta_curve_figure(curve: spectrum.DeltaCurve, s: Settings) -> go.Figure:
    """Raw and damped condition number of subset S1 against δ, the current δ marked."""
    damped = spectrum.damped_curve(curve, s.ridge, RTOL)
    hover = [f"δ {d:.2f}: {k} anchors kept" for d, k in zip(curve.deltas, curve.kept)]
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=curve.deltas, y=curve.raw, mode="lines+markers", name="raw (ridge 0)",
                             line={"color": PALETTE[3]}, text=hover))
    if s.ridge > 0:
        fig.add_trace(go.Scatter(x=curve.deltas, y=damped, mode="lines+markers",
                                 name=f"damped (ridge {s.ridge:.2f})", line={"color": PALETTE[2]}, text=hover))
    here = curve.deltas.index(round(float(s.delta), 4))
    fig.add_vline(x=s.delta, line_dash="dash", annotation_text=f"δ = {s.delta:.2f}: {curve.kept[here]} kept")
    fig.update_yaxes(type="log", title="condition number", exponentformat="power")
    fig.update_xaxes(title="δ (pruning threshold)")
    fig.update_layout(height=320, margin=MARGIN, title="condition number of subspace S1 against δ",
                      legend={"orientation": "h", "y": -0.3})
    return fig


def subsets_figure(p: PairSpectrum) -> go.Figure:
    """Anchors kept per subspace, and the subsets' pairwise overlap (Jaccard)."""
    names = [f"S{i + 1}" for i in range(len(p.subsets))]
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.15, subplot_titles=(
        f"anchors kept per subspace (of {p.n_anchors})", "overlap |Si ∩ Sj| / |Si ∪ Sj|"))
    fig.add_trace(go.Bar(x=names, y=p.kept, marker_color=PALETTE[2], name="kept"), row=1, col=1)
    overlap = spectrum.jaccard(p.subsets)
    fig.add_trace(go.Heatmap(z=overlap, x=names, y=names, zmin=0, zmax=1, colorscale="Blues",
                             text=np.round(overlap, 2), texttemplate="%{text}", showscale=False), row=1, col=2)
    fig.update_yaxes(autorange="reversed", row=1, col=2)
    fig.update_layout(height=320, margin=MARGIN, showlegend=False)
    return fig


def mean_overlap(p: PairSpectrum) -> float:
    """Mean Jaccard overlap of distinct subset pairs (1.0 for a single subset)."""
    j = spectrum.jaccard(p.subsets)
    n = j.shape[0]
    return 1.0 if n < 2 else float((j.sum() - n) / (n * (n - 1)))
