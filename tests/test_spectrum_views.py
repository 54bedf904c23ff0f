"""The spectrum and classroom views (no Streamlit): numbers agree with the fit the page shows."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from dashboard import defaults
from dashboard.views import classroom as classroom_view
from dashboard.views import spectrum as spectrum_view
from dashboard.views import translate as translate_view
from dashboard.views.settings import Settings, default_pair
from irp_core.cache import load_dataset
from irp_core.spectrum import ridge_bound


@pytest.fixture(scope="module")
def ds():
    return load_dataset("mnist")


@pytest.fixture(scope="module")
def paper(ds):
    src, tgt = default_pair(list(ds.encoders))
    return Settings(dataset="mnist", source=src, target=tgt, center="none", ridge=0.0, omega=8, delta=0.7)


def test_the_view_shows_the_fits_subsets_and_condition_numbers(ds, paper):
    s = replace(paper, ridge=0.3, delta=0.5)
    t = translate_view.translate(ds, s)
    p = spectrum_view.pair_spectrum(ds, s)
    assert p.kept == t.kept
    np.testing.assert_allclose(p.raw(), t.cond_sub, rtol=1e-9)
    np.testing.assert_allclose(p.damped(), t.extras["cond_damped"], rtol=1e-12)
    assert all(1 <= d <= ridge_bound(0.3) + 1e-9 for d in p.damped())


def test_the_delta_curve_marks_the_current_delta(ds, paper):
    s = replace(paper, delta=0.35)  # off the grid: added to it
    curve = spectrum_view.delta_curve(ds, s)
    assert 0.35 in curve.deltas and set(defaults.SPECTRUM_DELTAS) <= set(curve.deltas)
    assert curve.deltas == sorted(curve.deltas)
    fig = spectrum_view.delta_curve_figure(curve, s)
    assert len(fig.data) == 1  # ridge 0: the damped curve is the raw one, not drawn twice
    assert "δ = 0.35" in fig.layout.annotations[0].text
    fig = spectrum_view.delta_curve_figure(curve, replace(s, ridge=0.3))
    assert [tr.name for tr in fig.data] == ["raw (ridge 0)", "damped (ridge 0.30)"]
    assert max(fig.data[1].y) <= ridge_bound(0.3) + 1e-9 < max(fig.data[0].y)


def test_figures_and_captions(ds, paper):
    p = spectrum_view.pair_spectrum(ds, paper)
    fig = spectrum_view.spectrum_figure(p)
    names = [tr.name for tr in fig.data]
    assert "pseudo-inverse 1/s (ridge 0)" in names and not any(n.startswith("ridge 0.") for n in names)
    assert len(spectrum_view.subsets_figure(p).data) == 2
    assert "Ridge 0" in spectrum_view.damped_caption(p)
    damped = spectrum_view.pair_spectrum(ds, replace(paper, ridge=0.3))
    assert "ridge 0.30: s/(s²+ρ s_max²)" in [tr.name for tr in spectrum_view.spectrum_figure(damped).data]
    assert "(1 + ρ) / (2√ρ) = 1.19" in spectrum_view.damped_caption(damped)
    assert 0 <= spectrum_view.mean_overlap(p) < 1  # ω 8 at δ 0.7: different anchors
    assert spectrum_view.mean_overlap(spectrum_view.pair_spectrum(ds, replace(paper, delta=0.0))) == 1.0


def test_relative_space_pictures(ds, paper):
    s = replace(paper, center=defaults.CENTER, ridge=defaults.RIDGE)
    rx, ry = classroom_view.relative_rows(ds, s)
    assert rx.shape == ry.shape == (classroom_view.N_ITEMS, classroom_view.N_ANCHORS)
    assert np.all(np.abs(rx) <= 1 + 1e-9)
    fig, r = classroom_view.bridge_figure(rx, ry, s.source, s.target)
    assert 0.3 < r <= 1  # two MNIST encoders: the same items' cosines agree
    assert f"{r:.2f}" in fig.layout.title.text
    assert classroom_view.encode_figure(rx, s.source).data[0].z.shape == rx.shape
    assert list(classroom_view.STEPS) == ["encode", "bridge", "decode", "pruning", "subspaces", "ridge", "rescale",
                              "stitching"]
