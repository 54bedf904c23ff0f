"""Measure IRP on the shipped cache: the numbers of the data card's table.

    python -m experiments.measure [--dataset D ...] [--omega W] [--delta D] [--head linear]

For every ordered pair (source encoder X, target encoder Y) of a dataset, IRP is fitted on the
parallel anchor pools and translates X's test split into Y; Y's classifier head (trained on Y's own,
unshipped training embeddings) then classifies the translated vectors ("zero-shot"), X's raw vectors
where dims match ("absolute") and Y's true vectors ("non-stitch"). Reconstruction similarity is
cos(translated, true Y vector) of the same item, raw and after centring on the true vectors' mean.
Cross-lingual: es/fr/ja spaces translated into the English spaces, cosine with the true English
embedding of the same message. Prints markdown; only numbers printed here go into the data card.
"""

from __future__ import annotations

import argparse
import itertools
import os
import time

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "2")

import numpy as np  # noqa: E402

from irp_core import IRP, Absolute  # noqa: E402
from irp_core.cache import list_datasets, load_dataset  # noqa: E402
from irp_core.scoring import score_pair  # noqa: E402

PAIR_METRICS = ("zero_shot", "absolute", "non_stitch", "recon", "recon_centred")


def mean_std(values) -> str:
    """"mean ± std" of the values that are not None, or "n/a": one cell of the printed tables."""
    v = np.asarray([x for x in values if x is not None], dtype=float)
    if v.size == 0:
        return "n/a"
    return f"{v.mean():.2f} ± {v.std():.2f}"


def _options(omega: int | None, delta: float | None) -> dict:
    """IRP's defaults, with omega/delta overridden where given."""
    return {k: v for k, v in (("omega", omega), ("delta", delta)) if v is not None}


def measure_pairs(ds, omega: float | None = None, delta: float | None = None, head_kind: str = "linear",
                  encoders=None, params: dict | None = None, retrieval: bool = False) -> list[dict]:
    """Every ordered pair (X != Y) of ``ds``, scored by ``score_pair`` with IRP's defaults
    (``omega``/``delta`` overridden where given) or ``params``; with ``retrieval``, also its top-1."""
    params = _options(omega, delta) if params is None else params
    keys = PAIR_METRICS + (("retrieval_top1",) if retrieval else ())
    rows = []
    for src, tgt in itertools.permutations(encoders or ds.encoders, 2):
        sx, sy = ds.space(src), ds.space(tgt)
        assert np.array_equal(sx.anchor_ids, sy.anchor_ids) and np.array_equal(sx.test_ids, sy.test_ids)
        m = score_pair(IRP(**params), sx.anchors, sy.anchors, sx.test, sy.test, labels=sy.test_labels,
                       head=ds.head(tgt, head_kind), retrieval=retrieval, conditioning=False).metrics
        rows.append(dict(src=src, tgt=tgt, **{k: m[k] for k in keys}))
    return rows


def crosslingual_rows(ds, omega: float | None = None, delta: float | None = None,
                      params: dict | None = None) -> list[dict]:
    """es/fr/ja spaces (USE-m, e5) translated into every English space, with IRP's defaults
    (``omega``/``delta`` overridden where given) or ``params``. Beside each, no translation at all:
    the raw source vectors against the true English ones, where dims allow (``absolute*``, else None)."""
    params = _options(omega, delta) if params is None else params
    rows = []
    en = [e for e in ds.encoders if ds.language(e) == "en"]
    for src in ds.encoders:
        lang = ds.language(src)
        if lang == "en":
            continue
        for tgt in en:
            sx, sy = ds.space(src), ds.space(tgt)
            m = score_pair(IRP(**params), sx.anchors, sy.anchors, sx.test, sy.test, conditioning=False).metrics
            raw = (score_pair(Absolute(), sx.anchors, sy.anchors, sx.test, sy.test).metrics
                   if sx.dim == sy.dim else {})
            rows.append(dict(src=src, tgt=tgt, lang=lang, recon=m["recon"], recon_centred=m["recon_centred"],
                             retrieval=m["retrieval_top1"], absolute=raw.get("recon"),
                             absolute_centred=raw.get("recon_centred"), absolute_retrieval=raw.get("retrieval_top1"),
                             same_model=ds.encoder_info[src].get("model") == ds.encoder_info[tgt].get("model")))
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dataset", action="append")
    ap.add_argument("--omega", type=int, default=None, help="default: IRP's")
    ap.add_argument("--delta", type=float, default=None, help="default: IRP's")
    ap.add_argument("--head", default="linear", choices=["linear", "mlp"])
    ap.add_argument("--pairs", action="store_true", help="also print every ordered pair")
    args = ap.parse_args(argv)
    names = args.dataset or list_datasets()
    print(f"IRP({IRP(**_options(args.omega, args.delta)).get_params()}); {args.head} heads\n")
    print("| dataset | encoders | ordered pairs | zero-shot | absolute (equal dims) | non-stitch "
          "| recon cos | recon cos (centred) |")
    print("|---|---|---|---|---|---|---|---|")
    details, xl = {}, {}
    for name in names:
        t = time.time()
        ds = load_dataset(name)
        rows = measure_pairs(ds, args.omega, args.delta, args.head)
        details[name] = rows
        n_abs = sum(r["absolute"] is not None for r in rows)
        print(f"| {name} | {len(ds.encoders)} | {len(rows)} | {mean_std(r['zero_shot'] for r in rows)} "
              f"| {mean_std(r['absolute'] for r in rows)} ({n_abs} pairs) | {mean_std(r['non_stitch'] for r in rows)} "
              f"| {mean_std(r['recon'] for r in rows)} | {mean_std(r['recon_centred'] for r in rows)} |", flush=True)
        if ds.languages:  # crosslingual, emoji_names
            xl[name] = crosslingual_rows(ds, args.omega, args.delta)
        details[name + "_seconds"] = time.time() - t
    for name, rows in xl.items():
        print(f"\nCross-lingual ({name}): cos(translated, true English embedding), test split, mean ± std over "
              "(source encoder, English target encoder) pairs\n")
        print("| source language | all pairs | same model (USE-m->USE-m, e5->e5) | centred, all pairs "
              "| absolute (same model, no translation) |")
        print("|---|---|---|---|---|")
        for lang in ("es", "fr", "ja"):
            r = [x for x in rows if x["lang"] == lang]
            same = [x for x in r if x["same_model"]]
            print(f"| {lang} -> en | {mean_std(x['recon'] for x in r)} | {mean_std(x['recon'] for x in same)} "
                  f"| {mean_std(x['recon_centred'] for x in r)} | {mean_std(x['absolute'] for x in same)} |")
    if args.pairs:
        for name in names:
            print(f"\n{name}: per ordered pair (zero-shot / absolute / non-stitch / recon / recon centred)")
            for r in details[name]:
                a = "n/a" if r["absolute"] is None else f"{r['absolute']:.3f}"
                print(f"  {r['src']:>20} -> {r['tgt']:<20} {r['zero_shot']:.3f} / {a} / "
                      f"{r['non_stitch']:.3f} / {r['recon']:.3f} / {r['recon_centred']:.3f}")
        for name, rows in xl.items():
            print(f"\n{name}, per pair (cos / centred / absolute)")
            for r in rows:
                a = "n/a" if r["absolute"] is None else f"{r['absolute']:.3f}"
                print(f"  {r['src']:>12} -> {r['tgt']:<12} {r['recon']:.3f} / {r['recon_centred']:.3f} / {a}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
