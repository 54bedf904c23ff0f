"""The seeded anchor/test split of parallel spaces that carry none: the dashboard uploads' convention.

``min(1500, 40 %)`` of the items (at least 10) become anchors, drawn by ``default_rng(random_state)``
without replacement and sorted; the rest are the test items. The Upload page and the ``sweep``
command must split the same files the same way, so that a sweep reproduces what the page shows.

>>> anchors, test = seeded_split(100)
>>> len(anchors), len(test), anchors[:3].tolist()
(40, 60, [0, 1, 2])
"""

from __future__ import annotations

import numpy as np

MAX_ANCHORS, ANCHOR_FRACTION, MIN_ANCHORS, MIN_TEST = 1500, 0.4, 10, 10


def default_n_anchors(n_items: int) -> int:
    return max(MIN_ANCHORS, min(MAX_ANCHORS, int(ANCHOR_FRACTION * n_items)))


def seeded_split(n_items: int, n_anchors: int | None = None, random_state: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(anchor rows, test rows), both sorted; ValueError when too few items stay on either side."""
    k = int(n_anchors) if n_anchors else default_n_anchors(n_items)
    if not (MIN_ANCHORS <= k <= n_items - MIN_TEST):
        raise ValueError(f"{k} anchors out of {n_items} items: choose between {MIN_ANCHORS} and "
                         f"{n_items - MIN_TEST} (at least {MIN_TEST} items must stay for the test split)")
    anchor_rows = np.sort(np.random.default_rng(random_state).choice(n_items, size=k, replace=False))
    return anchor_rows, np.setdiff1d(np.arange(n_items), anchor_rows)
