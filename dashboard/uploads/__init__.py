"""Bring your own embeddings: uploaded files -> a dataset with the shipped datasets' interface.

Pure (no Streamlit): the Upload page calls :func:`build_dataset`, and so do the tests. Every problem
raises :class:`UploadError`, whose message names the file, key, shape, row or column. Nothing is
ever unpickled: files are read by :mod:`irp_core.io`, which parses .npy and .npz members from their
header, refuses object arrays before a byte of them is decoded, and checks every declared size
against the bytes present.

Accepted (see :data:`FORMATS`): two or more spaces of parallel embeddings (row i is the same item
in every space), as .npz (one key per space, or one file per space in the cache's own layout),
.npy (one file per space), .csv or .parquet (one file per space, numeric columns); optional labels,
ids and texts as columns, keys or files named ``labels``/``ids``/``texts``.

Modules: :mod:`.base` (limits, formats, the error), :mod:`.readers` (files -> arrays, over
irp_core.io), :mod:`.assembly` (arrays -> checked, parallel parts), :mod:`.dataset` (parts ->
:class:`UploadedDataset`). This package exports what the rest of the dashboard and the tests use.
"""

from irp_core.split import default_n_anchors

from .base import (
    ANCHOR_FRACTION,
    DEFAULT_MAX_ANCHORS,
    FORMATS,
    LAYOUTS,
    MAX_DIM,
    MAX_ITEMS,
    MAX_SESSION_UPLOADS,
    MIN_ITEMS,
    PREFIX,
    SUFFIXES,
    UPLOAD_MAX_MB,
    UPLOAD_MAX_UNPACKED_MB,
    UploadError,
    is_upload_name,
)
from .dataset import UploadedDataset, build_dataset, default_layout, layout_2d

__all__ = [
    "ANCHOR_FRACTION",
    "DEFAULT_MAX_ANCHORS",
    "FORMATS",
    "LAYOUTS",
    "MAX_DIM",
    "MAX_ITEMS",
    "MAX_SESSION_UPLOADS",
    "MIN_ITEMS",
    "PREFIX",
    "SUFFIXES",
    "UPLOAD_MAX_MB",
    "UPLOAD_MAX_UNPACKED_MB",
    "UploadError",
    "UploadedDataset",
    "build_dataset",
    "default_layout",
    "default_n_anchors",
    "is_upload_name",
    "layout_2d",
]
