"""Speed benchmark of IRP's fit and transform (``python -m irp_core.bench``); prints, asserts nothing.

Every time is a ratio to a unit measured in the same run, so figures from a noisy, shared machine
can be compared: one ``np.linalg.eigh`` of a K x K symmetric matrix (one BLAS thread, as the core
runs its decompositions). The steps are the ones a dashboard user meets on the real MNIST pair
(EfficientNet-Lite0 -> Lite1, K = 1500 anchors, d = 1280):

- a cold fit at IRP's defaults (no memoised decomposition: a fresh server's first fit);
- ω 4 -> 5 at δ 0.5 (every decomposition of ω 4 memoised: one slider step);
- ω 16 at δ 0.5 after ω 5 (eleven new subspaces);
- ridge 0.3 -> 0.4 at ω 4, δ 0.5;
- transform of the test split against a bare matmul of the same shapes.

A fit step times :func:`irp_core.translation_map` (what ``IRP.fit`` calls: the whole fit but for
copying its result). Each step starts from empty caches and runs its "before" fit untimed. Medians over ``--repeats``.
Without the shipped cache, a synthetic ReLU-like pair of the same shapes is used.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

from . import IRP
from .functional import clear_caches, translation_map

# (name, settings before (untimed, None: cold), settings timed, goal as a ratio to the unit)
STEPS = (
    ("cold default fit", None, {}, 2.5),
    ("ω 4 → 5 at δ 0.5", {"omega": 4, "delta": 0.5}, {"omega": 5, "delta": 0.5}, 1.0),
    ("ω 16 at δ 0.5, after ω 5", {"omega": 5, "delta": 0.5}, {"omega": 16, "delta": 0.5}, 3.0),
    ("ridge 0.3 → 0.4 at ω 4, δ 0.5", {"omega": 4, "delta": 0.5, "ridge": 0.3},
     {"omega": 4, "delta": 0.5, "ridge": 0.4}, 1.0),
)


def synthetic_pair(n: int, k: int, d: int, random_state: int = 0) -> tuple[np.ndarray, ...]:
    """Clustered, all-positive features with a large shared mean, and a rotated, rescaled copy."""
    rng = np.random.default_rng(random_state)
    latent_dim, n_clusters = 256, 10
    centres = rng.normal(size=(n_clusters, latent_dim))
    lift = rng.normal(size=(latent_dim, d)) / np.sqrt(latent_dim)

    def features(m: int) -> np.ndarray:
        z = centres[rng.integers(n_clusters, size=m)] + 1.5 * rng.normal(size=(m, latent_dim))
        return np.maximum(z @ lift + 0.5, 0.0).astype(np.float32)

    q, _ = np.linalg.qr(rng.normal(size=(d, d)))
    ax, x = features(k), features(n)
    return ax, ax @ (2.5 * q).astype(np.float32), x


def median_time(fn, repeats: int, setup=None) -> float:
    times = []
    for _ in range(repeats):
        if setup is not None:
            setup()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def eigh_unit(k: int, repeats: int) -> float:
    """One eigh of a K x K Gram matrix of unit rows, on one BLAS thread: the unit of every ratio."""
    rng = np.random.default_rng(0)
    a = rng.normal(size=(k, max(k // 2, 1)))
    a /= np.linalg.norm(a, axis=1, keepdims=True)
    gram = a @ a.T

    def run():
        with threadpool_limits(1):
            np.linalg.eigh(gram)

    return median_time(run, repeats)


def load_pair() -> tuple[str, np.ndarray, np.ndarray, np.ndarray]:
    try:
        from .cache import load_dataset

        ds = load_dataset("mnist")
        src, tgt = ds.space("efficientnet_lite0"), ds.space("efficientnet_lite1")
        return "mnist efficientnet_lite0 -> lite1", src.anchors, tgt.anchors, src.test
    except Exception as err:  # noqa: BLE001 - the benchmark still runs on synthetic data
        print(f"(no shipped MNIST pair: {err}; using a synthetic pair)")
        ax, ay, x = synthetic_pair(2000, 1500, 1280)
        return "synthetic ReLU-like pair", ax, ay, x


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)

    name, ax, ay, x = load_pair()
    k = ax.shape[0]
    blas = ", ".join(f"{i['internal_api']} {i['num_threads']} threads" for i in threadpool_info())
    print(f"IRP benchmark on {name}: K={k} d_x={ax.shape[1]} d_y={ay.shape[1]} n={x.shape[0]}; "
          f"medians of {args.repeats}; BLAS: {blas}; load average {os.getloadavg()[0]:.2f}")
    unit = eigh_unit(k, args.repeats)
    print(f"unit: one eigh of a {k} x {k} matrix (1 thread) = {unit * 1e3:.0f} ms\n")
    print(f"{'step':34s} {'time':>9s} {'ratio':>7s} {'goal':>6s}")

    for label, before, timed, goal in STEPS:
        def setup(before=before):
            clear_caches()
            if before is not None:
                translation_map(ax, ay, quiet=True, **before)

        t = median_time(lambda timed=timed: translation_map(ax, ay, quiet=True, **timed), args.repeats, setup)
        print(f"{label:34s} {t * 1e3:7.0f} ms {t / unit:7.2f} {'≤ ' + str(goal):>6s}")

    irp = IRP().fit(ax, ay)
    for dtype in (np.float32, np.float64):
        xt, m = x.astype(dtype), irp.matrix_.astype(dtype)
        t = median_time(lambda xt=xt: irp.transform(xt), args.repeats)
        mm = median_time(lambda xt=xt, m=m: xt @ m, args.repeats)
        label = f"transform {np.dtype(dtype).name} / bare matmul"
        print(f"{label:34s} {t * 1e3:7.1f} ms {t / mm:7.2f} {'≤ 1.5':>6s}  (matmul {mm * 1e3:.1f} ms)")
    print(f"\nload average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
