"""``python -m irp_core sweep``: every ordered pair of the user's spaces times every grid cell, resumable.

Each space file holds one encoder's vectors of the same items in the same order (read by
:mod:`irp_core.io`, as ``translate`` reads its files, so a bad file gets the same error). The items
are split into anchors and test items as the dashboard's uploads split them (:mod:`irp_core.split`);
with ``--labels``, a linear head per space is trained on its anchors, as on the Upload page.

Results go to ``--out``: ``rows.csv`` (tidy: one row per pair and cell, metric names of
:data:`irp_core.scoring.METRICS`), appended as each cell finishes so that a kill loses only the
cells in flight; a rerun of the same command skips the rows already there. At the end the rows are
rewritten in sweep order, ``table.md`` gets the paper-style tables and, with ``--parquet``,
``rows.parquet`` a copy of the rows. ``sweep.json`` records what was swept, so that a rerun
on other files or settings is refused instead of mixed in.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import os
import sys
from pathlib import Path

import numpy as np

from .distributed import ENV_VAR
from .io import load_matrix, read_array, split_key
from .params import PARAMS
from .progress import Progress
from .scoring import METRICS, score_pair
from .split import seeded_split
from .sweeps import iter_tasks, map_tasks
from .threads import one_thread
from .translator import IRP

ROWS, TABLE, RUN, PARQUET = "rows.csv", "table.md", "sweep.json", "rows.parquet"
CHOICES = {p.name: p.options for p in PARAMS if p.options}  # IRP's string options, from irp_core.params
LABEL_METRICS = ("zero_shot", "absolute", "non_stitch")


def add_parser(sub) -> None:
    files = "(.npy, .npz [file.npz:KEY], .csv or .parquet)"
    s = sub.add_parser("sweep", help="score every ordered pair of spaces at every grid cell (resumable)")
    s.add_argument("spaces", nargs="+", metavar="SPACE_FILE",
                   help=f"one encoder's vectors per file, same items in the same order {files}")
    s.add_argument("--labels", help="one integer label per item (.npy/.csv): zero-shot accuracy of linear heads")
    s.add_argument("--grid", nargs="+", default=[], metavar="NAME=V1,V2",
                   help="IRP parameters and their values, e.g. omega=1,8 delta=0,0.5 ridge=0.3 "
                        "(others keep IRP's defaults)")
    s.add_argument("--out", default="sweep", help="output folder (default %(default)s); rerun to resume")
    s.add_argument("--anchors", type=int, help="anchors of the seeded split (default min(1500, 40 %% of items))")
    s.add_argument("--split-seed", type=int, default=0, help="seed of the anchor/test split (default 0)")
    s.add_argument("--jobs", type=int, default=2, help="local worker processes (default %(default)s)")
    s.add_argument("--scheduler", help=f"Dask scheduler address, e.g. tcp://host:8786 (default: ${ENV_VAR}, "
                   "else local processes)")
    s.add_argument("--parquet", action="store_true", help="also write rows.parquet")


def read_labels(spec: str, n: int, what: str = "test row") -> np.ndarray:
    """One integer label per row, from a 1-D .npy or a one-column file."""
    raw, _ = read_array(spec)
    values = np.asarray(raw, dtype=np.float64).reshape(-1) if np.ndim(raw) == 1 or np.shape(raw)[1:] == (1,) else None
    if values is None or values.size != n:
        raise ValueError(f"{spec}: labels must be one value per {what} ({n}), got shape {np.shape(raw)}")
    if not np.all(np.isfinite(values)) or not np.all(values == np.round(values)):
        raise ValueError(f"{spec}: labels must be integers")
    return values.astype(np.int64)


def _value(name: str, text: str, like):
    """One grid value, typed like IRP's default for ``name``."""
    try:
        if isinstance(like, bool):
            if text.lower() not in ("true", "false", "1", "0", "on", "off"):
                raise ValueError
            return text.lower() in ("true", "1", "on")
        if isinstance(like, str):
            if name in CHOICES and text not in CHOICES[name]:
                raise ValueError
            return text
        if isinstance(like, float):
            return float(text)
        return int(text)  # int or None defaults (n_anchors, max_kept, omega, random_state)
    except ValueError:
        kind = ", ".join(CHOICES[name]) if name in CHOICES else type(like).__name__ if like is not None else "int"
        raise ValueError(f"--grid {name}: {text!r} is not a valid value ({kind})") from None


