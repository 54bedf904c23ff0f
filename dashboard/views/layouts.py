"""The Translate page's 2-D layouts: precomputed maps, translated points placed without a refit,
and the linked selection across the two charts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import plotly.graph_objects as go

from dashboard import defaults
from dashboard.views.common import PALETTE, frozen
from irp_core.relative import normalize_rows

if TYPE_CHECKING:
    from dashboard.views.translate import Translation


def display_rows(n_test: int, n_show: int = defaults.N_LAYOUT_POINTS, seed: int = 0) -> np.ndarray:
    """A fixed, sorted subsample of test rows to draw (all rows when n_test <= n_show)."""
    if n_test <= n_show:
        return np.arange(n_test)
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(n_test, size=n_show, replace=False))


def place_in_layout(pred: np.ndarray, target_test: np.ndarray, target_layout: np.ndarray,
                    k: int = defaults.PLACE_K) -> tuple[np.ndarray, np.ndarray]:
    """Place translated vectors in the target's precomputed layout, without refitting.

    Each translated vector goes to the mean layout position of its ``k`` nearest true target test
    embeddings by cosine. Returns (positions (n, 2), index of the nearest true target row (n,)).
    """
    sims = normalize_rows(np.asarray(pred, np.float32)) @ normalize_rows(np.asarray(target_test, np.float32)).T
    return place_by_similarity(sims, target_layout, k)


def place_by_similarity(sims: np.ndarray, target_layout: np.ndarray,
                        k: int = defaults.PLACE_K) -> tuple[np.ndarray, np.ndarray]:
    """:func:`place_in_layout` from cos(translated i, true target j), shape (n, n_test)."""
    k = max(1, min(int(k), sims.shape[1]))
    idx = np.argpartition(-sims, k - 1, axis=1)[:, :k]
    pos = np.asarray(target_layout, dtype=np.float32)[idx].mean(axis=1)
    nearest = idx[np.arange(len(idx)), np.argmax(np.take_along_axis(sims, idx, 1), axis=1)]
    return pos.astype(np.float32), nearest


def layout_panel_data(ds, t: Translation, n_show: int = defaults.N_LAYOUT_POINTS) -> dict[str, np.ndarray]:
    """Rows drawn, their source/target layout positions, translated placements and labels."""
    s = t.settings
    sx, sy = ds.space(s.source), ds.space(s.target)
    rows = display_rows(sy.test.shape[0], n_show)
    cached = t.extras.get("placement")
    if cached is not None and np.array_equal(cached[0], rows):
        placed, nearest = cached[1], cached[2]
    else:
        placed, nearest = place_in_layout(t.pred[rows], sy.test, sy.layout)
    labels = np.asarray(sy.test_labels)[rows] if sy.test_labels is not None else np.zeros(len(rows), int)
    return {
        "rows": rows,
        "src_xy": np.asarray(sx.layout, dtype=np.float32)[rows],
        "tgt_xy": np.asarray(sy.layout, dtype=np.float32)[rows],
        "placed_xy": placed,
        "nearest": nearest,
        "labels": labels,
        "cos": t.recon_per_sample[rows],
    }


def _class_name(classes: Sequence[str], c: int) -> str:
    try:
        return str(classes[int(c)])
    except (IndexError, TypeError, ValueError):
        return str(c)


def _scatter(x, y, col: int, **kw) -> dict:
    """A scatter trace as a plain dict (validated once by the tests, not on every rerun)."""
    axes = {} if col == 1 else {"xaxis": "x2", "yaxis": "y2"}
    return {"type": "scatter", "x": np.round(np.asarray(x, dtype=np.float32), 3),
            "y": np.round(np.asarray(y, dtype=np.float32), 3), **axes, **kw}


def layout_figures(panel: dict[str, np.ndarray], classes: Sequence[str], source: str,
                   target: str, selected: Sequence[int] = ()) -> tuple[go.Figure, go.Figure]:
    """Two figures: the source layout, and the target layout with the translated points (×).

    Two charts rather than two subplots: the source chart does not depend on ω/δ, so a slider
    move leaves it untouched and the browser redraws only the target chart. Every point carries
    its global test row id in ``customdata`` so a selection in either chart is read by item, not
    by per-trace index. Items in ``selected`` are ringed in both, with a segment from each true
    target position to its translated placement (for the first ``N_LINKED_ITEMS``; at most
    ``MAX_RINGED`` rings).

    Built from plain dicts with plotly's validation off: validating ~3,000 points costs ~0.2 s
    per rerun, the dict form ~2 ms (``tests/test_dashboard_views.py`` validates them once).
    """
    rows, labels = panel["rows"], np.asarray(panel["labels"], dtype=int)
    sel = {int(r) for r in selected}
    dim = 0.25 if sel else 0.8
    ring = {"size": 11, "symbol": "circle-open", "color": "black", "line": {"width": 2}}
    ringed = np.isin(rows, list(sel)[:defaults.MAX_RINGED]) if sel else np.zeros(len(rows), bool)
    # one trace per class, so every array is numeric and frozen once as base64: per-point colour
    # and name strings were walked one by one on every rerun (with the numeric arrays' conversion,
    # a third of the server's time on a cached slider move); the class is the trace's, not the point's
    by_class = [(c, labels == c, PALETTE[c % len(PALETTE)], _class_name(classes, c)) for c in np.unique(labels)]

    def hover(what: str, name: str) -> str:  # a class name must not open a template variable
        return f"{what}class {name.replace('%{', '% {')}<br>item %{{customdata}}<extra></extra>"

    def base(xy, show_legend: bool) -> list[dict]:
        traces = [_scatter(xy[m, 0], xy[m, 1], 1, mode="markers", name=name, showlegend=show_legend,
                           marker={"size": 5, "color": color, "opacity": dim}, customdata=rows[m],
                           hovertemplate=hover("", name))
                  for c, m, color, name in by_class]
        if sel:
            traces.append(_scatter(
                xy[ringed, 0], xy[ringed, 1], 1, mode="markers", name="selected", marker=ring,
                customdata=rows[ringed], hovertemplate="selected item %{customdata}<extra></extra>"))
        return traces

    src = base(panel["src_xy"], show_legend=True)
    tgt = base(panel["tgt_xy"], show_legend=False)
    tgt += [_scatter(panel["placed_xy"][m, 0], panel["placed_xy"][m, 1], 1, mode="markers",
                     name="translated", legendgroup="translated", showlegend=i == 0, customdata=rows[m],
                     marker={"size": 6, "symbol": "x-thin", "line": {"width": 1.5, "color": color},
                             "color": color, "opacity": 0.35 if sel else 0.7},
                     hovertemplate=hover("translated item, ", name))
            for i, (c, m, color, name) in enumerate(by_class)]
    if sel:
        seg_x, seg_y = [], []
        first = np.isin(rows, list(sel)[:defaults.N_LINKED_ITEMS])
        for a, b in zip(panel["tgt_xy"][first], panel["placed_xy"][first]):
            seg_x += [float(a[0]), float(b[0]), None]
            seg_y += [float(a[1]), float(b[1]), None]
        tgt.append({"type": "scatter", "x": seg_x, "y": seg_y, "mode": "lines",
                    "name": "true → translated", "hoverinfo": "skip",
                    "line": {"color": "black", "width": 1}})
    axis = {"showticklabels": False, "showgrid": False, "zeroline": False}

    def layout(title: str, legend: bool) -> dict:
        return {"title": {"text": title, "font": {"size": 14}}, "xaxis": axis, "yaxis": axis,
                "height": 440, "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
                "dragmode": "select", "clickmode": "event+select", "showlegend": True,
                "legend": {"itemsizing": "constant"} if legend else {}}

    return (frozen(go.Figure({"data": src, "layout": layout(f"source: {source}", True)}, _validate=False)),
            frozen(go.Figure({"data": tgt, "layout": layout(
                f"target: {target} (● true, × translated)", False)}, _validate=False)))


def selected_items(ds, t: Translation, panel: dict[str, np.ndarray], selected: Sequence[int],
                   limit: int = defaults.N_LINKED_ITEMS) -> dict[str, Any]:
    """What a selection shows: per item its class, prediction, cosine, and its thumbnail, its text,
    or both (paired image+text data: each emoji's picture and its name)."""
    s = t.settings
    sy = ds.space(s.target)
    ids = [int(r) for r in selected][:limit]
    if not ids:
        return {"rows": [], "items": [], "images": None, "texts": None, "n_selected": 0}
    rows = np.asarray(ids)
    item_ids = np.asarray(sy.test_ids)[rows]
    labels = np.asarray(sy.test_labels)[rows] if sy.test_labels is not None else None
    pos = {int(r): i for i, r in enumerate(panel["rows"])}
    items = []
    for j, r in enumerate(ids):
        i = pos.get(r)
        nearest = int(panel["nearest"][i]) if i is not None else None
        items.append({
            "row": r,
            "item id": str(item_ids[j]),
            "class": _class_name(ds.classes, labels[j]) if labels is not None else "-",
            "predicted (target head)": (_class_name(ds.classes, t.pred_labels[r])
                                        if t.pred_labels is not None else "n/a"),
            "cos(translated, true)": round(float(t.recon_per_sample[r]), 3),
            "nearest true target is itself": (nearest == r) if nearest is not None else None,
        })
    images = texts = None
    if ds.modality in ("image", "image+text"):
        try:
            images = np.asarray(ds.item_thumbnails(item_ids))
        except Exception:  # noqa: BLE001
            images = None
    if ds.modality in ("text", "image+text"):
        try:
            texts = list(ds.item_texts(item_ids))
        except Exception:  # noqa: BLE001
            texts = None
    return {"rows": ids, "items": items, "images": images, "texts": texts,
            "n_selected": len(list(selected))}


def ids_from_selection(selection: Any) -> list[int]:
    """Global row ids from a Streamlit plotly selection (``customdata`` of each point), unique and
    in row order: plotly lists a selection trace by trace, one class after another, and the
    items shown first should mix the classes as the test split does."""
    if not selection:
        return []
    try:
        points = selection["selection"]["points"]
    except (KeyError, TypeError):
        try:
            points = selection.selection.points
        except AttributeError:
            return []
    out: list[int] = []
    for p in points or []:
        cd = p.get("customdata") if isinstance(p, dict) else None
        if isinstance(cd, (list, tuple)):
            cd = cd[0] if cd else None
        if cd is None:
            continue
        try:
            v = int(cd)
        except (TypeError, ValueError):
            continue
        out.append(v)
    return sorted(set(out))

