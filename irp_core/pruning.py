"""Anchor pruning by farthest point sampling on 1 - |cos|, and seeded anchor subspaces."""

from __future__ import annotations

import numpy as np

from .relative import normalize_rows


def abs_cosine_gram(anchors: np.ndarray, normalized: bool = False) -> np.ndarray:
    """|cos| between every pair of anchors (K, K); float32 is plenty to rank distances."""
    a = np.asarray(anchors, dtype=np.float32)
    a = a if normalized else normalize_rows(a)
    return np.abs(a @ a.T)


def farthest_point_sampling(
    abs_gram: np.ndarray,
    delta: float,
    start: int,
    max_anchors: int | None = None,
) -> np.ndarray:
    """Greedy FPS with d(a, b) = 1 - |cos(a, b)|, from ``start``, until the farthest remaining anchor
    is closer than ``delta`` to the chosen set (or ``max_anchors`` are chosen).

    Every kept pair then satisfies |cos| <= 1 - delta, and delta = 0 keeps every anchor (duplicates
    included, since their distance 0 is not below 0). Returns indices in the order chosen.
    """
    k = abs_gram.shape[0]
    limit = k if max_anchors is None else min(k, int(max_anchors))
    chosen = [int(start)]
    min_dist = 1.0 - abs_gram[start].astype(np.float64)
    min_dist[start] = -np.inf  # never re-pick
    while len(chosen) < limit:
        nxt = int(np.argmax(min_dist))
        if min_dist[nxt] < delta or min_dist[nxt] == -np.inf:
            break
        chosen.append(nxt)
        np.minimum(min_dist, 1.0 - abs_gram[nxt], out=min_dist)  # chosen ones stay at -inf
        min_dist[nxt] = -np.inf
    return np.asarray(chosen, dtype=np.int64)


def prune_anchors(
    anchors: np.ndarray,
    delta: float,
    random_state: int = 0,
    max_anchors: int | None = None,
) -> np.ndarray:
    """Indices of a pruned, well-spread anchor subset; the same indices serve both spaces."""
    gram = abs_cosine_gram(anchors)
    start = int(np.random.default_rng(random_state).integers(gram.shape[0]))
    return farthest_point_sampling(gram, delta, start, max_anchors)


def anchor_subspaces(
    anchors: np.ndarray,
    omega: int,
    delta: float,
    random_state: int = 0,
    max_anchors: int | None = None,
    normalized: bool = False,
    abs_gram: np.ndarray | None = None,
) -> list[np.ndarray]:
    """``omega`` prunings from different seeded starts, sharing one Gram matrix.

    ``abs_gram`` replaces the |cos| matrix of ``anchors`` (e.g. the larger |cos| of two spaces, to
    prune on both).
    """
    gram = abs_cosine_gram(anchors, normalized) if abs_gram is None else abs_gram
    return [farthest_point_sampling(gram, delta, start, max_anchors)
            for start in subset_starts(gram.shape[0], omega, random_state)]


def subset_starts(n_anchors: int, omega: int, random_state: int) -> list[int]:
    """The start anchor of each of the ω prunings. Subset i does not depend on ω (SeedSequence
    children are numbered), so raising ω by one adds one subset and keeps the others."""
    rngs = [np.random.default_rng(s) for s in np.random.SeedSequence(random_state).spawn(omega)]
    return [int(rng.integers(n_anchors)) for rng in rngs]
