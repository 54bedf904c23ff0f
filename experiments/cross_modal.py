"""Cross-modal stitching on the emoji (the paper's image <-> text system): the tables of
``docs/CROSS_MODAL.md``.

    python -m experiments.cross_modal                        # print the tables (markdown)
    python -m experiments.cross_modal --write docs/CROSS_MODAL.md

Every number comes from :func:`irp_core.scoring.score_pair` on the shipped cache (datasets
``emoji`` and ``emoji_names``), at two presets: the library's defaults (``IRP()``) and the paper's
(centring none, ridge 0, ω 8, δ 0.7). For every ordered pair of ``emoji``'s encoders (3 image, 4
text), the target's linear head classifies the translated test items (zero-shot), the raw source
vectors where dims match (absolute) and the target's own vectors (non-stitch); reconstruction
similarity is cos(translated, true target vector), raw and centred. Pairs are grouped by
direction (image -> text, text -> image, image -> image, text -> text). Then: language vs vision
encoders as sources, the effect of the anchor count K, and the cross-lingual cosines of the emoji
names (es/fr/ja -> en, ``emoji_names``).
"""

from __future__ import annotations

import argparse
import itertools
import os
import time
from pathlib import Path

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "2")

import numpy as np  # noqa: E402

from irp_core import IRP  # noqa: E402
from irp_core.cache import load_dataset  # noqa: E402
from irp_core.scoring import score_pair  # noqa: E402

from .measure import crosslingual_rows, mean_std, measure_pairs  # noqa: E402

PRESETS: dict[str, dict] = {
    "defaults": {},  # IRP(): whiten, ridge 0.3, ω 1, δ 0, every anchor
    "paper": {"center": "none", "ridge": 0.0, "omega": 8, "delta": 0.7},
}
DIRECTIONS = ("image → text", "text → image", "image → image", "text → text")
K_VALUES = (25, 50, 100, 200, 400, 800)
K_SEEDS = (0, 1, 2)
HEAD = "linear"


def direction(ds, src: str, tgt: str) -> str:
    return f"{ds.encoder_modality(src)} → {ds.encoder_modality(tgt)}"


def pair_rows(ds, params: dict, head: str = HEAD, encoders=None) -> list[dict]:
    """Every ordered pair (X != Y) of ``ds`` at IRP(**params), with its direction (image → text, …)."""
    rows = measure_pairs(ds, head_kind=head, encoders=encoders, params=params, retrieval=True)
    return [dict(src=r["src"], tgt=r["tgt"], direction=direction(ds, r["src"], r["tgt"]),
                 **{k: v for k, v in r.items() if k not in ("src", "tgt")}) for r in rows]


def direction_table(rows_by_preset: dict[str, list[dict]], d: str) -> list[str]:
    out = [f"### {d}", "",
           "| preset | pairs | zero-shot | absolute | non-stitch | recon cos | recon cos (centred) | retrieval top-1 |",
           "|---|---|---|---|---|---|---|---|"]
    for preset, rows in rows_by_preset.items():
        r = [x for x in rows if x["direction"] == d]
        n_abs = sum(x["absolute"] is not None for x in r)
        absolute = mean_std(x["absolute"] for x in r) + (f" ({n_abs} pairs)" if 0 < n_abs < len(r) else "")
        if n_abs == 0:
            absolute = "n/a (dims differ)"
        out.append(f"| {preset} | {len(r)} | {mean_std(x['zero_shot'] for x in r)} | {absolute} "
                   f"| {mean_std(x['non_stitch'] for x in r)} | {mean_std(x['recon'] for x in r)} "
                   f"| {mean_std(x['recon_centred'] for x in r)} | {mean_std(x['retrieval_top1'] for x in r)} |")
    return out + [""]


def source_table(ds, rows_by_preset: dict[str, list[dict]]) -> list[str]:
    """Language vs vision encoders as the source: mean zero-shot over targets, by source modality."""
    out = ["| preset | text sources: all targets | image sources: all targets | text → image | image → text "
           "| same-modality targets: text → text | image → image |", "|---|---|---|---|---|---|---|"]
    for preset, rows in rows_by_preset.items():
        cells = [mean_std(x["zero_shot"] for x in rows if ds.encoder_modality(x["src"]) == m)
                 for m in ("text", "image")]
        cells += [mean_std(x["zero_shot"] for x in rows if x["direction"] == d)
                  for d in ("text → image", "image → text", "text → text", "image → image")]
        out.append(f"| {preset} | " + " | ".join(cells) + " |")
    return out + [""]


def _mean(rows: list[dict], keep, key: str = "zero_shot") -> float:
    return float(np.mean([x[key] for x in rows if keep(x)]))


