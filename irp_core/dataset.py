"""The one interface of a dataset, shipped or uploaded: what the dashboard's pages ask of it.

Two classes implement it: :class:`irp_core.cache.Dataset` (a dataset of the shipped cache) and
``dashboard.uploads.UploadedDataset`` (embeddings a user uploaded, kept in one browser session).
Pages, views and the session state hold a :class:`Dataset` and never ask which kind it is.

>>> from irp_core.cache import load_dataset
>>> isinstance(load_dataset("mnist"), Dataset)
True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np

if TYPE_CHECKING:
    from .cache import Space

HEAD_KINDS = ("linear", "mlp")  # classifier heads a dataset offers per encoder
MODALITIES = ("image", "text", "image+text", "embeddings")  # an item shown as: thumbnail, text, both, nothing


@runtime_checkable
class Dataset(Protocol):
    """Parallel embedding spaces of the same items, split into anchors and test items.

    Errors: an unknown encoder, a missing head, or items a dataset cannot show raise a
    ``ValueError`` naming the dataset and what it has instead; an unknown item id raises ``KeyError``.
    """

    name: str
    """Key of the dataset in the sidebar, the URL and the caches (an upload's starts with "upload:")."""

    title: str
    """Human name for captions and exported reports."""

    description: str
    """One paragraph about the data (for an upload: how it was split); may be empty."""

    modality: str
    """One of :data:`MODALITIES`: "image" items have :meth:`item_thumbnails`, "text" items have
    :meth:`item_texts`, "image+text" items (paired data, the emoji) have both, "embeddings" items
    have neither. Pages pick the item preview by it."""

    classes: list[str]
    """Class names; a label ``c`` of any space is ``classes[c]``. Empty when the items have no labels,
    and then the heads, accuracy figures and confusion matrix are absent (views show "n/a")."""

    encoders: list[str]
    """Names of the spaces, in order: the sidebar's source and target choices (first two by default)."""

    encoder_info: Mapping[str, Mapping[str, Any]]
    """Per encoder: at least "dim" (dimensions) and "file" (where its embeddings came from);
    "language" for text encoders of a known language. For captions and the cross-lingual page."""

    languages: list[str]
    """Languages of the items' texts beyond English (the cross-lingual set); empty otherwise."""

    @property
    def has_labels(self) -> bool:
        """Whether items carry class labels (``bool(classes)``): pages offer heads only then."""

    def space(self, encoder: str) -> Space:
        """The encoder's :class:`~irp_core.cache.Space`: read-only float32 ``anchors`` (K, d) and
        ``test`` (n, d), rows parallel across encoders; ``anchor_ids``/``test_ids`` (item ids,
        accepted by :meth:`item_texts`); ``anchor_labels``/``test_labels`` int64 codes into
        :attr:`classes` (None without labels); ``layout`` (n, 2) float32, the test items' 2-D map.
        What every page translates and plots."""

    def head(self, encoder: str, kind: str = "linear") -> Any:
        """A fitted classifier head of the encoder's space (``kind`` in :data:`HEAD_KINDS`) with
        ``predict(x) -> labels``: the zero-shot (stitched) accuracy applies the target's head to
        translated vectors. ``ValueError`` when the dataset has none."""

    def item_texts(self, ids: Sequence | np.ndarray, language: str | None = None) -> list[str]:
        """Texts of the items ``ids`` ("text" modality), in ``language`` where the dataset has
        several: the Translate page's selection table and the cross-lingual examples."""

    def item_thumbnails(self, ids: Sequence | np.ndarray) -> np.ndarray:
        """uint8 thumbnails (len(ids), h, w) of the items ("image" modality): the selection preview."""

    def encoder_modality(self, encoder: str) -> str:
        """What ``encoder`` embeds: its own modality in a paired "image+text" dataset (an image or a
        text encoder), else the dataset's. The cross-modal pairs of All pairs are marked by it."""

    def language(self, encoder: str) -> str | None:
        """The language an encoder's texts are in, or None: pairs of the cross-lingual page."""

    def summary(self) -> str:
        """One line: items, anchors and test items, labels, spaces and their dimensions."""
