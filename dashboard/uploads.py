"""Bring your own embeddings: uploaded files -> a dataset with the shipped cache's interface.

Pure (no Streamlit): the Upload page calls :func:`build_dataset`, and so do the tests. Every problem
raises :class:`UploadError`, whose message names the file, key, shape, row or column. Nothing is
ever unpickled: .npy and .npz members are parsed from their header and read with
``np.frombuffer``, so an object array is refused before a byte of it is decoded, and a header's
declared shape must match the bytes actually present (a lying header cannot make us allocate).

Accepted (see :data:`FORMATS`): two or more spaces of parallel embeddings (row i is the same item
in every space), as .npz (one key per space, or one file per space in the cache's own layout),
.npy (one file per space), .csv or .parquet (one file per space, numeric columns); optional labels,
ids and texts as columns, keys or files named ``labels``/``ids``/``texts``.
"""

from __future__ import annotations

import importlib.util
import re
import secrets
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import PurePath

import numpy as np

from irp_core import io as irp_io
from irp_core.cache import Space
from irp_core.io import KIND_NAMES as _KIND_NAMES
from irp_core.io import ReadError

# Limits. UPLOAD_MAX_MB matches ``server.maxUploadSize`` in .streamlit/config.toml.
UPLOAD_MAX_MB = 50  # per file
UPLOAD_MAX_TOTAL_MB = 100  # all files of one upload
UPLOAD_MAX_UNPACKED_MB = 256  # decompressed .npz members, all together (zip bombs)
MAX_FILES = 16
MIN_DIM, MAX_DIM = 2, 16384
MIN_ITEMS, MAX_ITEMS = 30, 10_000  # the Translate page compares every test item with every other
MIN_ANCHORS, MIN_TEST = 10, 10
DEFAULT_MAX_ANCHORS, ANCHOR_FRACTION = 1500, 0.4
MAX_CLASSES = 100
MAX_SPACES = 16
MAX_SESSION_UPLOADS = 2  # per browser session: uploads live in memory
PREFIX = "upload:"

SUFFIXES = ("npz", "npy", "csv", "parquet", "txt")
ROLE_NAMES = {"labels": ("labels", "label"), "ids": ("ids", "id"), "texts": ("texts", "text"),
              "classes": ("classes",)}
CACHE_KEYS = ("anchors", "anchor_labels", "anchor_ids", "test", "test_labels", "test_ids", "layout")
LAYOUTS = ("umap", "pca")

FORMATS = f"""\
Upload **two or more spaces** of parallel embeddings: row *i* must be the same item in every space.

- **.npz**: one key per space (`np.savez("emb.npz", clip=a, dino=b, labels=y)`), or one file per
  space in the shipped cache's layout (keys `anchors`, `test`, and optionally `anchor_labels`,
  `test_labels`, `anchor_ids`, `test_ids`, `layout`: its anchor/test split is kept).
- **.npy**: one 2-D array per file; the file name is the space's name.
- **.csv** / **.parquet**: one file per space, one numeric column per dimension (a header row is
  optional; a Parquet list column also works). Columns named `label`, `id` or `text` are not
  dimensions: they give labels, item ids and item texts.
- **optional**: `labels` (integers or class names), `ids` (unique, in the same order in every
  space), `texts` (one per item, e.g. `texts.txt`, one per line), `classes.txt` (names of integer
  labels), as files or .npz keys with those names.

Limits: {UPLOAD_MAX_MB} MB per file, {UPLOAD_MAX_TOTAL_MB} MB in all, {MIN_ITEMS}–{MAX_ITEMS} items,
{MIN_DIM}–{MAX_DIM} dimensions, at most {MAX_CLASSES} classes. Plain numbers only: files holding
Python objects are refused, never unpickled. Uploads stay in this browser session only.
"""


class UploadError(ValueError):
    """An upload cannot be used; the message names the file (and key, row, column) and the problem."""


def is_upload_name(name) -> bool:
    return isinstance(name, str) and name.startswith(PREFIX)


