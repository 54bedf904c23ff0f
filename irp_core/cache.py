"""Read the shipped embedding cache (``cached_embeddings/``): numpy only, sha256-verified, read-only.

>>> ds = load_dataset("mnist")
>>> sp = ds.space("efficientnet_lite0")
>>> sp.anchors.shape, sp.test.shape
((1500, 1280), (2000, 1280))
>>> sp.anchors.flags.writeable
False

The cache is a folder of the repository, not part of the installed package; :func:`cache_dir` says
where it is looked for. Every file is checked against the sha256 in ``manifest.json`` the first time
it is loaded; a missing or altered file raises :class:`CacheError` naming the file, both digests and
how to rebuild.
"""

from __future__ import annotations

import hashlib
import json
import os
import pathlib
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["CacheError", "Dataset", "Space", "cache_dir", "list_datasets", "load_dataset", "sha256_file"]

ENV_VAR = "IRP_CACHE_DIR"
#: Where a source checkout keeps the cache: next to the package. An installed package has none there.
CHECKOUT_CACHE = pathlib.Path(__file__).resolve().parent.parent / "cached_embeddings"
WHERE_HINT = (
    f"set the environment variable {ENV_VAR} to the cached_embeddings folder of a clone of the "
    "IRP Explorer repository, or pass root= that folder"
)
REBUILD_HINT = (
    "restore it with `git checkout -- cached_embeddings` in the clone or rebuild it with "
    "`bash cached_embeddings/install_build_deps.sh && python -m cached_embeddings.builder`"
)
_SPACE_KEYS = ("anchors", "anchor_labels", "anchor_ids", "test", "test_labels", "test_ids", "layout")


class CacheError(ValueError):
    """The embedding cache is missing, incomplete, or does not match its manifest."""


def cache_dir(root: str | os.PathLike | None = None) -> pathlib.Path:
    """The cache root: ``root`` if given, else ``$IRP_CACHE_DIR`` if set, else the checkout's folder.

    The checkout's folder is ``cached_embeddings/`` next to the ``irp_core`` package, so a clone (or
    ``pip install -e .``) needs no setting. The wheel ships no data (93 MB), so after ``pip install .``
    set ``IRP_CACHE_DIR`` to a clone's ``cached_embeddings`` folder or pass ``root=``. The chosen
    folder must hold ``manifest.json``; if it does not, :class:`CacheError` says which setting chose
    it and what to do.
    """
    if root is not None:
        path, origin = pathlib.Path(root), "passed as root="
    elif os.environ.get(ENV_VAR):
        path, origin = pathlib.Path(os.environ[ENV_VAR]), f"from {ENV_VAR}"
    else:
        path, origin = CHECKOUT_CACHE, None
    if (path / "manifest.json").is_file():
        return path
    if origin is None and not path.is_dir():
        raise CacheError(
            f"no embedding cache: {ENV_VAR} is not set and there is no cached_embeddings folder next to "
            f"the irp_core package ({path}; an installed irp_core ships no cache); {WHERE_HINT}"
        )
    if origin is None:
        raise CacheError(f"no manifest.json in cache directory {path} (next to the irp_core package); "
                         f"{REBUILD_HINT}, or {WHERE_HINT}")
    if not path.is_dir():
        raise CacheError(f"cache directory {path} ({origin}) does not exist; {WHERE_HINT}")
    raise CacheError(f"no manifest.json in cache directory {path} ({origin}); {WHERE_HINT}")


def _root(root: str | os.PathLike | None) -> pathlib.Path:
    return cache_dir(root)


