"""All pairs: every ordered (encoder, decoder) pair at one setting, as matrices and the paper's table."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import plotly.graph_objects as go

from dashboard.views.common import head_accuracy, load_head
from dashboard.views.settings import MetricsFn, Settings
from dashboard.views.translate import cell_metrics_fn
from irp_core.scoring import METRICS


def all_pairs(ds, s: Settings, progress: Callable[[float, str], None] | None = None,
              metrics_fn: MetricsFn | None = None) -> dict:
    """Every ordered (encoder, decoder) pair at the settings ``s``: recon, zero-shot, absolute.

    ``metrics_fn(settings) -> metrics dict`` lets a caller cache each cell (default: translate).
    """
    fn = cell_metrics_fn(ds, metrics_fn)
    encs = list(ds.encoders)
    n = len(encs)
    recon = np.full((n, n), np.nan)
    recon_centred = np.full((n, n), np.nan)
    acc = np.full((n, n), np.nan)
    absolute = np.full((n, n), np.nan)
    non_stitch = np.full(n, np.nan)
    kept_min, kept_max, cond_max = (np.full((n, n), np.nan) for _ in range(3))
    errors: list[str] = []
    total, done = n * n, 0
    for j, tgt in enumerate(encs):
        head = load_head(ds, tgt, s.head)
        sy = ds.space(tgt)
        a = head_accuracy(head, sy.test, sy.test_labels)
        non_stitch[j] = np.nan if a is None else a
        for i, src in enumerate(encs):
            done += 1
            if progress:
                progress(done / total, f"{src} → {tgt}")
            try:
                tm = fn(replace(s, dataset=ds.name, source=src, target=tgt))
            except Exception as exc:  # noqa: BLE001 - one failing pair must not hide the others
                errors.append(f"{src} → {tgt}: {exc}")
                continue
            recon[i, j] = tm["recon"]
            recon_centred[i, j] = tm.get("recon_centred", np.nan)
            acc[i, j] = _value(tm.get("zero_shot"))
            absolute[i, j] = _value(tm.get("absolute"))  # None: the dims differ
            kept_min[i, j] = tm.get("kept_min", np.nan)
            kept_max[i, j] = tm.get("kept_max", np.nan)
            cond_max[i, j] = tm.get("cond_max", np.nan)
    return {"encoders": encs, "recon": recon, "recon_centred": recon_centred, "zero_shot": acc, "absolute": absolute,
            "non_stitch": non_stitch, "kept_min": kept_min, "kept_max": kept_max,
            "cond_max": cond_max, "errors": errors}


def _value(v) -> float:
    """A metric as a matrix cell: NaN where it was not measured or does not apply (None)."""
    return np.nan if v is None else float(v)


def _mean_std(v: np.ndarray) -> str:
    v = v[np.isfinite(v)]
    if v.size == 0:
        return "n/a"
    return f"{v.mean():.2f} ± {v.std():.2f}"


def _centred(res: dict) -> np.ndarray:
    """The centred reconstruction similarity of a result (all n/a in one built without it)."""
    return np.asarray(res.get("recon_centred", np.full_like(res["recon"], np.nan)), dtype=float)


def _columns(res: dict, cells: np.ndarray, non_stitch: np.ndarray) -> dict[str, str]:
    """Mean ± std over ``cells`` of the pair metrics, under the registry's column names."""
    return {METRICS["zero_shot"].column: _mean_std(res["zero_shot"][cells]),
            METRICS["absolute"].column: _mean_std(res["absolute"][cells]),
            METRICS["non_stitch"].column: _mean_std(non_stitch),
            METRICS["recon"].column: _mean_std(res["recon"][cells]),
            METRICS["recon_centred"].column: _mean_std(_centred(res)[cells])}


def paper_table(ds, res: dict, s: Settings) -> list[dict[str, str]]:
    """The paper-style row: zero-shot, absolute and non-stitch mean ± std over ordered pairs."""
    n = len(res["encoders"])
    off = ~np.eye(n, dtype=bool)
    return [{
        "dataset": ds.title,
        "ω": str(s.omega), "δ": f"{s.delta:.2f}",
        **_columns(res, off, res["non_stitch"]),
        "pairs available": str(int(np.isfinite(res["zero_shot"][off]).sum())),
    }]


def encoder_labels(ds, encoders: Sequence[str]) -> list[str]:
    """Axis labels of the pair matrices: the encoder names, each marked with the modality it embeds
    where the dataset pairs several (image and text encoders of the emoji), as in the paper's
    cross-modal figure."""
    kinds = [ds.encoder_modality(e) for e in encoders]
    if len(set(kinds)) < 2:
        return list(encoders)
    return [f"{e} [{k}]" for e, k in zip(encoders, kinds)]


def direction_table(ds, res: dict) -> list[dict[str, str]]:
    """Per direction of a paired dataset (image → text, text → image, image → image, text → text):
    mean ± std over its ordered pairs (the diagonal left out), and the target heads' non-stitch
    accuracy. Empty when every encoder embeds the same modality."""
    kinds = np.asarray([ds.encoder_modality(e) for e in res["encoders"]])
    modalities = list(dict.fromkeys(kinds))
    if len(modalities) < 2:
        return []
    off = ~np.eye(len(kinds), dtype=bool)
    directions = [(a, b) for a in modalities for b in modalities if a != b]
    directions += [(a, a) for a in modalities]
    rows = []
    for a, b in directions:
        cells = off & (kinds[:, None] == a) & (kinds[None, :] == b)
        rows.append({
            "direction": f"{a} → {b}", "pairs": str(int(cells.sum())),
            **_columns(res, cells, res["non_stitch"][kinds == b]),
        })
    return rows


def pair_matrix_figure(mat: np.ndarray, encoders: Sequence[str], title: str,
                       zmin: float = 0.0, zmax: float = 1.0) -> go.Figure:
    """A heatmap of one quantity over ordered pairs; ``encoders`` label the rows and columns."""
    txt = np.where(np.isfinite(mat), np.round(mat, 2).astype(str), "n/a")
    fig = go.Figure(go.Heatmap(z=np.where(np.isfinite(mat), mat, None), x=list(encoders),
                               y=list(encoders), zmin=zmin, zmax=zmax, colorscale="Viridis",
                               text=txt, texttemplate="%{text}"))
    fig.update_yaxes(autorange="reversed", title="encoder (source)")
    fig.update_xaxes(title="decoder (target)")
    fig.update_layout(title=title, height=380, margin={"l": 10, "r": 10, "t": 40, "b": 10})
    return fig



def pairs_extremes(res: dict) -> dict[str, Any]:
    """The range of anchors kept and the worst conditioning over the pairs of ``all_pairs``."""

    def pick(key: str, fn) -> float | None:
        v = np.asarray(res.get(key, []), dtype=float)
        v = v[np.isfinite(v)]
        return float(fn(v)) if v.size else None

    return {"kept_min": pick("kept_min", np.min), "kept_max": pick("kept_max", np.max),
            "cond_max": pick("cond_max", np.max)}

