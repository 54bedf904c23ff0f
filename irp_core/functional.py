"""The functional core of IRP: each step a pure function of arrays; :class:`irp_core.IRP` composes them.

The steps, in order (``docs/METHOD.md`` has the algebra):

1. :func:`prepare_side`: one space's working frame (centred, whitened if asked) and its anchors as
   unit rows in it. Needs that space's anchors only.
2. :func:`prune`: ω seeded anchor subsets by farthest point sampling (:mod:`irp_core.pruning`).
3. :func:`damped_inverse`: per subset i, the damped pseudo-inverse of the target anchors' Gram
   matrix, ``g(G_i) = (G_i + ridge * lambda_max(G_i) I)^-1`` (a Cholesky factorisation), or for
   ``ridge = 0`` the rtol-truncated pseudo-inverse (an eigendecomposition).
4. :func:`accumulate`: the ω decodings summed in anchor space, ``C = sum_i P_i^T g(G_i) P_i``,
   with P_i selecting subset i: a (K, K) matrix, whatever ω is.
5. :func:`compose_map`: the (d_x, d_y) map ``A_x C B_y / ω``, where ``A_x = W_x N_x^T`` and
   ``B_y = N_y U_y`` fold each side's whitening into its unit anchors (N: unit anchors in working
   coordinates, W_x: source whitener, U_y: target unwhitener). Two matrix products.

Why the anchor space: encoding x with subset i and decoding with it is
``x_w N_x[i]^T g(G_i) N_y[i]``, so the average over subsets is ``x_w N_x^T C N_y / ω``. A new ω adds
one subset to C, a ridge change only refactors each G_i, and the map costs two products of fixed
size. With ``ridge > 0`` the Cholesky route keeps the directions the truncated pseudo-inverse
drops (eigenvalues below ``rtol**2 * lambda_max``); a direction with G_i u = 0 contributes nothing
(N_y[i]^T u = 0), and a near-null one at most about ``rtol / ridge`` relative.

The expensive steps are memoised on the anchors' content and the options that matter, in bounded,
thread-safe caches (:class:`ContentCache`): Streamlit serves every session from threads of one
process, so a setting one session computed is free for the next. Cached arrays are read-only.

:func:`translation_map` composes the steps into a whole fit (public, as ``irp_core.translation_map``:
anchors and IRP's parameters in, a :class:`TranslationMap` out, no cache key in sight);
:meth:`irp_core.IRP.fit` and :mod:`irp_core.spectrum` go through it, or through its first steps
(:func:`prepare_pair`, :func:`prune_pair`). :func:`anchor_rows` is the one meaning of "K anchors".
"""

from __future__ import annotations

import os
import warnings
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from scipy.linalg import lapack

from . import nogil_lapack
from .memo import ContentCache, clear_all, content_key
from .pruning import abs_cosine_gram, farthest_point_sampling, subset_starts
from .relative import WorkingFrame, normalize_rows, working_frame
from .threads import matmul, one_thread
from .validation import IRPWarning, check_embeddings, check_parallel

# Bounded in bytes: a whitened MNIST side (1500 x 1280 anchors) is ~40 MB with its frame, its
# Gram matrix 18 MB, an accumulated C (K x K) 18 MB; the text spaces are several times smaller.
# At most ~1.2 GB in all, shared by every session of a server.
MB = 1 << 20
SIDES = ContentCache(maxsize=64, maxbytes=400 * MB)
SIDE_PRODUCTS = ContentCache(maxsize=256, maxbytes=400 * MB)
SUBSETS = ContentCache(maxsize=4096, maxbytes=64 * MB)
SPECTRA = ContentCache(maxsize=4096, maxbytes=64 * MB)
TOP_EIGENVALUES = ContentCache(maxsize=4096)  # lambda_max per subset: a ridge move reuses it
ACCUMULATED = ContentCache(maxsize=64, maxbytes=256 * MB)
MAPS = ContentCache(maxsize=16, maxbytes=128 * MB)  # (d_x, d_y) maps: a MNIST one is 13 MB
clear_caches = clear_all  # forget every memoised decomposition: a cold start


