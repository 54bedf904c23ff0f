"""Sanity checks of the shipped embedding cache and of its loader (``irp_core.cache``)."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from irp_core.cache import CacheError, cache_dir, list_datasets, load_dataset

EXPECTED_DATASETS = ["mnist", "fashion_mnist", "fortunes", "crosslingual", "emoji", "emoji_names"]
# the emoji have 1,837 items in all: 800 anchors, 500 test (the others train the heads)
MIN_SPLITS = {"emoji": (800, 500), "emoji_names": (800, 500)}
# Non-stitch accuracy floors of each encoder's linear head on its own test split. MNIST's is the
# issue's; the others are "far above chance": at least twice the majority-class rate and, for the
# 10-class image sets, well above the 0.10 of guessing.
FLOORS = {"mnist": 0.95, "fashion_mnist": 0.75}


@pytest.fixture(scope="module")
def manifest():
    return json.loads((cache_dir() / "manifest.json").read_text())


@pytest.fixture(scope="module")
def datasets():
    return {name: load_dataset(name) for name in list_datasets()}


def test_all_datasets_shipped(manifest):
    assert list(manifest["datasets"]) == EXPECTED_DATASETS
    for name, entry in manifest["datasets"].items():
        min_anchors, min_test = MIN_SPLITS.get(name, (1500, 2000))
        assert entry["n_anchors"] >= min_anchors and entry["n_test"] >= min_test, name
        if entry["modality"] == "image":
            assert len(entry["encoders"]) >= 5
            origins = {e["origin"] for e in entry["encoders"].values()}
            assert origins == {"pretrained", "trained-here"}
    assert {"use_m", "e5_small", "minilm", "mpnet"} <= set(manifest["datasets"]["fortunes"]["encoders"])
    assert len(manifest["datasets"]["fortunes"]["classes"]) >= 6
    xl = manifest["datasets"]["crosslingual"]["encoders"]
    for lang in ("en", "es", "fr", "ja"):
        assert {f"use_m_{lang}", f"e5_small_{lang}"} <= set(xl)
        assert xl[f"use_m_{lang}"]["language"] == lang
    assert {"minilm_en", "mpnet_en"} <= set(xl)
    emoji = manifest["datasets"]["emoji"]
    assert emoji["modality"] == "image+text" and len(emoji["classes"]) == 9 and len(emoji["subclasses"]) == 99
    assert {e: i["modality"] for e, i in emoji["encoders"].items()} == {
        **{f"efficientnet_lite{i}": "image" for i in range(3)},
        **{m: "text" for m in ("use_m", "e5_small", "minilm", "mpnet")}}
    names = manifest["datasets"]["emoji_names"]
    assert names["languages"] == ["en", "es", "fr", "ja"]
    assert set(names["encoders"]) == {f"{m}_{lang}" for m in ("use_m", "e5_small") for lang in names["languages"]}


def test_cache_size_under_150_mb():
    root = cache_dir()
    total = sum(p.stat().st_size for p in root.rglob("*")
                if p.is_file() and "raw" not in p.relative_to(root).parts
                and "__pycache__" not in p.parts)
    assert total < 150e6, f"shipped cache is {total / 1e6:.1f} MB"


def test_every_file_matches_its_sha256(datasets, manifest):
    for name, ds in datasets.items():
        entry = manifest["datasets"][name]
        for enc in ds.encoders:
            ds.space(enc)
            ds.head(enc, "linear")
            ds.head(enc, "mlp")
        for rel in entry["files"]:
            ds._path(rel)  # raises CacheError on mismatch


def test_spaces_parallel_finite_and_read_only(datasets):
    for name, ds in datasets.items():
        ref = ds.space(ds.encoders[0])
        items = ds._item_arrays()
        assert set(ref.anchor_ids.tolist()).isdisjoint(ref.test_ids.tolist()), name
        assert np.isin(np.concatenate([ref.anchor_ids, ref.test_ids]), items["ids"]).all()
        for enc in ds.encoders:
            sp = ds.space(enc)
            assert sp.dim == ds.encoder_info[enc]["dim"], (name, enc)
            assert sp.anchors.dtype == np.float32 and sp.test.dtype == np.float32
            for key in ("anchor_ids", "test_ids", "anchor_labels", "test_labels"):
                assert np.array_equal(getattr(sp, key), getattr(ref, key)), (name, enc, key)
            for key in ("anchors", "test", "layout"):
                arr = getattr(sp, key)
                assert np.isfinite(arr).all(), (name, enc, key)
                assert not arr.flags.writeable
                with pytest.raises(ValueError):
                    arr[0, 0] = 1.0
            assert sp.layout.shape == (len(sp.test_ids), 2)
            assert np.linalg.norm(sp.test, axis=1).min() > 0, (name, enc)
            assert sp.anchors.shape[0] == len(np.unique(sp.anchor_ids))


def test_linear_heads_far_above_chance(datasets):
    for name, ds in datasets.items():
        for enc in ds.encoders:
            sp = ds.space(enc)
            majority = np.bincount(sp.test_labels).max() / len(sp.test_labels)
            floor = max(FLOORS.get(name, 0.0),
                        2 * majority, 3.0 / len(ds.classes))
            head = ds.head(enc, "linear")
            acc = float(np.mean(head.predict(sp.test) == sp.test_labels))
            assert acc >= floor, f"{name}/{enc}: linear head accuracy {acc:.3f} < {floor:.3f}"
            mlp = ds.head(enc, "mlp")
            acc_mlp = float(np.mean(mlp.predict(sp.test) == sp.test_labels))
            assert acc_mlp >= floor, f"{name}/{enc}: MLP head accuracy {acc_mlp:.3f} < {floor:.3f}"


def test_items_show_every_row(datasets):
    mnist = datasets["mnist"]
    sp = mnist.space(mnist.encoders[0])
    thumbs = mnist.item_thumbnails(sp.test_ids[:5])
    assert thumbs.shape == (5, 28, 28) and thumbs.dtype == np.uint8 and thumbs.max() > 100
    fortunes = datasets["fortunes"]
    texts = fortunes.item_texts(fortunes.space("use_m").anchor_ids[:3])
    assert all(isinstance(t, str) and len(t) >= 20 for t in texts)
    xl = datasets["crosslingual"]
    ids = xl.space("use_m_ja").test_ids[:3]
    en, ja = xl.item_texts(ids, "en"), xl.item_texts(ids, "ja")
    assert en != ja and all(ja)
    with pytest.raises(KeyError):
        xl.item_texts([-1])
    with pytest.raises(CacheError):
        mnist.item_texts(ids)
    emoji = datasets["emoji"]
    ids = emoji.space("use_m").test_ids[:4]
    assert emoji.item_thumbnails(ids).shape == (4, 48, 48, 3)
    assert emoji.item_texts(ids) == datasets["emoji_names"].item_texts(ids, "en")
    assert all(datasets["emoji_names"].item_texts(ids, "ja"))


def _copy_one(tmp_path, name, rel):
    (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(cache_dir() / "manifest.json", tmp_path / "manifest.json")
    shutil.copy(cache_dir() / rel, tmp_path / rel)


def test_corrupted_copy_is_caught(tmp_path, manifest):
    enc = "efficientnet_lite0"
    rel = manifest["datasets"]["mnist"]["encoders"][enc]["file"]
    _copy_one(tmp_path, "mnist", rel)
    assert load_dataset("mnist", root=tmp_path).space(enc).anchors.shape[0] >= 1500  # intact copy loads
    path = tmp_path / rel
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(CacheError, match=rel) as err:
        load_dataset("mnist", root=tmp_path).space(enc)
    assert manifest["datasets"]["mnist"]["encoders"][enc]["sha256"] in str(err.value)
    assert "rebuild" in str(err.value)
    # verify=False skips the check (the flipped byte is inside compressed data: the zip's CRC or
    # the decompressor still refuses it, and the loader reports that as a CacheError too)
    with pytest.raises(CacheError, match=rel) as unverified:
        load_dataset("mnist", root=tmp_path, verify=False).space(enc)
    assert "sha256" not in str(unverified.value)  # the read failed, not the skipped check


def test_missing_things_give_clear_errors(tmp_path, monkeypatch, manifest):
    with pytest.raises(CacheError, match="unknown dataset 'cifar10'.*mnist"):
        load_dataset("cifar10")
    with pytest.raises(CacheError, match="no encoder 'clip'"):
        load_dataset("mnist").space("clip")
    with pytest.raises(CacheError, match="no manifest.json"):
        load_dataset("mnist", root=tmp_path)
    shutil.copy(cache_dir() / "manifest.json", tmp_path / "manifest.json")
    with pytest.raises(CacheError, match="mnist/resnet10t_128.npz is missing"):
        load_dataset("mnist", root=tmp_path).space("resnet10t_128")
    monkeypatch.setenv("IRP_CACHE_DIR", str(tmp_path))
    assert cache_dir() == tmp_path
    assert list_datasets() == list(manifest["datasets"])


def test_cache_dir_order_and_what_to_do(tmp_path, monkeypatch):
    """root= over $IRP_CACHE_DIR over the checkout's folder; each miss says what chose the folder."""
    import irp_core.cache as cache_module

    checkout = cache_module.CHECKOUT_CACHE
    (tmp_path / "env").mkdir()
    shutil.copy(checkout / "manifest.json", tmp_path / "env" / "manifest.json")
    monkeypatch.delenv("IRP_CACHE_DIR", raising=False)
    assert cache_dir() == checkout
    monkeypatch.setenv("IRP_CACHE_DIR", "")  # empty counts as unset
    assert cache_dir() == checkout
    monkeypatch.setenv("IRP_CACHE_DIR", str(tmp_path / "env"))
    assert cache_dir() == tmp_path / "env"
    assert cache_dir(checkout) == checkout
    assert load_dataset("mnist", root=checkout).root == checkout
    monkeypatch.setenv("IRP_CACHE_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(CacheError, match=r"nowhere \(from IRP_CACHE_DIR\) does not exist; set the environment"):
        load_dataset("mnist")
    with pytest.raises(CacheError, match=r"no manifest.json .*\(passed as root=\); set .*IRP_CACHE_DIR"):
        list_datasets(tmp_path)
    # an installed package: no cache next to it, no variable
    monkeypatch.delenv("IRP_CACHE_DIR")
    monkeypatch.setattr(cache_module, "CHECKOUT_CACHE", tmp_path / "site-packages" / "cached_embeddings")
    with pytest.raises(CacheError, match="no embedding cache: IRP_CACHE_DIR is not set") as err:
        load_dataset("mnist")
    assert "pass root=" in str(err.value) and "git checkout" not in str(err.value)
    # a clone whose manifest is gone: restore or rebuild
    monkeypatch.setattr(cache_module, "CHECKOUT_CACHE", tmp_path)
    with pytest.raises(CacheError, match="no manifest.json .*git checkout -- cached_embeddings"):
        cache_dir()


def test_spaces_are_memoised(datasets):
    ds = datasets["fortunes"]
    assert ds.space("minilm") is ds.space("minilm")
    assert ds.head("minilm") is ds.head("minilm", "linear")