def source_readings(ds, rows_by_preset: dict[str, list[dict]]) -> list[str]:
    """The paper's claim (language encoders are better sources than vision ones), checked per preset
    on all pairs and across modalities, where each direction is also compared with its own
    non-stitch ceiling (the two directions decode into different heads)."""
    out = []
    for preset, rows in rows_by_preset.items():
        text_src = _mean(rows, lambda x: ds.encoder_modality(x["src"]) == "text")
        image_src = _mean(rows, lambda x: ds.encoder_modality(x["src"]) == "image")
        ti = _mean(rows, lambda x: x["direction"] == "text → image")
        it = _mean(rows, lambda x: x["direction"] == "image → text")
        ns_ti = _mean(rows, lambda x: x["direction"] == "text → image", "non_stitch")
        ns_it = _mean(rows, lambda x: x["direction"] == "image → text", "non_stitch")
        holds = text_src > image_src and ti / ns_ti > it / ns_it
        out.append(f"- **{preset}**: text sources {text_src:.3f} vs image sources {image_src:.3f} (all targets); "
                   f"text → image {ti:.3f} = {ti / ns_ti:.0%} of the image heads' non-stitch {ns_ti:.3f}, "
                   f"image → text {it:.3f} = {it / ns_it:.0%} of the text heads' non-stitch {ns_it:.3f}. "
                   + ("Language encoders are the better sources: the paper's finding holds here."
                      if holds else "The paper's finding does not hold here."))
    return out + [""]


def k_readings(rows_by_preset: dict[str, list[dict]]) -> list[str]:
    out = []
    for preset, rows in rows_by_preset.items():
        ks = sorted({r["k"] for r in rows})
        acc = {k: float(np.mean([r["zero_shot"] for r in rows if r["k"] == k])) for k in ks}
        best = max(acc, key=acc.get)
        out.append(f"- **{preset}**: all pairs {acc[ks[0]]:.2f} at K = {ks[0]}, {acc[ks[-1]]:.2f} at K = {ks[-1]} "
                   f"(best K = {best}: {acc[best]:.2f}); from K = {ks[-2]} to {ks[-1]}: "
                   f"{acc[ks[-1]] - acc[ks[-2]]:+.2f}.")
    return out + [""]


def per_encoder_table(ds, rows_by_preset: dict[str, list[dict]]) -> list[str]:
    names = list(rows_by_preset)
    out = ["| encoder | modality | " + " | ".join(f"as source ({p}) | as target ({p})" for p in names) + " |",
           "|---|---|" + "---|---|" * len(names)]
    for e in ds.encoders:
        cells = []
        for p in names:
            rows = rows_by_preset[p]
            cells += [mean_std(x["zero_shot"] for x in rows if x["src"] == e),
                      mean_std(x["zero_shot"] for x in rows if x["tgt"] == e)]
        out.append(f"| {e} | {ds.encoder_modality(e)} | " + " | ".join(cells) + " |")
    return out + [""]


def k_rows(ds, params: dict, ks=K_VALUES, seeds=K_SEEDS, head: str = HEAD) -> list[dict]:
    """Zero-shot per ordered pair at K seeded anchors (``IRP(n_anchors=K, random_state=s)``)."""
    rows = []
    n_pool = ds.space(ds.encoders[0]).anchors.shape[0]
    for k in ks:
        for seed in (seeds if k < n_pool else (0,)):  # all anchors: the subsample is the pool itself
            for src, tgt in itertools.permutations(ds.encoders, 2):
                sx, sy = ds.space(src), ds.space(tgt)
                m = score_pair(IRP(**{**params, "n_anchors": k, "random_state": seed}), sx.anchors, sy.anchors,
                               sx.test, sy.test, labels=sy.test_labels, head=ds.head(tgt, head),
                               retrieval=False, conditioning=False, absolute=False, non_stitch=False).metrics
                rows.append(dict(k=k, seed=seed, direction=direction(ds, src, tgt), zero_shot=m["zero_shot"],
                                 recon_centred=m["recon_centred"]))
    return rows


def _over_seeds(rows: list[dict], direction: str | None) -> str:
    """Per seed, the mean over the pairs of ``direction`` (None: all); then mean ± std over seeds."""
    per_seed = [np.mean([r["zero_shot"] for r in rows if r["seed"] == s and direction in (None, r["direction"])])
                for s in sorted({r["seed"] for r in rows})]
    return f"{np.mean(per_seed):.2f}" + (f" ± {np.std(per_seed):.2f}" if len(per_seed) > 1 else "")


def k_table(rows_by_preset: dict[str, list[dict]]) -> list[str]:
    out = ["| preset | K | " + " | ".join(DIRECTIONS) + " | all pairs |", "|---|---|" + "---|" * (len(DIRECTIONS) + 1)]
    for preset, rows in rows_by_preset.items():
        for k in sorted({r["k"] for r in rows}):
            rk = [r for r in rows if r["k"] == k]
            cells = [_over_seeds(rk, d) for d in (*DIRECTIONS, None)]
            out.append(f"| {preset} | {k} | " + " | ".join(cells) + " |")
    return out + [""]


