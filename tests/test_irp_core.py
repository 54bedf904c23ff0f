"""Behaviour and quality of the IRP core: recovery, invariances, pruning, degenerate input."""

import warnings

import numpy as np
import pytest

from irp_core import IRP, Absolute, IRPWarning, LinearMap, Procrustes, metrics, translation_map
from irp_core.heads import LinearHead, MLPHead, load_head
from irp_core.pruning import anchor_subspaces, prune_anchors
from irp_core.relative import inverse_relative_projection, normalize_rows, relative_projection
from irp_core.sweeps import sweep_grid, sweep_pairs


def rotation(d, seed, reflect=False):
    q, _ = np.linalg.qr(np.random.default_rng(seed).normal(size=(d, d)))
    if reflect:
        q[:, 0] *= -1
    return q


@pytest.fixture
def spaces():
    """A source space and its exact rotation + reflection + scaling (plus an offset of the mean)."""
    rng = np.random.default_rng(0)
    d = 32
    ax, x = rng.normal(size=(400, d)) + 1.0, rng.normal(size=(300, d)) + 1.0
    q = rotation(d, 1, reflect=True)
    return ax, 4.0 * ax @ q, x, 4.0 * x @ q


def test_relative_then_inverse_recovers_direction():
    rng = np.random.default_rng(3)
    anchors, x = rng.normal(size=(50, 10)), rng.normal(size=(20, 10))
    back = inverse_relative_projection(relative_projection(x, anchors), anchors)
    np.testing.assert_allclose(back, normalize_rows(x), atol=1e-10)


@pytest.mark.parametrize("center", ["none", "anchor_mean", "whiten"])
def test_exact_rotation_reflection_scale_recovered(spaces, center):
    ax, ay, x, y = spaces
    irp = IRP(omega=1, delta=0.0, center=center, ridge=0.0).fit(ax, ay)
    # Directions about the target centre are exact; norms are the target's typical norm.
    c = irp.center_y_
    mean, recon_per_sample = metrics.reconstruction_similarity(irp.transform(x) - c, y - c)
    assert mean > 0.9999 and recon_per_sample.min() > 0.999
    assert metrics.retrieval_top1(irp.transform(x), y) == 1.0


def test_whitening_and_ridge_keep_an_exact_rotation(spaces):
    # Whitening is equivariant (the target's whitened coordinates are the source's, rotated) and
    # with isotropic whitened anchors the ridge shrinks every direction alike: still exact.
    ax, ay, x, y = spaces
    irp = IRP(omega=1, delta=0.0, center="whiten", ridge=0.3).fit(ax, ay)
    c = irp.center_y_
    assert metrics.reconstruction_similarity(irp.transform(x) - c, y - c)[0] > 0.999


def test_whitening_equalises_a_dominant_direction():
    # Two spaces share a 16-d signal; the source adds one huge nuisance direction that swamps its
    # cosines. Whitening (learnt on the source's own anchors) gives that direction unit weight.
    rng = np.random.default_rng(11)
    signal = rng.normal(size=(700, 16))
    nuisance = np.zeros((700, 17))
    nuisance[:, :16], nuisance[:, 16] = signal, 30.0 * rng.normal(size=700)
    src, tgt = nuisance @ rotation(17, 3), signal @ rotation(16, 4)
    ax, ay, x, y = src[:400], tgt[:400], src[400:], tgt[400:]
    plain = IRP(omega=1, delta=0.0, center="anchor_mean", ridge=0.0).fit(ax, ay).transform(x)
    white = IRP(omega=1, delta=0.0, center="whiten", whiten_floor=1e-4, ridge=0.01).fit(ax, ay).transform(x)
    r_plain = metrics.reconstruction_similarity(plain, y, center=True)[0]
    r_white = metrics.reconstruction_similarity(white, y, center=True)[0]
    assert r_plain < 0.5 < 0.95 < r_white, (r_plain, r_white)


def test_ridge_damps_noise_amplification(spaces):
    ax, ay, x, y = spaces
    rng = np.random.default_rng(12)
    noisy = ay + 1.0 * rng.normal(size=ay.shape) * ay.std()  # 40 noisy anchors in 32 dims: ill-posed
    plain = IRP(omega=1, delta=0.0, center="anchor_mean", ridge=0.0).fit(ax[:40], noisy[:40]).transform(x)
    damped = IRP(omega=1, delta=0.0, center="anchor_mean", ridge=0.1).fit(ax[:40], noisy[:40]).transform(x)
    score = lambda p: metrics.reconstruction_similarity(p, y, center=True)[0]  # noqa: E731
    assert score(damped) > score(plain) + 0.1, (score(plain), score(damped))


