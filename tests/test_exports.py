"""Export and sharing: the file builders round-trip on the shipped cache, and the pages offer them.

The pages pass builders to ``st.download_button`` as deferred callables; AppTest never executes
them, so the ``downloads`` fixture records each callable Streamlit registers (with its file name
and MIME type) and the tests call it as a click would.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import numpy as np
import plotly.graph_objects as go
import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from dashboard import defaults, exports
from dashboard.views import pairs as pairs_view
from dashboard.views import sensitivity as sensitivity_view
from dashboard.views import translate as translate_view
from dashboard.views.common import fmt
from dashboard.views.settings import Settings, default_pair
from irp_core.cache import load_dataset

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")
TIMEOUT = 600  # a cold Sensitivity page fits 35 grid cells and 25 pairs
BASE_URL = "http://localhost:8501"
SIDEBAR_KEYS = ("dataset", "source", "target", "omega", "delta", "n_anchors", "random_state", "center", "prune_on",
                "rescale", "completion", "head")


def _csv(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def _num(cell: str) -> float:
    return float("nan") if cell == "" else float(cell)


@pytest.fixture(scope="module")
def mnist():
    return load_dataset(defaults.DATASET)


@pytest.fixture(scope="module")
def translation(mnist):
    src, tgt = default_pair(list(mnist.encoders))
    return translate_view.translate(mnist, Settings(source=src, target=tgt))


# --------------------------------------------------------------------------------------------
# Pure builders
# --------------------------------------------------------------------------------------------
def test_npz_round_trip_equals_the_translation(mnist, translation, tmp_path):
    t, s = translation, translation.settings
    path = tmp_path / "t.npz"
    path.write_bytes(exports.translation_file(mnist, t))
    with np.load(path, allow_pickle=False) as f:  # no object arrays anywhere
        arrays = {k: f[k] for k in f.files}
    assert all(a.dtype != object for a in arrays.values())
    np.testing.assert_array_equal(arrays["translated"], t.pred)
    assert arrays["translated"].dtype == np.float32 and arrays["translated"].shape == (2000, 1280)
    np.testing.assert_array_equal(arrays["test_ids"], mnist.space(s.source).test_ids)
    np.testing.assert_array_equal(arrays["test_ids"], mnist.space(s.target).test_ids)
    np.testing.assert_array_equal(arrays["labels"], mnist.space(s.target).test_labels)
    np.testing.assert_array_equal(arrays["predicted"], t.pred_labels)
    np.testing.assert_array_equal(arrays["cos_translated_true"], t.recon_per_sample)
    assert list(arrays["classes"]) == list(mnist.classes)
    stored = exports.npz_settings(arrays)
    assert {k: stored[k] for k in s.as_dict()} == s.as_dict()
    # and every parameter of the fitted estimator, so the file survives a change of library defaults
    params = t.extras["irp_params"]
    assert {k[4:]: v for k, v in stored.items() if k.startswith("irp_")} == {
        k: v for k, v in params.items() if v is not None}
    assert stored["irp_ridge"] == params["ridge"] and stored["irp_center"] == s.center
    # the file is enough to redo the paper's stitching number without the app
    head = mnist.head(s.target, s.head)
    assert (head.predict(arrays["translated"]) == arrays["labels"]).mean() == pytest.approx(
        t.metrics["zero_shot"])


def test_npz_refuses_what_would_need_pickle_or_misaligned_rows():
    x = np.zeros((3, 2), np.float32)
    with pytest.raises(ValueError, match="without pickle"):
        exports.translation_npz(x, np.array([1, 2, 3]), settings={"bad": {"a": 1}})
    with pytest.raises(ValueError, match="test_ids has 2 rows"):
        exports.translation_npz(x, np.array([1, 2]))
    with pytest.raises(ValueError, match="2-D"):
        exports.translation_npz(np.zeros(3), np.array([1, 2, 3]))
    out = exports.read_npz(exports.translation_npz(x, ["a", "b", "c"], settings={"flag": True, "w": 2}))
    assert list(out["test_ids"]) == ["a", "b", "c"] and exports.npz_settings(out) == {"flag": True, "w": 2}


def test_metrics_csv_parses_back_with_every_number(mnist, translation):
    base = translate_view.baselines(mnist, translation.settings.source, translation.settings.target)
    rows = _csv(exports.metrics_file(translation, base))
    assert list(rows[0]) == ["name", "value"]
    got = {r["name"]: r["value"] for r in rows}
    m = translation.metrics
    for key in ("recon", "recon_centred", "retrieval_top1", "kept_mean", "cond_full", "zero_shot",
                "non_stitch", "absolute"):
        assert float(got[key]) == m[key], key  # full precision: the CSV is the number
    assert int(got["kept_min"]) == m["kept_min"] and int(got["n_anchors"]) == m["n_anchors"]
    assert float(got["norm_translated.mean"]) == m["norm_translated"]["mean"]
    assert float(got["procrustes.zero_shot"]) == base["procrustes"]["zero_shot"]
    assert float(got["linear.recon"]) == base["linear"]["recon"]
    assert got["setting.omega"] == str(defaults.OMEGA) and got["setting.completion"] == "false"
    assert float(got["setting.irp_ridge"]) == translation.extras["irp_params"]["ridge"]


def test_metrics_csv_keeps_text_values_and_empty_nan():
    rows = _csv(exports.rows_csv(exports.metrics_rows({"omega": 2}, {"text": "n/a: dims differ", "x": float("nan"),
                                                         "y": None, "z": 0.1 + 0.2})))
    got = {r["name"]: r["value"] for r in rows}
    assert got == {"setting.omega": "2", "text": "n/a: dims differ", "x": "", "y": "", "z": repr(0.1 + 0.2)}


def test_pairs_and_grid_csv_match_the_matrices(mnist):
    encs = list(mnist.encoders)
    src, tgt = encs[0], encs[1]
    s = Settings(source=src, target=tgt, n_anchors=200)
    res = pairs_view.all_pairs(mnist, s)
    rows = _csv(exports.rows_csv(exports.pairs_rows(res, s.as_dict())))
    assert len(rows) == len(encs) ** 2
    assert {"source", "target", "recon", "zero_shot", "absolute", "non_stitch",
            "omega", "delta", "dataset"} <= set(rows[0])
    for r in rows:
        i, j = encs.index(r["source"]), encs.index(r["target"])
        assert _num(r["recon"]) == res["recon"][i, j]
        assert _num(r["zero_shot"]) == res["zero_shot"][i, j]
        assert _num(r["non_stitch"]) == res["non_stitch"][j]
        assert r["omega"] == str(s.omega) and float(r["delta"]) == s.delta

    grid = sensitivity_view.sensitivity_grid(mnist, s, omegas=(1, 4), deltas=(0.5, 0.8))
    rows = _csv(exports.rows_csv(exports.grid_rows(grid, s.as_dict())))
    assert [(int(r["omega"]), float(r["delta"])) for r in rows] == [(1, 0.5), (1, 0.8), (4, 0.5), (4, 0.8)]
    for n, r in enumerate(rows):
        i, j = divmod(n, 2)
        assert _num(r["zero_shot"]) == grid["zero_shot"][i, j]
        assert _num(r["kept_mean"]) == grid["kept_mean"][i, j]
        assert r["source"] == src and r["target"] == tgt


def test_selection_csv_ids_match_the_selected_items(mnist, translation):
    picked = [5, 0, 1999, 17, 10**9]  # the out-of-range row is dropped
    rows = _csv(exports.selection_file(mnist, translation, picked))
    sy = mnist.space(translation.settings.target)
    assert [int(r["row"]) for r in rows] == [5, 0, 1999, 17]
    assert [r["item_id"] for r in rows] == [str(sy.test_ids[i]) for i in (5, 0, 1999, 17)]
    assert [int(r["label"]) for r in rows] == [int(sy.test_labels[i]) for i in (5, 0, 1999, 17)]
    assert [r["predicted"] for r in rows] == [mnist.classes[translation.pred_labels[i]] for i in (5, 0, 1999, 17)]
    assert float(rows[0]["cos_translated_true"]) == pytest.approx(float(translation.recon_per_sample[5]))
    assert "text" not in rows[0]  # an image dataset: no texts


def test_selection_csv_carries_the_texts_of_a_text_dataset():
    ds = load_dataset("fortunes")
    src, tgt = default_pair(list(ds.encoders))
    t = translate_view.translate(ds, Settings(dataset="fortunes", source=src, target=tgt))
    rows = _csv(exports.selection_file(ds, t, [3, 1]))
    ids = ds.space(tgt).test_ids[[3, 1]]
    assert [r["item_id"] for r in rows] == [str(i) for i in ids]
    assert [r["text"] for r in rows] == list(ds.item_texts(ids))
    assert [r["class"] for r in rows] == [ds.classes[c] for c in ds.space(tgt).test_labels[[3, 1]]]


def test_figures_html_is_standalone_and_offline():
    figs = {"first <figure>": go.Figure(go.Bar(x=[1, 2], y=[3, 4])),
            "second": go.Figure(go.Scatter(x=[0, 1], y=[1, 0]))}
    html = exports.figures_html(figs, "IRP & co").decode("utf-8")
    assert html.startswith("<!DOCTYPE html>") and "<title>IRP &amp; co</title>" in html
    assert "first &lt;figure&gt;" in html
    assert html.count("Plotly.newPlot(") == 2  # both figures drawn...
    assert html.count("plotly.js v") <= 2 and len(html) > 1_000_000  # ...by one embedded plotly.js
    assert '<script src="http' not in html  # nothing fetched from the network


def test_share_link_and_file_stem():
    assert exports.share_link(BASE_URL, {"omega": 5, "delta": "0.55"}) == f"{BASE_URL}/?omega=5&delta=0.55"
    assert exports.share_link(BASE_URL + "/", {}) == BASE_URL + "/"
    assert exports.share_link(BASE_URL + "/sensitivity", {"n_anchors": 10}) == f"{BASE_URL}/sensitivity?n_anchors=10"
    assert exports.share_link(None, {"source": "a b"}) == "?source=a+b"
    stem = exports.file_stem({"dataset": "mnist", "source": "x/1", "target": "y", "omega": 8, "delta": 0.7})
    assert stem == "irp_mnist_x-1-to-y_w8_d0.70"


# --------------------------------------------------------------------------------------------
# The pages: buttons, file names, MIME types, contents; the link
# --------------------------------------------------------------------------------------------
@pytest.fixture
def downloads(monkeypatch):
    """deferred file id -> (build, mime, file name) of every download button a run registers."""
    seen: dict[str, tuple] = {}
    original = MediaFileManager.add_deferred

    def spy(self, data_callable, mimetype, coordinates, file_name=None, **kw):
        file_id = original(self, data_callable, mimetype, coordinates, file_name, **kw)
        seen[file_id] = (data_callable, mimetype, file_name)
        return file_id

    monkeypatch.setattr(MediaFileManager, "add_deferred", spy)
    return seen


def _run(page: str, url_path: str = "", linked=None, **params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.context["url"] = f"{BASE_URL}/{url_path}"
    for k, v in params.items():
        at.query_params[k] = v
    if linked is not None:
        at.session_state["linked_ids"] = linked
    at.switch_page(f"app_pages/{page}.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def _files(at: AppTest, seen: dict) -> dict[str, tuple[str, str, bytes]]:
    """key -> (file name, mime, bytes) of the page's download buttons, each 'clicked' once."""
    out = {}
    for b in at.get("download_button"):
        build, mime, name = seen[b.proto.deferred_file_id]
        assert b.proto.url == ""  # nothing was built during the run
        out[b.key] = (name, mime, build())
    return out