# ------------------------------------------------------------------------------------------ parallel
_WORKERS = max(1, min(4, os.cpu_count() or 1))
_POOL = ThreadPoolExecutor(max_workers=_WORKERS, thread_name_prefix="irp-core")


def in_background(fn: Callable) -> Future:
    """Run ``fn()`` on the core's thread pool (numpy's eigvalsh releases the GIL): work the caller
    will want soon, such as the condition numbers, overlaps with what it does meanwhile."""
    return _POOL.submit(fn)


def parallel_map(fn: Callable, items: Sequence) -> list:
    """``[fn(item) for item in items]``, on the cores when there are several items.

    numpy's decompositions release the GIL, so independent ones (the two sides' whitenings, the
    subsets' spectra) run side by side; scipy's LAPACK wrappers (the subsets' Cholesky inverses)
    hold it and gain nothing. BLAS is held to one thread meanwhile, so the workers do not
    oversubscribe the cores. Results keep the items' order; the first error is raised.
    """
    if len(items) < 2 or _WORKERS < 2:
        return [fn(item) for item in items]
    with one_thread():
        return list(_POOL.map(fn, items))


# ------------------------------------------------------------------------------------------ 1. sides
class Side(NamedTuple):
    """One space's anchors, prepared: its working frame and the anchors as unit rows in it."""

    key: tuple  # content of the anchors and the frame options: the key of everything derived
    frame: WorkingFrame
    unit: np.ndarray  # (K, r) unit rows; a zero row where an anchor has no direction
    centred_norms: np.ndarray  # (K,) norms of the anchors minus their centre: the output scale
    usable: np.ndarray  # (K,) anchors with a direction in working coordinates: only they carry a cosine


def prepare_side(anchors: np.ndarray, center: str, floor: float, rtol: float) -> Side:
    """The working frame of one space, learnt from its own anchors, and the unit anchors in it."""
    key = (content_key(anchors), center, float(floor), float(rtol))
    a = np.asarray(anchors, dtype=np.float64)

    def compute() -> Side:
        frame = working_frame(a, center, float(floor), rtol)
        unit = normalize_rows(frame.to_working(a))
        usable = np.einsum("ij,ij->i", unit, unit) > 0.25  # unit rows, or zero rows normalize_rows left
        return Side(key, frame, unit, np.linalg.norm(a - frame.center, axis=1), usable)

    return SIDES.get(key, compute)


def full_singular_values(side: Side) -> np.ndarray:
    """Singular values of all of a side's usable unit anchors (descending): with
    :func:`irp_core.relative.effective_condition_number`, the condition number pruning is there to
    improve. The estimator's ``condition_number_full_`` and the dashboard's both read it."""
    with one_thread():
        return np.linalg.svd(side.unit[side.usable], compute_uv=False)


def restrict(side: Side, rows: np.ndarray) -> Side:
    """The side with only ``rows`` of its anchors (when some anchors of the other side are unusable)."""
    rows = np.asarray(rows, dtype=np.int64)
    return Side(side.key + (content_key(rows),), side.frame, side.unit[rows], side.centred_norms[rows],
                side.usable[rows])


def source_operand(side: Side) -> np.ndarray:
    """``A_x = W_x N_x^T`` (d_x, K): raw source coordinates to cosines with the unit anchors."""

    def compute():  # (W_x N_x^T) in Fortran order: N_x W_x^T computed as one C-order product
        if side.frame.forward is None:
            return np.asfortranarray(side.unit.T)
        return (side.unit @ side.frame.forward.T).T

    return SIDE_PRODUCTS.get(("source", side.key), compute)


def target_operand(side: Side) -> np.ndarray:
    """``B_y = N_y U_y`` (K, d_y): the unit target anchors in raw target coordinates."""

    def compute():
        if side.frame.backward is None:
            return np.ascontiguousarray(side.unit)
        return side.unit @ side.frame.backward

    return SIDE_PRODUCTS.get(("target", side.key), compute)