def test_noise_degrades_gracefully(spaces):
    ax, ay, x, y = spaces
    rng = np.random.default_rng(5)
    scores = []
    for noise in (0.0, 0.3, 1.0, 3.0):
        noisy = ay + noise * rng.normal(size=ay.shape) * ay.std()
        pred = IRP(omega=4, delta=0.3).fit(ax, noisy).transform(x)
        scores.append(metrics.reconstruction_similarity(pred, y, center=True)[0])
    assert scores[0] > 0.999
    assert all(a >= b - 0.02 for a, b in zip(scores, scores[1:])), scores  # monotone, up to jitter
    assert scores[1] > 0.85 and np.isfinite(scores).all()


def test_invariant_to_rotating_the_source(spaces):
    ax, ay, x, _ = spaces
    q = rotation(ax.shape[1], 9)
    a = IRP(omega=4, delta=0.5, random_state=2).fit(ax, ay).transform(x)
    b = IRP(omega=4, delta=0.5, random_state=2).fit(ax @ q, ay).transform(x @ q)
    np.testing.assert_allclose(a, b, atol=1e-8)


def test_delta_zero_keeps_every_anchor(spaces):
    ax, ay, *_ = spaces
    irp = IRP(omega=3, delta=0.0).fit(ax, ay)
    assert irp.n_anchors_kept_ == [ax.shape[0]] * 3


@pytest.mark.parametrize("delta", [0.2, 0.5, 0.8])
def test_kept_anchors_respect_delta(delta):
    anchors = np.abs(np.random.default_rng(1).normal(size=(300, 20)))  # positive: high |cos|
    for subset in anchor_subspaces(anchors, omega=4, delta=delta, random_state=0):
        a = normalize_rows(anchors[subset])
        cos = np.abs(a @ a.T)[~np.eye(subset.size, dtype=bool)]
        assert cos.size == 0 or cos.max() <= 1 - delta + 1e-6
    assert len(prune_anchors(anchors, 0.8)) < len(prune_anchors(anchors, 0.2))


def test_pruning_on_both_sides_respects_delta_in_each():
    rng = np.random.default_rng(6)
    ax, ay = rng.normal(size=(300, 20)), rng.normal(size=(300, 12))
    irp = IRP(omega=3, delta=0.7, center="none", prune_on="both").fit(ax, ay)
    for subset in irp.subsets_:
        assert subset.size > 3
        for a in (ax, ay):
            u = normalize_rows(a[subset])
            assert np.abs(u @ u.T)[~np.eye(subset.size, dtype=bool)].max() <= 0.3 + 1e-6
    one_side = IRP(omega=3, delta=0.7, center="none", prune_on="source").fit(ax, ay)
    assert sum(irp.n_anchors_kept_) < sum(one_side.n_anchors_kept_)


def test_same_seed_same_result_other_seed_other_subsets(spaces):
    ax, ay, x, _ = spaces
    a, b = IRP(delta=0.6, random_state=4).fit(ax, ay), IRP(delta=0.6, random_state=4).fit(ax, ay)
    np.testing.assert_array_equal(a.transform(x), b.transform(x))
    c = IRP(delta=0.6, random_state=5).fit(ax, ay)
    assert any(not np.array_equal(s, t) for s, t in zip(a.subsets_, c.subsets_))


@pytest.mark.parametrize(
    "params",
    [
        {"omega": 1, "delta": 0.0},
        {"omega": 8, "delta": 0.5},
        {"omega": 5, "delta": 0.7, "center": "none", "prune_on": "target"},
        {"omega": 4, "delta": 0.8, "completion": True},
        {"omega": 3, "delta": 0.5, "rescale": "none"},
        {"omega": 3, "delta": 0.5, "rescale": "anchor_median_norm", "n_anchors": 200},
        {"omega": 1, "delta": 0.0, "center": "whiten", "whiten_floor": 0.003, "ridge": 0.1},
        {"omega": 4, "delta": 0.6, "center": "whiten", "whiten_floor": 0.0, "ridge": 0.3, "completion": True},
        {"omega": 3, "delta": 0.5, "whiten_floor": 0.01, "rescale": "none", "prune_on": "target"},
        {"omega": 2, "delta": 0.4, "ridge": 0.05, "n_anchors": 25},
        {"omega": 3, "delta": 0.5, "prune_on": "both", "whiten_floor": 0.01},
        {"omega": 3, "delta": 0.0, "completion": True},  # equal subsets: decoded once, weighted
    ],
)
def test_fast_and_plain_paths_agree(spaces, params):
    ax, ay, x, _ = spaces
    rng = np.random.default_rng(2)
    ay = ay + 0.5 * rng.normal(size=ay.shape)  # not an exact rotation: the paths must still agree
    irp = IRP(**params).fit(ax, ay)
    np.testing.assert_allclose(irp.transform(x), irp.transform_plain(x, ax, ay), atol=1e-10)
    fast32 = irp.transform(x.astype(np.float32))
    assert fast32.dtype == np.float32
    np.testing.assert_allclose(fast32, irp.transform_plain(x, ax, ay), atol=1e-3 * np.abs(ay).max())