def parse_grid(specs: list[str]) -> dict[str, list]:
    """``["omega=1,8", "delta=0,0.5"]`` -> {"omega": [1, 8], "delta": [0.0, 0.5]}, checked against IRP."""
    defaults = IRP().get_params()
    grid: dict[str, list] = {}
    for spec in specs:
        name, sep, values = spec.partition("=")
        name = name.strip().replace("-", "_")
        if not sep or not values.strip():
            raise ValueError(f"--grid {spec!r}: expected NAME=V1,V2,...")
        if name not in defaults:
            raise ValueError(f"--grid {name}: not an IRP parameter (one of {', '.join(sorted(defaults))})")
        if name in grid:
            raise ValueError(f"--grid {name}: given twice")
        grid[name] = list(dict.fromkeys(_value(name, v.strip(), defaults[name]) for v in values.split(",")))
    return grid


def load_spaces(specs: list[str]) -> dict[str, np.ndarray]:
    """{name: matrix}: a file's stem (or its .npz key) names its space; all must have the same rows."""
    spaces: dict[str, np.ndarray] = {}
    if len(specs) < 2:
        raise ValueError("a sweep needs at least two space files")
    first = None
    for spec in specs:
        path, key = split_key(spec)
        name = key or path.stem
        if name in spaces:
            raise ValueError(f"{spec}: a second space named {name!r}; rename the file")
        x = load_matrix(spec)
        if first and x.shape[0] != spaces[first].shape[0]:
            raise ValueError(f"{spec}: {x.shape[0]} rows, but {first} has {spaces[first].shape[0]}: every space "
                             "file must hold the same items in the same order")
        spaces[name], first = x, first or name
    return spaces


def _cell(source, target, ax, tx, ay, ty, labels, head, cell) -> dict:
    # one BLAS thread: independent of the process's thread count (and workers are one per core)
    with one_thread():
        try:
            score = score_pair(IRP(**cell), ax, ay, tx, ty, labels=labels, head=head, capture_warnings=True)
        except ValueError as err:  # e.g. non-finite at an extreme δ: an empty row, not a dead sweep
            return {"source": source, "target": target, **cell, "warnings": [f"no result: {err}"]}
    return {"source": source, "target": target, **cell, **score.metrics, "warnings": score.warnings}


def _train_head(x, y, random_state):
    from .heads import LinearHead

    with one_thread():  # lbfgs on threaded BLAS gave heads that differ between runs in the last bits
        return LinearHead(random_state=random_state).fit(x, y)


def _text(v) -> str:
    """How a value is written to (and compared in) rows.csv: full precision, empty for None."""
    return "" if v is None else repr(v) if isinstance(v, float) else str(v)


def _settings(args, spaces, labels_spec, n_anchors, grid) -> dict:
    return {"spaces": [{"name": k, "file": os.path.basename(s), "shape": list(v.shape)}
                       for (k, v), s in zip(spaces.items(), args.spaces)],
            "labels": labels_spec and os.path.basename(labels_spec), "anchors": n_anchors,
            "split_seed": args.split_seed, "grid": list(grid)}