def target_gram(side: Side) -> np.ndarray:
    """``G = N_y N_y^T`` (K, K): cosines between the target anchors. Every G_i is a block of it."""
    return SIDE_PRODUCTS.get(("gram", side.key), lambda: side.unit @ side.unit.T)


# ------------------------------------------------------------------------------------------ 2. pruning
def prune_gram(source: Side, target: Side, prune_on: str) -> tuple[tuple, np.ndarray]:
    """The |cos| matrix pruning looks at, and its cache key: one side's, or the larger of both."""

    def side_gram(side: Side) -> np.ndarray:
        return SIDE_PRODUCTS.get(("abs_gram", side.key), lambda: abs_cosine_gram(side.unit, normalized=True))

    if prune_on == "both":
        key = ("both", source.key, target.key)
        return key, SIDE_PRODUCTS.get(key, lambda: np.maximum(side_gram(source), side_gram(target)))
    side = source if prune_on == "source" else target
    return ("one", side.key), side_gram(side)


def prune(gram_key: tuple, abs_gram: np.ndarray, omega: int, delta: float, random_state: int,
          max_kept: int | None = None) -> list[np.ndarray]:
    """ω anchor subsets by farthest point sampling from seeded starts; each memoised on its own."""
    k = abs_gram.shape[0]
    subsets = []
    for start in subset_starts(k, omega, random_state):
        key = (gram_key, float(delta), start, max_kept)
        subsets.append(SUBSETS.get(key, lambda s=start: farthest_point_sampling(abs_gram, delta, s, max_kept)))
    return subsets


# ------------------------------------------------------------------------------------------ 3. decoding
def _block(gram: np.ndarray, subset: np.ndarray) -> np.ndarray:
    """``gram[np.ix_(subset, subset)]``, as a C-ordered copy: rows then columns, 2.2 against 4.9 ms
    at k 1370 of 1500 (it holds the GIL while the subsets' inverses run side by side)."""
    return gram.take(subset, axis=0).take(subset, axis=1)


def target_scatter(side: Side) -> np.ndarray:
    """``S = N_y^T N_y`` (r, r): shares G's non-zero eigenvalues, and is smaller when K > r."""
    return SIDE_PRODUCTS.get(("scatter", side.key), lambda: side.unit.T @ side.unit)


def top_eigenvalue(matrix: np.ndarray) -> float:
    """lambda_max of a symmetric positive semi-definite matrix (Lanczos; exact for small ones)."""
    if matrix.shape[0] <= 64:
        return float(max(np.linalg.eigvalsh(matrix)[-1], 0.0))
    from scipy.sparse.linalg import eigsh

    # a fixed start vector: ARPACK's own random one depends on the process's earlier calls, which
    # made fits differ in the last bit between processes (a local sweep against a Dask worker)
    start = np.random.default_rng(0).standard_normal(matrix.shape[0])
    with one_thread():
        # ncv 12 Lanczos vectors: ~50 products to machine precision, against ~130 with the default 3
        top = eigsh(matrix, k=1, which="LA", tol=1e-14, ncv=12, v0=start, return_eigenvectors=False)
    return float(max(top[0], 0.0))


def subset_spectrum(side: Side, subset: np.ndarray) -> np.ndarray:
    """Singular values (descending) of the subset's unit target anchors: sqrt of the eigenvalues of
    G_i, or of the smaller S_i when the subset has more anchors than dimensions.

    Only the condition numbers and ranks need them, so they are computed on demand and memoised.
    """

    def compute() -> np.ndarray:
        k, r = subset.size, side.unit.shape[1]
        if k > r:
            rows = side.unit[subset]
            small = target_scatter(side) if k == side.unit.shape[0] else rows.T @ rows
        else:
            small = _block(target_gram(side), subset)
        with one_thread():
            lam = np.linalg.eigvalsh(small)[::-1]
        return np.sqrt(np.clip(lam, 0.0, None))

    return SPECTRA.get((side.key, subset.tobytes()), compute)