def default_layout() -> str:
    """UMAP when umap-learn is installed (found without importing it: numba is slow to load)."""
    return "umap" if importlib.util.find_spec("umap") is not None else "pca"


def default_n_anchors(n_items: int) -> int:
    return max(MIN_ANCHORS, min(DEFAULT_MAX_ANCHORS, int(ANCHOR_FRACTION * n_items)))


def _py(v):
    """A numpy scalar as the Python value it holds (so messages read 5, not np.int64(5))."""
    return v.item() if isinstance(v, np.generic) else v


def _role(name: str) -> str | None:
    n = str(name).strip().lower()
    return next((role for role, names in ROLE_NAMES.items() if n in names), None)


# --------------------------------------------------------------------------------------------
# Files -> parts (spaces, labels, ids, texts), each checked where it came from
# --------------------------------------------------------------------------------------------
@dataclass
class _SpaceIn:
    name: str
    where: str
    x: np.ndarray  # (n, d) float32
    split: int | None = None  # anchors come first, when the file carries its own anchor/test split
    layout: np.ndarray | None = None


@dataclass
class _Parts:
    spaces: list[_SpaceIn]
    labels: list[tuple[str, np.ndarray]]
    ids: list[tuple[str, np.ndarray]]
    texts: list[tuple[str, np.ndarray]]
    classes: list[tuple[str, list[str]]]

    def add(self, role: str, where: str, values) -> None:
        getattr(self, role).append((where, values))


def _embedding(where: str, arr: np.ndarray) -> np.ndarray:
    """A finite (n, d) float32 matrix, or an UploadError naming what is wrong."""
    arr = np.asarray(arr)
    if arr.dtype.kind not in "iuf":
        what = _KIND_NAMES.get(arr.dtype.kind, "not numbers")
        raise UploadError(f"{where}: embeddings must be real numbers, got dtype {arr.dtype} ({what})")
    if arr.ndim != 2:
        raise UploadError(f"{where}: embeddings must be a 2-D array (items, dimensions), got shape {arr.shape}")
    n, d = arr.shape
    if n == 0:
        raise UploadError(f"{where}: has no rows (shape {arr.shape})")
    if d < MIN_DIM:
        raise UploadError(f"{where}: has {d} column(s) (shape {arr.shape}); an embedding needs at least "
                          f"{MIN_DIM} dimensions")
    if d > MAX_DIM:
        raise UploadError(f"{where}: has {d} columns (shape {arr.shape}); at most {MAX_DIM} dimensions are accepted")
    if n > MAX_ITEMS:
        raise UploadError(f"{where}: has {n} rows (shape {arr.shape}); at most {MAX_ITEMS} items are accepted")
    with np.errstate(over="ignore", invalid="ignore"):
        x = arr.astype(np.float32)
    bad = ~np.isfinite(x)
    if bad.any():
        row, col = (int(v) for v in np.argwhere(bad)[0])
        v = arr[row, col]
        what = "NaN or Inf" if not np.isfinite(v) else f"{_py(v)!r}, beyond float32's range"
        raise UploadError(f"{where}: {int(bad.sum())} value(s) are not finite numbers; first at row {row}, "
                          f"column {col}: {what}")
    if not np.abs(x).max(axis=1).any():
        raise UploadError(f"{where}: every row is all zeros (shape {arr.shape})")
    return x


def _vector(where: str, arr, role: str) -> np.ndarray:
    """A 1-D column of labels, ids or texts (an (n, 1) array counts)."""
    arr = np.asarray(arr)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        raise UploadError(f"{where}: {role} must be one value per item (1-D), got shape {arr.shape}")
    kinds = {"labels": "iuUS", "ids": "iuUS", "texts": "US", "classes": "US"}[role]
    integral = arr.dtype.kind == "f" and np.all(np.isfinite(arr)) and np.all(arr == np.round(arr))
    if integral and role in ("labels", "ids"):
        arr = arr.astype(np.int64)
    if arr.dtype.kind not in kinds:
        want = "integers or strings" if role != "texts" else "strings"
        raise UploadError(f"{where}: {role} must be {want}, got dtype {arr.dtype} "
                          f"({_KIND_NAMES.get(arr.dtype.kind, 'numbers')})")
    return arr


