"""Unit tests of the dashboard's pure view functions (no Streamlit, synthetic spaces)."""

from __future__ import annotations

import sys
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import pytest

from dashboard import defaults
from dashboard.views import crosslingual as crosslingual_view
from dashboard.views import layouts as layouts_view
from dashboard.views import pairs as pairs_view
from dashboard.views import scale as scale_view
from dashboard.views import sensitivity as sensitivity_view
from dashboard.views import translate as translate_view
from dashboard.views.common import fmt, untyped
from dashboard.views.settings import Settings, default_pair
from irp_core.heads import LinearHead
from irp_core.scoring import METRICS

NA_DIMS = METRICS["absolute"].na  # how a pair of different dims shows its absolute accuracy


@dataclass(frozen=True)
class _Space:
    anchors: np.ndarray
    anchor_labels: np.ndarray
    anchor_ids: np.ndarray
    test: np.ndarray
    test_labels: np.ndarray
    test_ids: np.ndarray
    layout: np.ndarray


class FakeDataset:
    """The cache loader's interface over small synthetic spaces: a shared latent, per-encoder
    random nonlinear maps, so translation is possible but imperfect."""

    def __init__(self, name="toy", modality="image", dims=None, n_anchors=300, n_test=400):
        dims = dims or {"enc_a": 32, "enc_b": 48, "enc_c": 32}
        rng = np.random.default_rng(0)
        self.name, self.title, self.modality = name, name.upper(), modality
        self.classes = [f"c{i}" for i in range(5)]
        self.encoders = list(dims)
        self.encoder_info = {e: {"model": e.rsplit("_", 1)[0], "dim": d,
                                 "language": e.rsplit("_", 1)[-1]} for e, d in dims.items()}
        proto = rng.normal(size=(5, 12)) * 2
        la, lt = rng.integers(0, 5, n_anchors), rng.integers(0, 5, n_test)
        za = proto[la] + rng.normal(size=(n_anchors, 12))
        zt = proto[lt] + rng.normal(size=(n_test, 12))
        self._spaces, self._heads = {}, {}
        for i, (e, d) in enumerate(dims.items()):
            w = np.random.default_rng(10 + i).normal(size=(12, d)) / np.sqrt(12)
            a = np.tanh(za @ w).astype(np.float32) + 0.2
            t = np.tanh(zt @ w).astype(np.float32) + 0.2
            tc = t - t.mean(0)
            lay = (tc @ np.linalg.svd(tc, full_matrices=False)[2][:2].T).astype(np.float32)
            self._spaces[e] = _Space(a, la, np.arange(n_anchors), t, lt,
                                     np.arange(n_anchors, n_anchors + n_test), lay)
            self._heads[e] = LinearHead(max_iter=300).fit(a, la)

    def space(self, enc):
        if enc not in self._spaces:
            raise KeyError(enc)
        return self._spaces[enc]

    def head(self, enc, kind="linear"):
        return self._heads[enc]

    def item_texts(self, ids, language=None):
        return [f"item {int(i)} [{language or 'en'}]" for i in ids]

    def item_thumbnails(self, ids):
        return np.stack([np.full((28, 28), int(i) % 256, np.uint8) for i in ids])


@pytest.fixture(scope="module")
def ds():
    return FakeDataset()


@pytest.fixture(scope="module")
def settings(ds):
    return Settings(dataset=ds.name, source="enc_a", target="enc_b")


def test_settings_are_hashable_and_default_from_defaults():
    s = Settings()
    assert hash(s) == hash(Settings())
    assert (s.omega, s.delta, s.dataset) == (defaults.OMEGA, defaults.DELTA, defaults.DATASET)
    assert default_pair(["x", "y", "z"]) == ("x", "y")
    assert default_pair(["only"]) == ("only", "only")


