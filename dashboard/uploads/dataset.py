"""Checked parts -> :class:`UploadedDataset`: the anchor/test split, 2-D layouts, and a dataset with
the interface of the shipped ones (:class:`irp_core.dataset.Dataset`)."""

from __future__ import annotations

import importlib.util
import re
import secrets
import threading
from collections.abc import Callable, Sequence
from pathlib import PurePath

import numpy as np
from sklearn.decomposition import PCA

from irp_core.cache import Space
from irp_core.dataset import HEAD_KINDS
from irp_core.split import seeded_split

from .assembly import check_parallel, encode_labels, parse_files
from .base import (
    LAYOUTS,
    MIN_ANCHORS,
    MIN_TEST,
    PREFIX,
    UploadError,
    plain,
)


def default_layout() -> str:
    """UMAP when umap-learn is installed (found without importing it: numba is slow to load)."""
    return "umap" if importlib.util.find_spec("umap") is not None else "pca"


def layout_2d(x: np.ndarray, method: str = "pca", seed: int = 0) -> tuple[np.ndarray, str]:
    """A 2-D map of ``x`` and the method that made it (UMAP falls back to PCA on tiny or odd data).

    UMAP is seeded by ``seed``; PCA is exact (full SVD, signs fixed by scikit-learn), so the same
    ``x`` always gives the same map.
    """
    x = np.asarray(x, dtype=np.float32)
    if method == "umap":
        try:
            import warnings

            import umap  # lazily: numba's start-up cost only for those who ask for UMAP

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                xy = umap.UMAP(n_components=2, n_neighbors=max(2, min(15, len(x) - 1)), metric="cosine",
                               random_state=seed).fit_transform(x)
            if np.all(np.isfinite(xy)):
                return np.asarray(xy, dtype=np.float32), "umap"
        except Exception:  # noqa: BLE001 - PCA is always possible
            pass
    xy = PCA(n_components=min(2, *x.shape), svd_solver="full").fit_transform(x.astype(np.float64))
    if xy.shape[1] < 2:
        xy = np.hstack([xy, np.zeros((len(xy), 2 - xy.shape[1]))])
    return xy.astype(np.float32), "pca"


class UploadedDataset:
    """An upload, implementing :class:`irp_core.dataset.Dataset` as the shipped datasets do; it lives
    in one session's state. Its heads are trained on its anchors (it has no other training data).
    """

    def __init__(self, name: str, title: str, spaces: dict[str, Space], classes: list[str],
                 texts: np.ndarray | None, ids: np.ndarray, sources: dict[str, str], notes: list[str], seed: int):
        self.name, self.title, self.seed = name, title, seed
        self.classes = classes
        self.modality = "text" if texts is not None else "embeddings"
        self.description = "; ".join(notes)
        self.languages: list[str] = []
        self.encoders = list(spaces)
        self.encoder_info = {e: {"dim": sp.dim, "file": sources[e]} for e, sp in spaces.items()}
        self._spaces = spaces
        self._texts = texts
        self._row_of = {plain(v): i for i, v in enumerate(ids)}  # item id -> uploaded row (of texts)
        self._heads: dict[tuple[str, str], object] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"UploadedDataset({self.name!r}, encoders={self.encoders})"

    @property
    def has_labels(self) -> bool:
        """Whether the upload came with labels."""
        return bool(self.classes)

    def _check_encoder(self, encoder: str) -> None:
        if encoder not in self._spaces:
            raise UploadError(f"upload {self.name!r} has no space {encoder!r}; it has {', '.join(self.encoders)}")

    def space(self, encoder: str) -> Space:
        self._check_encoder(encoder)
        return self._spaces[encoder]

    def head(self, encoder: str, kind: str = "linear"):
        """A head trained on this space's anchors (the upload has no other training data), on first use."""
        from threadpoolctl import threadpool_limits

        from irp_core.heads import LinearHead, MLPHead

        if kind not in HEAD_KINDS:
            raise ValueError(f"head kind must be 'linear' or 'mlp', got {kind!r}")
        self._check_encoder(encoder)
        if not self.has_labels:
            raise UploadError(f"upload {self.name!r} has no labels: no classifier head")
        with self._lock:
            if (encoder, kind) not in self._heads:
                sp = self._spaces[encoder]
                cls = LinearHead if kind == "linear" else MLPHead
                # one BLAS thread, as in the app: on a busy machine threaded BLAS made this 30x slower
                with threadpool_limits(limits=1, user_api="blas"):
                    self._heads[(encoder, kind)] = cls(random_state=self.seed).fit(sp.anchors, sp.anchor_labels)
            return self._heads[(encoder, kind)]

    def encoder_modality(self, encoder: str) -> str:
        """An upload has one modality: every space embeds the same kind of item."""
        self._check_encoder(encoder)
        return self.modality

    def item_texts(self, ids, language: str | None = None) -> list[str]:
        """The uploaded texts of items ``ids`` (an upload has one language: ``language`` is ignored)."""
        if self._texts is None:
            raise UploadError(f"upload {self.name!r} has no item texts")
        try:
            rows = [self._row_of[plain(v)] for v in np.atleast_1d(np.asarray(ids))]
        except KeyError as err:
            raise KeyError(f"{self.name}: unknown item id {err}") from err
        return [str(self._texts[r]) for r in rows]

    def item_thumbnails(self, ids) -> np.ndarray:
        raise UploadError(f"upload {self.name!r} has no thumbnails: uploads carry embeddings (and optional texts)")

    def language(self, encoder: str) -> str | None:
        """None: an upload does not say which language its texts are in."""
        self._check_encoder(encoder)
        return None

    def summary(self) -> str:
        """One line: items, anchors and test items, labels, texts, spaces and their dimensions."""
        sp = self._spaces[self.encoders[0]]
        dims = ", ".join(f"{e} ({self._spaces[e].dim}-d)" for e in self.encoders)
        labels = f"{len(self.classes)} classes" if self.classes else "no labels"
        texts = "texts" if self._texts is not None else "no texts"
        return (f"{len(sp.anchors) + len(sp.test)} items: {len(sp.anchors)} anchors, {len(sp.test)} test; "
                f"{labels}, {texts}; spaces {dims}")


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_.")[:40] or "data"