def _strings_as_ints(values: np.ndarray) -> np.ndarray:
    """CSV label/id cells: integers when every cell is one, else the strings as they are."""
    try:
        return np.asarray([int(v) for v in values], dtype=np.int64)
    except (ValueError, OverflowError):
        return np.asarray(values, dtype=str)


def _parse_file(fname: str, data: bytes, parts: _Parts) -> None:
    stem, suffix = PurePath(fname).stem, PurePath(fname).suffix.lower().lstrip(".")
    role = _role(stem)
    if suffix == "npy":
        arr = irp_io.read_npy(data, fname)
        if role:
            parts.add(role, fname, _vector(fname, arr, role))
        else:
            parts.spaces.append(_SpaceIn(stem, fname, _embedding(fname, arr)))
    elif suffix == "npz":
        _parse_npz(fname, stem, irp_io.read_npz(data, fname, UPLOAD_MAX_UNPACKED_MB), parts)
    elif suffix == "txt":
        if role not in ("texts", "classes"):
            raise UploadError(f"{fname}: a .txt file must be texts.txt (one item text per line) or classes.txt "
                              "(one class name per line)")
        try:
            lines = data.decode("utf-8").splitlines()
        except UnicodeDecodeError as err:
            raise UploadError(f"{fname}: is not UTF-8 text (byte {err.start}: {err.reason})") from err
        parts.add(role, fname, np.asarray(lines, dtype=str) if role == "texts" else lines)
    elif suffix in ("csv", "parquet"):
        _parse_table(fname, stem, suffix, data, role, parts)
    else:
        raise UploadError(f"{fname}: unsupported file type {('.' + suffix) if suffix else '(no suffix)'}; "
                          f"use {', '.join('.' + s for s in SUFFIXES)}")


def _parse_npz(fname: str, stem: str, arrays: dict[str, np.ndarray], parts: _Parts) -> None:
    if "anchors" in arrays and "test" in arrays:  # one space in the shipped cache's layout
        extra = sorted(set(arrays) - set(CACHE_KEYS))
        if extra:
            raise UploadError(f"{fname}: unexpected keys {extra} next to 'anchors' and 'test' (cache layout keys: "
                              f"{', '.join(CACHE_KEYS)})")
        a = _embedding(f"{fname}:anchors", arrays["anchors"])
        t = _embedding(f"{fname}:test", arrays["test"])
        if a.shape[1] != t.shape[1]:
            raise UploadError(f"{fname}: anchors have {a.shape[1]} columns but test has {t.shape[1]} "
                              f"(shapes {a.shape} and {t.shape})")
        x = _embedding(fname, np.vstack([a, t]))
        layout = arrays.get("layout")
        if layout is not None:
            layout = np.asarray(layout)
            if layout.dtype.kind not in "iuf" or layout.shape != (len(t), 2):
                raise UploadError(f"{fname}:layout must be a ({len(t)}, 2) array of numbers, got shape "
                                  f"{layout.shape} of {layout.dtype}")
            layout = _embedding(f"{fname}:layout", layout)
        parts.spaces.append(_SpaceIn(stem, fname, x, split=len(a), layout=layout))
        for role in ("labels", "ids"):
            pair = [arrays.get(f"anchor_{role}"), arrays.get(f"test_{role}")]
            if all(p is None for p in pair):
                continue
            if any(p is None for p in pair):
                raise UploadError(f"{fname}: has only one of anchor_{role} and test_{role}")
            ka, kt = (_vector(f"{fname}:{k}_{role}", p, role) for k, p in zip(("anchor", "test"), pair))
            if len(ka) != len(a) or len(kt) != len(t):
                raise UploadError(f"{fname}: anchor_{role}/test_{role} have {len(ka)}/{len(kt)} values for "
                                  f"{len(a)}/{len(t)} rows")
            parts.add(role, fname, np.concatenate([ka, kt]))
        return
    named = [k for k in arrays if _role(k) is None]
    for key, arr in arrays.items():
        where, role = f"{fname}:{key}", _role(key)
        if role:
            values = _vector(where, arr, role)
            parts.add(role, where, values if role != "classes" else [str(v) for v in values])
        else:
            parts.spaces.append(_SpaceIn(key if len(named) > 1 else stem, where, _embedding(where, arr)))


