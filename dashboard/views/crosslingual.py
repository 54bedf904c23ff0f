"""Cross-lingual: decode a non-English space into an English one, against the multilingual reference."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import plotly.graph_objects as go

from dashboard import defaults
from dashboard.views.common import fmt
from dashboard.views.layouts import display_rows
from dashboard.views.settings import Settings
from dashboard.views.translate import translate
from irp_core.relative import normalize_rows
from irp_core.scoring import METRICS


def split_encoder(ds, enc: str) -> tuple[str, str]:
    """(model, language) of a cross-lingual encoder ``<model>_<lang>``."""
    info = ds.encoder_info.get(enc) or {}
    lang = info.get("language")
    if lang and enc.endswith("_" + str(lang)):
        return enc[: -len(str(lang)) - 1], str(lang)
    model, _, suffix = enc.rpartition("_")
    return (model, lang or suffix) if model else (enc, str(lang or ""))


def xl_catalog(ds) -> dict[str, Any]:
    """Models and their languages; which models have non-English spaces; English spaces."""
    models: dict[str, list[str]] = {}
    for e in ds.encoders:
        m, lang = split_encoder(ds, e)
        models.setdefault(m, []).append(lang)
    multilingual = [m for m, langs in models.items()
                    if any(lang != defaults.XL_ENGLISH for lang in langs)]
    english = [e for e in ds.encoders if split_encoder(ds, e)[1] == defaults.XL_ENGLISH]
    return {"models": models, "multilingual": multilingual, "english": english}


def crosslingual(ds, s: Settings, model: str, lang: str, target: str,
                 n_examples: int = defaults.N_XL_EXAMPLES) -> dict[str, Any]:
    """Decode ``<model>_<lang>`` into the English space ``target`` with IRP.

    Compares cos(translated, true English embedding) with absolute (raw source vectors, when
    dims match) and the multilingual reference cos(``<model>_<lang>``, ``<model>_en``): how well
    the multilingual encoder itself aligns the two languages without any translation.
    """
    from irp_core import metrics

    src = f"{model}_{lang}"
    if src not in ds.encoders:
        raise ValueError(f"no {lang!r} space for model {model!r}")
    t = translate(ds, replace(s, dataset=ds.name, source=src, target=target))
    sx, sy = ds.space(src), ds.space(target)
    absolute: float | str = METRICS["absolute"].na
    if sx.test.shape[1] == sy.test.shape[1]:
        absolute = float(metrics.reconstruction_similarity(sx.test, sy.test)[0])
    ref_enc = f"{model}_{defaults.XL_ENGLISH}"
    reference: float | str = "n/a: no English space for this model"
    if ref_enc in ds.encoders and ref_enc != src:
        reference = float(metrics.reconstruction_similarity(sx.test, ds.space(ref_enc).test)[0])
    # examples: nearest English neighbour (in the target space) of each translated sentence
    n = min(n_examples, sx.test.shape[0])
    rows = display_rows(sx.test.shape[0], n, seed=1)
    sims = normalize_rows(t.pred[rows]) @ normalize_rows(np.asarray(sy.test, np.float32)).T
    nn = np.argmax(sims, axis=1)
    ids_src = np.asarray(sx.test_ids)[rows]
    ids_nn = np.asarray(sy.test_ids)[nn]
    examples = []
    try:
        src_txt = list(ds.item_texts(ids_src, language=lang))
        true_en = list(ds.item_texts(np.asarray(sy.test_ids)[rows], language=defaults.XL_ENGLISH))
        nn_en = list(ds.item_texts(ids_nn, language=defaults.XL_ENGLISH))
    except Exception as exc:  # noqa: BLE001
        src_txt = true_en = nn_en = [f"(texts unavailable: {exc})"] * n
    for i in range(n):
        examples.append({
            f"sentence ({lang})": src_txt[i], "English original": true_en[i],
            "nearest English after IRP": nn_en[i], "correct": bool(nn[i] == rows[i]),
            "cos": round(float(t.recon_per_sample[rows[i]]), 3),
        })
    return {"translation": t, "source": src, "target": target, "recon": t.metrics["recon"],
            "retrieval_top1": t.metrics.get("retrieval_top1"), "absolute": absolute,
            "reference": reference, "examples": examples}


def xl_languages_figure(rows: list[dict[str, Any]]) -> go.Figure:
    """Bars per language: IRP cos vs absolute vs multilingual reference."""
    fig = go.Figure()
    langs = [r["lang"] for r in rows]
    for key, name in (("irp", "IRP"), ("absolute", "absolute"), ("reference", "multilingual ref.")):
        ys = [r[key] if isinstance(r[key], float) else None for r in rows]
        fig.add_trace(go.Bar(x=langs, y=ys, name=name,
                             text=[fmt(v, 2) if v is not None else "n/a" for v in ys]))
    fig.update_layout(barmode="group", height=340, yaxis_title="cos to true English embedding",
                      margin={"l": 10, "r": 10, "t": 40, "b": 10}, title="source language → English")
    return fig