def test_completion_fixes_rank_deficiency_of_small_subsets(spaces):
    ax, ay, x, y = spaces
    plain = IRP(omega=1, delta=0.85, ridge=0.0).fit(ax, ay)
    assert max(plain.n_anchors_kept_) < ax.shape[1]  # the subset is smaller than d
    completed = IRP(omega=1, delta=0.85, ridge=0.0, completion=True).fit(ax, ay)
    r_plain = metrics.reconstruction_similarity(plain.transform(x), y, center=True)[0]
    r_done = metrics.reconstruction_similarity(completed.transform(x), y, center=True)[0]
    assert r_plain < 0.9 and r_done > 0.999
    assert np.linalg.matrix_rank(plain.matrix_) < ax.shape[1] == np.linalg.matrix_rank(completed.matrix_)


def test_rescale_matches_target_scale(spaces):
    ax, ay, x, y = spaces
    pred = IRP(omega=2, delta=0.3).fit(ax, ay).transform(x)
    centred = pred - ay.mean(0)
    target = np.linalg.norm(ay - ay.mean(0), axis=1).mean()
    np.testing.assert_allclose(np.linalg.norm(centred, axis=1), target, rtol=1e-9)


def test_fitted_attributes_and_params(spaces):
    ax, ay, *_ = spaces
    irp = IRP(omega=3, delta=0.4)
    assert irp.get_params()["omega"] == 3 and irp.set_params(delta=0.5).delta == 0.5
    assert irp.fit(ax, ay) is irp
    assert len(irp.subsets_) == len(irp.condition_numbers_) == len(irp.n_anchors_kept_) == 3
    assert irp.matrix_.shape == (ax.shape[1], ay.shape[1])
    with pytest.raises(Exception, match="not fitted"):
        IRP().transform(ax)


def test_refit_recomputes_full_condition_number(spaces):
    ax, ay, *_ = spaces
    irp = IRP(omega=2, delta=0.3, center="anchor_mean")  # whitening would undo the squeeze
    first = irp.fit(ax, ay).condition_number_full_
    squeezed = ay * np.linspace(1.0, 50.0, ay.shape[1])  # much worse conditioned target
    assert irp.fit(ax, squeezed).condition_number_full_ > 5 * first


def test_pruning_lowers_condition_number():
    """Correlated (all-positive, ReLU-like) anchors are ill-conditioned; pruning fixes that."""
    rng = np.random.default_rng(0)
    ax = np.maximum(rng.normal(size=(500, 3)) @ rng.normal(size=(3, 40)) + 0.1 * rng.normal(size=(500, 40)), 0)
    irp = IRP(omega=4, delta=0.6, center="none").fit(ax, ax @ rotation(40, 0))
    assert irp.condition_number_full_ > 10 * max(irp.condition_numbers_)


# ----------------------------------------------------------------- degenerate input
def test_duplicate_and_colinear_anchors_finite_with_warning(spaces):
    ax, ay, x, y = spaces
    ax2, ay2 = np.vstack([ax, ax[:5], 3 * ax[:5]]), np.vstack([ay, ay[:5], 3 * ay[:5]])
    pred = IRP(omega=1, delta=0.0, center="none", ridge=0.0).fit(ax2, ay2).transform(x)
    assert np.isfinite(pred).all()  # more anchors than dims: duplicates cost nothing
    assert metrics.reconstruction_similarity(pred, y)[0] > 0.999
    few_x, few_y = np.vstack([ax[:8], ax[:4], -2 * ax[:4]]), np.vstack([ay[:8], ay[:4], -2 * ay[:4]])
    irp = IRP(omega=1, delta=0.0, center="none").fit(few_x, few_y)
    assert np.isfinite(irp.transform(x)).all()
    with pytest.warns(IRPWarning, match="rank deficient"):  # ranks are computed on first use
        assert irp.ranks_ == [8]


