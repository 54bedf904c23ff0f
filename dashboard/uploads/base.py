"""What every module of the uploads shares: the limits, the accepted formats and the error."""

from __future__ import annotations

import numpy as np

# the seeded split's limits are the core's: the sweep command splits users' files the same way
from irp_core import split as _split

# Limits. UPLOAD_MAX_MB matches ``server.maxUploadSize`` in .streamlit/config.toml.
UPLOAD_MAX_MB = 50  # per file
UPLOAD_MAX_TOTAL_MB = 100  # all files of one upload
UPLOAD_MAX_UNPACKED_MB = 256  # decompressed .npz members, all together (zip bombs)
MAX_FILES = 16
MIN_DIM, MAX_DIM = 2, 16384
MIN_ITEMS, MAX_ITEMS = 30, 10_000  # the Translate page compares every test item with every other
MIN_ANCHORS, MIN_TEST = _split.MIN_ANCHORS, _split.MIN_TEST
DEFAULT_MAX_ANCHORS, ANCHOR_FRACTION = _split.MAX_ANCHORS, _split.ANCHOR_FRACTION
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
    """Whether a dataset name is an upload's (uploads live in one session, never in the cache)."""
    return isinstance(name, str) and name.startswith(PREFIX)


def plain(v):
    """A numpy scalar as the Python value it holds (so messages read 5, not np.int64(5))."""
    return v.item() if isinstance(v, np.generic) else v
