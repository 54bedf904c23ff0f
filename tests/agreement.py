"""When two computations of the same metric agree: stored against live, remote against local.

Another CPU runs other BLAS kernels, and with them another order of summation: the same float64
algebra then differs in its last bits, and a number derived from an ill-conditioned matrix differs
by more. So figures computed elsewhere (the precomputed tables, a Dask worker) are compared to a
tolerance that any machine meets, chosen per kind of number:

- **Condition numbers** (``cond_*``): relative ``COND_RTOL_PER_UNIT * κ``. A backward-stable
  decomposition moves each singular value by about ``n ε ‖A‖``, so κ = s_max / s_min moves by about
  ``n ε κ`` relative; n is the anchor dimension (up to ~1,300 here), and the whitening before the
  SVD adds its own such error. 1e-12 κ is ~4,500 ε κ: at κ = 5.7e4 (MNIST's EfficientNet-Lite1,
  the largest shipped), 5.7e-8. Measured: Haswell's kernels against SkylakeX's moved it 1.0e-9.
- **Shares of items** (accuracies, retrieval top-1): an item whose scores sit on a decision boundary
  may flip, so they may differ by one item, ``1 / n_items``.
- **Cosines and everything else in float**: absolute ``FLOAT_ATOL`` = 1e-8. Every translation is
  computed through the target anchors' whitened frame and decoding, whose condition number
  reaches 5.7e4, so any float downstream inherits the same ``n ε κ`` ≈ 1.6e-8 relative error at
  worst. Measured: Haswell's kernels moved MNIST's ``recon`` 1.2e-10; two processes of one machine
  (local against Dask) 1.8e-12. The dashboard shows three decimals, from float16 embeddings.
- **The Procrustes baseline** (``procrustes.*``): absolute ``DISPLAY_ATOL`` = 5e-4, half the last
  decimal the page shows. Its rotation is not unique: MNIST's EfficientNet anchors have 54-93 dead
  dimensions (zero on every anchor, not on every test item), and the part of the rotation that
  maps them is whatever the SVD's rounding makes it. Measured: Haswell's kernels moved ``recon``
  4.7e-5 (lite0 → lite1); the accuracy did not move.
- **Integers** (anchors kept, counts) and strings: exactly.

Bit-exact comparisons stay only where they are exact by construction on every machine: the same
process making the same call twice.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterator
from contextlib import contextmanager

COND_RTOL_PER_UNIT = 1e-12  # relative tolerance of a condition number κ: this times κ
FLOAT_ATOL = 1e-8
DISPLAY_ATOL = 5e-4  # half of the third decimal, the precision the pages show
NOT_UNIQUE = ("procrustes.",)  # metrics of a fit that is not unique (see the module docstring)
SHARES = frozenset({"zero_shot", "absolute", "non_stitch", "retrieval_top1"})


def tolerance(key: str, value: float, n_items: int | None) -> float:
    """The absolute difference allowed for metric ``key`` (a dotted path into nested dicts) at
    ``value`` (see the module docstring)."""
    if key.startswith(NOT_UNIQUE):
        return max(DISPLAY_ATOL, 1.0 / n_items if n_items else 0.0)
    key = key.rsplit(".", 1)[-1]
    if key.startswith("cond"):
        return COND_RTOL_PER_UNIT * max(abs(value), 1.0) ** 2
    if key in SHARES and n_items:
        return 1.0 / n_items + 1e-12
    return FLOAT_ATOL


def differences(a, b, *, n_items: int | None = None, key: str = "") -> Iterator[str]:
    """What differs between ``a`` and ``b`` beyond :func:`tolerance`: one line each. Dicts are
    compared key by key (the same keys, in any order), NaN equals NaN, ints exactly."""
    if isinstance(a, dict) or isinstance(b, dict):
        if not (isinstance(a, dict) and isinstance(b, dict)) or set(a) != set(b):
            yield f"{key or 'keys'}: {a!r} against {b!r}"
            return
        for k in a:
            yield from differences(a[k], b[k], n_items=n_items, key=f"{key}.{k}" if key else k)
        return
    if isinstance(a, bool) or isinstance(b, bool) or not all(isinstance(v, numbers.Real) for v in (a, b)):
        if type(a) is not type(b) or a != b:
            yield f"{key}: {a!r} against {b!r}"
        return
    if isinstance(a, numbers.Integral) and isinstance(b, numbers.Integral):
        if int(a) != int(b):
            yield f"{key}: {a} against {b}"
        return
    a, b = float(a), float(b)
    if math.isnan(a) or math.isnan(b):
        if not (math.isnan(a) and math.isnan(b)):
            yield f"{key}: {a!r} against {b!r}"
        return
    if a == b:  # inf == inf
        return
    allowed = tolerance(key, a, n_items)
    if not abs(a - b) <= allowed:
        yield f"{key}: {a!r} against {b!r} (differ by {abs(a - b):.3g}, allowed {allowed:.3g})"


def agree(a, b, *, n_items: int | None = None, key: str = "") -> bool:
    """True when ``a`` and ``b`` (metric ``key``, or dicts of metrics) agree to :func:`tolerance`;
    prints what differs."""
    found = list(differences(a, b, n_items=n_items, key=key))
    for line in found:
        print(line)
    return not found


@contextmanager
def another_summation_order(threads: int) -> Iterator[None]:
    """BLAS held to ``threads`` threads: a run here in another summation order than at the server's
    one thread, as on another CPU (the products' blocks split across threads sum in another order).
    """
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=threads, user_api="blas"):
        yield


def read_csv_rows(path) -> list[dict]:
    """A ``rows.csv`` of the sweeps with its numbers parsed (they are written in full: ``repr``)."""
    import csv

    def parse(v: str):
        for kind in (int, float):
            try:
                return kind(v)
            except ValueError:
                pass
        return v

    with open(path, newline="", encoding="utf-8") as f:
        return [{k: parse(v) for k, v in row.items()} for row in csv.DictReader(f)]
