"""Uploads (``dashboard/uploads/``): real round trips from files to a translation, with the same
quality as the shipped spaces; the refusals and the fuzz are in ``test_upload_refusals.py``."""

from __future__ import annotations

import numpy as np
import pytest
from threadpoolctl import threadpool_limits
from upload_files import csv, npy, npz, parquet, refused

from dashboard import uploads
from dashboard.views import layouts as layouts_view
from dashboard.views import scale as scale_view
from dashboard.views import translate as translate_view
from dashboard.views.settings import Settings
from irp_core.cache import cache_dir, load_dataset

# One BLAS thread, as the app runs: threaded BLAS on a busy 2-core machine is 30x slower here.
threadpool_limits(limits=1, user_api="blas")

MNIST = cache_dir() / "mnist"
SMALL, WIDE = "resnet10t_128", "resnet18_256"  # the two mnist spaces trained here (128-d, 256-d)


def shipped_items(encoder: str, dataset: str = "mnist") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """All items of a shipped space (anchors then test): vectors, labels, ids."""
    sp = load_dataset(dataset).space(encoder)
    return (np.vstack([sp.anchors, sp.test]), np.concatenate([sp.anchor_labels, sp.test_labels]),
            np.concatenate([sp.anchor_ids, sp.test_ids]))


# --------------------------------------------------------------------------------------------
# Round trips: uploads reach a working translation
# --------------------------------------------------------------------------------------------
@pytest.mark.slow  # full-size shipped spaces: about 13 s
def test_shipped_cache_files_upload_and_translate_with_the_same_quality():
    """The cache's own .npz files, uploaded: same spaces, same split, same reconstruction."""
    names = (f"{SMALL}.npz", "efficientnet_lite2.npz")
    ds = uploads.build_dataset([(n, (MNIST / n).read_bytes()) for n in names])
    shipped = load_dataset("mnist")
    assert ds.encoders == [SMALL, "efficientnet_lite2"] and ds.name.startswith(uploads.PREFIX)
    for enc in ds.encoders:
        a, b = ds.space(enc), shipped.space(enc)
        np.testing.assert_array_equal(a.anchors, b.anchors)
        np.testing.assert_array_equal(a.test_ids, b.test_ids)
        np.testing.assert_array_equal(np.asarray(ds.classes)[a.test_labels], np.asarray(shipped.classes)[b.test_labels])
        np.testing.assert_array_equal(a.layout, b.layout)  # the shipped layout is kept
    s = Settings(dataset=ds.name, source=SMALL, target="efficientnet_lite2")
    up, ref = translate_view.translate(ds, s), translate_view.translate(shipped, s)
    assert up.metrics["recon"] == pytest.approx(ref.metrics["recon"], abs=1e-6)
    assert up.metrics["retrieval_top1"] == pytest.approx(ref.metrics["retrieval_top1"], abs=1e-6)
    # heads differ (ours learn from the anchors, the shipped ones from unshipped training images),
    # the stitching does not: both well above chance (0.1) and within a few points of each other
    assert up.metrics["zero_shot"] > 0.85
    assert abs(up.metrics["zero_shot"] - ref.metrics["zero_shot"]) < 0.05


def test_npy_files_with_labels_and_ids_reach_a_translation():
    xa, labels, ids = shipped_items(SMALL)
    xb, _, _ = shipped_items(WIDE)
    files = [(f"{SMALL}.npy", npy(xa)), (f"{WIDE}.npy", npy(xb)), ("labels.npy", npy(labels)), ("ids.npy", npy(ids))]
    ds = uploads.build_dataset(files, seed=3)
    a = ds.space(SMALL)
    k = uploads.default_n_anchors(len(xa))
    assert k == min(uploads.DEFAULT_MAX_ANCHORS, int(0.4 * len(xa)))
    assert a.anchors.shape == (k, 128) and a.test.shape == (len(xa) - k, 128)
    np.testing.assert_array_equal(np.sort(np.concatenate([a.anchor_ids, a.test_ids])), np.sort(ids))
    row = {int(v): i for i, v in enumerate(ids)}
    np.testing.assert_array_equal(a.test, xa[[row[int(v)] for v in a.test_ids]])  # rows stay parallel
    again = uploads.build_dataset(files, seed=3)
    np.testing.assert_array_equal(again.space(WIDE).anchor_ids, ds.space(WIDE).anchor_ids)  # seeded
    t = translate_view.translate(ds, Settings(dataset=ds.name, source=SMALL, target=WIDE))
    ref = translate_view.translate(load_dataset("mnist"), Settings(dataset="mnist", source=SMALL, target=WIDE))
    assert abs(t.metrics["recon"] - ref.metrics["recon"]) < 0.05  # another split, same quality
    assert t.metrics["zero_shot"] > 0.5 and t.metrics["non_stitch"] > 0.9