def test_translate_reports_every_number(ds, settings):
    t = translate_view.translate(ds, settings)
    m = t.metrics
    assert t.pred.shape == ds.space("enc_b").test.shape and t.pred.dtype == np.float32
    assert -1 <= m["recon"] <= 1 and 0 <= m["retrieval_top1"] <= 1
    assert m["recon"] > 0.5  # synthetic spaces share a latent: IRP must recover most of it
    assert m["absolute"] is None and translate_view.metric_tiles(t)[0][4].value == NA_DIMS  # 32-d -> 48-d
    assert 0 <= m["zero_shot"] <= 1 and m["non_stitch"] > 0.8
    assert m["zero_shot"] > 1.5 / len(ds.classes)  # well above chance
    assert len(t.kept) == settings.omega and len(t.cond_sub) == settings.omega
    assert m["cond_full"] >= 1 and m["cond_mean"] >= 1
    assert t.confusion.sum() == len(t.pred) and t.confusion.shape == (5, 5)
    for key in ("norm_source", "norm_target", "norm_translated"):
        assert set(m[key]) >= {"mean", "std", "min", "max"}


def test_absolute_is_a_number_when_dims_match(ds, settings):
    m = translate_view.translate(ds, settings.with_pair("enc_a", "enc_c")).metrics
    assert isinstance(m["absolute"], float)


@pytest.mark.parametrize("pair", [("enc_a", "enc_b"), ("enc_a", "enc_c")])
def test_pair_constants_are_the_heads_and_norms_of_the_pair(ds, settings, pair):
    """Computed once per pair, they are what the translation reports: the head on the raw source
    and on the true target vectors, and both sides' norms."""
    s = settings.with_pair(*pair)
    fixed = translate_view.pair_constants(ds, *pair)
    head, labels = ds.head(pair[1]), ds.space(pair[1]).test_labels
    assert fixed["non_stitch"] == float(np.mean(head.predict(ds.space(pair[1]).test) == labels)) > 0.8
    if pair[1] == "enc_b":  # 32-d -> 48-d
        assert fixed["absolute"] is None
    else:
        assert fixed["absolute"] == float(np.mean(head.predict(ds.space(pair[0]).test) == labels))
    m = translate_view.translate(ds, s).metrics
    assert translate_view.translate(ds, s, pair=fixed).metrics == m
    for key in ("absolute", "non_stitch", "norm_source", "norm_target"):
        assert m[key] == fixed[key], key


def test_intra_space_translation_is_near_perfect(ds, settings):
    m = translate_view.translate(ds, replace(settings, target="enc_a", delta=0.0, omega=1, ridge=0.0)).metrics
    assert m["recon"] > 0.99 and m["retrieval_top1"] > 0.9
    # The default ridge trades exactness on an identical space for robustness across encoders.
    damped = translate_view.translate(ds, replace(settings, target="enc_a", delta=0.0, omega=1)).metrics
    assert 0.9 < damped["recon"] < m["recon"]


def test_omega_and_delta_change_the_numbers(ds, settings):
    a = translate_view.translate(ds, settings).metrics
    b = translate_view.translate(ds, replace(settings, omega=2, delta=0.4)).metrics
    assert a["kept_mean"] != b["kept_mean"]
    assert a["recon"] != b["recon"]


def test_higher_delta_keeps_fewer_anchors(ds, settings):
    lo = translate_view.translate(ds, replace(settings, delta=0.3), light=True).metrics
    hi = translate_view.translate(ds, replace(settings, delta=0.8), light=True).metrics
    assert hi["kept_mean"] < lo["kept_mean"]


def test_k_limits_the_anchors(ds, settings):
    m = translate_view.translate(ds, replace(settings, n_anchors=50, delta=0.0)).metrics
    assert m["n_anchors"] == 50 and m["kept_max"] <= 50


def test_k_is_the_cores_seeded_subsample(ds, settings):
    """K on the page means what IRP's n_anchors means: the same seeded rows, so the same fit."""
    from irp_core import IRP

    s = replace(settings, n_anchors=50, random_state=3)
    t = translate_view.translate(ds, s)
    sx, sy = ds.space(s.source), ds.space(s.target)
    direct = IRP(**{**s.irp_kwargs(), "n_anchors": 50}).fit(sx.anchors, sy.anchors)
    np.testing.assert_allclose(t.pred, direct.transform(sx.test), rtol=1e-4, atol=1e-5)
    assert t.metrics["n_anchors"] == 50


def test_light_translation_skips_the_expensive_parts(ds, settings):
    t = translate_view.translate(ds, settings, light=True)
    assert "retrieval_top1" not in t.metrics and t.confusion is None  # not measured: not there
    full = translate_view.translate(ds, settings).metrics
    # to the bit: the Method page shows the full translation's numbers beside sweeps of light ones
    for key in ("recon", "recon_centred", "zero_shot", "kept_mean", "cond_mean", "cond_max", "cond_damped_mean"):
        assert t.metrics[key] == full[key], key


