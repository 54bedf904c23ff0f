"""Build the dashboard's precomputed tables: ``python -m dashboard.tables_build [--datasets D ...] [--jobs 2]``.

For each dataset of the cache, ``<dataset>/tables.json`` holds what the dashboard would otherwise
compute when a page opens (see ``dashboard/precomputed.py``, which reads it, and the README's
"Precomputed tables" section): every target's full-anchor condition number, every ordered pair's
baselines (both heads), and the light metrics of every ordered pair and of the ω x δ grid at the
two presets. The file is then listed with its sha256 in ``manifest.json``.

Each number comes from the same function the dashboard calls on a miss
(``dashboard.precomputed.live_*``), so a table hit equals the live value. Rerun this after any
change to ``irp_core`` or to the metrics: the tables check the embedding files they were computed
from, not the code. ``--resume`` reuses the cells an interrupted run of the same inputs journaled
(under ``raw/tables/``, git-ignored).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
import warnings
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from dashboard import precomputed
from irp_core.cache import cache_dir, list_datasets, load_dataset, sha256_file

PROGRESS_EVERY_S = 10.0
BLAS_THREADS = 1  # the dashboard server's (dashboard/app.py): the tables hold what it computes

_DATASETS: dict[tuple[str, str], Any] = {}


def _dataset(root: str, name: str):
    """The dataset, loaded once per (worker) process."""
    key = (root, name)
    if key not in _DATASETS:
        _DATASETS[key] = load_dataset(name, root=root)
    return _DATASETS[key]


def _task(root: str, name: str, kind: str, key, cond: float | None = None):
    """One entry: ``(kind, key, value, error, seconds)``.

    Computed at one BLAS thread, as the dashboard's server computes (``dashboard/app.py``): IRP's
    metrics agree to ~1e-13 at any thread count, but the Procrustes baseline (the SVD of a nearly
    rank-deficient cross-covariance) moves by ~1e-5 with it.
    """
    from threadpoolctl import threadpool_limits

    ds = _dataset(root, name)
    t0 = time.perf_counter()
    try:
        with warnings.catch_warnings(), threadpool_limits(limits=BLAS_THREADS, user_api="blas"):
            warnings.simplefilter("ignore")  # the core's notes (shown by the pages) would flood the log
            if kind == "cond_full":
                value = precomputed.live_cond_full(ds, *key)
            elif kind == "baselines":
                value = precomputed.live_baselines(ds, *key)
            else:
                value = precomputed.live_metrics(ds, key, cond)
        return kind, key, value, None, time.perf_counter() - t0
    except Exception as exc:  # noqa: BLE001 - recorded; the dashboard computes it live (and fails there)
        return kind, key, None, f"{type(exc).__name__}: {exc}", time.perf_counter() - t0


def _plain(v: Any) -> Any:
    """JSON for numpy scalars and arrays (their exact values)."""
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, np.ndarray):
        return v.tolist()
    raise TypeError(f"cannot store {type(v).__name__} in the tables")


def _dumps(v: Any) -> str:
    # floats as repr (the shortest string that reads back to the same double); NaN/Infinity as
    # Python's json writes and reads them
    return json.dumps(v, ensure_ascii=False, allow_nan=True, default=_plain)


# -- the journal of an interrupted run --------------------------------------------------------
def _journal_key(kind: str, key) -> str:
    return _dumps([kind, asdict(key) if kind == "metrics" else list(key)])


class Journal:
    """Finished entries of this dataset's build, one JSON line each, for ``--resume``."""

    def __init__(self, path: Path, inputs: dict[str, str], resume: bool):
        self.path = path
        self.done: dict[str, dict] = {}
        header = {"format": precomputed.FORMAT, "inputs": inputs, "settings_fields": precomputed.settings_fields(),
                  "metric_keys": precomputed.metric_keys()}
        if resume and path.exists():
            lines = path.read_text(encoding="utf-8").splitlines()
            if lines and json.loads(lines[0]) == header:
                for line in lines[1:]:
                    try:
                        e = json.loads(line)
                    except ValueError:  # a line cut short by the interruption
                        continue
                    self.done[e["id"]] = e
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(_dumps(header) + "\n")
            for e in self.done.values():
                f.write(_dumps(e) + "\n")
        self._f = open(path, "a", encoding="utf-8")  # noqa: SIM115 - closed in close()

    def add(self, kind: str, key, value, error) -> None:
        e = {"id": _journal_key(kind, key), "value": value, "error": error}
        self.done[e["id"]] = e
        self._f.write(_dumps(e) + "\n")
        self._f.flush()

    def get(self, kind: str, key) -> dict | None:
        return self.done.get(_journal_key(kind, key))

    def close(self) -> None:
        self._f.close()


