"""Method presets and pin-and-compare: the URL round trips through AppTest, on the shipped cache.

A preset sets the method's controls and a change of any control selects ``custom``; a pinned
setting A lives in the ``pin`` query parameter, and every tile then shows its difference to A.
"""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest
from apptest_pages import assert_clean, open_page
from streamlit.testing.v1 import AppTest

from dashboard import defaults, precomputed
from dashboard.state import presets
from dashboard.state.session import SETTINGS_KEY
from dashboard.views import compare as compare_view
from dashboard.views.common import fmt
from dashboard.views.settings import Settings, default_pair
from irp_core.cache import load_dataset
from irp_core.pruning import abs_cosine_gram, farthest_point_sampling
from irp_core.relative import normalize_rows, working_frame

TIMEOUT = 600
PAPER = {"omega": 8, "delta": 0.7, "center": "none", "ridge": 0.0}


def _app(page: str = "translate", **params) -> AppTest:
    return open_page(page, TIMEOUT, **params)


_clean = assert_clean


def _controls(at: AppTest) -> dict:
    sb = at.sidebar
    return {"preset": sb.radio(key="preset").value, "omega": sb.slider(key="omega").value,
            "delta": round(sb.slider(key="delta").value, 4), "center": sb.selectbox(key="center").value,
            "ridge": round(sb.slider(key="ridge").value, 4)}


def _tiles(at: AppTest) -> dict[str, tuple[str, str]]:
    return {m.label: (m.value, m.proto.delta) for m in at.metric}


def _pair() -> tuple[str, str]:
    return default_pair(list(load_dataset(defaults.DATASET).encoders))


# -- presets ------------------------------------------------------------------------------------
def test_paper_preset_in_the_url_opens_the_paper_setting():
    at = _app("translate", preset="paper")
    _clean(at)
    assert _controls(at) == {"preset": "paper", **PAPER}
    assert any("ω = 8, δ = 0.70" in c.value and "centring = none" in c.value and "ridge = 0.00" in c.value
               for c in at.caption)
    # the numbers are the paper setting's: the precomputed tables' entry for this exact Settings
    src, tgt = _pair()
    tabled = precomputed.load_tables(defaults.DATASET).metrics(precomputed.preset(defaults.DATASET, "paper", src, tgt))
    assert tabled is not None, "the paper preset must be a hit in the tables"
    tiles = _tiles(at)
    assert tiles["zero-shot accuracy"][0] == fmt(tabled["zero_shot"])
    assert tiles["reconstruction similarity"][0] == fmt(tabled["recon"])


def test_a_preset_sets_the_controls_and_any_change_selects_custom():
    at = _app("method")
    assert _controls(at)["preset"] == "defaults"
    at.sidebar.radio(key="preset").set_value("paper").run()
    _clean(at)
    assert _controls(at) == {"preset": "paper", **PAPER}
    at.sidebar.slider(key="omega").set_value(4).run()
    assert _controls(at) == {"preset": "custom", **PAPER, "omega": 4}
    at.sidebar.slider(key="omega").set_value(8).run()  # back on the paper's values: its preset again
    assert _controls(at)["preset"] == "paper"
    at.sidebar.number_input(key="random_state").set_value(3).run()  # an advanced control counts as well
    assert _controls(at)["preset"] == "custom"
    at.sidebar.radio(key="preset").set_value("defaults").run()
    assert _controls(at) == {
        "preset": "defaults",
        "omega": defaults.OMEGA,
        "delta": defaults.DELTA,
        "center": defaults.CENTER,
        "ridge": defaults.RIDGE,
    }
    assert at.sidebar.number_input(key="random_state").value == defaults.RANDOM_STATE
    assert at.session_state[SETTINGS_KEY] == Settings(dataset=defaults.DATASET, source=_pair()[0], target=_pair()[1])


def test_a_url_that_contradicts_its_preset_shows_custom():
    at = _app("method", preset="paper", omega="4")  # a hand-edited link
    _clean(at)
    assert _controls(at) == {"preset": "custom", **PAPER, "omega": 4}
    # a link with controls but no preset (every link made before presets) selects what they match
    assert _controls(_app("method", center="none", ridge="0", omega="8", delta="0.7"))["preset"] == "paper"
    assert _controls(_app("method", omega="3"))["preset"] == "custom"