@pytest.fixture(scope="module")
def low_rank_ds():
    """enc_b's anchors confined to 10 of its 48 dimensions: unwhitened, every pruned subset of
    more than 10 anchors is rank deficient, which the condition numbers warn about."""
    low = FakeDataset()
    b = low.space("enc_b")
    mix = np.random.default_rng(3).normal(size=(10, b.anchors.shape[1])).astype(np.float32)
    low._spaces["enc_b"] = replace(b, anchors=b.anchors[:, :10] @ mix)
    return low


@pytest.mark.parametrize("case", [{}, {"ridge": 0.0}, {"completion": True}, {"center": "none", "low_rank": True}])
def test_conditioning_added_later_equals_the_one_pass_translation(ds, low_rank_ds, settings, case, monkeypatch):
    case = dict(case)
    data = low_rank_ds if case.pop("low_rank", False) else ds
    s = replace(settings, omega=3, delta=0.5, **case)
    whole = translate_view.translate(data, s)
    t = translate_view.translate(data, s, conditioning=False)
    assert not t.conditioned and t.cond_sub == [] and "cond_max" not in t.metrics
    assert {tile.key for row in translate_view.metric_tiles(t) for tile in row
            if tile.value == translate_view.PENDING} == set(translate_view.CONDITIONING_TILES)
    assert t.translator is not None  # the fit that made it, until its condition numbers are read
    from irp_core import IRP

    with monkeypatch.context() as patched:  # the fit that made the translation, never a refit
        patched.setattr(IRP, "fit", lambda *a, **k: pytest.fail("add_conditioning refitted IRP"))
        assert translate_view.add_conditioning(data, t) is t and t.conditioned and t.translator is None
    assert t.cond_sub == whole.cond_sub and len(t.cond_sub) == 3
    assert t.extras["cond_damped"] == whole.extras["cond_damped"]
    assert t.metrics == whole.metrics  # every number, to the bit
    assert t.extras["warnings"] == whole.extras["warnings"]
    assert translate_view.metric_tiles(t)[1][3:6] == translate_view.metric_tiles(whole)[1][3:6]
    if data is low_rank_ds:
        assert any("rank deficient" in w for w in t.extras["warnings"])


def test_core_errors_propagate_as_exceptions_with_a_message(ds, settings):
    with pytest.raises(ValueError, match="delta"):
        translate_view.translate(ds, replace(settings, delta=1.5))


def test_baselines_and_summary_rows(ds, settings):
    t = translate_view.translate(ds, settings)
    base = translate_view.baselines(ds, "enc_a", "enc_b")
    assert set(base) == {"procrustes", "linear"}
    for b in base.values():
        assert 0 <= b["zero_shot"] <= 1 and -1 <= b["recon"] <= 1
    rows = translate_view.summary_rows(t, base)
    assert [r["method"].split(" ")[0] for r in rows] == [
        "IRP", "absolute", "non-stitch", "Procrustes", "linear"]
    assert rows[1]["accuracy"] == NA_DIMS


def test_fmt():
    assert fmt(None) == "n/a" and fmt(float("nan")) == "n/a"
    assert fmt(0.12345) == "0.123" and fmt(3) == "3" and fmt("x") == "x"
    assert fmt(123456.0) == "1.23e+05"


def test_place_in_layout_puts_true_vectors_on_their_own_neighbourhood(ds):
    sp = ds.space("enc_b")
    pos, nearest = layouts_view.place_in_layout(sp.test[:50], sp.test, sp.layout, k=1)
    np.testing.assert_array_equal(nearest, np.arange(50))
    np.testing.assert_allclose(pos, sp.layout[:50], atol=1e-6)
    pos5, _ = layouts_view.place_in_layout(sp.test[:50], sp.test, sp.layout, k=5)
    assert pos5.shape == (50, 2) and np.all(np.isfinite(pos5))


