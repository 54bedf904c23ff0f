"""The defaults' measured quality on the shipped cache, pinned: a regression in the method, its
defaults or the cache fails here. Figures from ``python -m experiments.ablation`` (the
"default" rows of ``docs/ablation/tables.md``); see ``docs/ABLATION.md``."""

from __future__ import annotations

import numpy as np
import pytest

from dashboard import defaults
from experiments.measure import crosslingual_rows, measure_pairs
from irp_core.cache import load_dataset

# dataset: (measured mean zero-shot accuracy over ordered pairs, floor for the worst pair, target)
PINNED = {
    "mnist": (0.937, 0.85, 0.88),  # target: the paper's 0.88
    "fashion_mnist": (0.843, 0.75, 0.82),  # target: the paper's 0.82
    "fortunes": (0.611, 0.45, None),  # non-stitch is 0.62: the heads cap it
}
TOLERANCE = 0.02  # all pairs use fixed seeds: the spread is BLAS rounding, far below this
XL_PINNED = 0.598  # cos(es/fr/ja -> en) on centred vectors, all pairs; the paper's 0.97 is out of reach


@pytest.mark.slow  # every ordered pair of a dataset: 6-8 s per large dataset
@pytest.mark.parametrize("name", list(PINNED))
def test_default_zero_shot_accuracy(name):
    rows = measure_pairs(load_dataset(name), None, None, defaults.HEAD)
    acc = np.array([r["zero_shot"] for r in rows])
    measured, worst_floor, target = PINNED[name]
    assert acc.mean() == pytest.approx(measured, abs=TOLERANCE), acc
    assert acc.min() >= worst_floor, {f"{r['src']}->{r['tgt']}": round(r["zero_shot"], 3) for r in rows}
    if target is not None:
        assert acc.mean() >= target
    # Without translation the target head is near chance (10 classes), where dims even allow it
    # (every shipped dataset has pairs of equal dimension, so there is always something to check).
    absolute = [r["absolute"] for r in rows if r["absolute"] is not None]
    assert absolute and np.mean(absolute) < 0.2, absolute
    # and translation closes most of the gap to the head on true target vectors.
    assert np.mean([r["non_stitch"] for r in rows]) - acc.mean() < 0.1


@pytest.mark.slow  # about 10 s
def test_default_crosslingual_similarity():
    rows = crosslingual_rows(load_dataset("crosslingual"), None, None)
    centred = np.array([r["recon_centred"] for r in rows])
    assert centred.mean() == pytest.approx(XL_PINNED, abs=TOLERANCE)
    assert {r["lang"] for r in rows} == {"es", "fr", "ja"}


# emoji (image <-> text, 9 groups): mean zero-shot per direction at the defaults, from
# ``python -m experiments.cross_modal`` (docs/CROSS_MODAL.md), and a floor for the worst
# cross-modal pair (image -> text or text -> image)
EMOJI_PINNED = {"all": 0.744, "image → text": 0.698, "text → image": 0.744,
                "image → image": 0.744, "text → text": 0.789}
EMOJI_WORST_CROSS_MODAL_FLOOR = 0.55  # measured 0.616 (efficientnet_lite2 -> e5_small)
EMOJI_XL_PINNED = 0.596  # cos(es/fr/ja -> en) on centred vectors, all pairs, emoji_names


def test_default_cross_modal_accuracy_on_emoji():
    from experiments.cross_modal import pair_rows

    rows = pair_rows(load_dataset("emoji"), {}, defaults.HEAD)
    assert len(rows) == 42 and {r["direction"] for r in rows} == set(EMOJI_PINNED) - {"all"}
    for direction, measured in EMOJI_PINNED.items():
        acc = [r["zero_shot"] for r in rows if direction in ("all", r["direction"])]
        assert np.mean(acc) == pytest.approx(measured, abs=TOLERANCE), (direction, np.round(acc, 3))
    cross = {f"{r['src']}->{r['tgt']}": round(r["zero_shot"], 3) for r in rows
             if r["direction"] in ("image → text", "text → image")}
    assert min(cross.values()) >= EMOJI_WORST_CROSS_MODAL_FLOOR, cross
    # every pair far above the majority group's share (People & Body) and close to non-stitch
    labels = load_dataset("emoji").space("use_m").test_labels
    assert min(r["zero_shot"] for r in rows) > 2 * np.bincount(labels).max() / len(labels)
    assert np.mean([r["non_stitch"] for r in rows]) - np.mean([r["zero_shot"] for r in rows]) < 0.1


def test_default_crosslingual_similarity_on_emoji_names():
    rows = crosslingual_rows(load_dataset("emoji_names"), None, None)
    centred = np.array([r["recon_centred"] for r in rows])
    assert centred.mean() == pytest.approx(EMOJI_XL_PINNED, abs=TOLERANCE)
    assert {r["lang"] for r in rows} == {"es", "fr", "ja"} and len(rows) == 12


def test_ablation_command_writes_its_tables(tmp_path):
    """The ablation's own code path, on a slice: its default row is the pinned figure."""
    from experiments import ablation

    assert ablation.main(["--dataset", "fortunes", "--factor", "head", "--jobs", "1", "--out", str(tmp_path)]) == 0
    rows = {(r["factor"], r["label"]): r for r in ablation.summarise(ablation.load_rows(tmp_path / "pairs.csv"))}
    assert float(rows[("preset", "default")]["zero_shot"]) == pytest.approx(PINNED["fortunes"][0], abs=TOLERANCE)
    assert ("head", "mlp") in rows
    text = (tmp_path / "tables.md").read_text(encoding="utf-8")
    assert "### fortunes" in text and "| head | mlp |" in text and "Pearson r" in text
    plots = [tmp_path / "zero_shot_by_cell.png", tmp_path / "recon_vs_accuracy.png"]
    for p in plots:
        p.unlink()
    assert ablation.main(["--replot", "--out", str(tmp_path)]) == 0  # redrawn from pairs.csv alone
    assert all(p.stat().st_size > 10_000 for p in plots)
    assert ablation.main(["--replot", "--out", str(tmp_path / "empty")]) == 2  # no run there