def _resume(out: Path, settings: dict, columns: list[str]) -> dict[tuple, dict]:
    """Rows already written by an earlier run of the same sweep, by key; a torn last line is dropped."""
    run, rows = out / RUN, out / ROWS
    if run.is_file():
        old = json.loads(run.read_text(encoding="utf-8"))
        if old != settings:
            raise ValueError(f"{out}: holds a sweep of other files or settings ({RUN}: {old}); use another --out "
                             "or delete that folder")
    out.mkdir(parents=True, exist_ok=True)
    run.write_text(json.dumps(settings, indent=1), encoding="utf-8")
    if not rows.is_file():
        return {}
    data = rows.read_bytes()
    keep = data.rfind(b"\n") + 1
    if keep < len(data):  # killed while writing a row: that cell is recomputed
        with open(rows, "r+b") as f:
            f.truncate(keep)
    with open(rows, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        if reader.fieldnames and reader.fieldnames != columns:
            raise ValueError(f"{rows}: its columns {reader.fieldnames} are not this sweep's {columns}")
        found = list(reader)
    return {tuple(r[c] for c in columns[: len(settings['grid']) + 2]): r for r in found}


def run(args: argparse.Namespace) -> int:
    grid = parse_grid(args.grid)
    spaces = load_spaces(args.spaces)
    n = next(iter(spaces.values())).shape[0]
    anchor_rows, test_rows = seeded_split(n, args.anchors, args.split_seed)
    labels = read_labels(args.labels, n, "item") if args.labels else None
    columns = ["source", "target", *grid, *(m for m in METRICS if m != "cond_full"  # not measured here
                                           and (labels is not None or m not in LABEL_METRICS))]
    out = Path(args.out)
    done = _resume(out, _settings(args, spaces, args.labels, len(anchor_rows), grid), columns)
    parts = {k: (np.ascontiguousarray(x[anchor_rows]), np.ascontiguousarray(x[test_rows])) for k, x in spaces.items()}
    cells = [dict(zip(grid, values)) for values in itertools.product(*grid.values())]
    keys = [(s, t, *map(_text, c.values())) for s, t in itertools.permutations(spaces, 2) for c in cells]
    todo = [i for i, k in enumerate(keys) if k not in done]
    pairs = [(k[0], k[1], cells[i % len(cells)]) for i, k in enumerate(keys)]
    print(f"{len(spaces)} spaces x {len(cells)} cells: {len(keys)} translations, {len(keys) - len(todo)} already "
          f"in {out / ROWS}; {len(anchor_rows)} anchors, {len(test_rows)} test items", file=sys.stderr)
    heads = {}
    test_labels = None
    if labels is not None and todo:
        names = list(spaces)
        trained = map_tasks(_train_head, [(parts[k][0], labels[anchor_rows], args.split_seed) for k in names],
                            args.jobs, args.scheduler)
        heads, test_labels = dict(zip(names, trained)), labels[test_rows]
    tasks = [(s, t, *parts[s], *parts[t], test_labels, heads.get(t), c) for s, t, c in (pairs[i] for i in todo)]
    bar = Progress(len(keys), "sweep", unit="cell", initial=len(keys) - len(todo))
    warned: dict[str, int] = {}  # a fit's warnings, by message: how many cells gave it
    fresh = not (out / ROWS).is_file() or (out / ROWS).stat().st_size == 0
    try:
        with open(out / ROWS, "a", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
            if fresh:
                writer.writeheader()
            for j, row in iter_tasks(_cell, tasks, args.jobs, args.scheduler):
                text = {c: _text(row.get(c)) for c in columns}
                writer.writerow(text)
                f.flush()
                done[keys[todo[j]]] = text
                for message in row["warnings"]:
                    warned[message] = warned.get(message, 0) + 1
                bar.update(1)
    except KeyboardInterrupt:
        bar.close()
        print(f"interrupted: {len(done)} of {len(keys)} cells are in {out / ROWS}; run the same command to resume",
              file=sys.stderr)
        return 130
    bar.close()
    for message, count in warned.items():  # not in rows.csv: memoised fits do not repeat them
        print(f"warning ({count} of {len(todo)} cells): {message}", file=sys.stderr)
    rows = [done[k] for k in keys]
    _write_rows(out / ROWS, columns, rows)
    if args.parquet:
        _write_parquet(out / PARQUET, rows)
    (out / TABLE).write_text(tables(rows, list(grid), list(spaces)), encoding="utf-8")
    print(f"{len(rows)} rows -> {out / ROWS}, tables -> {out / TABLE}"
          + (f", {out / PARQUET}" if args.parquet else ""))
    return 0


def _write_rows(path: Path, columns: list[str], rows: list[dict]) -> None:
    tmp = path.with_suffix(".csv.tmp")
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    os.replace(tmp, path)  # a kill now leaves either the old or the new file, whole


def _numbers(rows: list[dict]):
    import pandas as pd

    frame = pd.DataFrame(rows)
    for c in frame.columns:
        if c not in ("source", "target"):
            converted = pd.to_numeric(frame[c], errors="coerce")
            if converted.notna().sum() == (frame[c] != "").sum():
                frame[c] = converted
    return frame


def _write_parquet(path: Path, rows: list[dict]) -> None:
    _numbers(rows).to_parquet(path, index=False)


def tables(rows: list[dict], grid: list[str], spaces: list[str]) -> str:
    """Markdown: a summary per grid cell, then per cell a source x target matrix (the paper's layout)."""
    frame = _numbers(rows)
    metric = "zero_shot" if "zero_shot" in frame.columns else "recon_centred"
    shown = list(dict.fromkeys(m for m in (metric, "non_stitch", "recon", "recon_centred", "retrieval_top1",
                                             "cond_mean") if m in frame.columns))
    groups = list(frame.groupby(grid, sort=False)) if grid else [((), frame)]
    lines = ["## Mean over ordered pairs\n", "| " + " | ".join([*grid, *shown, f"min {metric}"]) + " |",
             "|" + "---|" * (len(grid) + len(shown) + 1)]
    for values, g in groups:
        values = values if isinstance(values, tuple) else (values,)
        cells = [str(v) for v in values] + [f"{g[m].mean():.3f}" for m in shown] + [f"{g[metric].min():.3f}"]
        lines.append("| " + " | ".join(cells) + " |")
    for values, g in groups:
        values = values if isinstance(values, tuple) else (values,)
        title = ", ".join(f"{k} = {v}" for k, v in zip(grid, values)) or "IRP defaults"
        lines += [f"\n## {metric}: {title} (rows: source, columns: target)\n",
                  "| source \\ target | " + " | ".join(spaces) + " |", "|---|" + "---|" * len(spaces)]
        value = {(r.source, r.target): getattr(r, metric) for r in g.itertuples()}
        for s in spaces:
            lines.append(f"| {s} | " + " | ".join("—" if s == t else f"{value[(s, t)]:.3f}" for t in spaces) + " |")
    return "\n".join(lines) + "\n"