def damped_inverse_cholesky(matrix: np.ndarray, shift: float, full: bool = True,
                            overwrite: bool = False) -> np.ndarray | None:
    """``(M + shift I)^-1`` through a Cholesky factorisation, or None if M + shift I is not
    numerically positive definite (the caller then falls back to an eigendecomposition).

    ``full=False`` leaves the strict upper triangle undefined (no copy to fill it): for consumers
    that read the lower one. ``overwrite=True``: M is the caller's own C-ordered float64 copy,
    factored in place (a k x k copy less: ~15 ms each at k 1370, page faults included); on
    failure it is restored, since LAPACK touches one triangle only.
    """
    a = matrix.T if overwrite else np.array(matrix, dtype=np.float64).T  # symmetric: Fortran order
    diagonal = a.diagonal().copy()
    a[np.diag_indices_from(a)] += shift
    if nogil_lapack.AVAILABLE:  # the same routines, with the GIL released: subsets run side by side
        info, inverse = nogil_lapack.cholesky_inverse_upper(a), a
    else:
        factor, info = lapack.dpotrf(a, lower=0, overwrite_a=1, clean=0)
        if info == 0:
            inverse, info = lapack.dpotri(factor, lower=0, overwrite_c=1)
    if info != 0:
        if overwrite:  # the upper triangle (Fortran view) was overwritten; the lower one was not
            upper = np.triu_indices_from(a, 1)
            a[upper] = a.T[upper]
            a[np.diag_indices_from(a)] = diagonal
        return None
    inverse = inverse.T  # C order; LAPACK's upper triangle is now the lower one
    if full:
        lower = np.tril(inverse)
        inverse = lower + np.tril(lower, -1).T
    return inverse


