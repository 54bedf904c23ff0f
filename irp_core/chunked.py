"""Translate a .npy file larger than memory: a window of rows mapped at a time, the output streamed out.

``np.load(path, mmap_mode="r")`` maps the whole file: its address space is the file's size, so it
fails under a ``ulimit -v`` smaller than the file, and the pages it touches count towards resident
memory until the kernel reclaims them. Here the header is parsed by ``np.lib.format`` (nothing is
unpickled: object arrays are refused before a byte of data is read), each chunk of rows is mapped
with its own ``np.memmap`` at its offset, copied, translated and unmapped, and the translation is
appended to a ``.npy`` whose header is written first. Peak memory is a few chunks, whatever the
number of rows. The output appears under its name only when complete.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from .io import ReadError
from .progress import Progress

CHUNK_BYTES = 32 * 2**20  # per chunk, of the wider side (input or output) in float64


def npy_layout(path: str | os.PathLike) -> tuple[tuple[int, ...], np.dtype, int]:
    """(shape, dtype, data offset) of a .npy file from its header, checked against the file's size."""
    path = Path(path)
    fmt = np.lib.format
    try:
        with open(path, "rb") as f:
            version = fmt.read_magic(f)
            if version not in ((1, 0), (2, 0), (3, 0)):
                raise ValueError(f"unsupported .npy format version {version[0]}.{version[1]}")
            read = fmt.read_array_header_1_0 if version == (1, 0) else fmt.read_array_header_2_0
            shape, fortran, dtype = read(f, max_header_size=10000)
            offset = f.tell()
    except FileNotFoundError as err:
        raise ReadError(f"{path}: no such file") from err
    except Exception as err:  # noqa: BLE001 - bad magic, bad header, truncated header: all "not .npy"
        raise ReadError(f"{path.name}: not a valid .npy array ({err})") from err
    if dtype.hasobject:
        raise ReadError(f"{path.name}: holds Python objects (dtype {dtype}); only plain arrays of numbers or "
                        "strings are accepted, and files are never unpickled")
    if dtype.kind not in "fiu" or dtype.fields is not None or dtype.subdtype is not None:
        raise ReadError(f"{path.name}: has dtype {dtype}; expected real numbers")
    if len(shape) != 2 or 0 in shape:
        raise ReadError(f"{path.name}: must be a non-empty 2-D array (n, d), got shape {shape}")
    if fortran:
        raise ReadError(f"{path.name}: is stored in Fortran (column) order, which cannot be read by rows; "
                        "save it with np.save(path, np.ascontiguousarray(x))")
    need, have = shape[0] * shape[1] * dtype.itemsize, path.stat().st_size - offset
    if need != have:
        raise ReadError(f"{path.name}: its header declares shape {shape} of {dtype} ({need} bytes) but the file "
                        f"holds {have} bytes of data (truncated or corrupt)")
    return shape, dtype, offset


def translate_npy(translator, source: str | os.PathLike, output: str | os.PathLike,
                  chunk_rows: int | None = None, progress: bool = True) -> tuple[int, int]:
    """``translator.transform`` of the .npy ``source``, chunk by chunk, into the .npy ``output``.

    float32 input gives a float32 translation, anything else float64 (as ``transform`` does).
    Returns the output's shape; a ValueError names the file and row at fault.
    """
    source, output = Path(source), Path(output)
    (n, d), dtype, offset = npy_layout(source)
    if d != translator.n_features_in_:
        raise ReadError(f"{source.name}: has {d} columns, but the source anchors have {translator.n_features_in_}")
    if output.resolve() == source.resolve():
        raise ValueError(f"{output.name}: the output would overwrite the input")
    d_out = int(translator.matrix_.shape[1])
    out_dtype = np.dtype(np.float32 if dtype == np.float32 else np.float64)
    rows = chunk_rows or max(64, CHUNK_BYTES // (8 * max(d, d_out)))
    part = output.with_name(output.name + ".part")
    bar = Progress(n, f"translate {source.name}", unit="rows") if progress else None
    try:
        with open(part, "wb") as f:
            header = {"descr": np.lib.format.dtype_to_descr(out_dtype), "fortran_order": False, "shape": (n, d_out)}
            np.lib.format.write_array_header_2_0(f, header)
            for start in range(0, n, rows):
                stop = min(n, start + rows)
                window = np.memmap(source, dtype=dtype, mode="r", offset=offset + start * d * dtype.itemsize,
                                   shape=(stop - start, d))
                x = np.array(window)  # a copy: the map is released right after
                del window
                if not np.isfinite(np.add.reduce(x, axis=None, dtype=np.float64)):
                    row, col = np.argwhere(~np.isfinite(x))[0]
                    raise ReadError(f"{source.name} contains NaN or Inf (first at row {start + row}, column {col})")
                f.write(np.ascontiguousarray(translator.transform(x), dtype=out_dtype).data)
                if bar:
                    bar.update(stop - start)
        os.replace(part, output)
    finally:
        if bar:
            bar.close()
        part.unlink(missing_ok=True)
    return n, d_out
