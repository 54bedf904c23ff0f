"""Upload files built in memory, as exporters write them, for the upload tests (round trips and
refusals): one place, so both files test the same bytes."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dashboard import uploads


def npy(arr) -> bytes:
    buf = io.BytesIO()
    np.save(buf, arr)  # numpy's default: object arrays are pickled, as a careless exporter would
    return buf.getvalue()


def npz(**arrays) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def csv(x, **extra) -> bytes:
    """A CSV with a header: ``extra`` columns (id, label, text) first, then one column per dimension."""
    frame = pd.DataFrame({**extra, **{f"d{j}": x[:, j] for j in range(x.shape[1])}})
    return frame.to_csv(index=False, float_format="%.9g").encode()


def parquet(x, list_column: bool = False, **extra) -> bytes:
    cols = dict(extra)
    if list_column:
        cols["embedding"] = pa.array(list(np.asarray(x, dtype=np.float32)), type=pa.list_(pa.float32()))
    else:
        cols.update({f"d{j}": x[:, j] for j in range(x.shape[1])})
    buf = io.BytesIO()
    pq.write_table(pa.table(cols), buf)
    return buf.getvalue()


def refused(files, match: str, **kw) -> str:
    with pytest.raises(uploads.UploadError, match=match) as info:
        uploads.build_dataset(files, **kw)
    return str(info.value)
