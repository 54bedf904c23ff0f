"""Reading user arrays safely (.npy, .npz, .csv, .parquet) and writing translations.

The one reader of the command line and of the dashboard's uploads. Nothing is ever unpickled: .npy
files and .npz members are parsed from their header and read with ``np.frombuffer``, so an object
array is refused before a byte of it is decoded; a header's declared shape must match the bytes
actually present (a lying header cannot make us allocate); an .npz's members are size-checked
before anything is decompressed (zip bombs); a Parquet file's rows and columns are counted from its
metadata before it is read. Every failure is a :class:`ReadError` (a ``ValueError``) whose message
names the file, key, row or column and what is wrong, so callers can show it as it is.

pandas and pyarrow are imported only when a CSV or Parquet file is read.

>>> import io
>>> buf = io.BytesIO(); np.save(buf, np.eye(2, dtype=np.float32))
>>> read_npy(buf.getvalue(), "eye.npy").shape
(2, 2)
>>> try:
...     read_npy(buf.getvalue()[:-4], "eye.npy")
... except ReadError as err:
...     print(err)  # doctest: +ELLIPSIS
eye.npy: its header declares shape (2, 2) of float32 (16 bytes) but the file holds 12 bytes ...
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .validation import check_embeddings

SUFFIXES = (".npy", ".npz", ".csv", ".parquet")
MAX_UNPACKED_MB = 4096  # default cap on an .npz's decompressed members, all together

KIND_NAMES = {"b": "booleans", "c": "complex numbers", "U": "strings", "S": "bytes strings",
              "O": "Python objects", "M": "dates", "m": "time deltas", "V": "raw or structured records"}


class ReadError(ValueError):
    """A file cannot be read; the message names the file (and key, row, column) and the problem."""


# --------------------------------------------------------------------------------------------
# Bytes -> arrays, with nothing decoded that was not checked first
# --------------------------------------------------------------------------------------------
def read_npy(data: bytes, where: str) -> np.ndarray:
    """A .npy array from bytes, without ``np.load``: header first, then exactly the declared bytes.

    The array is read-only (a view of ``data``); object and structured dtypes are refused.
    """
    fmt = np.lib.format
    f = io.BytesIO(data)
    try:
        version = fmt.read_magic(f)
        if version == (1, 0):
            shape, fortran, dtype = fmt.read_array_header_1_0(f)
        elif version == (2, 0):
            shape, fortran, dtype = fmt.read_array_header_2_0(f)
        else:
            raise ValueError(f"unsupported .npy format version {version[0]}.{version[1]}")
    except Exception as err:  # noqa: BLE001 - bad magic, bad header, truncated header: all "not .npy"
        raise ReadError(f"{where}: not a valid .npy array ({err})") from err
    if dtype.hasobject:
        raise ReadError(f"{where}: holds Python objects (dtype {dtype}); only plain arrays of numbers or "
                        "strings are accepted, and files are never unpickled")
    if dtype.fields is not None or dtype.subdtype is not None or dtype.itemsize == 0:
        raise ReadError(f"{where}: has a structured or empty dtype ({dtype}); expected plain numbers")
    count = 1
    for s in shape:
        count *= int(s)
    need, body = count * dtype.itemsize, memoryview(data)[f.tell():]
    if need != len(body):
        raise ReadError(f"{where}: its header declares shape {shape} of {dtype} ({need} bytes) but the file "
                        f"holds {len(body)} bytes of data (truncated or corrupt)")
    try:
        arr = np.frombuffer(body, dtype=dtype, count=count)
        return arr.reshape(shape, order="F" if fortran else "C")
    except Exception as err:  # noqa: BLE001
        raise ReadError(f"{where}: cannot be read ({type(err).__name__}: {err})") from err


def read_npz(data: bytes, where: str, max_unpacked_mb: float = MAX_UNPACKED_MB) -> dict[str, np.ndarray]:
    """Every array of an .npz (a zip of .npy), sizes checked before anything is decompressed."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except Exception as err:  # noqa: BLE001 - BadZipFile, truncated central directory, ...
        raise ReadError(f"{where}: not a valid .npz archive ({type(err).__name__}: {err})") from err
    if not infos:
        raise ReadError(f"{where}: the archive holds no arrays")
    unpacked = sum(i.file_size for i in infos)
    if unpacked > max_unpacked_mb * 2**20:
        raise ReadError(f"{where}: its arrays unpack to {unpacked / 2**20:.0f} MB; the limit is "
                        f"{max_unpacked_mb:g} MB")
    out: dict[str, np.ndarray] = {}
    for info in infos:
        if not info.filename.endswith(".npy") or info.is_dir():
            raise ReadError(f"{where}: member {info.filename!r} is not an .npy array")
        key = info.filename[:-4]
        if key in out:
            raise ReadError(f"{where}: key {key!r} appears twice")
        try:
            with zf.open(info) as member:
                raw = member.read(info.file_size + 1)
        except Exception as err:  # noqa: BLE001 - CRC errors, encryption, unknown compression
            raise ReadError(f"{where}:{key}: cannot be decompressed ({type(err).__name__}: {err})") from err
        if len(raw) != info.file_size:
            raise ReadError(f"{where}:{key}: holds {len(raw)} bytes, its archive entry says {info.file_size}")
        out[key] = read_npy(raw, f"{where}:{key}")
    return out


