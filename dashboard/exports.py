"""File builders for the dashboard's downloads: arrays, dicts or a translation in, file bytes out.

No Streamlit here, so every file can be round-tripped in tests (``translation_file``,
``metrics_file`` and ``selection_file`` take a dataset and a
:class:`dashboard.views.translate.Translation`; the rest plain arrays and dicts). The pages hand
these builders to ``st.download_button`` as deferred callables: a file is built when its button
is clicked, never on the slider path. Every file is readable without this package: ``.npz``
holds only numeric and fixed-width string arrays (``np.load(..., allow_pickle=False)`` works),
CSV is plain UTF-8, and figure pages embed plotly.js so they open offline.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import numpy as np

if TYPE_CHECKING:
    from dashboard.views.translate import Translation

NPZ_MIME = "application/octet-stream"
CSV_MIME = "text/csv"
HTML_MIME = "text/html"
SETTING_PREFIX = "setting_"


# --------------------------------------------------------------------------------------------
# Arrays: the translated test embeddings
# --------------------------------------------------------------------------------------------
def _plain(name: str, value: Any) -> np.ndarray:
    """``value`` as a numeric, bool or fixed-width unicode array: anything else would need pickle."""
    arr = np.asarray(value)
    if arr.dtype.kind not in "biufU":
        raise ValueError(f"{name}: dtype {arr.dtype} cannot be stored without pickle")
    return arr


def translation_npz(translated: np.ndarray, test_ids: Sequence, labels: Sequence | None = None,
                    settings: Mapping[str, Any] | None = None, classes: Sequence[str] | None = None,
                    extra: Mapping[str, Any] | None = None) -> bytes:
    """A compressed ``.npz``: ``translated`` (n, d), ``test_ids``, optional ``labels``/``classes``,
    each setting as a 0-d array ``setting_<name>``, and any ``extra`` arrays (e.g. per-item cosines).
    """
    translated = np.asarray(translated)
    if translated.ndim != 2:
        raise ValueError(f"translated must be a 2-D array, got shape {translated.shape}")
    n = translated.shape[0]
    arrays: dict[str, np.ndarray] = {"translated": _plain("translated", translated),
                                     "test_ids": _plain("test_ids", test_ids)}
    if labels is not None:
        arrays["labels"] = _plain("labels", labels)
    if classes is not None:
        arrays["classes"] = _plain("classes", [str(c) for c in classes])
    for key, value in (extra or {}).items():
        arrays[key] = _plain(key, value)
    for key, value in (settings or {}).items():
        arrays[SETTING_PREFIX + key] = _plain(key, value)
    for key in ("test_ids", "labels", *(extra or {})):
        if key in arrays and arrays[key].shape[:1] != (n,):
            raise ValueError(f"{key} has {arrays[key].shape[0]} rows, translated has {n}")
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    return buf.getvalue()


def read_npz(data: bytes) -> dict[str, np.ndarray]:
    """The arrays of a :func:`translation_npz` file, loaded without pickle."""
    with np.load(io.BytesIO(data), allow_pickle=False) as f:
        return {k: f[k] for k in f.files}


def npz_settings(arrays: Mapping[str, np.ndarray]) -> dict[str, Any]:
    """The settings stored in a :func:`translation_npz` file, as plain Python values."""
    return {k[len(SETTING_PREFIX):]: v.item() for k, v in arrays.items() if k.startswith(SETTING_PREFIX)}


# --------------------------------------------------------------------------------------------
# Tables: CSV
# --------------------------------------------------------------------------------------------
def _cell(v: Any) -> Any:
    """A CSV cell: numbers at full precision (``repr`` round-trips), NaN and None as empty."""
    if v is None:
        return ""
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v)).lower()
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return "" if math.isnan(float(v)) else repr(float(v))
    return str(v)


def rows_csv(rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None) -> bytes:
    """Rows of dicts as UTF-8 CSV with a header (columns: ``columns``, else first-seen order)."""
    if columns is None:
        columns = list(dict.fromkeys(k for r in rows for k in r))
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({c: _cell(r.get(c)) for c in columns})
    return buf.getvalue().encode("utf-8")


def _flat(prefix: str, value: Any) -> list[tuple[str, Any]]:
    if isinstance(value, Mapping):
        return [kv for k, v in value.items() for kv in _flat(f"{prefix}.{k}", v)]
    return [(prefix, value)]


def metrics_rows(settings: Mapping[str, Any], metrics: Mapping[str, Any],
                 baselines: Mapping[str, Mapping[str, Any]] | None = None) -> list[dict[str, Any]]:
    """The Translate page's numbers in long form (``name, value``): settings, metrics, baselines.

    Nested dicts flatten to dotted names (``norm_target.mean``, ``procrustes.zero_shot``).
    """
    rows = [{"name": f"setting.{k}", "value": v} for k, v in settings.items()]
    for key, value in metrics.items():
        rows += [{"name": n, "value": v} for n, v in _flat(key, value)]
    for key, value in (baselines or {}).items():
        rows += [{"name": n, "value": v} for n, v in _flat(key, value)]
    return rows


def pairs_rows(res: Mapping[str, Any], settings: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per ordered (source, target) pair of an ``all_pairs`` result, with the settings."""
    encs = list(res["encoders"])
    keys = ("dataset", "omega", "delta", "n_anchors", "random_state", "head")
    common = {k: settings[k] for k in keys if k in settings}
    rows = []
    for i, src in enumerate(encs):
        for j, tgt in enumerate(encs):
            rows.append({**common, "source": src, "target": tgt,
                         "recon": float(res["recon"][i, j]),
                         "recon_centred": float(res["recon_centred"][i, j]) if "recon_centred" in res else math.nan,
                         "zero_shot": float(res["zero_shot"][i, j]),
                         "absolute": float(res["absolute"][i, j]),
                         "non_stitch": float(res["non_stitch"][j])})
    return rows