def build_dataset(files: Sequence[tuple[str, bytes]], n_anchors: int | None = None, seed: int = 0,
                  layout: str = "pca", title: str | None = None,
                  progress: Callable[[float, str], None] | None = None) -> UploadedDataset:
    """What the Upload page calls: (file name, bytes) pairs -> a dataset, or :class:`UploadError`.

    ``n_anchors``: anchors of the seeded split (None or 0: min(1500, 40 % of items)); ignored when the
    files carry their own split. ``layout``: "umap" or "pca", the 2-D maps of each space's test items.
    """
    def step(frac: float, text: str) -> None:
        if progress:
            progress(frac, text)

    if layout not in LAYOUTS:
        raise UploadError(f"layout must be one of {LAYOUTS}, got {layout!r}")
    step(0.0, "reading files")
    parts = parse_files(files)
    n = check_parallel(parts)
    labels, classes = encode_labels(parts)
    ids = parts.ids[0][1] if parts.ids else np.arange(n, dtype=np.int64)
    texts = parts.texts[0][1] if parts.texts else None
    split = parts.spaces[0].split
    notes = []
    if split is not None:
        if not (MIN_ANCHORS <= split <= n - MIN_TEST):
            raise UploadError(f"{parts.spaces[0].where}: {split} anchors and {n - split} test items; need at least "
                              f"{MIN_ANCHORS} anchors and {MIN_TEST} test items")
        anchor_rows, test_rows = np.arange(split), np.arange(split, n)
        notes.append("anchor/test split as uploaded")
    else:
        try:
            anchor_rows, test_rows = seeded_split(n, n_anchors, seed)
        except ValueError as exc:
            raise UploadError(str(exc)) from None
        notes.append(f"seeded split (seed {seed}): {len(anchor_rows)} anchors, {len(test_rows)} test items")
    spaces: dict[str, Space] = {}
    for i, s in enumerate(parts.spaces):
        step((i + 0.5) / len(parts.spaces), f"2-D layout of {s.name}")
        xy = s.layout
        if xy is None:
            xy, used = layout_2d(s.x[test_rows], layout, seed)
            if used != layout:
                notes.append(f"{s.name}: UMAP failed, PCA layout instead")
        arrays = {"anchors": s.x[anchor_rows], "test": s.x[test_rows], "layout": xy,
                  "anchor_ids": ids[anchor_rows], "test_ids": ids[test_rows],
                  "anchor_labels": None if labels is None else labels[anchor_rows],
                  "test_labels": None if labels is None else labels[test_rows]}
        for a in arrays.values():
            if a is not None:
                a.flags.writeable = False
        spaces[s.name] = Space(name=s.name, **arrays)
    stem = title or PurePath(str(files[0][0])).stem
    name = f"{PREFIX}{_slug(stem)}-{secrets.token_hex(3)}"  # unique: never collides across sessions
    step(1.0, "done")
    return UploadedDataset(name, f"Upload: {stem}", spaces, classes, texts, ids,
                           {s.name: s.where for s in parts.spaces}, notes, seed)
