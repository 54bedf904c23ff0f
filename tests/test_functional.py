"""The functional core: each step against its definition, and the memoisation that makes moves cheap."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from irp_core import IRP, functional
from irp_core.relative import normalize_rows


@pytest.fixture
def pair():
    rng = np.random.default_rng(3)
    ax = np.abs(rng.normal(size=(160, 24))) + 0.2 * rng.normal(size=(160, 24))
    q, _ = np.linalg.qr(rng.normal(size=(24, 24)))
    ay = 2.0 * ax @ q + 0.3 * rng.normal(size=(160, 24))
    return ax, ay, rng.normal(size=(40, 24))


@pytest.fixture(autouse=True)
def cold_caches():
    functional.clear_caches()
    yield
    functional.clear_caches()


def _direct_map(nx: np.ndarray, ny: np.ndarray, subsets, ridge: float, rtol: float) -> np.ndarray:
    """The definition: average over subsets of N_X[S]^T pinv(N_Y[S])^T, damped, by SVD."""
    from irp_core.relative import pseudo_inverse

    return np.mean([nx[s].T @ pseudo_inverse(ny[s], rtol, ridge)[0].T for s in subsets], axis=0)


@pytest.mark.parametrize("ridge", [0.0, 0.3])
def test_anchor_space_accumulation_equals_the_direct_sum(pair, ridge):
    ax, ay, _ = pair
    nx, ny = normalize_rows(ax), normalize_rows(ay)
    rng = np.random.default_rng(0)
    subsets = [np.sort(rng.choice(160, size=k, replace=False)) for k in (20, 60, 120, 160)]
    gram = ny @ ny.T
    c = functional.accumulate(
        160, subsets, [functional.damped_inverse(gram[np.ix_(s, s)], ridge, 1e-6) for s in subsets]
    )
    m = functional.compose_map(np.asfortranarray(nx.T), c, ny, len(subsets))
    np.testing.assert_allclose(m, _direct_map(nx, ny, subsets, ridge, 1e-6), atol=1e-10)


def test_scatter_route_equals_the_gram_route(pair):
    ax, ay, _ = pair
    sx, sy = functional.prepare_side(ax, "whiten", 0.003, 1e-6), functional.prepare_side(ay, "whiten", 0.003, 1e-6)
    full = np.arange(160)
    c = functional.accumulate(160, [full], [functional.damped_inverse(functional.target_gram(sy), 0.3, 1e-6)])
    via_gram = functional.compose_map(functional.source_operand(sx), c, functional.target_operand(sy), 1)
    np.testing.assert_allclose(functional.full_set_map(sx, sy, 0.3, 1e-6), via_gram, atol=1e-10)


@pytest.mark.parametrize("change", [{"omega": 5}, {"omega": 9}, {"ridge": 0.4}, {"delta": 0.6}, {"ridge": 0.0}])
def test_a_move_from_cached_state_equals_a_cold_fit(pair, change):
    ax, ay, x = pair
    start = {"omega": 4, "delta": 0.5, "ridge": 0.3}  # delta 0.5 prunes (111-116 of 160 kept)
    IRP(**start).fit(ax, ay)  # warms every cache
    moved = IRP(**{**start, **change}).fit(ax, ay)
    warm = moved.matrix_.copy()
    functional.clear_caches()
    np.testing.assert_allclose(warm, IRP(**{**start, **change}).fit(ax, ay).matrix_, atol=1e-12)
    np.testing.assert_allclose(moved.transform(x), moved.transform_plain(x, ax, ay), atol=1e-10)


def test_omega_move_adds_one_subset_to_the_cached_sum(pair):
    ax, ay, _ = pair
    IRP(omega=4, delta=0.5).fit(ax, ay)
    assert len(functional.ACCUMULATED) == 1
    first_four = [s.copy() for s in IRP(omega=4, delta=0.5).fit(ax, ay).subsets_]
    five = IRP(omega=5, delta=0.5).fit(ax, ay)
    assert all(np.array_equal(a, b) for a, b in zip(first_four, five.subsets_))  # subset i keeps its start
    assert len(functional.ACCUMULATED) == 2  # C of the first four, and of five
    assert len(functional.SUBSETS) == len(set(functional.subset_starts(160, 5, 0)))  # one pruning per distinct start


def test_a_mutated_writeable_array_is_not_served_stale_results(pair):
    ax, ay, x = pair
    ay = ay.copy()
    before = IRP().fit(ax, ay).transform(x)
    ay[:, 0] *= 5.0  # same object, new content
    after = IRP().fit(ax, ay).transform(x)
    assert not np.allclose(before, after)
    np.testing.assert_allclose(after, IRP().fit(ax, ay.copy()).transform(x), atol=1e-12)


def test_concurrent_fits_from_threads_agree(pair):
    """Streamlit serves sessions from threads of one process, all sharing these caches."""
    ax, ay, x = pair
    expected = IRP(omega=6, delta=0.5).fit(ax, ay).transform(x)
    functional.clear_caches()
    results, errors = [], []

    def work(omega: int) -> None:
        try:
            for w in range(1, omega + 1):
                IRP(omega=w, delta=0.5).fit(ax, ay)
            results.append(IRP(omega=6, delta=0.5).fit(ax, ay).transform(x))
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(w,)) for w in (2, 3, 4, 5, 6, 6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for r in results:
        np.testing.assert_allclose(r, expected, atol=1e-12)


def test_rank_warning_comes_with_the_condition_numbers(pair):
    ax, ay, _ = pair
    dup_x, dup_y = np.vstack([ax[:6], ax[:3]]), np.vstack([ay[:6], ay[:3]])
    irp = IRP(center="none").fit(dup_x, dup_y)
    with pytest.warns(UserWarning, match="rank deficient"):
        assert irp.ranks_ == [6]
    assert np.isfinite(irp.condition_numbers_).all()


def test_background_conditioning_gives_the_same_numbers(pair):
    ax, ay, _ = pair
    irp = IRP(omega=3, delta=0.5).fit(ax, ay).start_conditioning()
    background = irp.condition_numbers_
    functional.clear_caches()
    assert background == IRP(omega=3, delta=0.5).fit(ax, ay).condition_numbers_


def test_top_eigenvalue_is_exact_and_the_same_whatever_ran_before():
    """ARPACK's own start vector depends on earlier calls in the process; a fixed one makes the
    ridge's shift, and so every ridge fit, independent of what the process computed before."""
    from scipy.sparse.linalg import eigsh

    rng = np.random.default_rng(1)
    a = normalize_rows(rng.normal(size=(600, 400)))
    gram = a @ a.T
    first = functional.top_eigenvalue(gram)
    eigsh(gram[:200, :200], k=2)  # advances ARPACK's internal random state
    np.random.default_rng(5).normal(size=10)
    assert functional.top_eigenvalue(gram) == first
    assert first == pytest.approx(np.linalg.eigvalsh(gram)[-1], rel=1e-12)