def _sidebar(at: AppTest) -> dict:
    sb = at.sidebar
    widgets = {**{w.key: w for w in sb.selectbox}, **{w.key: w for w in sb.slider},
               **{w.key: w for w in sb.number_input}, **{w.key: w for w in sb.checkbox}}
    return {k: widgets[k].value for k in SIDEBAR_KEYS}


def test_translate_page_offers_the_files(downloads, mnist):
    at = _run("translate", linked=[3, 1, 4], omega="5", delta="0.6")
    files = _files(at, downloads)
    assert set(files) == {"dl_npz", "dl_metrics", "dl_figures", "dl_selection"}
    stem = "irp_mnist_efficientnet_lite0-to-efficientnet_lite1_w5_d0.60"
    assert files["dl_npz"][:2] == (stem + ".npz", exports.NPZ_MIME)
    assert files["dl_metrics"][:2] == (stem + "_metrics.csv", exports.CSV_MIME)
    assert files["dl_selection"][:2] == (stem + "_selection.csv", exports.CSV_MIME)
    assert files["dl_figures"][:2] == (stem + "_figures.html", exports.HTML_MIME)

    arrays = exports.read_npz(files["dl_npz"][2])
    stored = exports.npz_settings(arrays)
    s = Settings(**{k: v for k, v in stored.items() if not k.startswith("irp_")})
    assert (s.omega, s.delta) == (5, 0.6)
    direct = translate_view.translate(mnist, s)
    np.testing.assert_allclose(arrays["translated"], direct.pred, rtol=1e-5, atol=1e-5)
    shown = {m.label: m.value for m in at.metric}
    metrics = {r["name"]: r["value"] for r in _csv(files["dl_metrics"][2])}
    assert fmt(float(metrics["recon"])) == shown["reconstruction similarity"]
    assert fmt(float(metrics["zero_shot"])) == shown["zero-shot accuracy"]
    assert "procrustes.zero_shot" in metrics and "linear.zero_shot" in metrics
    assert [int(r["row"]) for r in _csv(files["dl_selection"][2])] == [3, 1, 4]
    html = files["dl_figures"][2].decode("utf-8")
    assert "source layout" in html and "confusion matrix" in html
    assert "selected item" in html  # the linked selection is ringed in the exported layouts