def eigh_descending(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Eigenvalues (descending) and eigenvectors of a symmetric matrix, on one BLAS thread."""
    with one_thread():
        lam, u = np.linalg.eigh(matrix)
    return lam[::-1].copy(), u[:, ::-1].copy()


def inverse_from_eigh(lam: np.ndarray, u: np.ndarray, rtol: float, ridge: float = 0.0) -> np.ndarray:
    """The pseudo-inverse of a Gram matrix from its eigendecomposition: eigenvalues below
    ``rtol**2 * lambda_max`` dropped (the SVD pseudo-inverse's tolerance), the rest damped by ridge."""
    top = max(lam.max(), 0.0) if lam.size else 0.0
    keep = lam > rtol**2 * top
    return (u[:, keep] / (lam[keep] + ridge * top)) @ u[:, keep].T


def truncated_inverse(matrix: np.ndarray, rtol: float, ridge: float = 0.0) -> np.ndarray:
    """:func:`inverse_from_eigh` of ``matrix``."""
    with one_thread():
        lam, u = np.linalg.eigh(matrix)
    return inverse_from_eigh(lam, u, rtol, ridge)


def damped_inverse(matrix: np.ndarray, ridge: float, rtol: float, full: bool = True,
                   top: float | None = None, overwrite: bool = False) -> np.ndarray:
    """g(M): ``(M + ridge * lambda_max I)^-1`` by Cholesky when ridge > 0, else (or if that fails)
    the rtol-truncated pseudo-inverse. ``top``: lambda_max(M) if the caller knows it;
    ``overwrite``: see :func:`damped_inverse_cholesky`."""
    if ridge > 0:
        top = top_eigenvalue(matrix) if top is None else top
        if top > 0:
            inverse = damped_inverse_cholesky(matrix, ridge * top, full, overwrite)
            if inverse is not None:
                return inverse
    return truncated_inverse(matrix, rtol, ridge)


# ------------------------------------------------------------------------------------------ 4-5. map
ACCUMULATE_ROWS = 128


def accumulate(n_anchors: int, subsets: Sequence[np.ndarray], operators: Sequence[np.ndarray],
               start: np.ndarray | None = None) -> np.ndarray:
    """``C = start + sum_i P_i^T g(G_i) P_i`` (K, K), from sorted subsets: the decodings summed in
    anchor space. Only C's lower triangle is meant (the operators' upper one may be undefined)."""
    c = np.zeros((n_anchors, n_anchors)) if start is None else np.array(start)
    flat = c.reshape(-1)  # flat indices: twice as fast as np.ix_ for these large blocks
    for subset, operator in zip(subsets, operators):
        # in blocks of rows, each up to its last row's column (the lower triangle): half the
        # entries, and temporaries small enough to be reused rather than faulted in afresh
        for top in range(0, subset.size, ACCUMULATE_ROWS):
            end = min(top + ACCUMULATE_ROWS, subset.size)
            rows, cols = subset[top:end], subset[:end]
            flat[(rows[:, None] * n_anchors + cols).reshape(-1)] += operator[top:end, :end].reshape(-1)
    return c


def compose_map(source_op: np.ndarray, accumulated: np.ndarray, target_op: np.ndarray,
                omega: int) -> np.ndarray:
    """The (d_x, d_y) map ``A_x C B_y / ω`` from raw (centred) source to raw (centred) target.

    Only C's lower triangle is read. It is mirrored into a full matrix for two plain GEMMs:
    OpenBLAS's ``symm`` took ~200 ms on the MNIST pair's map, against ~115 ms for the mirror (10 ms)
    and the GEMMs.
    """
    lower = np.tril(accumulated)
    full = lower + np.tril(lower, -1).T
    full *= 1.0 / omega
    return matmul(matmul(source_op, full), target_op)


def accumulated_decodings(target: Side, subsets: Sequence[np.ndarray], seeds_key: tuple, ridge: float,
                          rtol: float) -> np.ndarray:
    """C for the ω ``subsets``, reusing the largest cached C of their first n < ω (a ω move adds one).

    ``seeds_key`` names what fixes subset i (pruning gram, δ, random_state, cap); with the target side,
    the ridge and rtol it keys the cache. Equal subsets (all of them at δ = 0) share one g(G_i).
    """
    gram = target_gram(target)
    base_key = (target.key, seeds_key, float(ridge), float(rtol))
    omega = len(subsets)

    def compute() -> np.ndarray:
        start, done = None, 0
        for n in range(omega - 1, 0, -1):
            cached = ACCUMULATED.peek(base_key + (n,))
            if cached is not None:
                start, done = cached, n
                break
        todo = [np.sort(s) for s in subsets[done:]]  # a decoding does not depend on the anchors' order
        distinct = list({subset.tobytes(): subset for subset in todo}.values())
        def inverse(subset: np.ndarray) -> np.ndarray:
            block = _block(gram, subset)
            top = TOP_EIGENVALUES.get((target.key, subset.tobytes()), lambda: top_eigenvalue(block))
            return damped_inverse(block, ridge, rtol, full=False, top=top, overwrite=True)  # block: our copy

        # side by side on one thread each: numpy's eigh (ridge 0) releases the GIL, and so does
        # the Cholesky through nogil_lapack; scipy's wrappers would hold it, so without
        # nogil_lapack one subset at a time, on all BLAS threads
        parallel = ridge == 0 or nogil_lapack.AVAILABLE
        inverses = parallel_map(inverse, distinct) if parallel else [inverse(s) for s in distinct]
        operators = {subset.tobytes(): inverse for subset, inverse in zip(distinct, inverses)}
        return accumulate(gram.shape[0], todo, [operators[s.tobytes()] for s in todo], start)

    return ACCUMULATED.get(base_key + (omega,), compute)


def pruned_map(source: Side, target: Side, subsets: Sequence[np.ndarray], seeds_key: tuple, ridge: float,
               rtol: float) -> np.ndarray:
    """The map for the ω pruned ``subsets``: :func:`accumulated_decodings`, then
    :func:`compose_map`. Memoised too: another page, a pinned setting or a sweep cell refits
    a setting already shown, and the map's two products are most of a ω step's cost."""
    key = ("pruned", source.key, target.key, seeds_key, float(ridge), float(rtol), len(subsets))

    def compute() -> np.ndarray:
        c = accumulated_decodings(target, subsets, seeds_key, ridge, rtol)
        return compose_map(source_operand(source), c, target_operand(target), len(subsets))

    return MAPS.get(key, compute)


def full_set_map(source: Side, target: Side, ridge: float, rtol: float) -> np.ndarray:
    """The map when every subset is the whole anchor set (δ = 0): ``W_x N_x^T N_y g(S) U_y``.

    ``N_y^T g(G) = g(S) N_y^T`` with S = N_y^T N_y, so the (r, r) scatter matrix replaces the (K, K)
    Gram matrix: cheaper whenever there are more anchors than dimensions.
    """

    def compute() -> np.ndarray:
        cross = matmul(source.unit.T, target.unit)  # (r_x, r_y)
        m = matmul(cross, damped_inverse(target_scatter(target), ridge, rtol))
        if source.frame.forward is not None:
            m = matmul(source.frame.forward, m)
        if target.frame.backward is not None:
            m = matmul(m, target.frame.backward)
        return m

    return ACCUMULATED.get(("full", source.key, target.key, float(ridge), float(rtol)), compute)


def completion_map(source: Side, target: Side, subsets: Sequence[np.ndarray], seeds_key: tuple, ridge: float,
                   rtol: float) -> tuple[np.ndarray, np.ndarray]:
    """The map with anchor completion, and the singular values of all unit target anchors.

    Each subset's decoding plus, for the directions its anchors cannot reach, the full anchor set's
    (see ``docs/METHOD.md``). Not on the fast path; memoised like :func:`pruned_map`.
    """
    key = ("completion", source.key, target.key, seeds_key, float(ridge), float(rtol), len(subsets))

    def compute() -> tuple[np.ndarray, np.ndarray]:
        nx, ny = source.unit, target.unit
        w_full, singular_values = _gram_pinv(ny @ ny.T, rtol, ridge)
        m_full = nx.T @ (w_full @ ny)  # identity encoded and decoded with every anchor
        counts = Counter(np.sort(subset).tobytes() for subset in subsets)
        lefts, rights = [], []
        for subset_bytes, count in counts.items():
            subset = np.frombuffer(subset_bytes, dtype=np.int64)
            sx, sy = nx[subset], ny[subset]
            gram = sy @ sy.T
            right = _gram_pinv(gram, rtol, ridge)[0] @ sy  # (k, d_y) = pinv(sy).T
            # The subset only reaches span(sy); the full anchor set supplies the rest through
            # (I - P), P = sy.T @ pinv(sy).T the projector onto span(sy) (undamped).
            plain_right = _gram_pinv(gram, rtol)[0] @ sy if ridge else right
            lefts += [count * sx.T, count * m_full]
            rights += [right, np.eye(ny.shape[1]) - sy.T @ plain_right]
        matrix = np.hstack(lefts) @ np.vstack(rights) / len(subsets)
        if source.frame.forward is not None:  # raw source -> whitened ... whitened target -> raw target
            matrix = source.frame.forward @ matrix @ target.frame.backward
        return matrix, singular_values

    return MAPS.get(key, compute)


_GRAM_EIGH = ContentCache(maxsize=8)  # the completion path's full-set decomposition, per target


def _gram_pinv(gram: np.ndarray, rtol: float, ridge: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """From the Gram matrix G = A A.T of unit-row anchors: ``W`` with pinv(A).T = W @ A, and the
    singular values of A (descending).

    With A = U S V.T, pinv(A).T = U S^-2 U.T A, so a (k, k) eigendecomposition replaces a (k, d) SVD:
    the same tolerance (s > rtol * s_max, i.e. lambda > rtol^2 * lambda_max), several times faster.
    ``ridge`` damps it to U (S^2 + ridge * lambda_max)^-1 U.T A, as ``pseudo_inverse`` does.
    """
    lam, u = _GRAM_EIGH.get(content_key(gram), lambda: eigh_descending(gram))
    return inverse_from_eigh(lam, u, rtol, ridge), np.sqrt(np.clip(lam, 0.0, None))


# ------------------------------------------------------------------------------------------ the pair
class Pair(NamedTuple):
    """Both spaces' anchors prepared (step 1), restricted to the anchors usable on both sides."""

    source: Side
    target: Side
    usable: np.ndarray  # (K,) bool over the anchors given: those with a direction on both sides


def prepare_pair(anchors_x: np.ndarray, anchors_y: np.ndarray, center: str, whiten_floor: float,
                 rtol: float) -> Pair:
    """Step 1 for both spaces (side by side), as a fit does it: an anchor with zero norm after
    centring has no direction and cannot carry a cosine, so it is left out of both sides.
    ValueError when no anchor is left."""
    options = (center, float(whiten_floor), float(rtol))
    source, target = parallel_map(lambda a: prepare_side(a, *options), [anchors_x, anchors_y])
    usable = source.usable & target.usable
    if not usable.any():
        raise ValueError("every anchor has zero norm (after centring): nothing to project onto")
    if not usable.all():
        rows = np.flatnonzero(usable)
        source, target = restrict(source, rows), restrict(target, rows)
    return Pair(source, target, usable)


def prune_pair(source: Side, target: Side, prune_on: str, omega: int, delta: float, random_state: int,
               max_kept: int | None = None) -> tuple[list[np.ndarray], tuple]:
    """Step 2 on a prepared pair: the ω subsets (indices into its anchors, in the order chosen) and
    the key naming them (for :func:`pruned_map`)."""
    max_kept = None if max_kept is None else int(max_kept)
    gram_key, abs_gram = prune_gram(source, target, prune_on)
    subsets = prune(gram_key, abs_gram, int(omega), float(delta), int(random_state), max_kept)
    return subsets, (gram_key, float(delta), int(random_state), max_kept)


def anchor_rows(n_total: int, n_anchors: int | None = None, random_state: int = 0) -> np.ndarray:
    """The rows of the anchor matrices a fit with ``n_anchors`` uses: a subsample of that many rows
    drawn by ``default_rng(random_state)``, sorted; every row when ``n_anchors`` is None or at
    least ``n_total``. The one meaning of "K anchors": baselines and condition numbers that use
    these rows see the very anchors IRP sees.

    >>> anchor_rows(10, 4, random_state=0).tolist(), anchor_rows(3).tolist()
    ([2, 4, 5, 7], [0, 1, 2])
    """
    n_total = int(n_total)
    if n_anchors is None or int(n_anchors) >= n_total:
        return np.arange(n_total)
    return np.sort(np.random.default_rng(random_state).choice(n_total, int(n_anchors), replace=False))


@dataclass(frozen=True, eq=False)
class TranslationMap:
    """What :func:`translation_map` learns from a pair of parallel anchor sets.

    ``matrix`` maps a centred raw source vector to the (unscaled) centred raw target direction;
    :class:`irp_core.IRP` adds the centring and the rescale. ``subsets`` index the anchors kept
    (``anchor_rows`` of the anchors given); ``side_x``/``side_y`` are the prepared sides (working
    frames, unit anchors), from which the condition numbers are computed.
    """

    matrix: np.ndarray  # (d_x, d_y)
    subsets: tuple[np.ndarray, ...]  # ω subsets, in the order farthest point sampling chose them
    anchor_rows: np.ndarray  # rows of the anchors given that the map uses (subsample, usable)
    frame_x: WorkingFrame
    frame_y: WorkingFrame
    scale: float  # output norm: the target anchors' statistic of ``rescale`` (1.0 for "none")
    side_x: Side
    side_y: Side
    params: dict  # every IRP parameter the map was fitted with
    notes: tuple[str, ...] = ()  # what the fit warns about (IRPWarning), in order
    target_singular_values: np.ndarray | None = None  # of all unit target anchors, if computed

    @property
    def n_anchors_kept(self) -> list[int]:
        return [int(s.size) for s in self.subsets]

    @property
    def center_x(self) -> np.ndarray:
        return self.frame_x.center

    @property
    def center_y(self) -> np.ndarray:
        return self.frame_y.center


def translation_map(anchors_x, anchors_y, *, quiet: bool = False, **params) -> TranslationMap:
    """Fit IRP's map from parallel anchors (row i of both = the same item): the functional form of
    :meth:`irp_core.IRP.fit`, which calls it.

    ``params`` are IRP's (``omega``, ``delta``, ``random_state``, ...; :mod:`irp_core.params`),
    the others at IRP's defaults; a bad value raises scikit-learn's ``InvalidParameterError`` (a
    ValueError) naming it. The expensive steps are memoised on the anchors' content, so a second
    call with the same anchors and parameters costs little. Emits the notes as IRPWarning unless
    ``quiet``.

    >>> rng = np.random.default_rng(0)
    >>> ax = rng.normal(size=(50, 8)); ay = ax @ np.linalg.qr(rng.normal(size=(8, 8)))[0]
    >>> m = translation_map(ax, ay, omega=3, delta=0.3, n_anchors=40)
    >>> m.matrix.shape, len(m.subsets), m.anchor_rows.size
    ((8, 8), 3, 40)
    """
    from .params import resolve

    fitted = fit_map(anchors_x, anchors_y, resolve(params))
    if not quiet:
        for note in fitted.notes:
            warnings.warn(note, IRPWarning, stacklevel=2)
    return fitted


def fit_map(anchors_x, anchors_y, params: dict) -> TranslationMap:
    """:func:`translation_map` with every (validated) parameter given, emitting nothing."""
    p = params
    ax = check_embeddings("anchors_x", anchors_x)  # as given: read-only arrays are hashed once
    ay = check_embeddings("anchors_y", anchors_y)
    check_parallel("anchors_x", ax, "anchors_y", ay)
    rows = anchor_rows(ax.shape[0], p["n_anchors"], p["random_state"])
    if rows.size < ax.shape[0]:
        ax, ay = ax[rows], ay[rows]
    if p["center"] != "none" and rows.size == 1:
        raise ValueError(f"center={p['center']!r} subtracts the anchors' mean, which leaves nothing of 1 sample: "
                         "give at least 2 anchors, or center='none'")
    notes = []

    # Each side's working coordinates, from its own anchors only: centred and, if asked, whitened.
    source, target, usable = prepare_pair(ax, ay, p["center"], p["whiten_floor"], p["rtol"])
    if not usable.all():
        notes.append(f"{int((~usable).sum())} anchor(s) have zero norm after centring and are ignored")
    n_kept_rows = int(usable.sum())
    if n_kept_rows < ay.shape[1]:
        notes.append(f"only {n_kept_rows} anchors for a {ay.shape[1]}-d target: translations are confined "
                     f"to a {n_kept_rows}-d subspace of it")

    subsets, seeds_key = prune_pair(source, target, p["prune_on"], p["omega"], p["delta"], p["random_state"],
                                    p["max_kept"])
    ridge, rtol = float(p["ridge"]), float(p["rtol"])
    singular_values = None
    if p["completion"]:
        matrix, singular_values = completion_map(source, target, subsets, seeds_key, ridge, rtol)
    elif all(s.size == n_kept_rows for s in subsets):  # nothing pruned: one decoding
        matrix = full_set_map(source, target, ridge, rtol)
    else:
        matrix = pruned_map(source, target, subsets, seeds_key, ridge, rtol)
    if min(s.size for s in subsets) == 1:
        notes.append("a subspace kept a single anchor: its translations are one-dimensional; lower delta")

    norms = target.centred_norms
    scale = {"anchor_mean_norm": norms.mean(), "anchor_median_norm": np.median(norms), "none": 1.0}[p["rescale"]]
    return TranslationMap(matrix, tuple(subsets), rows[usable], source.frame, target.frame, scale, source, target,
                          dict(p), tuple(notes), singular_values)