@pytest.fixture
def split_in_two(monkeypatch):
    """The dashboard server's setting: BLAS on one thread, large products split in two; the
    product blocks' column widths are recorded."""
    from irp_core import threads

    widths = []
    real = np.matmul

    def recording(a, b, out=None):
        widths.append(b.shape[1])
        return real(a, b, out=out)

    threads.split_products(2)
    monkeypatch.setattr(threads.np, "matmul", recording)
    try:
        with threads.one_thread():
            yield widths
    finally:
        threads.split_products(1)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_split_products_equal_the_whole_product_to_rounding(split_in_two, dtype):
    """A block of columns sums each entry over the same k terms as the whole product, but its kernel
    may sum them in another order (OpenBLAS picks kernels and blocking by CPU and size): so the
    split product equals ``a @ b`` within the rounding bound of either, 2 k ε (|a| @ |b|), not bit
    for bit."""
    from irp_core.threads import ALIGN, matmul

    rng = np.random.default_rng(0)
    for n, k, m in [(300, 700, 1500), (1280, 1370, 1370), (2000, 256, 2000)]:
        a, b = rng.normal(size=(n, k)).astype(dtype), rng.normal(size=(k, m)).astype(dtype)
        bound = 2 * k * np.finfo(dtype).eps * (np.abs(a).astype(np.float64) @ np.abs(b).astype(np.float64))
        split_in_two.clear()
        for left, right in ((a, b), (np.asfortranarray(a), b), (a, np.ascontiguousarray(b.T).T)):
            split, whole = matmul(left, right), left @ right
            assert split.dtype == whole.dtype and split.flags.c_contiguous
            assert np.all(np.abs(split.astype(np.float64) - whole) <= bound), (n, k, m)
        first = -(-m // 2 // ALIGN) * ALIGN  # half the columns, rounded up to the alignment
        assert sorted(split_in_two) == sorted([first, m - first] * 3), (n, k, m)  # two blocks each


def test_a_split_fit_equals_the_unsplit_one(split_in_two):
    """The server's split products change only the order of summation: the map and the translation
    agree with an unsplit fit to 1e-10 of their largest entry (the pair is well conditioned: an
    exact rotation of positive features)."""
    from irp_core import threads

    rng = np.random.default_rng(7)
    ax = np.abs(rng.normal(size=(900, 400))) + 0.2 * rng.normal(size=(900, 400))
    ay = ax @ np.linalg.qr(rng.normal(size=(400, 400)))[0]
    x = rng.normal(size=(900, 400))
    # pruned (891 of 900 anchors kept: the anchor-space map), and the full-set map
    for params, n_split in (({"omega": 3, "delta": 0.3, "center": "none"}, 4), ({"omega": 1, "delta": 0.0}, 2)):
        split_in_two.clear()
        split = IRP(**params).fit(ax, ay)
        assert len(split_in_two) >= n_split, "the map's products were not split"
        split_out = split.transform(x)
        threads.split_products(1)
        functional.clear_caches()
        plain = IRP(**params).fit(ax, ay)
        plain_out = plain.transform(x)
        np.testing.assert_allclose(split.matrix_, plain.matrix_, rtol=0, atol=1e-10 * np.abs(plain.matrix_).max())
        np.testing.assert_allclose(split_out, plain_out, rtol=0, atol=1e-10 * np.abs(plain_out).max())
        threads.split_products(2)
        functional.clear_caches()


def test_a_refit_at_a_setting_reuses_its_map(pair):
    """Another page or a pinned setting refits what is shown: the map is not computed again."""
    ax, ay, _ = pair
    first = IRP(omega=4, delta=0.5).fit(ax, ay)
    again = IRP(omega=4, delta=0.5).fit(ax, ay)
    assert again.matrix_ is first.matrix_ and len(functional.MAPS) == 1
    assert IRP(omega=4, delta=0.5, ridge=0.2).fit(ax, ay).matrix_ is not first.matrix_


def test_an_in_place_cholesky_equals_the_copying_one_and_a_failed_one_restores_the_matrix():
    rng = np.random.default_rng(2)
    a = normalize_rows(rng.normal(size=(80, 40)))
    gram = a @ a.T
    mine = gram.copy()
    expected = functional.damped_inverse_cholesky(gram, 0.5, full=False)
    assert np.array_equal(np.tril(functional.damped_inverse_cholesky(mine, 0.5, full=False, overwrite=True)),
                          np.tril(expected))
    indefinite = rng.normal(size=(50, 50))
    indefinite += indefinite.T
    kept = indefinite.copy()
    assert functional.damped_inverse_cholesky(indefinite, 0.1, overwrite=True) is None
    assert np.array_equal(indefinite, kept)  # the caller's fallback reads it


def test_the_gil_free_cholesky_inverse_equals_scipys_wrappers_bit_for_bit():
    from scipy.linalg import lapack

    from irp_core import nogil_lapack

    assert nogil_lapack.AVAILABLE  # this scipy exports its LAPACK to Cython: subsets invert side by side
    rng = np.random.default_rng(4)
    a = normalize_rows(rng.normal(size=(300, 200)))
    shifted = a @ a.T + 0.3 * np.eye(300)
    mine = np.array(shifted, order="F")
    assert nogil_lapack.cholesky_inverse_upper(mine) == 0
    factor, _ = lapack.dpotrf(np.array(shifted, order="F"), lower=0, clean=0)
    expected, _ = lapack.dpotri(factor, lower=0)
    upper = np.triu_indices(300)
    assert np.array_equal(mine[upper], expected[upper])
    np.testing.assert_allclose(np.triu(mine) + np.triu(mine, 1).T, np.linalg.inv(shifted), atol=1e-9)
    assert np.array_equal(np.tril(mine, -1), np.tril(shifted, -1))  # the other triangle untouched
    indefinite = np.array(shifted - 2 * np.eye(300), order="F")
    assert nogil_lapack.cholesky_inverse_upper(indefinite) > 0
    with pytest.raises(ValueError, match="Fortran-ordered"):
        nogil_lapack.cholesky_inverse_upper(np.ascontiguousarray(shifted[:, :299]))


# ------------------------------------------------------------------------- the public functional form
SETTINGS = [{}, {"omega": 4, "delta": 0.5}, {"omega": 3, "delta": 0.4, "completion": True},
            {"omega": 5, "delta": 0.6, "prune_on": "both", "n_anchors": 100, "max_kept": 40, "random_state": 3},
            {"omega": 2, "delta": 0.3, "center": "none", "ridge": 0.0, "rescale": "none"}]


@pytest.mark.parametrize("params", SETTINGS)
def test_irp_fit_is_translation_map(pair, params):
    """IRP.fit keeps what translation_map returns: the same arrays, and the same numbers cold."""
    from irp_core import anchor_rows, translation_map

    ax, ay, _ = pair
    irp = IRP(**params).fit(ax, ay)
    m = translation_map(ax, ay, **params)
    assert m.matrix is irp.matrix_  # memoised: the very array
    np.testing.assert_array_equal(m.matrix, irp.matrix_)
    assert all(np.array_equal(a, b) for a, b in zip(m.subsets, irp.subsets_)) and len(m.subsets) == irp.omega
    np.testing.assert_array_equal(m.anchor_rows, irp.anchor_rows_)
    np.testing.assert_array_equal(m.center_y, irp.center_y_)
    assert m.scale == irp.scale_ and m.n_anchors_kept == irp.n_anchors_kept_
    assert m.params == irp.get_params()
    n_anchors = params.get("n_anchors")
    assert set(m.anchor_rows) <= set(anchor_rows(len(ax), n_anchors, params.get("random_state", 0)))
    functional.clear_caches()
    cold = translation_map(ax, ay, **params)
    np.testing.assert_allclose(cold.matrix, m.matrix, rtol=1e-12, atol=0)


def test_translation_map_names_unknown_parameters_and_warns_unless_quiet(pair):
    from irp_core import IRPWarning, translation_map

    ax, ay, _ = pair
    with pytest.raises(TypeError, match="seed"):
        translation_map(ax, ay, seed=0)
    with pytest.warns(IRPWarning, match="confined"):
        translation_map(ax[:10], ay[:10])
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        notes = translation_map(ax[:10], ay[:10], quiet=True).notes
    assert any("confined" in n for n in notes)


def test_anchor_rows_is_the_subsample_irp_uses(pair):
    from irp_core import anchor_rows

    ax, ay, _ = pair
    np.testing.assert_array_equal(anchor_rows(160), np.arange(160))
    np.testing.assert_array_equal(anchor_rows(160, 160), np.arange(160))
    np.testing.assert_array_equal(anchor_rows(160, 500, random_state=3), np.arange(160))
    rows = anchor_rows(160, 50, random_state=7)
    assert rows.size == 50 and np.all(np.diff(rows) > 0)
    assert not np.array_equal(rows, anchor_rows(160, 50, random_state=8))
    irp = IRP(n_anchors=50, random_state=7, center="none").fit(ax, ay)
    np.testing.assert_array_equal(irp.anchor_rows_, rows)
    # the subsample is the fit on those rows: the same map as fitting them directly
    np.testing.assert_array_equal(IRP(center="none").fit(ax[rows], ay[rows]).matrix_, irp.matrix_)


def test_the_completion_map_is_memoised_with_its_spectrum(pair):
    ax, ay, _ = pair
    first = IRP(omega=3, delta=0.4, completion=True).fit(ax, ay)
    again = IRP(omega=3, delta=0.4, completion=True).fit(ax, ay)
    assert again.matrix_ is first.matrix_
    assert again.condition_number_full_ == first.condition_number_full_