def test_layout_placements_reuse_the_retrieval_similarities(ds, settings):
    """The page places translated points from the similarities retrieval ranked: same result as
    placing them afresh, and the same retrieval as the metric computed on its own."""
    from irp_core import metrics

    t = translate_view.translate(ds, settings)
    sy = ds.space(settings.target)
    rows, placed, nearest = t.extras["placement"]
    fresh_placed, fresh_nearest = layouts_view.place_in_layout(t.pred[rows], sy.test, sy.layout)
    np.testing.assert_allclose(placed, fresh_placed, atol=1e-6)
    assert np.array_equal(nearest, fresh_nearest)
    assert t.metrics["retrieval_top1"] == metrics.retrieval_top1(t.pred, sy.test)
    panel = layouts_view.layout_panel_data(ds, t)
    assert np.array_equal(panel["placed_xy"], placed) and np.array_equal(panel["rows"], rows)


def test_display_rows_is_a_fixed_sorted_subsample():
    r = layouts_view.display_rows(5000, 1000)
    assert len(r) == 1000 and np.all(np.diff(r) > 0)
    np.testing.assert_array_equal(r, layouts_view.display_rows(5000, 1000))
    np.testing.assert_array_equal(layouts_view.display_rows(10, 1000), np.arange(10))


def test_layout_figures_carry_global_row_ids(ds, settings):
    t = translate_view.translate(ds, settings)
    panel = layouts_view.layout_panel_data(ds, t, n_show=200)
    figs = layouts_view.layout_figures(panel, ds.classes, "enc_a", "enc_b")
    assert all(isinstance(f, go.Figure) for f in figs)
    for fig in figs:
        ids = set()
        for tr in fig.data:
            assert tr.customdata is not None
            ids |= {int(v) for v in untyped(tr.customdata)}
        assert ids == {int(r) for r in panel["rows"]}
        assert fig.layout.dragmode == "select"
    # the source chart does not depend on the translation: same figure for another ω
    t2 = translate_view.translate(ds, replace(settings, omega=2, delta=0.5))
    figs2 = layouts_view.layout_figures(
        layouts_view.layout_panel_data(ds, t2, n_show=200), ds.classes, "enc_a", "enc_b"
    )
    assert figs2[0].to_json() == figs[0].to_json()
    assert figs2[1].to_json() != figs[1].to_json()
    sel = [int(panel["rows"][0]), int(panel["rows"][5])]
    src, tgt = layouts_view.layout_figures(panel, ds.classes, "enc_a", "enc_b", selected=sel)
    assert len(src.data) == len(figs[0].data) + 1  # rings
    assert len(tgt.data) == len(figs[1].data) + 2  # rings + true->translated segments
    rings = [tr for f in (src, tgt) for tr in f.data if tr.name == "selected"]
    assert len(rings) == 2
    assert all(sorted(int(v) for v in untyped(tr.customdata)) == sorted(sel) for tr in rings)


def test_layout_traces_put_each_item_at_its_position_in_its_class(ds, settings):
    """The charts carry base64 typed arrays: decoded, every item sits where the panel put it, in
    its own class's trace (the class is in the trace's name and hover, not in the point)."""
    t = translate_view.translate(ds, settings)
    panel = layouts_view.layout_panel_data(ds, t, n_show=200)
    src, tgt = layouts_view.layout_figures(panel, ds.classes, "enc_a", "enc_b")
    where = {int(r): i for i, r in enumerate(panel["rows"])}
    for fig, key in ((src, "src_xy"), (tgt, "tgt_xy"), (tgt, "placed_xy")):
        traces = [tr for tr in fig.data if (tr.name == "translated") == (key == "placed_xy")]
        assert len(traces) == len(np.unique(panel["labels"]))
        for tr in traces:
            i = [where[int(r)] for r in untyped(tr.customdata)]
            assert len(set(panel["labels"][i])) == 1
            assert layouts_view._class_name(ds.classes, panel["labels"][i][0]) in tr.hovertemplate
            np.testing.assert_allclose(untyped(tr.x), panel[key][i, 0], atol=6e-4)
            np.testing.assert_allclose(untyped(tr.y), panel[key][i, 1], atol=6e-4)


def test_ids_from_selection_reads_customdata_not_point_indices():
    sel = {"selection": {"points": [
        {"point_index": 0, "curve_number": 3, "customdata": [42]},
        {"point_index": 0, "curve_number": 1, "customdata": 17},
        {"point_index": 2, "curve_number": 3, "customdata": 17},
        {"point_index": 1, "curve_number": 2},
    ]}}
    assert layouts_view.ids_from_selection(sel) == [17, 42]
    assert layouts_view.ids_from_selection(None) == [] and layouts_view.ids_from_selection({}) == []


