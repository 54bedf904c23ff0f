"""irp_core.spectrum: the decoding's filter and condition numbers, checked against the core's own
operators on real anchors (the shipped MNIST cache)."""

from __future__ import annotations

import numpy as np
import pytest

from irp_core import IRP, functional, spectrum
from irp_core.cache import load_dataset
from irp_core.relative import effective_condition_number
from irp_core.threads import one_thread

RTOL = spectrum.RTOL  # IRP's default


@pytest.fixture(scope="module")
def anchors():
    ds = load_dataset("mnist")
    encs = list(ds.encoders)
    return ds.space(encs[0]).anchors, ds.space(encs[1]).anchors


@pytest.fixture(scope="module", params=["whiten", "none"])
def sides(request, anchors):
    return spectrum.prepared_sides(*anchors, request.param, 0.003, RTOL)


def _decoder(side_y, subset, ridge):
    """The core's decoding operator of a subset, cosines -> target: g(G_i) N_i (k, r)."""
    gram = side_y.unit[subset] @ side_y.unit[subset].T
    return functional.damped_inverse(gram, ridge, RTOL) @ side_y.unit[subset]


@pytest.mark.parametrize("ridge", [0.0, 0.05, 0.3, 1.5])
def test_the_filter_is_the_core_decodings_gains(sides, ridge):
    """The decoder's singular values are exactly filter_gains of the anchors' singular values, and
    the damped condition number is its largest gain over its gain along the strongest direction."""
    side_x, side_y = sides
    subset = spectrum.pruned_subsets(side_x, side_y, 1, 0.7, 0)[0]
    s = spectrum.subset_spectra(side_y, [subset])[0]
    with one_thread():  # BLAS threads spin on a shared machine
        dec = _decoder(side_y, subset, ridge)
        u = np.linalg.svd(side_y.unit[subset], full_matrices=False)[0]
        gains = np.linalg.svd(dec, compute_uv=False)
    expected = np.sort(spectrum.filter_gains(s, ridge, RTOL))[::-1][: gains.size]
    np.testing.assert_allclose(gains[expected > 0], expected[expected > 0], rtol=1e-6)
    strongest = np.linalg.norm(u[:, 0] @ dec)  # the gain along the top singular direction
    assert spectrum.damped_condition_number(s, ridge, RTOL) == pytest.approx(gains.max() / strongest, rel=1e-6)


def test_ridge_zero_is_the_raw_condition_number(sides):
    side_x, side_y = sides
    for delta in (0.0, 0.5, 0.8):
        s = spectrum.subset_spectra(side_y, spectrum.pruned_subsets(side_x, side_y, 1, delta, 0))[0]
        kappa = effective_condition_number(s, RTOL)
        assert spectrum.damped_condition_number(s, 0.0, RTOL) == pytest.approx(kappa, rel=1e-12)
        assert spectrum.damped_from_raw(kappa, 0.0) == kappa


def test_the_bound_of_the_issue_holds_below_ridge_one_and_is_one_above():
    """(1 + ρ)/(2√ρ) is the peak of s/(s² + ρ) over s in (0, 1]: only while √ρ <= 1."""
    t = np.linspace(1e-6, 1, 200001)  # s / s_max, densely: the continuous maximum
    for rho in (0.01, 0.1, 0.3, 0.99, 1.0, 1.5, 2.0):
        g = t / (t**2 + rho)
        assert spectrum.ridge_bound(rho) == pytest.approx(g.max() / g[-1], rel=1e-6), rho
    assert spectrum.ridge_bound(0.3) == pytest.approx(1.3 / (2 * np.sqrt(0.3)))
    assert spectrum.ridge_bound(0.3) == pytest.approx(1.187, abs=1e-3)
    assert spectrum.ridge_bound(0.0) == np.inf


@pytest.mark.parametrize("ridge", [0.05, 0.3, 0.8, 2.0])
def test_actual_damped_figures_stay_under_their_bounds(sides, ridge):
    """Over δ: the actual figure <= the bound from the raw figure <= (1 + ρ)/(2√ρ) (or 1)."""
    side_x, side_y = sides
    curve = spectrum.delta_curve(side_x, side_y, [0.0, 0.3, 0.6, 0.8, 0.9], 0)
    for raw, damped in zip(curve.raw, spectrum.damped_curve(curve, ridge, RTOL)):
        assert (
            1.0
            <= damped
            <= spectrum.damped_from_raw(raw, ridge) * (1 + 1e-9)
            <= spectrum.ridge_bound(ridge) * (1 + 1e-9)
        )