# -- running ----------------------------------------------------------------------------------
def _run(tasks: list[tuple], jobs: int):
    if jobs <= 1 or len(tasks) <= 1:
        for t in tasks:
            yield _task(*t)
        return
    from joblib import Parallel, delayed

    yield from Parallel(n_jobs=jobs, return_as="generator_unordered", batch_size=1)(
        delayed(_task)(*t) for t in tasks)


class _Progress:
    def __init__(self, name: str, total: int, t0: float):
        self.name, self.total, self.t0 = name, total, t0
        self.done = 0
        self.last = -math.inf

    def step(self, what: str, n: int = 1, force: bool = False) -> None:
        self.done += n
        now = time.perf_counter()
        if force or now - self.last >= PROGRESS_EVERY_S or self.done == self.total:
            self.last = now
            el = now - self.t0
            left = f", ~{el / self.done * (self.total - self.done):.0f} s left" if 0 < self.done < self.total else ""
            print(f"[{self.name}] {self.done}/{self.total} cells, {el:.0f} s elapsed{left} ({what})",
                  flush=True)


def build_dataset(name: str, root: Path, jobs: int = 2, grid_pairs: str = "default",
                  resume: bool = False) -> dict:
    """Compute and write ``<root>/<name>/tables.json``; returns a summary (seconds, entries, bytes)."""
    t0 = time.perf_counter()
    ds = load_dataset(name, root=root)
    plan = precomputed.plan(ds, grid_pairs)
    inputs = {rel: ds.file_sha256(rel) for rel in precomputed.input_files(ds)}
    missing = [rel for rel, sha in inputs.items() if sha is None]
    if missing:
        raise SystemExit(f"{name}: files not in the manifest: {missing}")
    journal = Journal(root / "raw" / "tables" / f"{name}.jsonl", inputs, resume)
    n_total = len(plan["cond_full"]) + len(plan["baselines"]) + len(plan["metrics"])
    prog = _Progress(name, n_total, t0)
    print(f"[{name}] {len(ds.encoders)} encoders: {len(plan['cond_full'])} condition numbers, "
          f"{len(plan['baselines'])} baselines, {len(plan['metrics'])} metric cells (grid for "
          f"{len(plan['grid_pairs'])} pairs), {jobs} jobs", flush=True)
    results: dict[str, dict] = {}
    slow = {"cond_full": 0.0, "baselines": 0.0, "metrics": 0.0}
    rs = str(root)

    def collect(kind, key, value, error, seconds):
        journal.add(kind, key, value, error)
        results[_journal_key(kind, key)] = {"value": value, "error": error}
        slow[kind] += seconds
        prog.step(kind)

    def pending(kind, keys):
        out = []
        for key in keys:
            e = journal.get(kind, key)
            if e is None:
                out.append(key)
            else:
                results[_journal_key(kind, key)] = e
                prog.step(f"{kind}, resumed", force=False)
        return out

    try:
        todo = pending("cond_full", plan["cond_full"])
        for r in _run([(rs, name, "cond_full", key) for key in todo], jobs):
            collect(*r)

        def cond_of(s):
            e = results[_journal_key("cond_full", (s.target, s.n_anchors, s.center, s.whiten_floor))]
            return e["value"]

        tasks = [(rs, name, "baselines", key) for key in pending("baselines", plan["baselines"])]
        cells = pending("metrics", plan["metrics"])
        # the largest fits first, so that the jobs finish together
        cells.sort(key=lambda s: (-s.omega, s.delta))
        tasks += [(rs, name, "metrics", s, cond_of(s)) for s in cells]
        for r in _run(tasks, jobs):
            collect(*r)
    finally:
        journal.close()

    def entry(kind, head: dict, key) -> dict:
        e = results[_journal_key(kind, key)]
        out = dict(head)
        if e["error"] is None:
            out["metrics" if kind == "metrics" else "value"] = e["value"]
        else:
            out["error"] = e["error"]
        return out

    doc = {
        "format": precomputed.FORMAT,
        "dataset": name,
        "about": "written by `python -m dashboard.tables_build`; read by dashboard/precomputed.py",
        "settings_fields": precomputed.settings_fields(),
        "metric_keys": precomputed.metric_keys(),
        "presets": precomputed.PRESETS,
        "grid": {
            "omegas": list(precomputed.GRID_OMEGAS),
            "deltas": {k: list(v) for k, v in precomputed.GRID_DELTAS.items()},
        },
        "grid_pairs": plan["grid_pairs"],
        "inputs": inputs,
        "cond_full": [
            entry("cond_full", dict(zip(("target", "n_anchors", "center", "whiten_floor"), key)), key)
            for key in plan["cond_full"]
        ],
        "baselines": [
            entry("baselines", dict(zip(("source", "target", "n_anchors", "head"), key)), key)
            for key in plan["baselines"]
        ],
        "metrics": [entry("metrics", {"settings": asdict(s)}, s) for s in plan["metrics"]],
    }
    path = root / precomputed.rel_path(name)
    write_tables(path, doc)
    errors = sum("error" in e for k in ("cond_full", "baselines", "metrics") for e in doc[k])
    summary = {"dataset": name, "seconds": time.perf_counter() - t0, "entries": n_total,
               "errors": errors, "bytes": path.stat().st_size, "grid_pairs": len(plan["grid_pairs"]),
               "cpu_seconds": slow}
    print(f"[{name}] wrote {precomputed.rel_path(name)}: {n_total} entries ({errors} failed), "
          f"{summary['bytes'] / 1e3:.0f} kB, {summary['seconds']:.0f} s (fits: "
          + ", ".join(f"{k} {v:.0f} s" for k, v in slow.items()) + ")", flush=True)
    return summary