def _parse_table(fname: str, stem: str, suffix: str, data: bytes, role: str | None, parts: _Parts) -> None:
    if suffix == "csv":
        table = irp_io.read_csv(data, fname, (lambda first: _role(first[0]) is not None) if role else None)
        columns, line0 = [(n, table.cells[:, j]) for j, n in enumerate(table.names)], table.first_line
    else:
        columns, line0 = irp_io.read_parquet(data, fname, max_rows=MAX_ITEMS, max_columns=MAX_DIM + 3), 0
    if role:  # a labels/ids/texts/classes file: its only column, or the column named for the role
        col = [c for c in columns if _role(c[0]) == role] or (columns if len(columns) == 1 else [])
        if len(col) != 1:
            raise UploadError(f"{fname}: expected one column (or a column named {ROLE_NAMES[role][0]!r}); "
                              f"found {[c[0] for c in columns]}")
        values = col[0][1]
        if suffix == "csv" and role in ("labels", "ids"):
            values = _strings_as_ints(values)
        values = _vector(fname, values, role)
        parts.add(role, fname, values if role != "classes" else [str(v) for v in values])
        return
    dims = []
    for name, values in columns:
        r = _role(name)
        if r in ("labels", "ids", "texts"):
            if suffix == "csv" and r != "texts":
                values = _strings_as_ints(values)
            parts.add(r, f"{fname}:{name}", _vector(f"{fname}: column {name!r}", values, r))
        else:
            dims.append((name, values))
    if not dims:
        raise UploadError(f"{fname}: no embedding columns (only {[c[0] for c in columns]})")
    if suffix == "csv":
        x = irp_io.csv_floats(np.stack([v for _, v in dims], axis=1), [n for n, _ in dims], fname, line0)
    else:
        x = irp_io.stack_columns(dims, fname)
    parts.spaces.append(_SpaceIn(stem, fname, _embedding(fname, x)))


def parse_files(files: Sequence[tuple[str, bytes]]) -> _Parts:
    """Read and check every file on its own (sizes, formats, dtypes, shapes, finiteness)."""
    if not files:
        raise UploadError("no files: upload two or more spaces of parallel embeddings")
    if len(files) > MAX_FILES:
        raise UploadError(f"{len(files)} files; at most {MAX_FILES} are accepted in one upload")
    total, seen = 0, set()
    for fname, data in files:
        size = len(data)
        total += size
        if size > UPLOAD_MAX_MB * 2**20:
            raise UploadError(f"{fname}: {size / 2**20:.1f} MB; the limit is {UPLOAD_MAX_MB} MB per file")
        if size == 0:
            raise UploadError(f"{fname}: the file is empty (0 bytes)")
        if fname in seen:
            raise UploadError(f"{fname}: uploaded twice")
        seen.add(fname)
    if total > UPLOAD_MAX_TOTAL_MB * 2**20:
        raise UploadError(f"{total / 2**20:.1f} MB in all; the limit is {UPLOAD_MAX_TOTAL_MB} MB per upload")
    parts = _Parts([], [], [], [], [])
    for fname, data in files:
        try:
            _parse_file(PurePath(str(fname)).name, bytes(data), parts)
        except ReadError as err:  # irp_core.io's message already names the file and the fault
            raise UploadError(str(err)) from err
    return parts


