"""AppTest: the spectrum view (Translate tab, Method page), the damped condition number beside the
raw one, the Sensitivity grid's damped figure, and classroom mode's step-through."""

from __future__ import annotations

import pytest
from apptest_pages import APP, assert_clean, open_page
from streamlit.testing.v1 import AppTest

from dashboard import defaults
from dashboard.views import classroom as classroom_view
from irp_core.spectrum import ridge_bound

TIMEOUT = 240
SPECTRUM_TAB = "spectrum: why the knobs work"


def _app(page: str, **params) -> AppTest:
    return open_page(page, TIMEOUT, **params)


def _clean(at: AppTest) -> None:
    assert_clean(at)
    # the edge notes may warn (the paper's δ 0.7 keeps few anchors); the spectrum view must not fail
    assert not [w.value for w in at.warning if w.value.startswith(("no spectrum", "no picture"))]


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _charts(at: AppTest) -> list:
    return list(at.get("plotly_chart"))


def test_spectrum_tab_shows_raw_and_damped_at_the_defaults():
    at = _app("translate", panel=SPECTRUM_TAB)
    _clean(at)
    m = _metrics(at)
    # the tile row beside the raw figures, and the tab's own numbers
    assert m["cond. number, pruned (max)"] == "5.68e+04"
    assert m["cond. number, damped (max)"] == f"{ridge_bound(defaults.RIDGE):.2f}" == "1.19"
    assert m["condition number, raw (worst subset)"] == "5.68e+04"
    assert m["condition number, damped"] == "1.19"
    assert m["mean overlap of the subsets"] == "1.00"  # δ = 0: every subset is the whole set
    assert len(_charts(at)) == 3  # spectrum, δ curve, subsets (the other tabs are not drawn)
    words = " ".join(c.value for c in at.caption)
    assert "amplif" in words and "(1 + ρ) / (2√ρ) = 1.19" in words


def test_spectrum_tab_follows_the_sliders():
    """The paper's setting (no centring, ridge 0, ω 8, δ 0.7): damped = raw, subsets differ."""
    at = _app("translate", panel=SPECTRUM_TAB, center="none", ridge="0.0", omega="8", delta="0.7")
    _clean(at)
    m = _metrics(at)
    raw, damped = float(m["condition number, raw (worst subset)"]), float(m["condition number, damped"])
    assert damped == pytest.approx(raw, abs=0.05) and raw > 1.5  # ridge 0: nothing damps
    assert float(m["mean overlap of the subsets"]) < 1
    assert m["anchors kept per subspace (ω = 8)"] != "1500–1500"
    at.sidebar.slider(key="delta").set_value(0.3).run()
    _clean(at)
    assert _metrics(at)["anchors kept per subspace (ω = 8)"] != m["anchors kept per subspace (ω = 8)"]
    assert "Ridge 0" in " ".join(c.value for c in at.caption)


def test_method_page_draws_the_spectrum_and_links_classroom_mode():
    at = _app("method")
    _clean(at)
    assert "Why the knobs work: the spectrum of the current pair" in [h.value for h in at.subheader]
    assert len(_charts(at)) == 3
    assert any("?classroom=1" in md.value for md in at.markdown)
    assert "step" not in [r.key for r in at.get("radio")]  # no step-through outside classroom mode


def test_classroom_steps_through_every_step_with_a_live_plot():
    at = _app("method", classroom="1")
    _clean(at)
    keys = list(classroom_view.STEPS)
    assert at.radio(key="step").options == keys
    assert at.button(key="step_prev").disabled
    seen = []
    for n, key in enumerate(keys):
        assert at.radio(key="step").value == key
        assert at.subheader[0].value == f"Step {n + 1} of {len(keys)}: {classroom_view.STEPS[key][0]}"
        charts = _charts(at)
        assert len(charts) == 1, key  # the step's own plot (the spectrum section is the steps' here)
        seen.append(charts[0].proto.spec)
        if n < len(keys) - 1:
            assert at.query_params.get("step", [keys[0]]) in ([key], key)
            at.button(key="step_next").click().run()
            _clean(at)
    assert at.button(key="step_next").disabled
    assert len(set(seen)) == len(keys)  # every step changed the plot
    at.button(key="step_prev").click().run()
    assert at.radio(key="step").value == keys[-2]
    assert at.query_params["step"] in (keys[-2], [keys[-2]])
    assert at.query_params["classroom"] in ("1", ["1"])


@pytest.mark.parametrize("step", ["ridge", "stitching"])
def test_a_step_opens_from_the_url(step):
    at = _app("method", classroom="1", step=step)
    _clean(at)
    assert at.radio(key="step").value == step
    assert len(_charts(at)) == 1


def test_classroom_mode_survives_a_page_switch_and_turns_off():
    at = _app("method", classroom="1")
    at.switch_page("app_pages/translate.py").run()
    _clean(at)
    assert at.query_params["classroom"] in ("1", ["1"])  # the flag is kept in the URL
    at.query_params["classroom"] = "0"
    at.switch_page("app_pages/method.py").run()
    _clean(at)
    assert "classroom" not in at.query_params
    assert "step" not in [r.key for r in at.get("radio")]


def test_sensitivity_compares_settings_by_the_damped_figure():
    at = _app("sensitivity")
    _clean(at)
    value = _metrics(at)["cond. number (mean): raw → damped"]
    raw, damped = value.split(" → ")
    assert raw == "5.68e+04" and damped == "1.19"
    fig = _charts(at)[0].proto.spec
    assert "damped at ridge 0.30" in fig


def test_spectrum_tab_and_steps_work_on_an_upload():
    """An upload's spectrum (its curve in the session's own cache, never Streamlit's shared one)."""
    import io

    import numpy as np

    from dashboard.state import session
    from irp_core.cache import load_dataset

    def npy(a) -> bytes:
        buf = io.BytesIO()
        np.save(buf, a)
        return buf.getvalue()

    ds = load_dataset("mnist")
    files = [(f"{e}.npy", npy(np.vstack([ds.space(e).anchors, ds.space(e).test])[:400]), "application/octet-stream")
             for e in ("resnet10t_128", "resnet18_256")]
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.switch_page("app_pages/upload.py").run()
    at.file_uploader(key="upload_files").set_value(files)
    at.selectbox(key="upload_layout").set_value("pca")
    at.run()
    at.button(key="upload_build").click().run()
    name = at.sidebar.selectbox(key="dataset").value
    assert name.startswith("upload:")
    at.query_params["panel"] = SPECTRUM_TAB
    at.switch_page("app_pages/translate.py").run()
    _clean(at)
    m = _metrics(at)
    assert float(m["condition number, damped"]) <= ridge_bound(defaults.RIDGE) + 0.01
    assert len(_charts(at)) == 3
    cached = at.session_state[session.UPLOAD_CACHE_KEY][name]
    assert any(fn.endswith("cached_curve") for _, fn in cached)
    at.query_params["classroom"] = "1"
    at.switch_page("app_pages/method.py").run()
    for _ in range(len(classroom_view.STEPS) - 1):
        _clean(at)
        assert len(_charts(at)) == 1 or at.radio(key="step").value == "stitching"
        at.button(key="step_next").click().run()
    _clean(at)