def test_preset_match_covers_every_method_control():
    assert presets.match({}) == "defaults"
    assert presets.match(presets.values("paper")) == "paper"
    for key, value in presets.FIELDS.items():  # each control off its default leaves both presets
        other = {"omega": 2, "delta": 0.25, "center": "anchor_mean", "ridge": 0.5, "n_anchors": 100, "random_state": 1,
                 "whiten_floor": 0.01, "prune_on": "both", "rescale": "none", "completion": True}[key]
        assert other != value
        assert presets.match({key: other}) == "custom", key
    # a preset's Settings are exactly the ones the precomputed tables hold
    for name in precomputed.PRESETS:
        assert replace(Settings(), **presets.values(name)) == precomputed.preset(defaults.DATASET, name)


# -- the Sensitivity δ range fits the centring -----------------------------------------------
@pytest.mark.parametrize("center", list(defaults.SWEEP_DELTAS_BY_CENTER))
def test_sensitivity_deltas_prune_for_their_centring(center):
    """Over each centring's δ list, farthest-point sampling on the default pair's source anchors
    keeps fewer anchors at every step, and fewer than all already at the first δ."""
    src, _ = _pair()
    a = np.asarray(load_dataset(defaults.DATASET).space(src).anchors, dtype=np.float64)
    g = abs_cosine_gram(normalize_rows(working_frame(a, center, defaults.WHITEN_FLOOR).to_working(a)), normalized=True)
    kept = [len(farthest_point_sampling(g, d, 0)) for d in defaults.sweep_deltas(center)]
    assert kept[0] < 0.95 * len(a), (center, kept)
    assert all(x > y for x, y in zip(kept, kept[1:])), (center, kept)


# -- pin and compare ------------------------------------------------------------------------------
def test_pin_encoding_round_trips_and_refuses_bad_links():
    src, tgt = _pair()
    for s in (Settings(source=src, target=tgt), replace(Settings(source=src, target=tgt), **PAPER),
              Settings(source=src, target=tgt, n_anchors=300, completion=True, prune_on="both", whiten_floor=0.0125)):
        text = compare_view.encode(s)
        assert compare_view.decode(text) == s
        assert len(text) < 160
    assert compare_view.encode(replace(Settings(source="a", target="b"), **PAPER)) == \
        "dataset:mnist,source:a,target:b,omega:8,delta:0.7,center:none,ridge:0"
    for bad, why in (("omega:x,dataset:mnist,source:a,target:b", "omega:'x': expected an integer"),
                     ("dataset:mnist,source:a,target:b,center:sideways", "center:'sideways': one of"),
                     ("dataset:mnist,source:a,target:b,nope:1", "'nope:1' is not a setting"),
                     ("dataset:mnist,source:a,target:b,delta:nan", "not a finite number"),
                     ("omega:2", "the pin names no dataset, source, target")):
        with pytest.raises(ValueError, match=why.replace("(", r"\(")):
            compare_view.decode(bad)


def test_pin_shows_deltas_and_the_link_round_trips():
    at = _app("translate", preset="paper")
    at.sidebar.button(key="pin_button").click().run()
    _clean(at)
    src, tgt = _pair()
    a = precomputed.preset(defaults.DATASET, "paper", src, tgt)
    assert at.query_params["pin"] == compare_view.encode(a)
    assert all(d == "±0 vs A" or d == "" for _, d in _tiles(at).values())  # pinned where we stand
    at.sidebar.radio(key="preset").set_value("defaults").run()
    _clean(at)
    moved = _tiles(at)
    # the paper's few anchors against all of them, whitened and damped: the defaults stitch better
    zs_now, zs_delta = moved["zero-shot accuracy"]
    assert zs_delta.startswith("+") and zs_delta.endswith(" vs A")
    assert moved["cond. number, pruned (mean)"][1].startswith("+")  # all 1500 anchors: worse conditioned
    tabled = precomputed.load_tables(defaults.DATASET).metrics(a)
    assert float(zs_delta.split()[0]) == pytest.approx(float(zs_now) - tabled["zero_shot"], abs=1.5e-3)
    # both went up; for condition numbers lower is better, so their rise is coloured as a loss
    colours = {m.label: m.proto.color for m in at.metric}
    assert colours["cond. number, pruned (mean)"] != colours["zero-shot accuracy"]
    assert colours["cond. number, pruned (mean)"] == colours["reconstruction similarity"] or \
        moved["reconstruction similarity"][1].startswith("+")
    assert any("Pinned A" in m.value and "ω 8" in m.value for m in at.sidebar.markdown)

    # a fresh session opening the shared link (the pin; the controls at their defaults are not in
    # it; AppTest keeps removed parameters, so the browser test reads the real address bar)
    fresh = _app("translate", pin=at.query_params["pin"])
    _clean(fresh)
    timed = "fit + evaluate"  # the one tile that is not a result
    assert {k: v for k, v in _tiles(fresh).items() if k != timed} == {k: v for k, v in moved.items() if k != timed}

    # the comparison survives a page switch, and unpinning restores the page
    fresh.switch_page("app_pages/sensitivity.py").run()
    _clean(fresh)
    assert _tiles(fresh)["zero-shot accuracy"][1] == zs_delta
    fresh.switch_page("app_pages/translate.py").run()
    fresh.sidebar.button(key="unpin_button").click().run()
    _clean(fresh)
    assert "pin" not in fresh.query_params
    assert all(d == "" for _, d in _tiles(fresh).values())
    assert fresh.sidebar.button(key="pin_button")  # offered again


