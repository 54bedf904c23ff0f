"""Byte-deterministic ``.npz`` writing (``np.savez`` stamps the current time into the zip)."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import numpy as np

_EPOCH = (1980, 1, 1, 0, 0, 0)


def save_npz(path: str | os.PathLike, compress: bool = True, **arrays: np.ndarray) -> None:
    """Write ``arrays`` to ``path`` as an ``.npz`` readable by ``np.load(allow_pickle=False)``.

    Keys are written in sorted order with a fixed timestamp, so equal arrays give equal bytes.
    The file is written to a temporary name and renamed, so an interrupted build never leaves a
    half-written file that looks finished.
    """
    path = Path(path)
    tmp = path.with_name(path.name + ".part")
    method = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    with zipfile.ZipFile(tmp, "w", compression=method) as zf:
        for key in sorted(arrays):
            arr = np.asarray(arrays[key])
            if arr.dtype == object:
                raise TypeError(f"array {key!r} has dtype object; it would need pickle to load")
            buf = io.BytesIO()
            if not arr.flags.c_contiguous:
                arr = arr.copy(order="C")  # (np.ascontiguousarray would turn 0-d into 1-d)
            np.lib.format.write_array(buf, arr, allow_pickle=False)
            info = zipfile.ZipInfo(key + ".npy", date_time=_EPOCH)
            info.compress_type = method
            info.external_attr = 0o644 << 16
            zf.writestr(info, buf.getvalue())
    os.replace(tmp, path)