def test_selected_items_image_and_text(ds, settings):
    t = translate_view.translate(ds, settings)
    panel = layouts_view.layout_panel_data(ds, t, n_show=100)
    sel = [int(r) for r in panel["rows"][:3]]
    info = layouts_view.selected_items(ds, t, panel, sel)
    assert info["images"].shape == (3, 28, 28) and info["texts"] is None
    assert [it["row"] for it in info["items"]] == sel
    assert all(it["class"] in ds.classes for it in info["items"])
    text_ds = FakeDataset(name="txt", modality="text")
    t2 = translate_view.translate(text_ds, replace(settings, dataset="txt"))
    info2 = layouts_view.selected_items(text_ds, t2, layouts_view.layout_panel_data(text_ds, t2, 100), sel)
    assert info2["images"] is None and len(info2["texts"]) == 3
    assert layouts_view.selected_items(ds, t, panel, [])["items"] == []


def test_small_figures(ds, settings):
    t = translate_view.translate(ds, settings)
    assert isinstance(translate_view.recon_hist_figure(t.recon_per_sample), go.Figure)
    assert translate_view.confusion_figure(t.confusion, ds.classes).data[0].z.shape == (5, 5)
    assert len(translate_view.norms_figure({"a": t.pred, "b": ds.space("enc_b").test}).data) == 2
    assert len(translate_view.kept_cond_figure(t).data) == 2


def test_all_pairs_and_paper_table(ds, settings):
    seen = []
    res = pairs_view.all_pairs(ds, settings, progress=lambda f, txt: seen.append(f))
    n = len(ds.encoders)
    assert res["recon"].shape == (n, n) and not res["errors"]
    assert seen[-1] == pytest.approx(1.0) and len(seen) == n * n
    # intra-space (X = Y) reconstructs best in every row
    assert np.all(np.diag(res["recon"]) >= res["recon"].max(axis=1) - 1e-9)
    assert np.isnan(res["absolute"][0, 1]) and np.isfinite(res["absolute"][0, 2])
    row = pairs_view.paper_table(ds, res, settings)[0]
    assert row["pairs available"] == str(n * (n - 1)) and "±" in row["zero-shot"]
    fig = pairs_view.pair_matrix_figure(res["recon"], res["encoders"], "recon")
    assert fig.data[0].z is not None


def test_all_pairs_uses_the_given_metrics_function(ds, settings):
    calls = []

    def fn(s):
        calls.append((s.source, s.target))
        return translate_view.translate(ds, s, light=True).metrics

    pairs_view.all_pairs(ds, settings, metrics_fn=fn)
    assert len(calls) == len(ds.encoders) ** 2


def test_sensitivity_grid_and_figures(ds, settings):
    g = sensitivity_view.sensitivity_grid(ds, settings, omegas=(1, 4), deltas=(0.3, 0.7))
    assert g["recon"].shape == (2, 2) and not g["errors"]
    assert g["kept_mean"][0, 1] < g["kept_mean"][0, 0]  # higher δ, fewer anchors
    assert len(sensitivity_view.sensitivity_figure(g).data) == 4
    fig, r = sensitivity_view.recon_vs_acc_figure(pairs_view.all_pairs(ds, settings))
    assert -1 <= r <= 1 and len(fig.data[0].x) == 6


def test_sensitivity_grid_reports_failing_cells(ds, settings):
    g = sensitivity_view.sensitivity_grid(ds, settings, omegas=(1,), deltas=(0.5, 1.5))
    assert np.isfinite(g["recon"][0, 0]) and np.isnan(g["recon"][0, 1])
    assert len(g["errors"]) == 1 and "δ=1.50" in g["errors"][0]


def test_pearson():
    x = np.arange(10.0)
    assert sensitivity_view.pearson(x, 2 * x + 1) == pytest.approx(1.0)
    assert np.isnan(sensitivity_view.pearson(x[:2], x[:2]))