def test_pinned_details_tab_overlays_a():
    src, tgt = _pair()
    pin = compare_view.encode(precomputed.preset(defaults.DATASET, "paper", src, tgt))
    at = _app("translate", pin=pin, panel="distributions, conditioning, confusion matrix")
    _clean(at)
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    names = [[tr.get("name") for tr in sp["data"]] for sp in specs]
    hist = next(n for n, sp in zip(names, specs) if sp["data"][0]["type"] == "histogram" and compare_view.NOW in n)
    assert hist == [compare_view.PINNED, compare_view.NOW]
    bars = next(n for n, sp in zip(names, specs) if sp["data"][0]["type"] == "bar")
    assert bars.count(compare_view.NOW) == 2 and bars.count(compare_view.PINNED) == 2  # kept and condition, both
    heat = [sp for sp in specs if sp["data"][0]["type"] == "heatmap"]
    assert len(heat) == 1 and len(heat[0]["data"]) == 2  # the two confusion matrices side by side
    now_z, a_z = (tr["z"] for tr in heat[0]["data"])
    assert now_z != a_z  # the defaults (0.92) and the paper (0.26) confuse differently


def test_a_bad_pin_in_a_link_is_refused_with_a_reason():
    at = _app("translate", pin="dataset:mnist,source:a,target:b,omega:many")
    _clean(at)
    assert any("pinned setting in this link is not valid" in w.value and "omega" in w.value
               for w in at.sidebar.warning)
    assert "pin" not in at.query_params


@pytest.mark.parametrize(("page", "least"), [("all_pairs", 2), ("sensitivity", 4), ("scale", 2),
                                             ("crosslingual", 2)])
def test_other_pages_show_their_differences_to_a(page, least):
    """At the defaults with the paper pinned: the pages' numbers move, and each says by how much."""
    src, tgt = _pair()
    at = _app(page, pin=compare_view.encode(precomputed.preset(defaults.DATASET, "paper", src, tgt)))
    _clean(at)
    deltas = [m.proto.delta for m in at.metric if m.proto.delta]
    assert len(deltas) >= least and all(d.endswith(" vs A") for d in deltas), deltas
    assert sum(d != "±0 vs A" for d in deltas) >= 2, deltas
    unpinned = _app(page)
    assert [m.proto.delta for m in unpinned.metric if m.proto.delta] == []


def test_a_stale_preset_sent_with_a_move_does_not_undo_the_move():
    """Rapid key presses on a slider start a run before the browser has seen the preset turn
    ``custom``: that run carries the old preset with the new slider value. The move must stand."""
    at = _app("translate")
    at.sidebar.slider(key="omega").set_value(2).run()
    assert _controls(at)["preset"] == "custom"
    at.sidebar.slider(key="omega").set_value(3)
    at.sidebar.radio(key="preset").set_value("defaults")  # what the browser still showed
    at.run()
    _clean(at)
    assert _controls(at) == {"preset": "custom", "omega": 3, "delta": defaults.DELTA, "center": defaults.CENTER,
                             "ridge": defaults.RIDGE}
    assert any("ω = 3" in c.value for c in at.caption)