def write_tables(path: Path, doc: dict) -> None:
    """The document as JSON, one entry per line (diffable), written atomically."""
    lines = ["{"]
    items = list(doc.items())
    for i, (k, v) in enumerate(items):
        end = "," if i < len(items) - 1 else ""
        if isinstance(v, list) and v and isinstance(v[0], dict):
            lines.append(f"  {_dumps(k)}: [")
            lines += [f"    {_dumps(e)}" + ("," if j < len(v) - 1 else "") for j, e in enumerate(v)]
            lines.append("  ]" + end)
        else:
            lines.append(f"  {_dumps(k)}: {_dumps(v)}{end}")
    lines.append("}")
    tmp = path.with_name(path.name + ".part")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def tables_fresh(root: Path, name: str) -> bool:
    """Whether ``<name>/tables.json`` exists and was computed from the files now in the manifest."""
    path = root / precomputed.rel_path(name)
    if not path.exists():
        return False
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        ds = load_dataset(name, root=root)
    except Exception:  # noqa: BLE001
        return False
    return precomputed._check(name, doc, ds) is None and set(doc["inputs"]) == set(precomputed.input_files(ds))


def register(root: Path, name: str) -> str:
    """List ``<name>/tables.json`` and its sha256 in the manifest (the other entries untouched)."""
    mpath = root / "manifest.json"
    manifest = json.loads(mpath.read_text(encoding="utf-8"))
    rel = precomputed.rel_path(name)
    sha = sha256_file(root / rel)
    files = manifest["datasets"][name].setdefault("files", {})
    files[rel] = sha
    manifest["datasets"][name]["files"] = dict(sorted(files.items()))
    tmp = mpath.with_name(mpath.name + ".part")
    tmp.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, mpath)
    return sha


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m dashboard.tables_build", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--root", type=Path, default=None, help="cache directory (default: the shipped cache)")
    ap.add_argument("--datasets", nargs="+", help="default: every dataset of the manifest")
    ap.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    ap.add_argument("--grid-pairs", choices=("all", "default"), default="default",
                    help="ω x δ grid for the default pair (default; the others fill live) or every "
                         "ordered pair (all)")
    ap.add_argument("--resume", action="store_true",
                    help="reuse the cells an interrupted run journaled (same embedding files only; "
                         "not after a change to the code)")
    ap.add_argument("--no-manifest", action="store_true", help="write the tables but leave manifest.json")
    args = ap.parse_args(argv)
    root = (args.root or cache_dir()).resolve()
    names = args.datasets or list_datasets(root)
    unknown = set(names) - set(list_datasets(root))
    if unknown:
        ap.error(f"unknown datasets {sorted(unknown)}; the cache has {list_datasets(root)}")
    t0 = time.perf_counter()
    for name in names:
        build_dataset(name, root, jobs=args.jobs, grid_pairs=args.grid_pairs, resume=args.resume)
        if not args.no_manifest:
            sha = register(root, name)
            print(f"[{name}] manifest: {precomputed.rel_path(name)} sha256 {sha}", flush=True)
    print(f"tables: {len(names)} datasets in {time.perf_counter() - t0:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    # run the importable module, so that joblib's workers find _task (and their dataset memo) by name
    from dashboard import tables_build as _tables

    sys.exit(_tables.main())
