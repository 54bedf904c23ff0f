"""How the core uses the cores: one BLAS thread for LAPACK decompositions, and large products split
across Python threads where BLAS itself is held to one.

Threaded LAPACK (SVD, eigh, Cholesky) was 10-40x slower than one thread on a small, busy machine,
so the core runs its decompositions on one thread. ``threadpoolctl.threadpool_limits`` scans the
loaded libraries on every call (about 7 ms, paid several times per slider move); one controller,
made on first use, keeps that scan to once per process.

A server that holds BLAS to one thread for good (the dashboard: OpenBLAS's spinning threads stall
every session on a busy machine) still has idle cores when one session moves a slider.
:func:`split_products` lets :func:`matmul` use them: it splits a large product's columns into
blocks that run side by side (numpy releases the GIL): 1.8-1.9x faster for the map's and the
translation's products (1500-2000 x 1280 x 1280, one BLAS thread, 2 cores). Each block sums every
entry over the same terms as the whole product, but its kernel may sum them in another order, so
the result equals ``a @ b`` to rounding, not always to the bit (``tests/test_functional.py`` checks
the rounding bound). Blocks start at multiples of 64 columns, a multiple of every kernel's tile
width, so no block adds a ragged edge that the whole product lacks.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from threadpoolctl import ThreadpoolController

_controller: ThreadpoolController | None = None
_lock = threading.Lock()


def one_thread():
    """A context manager holding every BLAS/OpenMP library to one thread while it is open."""
    global _controller
    if _controller is None:
        with _lock:
            if _controller is None:
                _controller = ThreadpoolController()
    return _controller.limit(limits=1)


# ------------------------------------------------------------------------------ split products
ALIGN = 64  # block boundaries, in columns: a multiple of every kernel's tile width
MIN_WORK = 1 << 26  # multiply-adds below which a product is not split (~10 ms on one core)
_parts = 1
_pool: ThreadPoolExecutor | None = None
_pool_workers = 0


def split_products(parts: int) -> None:
    """Split large :func:`matmul` products into ``parts`` blocks run side by side (1: never).

    For a process whose BLAS runs one thread (see the module docstring); with threaded BLAS a
    product already uses the cores, and splitting it would only oversubscribe them.
    """
    global _parts, _pool, _pool_workers
    parts = max(1, int(parts))
    with _lock:
        if parts - 1 > _pool_workers:  # a pool only grows: callers may still hold the old one
            _pool = ThreadPoolExecutor(max_workers=parts - 1, thread_name_prefix="irp-product")
            _pool_workers = parts - 1
        _parts = parts


def serve_from_threads(parts: int) -> None:
    """Set up a process that serves many sessions from its threads (the dashboard server): every
    BLAS library (and OpenMP, if loaded) held to one thread for good, large products split in
    ``parts``.

    threadpoolctl limits only the libraries already loaded, so numpy's and scipy's are loaded
    first. (The dashboard once limited before numpy was imported: a no-op, and its spinning BLAS
    threads cost ~0.4 CPU-s of every ω step.)
    """
    import scipy.linalg  # noqa: F401 - scipy's LAPACK loads its own BLAS library
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1)
    split_products(parts)


def matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b`` for 2-D arrays; split by columns of ``b`` when :func:`split_products` asks and the
    product is large. The calling thread computes the first block itself, so a caller never
    waits on a pool that is busy with its own blocks."""
    parts, pool = _parts, _pool
    n, k = a.shape
    m = b.shape[1]
    width = -(-m // parts) if parts > 1 else m
    width = -(-width // ALIGN) * ALIGN
    if parts < 2 or pool is None or width >= m or n * k * m < MIN_WORK:
        return a @ b
    out = np.empty((n, m), dtype=np.result_type(a.dtype, b.dtype))
    cuts = [*range(0, m, width), m]

    def block(i: int) -> None:
        np.matmul(a, b[:, cuts[i]:cuts[i + 1]], out=out[:, cuts[i]:cuts[i + 1]])

    rest = [pool.submit(block, i) for i in range(1, len(cuts) - 1)]
    block(0)
    for future in rest:
        future.result()
    return out
