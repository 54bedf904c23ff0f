"""Pin and compare: a pinned setting A, written compactly for the URL, and its differences to the
current setting as metric deltas and figures (no Streamlit here: ``dashboard/state/pin.py``).
"""

from __future__ import annotations

import math
from dataclasses import fields, replace
from typing import Any

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard import defaults
from dashboard.views.settings import KNOBS, Settings, short_name, shown
from dashboard.views.translate import Translation
from irp_core.scoring import METRICS

SEP, KV = ",", ":"  # pin=dataset:mnist,source:…,omega:8,delta:0.7,center:none,ridge:0
_DEFAULT = Settings()
_OPTIONS = {**{p.name: p.options for p in KNOBS if p.options}, "head": defaults.HEAD_OPTIONS}
_KNOBS = {p.name: p for p in KNOBS}
ALWAYS = ("dataset", "source", "target")  # written even at their defaults: A is one exact pair


def encode(s: Settings) -> str:
    """``s`` as a short URL value: the pair, then only the fields that differ from the defaults."""
    out = []
    for f in fields(Settings):
        v = getattr(s, f.name)
        if f.name in ALWAYS or v != getattr(_DEFAULT, f.name):
            out.append(f"{f.name}{KV}{_text(v)}")
    return SEP.join(out)


def _text(v: Any) -> str:
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


def decode(text: str) -> Settings:
    """The Settings :func:`encode` wrote; ``ValueError`` saying which part is wrong otherwise."""
    kinds = {f.name: type(getattr(_DEFAULT, f.name)) for f in fields(Settings)}
    values: dict[str, Any] = {}
    for part in str(text).split(SEP):
        name, sep, raw = part.partition(KV)
        if not sep or name not in kinds:
            raise ValueError(f"{part!r} is not a setting (expected name{KV}value, names: "
                             f"{', '.join(kinds)})")
        kind = kinds[name]
        try:
            if kind is bool:
                if raw not in ("0", "1"):
                    raise ValueError
                v: Any = raw == "1"
            else:
                v = kind(raw)
        except ValueError:
            want = {bool: "0 or 1", int: "an integer", float: "a number"}.get(kind, "text")
            raise ValueError(f"{name}{KV}{raw!r}: expected {want}") from None
        if isinstance(v, float) and not math.isfinite(v):
            raise ValueError(f"{name}{KV}{raw!r}: not a finite number")
        if name in _OPTIONS and v not in _OPTIONS[name]:
            raise ValueError(f"{name}{KV}{raw!r}: one of {', '.join(_OPTIONS[name])}")
        values[name] = v
    missing = [n for n in ALWAYS if not values.get(n)]
    if missing:
        raise ValueError(f"the pin names no {', '.join(missing)}")
    return replace(_DEFAULT, **values)


def differences(a: Settings, s: Settings) -> str:
    """What A sets differently from the current setting, e.g. ``ω 8, δ 0.70, centring none``."""
    parts = []
    for f in fields(Settings):
        va, vs = getattr(a, f.name), getattr(s, f.name)
        if va != vs:
            knob = _KNOBS.get(f.name)
            parts.append(f"{short_name(knob)} {shown(knob, va)}" if knob else f"{f.name} {_text(va)}")
    return ", ".join(parts) if parts else "the same setting as now"


# -- metric deltas ---------------------------------------------------------------------------
# how a difference is coloured, from the metric registry's "better" (irp_core.scoring.Metric)
_COLOURS = {"higher": "normal", "lower": "inverse", "neither": "off"}


def _number(v: Any) -> float | None:
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return None
    v = float(v)
    return v if math.isfinite(v) else None


def delta(key: str, now: dict, pinned: dict | None, colour: str | None = None) -> dict[str, Any]:
    """``st.metric`` keyword arguments for the difference now − A of ``key`` ({} when unpinned or
    either is n/a). A metric of the registry is coloured by which direction is better and shown to
    its digits; any other number (a page's own, e.g. a norm) takes ``colour`` (default normal)."""
    if pinned is None:
        return {}
    a, b = _number(now.get(key)), _number(pinned.get(key))
    if a is None or b is None:
        return {}
    metric = METRICS.get(key)
    d = a - b
    if abs(d) < 1e-12 or (abs(b) > 0 and abs(d) / abs(b) < 1e-6):
        return {"delta": "±0 vs A", "delta_color": "off", "delta_arrow": "off"}
    digits = 3 if metric is None else max(1, min(metric.digits, 3))
    text = f"{d:+.3g}" if max(abs(a), abs(b)) >= 1e4 else f"{d:+.{digits}f}"
    if colour is None:
        colour = "normal" if metric is None else _COLOURS[metric.better]
    return {"delta": f"{text} vs A", "delta_color": colour}


