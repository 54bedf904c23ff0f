"""Speed benchmark of IRP's fit and transform (``python -m irp_core.bench``); prints, asserts nothing.

Default shapes follow the project's target: n = 3000 samples, K = 2000 anchors, d_x = d_y = 1280,
at IRP's defaults (or ``--omega``/``--delta``). A cold fit decomposes the anchors; a warm fit finds
the decompositions memoised (a refit on the same anchors: an ω or δ move in the dashboard).
The synthetic spaces mimic real ReLU image features (clustered, all-positive, a large
shared mean, so anchors are far from orthogonal and pruning has work to do); the target space is a
random rotation and rescaling of the source. Timings are medians over repeats measured in one run.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from . import IRP, translator
from .relative import whitening


def synthetic_pair(n: int, k: int, d: int, seed: int = 0) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    latent_dim, n_clusters = 256, 10
    centres = rng.normal(size=(n_clusters, latent_dim))
    lift = rng.normal(size=(latent_dim, d)) / np.sqrt(latent_dim)

    def features(m: int) -> np.ndarray:
        z = centres[rng.integers(n_clusters, size=m)] + 1.5 * rng.normal(size=(m, latent_dim))
        return np.maximum(z @ lift + 0.5, 0.0).astype(np.float32)

    q, _ = np.linalg.qr(rng.normal(size=(d, d)))
    rotate = (2.5 * q).astype(np.float32)
    ax, x = features(k), features(n)
    return ax, ax @ rotate, x


def median_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=3000)
    parser.add_argument("--k", type=int, default=2000)
    parser.add_argument("--d", type=int, default=1280)
    parser.add_argument("--omega", type=int, default=None, help="default: IRP's")
    parser.add_argument("--delta", type=float, default=None, help="default: IRP's")
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args(argv)

    ax, ay, x = synthetic_pair(args.n, args.k, args.d)
    print(f"IRP benchmark, {_irp(args).get_params()}, medians of {args.repeats} runs")
    report("synthetic ReLU-like pair", ax, ay, x, args)
    try:  # the same on a real shipped pair, where the cache is present
        from .cache import load_dataset

        ds = load_dataset("mnist")
        src, tgt = ds.space("efficientnet_lite0"), ds.space("efficientnet_lite1")
        report("mnist efficientnet_lite0 -> lite1", src.anchors, tgt.anchors, src.test, args)
    except Exception as err:  # noqa: BLE001 - the benchmark must still print the synthetic figures
        print(f"(no real pair: {err})")


def _irp(args: argparse.Namespace) -> IRP:
    return IRP(**{k: v for k, v in (("omega", args.omega), ("delta", args.delta)) if v is not None})


def _cold_fit(irp: IRP, ax: np.ndarray, ay: np.ndarray) -> None:
    whitening.cache_clear()
    translator._eigh_descending.cache_clear()
    irp.fit(ax, ay)


def report(name: str, ax: np.ndarray, ay: np.ndarray, x: np.ndarray, args: argparse.Namespace) -> None:
    irp = _irp(args)
    cold_s = median_time(lambda: _cold_fit(irp, ax, ay), args.repeats)
    fit_s = median_time(lambda: irp.fit(ax, ay), args.repeats)
    x32, m32 = x.astype(np.float32), irp.matrix_.astype(np.float32)
    x64, m64 = x.astype(np.float64), irp.matrix_
    t32 = median_time(lambda: irp.transform(x32), args.repeats)
    mm32 = median_time(lambda: x32 @ m32, args.repeats)
    t64 = median_time(lambda: irp.transform(x64), args.repeats)
    mm64 = median_time(lambda: x64 @ m64, args.repeats)
    kept = irp.n_anchors_kept_
    print(f"\n{name}: n={x.shape[0]} K={ax.shape[0]} d_x={ax.shape[1]} d_y={ay.shape[1]}")
    print(f"  anchors kept per subspace: median {int(np.median(kept))} (min {min(kept)}, max {max(kept)})")
    print(f"  fit, cold:         {cold_s * 1e3:8.1f} ms   (goal < 300 ms)")
    print(f"  fit, warm:         {fit_s * 1e3:8.1f} ms   (decompositions memoised)")
    for label, t, mm in (("float32", t32, mm32), ("float64", t64, mm64)):
        print(f"  transform {label}: {t * 1e3:8.1f} ms   bare matmul {mm * 1e3:7.1f} ms   ratio {t / mm:.2f}x")


if __name__ == "__main__":
    main()
