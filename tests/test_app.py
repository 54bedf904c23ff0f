"""AppTest tests of every dashboard page on the shipped cache (headless, no browser)."""

from __future__ import annotations

from pathlib import Path

import pytest
from apptest_pages import APP, assert_clean, open_page
from streamlit.testing.v1 import AppTest

from dashboard import defaults
from dashboard.pages import PAGES as ALL_PAGES
from irp_core.cache import list_datasets, load_dataset

PAGES = [p.name for p in ALL_PAGES if p.numbers]  # every page that shows the sidebar setting's numbers
TIMEOUT = 240  # the Sensitivity sweep's first run fits 35 cells
HAS_XL = defaults.XL_DATASET in list_datasets()


def _app(page: str = "translate", **params) -> AppTest:
    return open_page(page, TIMEOUT, **params)


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


_assert_clean = assert_clean


def _encoders() -> list[str]:
    return list(load_dataset(defaults.DATASET).encoders)


@pytest.mark.parametrize("page", list(PAGES))
def test_page_renders_with_defaults(page):
    at = _app(page)
    _assert_clean(at)
    if page == "crosslingual" and not HAS_XL:
        assert any("not in the shipped cache" in w.value for w in at.warning)
        return
    assert len(at.metric) >= 4
    assert at.sidebar.slider(key="omega").value == defaults.OMEGA
    assert at.sidebar.slider(key="delta").value == pytest.approx(defaults.DELTA)


@pytest.mark.parametrize("page", [p for p in PAGES if p != "crosslingual" or HAS_XL])
def test_omega_and_delta_change_the_numbers(page):
    at = _app(page)
    before = _metrics(at)
    at.sidebar.slider(key="delta").set_value(0.8).run()  # prunes even whitened anchors: ω subsets differ
    _assert_clean(at)
    after_delta = _metrics(at)
    assert after_delta != before
    at.sidebar.slider(key="omega").set_value(2).run()
    _assert_clean(at)
    assert _metrics(at) != after_delta


def test_ridge_and_centring_change_the_numbers():
    at = _app("translate")
    before = _metrics(at)
    at.sidebar.slider(key="ridge").set_value(0.0).run()
    _assert_clean(at)
    plain = _metrics(at)
    assert plain != before
    at.sidebar.selectbox(key="center").set_value("none").run()
    _assert_clean(at)
    assert _metrics(at) != plain


def test_sidebar_defaults_come_from_defaults_module():
    at = _app("method")
    encs = _encoders()
    assert at.sidebar.selectbox(key="dataset").value == defaults.DATASET
    assert at.sidebar.selectbox(key="source").value == encs[defaults.SOURCE_INDEX]
    assert at.sidebar.selectbox(key="target").value == encs[min(defaults.TARGET_INDEX, len(encs) - 1)]
    assert at.sidebar.number_input(key="n_anchors").value == defaults.N_ANCHORS
    assert at.sidebar.selectbox(key="center").value == defaults.CENTER
    assert at.sidebar.slider(key="ridge").value == pytest.approx(defaults.RIDGE)
    assert at.sidebar.number_input(key="whiten_floor").value == pytest.approx(defaults.WHITEN_FLOOR)
    assert at.sidebar.checkbox(key="completion").value is defaults.COMPLETION


def test_query_params_seed_the_widgets():
    encs = _encoders()
    src, tgt = encs[-1], encs[0]
    at = _app("translate", omega="5", delta="0.55", source=src, target=tgt, random_state="3",
              center="none", prune_on="target", completion="true", head="mlp")
    _assert_clean(at)
    sb = at.sidebar
    assert sb.slider(key="omega").value == 5
    assert sb.slider(key="delta").value == pytest.approx(0.55)
    assert sb.selectbox(key="source").value == src and sb.selectbox(key="target").value == tgt
    assert sb.number_input(key="random_state").value == 3
    assert sb.selectbox(key="center").value == "none"
    assert sb.selectbox(key="prune_on").value == "target"
    assert sb.checkbox(key="completion").value is True
    assert sb.selectbox(key="head").value == "mlp"
    assert any("ω = 5, δ = 0.55" in c.value for c in at.caption)


@pytest.mark.parametrize("page", list(PAGES))
def test_invalid_query_params_are_ignored(page):
    at = _app(page, omega="abc", delta="7", source="no_such_encoder", dataset="nope",
              n_anchors="-5", center="sideways", completion="maybe", bogus="1")
    _assert_clean(at)
    sb = at.sidebar
    assert sb.slider(key="omega").value == defaults.OMEGA
    assert sb.slider(key="delta").value == pytest.approx(defaults.DELTA)
    assert sb.selectbox(key="dataset").value == defaults.DATASET
    assert sb.selectbox(key="source").value == _encoders()[defaults.SOURCE_INDEX]
    assert sb.selectbox(key="center").value == defaults.CENTER