@dataclass(frozen=True)
class CsvTable:
    """A CSV's cells as strings: ``cells[i, j]`` is on line ``first_line + i``, in column ``names[j]``."""

    names: list[str]
    cells: np.ndarray  # (rows, columns) of str
    first_line: int  # 1-based line of the first data row: 2 after a header row, else 1


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def read_csv(data: bytes, where: str, has_header: Callable[[list[str]], bool] | None = None) -> CsvTable:
    """A CSV's cells as strings; numbers are parsed by :func:`csv_floats`, which names a bad cell.

    The first row is a header when ``has_header(first_row)`` says so; by default, when any of its
    cells is not a number. Without a header the columns are named "1", "2", ...
    """
    import pandas as pd

    try:
        frame = pd.read_csv(io.BytesIO(data), header=None, dtype=str, keep_default_na=False,
                            skip_blank_lines=True, encoding="utf-8")
    except pd.errors.EmptyDataError as err:
        raise ReadError(f"{where}: the file is empty") from err
    except pd.errors.ParserError as err:
        detail = str(err).strip().splitlines()[-1].split("C error: ")[-1]
        raise ReadError(f"{where}: rows have different numbers of fields ({detail})") from err
    except UnicodeDecodeError as err:
        raise ReadError(f"{where}: is not UTF-8 text (byte {err.start}: {err.reason})") from err
    except Exception as err:  # noqa: BLE001
        raise ReadError(f"{where}: cannot be read as CSV ({type(err).__name__}: {err})") from err
    cells = frame.to_numpy(dtype=object)
    if cells.size == 0:
        raise ReadError(f"{where}: the file is empty")
    first = [str(c) for c in cells[0]]
    header = has_header(first) if has_header else not all(_is_number(c) for c in first)
    if not header:
        return CsvTable([str(i + 1) for i in range(cells.shape[1])], cells, 1)
    if len(set(first)) != len(first):
        dup = next(c for c in first if first.count(c) > 1)
        raise ReadError(f"{where}: the header names column {dup!r} twice")
    return CsvTable(first, cells[1:], 2)


def csv_floats(cells: np.ndarray, names: Sequence[str], where: str, first_line: int) -> np.ndarray:
    """String cells -> float64; the first cell that is not a finite number is named by line and column."""
    import pandas as pd

    out = np.empty(cells.shape, dtype=np.float64)
    for j in range(cells.shape[1]):
        col = pd.to_numeric(pd.Series(cells[:, j]), errors="coerce").to_numpy(dtype=np.float64)
        bad = ~np.isfinite(col)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            text = str(cells[i, j])
            what = "an empty cell (missing value or ragged row)" if not text.strip() else f"{text[:40]!r}"
            raise ReadError(f"{where}: line {first_line + i}, column {names[j]!r} holds {what}: expected a finite "
                            f"number ({int(bad.sum())} such cells in that column)")
        out[:, j] = col
    return out