def sha256_file(path: str | os.PathLike) -> str:
    """Hex sha256 of a file's bytes, read in blocks (the digest ``manifest.json`` records)."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _read_manifest(root: pathlib.Path) -> dict:
    path = root / "manifest.json"
    if not path.exists():
        raise CacheError(f"no manifest.json in cache directory {root}; {REBUILD_HINT}")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise CacheError(f"cannot read {path}: {err}; {REBUILD_HINT}") from err
    if manifest.get("version") != 1 or not isinstance(manifest.get("datasets"), dict):
        raise CacheError(f"{path}: expected version 1 with a 'datasets' table; {REBUILD_HINT}")
    return manifest


def list_datasets(root: str | os.PathLike | None = None) -> list[str]:
    """Names of the datasets listed in the manifest, in manifest order."""
    return list(_read_manifest(_root(root))["datasets"])


def _readonly(arr: np.ndarray) -> np.ndarray:
    arr.flags.writeable = False
    return arr


@dataclass(frozen=True)
class Space:
    """One encoder's view of a dataset: anchors and test split, rows parallel across encoders.

    Embeddings are float32 (stored as float16); every array is read-only.
    """

    name: str
    anchors: np.ndarray  # (K, d) float32
    anchor_labels: np.ndarray  # (K,) int64
    anchor_ids: np.ndarray  # (K,) int64
    test: np.ndarray  # (n, d) float32
    test_labels: np.ndarray  # (n,) int64
    test_ids: np.ndarray  # (n,) int64
    layout: np.ndarray  # (n, 2) float32, seeded UMAP of ``test``

    @property
    def dim(self) -> int:
        return int(self.anchors.shape[1])


class Dataset:
    """A dataset of the cache; spaces, heads and items load lazily and are verified once.

    Implements :class:`irp_core.dataset.Dataset`, the interface uploads share.
    """

    def __init__(self, name: str, entry: dict, root: pathlib.Path, verify: bool = True):
        self.name = name
        self.root = root
        self.verify = verify
        self.title: str = entry.get("title", name)
        self.modality: str = entry["modality"]
        self.classes: list[str] = list(entry["classes"])
        self.description: str = entry.get("description", "")
        self.licence: str = entry.get("licence", "")
        self.source: str = entry.get("source", "")
        self.languages: list[str] = list(entry.get("languages", []))
        self.encoder_info: dict[str, dict] = dict(entry["encoders"])
        self.encoders: list[str] = list(self.encoder_info)
        self._files: dict[str, str] = dict(entry.get("files", {}))
        for info in self.encoder_info.values():
            self._files[info["file"]] = info["sha256"]
        self._verified: set[str] = set()
        self._spaces: dict[str, Space] = {}
        self._heads: dict[tuple[str, str], Any] = {}
        self._items: dict[str, np.ndarray] | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Dataset({self.name!r}, modality={self.modality!r}, encoders={self.encoders})"

    # -- files
    def _path(self, rel: str) -> pathlib.Path:
        """Absolute path of a manifest-listed file, checked against its sha256 once."""
        if rel not in self._files:
            raise CacheError(f"{self.name}: {rel} is not listed in the manifest; {REBUILD_HINT}")
        path = self.root / rel
        if not path.exists():
            raise CacheError(f"{self.name}: file {rel} is missing from {self.root}; {REBUILD_HINT}")
        if self.verify and rel not in self._verified:
            found, expected = sha256_file(path), self._files[rel]
            if found != expected:
                raise CacheError(
                    f"{self.name}: file {rel} does not match the manifest "
                    f"(expected sha256 {expected}, found {found}); {REBUILD_HINT}"
                )
            self._verified.add(rel)
        return path

    def _load_npz(self, rel: str) -> dict[str, np.ndarray]:
        path = self._path(rel)
        try:
            with np.load(path, allow_pickle=False) as f:
                return {k: f[k] for k in f.files}
        except Exception as err:  # BadZipFile, zlib.error, ValueError, OSError: all mean a bad file
            raise CacheError(f"{self.name}: cannot read {rel}: {err}; {REBUILD_HINT}") from err

    # -- other manifest-listed files (the dashboard's precomputed tables)
    def file_sha256(self, rel: str) -> str | None:
        """The manifest's sha256 of ``rel`` (a path under the cache root), or None if unlisted."""
        return self._files.get(rel)

    def read_json(self, rel: str) -> Any:
        """A manifest-listed JSON file, checked against its sha256 like every other file."""
        path = self._path(rel)
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise CacheError(f"{self.name}: cannot read {rel}: {err}; {REBUILD_HINT}") from err

    # -- public
    def _check_encoder(self, encoder: str) -> dict:
        if encoder not in self.encoder_info:
            raise CacheError(
                f"dataset {self.name!r} has no encoder {encoder!r}; available: {', '.join(self.encoders)}"
            )
        return self.encoder_info[encoder]

    def space(self, encoder: str) -> Space:
        """The anchors/test split of ``encoder`` (loaded on first use, then memoised)."""
        info = self._check_encoder(encoder)
        with self._lock:
            if encoder not in self._spaces:
                data = self._load_npz(info["file"])
                missing = [k for k in _SPACE_KEYS if k not in data]
                if missing:
                    raise CacheError(f"{self.name}: {info['file']} lacks keys {missing}; {REBUILD_HINT}")
                arrays = {}
                for k in _SPACE_KEYS:
                    a = data[k]
                    if k in ("anchors", "test", "layout"):
                        a = a.astype(np.float32)
                    elif k.endswith("_ids") or k.endswith("_labels"):
                        a = a.astype(np.int64)
                    arrays[k] = _readonly(np.ascontiguousarray(a))
                self._spaces[encoder] = Space(name=encoder, **arrays)
            return self._spaces[encoder]

    def head(self, encoder: str, kind: str = "linear"):
        """The classifier head trained on ``encoder``'s (unshipped) training embeddings."""
        from .dataset import HEAD_KINDS
        from .heads import load_head

        if kind not in HEAD_KINDS:
            raise ValueError(f"head kind must be 'linear' or 'mlp', got {kind!r}")
        self._check_encoder(encoder)
        key = (encoder, kind)
        with self._lock:
            if key not in self._heads:
                rel = f"{self.name}/heads/{encoder}_{kind}.npz"
                self._heads[key] = load_head(self._path(rel))
            return self._heads[key]

    def _item_arrays(self) -> dict[str, np.ndarray]:
        with self._lock:
            if self._items is None:
                data = self._load_npz(f"{self.name}/items.npz")
                self._items = {k: _readonly(v) for k, v in data.items()}
            return self._items

    def _rows(self, ids) -> np.ndarray:
        items = self._item_arrays()
        all_ids = items["ids"]
        ids = np.atleast_1d(np.asarray(ids, dtype=np.int64))
        pos = np.searchsorted(all_ids, ids)
        pos = np.clip(pos, 0, len(all_ids) - 1)
        bad = all_ids[pos] != ids
        if bad.any():
            raise KeyError(f"{self.name}: unknown item ids {ids[bad][:5].tolist()}")
        return pos

    def encoder_modality(self, encoder: str) -> str:
        """"image" or "text": what ``encoder`` embeds (a paired "image+text" dataset has both kinds)."""
        return self._check_encoder(encoder).get("modality") or self.modality

    def item_texts(self, ids, language: str | None = None) -> list[str]:
        """Texts of items (text and paired image+text datasets); ``language`` picks a side of a
        multilingual set."""
        if self.modality not in ("text", "image+text"):
            raise CacheError(f"dataset {self.name!r} is {self.modality}: use item_thumbnails()")
        items = self._item_arrays()
        if "texts" in items and language in (None, "en"):
            key = "texts"
        else:
            key = f"texts_{language or 'en'}"
            if key not in items:
                langs = sorted(k[6:] for k in items if k.startswith("texts_"))
                raise CacheError(f"dataset {self.name!r} has no texts in language {language!r}; has {langs}")
        return [str(t) for t in items[key][self._rows(ids)]]

    def item_thumbnails(self, ids) -> np.ndarray:
        """uint8 thumbnails of items (image and paired image+text datasets): (len(ids), 28, 28) grey
        for MNIST/Fashion-MNIST, (len(ids), 48, 48, 3) RGB for the emoji."""
        if self.modality not in ("image", "image+text"):
            raise CacheError(f"dataset {self.name!r} is {self.modality}: use item_texts()")
        return _readonly(self._item_arrays()["thumbnails"][self._rows(ids)])

    def language(self, encoder: str) -> str | None:
        return self._check_encoder(encoder).get("language")

    @property
    def has_labels(self) -> bool:
        """Whether items carry class labels (every shipped dataset's do)."""
        return bool(self.classes)

    def summary(self) -> str:
        """One line: items, anchors and test items, labels, spaces and their dimensions."""
        sp = self.space(self.encoders[0])
        dims = ", ".join(f"{e} ({self.encoder_info[e]['dim']}-d)" for e in self.encoders)
        return (f"{len(sp.anchors) + len(sp.test)} items: {len(sp.anchors)} anchors, {len(sp.test)} test; "
                f"{len(self.classes)} classes, {self.modality} items; spaces {dims}")


def load_dataset(name: str, root: str | os.PathLike | None = None, verify: bool = True) -> Dataset:
    """Open dataset ``name`` of the cache; arrays load (and are sha256-verified) on first use."""
    r = _root(root)
    manifest = _read_manifest(r)
    if name not in manifest["datasets"]:
        raise CacheError(
            f"unknown dataset {name!r} in {r / 'manifest.json'}; available: "
            f"{', '.join(manifest['datasets']) or '(none)'}"
        )
    return Dataset(name, manifest["datasets"][name], r, verify=verify)
