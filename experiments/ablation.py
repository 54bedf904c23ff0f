"""Ablation of IRP's choices on the shipped cache: what each knob does to zero-shot stitching.

    python -m experiments.ablation [--dataset D ...] [--factor F ...] [--jobs 2] [--out docs/ablation]
                                   [--scheduler tcp://HOST:8786]

One factor at a time is moved away from the chosen default (``irp_core.IRP()``'s defaults, which the
dashboard shares); every cell translates each ordered encoder pair's test split and records, per
pair: zero-shot accuracy of the target's head, non-stitch accuracy (the head on true target
vectors), reconstruction similarity on raw and centred vectors, the pruned subsets' condition
numbers and anchors kept. The rules stay zero-shot throughout: each side sees only its own anchors;
they share anchor identities. Cross-lingual cells report cos(translated, true English) instead,
with the direct baselines (fitted on both spaces) as a ceiling.

Writes ``pairs.csv`` (one row per cell and pair), ``summary.csv``, ``tables.md`` and two plots into
``--out``, and prints the tables. ``docs/ABLATION.md`` discusses them. ``--replot`` only redraws
the plots from the ``pairs.csv`` already in ``--out``.
"""

from __future__ import annotations

import argparse
import csv
import functools
import itertools
import os
import pathlib
import sys
import time
from dataclasses import dataclass, field

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import numpy as np  # noqa: E402
from joblib import Parallel, delayed  # noqa: E402

from irp_core import IRP, Absolute, LinearMap, Procrustes  # noqa: E402
from irp_core.cache import load_dataset  # noqa: E402
from irp_core.distributed import ENV_VAR, parallel_backend  # noqa: E402
from irp_core.relative import normalize_rows, working_frame  # noqa: E402
from irp_core.scoring import score_pair  # noqa: E402

CLASSIFICATION = ("mnist", "fashion_mnist", "fortunes")
PAPER = {"mnist": (0.88, 0.97), "fashion_mnist": (0.82, 0.91)}  # zero-shot, non-stitch (their encoders)
CROSSLINGUAL = "crosslingual"


@dataclass(frozen=True)
class Cell:
    """One setting: IRP options changed from the default, plus what is not an IRP option."""

    factor: str
    label: str
    irp: dict = field(default_factory=dict)
    head: str = "linear"
    float64: bool = False
    delta_quantile: float | None = None  # delta from the pruning side's own |cos| distribution

    def key(self) -> str:
        return f"{self.factor}: {self.label}"


def cells() -> list[Cell]:
    """The grid: the default, three reference presets, then one factor at a time."""
    plain = dict(center="none", ridge=0.0, omega=8, delta=0.7)
    pruned = dict(omega=8, delta=0.5)
    out = [
        Cell("preset", "default"),
        Cell("preset", "paper, as written: no centring, ω 8, δ 0.7, pinv", plain),
        Cell("preset", "+ centring (previous default)", dict(plain, center="anchor_mean")),
        Cell("preset", "+ centring and whitening", dict(plain, center="whiten")),
        Cell("preset", "+ centring, ridge", dict(plain, center="anchor_mean", ridge=IRP().ridge)),
        Cell("centring", "none", dict(center="none")),
        Cell("centring", "anchor mean, no whitening", dict(center="anchor_mean")),
    ]
    out += [Cell("whitening floor", f"{w:g}", dict(whiten_floor=w)) for w in (0.0, 0.001, 0.01, 0.1)]
    out += [Cell("ridge", f"{r:g}", dict(ridge=r)) for r in (0.0, 0.03, 0.1, 1.0)]
    out += [Cell("δ (ω 8)", f"{d:g}", dict(omega=8, delta=d)) for d in (0.5, 0.7, 0.9)]
    out += [Cell("δ from |cos| quantile (ω 8)", f"q {q:g}", dict(omega=8), delta_quantile=q)
            for q in (0.05, 0.25, 0.5)]
    out += [Cell("prune on (ω 8, δ 0.5)", side, dict(pruned, prune_on=side)) for side in ("source", "target", "both")]
    out += [Cell("ω (δ 0.5)", f"{w}", dict(omega=w, delta=0.5)) for w in (1, 4, 16)]
    out += [Cell("K anchors", f"{k}", dict(n_anchors=k)) for k in (250, 500, 1000)]
    out += [Cell("rescale", r, dict(rescale=r)) for r in ("anchor_median_norm", "none")]
    out += [Cell("completion (ω 8, δ 0.5)", "on", dict(pruned, completion=True)),
            Cell("completion (ω 8, δ 0.5)", "off", dict(pruned))]
    out += [Cell("precision", "float64", float64=True), Cell("head", "mlp", head="mlp")]
    return out