def grid_rows(grid: Mapping[str, Any], settings: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per (ω, δ) cell of a ``sensitivity_grid`` result, with the pair it was run on."""
    keys = ("dataset", "source", "target", "n_anchors", "random_state", "head")
    common = {k: settings[k] for k in keys if k in settings}
    rows = []
    for i, w in enumerate(grid["omegas"]):
        for j, d in enumerate(grid["deltas"]):
            rows.append({**common, "omega": int(w), "delta": float(d),
                         "recon": float(grid["recon"][i, j]),
                         "recon_centred": float(grid["recon_centred"][i, j]) if "recon_centred" in grid else math.nan,
                         "zero_shot": float(grid["zero_shot"][i, j]),
                         "cond_mean": float(grid["cond_mean"][i, j]),
                         **({"cond_damped": float(grid["cond_damped"][i, j])} if "cond_damped" in grid else {}),
                         "kept_mean": float(grid["kept_mean"][i, j])})
    return rows


def selection_rows(rows: Sequence[int], item_ids: Sequence, labels: Sequence | None = None,
                   classes: Sequence[str] | None = None, predicted: Sequence | None = None,
                   cos: Sequence[float] | None = None,
                   texts: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """The linked selection, one row per item: test row, item id, and what is known about it."""

    def name(c) -> str:
        try:
            return str(classes[int(c)]) if classes is not None else str(c)
        except (IndexError, TypeError, ValueError):
            return str(c)

    out = []
    for i, r in enumerate(rows):
        row: dict[str, Any] = {"row": int(r), "item_id": _cell(item_ids[i])}
        if labels is not None:
            row["label"] = int(labels[i])
            row["class"] = name(labels[i])
        if predicted is not None:
            row["predicted"] = name(predicted[i])
        if cos is not None:
            row["cos_translated_true"] = float(cos[i])
        if texts is not None:
            row["text"] = str(texts[i])
        out.append(row)
    return out


# --------------------------------------------------------------------------------------------
# What the download buttons hold: a translation's files (built on click)
# --------------------------------------------------------------------------------------------
def translation_file(ds, t: Translation) -> bytes:
    """The translated test split as ``.npz``: vectors, item ids, labels, per-item cosine, settings."""
    s = t.settings
    sx, sy = ds.space(s.source), ds.space(s.target)
    extra: dict[str, Any] = {"cos_translated_true": t.recon_per_sample}
    if t.pred_labels is not None:
        extra["predicted"] = t.pred_labels
    classes = list(ds.classes) or None  # an upload without labels has no classes
    return translation_npz(t.pred, sx.test_ids, sy.test_labels, export_settings(t), classes, extra)


def export_settings(t: Translation) -> dict[str, Any]:
    """The page's settings and every parameter of the fitted IRP (``irp_<name>``; None omitted), so
    a file stays reproducible when the library's defaults change."""
    params = t.extras.get("irp_params", {})
    return {**t.settings.as_dict(), **{f"irp_{k}": v for k, v in params.items() if v is not None}}


def metrics_file(t: Translation, base: dict[str, dict] | None = None) -> bytes:
    """The Translate page's numbers and the baselines as a long CSV (``name, value``)."""
    return rows_csv(metrics_rows(export_settings(t), t.metrics, base))


def selection_file(ds, t: Translation, selected: Sequence[int]) -> bytes:
    """The linked selection as CSV: every selected item (not only those shown), with its class,
    the target head's prediction, the translation's cosine and, where items have one, the text."""
    s = t.settings
    sy = ds.space(s.target)
    n = len(t.recon_per_sample)
    rows = np.asarray([int(r) for r in selected if 0 <= int(r) < n], dtype=int)
    item_ids = np.asarray(sy.test_ids)[rows]
    labels = np.asarray(sy.test_labels)[rows] if sy.test_labels is not None else None
    predicted = np.asarray(t.pred_labels)[rows] if t.pred_labels is not None else None
    texts = None
    if ds.modality in ("text", "image+text"):
        try:
            texts = list(ds.item_texts(item_ids))
        except Exception:  # noqa: BLE001 - the ids and classes are still worth exporting
            texts = None
    return rows_csv(selection_rows(rows, item_ids, labels, list(ds.classes), predicted,
                                   t.recon_per_sample[rows], texts))


# --------------------------------------------------------------------------------------------
# Figures and links
# --------------------------------------------------------------------------------------------
def figures_html(figures: Mapping[str, Any], title: str) -> bytes:
    """One standalone HTML page holding ``figures`` (plotly), plotly.js embedded once.

    Embedded rather than loaded from a CDN: the dashboard runs offline, and so must its exports
    (about 4.7 MB of script per file).
    """
    from html import escape

    parts = []
    for n, (name, fig) in enumerate(figures.items()):
        div = fig.to_html(full_html=False, include_plotlyjs=(n == 0), config={"displaylogo": False})
        parts.append(f"<h2>{escape(str(name))}</h2>\n{div}")
    body = "\n".join(parts) if parts else "<p>no figures</p>"
    return (f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{escape(title)}</title></head>'
            f"<body>\n<h1>{escape(title)}</h1>\n{body}\n</body></html>\n").encode()


def share_link(base_url: str | None, params: Mapping[str, Any]) -> str:
    """The app's address with the view's query string: opening it restores the bound controls.

    ``base_url`` is ``st.context.url`` (scheme, host and page path); when unknown, the link is the
    bare query string, to append to the app's address.
    """
    query = urlencode({str(k): str(v) for k, v in params.items()})
    if not base_url:
        return f"?{query}"
    base = base_url.rstrip("/")
    if base.count("/") == 2:  # scheme://host: the default page
        base += "/"
    return f"{base}?{query}" if query else base


def file_stem(settings: Mapping[str, Any]) -> str:
    """A short file name for a setting: ``irp_<dataset>_<source>-to-<target>_w<ω>_d<δ>``."""
    parts = [f"irp_{settings.get('dataset', '')}"]
    if settings.get("source") and settings.get("target"):
        parts.append(f"{settings['source']}-to-{settings['target']}")
    if "omega" in settings and "delta" in settings:
        parts.append(f"w{int(settings['omega'])}_d{float(settings['delta']):.2f}")
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", "_".join(parts))