def read_parquet(data: bytes, where: str, max_rows: int | None = None,
                 max_columns: int | None = None) -> list[tuple[str, np.ndarray]]:
    """(name, values) of a Parquet file's columns: numbers as 1-D arrays, a list of numbers per row
    as a 2-D array, text as strings. Rows and columns are counted from the metadata, before reading.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(pa.BufferReader(data))
        meta = pf.metadata
    except Exception as err:  # noqa: BLE001
        raise ReadError(f"{where}: not a valid Parquet file ({type(err).__name__}: {err})") from err
    if max_columns is not None and meta.num_columns > max_columns:
        raise ReadError(f"{where}: {meta.num_columns} columns; at most {max_columns} are accepted")
    if max_rows is not None and meta.num_rows > max_rows:
        raise ReadError(f"{where}: {meta.num_rows} rows; at most {max_rows} are accepted")
    try:
        table = pf.read()
    except Exception as err:  # noqa: BLE001
        raise ReadError(f"{where}: cannot be read ({type(err).__name__}: {err})") from err
    names = [str(n) for n in table.column_names]
    if len(set(names)) != len(names):
        raise ReadError(f"{where}: column {next(n for n in names if names.count(n) > 1)!r} appears twice")
    out = []
    for name, col in zip(names, table.columns):
        if name.startswith("__index_level_"):  # a pandas index written by to_parquet
            continue
        if pa.types.is_dictionary(col.type):  # e.g. a pandas categorical label column
            col = col.cast(col.type.value_type)
        t = col.type
        if col.null_count:
            row = int(np.flatnonzero(col.is_null().to_numpy(zero_copy_only=False))[0])
            raise ReadError(f"{where}: column {name!r} has {col.null_count} empty (null) values, first at row {row}")
        if pa.types.is_integer(t) or pa.types.is_floating(t):
            out.append((name, col.to_numpy()))
        elif pa.types.is_string(t) or pa.types.is_large_string(t):
            out.append((name, np.asarray(col.to_pylist(), dtype=str)))
        elif (pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t)) and (
                pa.types.is_integer(t.value_type) or pa.types.is_floating(t.value_type)):
            out.append((name, _list_column(col, name, where)))
        else:
            raise ReadError(f"{where}: column {name!r} has type {t}; expected numbers, a list of numbers "
                            "per row, or text for label/id/text columns")
    return out


def _list_column(col, name: str, where: str) -> np.ndarray:
    import pyarrow.compute as pc

    arr = col.combine_chunks()
    lengths = pc.list_value_length(arr).to_numpy(zero_copy_only=False)
    if lengths.size and (lengths != lengths[0]).any():
        row = int(np.flatnonzero(lengths != lengths[0])[0])
        raise ReadError(f"{where}: column {name!r} row {row} has {lengths[row]} values, row 0 has {lengths[0]}")
    values = arr.flatten()
    if values.null_count:
        raise ReadError(f"{where}: column {name!r} has empty (null) values inside its lists")
    d = int(lengths[0]) if lengths.size else 0
    return values.to_numpy(zero_copy_only=False).reshape(len(arr), d)


def stack_columns(columns: Sequence[tuple[str, np.ndarray]], where: str) -> np.ndarray:
    """Parquet columns -> one (rows, dims) matrix: numeric columns side by side, or one list column."""
    if len(columns) == 1 and np.asarray(columns[0][1]).ndim == 2:
        return columns[0][1]
    for name, values in columns:
        if np.asarray(values).ndim != 1:
            raise ReadError(f"{where}: list column {name!r} next to other embedding columns; use one or the other")
        if values.dtype.kind not in "iuf":
            raise ReadError(f"{where}: column {name!r} holds {KIND_NAMES.get(values.dtype.kind, values.dtype)}; "
                            "expected numbers")
    return np.stack([np.asarray(v) for _, v in columns], axis=1)


# --------------------------------------------------------------------------------------------
# Files on disk (the command line)
# --------------------------------------------------------------------------------------------
def split_key(spec: str) -> tuple[Path, str | None]:
    """``"file.npz:anchors"`` -> (Path("file.npz"), "anchors"); a plain path has no key."""
    head, sep, tail = spec.rpartition(":")
    if sep and head.lower().endswith(".npz") and tail:
        return Path(head), tail
    return Path(spec), None


def read_array(spec: str | os.PathLike, key: str | None = None, default_keys: tuple[str, ...] = (),
               max_unpacked_mb: float = MAX_UNPACKED_MB) -> tuple[np.ndarray, str]:
    """(array, its name) from ``spec``: a .npy or .npz array as stored, a CSV or Parquet file as a
    (rows, columns) float matrix. ``file.npz:key`` (or ``key``) picks an array of an .npz; without
    one, the first of ``default_keys`` present, else the only array.
    """
    path, spec_key = split_key(os.fspath(spec))
    key = key or spec_key
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ReadError(f"{path.name}: unsupported file type {suffix or '(none)'}; use one of {', '.join(SUFFIXES)}")
    if not path.is_file():
        raise ReadError(f"{path}: no such file")
    try:
        data = path.read_bytes()
    except OSError as err:
        raise ReadError(f"{path.name}: cannot be read ({err})") from err
    name = path.name
    if suffix == ".npy":
        return read_npy(data, name), name
    if suffix == ".npz":
        arrays = read_npz(data, name, max_unpacked_mb)
        keys = list(arrays)
        if key is None:
            found = [k for k in default_keys if k in arrays]
            if found:
                key = found[0]
            elif len(keys) == 1:
                key = keys[0]
            else:
                raise ReadError(f"{name}: holds {keys}; pick one with {name}:KEY")
        if key not in arrays:
            raise ReadError(f"{name}: no key {key!r} (keys: {keys})")
        return arrays[key], f"{name}:{key}"
    if suffix == ".csv":
        table = read_csv(data, name)
        return csv_floats(table.cells, table.names, name, table.first_line), name
    return stack_columns(read_parquet(data, name), name), name


def load_matrix(spec: str | os.PathLike, key: str | None = None, default_keys: tuple[str, ...] = ()) -> np.ndarray:
    """A finite 2-D float array from ``spec`` (see :func:`read_array`); a ``ValueError`` names the problem."""
    raw, name = read_array(spec, key, default_keys)
    return check_embeddings(name, raw)


def save_matrix(path: str | os.PathLike, array: np.ndarray, key: str = "translated") -> None:
    """Write ``array`` as .npy, .npz (under ``key``) or .csv, chosen by the suffix."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".npy":
        np.save(path, array)
    elif suffix == ".npz":
        np.savez(path, **{key: array})
    elif suffix == ".csv":
        np.savetxt(path, array, delimiter=",", fmt="%.8g")
    else:
        raise ValueError(f"{path.name}: cannot write {suffix or '(no suffix)'}; use .npy, .npz or .csv")
