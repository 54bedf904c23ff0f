"""One BLAS thread for LAPACK decompositions, cheaply.

Threaded LAPACK (SVD, eigh, Cholesky) was 10-40x slower than one thread on a small, busy machine,
so the core runs its decompositions on one thread. ``threadpoolctl.threadpool_limits`` scans the
loaded libraries on every call (about 7 ms, paid several times per slider move); one controller,
made on first use, keeps that scan to once per process.
"""

from __future__ import annotations

import threading

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