@functools.lru_cache(maxsize=8)
def _dataset(name: str):
    return load_dataset(name)


def _delta_from_quantile(ds, src: str, tgt: str, params: dict, q: float) -> float:
    """δ such that a fraction q of anchor pairs on the pruning side are farther apart than it."""
    side = tgt if params.get("prune_on") == "target" else src
    a = np.asarray(ds.space(side).anchors, dtype=np.float64)
    defaults = IRP()
    frame = working_frame(a, params.get("center", defaults.center),
                          params.get("whiten_floor", defaults.whiten_floor))  # where pruning works
    a = normalize_rows(frame.to_working(a))
    dist = 1.0 - np.abs(a @ a.T)[np.triu_indices(len(a), 1)]
    return float(np.clip(np.quantile(dist, 1.0 - q), 0.0, 0.99))


def run_pair(name: str, cell: Cell, src: str, tgt: str) -> dict:
    """Fit on the anchors, translate the test split, score: one row of ``pairs.csv``."""
    ds = _dataset(name)
    sx, sy = ds.space(src), ds.space(tgt)
    dtype = np.float64 if cell.float64 else np.float32
    params = dict(cell.irp)
    if cell.delta_quantile is not None:
        params["delta"] = _delta_from_quantile(ds, src, tgt, params, cell.delta_quantile)
    xl = name == CROSSLINGUAL
    # (the heads compute in float64: the float64 copy of the float32 test split scores the same)
    score = score_pair(IRP(**params), sx.anchors, sy.anchors, np.asarray(sx.test, dtype=dtype), sy.test,
                       labels=None if xl else sy.test_labels, head=None if xl else ds.head(tgt, cell.head),
                       retrieval=False)
    m = score.metrics
    row = dict(dataset=name, factor=cell.factor, label=cell.label, src=src, tgt=tgt,
               recon=m["recon"], recon_centred=m["recon_centred"], cond_mean=m["cond_mean"], kept_mean=m["kept_mean"],
               delta=float(score.translator.delta), fit_s=score.fit_seconds)
    if xl:
        row["same_model"] = ds.encoder_info[src].get("model") == ds.encoder_info[tgt].get("model")
        return row
    absolute = float("nan") if m["absolute"] is None else m["absolute"]  # nan: dims differ
    row.update(zero_shot=m["zero_shot"], non_stitch=m["non_stitch"], absolute=absolute)
    return row


def run_direct(name: str, src: str, tgt: str) -> list[dict]:
    """The direct baselines, fitted on both anchor sets: a ceiling for cross-lingual similarity."""
    ds = _dataset(name)
    sx, sy = ds.space(src), ds.space(tgt)
    same = ds.encoder_info[src].get("model") == ds.encoder_info[tgt].get("model")
    models = [("direct: affine least squares", LinearMap()), ("direct: Procrustes", Procrustes())]
    if same:  # the same multilingual model on both sides: no translation at all
        models.append(("no translation", Absolute()))
    rows = []
    for label, model in models:
        m = score_pair(model, sx.anchors, sy.anchors, sx.test, sy.test, retrieval=False).metrics
        rows.append(dict(dataset=name, factor="direct baseline (not zero-shot)", label=label, src=src, tgt=tgt,
                         recon=m["recon"], recon_centred=m["recon_centred"], same_model=same))
    return rows