def test_linked_selection_shows_items():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["linked_ids"] = [0, 1, 2]
    at.run()
    _assert_clean(at)
    assert any("Selected items" in md.value for md in at.markdown)
    table = at.dataframe[-1].value
    assert list(table["row"]) == [0, 1, 2]
    # clearing the selection returns to the hint
    at.button(key="clear_selection").click().run()
    assert any("Select points" in i.value for i in at.info)


def test_selection_out_of_range_is_ignored():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["linked_ids"] = [10**9]
    at.run()
    _assert_clean(at)
    assert any("Select points" in i.value for i in at.info)


def test_translate_shows_all_the_numbers():
    m = _metrics(_app("translate"))
    for label in ("reconstruction similarity", "retrieval top-1", "zero-shot accuracy",
                  "absolute", "non-stitch", "anchors kept (mean)", "cond. number, all anchors",
                  "cond. number, pruned (mean)"):
        assert label in m, label
    assert 0.0 <= float(m["zero-shot accuracy"]) <= 1.0


def test_core_warning_is_shown_not_raised():
    at = _app("translate", n_anchors="2", delta="0.0")
    assert not at.exception
    assert at.warning or at.error  # a tiny anchor set is reported, never a traceback


def test_changing_dataset_resets_the_pair():
    names = list_datasets()
    other = next((n for n in names if n != defaults.DATASET), None)
    at = _app("method")
    if other is None:  # single-dataset cache: the selector only offers the default
        assert at.sidebar.selectbox(key="dataset").options == [defaults.DATASET]
        return
    at.sidebar.selectbox(key="dataset").set_value(other).run()
    _assert_clean(at)
    encs = list(load_dataset(other).encoders)
    assert at.sidebar.selectbox(key="source").value == encs[0]


@pytest.mark.slow  # a fresh interpreter renders the page: about 8 s
def test_app_start_imports_no_torch_timm_or_umap_and_holds_blas_to_one_thread():
    """In a fresh interpreter (numpy not yet loaded, as under `streamlit run`): render the
    Translate page, then look at ``sys.modules`` and the BLAS libraries' threads. threadpoolctl
    limits only loaded libraries; the app once limited before numpy was imported, a no-op."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from streamlit.testing.v1 import AppTest\n"
        "assert 'numpy' not in sys.modules\n"
        f"at = AppTest.from_file({APP!r}, default_timeout={TIMEOUT}).run()\n"
        "assert not at.exception, at.exception\n"
        "from threadpoolctl import threadpool_info\n"
        "blas = [i for i in threadpool_info() if i['user_api'] == 'blas']\n"
        "print(sorted({i['num_threads'] for i in blas}), len(blas))\n"
        "print(sorted(m for m in ('torch', 'timm', 'umap', 'numba') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False,
                         timeout=TIMEOUT, cwd=str(Path(APP).parents[1]))
    assert out.returncode == 0, out.stderr[-2000:]
    threads, modules = out.stdout.strip().splitlines()[-2:]
    assert modules == "[]"
    counts, n_libraries = threads.rsplit(" ", 1)
    assert counts == "[1]" and int(n_libraries) >= 2, threads  # numpy's BLAS and scipy's, one thread each


def test_details_tab_is_bound_to_the_url_and_lazy():
    at = _app("translate")
    assert len(at.get("plotly_chart")) == 2  # only the open tab runs: source and target layouts
    at2 = _app("translate", panel="distributions, conditioning, confusion matrix")
    _assert_clean(at2)
    assert len(at2.get("plotly_chart")) == 4  # recon histogram, kept/cond, confusion, norms


@pytest.mark.parametrize("dataset", list_datasets())
def test_translate_renders_for_every_shipped_dataset(dataset):
    at = _app("translate", dataset=dataset)
    _assert_clean(at)
    assert at.sidebar.selectbox(key="dataset").value == dataset
    assert at.sidebar.selectbox(key="source").value == load_dataset(dataset).encoders[0]
    assert len(at.metric) >= 10


def test_a_new_settings_condition_numbers_fill_their_tiles():
    """Translate draws a new setting's scores first and its condition numbers after: when the run
    ends, no tile is left pending and they are the one-pass translation's."""
    from dashboard.views import translate as translate_view
    from dashboard.views.settings import Settings, default_pair

    at = _app("translate", omega="3", delta="0.45")  # a setting no earlier test of this module drew
    _assert_clean(at)
    shown = _metrics(at)
    assert translate_view.PENDING not in shown.values()
    ds = load_dataset(defaults.DATASET)
    source, target = default_pair(ds.encoders)
    t = translate_view.translate(
        ds, Settings(dataset=defaults.DATASET, source=source, target=target, omega=3, delta=0.45)
    )
    want = {tile.label: tile.value for row in translate_view.metric_tiles(t) for tile in row
            if tile.key in translate_view.CONDITIONING_TILES}
    assert len(want) == len(translate_view.CONDITIONING_TILES)
    for label, value in want.items():
        assert shown[label] == value, label