# --------------------------------------------------------------------------------------------
# Parts -> one consistent dataset
# --------------------------------------------------------------------------------------------
def _check_parallel(parts: _Parts) -> int:
    """The number of items, once every space, label, id and text list agrees on it."""
    spaces = parts.spaces
    if len(spaces) < 2:
        found = f"only {spaces[0].where!r}" if spaces else "none"
        raise UploadError(f"IRP translates between spaces: upload two or more embedding spaces (found {found})")
    if len(spaces) > MAX_SPACES:
        raise UploadError(f"{len(spaces)} spaces; at most {MAX_SPACES} are accepted")
    names = [s.name for s in spaces]
    dup = next((n for n in names if names.count(n) > 1), None)
    if dup is not None:
        raise UploadError(f"two spaces are named {dup!r} ({', '.join(s.where for s in spaces if s.name == dup)}); "
                          "rename one file or key")
    first = spaces[0]
    n = first.x.shape[0]
    for s in spaces[1:]:
        if s.x.shape[0] != n:
            raise UploadError(f"spaces are not parallel: {first.where} has {n} rows (shape {first.x.shape}) but "
                              f"{s.where} has {s.x.shape[0]} (shape {s.x.shape}); row i must be the same item in "
                              "every space")
    if n < MIN_ITEMS:
        raise UploadError(f"{first.where}: {n} items (shape {first.x.shape}); at least {MIN_ITEMS} are needed "
                          f"({MIN_ANCHORS} anchors and {MIN_TEST} test items at the least)")
    splits = {s.where: s.split for s in spaces}
    if len(set(splits.values())) > 1:
        raise UploadError(f"the files' anchor/test splits differ (anchors per file: {splits}); give every space "
                          "the same split, or none")
    for role in ("labels", "ids", "texts"):
        for where, values in getattr(parts, role):
            if len(values) != n:
                raise UploadError(f"{where}: {len(values)} {role} for {n} items (one per row of {first.where})")
    for where, ids in parts.ids:
        uniq, counts = np.unique(ids, return_counts=True)
        if (counts > 1).any():
            v = uniq[counts > 1][0]
            rows = np.flatnonzero(ids == v)[:2].tolist()
            raise UploadError(f"{where}: duplicate id {_py(v)!r} (rows {rows[0]} and {rows[1]}); ids must be unique")
    if parts.ids:
        w0, ids0 = parts.ids[0]
        for where, ids in parts.ids[1:]:
            if ids.dtype.kind != ids0.dtype.kind and {ids.dtype.kind, ids0.dtype.kind} != {"i", "u"}:
                raise UploadError(f"ids of {w0} are {ids0.dtype} but ids of {where} are {ids.dtype}")
            if not np.array_equal(ids, ids0):
                missing = np.setdiff1d(ids0, ids)
                if missing.size:
                    raise UploadError(f"ids differ: {missing.size} ids of {w0} are not in {where} "
                                      f"(e.g. {_py(missing[0])!r}); every space must hold the same items")
                row = int(np.flatnonzero(ids != ids0)[0])
                raise UploadError(f"ids are in a different order: row {row} is id {_py(ids0[row])!r} in {w0} but "
                                  f"{_py(ids[row])!r} in {where}; rows must be parallel")
    for role in ("labels", "texts"):
        values = getattr(parts, role)
        for where, v in values[1:]:
            if not np.array_equal(v, values[0][1]):
                row = int(np.flatnonzero(np.asarray(v != values[0][1]))[0]) if v.dtype == values[0][1].dtype else 0
                raise UploadError(f"{role} of {values[0][0]} and {where} differ (first at row {row})")
    if len(parts.classes) > 1:
        raise UploadError(f"class names given twice ({', '.join(w for w, _ in parts.classes)})")
    return n


