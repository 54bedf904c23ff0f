"""Cross-lingual: decode a non-English space into an English one with IRP."""

from __future__ import annotations

import streamlit as st

from dashboard import defaults, exports
from dashboard.state import caches, pin, session
from dashboard.views import compare as compare_view
from dashboard.views import crosslingual as crosslingual_view
from dashboard.views.common import fmt
from dashboard.views.edges import edge_notes, target_dim
from dashboard.widgets import share

st.title("Cross-lingual")
s = session.require_settings()
try:
    available = session.dataset_names()
except Exception:  # noqa: BLE001
    available = []
corpora = [name for name in defaults.XL_CORPORA if name in available]
if not corpora:
    st.warning("The cross-lingual embeddings are not in the shipped cache (yet): nothing to show.")
    st.stop()
corpus = st.selectbox("corpus", corpora, key="xl_corpus", bind="query-params",
                      format_func=lambda name: session.require_dataset(name).title)
ds = session.require_dataset(corpus)
cat = crosslingual_view.xl_catalog(ds)
if not cat["multilingual"] or not cat["english"]:
    st.warning(f"{ds.title} has no non-English or no English space.")
    st.stop()
st.caption(f"Uses ω = {s.omega}, δ = {s.delta:.2f} and the advanced settings from the sidebar "
           "(the sidebar's dataset and encoders apply to the other pages).")


def key(name: str) -> str:
    """A widget key per corpus: each corpus has its own models, languages and English spaces."""
    return name if corpus == defaults.XL_DATASET else f"{name}_{corpus}"


c = st.columns(3)
model = c[0].selectbox("source model", cat["multilingual"], key=key("xl_model"), bind="query-params")
langs = [lang for lang in cat["models"][model] if lang != defaults.XL_ENGLISH]
lang = c[1].selectbox("source language", langs, key=key("xl_lang"), bind="query-params")
english = cat["english"]
default_t = next((e for e in english if crosslingual_view.split_encoder(ds, e)[0] != model), english[0])
target = c[2].selectbox("English target space", english, index=english.index(default_t),
                        key=key("xl_target"), bind="query-params")
if lang is None:
    st.stop()
try:
    res = caches.cached_crosslingual(corpus, s, model, lang, target)
except Exception as exc:  # noqa: BLE001
    st.error(f"IRP could not translate {model}_{lang} → {target}: {exc}")
    st.stop()
share.notes(edge_notes(s, res["metrics"], target_dim(ds, target), res["warnings"]))
a = pin.current(s)  # A, when pinned: its method settings on this corpus, for the deltas
res_a = None if a is None else pin.guarded(caches.cached_crosslingual, corpus, a, model, lang, target)
c = st.container(key="headline").columns(4)  # the page's numbers
c[0].metric(f"IRP: cos to true English ({res['source']} → {target})", fmt(res["recon"]),
            **compare_view.delta("recon", res, res_a))
c[1].metric("absolute (raw vectors)", fmt(res["absolute"]))
c[2].metric(f"multilingual reference ({model}_{lang} vs {model}_{defaults.XL_ENGLISH})",
            fmt(res["reference"]))
c[3].metric("retrieval top-1", fmt(res["retrieval_top1"]), **compare_view.delta("retrieval_top1", res, res_a))
st.caption("Reference: how close the multilingual encoder itself puts a sentence and its English "
           "original, with no translation. The paper reports ≈ 0.97 for es/fr/ja → en.")
st.subheader("Examples: nearest English sentence after translation")
st.dataframe(res["examples"], hide_index=True, width="stretch")

rows = []
for lg in langs:
    try:
        r = caches.cached_crosslingual(corpus, s, model, lg, target)
    except Exception as exc:  # noqa: BLE001
        st.warning(f"{model}_{lg}: {exc}")
        continue
    rows.append({"lang": lg, "irp": r["recon"], "absolute": r["absolute"],
                 "reference": r["reference"]})
if rows:
    st.plotly_chart(crosslingual_view.xl_languages_figure(rows), key="xl_langs", width="stretch")

stem = exports.file_stem({"dataset": corpus, "source": res["source"], "target": target,
                    "omega": s.omega, "delta": s.delta})
with share.export_panel(3) as c:
    with c[0]:
        share.download("examples (.csv)", lambda: exports.rows_csv(res["examples"]), stem + "_examples.csv",
                          exports.CSV_MIME, "dl_examples")
    with c[1]:
        share.download("languages (.csv)", lambda: exports.rows_csv(rows), stem + "_languages.csv",
                          exports.CSV_MIME, "dl_languages")
    with c[2]:
        share.figures_button(lambda: {"source language → English": crosslingual_view.xl_languages_figure(rows)},
                                f"IRP Explorer: {model} → {target}", stem + "_figures.html", "dl_figures")
