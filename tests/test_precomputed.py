"""The precomputed tables (``dashboard/tables_build.py`` writes them, ``dashboard/precomputed.py``
reads them): listed in the manifest, equal to the live computation, unused when broken or stale,
and the reason the All pairs and Sensitivity pages open without a fit at the presets."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from agreement import agree, another_summation_order

from cached_embeddings.builder.npzio import save_npz
from dashboard import defaults, precomputed, tables_build
from dashboard.views import pairs as pairs_view
from dashboard.views.settings import Settings, default_pair
from irp_core import functional
from irp_core.cache import cache_dir, list_datasets, load_dataset, sha256_file

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")
def _assert_same(live, table, what, n_items, key=""):
    """Live and stored agree to the tolerance any machine meets (``tests/agreement.py``)."""
    assert table is not None, f"{what}: not in the tables"
    assert agree(live, table, n_items=n_items, key=key), f"{what}:\n live  {live}\n table {table}"


@pytest.fixture(scope="module")
def manifest():
    return json.loads((cache_dir() / "manifest.json").read_text())


# -- the shipped tables -----------------------------------------------------------------------
@pytest.mark.parametrize("name", list_datasets())
def test_every_dataset_ships_its_tables_in_the_manifest(name, manifest):
    rel = precomputed.rel_path(name)
    assert rel in manifest["datasets"][name]["files"], f"{rel} not in manifest.json"
    assert manifest["datasets"][name]["files"][rel] == sha256_file(cache_dir() / rel)
    t = precomputed.load_tables(name)
    assert t is not None, precomputed.load_error(name)
    ds = load_dataset(name)
    cells = set(t.settings())
    assert set(precomputed.plan(ds)["metrics"]) <= cells  # every cell of the presets and the grid
    for preset in precomputed.PRESETS:
        for tgt in ds.encoders:
            for src in ds.encoders:
                assert precomputed.preset(name, preset, src, tgt) in cells
    src, tgt = default_pair(ds.encoders)
    for preset in precomputed.PRESETS:  # the Sensitivity grid of each preset, at its centring's δ
        base = precomputed.preset(name, preset, src, tgt)
        for w in defaults.SWEEP_OMEGAS:
            for d in defaults.sweep_deltas(base.center):
                assert replace(base, omega=w, delta=d) in cells


def _cells(name: str) -> list[Settings]:
    encs = load_dataset(name).encoders
    src, tgt = default_pair(encs)
    other = (encs[-1], encs[0])
    return [
        precomputed.preset(name, "defaults", src, tgt),  # the page's first numbers at IRP's defaults
        precomputed.preset(name, "paper", *other),  # the paper's preset, another pair
        # grid cells, at the largest δ of each preset's centring
        replace(
            precomputed.preset(name, "defaults", src, tgt), omega=2, delta=defaults.sweep_deltas(defaults.CENTER)[-1]
        ),
        replace(precomputed.preset(name, "paper", src, tgt), omega=16, delta=defaults.sweep_deltas("none")[-1]),
    ]


@pytest.mark.parametrize("name", [pytest.param("mnist", marks=pytest.mark.slow), "crosslingual"])  # mnist: ~10 s
def test_a_table_hit_equals_the_live_computation(name):
    assert name in list_datasets(), f"{name} is not in the shipped cache"
    t = precomputed.load_tables(name)
    assert t is not None, precomputed.load_error(name)
    ds = load_dataset(name)
    src, tgt = default_pair(ds.encoders)
    _compare(ds, t, _cells(name), [(src, tgt, 0, head) for head in defaults.HEAD_OPTIONS])


# The live side runs twice: at the server's BLAS threads, which the tables were computed at, and at
# another count, so that its products sum in another order, as another CPU's kernels do. Both must
# agree with the table to tests/agreement.py's tolerances; nothing is compared bit for bit.
ORDERS = {"the server's threads": tables_build.BLAS_THREADS, "another thread count": tables_build.BLAS_THREADS + 1}


def _compare(ds, t, cells, baselines) -> None:
    for order, threads in ORDERS.items():
        functional.clear_caches()  # the core memoises on content: recompute, do not reread
        with another_summation_order(threads):
            for s in cells:
                n = len(ds.space(s.target).test_labels)
                cond = precomputed.live_cond_full(ds, s.target, s.n_anchors, s.center, s.whiten_floor)
                _assert_same(cond, t.cond_full(s.target, s.n_anchors, s.center, s.whiten_floor),
                             f"cond_full {s}, {order}", n, key="cond_full")
                _assert_same(precomputed.live_metrics(ds, s, cond), t.metrics(s), f"metrics {s}, {order}", n)
            for src, tgt, k, head in baselines:
                _assert_same(precomputed.live_baselines(ds, src, tgt, k, head), t.baselines(src, tgt, k, head),
                             f"baselines {src} → {tgt}, k {k}, {head}, {order}", len(ds.space(tgt).test_labels))


def test_settings_off_the_tables_miss():
    name = defaults.DATASET
    t = precomputed.load_tables(name)
    assert t is not None, precomputed.load_error(name)
    src, tgt = default_pair(load_dataset(name).encoders)
    base = precomputed.preset(name, "defaults", src, tgt)
    assert t.metrics(base) is not None
    for off in (dict(omega=3), dict(delta=0.35), dict(n_anchors=300), dict(ridge=0.25), dict(random_state=1),
                dict(center="anchor_mean"), dict(head="mlp"), dict(completion=True),
                dict(rescale="none"), dict(prune_on="both"), dict(whiten_floor=0.01)):
        assert t.metrics(replace(base, **off)) is None, off
    assert t.cond_full(tgt, 0, "anchor_mean", defaults.WHITEN_FLOOR) is None
    assert t.cond_full(tgt, 300, defaults.CENTER, defaults.WHITEN_FLOOR) is None
    assert t.baselines(src, tgt, 300, "linear") is None
    assert t.baselines(src, "no such encoder", 0, "linear") is None
    assert precomputed.load_tables("upload:mine") is None  # an upload is never looked up


def test_a_hit_is_a_copy():
    t = precomputed.load_tables(defaults.DATASET)
    s = _cells(defaults.DATASET)[0]
    m = t.metrics(s)
    m.clear()
    assert t.metrics(s)


# -- build and read on a tiny cache: the writer, the manifest, a broken or stale file ------------
def _tiny_cache(out: Path, encoders=("resnet10t_128", "resnet18_256"), n: int = 48) -> None:
    """A cache of MNIST with two small encoders cut to ``n`` anchors and test items."""
    src = cache_dir()
    entry = dict(json.loads((src / "manifest.json").read_text())["datasets"]["mnist"])
    d = out / "mnist"
    (d / "heads").mkdir(parents=True)
    shutil.copy(src / "mnist/items.npz", d / "items.npz")
    files = {"mnist/items.npz": sha256_file(d / "items.npz")}
    infos = {}
    for enc in encoders:
        with np.load(src / f"mnist/{enc}.npz") as z:
            arrays = {k: z[k][:n] for k in z.files}
        save_npz(d / f"{enc}.npz", **arrays)
        infos[enc] = {**entry["encoders"][enc], "sha256": sha256_file(d / f"{enc}.npz")}
        for kind in defaults.HEAD_OPTIONS:
            rel = f"mnist/heads/{enc}_{kind}.npz"
            shutil.copy(src / rel, out / rel)
            files[rel] = sha256_file(out / rel)
    entry.update(encoders=infos, files=files, n_anchors=n, n_test=n)
    (out / "manifest.json").write_text(json.dumps({"version": 1, "datasets": {"mnist": entry}}, indent=2))


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    root = tmp_path_factory.mktemp("tiny_cache")
    _tiny_cache(root)
    assert precomputed.load_tables("mnist", root=root) is None
    assert "not listed" in precomputed.load_error("mnist")
    summary = tables_build.build_dataset("mnist", root, jobs=1, grid_pairs="default")
    assert summary["errors"] == 0
    tables_build.register(root, "mnist")
    return root


def test_build_lists_the_tables_and_they_equal_live(tiny):
    man = json.loads((tiny / "manifest.json").read_text())["datasets"]["mnist"]
    assert man["files"]["mnist/tables.json"] == sha256_file(tiny / "mnist/tables.json")
    assert tables_build.tables_fresh(tiny, "mnist")
    t = precomputed.load_tables("mnist", root=tiny)
    assert t is not None, precomputed.load_error("mnist")
    ds = load_dataset("mnist", root=tiny)
    plan = precomputed.plan(ds, "default")
    assert set(t.settings()) == set(plan["metrics"])
    _compare(ds, t, plan["metrics"][::23], plan["baselines"])
    # a rerun gives the same bytes: the manifest does not change unless the numbers do
    before = sha256_file(tiny / "mnist/tables.json")
    tables_build.build_dataset("mnist", tiny, jobs=1, grid_pairs="default", resume=True)
    assert sha256_file(tiny / "mnist/tables.json") == before


def _copy(tiny: Path, dest: Path) -> Path:
    shutil.copytree(tiny, dest)
    return dest


def test_a_corrupted_table_is_not_used_and_pages_compute_live(tiny, tmp_path):
    root = _copy(tiny, tmp_path / "c")
    path = root / "mnist/tables.json"
    path.write_text(path.read_text() + " ")  # one byte more
    assert precomputed.load_tables("mnist", root=root) is None
    assert "does not match the manifest" in precomputed.load_error("mnist")
    # the live computation still works on that cache
    ds = load_dataset("mnist", root=root)
    s = precomputed.preset("mnist", "defaults", *ds.encoders)
    assert precomputed.live_metrics(ds, s)["n_anchors"] == 48


def test_a_missing_table_is_not_used(tiny, tmp_path):
    root = _copy(tiny, tmp_path / "c")
    (root / "mnist/tables.json").unlink()
    assert precomputed.load_tables("mnist", root=root) is None
    assert "missing" in precomputed.load_error("mnist")


def test_a_stale_or_foreign_table_is_not_used(tiny, tmp_path):
    root = _copy(tiny, tmp_path / "c")
    path = root / "mnist/tables.json"
    doc = json.loads(path.read_text())
    doc["inputs"]["mnist/resnet18_256.npz"] = "0" * 64  # computed from other embeddings
    tables_build.write_tables(path, doc)
    tables_build.register(root, "mnist")
    assert precomputed.load_tables("mnist", root=root) is None
    assert "rebuild" in precomputed.load_error("mnist") and not tables_build.tables_fresh(root, "mnist")
    doc = json.loads((tiny / "mnist/tables.json").read_text())
    doc["settings_fields"] = doc["settings_fields"][:-1]  # Settings has gained a field since
    tables_build.write_tables(path, doc)
    tables_build.register(root, "mnist")
    assert precomputed.load_tables("mnist", root=root) is None and "Settings fields" in precomputed.load_error("mnist")
    doc = json.loads((tiny / "mnist/tables.json").read_text())
    doc["metric_keys"] = doc["metric_keys"][:-1]  # the metric registry has gained a metric since
    tables_build.write_tables(path, doc)
    tables_build.register(root, "mnist")
    assert precomputed.load_tables("mnist", root=root) is None and "other metrics" in precomputed.load_error("mnist")


# -- the pages: no fit at the presets ---------------------------------------------------------
def _count_live(monkeypatch) -> list:
    calls = []
    for fn in ("live_metrics", "live_cond_full", "live_baselines"):
        real = getattr(precomputed, fn)

        def wrapped(*a, _real=real, _fn=fn, **k):
            calls.append(_fn)
            return _real(*a, **k)

        monkeypatch.setattr(precomputed, fn, wrapped)
    return calls


PAPER = {"center": "none", "ridge": "0.0", "omega": "8", "delta": "0.7"}


@pytest.mark.parametrize("params", [{}, PAPER], ids=["defaults", "paper"])
@pytest.mark.parametrize("page", ["all_pairs", "sensitivity"])
def test_pages_open_from_the_tables_at_the_presets(monkeypatch, page, params):
    from streamlit.testing.v1 import AppTest

    calls = _count_live(monkeypatch)
    at = AppTest.from_file(APP, default_timeout=120)
    for k, v in params.items():
        at.query_params[k] = v
    at.switch_page(f"app_pages/{page}.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert len(at.metric) >= 4 and all(m.value not in ("", "n/a") for m in at.metric)
    assert calls == [], f"{page} computed {len(calls)} numbers live: {sorted(set(calls))}"


def test_off_the_presets_the_page_computes_every_cell_live(monkeypatch):
    """The cells the tables lack are computed (and drawn) on the page, with the same result."""
    from streamlit.testing.v1 import AppTest

    calls = _count_live(monkeypatch)
    at = AppTest.from_file(APP, default_timeout=240)
    at.query_params["n_anchors"] = "222"  # off every table
    at.switch_page("app_pages/all_pairs.py")
    at.run()
    assert not at.exception and not at.error
    n = len(load_dataset(defaults.DATASET).encoders)
    assert calls.count("live_metrics") == n * n
    shown = {m.label: m.value for m in at.metric}
    ds = load_dataset(defaults.DATASET)
    src, tgt = default_pair(ds.encoders)
    res = pairs_view.all_pairs(ds, Settings(dataset=defaults.DATASET, source=src, target=tgt, n_anchors=222))
    assert shown["pairs available"] == pairs_view.paper_table(ds, res, Settings())[0]["pairs available"]
    assert shown["zero-shot (mean ± std over pairs)"] == pairs_view.paper_table(ds, res, Settings())[0]["zero-shot"]
