"""Scaling curves of IRP on synthetic data: fit time against K and d, transform throughput against n,
peak memory; and the command line's peak RSS translating .npy files of two sizes and one larger
than a ``ulimit -v``. Prints a markdown table and writes a log-log plot (docs/SCALING.md shows both).

    python bench/scaling.py [--parts fit_k fit_d transform cli] [--out docs/scaling] [--fit-budget-s 90]

Each point runs in a fresh child process (cold caches; its own peak RSS from ``getrusage``). Times
are medians of up to 3 runs (1 once a run takes over 10 s). K grows until a fit takes longer than
``--fit-budget-s`` or its peak memory, predicted as K^2 from the last point, would exceed half of
the memory available; what was not measured is not extrapolated. Synthetic data: a random
rotation of correlated Gaussian vectors, anchors and inputs alike (the cost does not depend on
what the vectors mean).
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
K_GRID = (500, 1000, 2000, 4000, 8000, 12000, 16000, 20000)
D_GRID = (128, 256, 512, 1024, 2048, 4096)
N_GRID = (1_000, 10_000, 100_000, 400_000)
CLI_ROWS = (100_000, 400_000)  # 102 MB and 410 MB of 256-d float32
# the default fit (δ 0: one decoding through the d x d scatter) and a pruned one like the paper's: ω 8
# subsets of 0.9 K anchors (on MNIST δ 0.5 keeps about 1370 of 1500; random synthetic anchors are too
# far apart for δ to prune, so max_kept does), each a (0.9 K)^2 Cholesky, accumulated in a K x K matrix
FITS = {"fit": {}, "fit_pruned": {"omega": 8, "delta": 0.5, "max_kept": 0.9}}
BIG_ROWS, BIG_LIMIT_MB = 2_400_000, 1536  # a 2.46 GB file under ulimit -v 1.5 GB


def synthetic(n: int, d: int, seed: int, dtype=np.float64) -> tuple[np.ndarray, np.ndarray]:
    """Parallel (n, d) vectors in two spaces: y is a rotated, rescaled x."""
    rng = np.random.default_rng(seed)
    basis = rng.normal(size=(d, d)) / np.sqrt(d)
    x = rng.normal(size=(n, d)) @ basis + 0.5
    q, _ = np.linalg.qr(np.random.default_rng(1000 + d).normal(size=(d, d)))
    return x.astype(dtype), (3.0 * x @ q).astype(dtype)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(kind: str, a: int, b: int) -> dict:
    """One point, in this (fresh) process: fit (K=a, d=b) or transform (n=a rows of d=b)."""
    from irp_core import IRP
    from irp_core.memo import clear_all

    if kind in FITS:
        ax, ay = synthetic(a, b, 0)
        times = []
        while len(times) < 3 and sum(times) < 10:
            clear_all()
            start = time.perf_counter()
            params = dict(FITS[kind])
            if "max_kept" in params:
                params["max_kept"] = int(params["max_kept"] * a)
            irp = IRP(**params).fit(ax, ay)
            times.append(time.perf_counter() - start)
        return {"seconds": float(np.median(times)), "runs": len(times), "rss_mb": peak_rss_mb(),
                "kept_mean": float(np.mean(irp.n_anchors_kept_))}
    ax, ay = synthetic(1500, b, 0)
    irp = IRP().fit(ax, ay)
    x = np.empty((a, b), dtype=np.float32)  # filled in pieces: the peak is the data, not its making
    for start in range(0, a, 50_000):
        x[start:start + 50_000] = synthetic(min(50_000, a - start), b, 1 + start, np.float32)[0]
    times = []
    while len(times) < 3 and sum(times) < 10:
        start = time.perf_counter()
        irp.transform(x)
        times.append(time.perf_counter() - start)
    sec = float(np.median(times))
    return {"seconds": sec, "rows_per_s": a / sec, "runs": len(times), "rss_mb": peak_rss_mb()}


def run_child(kind: str, a: int, b: int) -> dict:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    out = subprocess.run([sys.executable, __file__, "--child", kind, str(a), str(b)], capture_output=True,
                         text=True, cwd=ROOT, env=env)
    if out.returncode:
        return {"error": out.stderr.strip().splitlines()[-1] if out.stderr.strip() else f"exit {out.returncode}"}
    return json.loads(out.stdout.strip().splitlines()[-1])


def available_mb() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) / 1024
    return float("inf")


def measure(kind: str, a: int, b: int, **labels) -> dict:
    """One point of a curve, measured in a fresh process, printed as it comes."""
    r = {**labels, **run_child(kind, a, b)}
    print(r, flush=True)
    return r


def fit_k(budget_s: float, d: int = 256, kind: str = "fit") -> list[dict]:
    rows: list[dict] = []
    for k in K_GRID:
        prev = next((r for r in reversed(rows) if "rss_mb" in r), None)
        if prev:  # the K x K matrices grow as K^2: predicted from the last point's measured peak
            need = prev["rss_mb"] * (k / prev["K"]) ** 2
            if need > available_mb() / 2:
                rows.append({"K": k, "d": d, "skipped": f"would need about {need:.0f} MB; half of the memory "
                                                        f"available then was {available_mb() / 2:.0f} MB"})
                break
        r = measure(kind, k, d, K=k, d=d)
        rows.append(r)
        if r.get("seconds", 0) > budget_s or "error" in r:
            break
    return rows


def fit_d(k: int = 1500) -> list[dict]:
    return [measure("fit", k, d, K=k, d=d) for d in D_GRID]


def transform(d: int = 256) -> list[dict]:
    return [measure("transform", n, d, n=n, d=d) for n in N_GRID]


def cli_rss(cmd: list[str], limit_mb: int | None = None) -> dict:
    """Wall time and peak RSS of one command-line run (its own getrusage, via a fresh parent)."""
    probe = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
             "r = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
             "print(r.returncode, time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, "
             "repr(r.stderr.strip().splitlines()[-1] if r.returncode else ''))")
    shell = f"ulimit -v {limit_mb * 1024}; " if limit_mb else ""
    line = subprocess.run(["bash", "-c", shell + 'exec "$@"', "bash", sys.executable, "-c", probe, *cmd],
                          capture_output=True, text=True, cwd=ROOT).stdout.strip().splitlines()[-1]
    code, sec, rss, err = line.split(" ", 3)
    return {"status": int(code), "seconds": float(sec), "rss_mb": int(rss) / 1024, "error": ast.literal_eval(err)}


def cli(tmp: Path) -> list[dict]:
    """``python -m irp_core translate`` on .npy inputs: streamed (.npy out) and in memory (.npz out)."""
    ax, ay = synthetic(1500, 256, 0, np.float32)
    np.save(tmp / "ax.npy", ax)
    np.save(tmp / "ay.npy", ay)
    base = [sys.executable, "-m", "irp_core", "translate", "--source-anchors", str(tmp / "ax.npy"),
            "--target-anchors", str(tmp / "ay.npy")]
    rows = []
    for n in (*CLI_ROWS, BIG_ROWS):
        path = tmp / f"x{n}.npy"
        out = np.lib.format.open_memmap(path, mode="w+", dtype=np.float32, shape=(n, 256))
        for start in range(0, n, 200_000):  # written in pieces: this process stays small too
            out[start:start + 200_000] = synthetic(min(200_000, n - start), 256, 2 + start, np.float32)[0]
        del out
        size = path.stat().st_size / 2**20
        runs = [("streamed (.npy -> .npy)", "y.npy", None)]
        if n in CLI_ROWS:
            runs.append(("in memory (.npy -> .npz)", "y.npz", None))
        else:
            runs = [(f"streamed, ulimit -v {BIG_LIMIT_MB} MB", "y.npy", BIG_LIMIT_MB),
                    (f"in memory, ulimit -v {BIG_LIMIT_MB} MB", "y.npz", BIG_LIMIT_MB)]
        for label, name, limit in runs:
            r = {"n": n, "file_mb": round(size), "path": label,
                 **cli_rss([*base, "--input", str(path), "--output", str(tmp / name)], limit)}
            if r["status"] == 0 and name.endswith(".npy"):  # check the streamed output against a slice
                y = np.load(tmp / name, mmap_mode="r")
                r["output_ok"] = bool(y.shape == (n, 256) and np.isfinite(y[-1000:]).all())
            rows.append(r)
            print(r, flush=True)
            (tmp / name).unlink(missing_ok=True)
        path.unlink()
    return rows


def table(results: dict) -> str:
    lines = []
    if results.get("fit_k") or results.get("fit_k_pruned") or results.get("fit_d"):
        lines += ["| fit | K | d | seconds (median) | runs | peak RSS MB |", "|---|---|---|---|---|---|"]
        for part in ("fit_k", "fit_k_pruned", "fit_d"):
            for r in results.get(part, []):
                if "seconds" in r:
                    lines.append(f"| {part} | {r['K']} | {r['d']} | {r['seconds']:.3g} | {r['runs']} "
                                 f"| {r['rss_mb']:.0f} |")
                else:
                    lines.append(f"| {part} | {r['K']} | {r['d']} | not measured: {r.get('skipped', r.get('error'))} "
                                 "| | |")
    if results.get("transform"):
        lines += ["", "| transform n | d | seconds | rows/s | peak RSS MB |", "|---|---|---|---|---|"]
        for r in results["transform"]:
            if "rows_per_s" not in r:
                lines.append(f"| {r['n']} | {r['d']} | not measured: {r.get('error')} | | |")
                continue
            lines.append(f"| {r['n']} | {r['d']} | {r['seconds']:.3g} | {r['rows_per_s']:.3g} | {r['rss_mb']:.0f} |")
    if results.get("cli"):
        lines += ["", "| translate n | file MB | path | status | seconds | peak RSS MB |", "|---|---|---|---|---|---|"]
        for r in results["cli"]:
            status = "ok" if r["status"] == 0 else f"exit {r['status']}: {r['error'][:80]}"
            lines.append(f"| {r['n']} | {r['file_mb']} | {r['path']} | {status} | {r['seconds']:.1f} "
                         f"| {r['rss_mb']:.0f} |")
    return "\n".join(lines)


def _points(results: dict, part: str, key: str, value: str) -> tuple[np.ndarray, np.ndarray]:
    rows = [r for r in results.get(part, []) if value in r]
    return np.array([r[key] for r in rows], dtype=float), np.array([r[value] for r in rows], dtype=float)


def _slopes(ax, x: np.ndarray, y: np.ndarray, powers: tuple[int, ...], name: str) -> None:
    """Grey reference lines through the last point: what a pure x^p cost would look like."""
    for p, style in zip(powers, (":", "--", "-.")):
        ax.loglog(x, y[-1] * (x / x[-1]) ** p, style, color="grey", lw=1, label=f"∝ {name}^{p}")


def plot(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 2, figsize=(11, 8.5))
    (a, b), (c, m) = axes
    for part, label in (("fit_k", "default fit (δ 0)"), ("fit_k_pruned", "ω 8, 0.9 K kept each")):
        x, y = _points(results, part, "K", "seconds")
        if x.size:
            a.loglog(x, y, "o-", label=label)
            _slopes(a, x, y, (2, 3) if part == "fit_k_pruned" else (2,), "K")
            m.loglog(x, _points(results, part, "K", "rss_mb")[1], "o-", label=f"fit vs K: {label}")
    a.set(xlabel="anchors K (d = 256)", ylabel="fit seconds (median)", title="fit time against K")
    x, y = _points(results, "fit_d", "d", "seconds")
    if x.size:
        b.loglog(x, y, "o-", label="default fit")
        _slopes(b, x, y, (2, 3), "d")
        m.loglog(x, _points(results, "fit_d", "d", "rss_mb")[1], "s-", label="fit vs d (K = 1500; x = d)")
    b.set(xlabel="dimension d = d_x = d_y (K = 1500)", ylabel="fit seconds (median)", title="fit time against d")
    x, y = _points(results, "transform", "n", "rows_per_s")
    if x.size:
        c.loglog(x, y, "o-", label="transform, in memory (256 -> 256, float32)")
        m.loglog(x, _points(results, "transform", "n", "rss_mb")[1], "^-", label="transform in memory (x = n)")
    cli_rows = [r for r in results.get("cli", []) if r["status"] == 0]
    for prefix, style in (("streamed", "v-"), ("in memory", "x--")):
        rows = [r for r in cli_rows if r["path"].startswith(prefix)]
        if rows:
            n = np.array([r["n"] for r in rows], dtype=float)
            c.loglog(n, n / np.array([r["seconds"] for r in rows]), style,
                     label=f"translate CLI, {prefix} (incl. start-up and fit)")
            m.loglog(n, [r["rss_mb"] for r in rows], style, label=f"translate CLI, {prefix} (x = n)")
    c.set(xlabel="rows n", ylabel="rows per second", title="transform throughput against n")
    m.set(xlabel="K, d or n", ylabel="peak RSS MB", title="peak memory (whole process)")
    for ax in axes.flat:
        ax.xaxis.set_minor_formatter(plt.NullFormatter())  # 2x10^2, 3x10^2, ... overlapped
        ax.legend(fontsize=7)
        ax.grid(True, which="major", alpha=0.3)
    fig.suptitle("IRP scaling on 2 cores shared with other jobs (synthetic data; log-log)")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--parts", nargs="+", default=["fit_k", "fit_k_pruned", "fit_d", "transform", "cli"],
                    choices=["fit_k", "fit_k_pruned", "fit_d", "transform", "cli"])
    ap.add_argument("--out", default="docs/scaling", help="folder for results.json and scaling.png")
    ap.add_argument("--fit-budget-s", type=float, default=90.0, help="stop growing K after a fit this long")
    ap.add_argument("--tmp", default=tempfile.gettempdir(), help="where the large .npy files go (deleted after)")
    ap.add_argument("--replot", action="store_true", help="only redraw the plot and table from results.json")
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child[0], int(args.child[1]), int(args.child[2]))))
        return 0
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    saved = out / "results.json"
    results = json.loads(saved.read_text()) if saved.is_file() else {}
    print(f"load average at start: {os.getloadavg()[0]:.2f}; {os.cpu_count()} cores", flush=True)
    for part in [] if args.replot else args.parts:
        start = time.perf_counter()
        if part == "cli":
            with tempfile.TemporaryDirectory(dir=args.tmp) as tmp:
                results[part] = cli(Path(tmp))
        else:
            results[part] = {"fit_k": lambda: fit_k(args.fit_budget_s),
                             "fit_k_pruned": lambda: fit_k(args.fit_budget_s, kind="fit_pruned"),
                             "fit_d": fit_d, "transform": transform}[part]()
        print(f"{part}: {time.perf_counter() - start:.0f} s", flush=True)
        saved.write_text(json.dumps(results, indent=1))
    plot(results, out / "scaling.png")
    print(table(results))
    print(f"wrote {saved} and {out / 'scaling.png'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
