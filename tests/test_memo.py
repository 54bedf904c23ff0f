"""The memo: one bounded, thread-safe LRU keyed on array content, behind every cached decomposition."""

import threading

import numpy as np
import pytest

from irp_core import memo
from irp_core.relative import whitening


def test_read_only_arrays_are_hashed_once(monkeypatch):
    frozen = np.random.default_rng(0).normal(size=(40, 8))
    frozen.flags.writeable = False
    key = memo.content_key(frozen)
    calls, blake2b = [], memo.hashlib.blake2b
    monkeypatch.setattr(memo.hashlib, "blake2b", lambda *a, **k: calls.append(1) or blake2b(*a, **k))
    assert memo.content_key(frozen) == key and calls == []
    view = frozen[:10]  # a view of a read-only array is immutable too, but a new object: hashed
    assert memo.content_key(view) != key and calls == [1]


def test_cache_is_bounded_and_values_read_only():
    cache = memo.ContentCache(maxsize=3)
    for i in range(5):
        cache.get(i, lambda i=i: np.full(2, float(i)))
    assert len(cache) == 3 and cache.peek(0) is None and cache.peek(4)[0] == 4.0
    with pytest.raises(ValueError):
        cache.peek(4)[0] = 1.0
    by_bytes = memo.ContentCache(maxsize=100, maxbytes=3 * 800)  # three 100-float arrays
    for i in range(5):
        by_bytes.get(i, lambda: (np.zeros(50), np.zeros(50)))
    assert len(by_bytes) == 3 and by_bytes.nbytes() == 2400
    huge = by_bytes.get("huge", lambda: np.zeros(1000))  # over the bound alone: kept, others go
    assert len(by_bytes) == 1 and by_bytes.peek("huge") is huge


def test_a_value_in_progress_is_computed_once_for_every_waiting_thread():
    cache, calls, started = memo.ContentCache(maxsize=4), [], threading.Event()

    def slow():
        calls.append(1)
        started.set()
        threading.Event().wait(0.3)
        return np.arange(3.0)

    out = []
    first = threading.Thread(target=lambda: out.append(cache.get("k", slow)))
    first.start()
    started.wait()
    others = [threading.Thread(target=lambda: out.append(cache.get("k", slow))) for _ in range(4)]
    for t in others:
        t.start()
    for t in [first, *others]:
        t.join()
    assert len(calls) == 1 and len(out) == 5 and all(o is out[0] for o in out)
    with pytest.raises(ZeroDivisionError):  # a failed computation is not cached: the next call retries
        cache.get("bad", lambda: 1 / 0)
    assert cache.get("bad", lambda: np.zeros(1))[0] == 0.0


def test_clear_all_reaches_every_cache():
    """One call empties every cache, the relative module's whitening included: a true cold start."""
    c = np.random.default_rng(1).normal(size=(30, 6))
    first = whitening(c - c.mean(0), 0.01)
    assert whitening(c - c.mean(0), 0.01)[0] is first[0]  # memoised on content
    memo.clear_all()
    again = whitening(c - c.mean(0), 0.01)
    assert again[0] is not first[0]
    np.testing.assert_array_equal(again[0], first[0])