# -- figures -----------------------------------------------------------------------------------
NOW, PINNED = "now", "A (pinned)"
_MARGIN = {"l": 10, "r": 10, "t": 30, "b": 10}


def recon_hist_compare(t: Translation, a: Translation) -> go.Figure:
    """The per-item cosine histograms of now and A, overlaid on shared bins, with both means."""
    fig = go.Figure()
    for name, x, colour in ((PINNED, a.recon_per_sample, "#ff7f0e"), (NOW, t.recon_per_sample, "#1f77b4")):
        fig.add_trace(go.Histogram(x=np.round(x, 4), name=name, opacity=0.55, marker_color=colour,
                                   xbins={"start": -1.0, "end": 1.0, "size": 0.025}))
        fig.add_vline(x=float(np.mean(x)), line_dash="dash", line_color=colour)
    fig.update_layout(barmode="overlay", height=260, margin=_MARGIN,
                      title=f"cos(translated, true target): now {np.mean(t.recon_per_sample):.3f}, "
                            f"A {np.mean(a.recon_per_sample):.3f}",
                      xaxis_title="cosine", yaxis_title="items", legend={"orientation": "h", "y": -0.3})
    return fig


def kept_cond_compare(t: Translation, a: Translation) -> go.Figure:
    """Anchors kept and condition number per subspace, now and A side by side in each panel."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=("anchors kept per subspace",
                                                        "condition number per subspace"))
    for name, tr, colour in ((NOW, t, "#1f77b4"), (PINNED, a, "#ff7f0e")):
        x = [f"S{i + 1}" for i in range(len(tr.kept))]
        fig.add_trace(go.Bar(x=x, y=tr.kept, name=name, marker_color=colour, legendgroup=name),
                      row=1, col=1)
        fig.add_trace(go.Bar(x=x, y=tr.cond_sub, name=name, marker_color=colour, legendgroup=name,
                             showlegend=False), row=1, col=2)
    fig.update_yaxes(type="log", row=1, col=2)
    fig.update_layout(barmode="group", height=260, margin=_MARGIN, legend={"orientation": "h", "y": -0.2})
    return fig


def confusion_compare(t: Translation, a: Translation, classes) -> go.Figure:
    """The stitching confusion matrices of now and A beside each other, on one colour scale."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=(NOW, PINNED), horizontal_spacing=0.08)
    top = max(int(np.max(m)) for m in (t.confusion, a.confusion) if m is not None) or 1
    for col, cm in ((1, t.confusion), (2, a.confusion)):
        if cm is None:
            continue
        names = [str(c) for c in classes][: cm.shape[0]]
        fig.add_trace(go.Heatmap(z=cm, x=names, y=names, colorscale="Blues", zmin=0, zmax=top,
                                 text=cm, texttemplate="%{text}", showscale=False), row=1, col=col)
    fig.update_yaxes(autorange="reversed")
    fig.update_yaxes(title="true class", col=1)
    fig.update_xaxes(title="predicted")
    fig.update_layout(height=380, margin={**_MARGIN, "t": 50}, title="stitching confusion matrices")
    return fig


def compare_figures(ds, t: Translation, a: Translation) -> dict[str, go.Figure]:
    """The details tab's figures with A beside or over them (keys as translate.SMALL_FIGURES)."""
    figs = {"recon_hist": recon_hist_compare(t, a), "kept_cond": kept_cond_compare(t, a)}
    if t.confusion is not None or a.confusion is not None:
        figs["confusion"] = confusion_compare(t, a, ds.classes)
    return figs


def pairs_means(res: dict) -> dict[str, float]:
    """The All pairs tiles' means over the ordered pairs (diagonal left out), for :func:`delta`."""
    n = len(res["encoders"])
    off = ~np.eye(n, dtype=bool)

    def mean(v) -> float:
        v = np.asarray(v, dtype=float)
        v = v[np.isfinite(v)]
        return float(v.mean()) if v.size else math.nan

    return {"zero_shot": mean(res["zero_shot"][off]), "recon": mean(res["recon"][off]),
            "recon_centred": mean(np.asarray(res.get("recon_centred", np.full((n, n), np.nan)))[off]),
            "non_stitch": mean(res["non_stitch"]),
            "pairs": int(np.isfinite(np.asarray(res["zero_shot"], dtype=float)[off]).sum())}
