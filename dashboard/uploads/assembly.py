"""Uploaded files -> parts (spaces, labels, ids, texts, class names), each checked where it came from,
then checked together: parallel rows, unique and agreeing ids, labels encoded as classes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath

import numpy as np

from irp_core.io import KIND_NAMES

from .base import (
    CACHE_KEYS,
    MAX_CLASSES,
    MAX_DIM,
    MAX_ITEMS,
    MAX_SPACES,
    MIN_ANCHORS,
    MIN_DIM,
    MIN_ITEMS,
    MIN_TEST,
    ROLE_NAMES,
    SUFFIXES,
    UploadError,
    plain,
)
from .readers import check_sizes, columns_matrix, read_columns, read_lines, read_npy, read_npz


def _role(name: str) -> str | None:
    n = str(name).strip().lower()
    return next((role for role, names in ROLE_NAMES.items() if n in names), None)


@dataclass
class SpaceIn:
    """One uploaded space, checked on its own; ``where`` names its file (and key) in messages."""

    name: str
    where: str
    x: np.ndarray  # (n, d) float32
    split: int | None = None  # anchors come first, when the file carries its own anchor/test split
    layout: np.ndarray | None = None


@dataclass
class Parts:
    """Everything the files held, each value with where it came from, before they are checked together."""

    spaces: list[SpaceIn]
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
        what = KIND_NAMES.get(arr.dtype.kind, "not numbers")
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
        what = "NaN or Inf" if not np.isfinite(v) else f"{plain(v)!r}, beyond float32's range"
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
                          f"({KIND_NAMES.get(arr.dtype.kind, 'numbers')})")
    return arr


def _strings_as_ints(values: np.ndarray) -> np.ndarray:
    """CSV label/id cells: integers when every cell is one, else the strings as they are."""
    try:
        return np.asarray([int(v) for v in values], dtype=np.int64)
    except (ValueError, OverflowError):
        return np.asarray(values, dtype=str)


def _parse_file(fname: str, data: bytes, parts: Parts) -> None:
    stem, suffix = PurePath(fname).stem, PurePath(fname).suffix.lower().lstrip(".")
    role = _role(stem)
    if suffix == "npy":
        arr = read_npy(data, fname)
        if role:
            parts.add(role, fname, _vector(fname, arr, role))
        else:
            parts.spaces.append(SpaceIn(stem, fname, _embedding(fname, arr)))
    elif suffix == "npz":
        _parse_npz(fname, stem, read_npz(data, fname), parts)
    elif suffix == "txt":
        if role not in ("texts", "classes"):
            raise UploadError(f"{fname}: a .txt file must be texts.txt (one item text per line) or classes.txt "
                              "(one class name per line)")
        lines = read_lines(data, fname)
        parts.add(role, fname, np.asarray(lines, dtype=str) if role == "texts" else lines)
    elif suffix in ("csv", "parquet"):
        _parse_table(fname, stem, suffix, data, role, parts)
    else:
        raise UploadError(f"{fname}: unsupported file type {('.' + suffix) if suffix else '(no suffix)'}; "
                          f"use {', '.join('.' + s for s in SUFFIXES)}")


def _parse_npz(fname: str, stem: str, arrays: dict[str, np.ndarray], parts: Parts) -> None:
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
        parts.spaces.append(SpaceIn(stem, fname, x, split=len(a), layout=layout))
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
            parts.spaces.append(SpaceIn(key if len(named) > 1 else stem, where, _embedding(where, arr)))


def _parse_table(fname: str, stem: str, suffix: str, data: bytes, role: str | None, parts: Parts) -> None:
    header = (lambda first: _role(first[0]) is not None) if role else None
    columns, line0 = read_columns(data, fname, suffix, header)
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
    x = columns_matrix(dims, fname, suffix, line0)
    parts.spaces.append(SpaceIn(stem, fname, _embedding(fname, x)))


def parse_files(files: Sequence[tuple[str, bytes]]) -> Parts:
    """Read and check every file on its own (sizes, formats, dtypes, shapes, finiteness)."""
    check_sizes(files)
    parts = Parts([], [], [], [], [])
    for fname, data in files:
        _parse_file(PurePath(str(fname)).name, bytes(data), parts)
    return parts


def check_parallel(parts: Parts) -> int:
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
            raise UploadError(f"{where}: duplicate id {plain(v)!r} (rows {rows[0]} and {rows[1]}); ids must be unique")
    if parts.ids:
        w0, ids0 = parts.ids[0]
        for where, ids in parts.ids[1:]:
            if ids.dtype.kind != ids0.dtype.kind and {ids.dtype.kind, ids0.dtype.kind} != {"i", "u"}:
                raise UploadError(f"ids of {w0} are {ids0.dtype} but ids of {where} are {ids.dtype}")
            if not np.array_equal(ids, ids0):
                missing = np.setdiff1d(ids0, ids)
                if missing.size:
                    raise UploadError(f"ids differ: {missing.size} ids of {w0} are not in {where} "
                                      f"(e.g. {plain(missing[0])!r}); every space must hold the same items")
                row = int(np.flatnonzero(ids != ids0)[0])
                raise UploadError(f"ids are in a different order: row {row} is id {plain(ids0[row])!r} in {w0} but "
                                  f"{plain(ids[row])!r} in {where}; rows must be parallel")
    for role in ("labels", "texts"):
        values = getattr(parts, role)
        for where, v in values[1:]:
            if not np.array_equal(v, values[0][1]):
                row = int(np.flatnonzero(np.asarray(v != values[0][1]))[0]) if v.dtype == values[0][1].dtype else 0
                raise UploadError(f"{role} of {values[0][0]} and {where} differ (first at row {row})")
    if len(parts.classes) > 1:
        raise UploadError(f"class names given twice ({', '.join(w for w, _ in parts.classes)})")
    return n


def encode_labels(parts: Parts) -> tuple[np.ndarray | None, list[str]]:
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
        raise UploadError(f"{where}: every label is {plain(uniq[0])!r}; a classifier head needs two classes or more "
                          "(upload without labels to skip the heads)")
    if parts.classes:
        cwhere, names = parts.classes[0]
        if labels.dtype.kind not in "iu" or labels.min() < 0 or labels.max() >= len(names):
            raise UploadError(f"{cwhere}: {len(names)} class names, so labels must be integers 0..{len(names) - 1}; "
                              f"{where} holds {plain(labels.min())!r}..{plain(labels.max())!r}")
        if len(names) > MAX_CLASSES:
            raise UploadError(f"{cwhere}: {len(names)} class names; at most {MAX_CLASSES} are accepted")
        return labels.astype(np.int64), [str(c) for c in names]
    return codes.astype(np.int64).ravel(), [str(u) for u in uniq]