def test_single_anchor_warns_and_stays_finite(spaces):
    ax, ay, x, _ = spaces
    with pytest.warns(IRPWarning):
        irp = IRP(omega=1, delta=0.0, center="none").fit(ax[:1], ay[:1])
    assert np.isfinite(irp.transform(x)).all()


def test_fewer_anchors_than_dims_warns(spaces):
    ax, ay, x, _ = spaces
    with pytest.warns(IRPWarning, match="confined"):
        irp = IRP(omega=2, delta=0.0).fit(ax[:10], ay[:10])
    assert np.isfinite(irp.transform(x)).all()


def test_nan_inf_rejected_with_location(spaces):
    ax, ay, x, _ = spaces
    bad = ax.copy()
    bad[7, 3] = np.nan
    with pytest.raises(ValueError, match=r"anchors_x contains NaN or Inf .*row 7, column 3"):
        IRP().fit(bad, ay)
    irp = IRP().fit(ax, ay)
    x_bad = x.copy()
    x_bad[2, 0] = np.inf
    with pytest.raises(ValueError, match="x contains NaN or Inf"):
        irp.transform(x_bad)


def test_shape_errors_name_the_problem(spaces):
    ax, ay, x, _ = spaces
    with pytest.raises(ValueError, match="parallel"):
        IRP().fit(ax, ay[:-1])
    with pytest.raises(ValueError, match="2-D"):
        IRP().fit(ax[0], ay[0])
    irp = IRP().fit(ax, ay)
    with pytest.raises(ValueError, match="X has 31 features, but IRP is expecting 32 features"):
        irp.transform(x[:, :-1])
    with pytest.raises(ValueError, match="Reshape your data"):
        irp.transform(x[0])
    with pytest.raises(ValueError, match="numeric"):
        IRP().fit(np.array([["a", "b"]]), ay[:1])
    with pytest.raises(ValueError, match="requires y"):
        IRP().fit(ax)
    with pytest.raises(ValueError, match="1 sample"):  # centring one anchor leaves nothing
        IRP().fit(ax[:1], ay[:1])


@pytest.mark.parametrize("bad", [{"delta": 1.0}, {"delta": -0.1}, {"center": "median"}, {"omega": 0},
                                 {"omega": 2.0}, {"random_state": -1}, {"random_state": None}, {"n_anchors": 0},
                                 {"max_kept": 0}, {"ridge": -1.0}, {"whiten_floor": -0.1}, {"rtol": 1.0},
                                 {"prune_on": "neither"}, {"rescale": "max_norm"}, {"completion": "yes"}])
def test_bad_parameters_raise_a_value_error_naming_them(spaces, bad):
    """scikit-learn's InvalidParameterError (a ValueError) from _validate_params, before any work."""
    from sklearn.utils._param_validation import InvalidParameterError

    ax, ay, _, _ = spaces
    (name, value), = bad.items()
    with pytest.raises(InvalidParameterError, match=f"'{name}' parameter of IRP"):
        IRP(**bad).fit(ax, ay)
    with pytest.raises(ValueError, match=f"'{name}' parameter of translation_map"):
        translation_map(ax, ay, **bad)


def test_zero_norm_anchor_is_ignored_with_warning(spaces):
    ax, ay, x, _ = spaces
    ax2, ay2 = ax.copy(), ay.copy()
    ax2[0] = 0
    with pytest.warns(IRPWarning, match="zero norm"):
        irp = IRP(center="none").fit(ax2, ay2)
    assert 0 not in irp.anchor_rows_ and np.isfinite(irp.transform(x)).all()


# ----------------------------------------------------------------- baselines
def test_baselines(spaces):
    ax, ay, x, y = spaces
    for model in (Procrustes(), LinearMap()):
        pred = model.fit(ax, ay).transform(x)
        assert metrics.reconstruction_similarity(pred, y)[0] > 0.999
    assert np.array_equal(Absolute().fit(ax, ay).transform(x), x)
    with pytest.raises(ValueError, match="equal dimensions"):
        Absolute().fit(ax, ay[:, :10])
    small = ay[:, :10]  # unequal dims: zero padding / rectangular least squares
    assert Procrustes().fit(ax, small).transform(x).shape == (x.shape[0], 10)
    assert metrics.reconstruction_similarity(LinearMap().fit(ax, small).transform(x), y[:, :10])[0] > 0.999