def _encode_labels(parts: _Parts) -> tuple[np.ndarray | None, list[str]]:
    """Labels as 0..C-1 codes, and the class names."""
    if not parts.labels:
        if parts.classes:
            raise UploadError(f"{parts.classes[0][0]}: class names without labels")
        return None, []
    where, labels = parts.labels[0]
    uniq, codes = np.unique(labels, return_inverse=True)
    if len(uniq) > MAX_CLASSES:
        raise UploadError(f"{where}: {len(uniq)} distinct labels; at most {MAX_CLASSES} classes are accepted")
    if len(uniq) < 2:
        raise UploadError(f"{where}: every label is {_py(uniq[0])!r}; a classifier head needs two classes or more "
                          "(upload without labels to skip the heads)")
    if parts.classes:
        cwhere, names = parts.classes[0]
        if labels.dtype.kind not in "iu" or labels.min() < 0 or labels.max() >= len(names):
            raise UploadError(f"{cwhere}: {len(names)} class names, so labels must be integers 0..{len(names) - 1}; "
                              f"{where} holds {_py(labels.min())!r}..{_py(labels.max())!r}")
        if len(names) > MAX_CLASSES:
            raise UploadError(f"{cwhere}: {len(names)} class names; at most {MAX_CLASSES} are accepted")
        return labels.astype(np.int64), [str(c) for c in names]
    return codes.astype(np.int64).ravel(), [str(u) for u in uniq]


def layout_2d(x: np.ndarray, method: str = "pca", seed: int = 0) -> tuple[np.ndarray, str]:
    """A 2-D map of ``x`` and the method that made it (UMAP falls back to PCA on tiny or odd data)."""
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
    xc = x.astype(np.float64) - x.mean(axis=0)
    _, _, vt = np.linalg.svd(xc, full_matrices=False)
    xy = xc @ vt[:2].T
    if xy.shape[1] < 2:
        xy = np.hstack([xy, np.zeros((len(xy), 2 - xy.shape[1]))])
    return xy.astype(np.float32), "pca"


class UploadedDataset:
    """An upload with the interface of :class:`irp_core.cache.Dataset`; lives in one session's state."""

    modality_names = {"text": "texts", "embeddings": "embeddings only"}

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
        self._row_of = {_py(v): i for i, v in enumerate(ids)}  # item id -> uploaded row (of texts)
        self._heads: dict[tuple[str, str], object] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"UploadedDataset({self.name!r}, encoders={self.encoders})"

    @property
    def has_labels(self) -> bool:
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

        if kind not in ("linear", "mlp"):
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
                    self._heads[(encoder, kind)] = cls(seed=self.seed).fit(sp.anchors, sp.anchor_labels)
            return self._heads[(encoder, kind)]

    def item_texts(self, ids, language: str | None = None) -> list[str]:
        if self._texts is None:
            raise UploadError(f"upload {self.name!r} has no item texts")
        try:
            rows = [self._row_of[_py(v)] for v in np.atleast_1d(np.asarray(ids))]
        except KeyError as err:
            raise KeyError(f"{self.name}: unknown item id {err}") from err
        return [str(self._texts[r]) for r in rows]

    def item_thumbnails(self, ids) -> np.ndarray:
        raise UploadError(f"upload {self.name!r} has no thumbnails: uploads carry embeddings (and optional texts)")

    def language(self, encoder: str) -> str | None:
        self._check_encoder(encoder)
        return None

    def summary(self) -> str:
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
    n = _check_parallel(parts)
    labels, classes = _encode_labels(parts)
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
        k = int(n_anchors) if n_anchors else default_n_anchors(n)
        if not (MIN_ANCHORS <= k <= n - MIN_TEST):
            raise UploadError(f"{k} anchors out of {n} items: choose between {MIN_ANCHORS} and {n - MIN_TEST} "
                              f"(at least {MIN_TEST} items must stay for the test split)")
        anchor_rows = np.sort(np.random.default_rng(seed).choice(n, size=k, replace=False))
        test_rows = np.setdiff1d(np.arange(n), anchor_rows)
        notes.append(f"seeded split (seed {seed}): {k} anchors, {len(test_rows)} test items")
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
