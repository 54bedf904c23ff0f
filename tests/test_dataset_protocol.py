"""Shipped datasets and uploads implement one interface (``irp_core.dataset.Dataset``) and behave
alike on it, so pages never ask which kind they hold."""

from __future__ import annotations

import inspect

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from dashboard import uploads
from irp_core.cache import Dataset as ShippedDataset
from irp_core.cache import cache_dir, load_dataset
from irp_core.dataset import HEAD_KINDS, MODALITIES, Dataset

threadpool_limits(limits=1, user_api="blas")

ENCODERS = ("resnet10t_128", "resnet18_256")
MEMBERS = [name for name in vars(Dataset) if not name.startswith("_")] + list(Dataset.__annotations__)


@pytest.fixture(scope="module")
def pair() -> tuple[ShippedDataset, uploads.UploadedDataset]:
    """mnist as shipped, and the same two spaces uploaded as the cache's own files."""
    shipped = load_dataset("mnist")
    files = [(f"{e}.npz", (cache_dir() / "mnist" / f"{e}.npz").read_bytes()) for e in ENCODERS]
    return shipped, uploads.build_dataset(files)


def test_both_kinds_satisfy_the_protocol(pair):
    assert {"space", "head", "item_texts", "classes", "encoders", "has_labels", "summary"} <= set(MEMBERS)
    for ds in pair:
        assert isinstance(ds, Dataset), type(ds)
        for name in MEMBERS:
            assert hasattr(ds, name), (type(ds).__name__, name)
        for name in ("space", "head", "item_texts", "item_thumbnails", "encoder_modality", "language"):
            assert list(inspect.signature(getattr(ds, name)).parameters) == \
                list(inspect.signature(getattr(Dataset, name)).parameters)[1:], (type(ds).__name__, name)


def test_spaces_have_the_same_shapes_dtypes_and_read_only_arrays(pair):
    shipped, upload = pair
    for enc in ENCODERS:
        a, b = shipped.space(enc), upload.space(enc)
        for key in ("anchors", "test", "layout", "anchor_ids", "test_ids", "anchor_labels", "test_labels"):
            x, y = getattr(a, key), getattr(b, key)
            assert (x.shape, x.dtype) == (y.shape, y.dtype), key
            assert not x.flags.writeable and not y.flags.writeable, key
        assert a.anchors.dtype == np.float32 and a.layout.shape == (len(a.test), 2)
        assert a.dim == b.dim == shipped.encoder_info[enc]["dim"] == upload.encoder_info[enc]["dim"]


def test_members_mean_the_same(pair):
    shipped, upload = pair
    assert upload.encoders == list(ENCODERS) and set(ENCODERS) <= set(shipped.encoders)
    assert shipped.classes == upload.classes and shipped.has_labels and upload.has_labels
    assert shipped.modality in MODALITIES and upload.modality in MODALITIES
    for ds in pair:
        assert isinstance(ds.name, str) and isinstance(ds.title, str) and isinstance(ds.description, str)
        assert ds.languages == [] and ds.language(ENCODERS[0]) is None
        assert all("file" in ds.encoder_info[e] for e in ENCODERS)
        line = ds.summary()
        assert "3500 items: 1500 anchors, 2000 test" in line and "resnet18_256 (256-d)" in line, line
        sp = ds.space(ENCODERS[1])
        for kind in HEAD_KINDS[:1]:
            pred = ds.head(ENCODERS[1], kind).predict(sp.test[:200])
            assert pred.shape == (200,) and np.mean(pred == sp.test_labels[:200]) > 0.8


def test_both_refuse_alike(pair):
    for ds in pair:
        with pytest.raises(ValueError, match="nope"):
            ds.space("nope")
        with pytest.raises(ValueError, match="head kind"):
            ds.head(ENCODERS[0], "forest")
        with pytest.raises(ValueError):
            ds.item_texts(ds.space(ENCODERS[0]).test_ids[:2])  # image items / no texts: no texts to show


def test_a_text_upload_and_a_text_dataset_return_the_same_texts():
    shipped = load_dataset("fortunes")
    sp = shipped.space("minilm")
    ids = np.concatenate([sp.anchor_ids, sp.test_ids])
    texts = np.asarray(shipped.item_texts(ids))
    xs = [np.vstack([shipped.space(e).anchors, shipped.space(e).test]) for e in ("minilm", "mpnet")]
    upload = uploads.build_dataset([("f.npz", _npz(minilm=xs[0], mpnet=xs[1], ids=ids, texts=texts))])
    assert shipped.modality == upload.modality == "text"
    some = upload.space("mpnet").test_ids[:5]
    assert upload.item_texts(some) == shipped.item_texts(some)
    for ds in (shipped, upload):
        with pytest.raises(KeyError):
            ds.item_texts([-12345])


def _npz(**arrays) -> bytes:
    import io

    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def test_encoder_modality_marks_the_sides_of_paired_data(pair):
    """In the paired emoji set each encoder embeds one modality; elsewhere it is the dataset's."""
    emoji = load_dataset("emoji")
    kinds = {e: emoji.encoder_modality(e) for e in emoji.encoders}
    assert kinds["efficientnet_lite0"] == "image" and kinds["minilm"] == "text"
    assert set(kinds.values()) == {"image", "text"} and emoji.modality == "image+text"
    for ds in pair:
        assert {ds.encoder_modality(e) for e in ENCODERS} == {ds.modality}