# ----------------------------------------------------------------- metrics and heads
def test_metrics_values():
    assert metrics.retrieval_top1(np.eye(3), np.eye(3)) == 1.0
    assert metrics.retrieval_top1(np.eye(3), np.eye(3)[[1, 2, 0]]) == 0.0
    assert metrics.condition_number(np.diag([4.0, 2.0])) == 2.0
    np.testing.assert_array_equal(metrics.confusion_matrix([0, 1, 1], [0, 1, 0], 2), [[1, 0], [1, 1]])
    stats = metrics.norm_stats(np.array([[3.0, 4.0], [0.0, 1.0]]))
    assert stats["mean"] == 3.0 and stats["max"] == 5.0
    with pytest.raises(ValueError, match="rows"):
        metrics.reconstruction_similarity(np.ones((2, 2)), np.ones((3, 2)))


def blobs(seed=0, n=600, d=12, classes=3):
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=4.0, size=(classes, d))
    labels = rng.integers(classes, size=n)
    return centres[labels] + rng.normal(size=(n, d)), labels


@pytest.mark.parametrize("head", [LinearHead(), MLPHead(hidden=32), MLPHead(hidden=16, activation="tanh")])
def test_heads_train_save_load_roundtrip(tmp_path, head):
    x, y = blobs()
    head.fit(x[:400], y[:400])
    assert head.score(x[400:], y[400:]) > 0.95
    head.save(tmp_path / "head.npz")
    loaded = load_head(tmp_path / "head.npz")
    np.testing.assert_array_equal(loaded.predict(x), head.predict(x))
    np.testing.assert_allclose(loaded.predict_proba(x).sum(1), 1.0)


def test_heads_do_not_normalise_inputs():
    x, y = blobs()
    head = LinearHead().fit(x, y)
    assert not np.allclose(head.decision_function(x), head.decision_function(10 * x))


def test_load_head_rejects_bad_files(tmp_path):
    np.savez(tmp_path / "bad.npz", kind=np.array("linear"))
    with pytest.raises(ValueError, match="lacks key"):
        load_head(tmp_path / "bad.npz")
    (tmp_path / "junk.npz").write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="cannot read head file"):
        load_head(tmp_path / "junk.npz")
    np.save(tmp_path / "obj.npy", np.array([{"a": 1}], dtype=object))
    with pytest.raises(ValueError):
        load_head(tmp_path / "obj.npy")


def test_stitching_through_irp_beats_absolute():
    """A head trained on Y classifies X's vectors once IRP translates them."""
    x, labels = blobs(n=1500, d=16, classes=4)
    q = rotation(16, 3, reflect=True)
    y = 5.0 * x @ q
    head = LinearHead().fit(y[1000:], labels[1000:])
    irp = IRP(omega=8, delta=0.3).fit(x[:500], y[:500])
    test = slice(500, 1000)
    zero_shot = metrics.stitching_accuracy(head, irp.transform(x[test]), labels[test])
    absolute = metrics.stitching_accuracy(head, x[test], labels[test])
    assert zero_shot > 0.95 > absolute + 0.2


# ----------------------------------------------------------------- sweeps
def test_sweeps(spaces):
    ax, ay, x, y = spaces
    rows = sweep_grid(ax, ay, x, y, omegas=[1, 4], deltas=[0.0, 0.6], n_jobs=2)
    assert [(r["omega"], r["delta"]) for r in rows] == [(1, 0.0), (1, 0.6), (4, 0.0), (4, 0.6)]
    kept = {(r["omega"], r["delta"]): r["kept_mean"] for r in rows}
    assert kept[(1, 0.0)] == ax.shape[0] > kept[(1, 0.6)]
    assert all(r["recon"] > 0.99 for r in rows)

    xl, labels = blobs(n=900, d=8, classes=3)
    spaces3 = {
        "a": (xl[:300], xl[300:600]),
        "b": ((xl @ rotation(8, 1))[:300], (xl @ rotation(8, 1))[300:600]),
        "c": ((xl @ rotation(8, 2))[:300, :6], (xl @ rotation(8, 2))[300:600, :6]),
    }
    heads = {k: LinearHead().fit(v[1], labels[300:600]) for k, v in spaces3.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", IRPWarning)
        pairs = sweep_pairs(spaces3, labels=labels[300:600], heads=heads, omega=2, delta=0.2)
    assert len(pairs) == 6
    ab = next(r for r in pairs if (r["source"], r["target"]) == ("a", "b"))
    assert ab["zero_shot"] > 0.9 and ab["non_stitch"] > 0.9 and ab["absolute"] is not None
    ac = next(r for r in pairs if (r["source"], r["target"]) == ("a", "c"))
    assert ac["absolute"] is None
