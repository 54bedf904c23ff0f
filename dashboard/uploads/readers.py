"""Uploaded files -> arrays: a thin adapter over :mod:`irp_core.io`, with the upload's limits.

irp_core.io reads .npy, .npz, CSV and Parquet bytes (never unpickling; sizes checked before anything
is decoded). Here its :class:`~irp_core.io.ReadError` becomes an :class:`UploadError` (the message
already names the file and the fault), the upload's own limits apply (file count and sizes,
unpacked .npz, Parquet rows and columns) and .txt files are read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

import numpy as np

from irp_core import io as irp_io

from .base import (
    MAX_DIM,
    MAX_FILES,
    MAX_ITEMS,
    UPLOAD_MAX_MB,
    UPLOAD_MAX_TOTAL_MB,
    UPLOAD_MAX_UNPACKED_MB,
    UploadError,
)

EXTRA_COLUMNS = 3  # label, id and text columns next to the dimensions of a table

Columns = list[tuple[str, np.ndarray]]


@contextmanager
def reading() -> Iterator[None]:
    """Run irp_core.io's readers, their ReadError raised as an UploadError."""
    try:
        yield
    except irp_io.ReadError as err:
        raise UploadError(str(err)) from err


def check_sizes(files: Sequence[tuple[str, bytes]]) -> None:
    """Count, sizes and names of one upload's files, before any is read."""
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


def read_npy(data: bytes, fname: str) -> np.ndarray:
    with reading():
        return irp_io.read_npy(data, fname)


def read_npz(data: bytes, fname: str) -> dict[str, np.ndarray]:
    with reading():
        return irp_io.read_npz(data, fname, UPLOAD_MAX_UNPACKED_MB)


def read_lines(data: bytes, fname: str) -> list[str]:
    """The lines of a UTF-8 .txt file."""
    try:
        return data.decode("utf-8").splitlines()
    except UnicodeDecodeError as err:
        raise UploadError(f"{fname}: is not UTF-8 text (byte {err.start}: {err.reason})") from err


def read_columns(data: bytes, fname: str, suffix: str,
                 has_header: Callable[[list[str]], bool] | None = None) -> tuple[Columns, int]:
    """(name, values) of a CSV's columns (cells as strings) or a Parquet file's, and the CSV line of
    the first data row (0 for Parquet)."""
    with reading():
        if suffix == "csv":
            table = irp_io.read_csv(data, fname, has_header)
            return [(n, table.cells[:, j]) for j, n in enumerate(table.names)], table.first_line
        return irp_io.read_parquet(data, fname, max_rows=MAX_ITEMS, max_columns=MAX_DIM + EXTRA_COLUMNS), 0


def columns_matrix(dims: Columns, fname: str, suffix: str, first_line: int) -> np.ndarray:
    """A table's embedding columns as one (rows, dims) matrix; a CSV's bad cell is named by line."""
    with reading():
        if suffix == "csv":
            return irp_io.csv_floats(np.stack([v for _, v in dims], axis=1), [n for n, _ in dims], fname,
                                     first_line)
        return irp_io.stack_columns(dims, fname)
