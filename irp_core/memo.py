"""Memoisation on array content: one bounded, thread-safe LRU for every cached decomposition.

Streamlit serves every session from threads of one process, so a decomposition one session
computed is free for the next; the ablation's workers reuse theirs across cells. Keys are short
digests of the arrays' bytes (:func:`content_key`) plus the options that matter. Cached arrays are
read-only, because every caller shares them.
"""

from __future__ import annotations

import hashlib
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Future

import numpy as np

_ALL: weakref.WeakSet = weakref.WeakSet()  # every ContentCache alive, for clear_all()


def clear_all() -> None:
    """Forget every memoised value (a cold start: what the benchmark measures)."""
    for cache in list(_ALL):
        cache.clear()


class ContentCache:
    """A bounded LRU of computed values, safe to share between threads.

    Bounded by entries and, optionally, by the bytes of the arrays they hold (the oldest go first;
    the newest always stays). A key is computed once: a thread asking for a key another thread is
    computing waits for that result; the lock guards the dictionary.
    """

    def __init__(self, maxsize: int, maxbytes: int | None = None):
        self.maxsize, self.maxbytes = maxsize, maxbytes
        self._data: OrderedDict = OrderedDict()
        self._sizes: dict = {}
        self._running: dict = {}  # key -> Future of a computation in progress
        self._lock = threading.Lock()
        _ALL.add(self)

    def get(self, key: Hashable, compute: Callable[[], object]):
        """The value of ``key``, computed once: a caller asking while another thread computes it
        waits for that result (twenty sessions moving to the same new setting pay for one fit)."""
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]
            running = self._running.get(key)
            if running is None:
                self._running[key] = mine = Future()
        if running is not None:
            return running.result()
        try:
            value = _freeze(compute())
        except BaseException as exc:
            with self._lock:
                del self._running[key]
            mine.set_exception(exc)
            raise
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            self._sizes[key] = _nbytes(value)
            while len(self._data) > 1 and (len(self._data) > self.maxsize or self._over_bytes()):
                old, _ = self._data.popitem(last=False)
                self._sizes.pop(old, None)
            del self._running[key]
        mine.set_result(value)
        return value

    def _over_bytes(self) -> bool:
        return self.maxbytes is not None and sum(self._sizes.values()) > self.maxbytes

    def peek(self, key: Hashable):
        """The cached value, or None (does not count as a use)."""
        with self._lock:
            return self._data.get(key)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self._sizes.clear()

    def nbytes(self) -> int:
        """Bytes of the arrays held."""
        with self._lock:
            return sum(self._sizes.values())

    def __len__(self) -> int:
        return len(self._data)


def _nbytes(value) -> int:
    if isinstance(value, np.ndarray):
        return value.nbytes
    if isinstance(value, tuple):
        return sum(_nbytes(v) for v in value)
    return 0


def _freeze(value):
    """Mark the arrays of a cached value read-only: every caller shares them."""
    items = value if isinstance(value, tuple) else (value,)
    for item in items:
        if isinstance(item, np.ndarray):
            item.flags.writeable = False
        elif isinstance(item, tuple):
            _freeze(item)
    return value


_KNOWN: dict[int, tuple] = {}  # id -> (weak reference, key) of read-only arrays already hashed
_KNOWN_LOCK = threading.Lock()


def _immutable(a: np.ndarray) -> bool:
    """Read-only and owning its data (or a view of a read-only array): its bytes cannot change."""
    while isinstance(a, np.ndarray):
        if a.flags.writeable:
            return False
        if a.base is None:
            return True
        a = a.base
    return isinstance(a, bytes)


def content_key(a: np.ndarray) -> tuple:
    """A short digest of an array's dtype, shape and bytes: the cache key of computed results.

    Read-only arrays (the shipped cache's) are hashed once and then known by identity: hashing
    15 MB of anchors on every slider move would cost a fifth of the fit.
    """
    a = np.asarray(a)
    fixed = _immutable(a)
    if fixed:
        with _KNOWN_LOCK:
            known = _KNOWN.get(id(a))
        if known is not None and known[0]() is a:
            return known[1]
    data = np.ascontiguousarray(a)
    key = (data.dtype.str, data.shape, hashlib.blake2b(data.data, digest_size=16).digest())
    if fixed:
        with _KNOWN_LOCK:
            for dead in [i for i, (ref, _) in _KNOWN.items() if ref() is None]:
                del _KNOWN[dead]
            _KNOWN[id(a)] = (weakref.ref(a), key)
    return key