def pairs_of(name: str) -> list[tuple[str, str]]:
    ds = _dataset(name)
    if name != CROSSLINGUAL:
        return list(itertools.permutations(ds.encoders, 2))
    en = [e for e in ds.encoders if ds.language(e) == "en"]
    return [(s, t) for s in ds.encoders if ds.language(s) != "en" for t in en]


# ------------------------------------------------------------------------------------ reporting
def _mean(rows, key):
    v = np.array([r[key] for r in rows if key in r and r[key] == r[key]], dtype=float)
    return float(v.mean()) if v.size else float("nan")


def summarise(rows: list[dict]) -> list[dict]:
    """One line per (dataset, cell): the issue's metrics."""
    groups: dict[tuple, list[dict]] = {}
    for r in rows:
        groups.setdefault((r["dataset"], r["factor"], r["label"]), []).append(r)
    out = []
    for (name, factor, label), g in groups.items():
        s = dict(dataset=name, factor=factor, label=label, pairs=len(g), recon=_mean(g, "recon"),
                 recon_centred=_mean(g, "recon_centred"), cond_mean=_mean(g, "cond_mean"),
                 kept_mean=_mean(g, "kept_mean"), fit_s_median=float(np.median([r.get("fit_s", np.nan) for r in g])))
        if name == CROSSLINGUAL:
            same = [r for r in g if r.get("same_model")]
            s["recon_centred_same_model"] = _mean(same, "recon_centred")
        else:
            acc = np.array([r["zero_shot"] for r in g])
            s.update(zero_shot=float(acc.mean()), zero_shot_min=float(acc.min()), non_stitch=_mean(g, "non_stitch"),
                     gap=_mean(g, "non_stitch") - float(acc.mean()), absolute=_mean(g, "absolute"))
        out.append(s)
    return out


def pearson(rows: list[dict], key: str) -> float:
    x = np.array([r[key] for r in rows if "zero_shot" in r], dtype=float)
    y = np.array([r["zero_shot"] for r in rows if "zero_shot" in r], dtype=float)
    return float(np.corrcoef(x, y)[0, 1]) if x.size > 2 else float("nan")


def _f(v, digits=3) -> str:
    return "n/a" if v is None or v != v else f"{v:.{digits}f}"


def tables(summary: list[dict], rows: list[dict]) -> str:
    lines = []
    for name in [n for n in CLASSIFICATION if any(s["dataset"] == n for s in summary)]:
        lines += [f"\n### {name}\n",
                  "| factor | setting | zero-shot mean | min | gap to non-stitch | recon | recon centred "
                  "| cond. (mean) | kept (mean) | fit s |",
                  "|---|---|---|---|---|---|---|---|---|---|"]
        for s in (s for s in summary if s["dataset"] == name):
            lines.append(f"| {s['factor']} | {s['label']} | {_f(s['zero_shot'])} | {_f(s['zero_shot_min'])} "
                         f"| {_f(s['gap'])} | {_f(s['recon'])} | {_f(s['recon_centred'])} | {_f(s['cond_mean'], 1)} "
                         f"| {_f(s['kept_mean'], 0)} | {_f(s['fit_s_median'], 2)} |")
        d = next(s for s in summary if s["dataset"] == name and s["label"] == "default")
        lines.append(f"\nnon-stitch {_f(d['non_stitch'])}, absolute (equal dims only) {_f(d['absolute'])}"
                     + (f"; paper (their encoders): zero-shot {PAPER[name][0]}, non-stitch {PAPER[name][1]}"
                        if name in PAPER else ""))
    xl = [s for s in summary if s["dataset"] == CROSSLINGUAL]
    if xl:
        lines += ["\n### crosslingual: cos(es/fr/ja → en), test split\n",
                  "| factor | setting | centred, all pairs | centred, same model | raw, all pairs |",
                  "|---|---|---|---|---|"]
        for s in xl:
            lines.append(f"| {s['factor']} | {s['label']} | {_f(s['recon_centred'])} "
                         f"| {_f(s['recon_centred_same_model'])} | {_f(s['recon'])} |")
    cls = [r for r in rows if "zero_shot" in r]
    if cls:
        lines += ["\n### reconstruction similarity against zero-shot accuracy (every cell and pair)\n",
                  f"Pearson r: raw {_f(pearson(cls, 'recon'))}, centred {_f(pearson(cls, 'recon_centred'))} "
                  f"({len(cls)} cell-pairs)"]
        for name in CLASSIFICATION:
            sub = [r for r in cls if r["dataset"] == name]
            if sub:
                lines.append(f"- {name}: raw {_f(pearson(sub, 'recon'))}, centred {_f(pearson(sub, 'recon_centred'))}")
    return "\n".join(lines) + "\n"