def test_link_holds_the_non_default_params_and_restores_the_view():
    encs = list(load_dataset(defaults.DATASET).encoders)
    params = {"omega": "5", "delta": "0.55", "source": encs[-1], "n_anchors": "300", "completion": "true"}
    at = _run("scale", url_path="scale", **params)
    link = at.code[0].value
    parts = urlsplit(link)
    assert f"{parts.scheme}://{parts.netloc}" == BASE_URL and parts.path == "/scale"
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert query == params
    again = _run("scale", url_path="scale", **query)
    assert _sidebar(again) == _sidebar(at)
    assert _sidebar(at)["omega"] == 5 and _sidebar(at)["n_anchors"] == 300 and _sidebar(at)["source"] == encs[-1]


def test_link_on_default_settings_is_the_bare_page():
    at = _run("translate")
    assert at.code[0].value == BASE_URL + "/"


@pytest.mark.slow  # both pages' sweeps: about 9 s
def test_all_pairs_and_sensitivity_offer_their_tables(downloads):
    at = _run("all_pairs", n_anchors="300")
    files = _files(at, downloads)
    name, mime, data = files["dl_pairs"]
    n = len(load_dataset(defaults.DATASET).encoders)
    assert name.endswith("_all_pairs.csv") and mime == exports.CSV_MIME and len(_csv(data)) == n * n
    assert files["dl_figures"][1] == exports.HTML_MIME and b"zero-shot accuracy" in files["dl_figures"][2]

    downloads.clear()
    files = _files(_run("sensitivity", n_anchors="300"), downloads)
    grid = _csv(files["dl_grid"][2])
    assert len(grid) == len(defaults.SWEEP_OMEGAS) * len(defaults.SWEEP_DELTAS)
    assert {int(r["omega"]) for r in grid} == set(defaults.SWEEP_OMEGAS)
    assert all(0.0 <= float(r["zero_shot"]) <= 1.0 for r in grid)
    assert len(_csv(files["dl_pairs"][2])) == n * n


def test_scale_page_offers_the_translation(downloads):
    files = _files(_run("scale", omega="3"), downloads)
    arrays = exports.read_npz(files["dl_npz"][2])
    assert exports.npz_settings(arrays)["omega"] == 3 and arrays["translated"].shape == (2000, 1280)
    assert files["dl_figures"][2].startswith(b"<!DOCTYPE html>")


def test_crosslingual_page_offers_its_examples(downloads):
    files = _files(_run("crosslingual"), downloads)
    rows = _csv(files["dl_examples"][2])
    assert len(rows) == defaults.N_XL_EXAMPLES and "English original" in rows[0]
    assert {r["lang"] for r in _csv(files["dl_languages"][2])} >= {"es"}