@pytest.mark.parametrize("fmt", ["csv", "parquet", "parquet-list"])
def test_table_files_round_trip_exactly(fmt):
    xa, labels, ids = (v[:600] for v in shipped_items(SMALL))
    xb = shipped_items(WIDE)[0][:600]
    names = np.asarray(load_dataset("mnist").classes)[labels]
    if fmt == "csv":
        files = [("a.csv", csv(xa, id=ids, label=names)), ("b.csv", csv(xb, id=ids))]
    else:
        lst = fmt == "parquet-list"
        files = [("a.parquet", parquet(xa, lst, id=ids, label=names)), ("b.parquet", parquet(xb, lst, id=ids))]
    ds = uploads.build_dataset(files, n_anchors=300)
    a, b = ds.space("a"), ds.space("b")
    assert (a.dim, b.dim, len(a.anchors), len(a.test)) == (128, 256, 300, 300)
    row = {int(v): i for i, v in enumerate(ids)}
    np.testing.assert_array_equal(a.anchors, xa[[row[int(v)] for v in a.anchor_ids]])
    np.testing.assert_array_equal(b.test, xb[[row[int(v)] for v in b.test_ids]])
    assert np.asarray(ds.classes)[a.test_labels].tolist() == [names[row[int(v)]] for v in a.test_ids]
    t = translate_view.translate(ds, Settings(dataset=ds.name, source="a", target="b"))
    assert t.metrics["recon"] > 0.5 and t.metrics["zero_shot"] > 0.5


@pytest.mark.slow  # two full translations of fortunes: about 8 s
def test_one_npz_with_a_key_per_space_and_texts():
    ds_txt = load_dataset("fortunes")
    x1, labels, ids = shipped_items("minilm", "fortunes")
    x2 = shipped_items("mpnet", "fortunes")[0]
    texts = np.asarray(ds_txt.item_texts(ids))
    ds = uploads.build_dataset([("fortunes.npz", npz(minilm=x1, mpnet=x2, labels=labels, ids=ids, texts=texts))])
    assert ds.encoders == ["minilm", "mpnet"] and ds.modality == "text"
    sp = ds.space("mpnet")
    assert ds.item_texts(sp.test_ids[:3]) == ds_txt.item_texts(sp.test_ids[:3])
    t = translate_view.translate(ds, Settings(dataset=ds.name, source="minilm", target="mpnet"))
    panel = layouts_view.layout_panel_data(ds, t, 200)
    info = layouts_view.selected_items(ds, t, panel, [0, 1])
    assert info["texts"] == ds_txt.item_texts(sp.test_ids[:2])
    ref = translate_view.translate(ds_txt, Settings(dataset="fortunes", source="minilm", target="mpnet"))
    assert abs(t.metrics["recon"] - ref.metrics["recon"]) < 0.05  # another split, same quality


def test_without_labels_the_heads_are_absent_and_the_numbers_still_come():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 16)).astype(np.float32)
    q, _ = np.linalg.qr(rng.normal(size=(16, 16)))
    ds = uploads.build_dataset([("x.npy", npy(x)), ("y.npy", npy(x @ q * 3))])
    assert ds.classes == [] and ds.space("x").test_labels is None
    with pytest.raises(uploads.UploadError, match="no labels"):
        ds.head("y", "linear")
    with pytest.raises(uploads.UploadError, match="no thumbnails"):
        ds.item_thumbnails([0])
    assert ds.language("x") is None
    t = translate_view.translate(ds, Settings(dataset=ds.name, source="x", target="y"))
    assert "zero_shot" not in t.metrics and t.confusion is None  # no labels: not measured
    assert t.metrics["recon"] > 0.9  # a rotation and a scale: IRP (nearly) undoes both
    panel = layouts_view.layout_panel_data(ds, t, 50)
    assert layouts_view.selected_items(ds, t, panel, [0])["texts"] is None
    assert scale_view.alpha_curves(ds, "y")["curves"] == {}


def test_default_split_and_anchor_bounds():
    x = np.random.default_rng(1).normal(size=(100, 8))
    files = [("a.npy", npy(x)), ("b.npy", npy(x[:, ::-1]))]
    ds = uploads.build_dataset(files)
    assert len(ds.space("a").anchors) == 40 and len(ds.space("b").test) == 60  # 40 % of 100
    refused(files, "95 anchors out of 100 items", n_anchors=95)
    refused(files, "layout must be one of", layout="tsne")


@pytest.mark.slow  # numba compiles UMAP on first use: 45 s
def test_umap_layout_when_umap_is_installed():
    x = np.random.default_rng(2).normal(size=(80, 8)).astype(np.float32)
    xy, used = uploads.layout_2d(x, "umap", seed=0)
    assert used == "umap" and xy.shape == (80, 2) and np.isfinite(xy).all()
    xy2, used2 = uploads.layout_2d(x, "pca")
    assert used2 == "pca" and xy2.shape == (80, 2)


def test_pca_layout_is_the_top_two_principal_components_whatever_the_seed():
    x = np.random.default_rng(3).normal(size=(60, 7)).astype(np.float32) * np.arange(1, 8)
    xy, used = uploads.layout_2d(x, "pca", seed=0)
    assert used == "pca" and xy.dtype == np.float32
    np.testing.assert_array_equal(xy, uploads.layout_2d(x, "pca", seed=5)[0])  # exact SVD: no seed involved
    xc = x.astype(np.float64) - x.mean(axis=0)
    _, s, _ = np.linalg.svd(xc, full_matrices=False)
    np.testing.assert_allclose(np.linalg.norm(xy, axis=0), s[:2], rtol=1e-5)  # variance along each axis
    assert abs(float(xy[:, 0] @ xy[:, 1])) < 1e-3 * s[0] * s[1]  # uncorrelated axes