def plots(summary: list[dict], rows: list[dict], out: pathlib.Path) -> list[pathlib.Path]:
    """Zero-shot accuracy per cell, and reconstruction similarity against accuracy (PNG)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no plots (pip install matplotlib)")
        return []
    names = [n for n in CLASSIFICATION if any(s["dataset"] == n for s in summary)]
    labels = list(dict.fromkeys(f"{s['factor']}: {s['label']}" for s in summary if s["dataset"] in names))
    fig, ax = plt.subplots(figsize=(10, 0.24 * len(labels) + 1.5))
    y = np.arange(len(labels))
    for i, name in enumerate(names):
        acc = {f"{s['factor']}: {s['label']}": s["zero_shot"] for s in summary if s["dataset"] == name}
        bar = ax.barh(y + (i - 1) * 0.27, [acc.get(lab, np.nan) for lab in labels], height=0.27, label=name)
        if name in PAPER:
            ax.axvline(PAPER[name][0], color=bar.patches[0].get_facecolor(), ls=":", lw=1.2,
                       label=f"{name}: paper's zero-shot")
    ax.set_yticks(y, labels, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("mean zero-shot accuracy over ordered pairs")
    fig.legend(*ax.get_legend_handles_labels(), fontsize=8, loc="upper center", ncol=3, frameon=False,
               bbox_to_anchor=(0.5, 0.055))  # below the axis label, clear of the bars
    bars = out / "zero_shot_by_cell.png"
    fig.savefig(bars, dpi=110, bbox_inches="tight")  # the longest labels are not cropped
    plt.close(fig)
    fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
    cls = [r for r in rows if "zero_shot" in r]
    for ax, key in zip(axes, ("recon", "recon_centred")):
        for name in names:
            sub = [r for r in cls if r["dataset"] == name]
            ax.scatter([r[key] for r in sub], [r["zero_shot"] for r in sub], s=6, alpha=0.5, label=name)
        ax.set_xlabel(f"reconstruction similarity ({'raw' if key == 'recon' else 'centred'}), r = "
                      f"{pearson(cls, key):.2f}")
    axes[0].set_ylabel("zero-shot accuracy")
    axes[0].legend(fontsize=8)
    scatter = out / "recon_vs_accuracy.png"
    fig.savefig(scatter, dpi=110, bbox_inches="tight")
    plt.close(fig)
    return [bars, scatter]


def load_rows(path: pathlib.Path) -> list[dict]:
    """``pairs.csv`` back as rows (numbers as floats), e.g. to re-summarise a run."""
    def value(v: str):
        if v in ("True", "False"):
            return v == "True"
        try:
            return float(v)
        except ValueError:
            return v

    names = ("dataset", "factor", "label", "src", "tgt")
    with open(path, encoding="utf-8") as f:
        return [{k: (v if k in names else value(v)) for k, v in r.items() if v != ""} for r in csv.DictReader(f)]


def write_csv(path: pathlib.Path, rows: list[dict]) -> None:
    keys = list(dict.fromkeys(k for r in rows for k in r))
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=keys)
        w.writeheader()
        w.writerows({k: (f"{v:.6g}" if isinstance(v, float) else v) for k, v in r.items()} for r in rows)


def replot(out: pathlib.Path) -> int:
    """Redraw the plots of a finished run (its ``pairs.csv``) without translating anything."""
    path = out / "pairs.csv"
    if not path.is_file():
        print(f"no {path}: run the ablation first", file=sys.stderr)
        return 2
    rows = load_rows(path)
    made = plots(summarise(rows), rows, out)
    print("wrote", ", ".join(str(p) for p in made))
    return 0 if made else 1


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dataset", action="append", help=f"default: {', '.join(CLASSIFICATION)} and {CROSSLINGUAL}")
    ap.add_argument("--factor", action="append", help="only cells of these factors (plus the default)")
    ap.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    ap.add_argument("--scheduler", help=f"run the cells on this Dask scheduler (default: ${ENV_VAR}, else "
                    "locally); the workers need irp_core and the cache (IRP_CACHE_DIR)")
    ap.add_argument("--out", default="docs/ablation", help="folder for the CSVs, tables and plots")
    ap.add_argument("--replot", action="store_true",
                    help="only redraw the plots from the pairs.csv a finished run left in --out")
    args = ap.parse_args(argv)
    if args.replot:
        return replot(pathlib.Path(args.out))
    names = args.dataset or [*CLASSIFICATION, CROSSLINGUAL]
    grid = [c for c in cells() if not args.factor or c.factor in args.factor or c.label == "default"]
    xl_factors = {"preset", "centring", "whitening floor", "ridge", "K anchors"}
    # Pair-major order: a worker's decomposition caches (irp_core.memo) then
    # serve the same anchors across cells.
    tasks = [(n, c, s, t) for n in names for s, t in pairs_of(n) for c in grid
             if n != CROSSLINGUAL or c.factor in xl_factors]
    order = {c.key(): i for i, c in enumerate(grid)}
    direct = [(n, s, t) for n in names if n == CROSSLINGUAL for s, t in pairs_of(n)]
    print(f"{len(grid)} cells, {len(tasks)} translations on {', '.join(names)}; IRP defaults: {IRP().get_params()}",
          flush=True)
    t0 = time.time()
    # Workers must find the task functions by module name, not as ``__main__`` (python -m).
    from experiments import ablation as mod

    with parallel_backend(args.scheduler) as client:
        jobs = -1 if client is not None else args.jobs  # on a cluster: every worker
        rows = Parallel(n_jobs=jobs, verbose=5)(delayed(mod.run_pair)(*task) for task in tasks)
        rows += [r for rs in Parallel(n_jobs=jobs)(delayed(mod.run_direct)(*d) for d in direct) for r in rs]
    rows.sort(key=lambda r: (names.index(r["dataset"]), order.get(f"{r['factor']}: {r['label']}", len(order))))
    summary = summarise(rows)
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    write_csv(out / "pairs.csv", rows)
    write_csv(out / "summary.csv", summary)
    text = (f"Generated by `python -m experiments.ablation` ({len(tasks)} translations, "
            f"{time.time() - t0:.0f} s). IRP defaults: `{IRP().get_params()}`; linear heads and float32 input "
            f"unless the row says otherwise.\n" + tables(summary, rows))
    (out / "tables.md").write_text(text, encoding="utf-8")
    made = plots(summary, rows, out)
    print(text)
    print("wrote", ", ".join(str(p) for p in [out / "pairs.csv", out / "summary.csv", out / "tables.md", *made]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