def crosslingual_table(rows_by_preset: dict[str, list[dict]]) -> list[str]:
    out = ["| preset | source | IRP cos, all pairs | IRP cos, same model | IRP cos centred, all pairs "
           "| IRP cos centred, same model | IRP retrieval top-1, same model | no translation (same model): cos "
           "| centred | retrieval top-1 |", "|---|---|---|---|---|---|---|---|---|---|"]
    for preset, rows in rows_by_preset.items():
        for lang in ("es", "fr", "ja"):
            r = [x for x in rows if x["lang"] == lang]
            same = [x for x in r if x["same_model"]]
            out.append(f"| {preset} | {lang} → en | {mean_std(x['recon'] for x in r)} "
                       f"| {mean_std(x['recon'] for x in same)} "
                       f"| {mean_std(x['recon_centred'] for x in r)} | {mean_std(x['recon_centred'] for x in same)} "
                       f"| {mean_std(x['retrieval'] for x in same)} "
                       f"| {mean_std(x['absolute'] for x in same)} | {mean_std(x['absolute_centred'] for x in same)} "
                       f"| {mean_std(x['absolute_retrieval'] for x in same)} |")
    return out + [""]


def pairs_listing(rows_by_preset: dict[str, list[dict]]) -> list[str]:
    names = list(rows_by_preset)
    out = ["| source → target | direction | " + " | ".join(f"zero-shot ({p}) | recon centred ({p})" for p in names)
           + " | non-stitch | absolute |", "|---|---|" + "---|---|" * len(names) + "---|---|"]
    base = rows_by_preset[names[0]]
    for i, r in enumerate(base):
        cells = []
        for p in names:
            x = rows_by_preset[p][i]
            cells += [f"{x['zero_shot']:.3f}", f"{x['recon_centred']:.3f}"]
        a = "n/a" if r["absolute"] is None else f"{r['absolute']:.3f}"
        out.append(f"| {r['src']} → {r['tgt']} | {r['direction']} | " + " | ".join(cells)
                   + f" | {r['non_stitch']:.3f} | {a} |")
    return out + [""]


def report(ks=K_VALUES, seeds=K_SEEDS) -> str:
    t0 = time.time()
    ds = load_dataset("emoji")
    rows = {p: pair_rows(ds, params) for p, params in PRESETS.items()}
    t_pairs = time.time() - t0
    ref = ds.space(ds.encoders[0])
    lines = [f"Printed by `python -m experiments.cross_modal` (linear heads; test split of {len(ref.test_ids)} "
             f"emoji; {len(ref.anchor_ids)} anchors). Presets: defaults = `IRP()` "
             f"({IRP().get_params()['center']}, ridge {IRP().get_params()['ridge']}, ω 1, δ 0, every anchor); "
             "paper = centring none, ridge 0, ω 8, δ 0.7. Mean ± std over ordered pairs.", ""]
    lines += ["## Per direction", ""]
    for d in DIRECTIONS:
        lines += direction_table(rows, d)
    lines += ["## Language vs vision encoders as the source (zero-shot, mean ± std over pairs)", ""]
    lines += source_table(ds, rows)
    lines += source_readings(ds, rows)
    lines += ["Per encoder (zero-shot, mean ± std over the 6 pairs it is in as source / as target):", ""]
    lines += per_encoder_table(ds, rows)
    t1 = time.time()
    krows = {p: k_rows(ds, params, ks, seeds) for p, params in PRESETS.items()}
    lines += [f"## Anchor count K (zero-shot, mean over the pairs of each direction; ± std over "
              f"{len(seeds)} seeded anchor subsets of the {max(ks)}-anchor pool)", ""]
    lines += k_table(krows)
    lines += k_readings(krows)
    t2 = time.time()
    xl_ds = load_dataset("emoji_names")
    xl = {p: crosslingual_rows(xl_ds, params=params) for p, params in PRESETS.items()}
    lines += ["## Cross-lingual: emoji names es/fr/ja → en (`emoji_names`)", "",
              "cos(translated, true English embedding of the same emoji's name), test split; mean ± std over "
              "(source encoder, English target encoder) pairs (USE-m and e5, 4 per language; same model: 2). "
              "No translation: the source vector itself compared with the same model's English vector.", ""]
    lines += crosslingual_table(xl)
    lines += ["## Every ordered pair", ""]
    lines += pairs_listing(rows)
    lines += [f"(pairs {t_pairs:.0f} s, K sweep {t2 - t1:.0f} s, cross-lingual {time.time() - t2:.0f} s)"]
    return "\n".join(lines) + "\n"


HEADER = """# Cross-modal stitching: emoji images ↔ their names

The paper's fourth system (arXiv 2406.15057) stitches across modalities. Here: 1,837 emoji, each
rendered as a colour glyph (image encoders EfficientNet-Lite0/1/2, ImageNet weights, native input
sizes) and written as its CLDR English name and keywords (text encoders USE-m, e5-small, MiniLM,
mpnet). Label = the emoji's group (9). Data, splits and timings: the `emoji` section of
`cached_embeddings/README.md`. Everything below is generated by

    python -m experiments.cross_modal --write docs/CROSS_MODAL.md

"""


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--write", type=Path, help="also write the markdown document here")
    ap.add_argument("--seeds", type=int, default=len(K_SEEDS), help="seeded anchor subsets per K")
    args = ap.parse_args(argv)
    text = report(seeds=tuple(range(args.seeds)))
    print(text)
    if args.write:
        args.write.write_text(HEADER + text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
