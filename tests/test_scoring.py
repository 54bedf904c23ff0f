"""The one pair scorer (irp_core.scoring) and its callers: same numbers, same names everywhere."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from irp_core import IRP, Absolute, IRPWarning, LinearMap, Procrustes, metrics
from irp_core.heads import LinearHead
from irp_core.scoring import METRICS, PairScore, score_pair

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def rotated():
    """Labelled blobs and an exact rotation (times 3) of them: anchors, test split, labels, head."""
    rng = np.random.default_rng(0)
    centres = rng.normal(scale=4, size=(3, 16))
    labels = rng.integers(3, size=900)
    x = centres[labels] + rng.normal(size=(900, 16))
    q, _ = np.linalg.qr(rng.normal(size=(16, 16)))
    y = 3 * x @ q
    head = LinearHead().fit(y[600:], labels[600:])  # trained on the target's own vectors
    return x[:300], y[:300], x[300:600], y[300:600], labels[300:600], head


def test_an_exact_rotation_scores_one(rotated):
    ax, ay, tx, ty, _, _ = rotated
    for translator in (IRP(center="none", ridge=0.0), LinearMap()):  # undamped IRP: exact directions
        score = score_pair(translator, ax, ay, tx, ty)
        m = score.metrics
        assert m["recon"] == pytest.approx(1.0, abs=1e-6), type(translator).__name__
        assert m["retrieval_top1"] == 1.0 and m["n_anchors"] == 300
        assert score.pred.shape == ty.shape and score.recon_per_sample.shape == (len(ty),)
        np.testing.assert_allclose(score.recon_per_sample, 1.0, atol=1e-6)
        assert score.translator is translator  # fitted in place and handed back
    # centred, the norms count too: IRP rescales every output to the anchors' mean norm
    assert score.metrics["recon_centred"] == pytest.approx(1.0, abs=1e-6)  # the affine map is exact
    irp = score_pair(IRP(center="none", ridge=0.0), ax, ay, tx, ty).metrics
    assert 0.99 < irp["recon_centred"] < 1 - 1e-4


def test_head_metrics_are_the_head_on_each_input(rotated):
    ax, ay, tx, ty, labels, head = rotated
    score = score_pair(IRP(omega=4, delta=0.2), ax, ay, tx, ty, labels=labels, head=head, confusion=True,
                       n_classes=3)
    m = score.metrics
    assert m["zero_shot"] == metrics.stitching_accuracy(head, score.pred, labels) > 0.9
    assert m["non_stitch"] == metrics.stitching_accuracy(head, ty, labels)
    assert m["absolute"] == metrics.stitching_accuracy(head, tx, labels) < m["zero_shot"]  # same dims
    assert np.array_equal(score.pred_labels, head.predict(score.pred))
    assert score.confusion.shape == (3, 3) and score.confusion.sum() == len(labels)
    assert np.trace(score.confusion) / len(labels) == pytest.approx(m["zero_shot"])
    # dims differ: no absolute figure; no labels or no head: no head metrics at all
    small = score_pair(IRP(), ax[:, :12], ay, tx[:, :12], ty, labels=labels, head=head).metrics
    assert small["absolute"] is None and "zero_shot" in small
    assert not {"zero_shot", "absolute", "non_stitch"} & set(score_pair(IRP(), ax, ay, tx, ty, head=head).metrics)


def test_names_and_flags(rotated):
    ax, ay, tx, ty, labels, head = rotated
    irp = IRP(omega=3, delta=0.3)
    full = score_pair(irp, ax, ay, tx, ty, labels=labels, head=head, cond_full=True).metrics
    assert list(full) == [k for k in METRICS if k in full]  # canonical names, canonical order
    assert set(full) == set(METRICS)
    assert full["kept_min"] <= full["kept_mean"] <= full["kept_max"] == max(irp.n_anchors_kept_)
    assert full["cond_mean"] == pytest.approx(np.mean(irp.condition_numbers_))
    # ridge-damped: at most the bound (1 + ρ) / (2 √ρ), and far below the raw figure
    assert 1.0 <= full["cond_damped_max"] <= (1 + irp.ridge) / (2 * np.sqrt(irp.ridge)) + 1e-12 < full["cond_max"]
    assert full["cond_full"] == irp.condition_number_full_
    light = score_pair(IRP(omega=3, delta=0.3), ax, ay, tx, ty, labels=labels, head=head, retrieval=False,
                       non_stitch=False, absolute=False, conditioning=False).metrics
    assert set(light) == {"recon", "recon_centred", "zero_shot", "kept_mean", "kept_min", "kept_max", "n_anchors"}
    assert {k: light[k] for k in light} == {k: full[k] for k in light}  # the flags only leave things out
    base = score_pair(Procrustes(), ax, ay, tx, ty, cond_full=True).metrics  # no pruning, no conditioning
    assert set(base) == {"recon", "recon_centred", "retrieval_top1", "n_anchors"}


def test_pred_dtype_and_timing(rotated):
    ax, ay, tx, ty, _, _ = rotated
    score = score_pair(IRP(), ax, ay, tx, ty, pred_dtype=np.float32)
    assert isinstance(score, PairScore) and score.pred.dtype == np.float32 and score.fit_seconds > 0
    assert score.metrics["recon"] == metrics.reconstruction_similarity(score.pred, ty)[0]


def test_warnings_captured_or_passed_through(rotated):
    ax, ay, tx, ty, _, _ = rotated
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a warning that escaped would fail here
        score = score_pair(IRP(), ax[:8], ay[:8], tx, ty, capture_warnings=True)
    assert any("only 8 anchors" in w for w in score.warnings)
    assert score.warnings == sorted(set(score.warnings))
    with pytest.warns(IRPWarning, match="only 8 anchors"):
        assert score_pair(IRP(), ax[:8], ay[:8], tx, ty).warnings == []


def test_non_finite_translation_is_an_error(rotated):
    ax, ay, tx, ty, _, _ = rotated

    class Broken(Absolute):
        def transform(self, x):
            return np.full(np.shape(x), np.nan)

    with pytest.raises(ValueError, match="Broken produced non-finite vectors"):
        score_pair(Broken(), ax, ay, tx, ty)


def _cli_evaluate(tmp_path, ax, ay, tx, ty, labels, head) -> dict:
    for name, arr in (("ax", ax), ("ay", ay), ("tx", tx), ("ty", ty), ("labels", labels)):
        np.save(tmp_path / f"{name}.npy", arr)
    head.save(tmp_path / "head.npz")
    done = subprocess.run(
        [sys.executable, "-m", "irp_core", "evaluate", "--source-anchors", "ax.npy", "--target-anchors", "ay.npy",
         "--source-test", "tx.npy", "--target-test", "ty.npy", "--labels", "labels.npy", "--head", "head.npz",
         "--json"],
        capture_output=True, text=True, cwd=tmp_path, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_dashboard_sweeps_and_cli_agree_on_a_pair(tmp_path):
    """The Translate page, ``sweep_pairs`` and ``python -m irp_core evaluate`` call one scorer: the
    same pair at the default settings gives the same numbers under the same names."""
    from dashboard.views import translate as translate_view
    from dashboard.views.settings import Settings
    from irp_core import anchor_rows
    from irp_core.cache import load_dataset
    from irp_core.sweeps import sweep_pairs

    ds = load_dataset("mnist")
    src, tgt, k = "resnet10t_128", "resnet18_256", 300
    sx, sy = ds.space(src), ds.space(tgt)
    head = ds.head(tgt, "linear")
    page = translate_view.translate(ds, Settings(dataset="mnist", source=src, target=tgt, n_anchors=k)).metrics
    rows = anchor_rows(len(sx.anchors), k, 0)  # K on the page: IRP's own seeded subsample of the anchors
    spaces = {src: (sx.anchors[rows], sx.test), tgt: (sy.anchors[rows], sy.test)}
    row = next(r for r in sweep_pairs(spaces, labels=sy.test_labels, heads={tgt: head}) if r["source"] == src)
    cli = _cli_evaluate(tmp_path, sx.anchors[rows], sy.anchors[rows], sx.test, sy.test, sy.test_labels, head)
    assert set(cli) <= set(METRICS) and {"recon", "recon_centred", "zero_shot", "cond_full"} <= set(cli)
    for key in ("recon", "recon_centred", "retrieval_top1", "zero_shot", "non_stitch", "kept_mean", "cond_mean"):
        assert page[key] == row[key] == pytest.approx(cli[key], rel=1e-6), key
    assert page["absolute"] is None and row["absolute"] is None  # 128-d -> 256-d: one convention
    assert METRICS["absolute"].format(page["absolute"]) == "n/a: dims differ"
    assert page["cond_full"] == pytest.approx(cli["cond_full"], rel=1e-6)
    assert {k for k in page if not k.startswith("norm_")} <= set(METRICS)


def test_measure_and_ablation_rows_use_the_canonical_names():
    from experiments import ablation, measure
    from irp_core.cache import load_dataset

    ds = load_dataset("mnist")
    src, tgt = "resnet10t_128", "resnet18_256"
    rows = measure.measure_pairs(ds, None, None, "linear", encoders=[src, tgt])
    assert {k for r in rows for k in r} - {"src", "tgt"} <= set(METRICS)
    direct = score_pair(IRP(), ds.space(src).anchors, ds.space(tgt).anchors, ds.space(src).test, ds.space(tgt).test,
                        labels=ds.space(tgt).test_labels, head=ds.head(tgt, "linear")).metrics
    assert rows[0]["zero_shot"] == direct["zero_shot"] and rows[0]["recon_centred"] == direct["recon_centred"]
    row = ablation.run_pair("mnist", ablation.cells()[0], src, tgt)
    assert row["zero_shot"] == direct["zero_shot"] and row["recon"] == direct["recon"]
    assert np.isnan(row["absolute"])  # dims differ: NaN in the ablation's CSV


def test_the_metric_registry_declares_each_metric_once():
    """Labels, help, format and direction live in METRICS; the pages derive their tiles from it."""
    from dashboard.views import compare, translate

    labels = [m.label for m in METRICS.values()]
    assert len(set(labels)) == len(labels) and all(m.help and m.key == k for k, m in METRICS.items())
    assert {m.better for m in METRICS.values()} == {"higher", "lower", "neither"}
    assert METRICS["absolute"].format(None) == "n/a: dims differ" and METRICS["recon"].shown({}) == "n/a"
    assert METRICS["recon"].format(0.88271) == "0.883" and METRICS["cond_full"].format(56778.6) == "5.68e+04"
    assert METRICS["kept_min"].format(1500) == "1500" and METRICS["cond_damped_max"].format(1.18673) == "1.19"
    # a pin's difference is coloured by the registry's direction: a higher condition number is worse
    assert compare.delta("cond_mean", {"cond_mean": 2.0}, {"cond_mean": 1.0})["delta_color"] == "inverse"
    assert compare.delta("recon", {"recon": 0.9}, {"recon": 0.8})["delta_color"] == "normal"
    assert compare.delta("kept_mean", {"kept_mean": 9.0}, {"kept_mean": 8.0})["delta_color"] == "off"
    tiles = [key for row in translate.TILE_ROWS for key in row]
    assert len(tiles) == translate.N_TILES and set(tiles) - set(METRICS) == {translate.KEPT_RANGE, translate.SECONDS}