def test_scale_views(ds, settings):
    fits = scale_view.norm_fits(ds)
    assert [f["encoder"] for f in fits] == ds.encoders and all(f["std"] > 0 for f in fits)
    assert len(scale_view.norm_fits_figure(fits).data) == 2 * len(fits)
    a = scale_view.alphas()
    assert a[0] == pytest.approx(defaults.ALPHA_MIN) and a[-1] == pytest.approx(defaults.ALPHA_MAX)
    t = translate_view.translate(ds, settings)
    res = scale_view.alpha_curves(ds, "enc_b", extra={"IRP translated": t.pred}, head_kinds=("linear",))
    assert set(res["curves"]) == {"linear head, true", "linear head, IRP translated"}
    assert len(res["curves"]["linear head, true"]) == len(a)
    fig = scale_view.alpha_figure(res, {"α = 1": 1.0, "IRP output": 2.0, "unknown": float("nan")})
    assert fig.layout.xaxis.type == "log"
    # on the log axis a label sits at log10 of its mark (plotly's add_vline label would land at 10**x)
    labels = {a.text: a for a in fig.layout.annotations}
    assert set(labels) == {"α = 1", "IRP output"}
    assert labels["α = 1"].x == pytest.approx(0.0) and labels["IRP output"].x == pytest.approx(np.log10(2.0))
    assert labels["α = 1"].y != labels["IRP output"].y  # coinciding marks do not overprint


def test_crosslingual_view():
    xl = FakeDataset(name="xl", modality="text",
                     dims={"mm_en": 32, "mm_es": 32, "mm_fr": 32, "mono_en": 40})
    cat = crosslingual_view.xl_catalog(xl)
    assert cat["multilingual"] == ["mm"] and cat["english"] == ["mm_en", "mono_en"]
    assert crosslingual_view.split_encoder(xl, "mm_es") == ("mm", "es")
    s = Settings(dataset="xl")
    res = crosslingual_view.crosslingual(xl, s, "mm", "es", "mono_en", n_examples=4)
    assert res["absolute"] == NA_DIMS and isinstance(res["reference"], float)
    assert -1 <= res["recon"] <= 1 and len(res["examples"]) == 4
    assert res["examples"][0]["sentence (es)"].endswith("[es]")
    same = crosslingual_view.crosslingual(xl, s, "mm", "fr", "mm_en", n_examples=2)
    assert isinstance(same["absolute"], float)
    with pytest.raises(ValueError, match="no 'de' space"):
        crosslingual_view.crosslingual(xl, s, "mm", "de", "mono_en")
    rows = [{"lang": "es", "irp": 0.9, "absolute": NA_DIMS, "reference": 0.8}]
    assert len(crosslingual_view.xl_languages_figure(rows).data) == 3


def test_views_import_no_streamlit_or_torch():
    """In a fresh interpreter: importing the views (and the core under them) loads neither
    Streamlit nor torch/timm. (A reload here would leave two Settings classes in this process,
    and dict lookups keyed by the old one, such as the precomputed tables, would miss.)"""
    import subprocess

    root = Path(__file__).resolve().parents[1]
    code = ("import sys, importlib, pkgutil; import dashboard.views, dashboard.exports, dashboard.precomputed, "
            "irp_core.scoring; [importlib.import_module('dashboard.views.' + m.name) "
            "for m in pkgutil.iter_modules(dashboard.views.__path__)]; "
            "print(sorted(m for m in ('streamlit', 'torch', 'timm') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_full_condition_number_matches_the_core(ds, settings):
    irp = translate_view.fit_irp(ds, settings)
    assert translate_view.full_condition_number(ds, "enc_b", 0, settings.center) == pytest.approx(
        irp.condition_number_full_, rel=1e-6)
    t = translate_view.translate(ds, settings, cond_full=123.0)
    assert t.metrics["cond_full"] == 123.0
    assert "cond_full" not in translate_view.translate(ds, settings, light=True).metrics  # not measured: not there


def test_layouts_figure_is_valid_plotly(ds, settings):
    """The figure is built without validation for speed: validate it here once."""
    t = translate_view.translate(ds, settings)
    panel = layouts_view.layout_panel_data(ds, t, n_show=200)
    for sel in ((), [int(panel["rows"][1])]):
        for fig in layouts_view.layout_figures(panel, ds.classes, "enc_a", "enc_b", selected=sel):
            go.Figure(fig.to_dict())  # raises on any invalid property
            assert fig.to_json()