def test_at_the_defaults_the_damped_figure_reaches_the_bound(anchors):
    """MNIST's default pair at IRP's defaults: raw 5.7e4, damped (1 + ρ)/(2√ρ) to 3 digits (its
    spectrum is dense around √ρ s_max)."""
    irp = IRP().fit(*anchors)
    side_x, side_y = spectrum.prepared_sides(*anchors, irp.center, irp.whiten_floor, irp.rtol)
    s = spectrum.subset_spectra(side_y, irp.subsets_)[0]
    assert irp.condition_numbers_[0] == pytest.approx(spectrum.damped_condition_number(s, 0.0, irp.rtol))
    assert irp.condition_numbers_[0] > 1e4
    assert spectrum.damped_condition_number(s, irp.ridge, irp.rtol) == pytest.approx(
        spectrum.ridge_bound(irp.ridge), rel=1e-3
    )


def test_damped_from_raw_is_concave_and_non_decreasing():
    kappas = np.geomspace(1, 1e6, 400)
    for rho in (0.01, 0.3, 1.2):
        f = np.array([spectrum.damped_from_raw(k, rho) for k in kappas])
        assert np.all(np.diff(f) >= -1e-12)
        mid = np.array([spectrum.damped_from_raw(k, rho) for k in (kappas[:-1] + kappas[1:]) / 2])
        assert np.all(mid >= (f[:-1] + f[1:]) / 2 - 1e-12)  # concave: Jensen bounds a mean


def test_delta_curve_prunes_nested_subsets_and_conditioning_falls_below_the_rank(sides):
    """FPS at a larger δ stops earlier on the same greedy path: the kept count never rises; once
    no more anchors are kept than the target has dimensions, removing anchors can only raise
    s_min (interlacing), so the raw condition number does not rise either."""
    side_x, side_y = sides
    deltas = [round(d, 2) for d in np.arange(0.0, 0.96, 0.05)]
    curve = spectrum.delta_curve(side_x, side_y, deltas, 0)
    assert all(a >= b for a, b in zip(curve.kept, curve.kept[1:]))
    assert curve.kept[0] == side_y.unit.shape[0] and curve.kept[-1] < curve.kept[0]
    rank = side_y.unit.shape[1]
    below = [r for r, k in zip(curve.raw, curve.kept) if k < rank]
    assert len(below) >= 3
    assert all(a >= b * (1 - 1e-9) for a, b in zip(below, below[1:]))
    subsets = [spectrum.pruned_subsets(side_x, side_y, 1, d, 0)[0] for d in (0.5, 0.7)]
    assert np.isin(subsets[1], subsets[0]).all()


def test_jaccard_of_the_subsets(sides):
    side_x, side_y = sides
    whole = spectrum.pruned_subsets(side_x, side_y, 4, 0.0, 0)
    np.testing.assert_array_equal(spectrum.jaccard(whole), np.ones((4, 4)))  # δ = 0: ω adds nothing
    pruned = spectrum.pruned_subsets(side_x, side_y, 4, 0.7, 0)
    j = spectrum.jaccard(pruned)
    np.testing.assert_allclose(j, j.T)
    assert np.all(np.diag(j) == 1) and np.all((j >= 0) & (j <= 1))
    a, b = set(pruned[0]), set(pruned[1])
    assert j[0, 1] == pytest.approx(len(a & b) / len(a | b))
    assert j[0, 1] < 1  # different starts keep different anchors


def test_no_usable_anchor_is_a_clear_error():
    zeros = np.zeros((5, 3))
    with pytest.raises(ValueError, match="zero norm"):
        spectrum.prepared_sides(zeros, zeros, "none", 0.003, RTOL)


def test_the_spectrum_module_uses_irps_defaults_and_the_fits_own_subsets(anchors):
    """One pair preparation: the spectra come from the fit's own map (translation_map), and the
    pruning defaults are IRP's (prune_on="source"), not restated."""
    import inspect

    assert spectrum.RTOL == IRP().rtol
    assert inspect.signature(spectrum.pruned_subsets).parameters["prune_on"].default == IRP().prune_on
    assert inspect.signature(spectrum.delta_curve).parameters["prune_on"].default == IRP().prune_on
    params = {"omega": 3, "delta": 0.6, "ridge": 0.1}
    irp = IRP(**params).fit(*anchors)
    fitted = spectrum.fit_spectra(*anchors, **params)
    assert fitted.map.matrix is irp.matrix_  # a cache hit
    side_x, side_y = spectrum.prepared_sides(*anchors)
    subsets = spectrum.pruned_subsets(side_x, side_y, 3, 0.6)
    for a, b, c in zip(fitted.subsets, subsets, irp.subsets_):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(a, np.sort(c))
    assert [spectrum.damped_condition_number(s, 0.0) for s in fitted.spectra] == pytest.approx(irp.condition_numbers_)
    assert [spectrum.damped_condition_number(s, 0.1) for s in fitted.spectra] == irp.damped_condition_numbers_
