"""Settings at the edges of the controls: a warning that says why, finite numbers, no traceback.

First the pure :func:`dashboard.views.edges.edge_notes` (including how it folds in the core's own
warnings, taken from real fits), then every page at those settings through the URL on the
shipped cache.
"""

from __future__ import annotations

import math
import re
import warnings

import numpy as np
import pytest
from apptest_pages import open_page
from streamlit.testing.v1 import AppTest

from dashboard import defaults
from dashboard.pages import PAGES
from dashboard.views import edges as edges_view
from dashboard.views import pairs as pairs_view
from dashboard.views.common import fmt
from dashboard.views.settings import Settings
from irp_core import IRP

TIMEOUT = 600
TYPICAL = {"kept_min": 1500, "kept_max": 1500, "n_anchors": 1500, "cond_max": 40.0}  # the default view
PRUNED = {"kept_min": 31, "kept_max": 37, "n_anchors": 1500, "cond_max": 5.7}  # ω 8, δ 0.7
P = {"omega": 8, "delta": 0.7}  # the paper's pruned setting


def _core_messages(ax: np.ndarray, ay: np.ndarray, **kw) -> list[str]:
    """The core's warnings for a fit centred on the anchor mean (no whitening: a handful of anchors)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _ = IRP(center="anchor_mean", **kw).fit(ax, ay).condition_numbers_  # the rank check comes with them
    return [str(w.message) for w in caught]


# --------------------------------------------------------------------------------------------
# edge_notes
# --------------------------------------------------------------------------------------------
def test_no_note_at_the_default_view():
    assert edges_view.edge_notes(Settings(), TYPICAL, 1280) == []
    assert edges_view.edge_notes(Settings(**P), PRUNED, [1280, 128]) == []


def test_few_anchors_kept_per_subspace():
    notes = edges_view.edge_notes(Settings(omega=8, delta=0.95), {**PRUNED, "kept_min": 4, "kept_max": 5}, 1280)
    (note,) = notes
    # the facts, in order: δ, anchors kept (4–5) of K, the span (5), ω, the reach (ω x 5), the target dim
    assert re.findall(r"\d+(?:\.\d+)?", note) == ["0.95", "4", "5", "1500", "5", "8", "40", "1280"], note
    assert "4–5 of 1500 anchors" in note and "lower δ" in note  # the fix to apply
    one = edges_view.edge_notes(Settings(omega=8, delta=0.0, n_anchors=2),
                        {**PRUNED, "kept_min": 1, "kept_max": 1, "n_anchors": 2}, 1280)
    assert "keeps only 1 of 2 anchors" in one[0] and "a 1-D span" in one[0]
    assert "lower δ" not in one[0] and "raise K" in one[0]  # δ is already at its minimum
    assert edges_view.edge_notes(Settings(omega=8, delta=0.85), {**PRUNED, "kept_min": 7, "kept_max": 10}, 1280) == []
    # with anchor completion the span is not limited to the kept anchors: a different warning
    (completed,) = edges_view.edge_notes(Settings(omega=8, delta=0.95, completion=True), {**PRUNED, "kept_min": 4,
                                                                           "kept_max": 5}, 1280)
    assert "anchor completion supplies almost all" in completed and "span" not in completed


def test_k_below_the_target_dimension():
    notes = edges_view.edge_notes(Settings(n_anchors=50), {**TYPICAL, "n_anchors": 50}, 1280)
    assert any(n.startswith("K = 50 < target dim 1280") and "raise K" in n for n in notes)
    many = edges_view.edge_notes(Settings(n_anchors=200), {**TYPICAL, "n_anchors": 200}, [1280, 128, 256, 1280])
    assert any("the dimension of 3 of 4 target spaces (up to 1280)" in n for n in many)
    assert edges_view.edge_notes(Settings(n_anchors=200), {**TYPICAL, "n_anchors": 200}, 128) == []


def test_omega_at_both_ends():
    (one,) = edges_view.edge_notes(Settings(omega=1, delta=0.7), PRUNED, 1280)
    assert one.startswith("ω = 1:") and "single" in one and "raise ω" in one
    (top,) = edges_view.edge_notes(Settings(omega=defaults.OMEGA_MAX, delta=0.7), PRUNED, 1280)
    assert top.startswith(f"ω = {defaults.OMEGA_MAX} (the maximum)")
    # δ = 0 keeps every anchor: every subset is the same, so ω = 1 loses nothing and a large ω is waste
    unpruned = {**TYPICAL, "kept_min": 1500, "kept_max": 1500}
    assert edges_view.edge_notes(Settings(omega=1, delta=0.0), unpruned, 1280) == []
    (waste,) = edges_view.edge_notes(Settings(omega=defaults.OMEGA_MAX, delta=0.0), unpruned, 1280)
    assert "δ = 0.00 keeps every anchor" in waste and f"{defaults.OMEGA_MAX} subsets" in waste
    (same,) = edges_view.edge_notes(Settings(omega=2), unpruned, [1280, 128])  # why moving ω does nothing
    assert same.startswith("δ = 0.00 keeps every anchor") and "ω = 2" in same and "Raise δ" in same


def test_ill_conditioned_anchors():
    (note,) = edges_view.edge_notes(Settings(omega=8, delta=0.1, ridge=0.0), {**PRUNED, "cond_max": 995886.8}, 1280)
    assert "ill-conditioned (condition number up to 9.96e+05)" in note and "raise δ" in note
    assert edges_view.edge_notes(Settings(**P), {**PRUNED, "cond_max": float("nan")}, 1280) == []
    # a ridge (the default) damps the decoding: the undamped condition number is no cause for alarm
    assert edges_view.edge_notes(Settings(omega=8, delta=0.1), {**PRUNED, "cond_max": 995886.8}, 1280) == []


def test_core_warnings_pass_through_unless_restated():
    rng = np.random.default_rng(0)
    # K = 3 anchors for a 16-d target: the core's message is restated as the K note
    core = _core_messages(rng.normal(size=(3, 8)), rng.normal(size=(3, 16)), delta=0.0, omega=1)
    assert any(edges_view.CORE_FEW_ANCHORS in c for c in core)
    notes = edges_view.edge_notes(Settings(n_anchors=3, delta=0.0, omega=2), {**TYPICAL, "n_anchors": 3}, 16, core)
    assert notes == [n for n in notes if edges_view.CORE_FEW_ANCHORS not in n] and notes[0].startswith("K = 3 <")
    # two anchors centre to opposite directions: one kept, restated as the 1-D note
    core = _core_messages(rng.normal(size=(2, 8)), rng.normal(size=(2, 16)), delta=0.0, omega=2)
    assert any(edges_view.CORE_SINGLE_ANCHOR in c for c in core)
    notes = edges_view.edge_notes(Settings(n_anchors=2, delta=0.0), {**TYPICAL, "kept_min": 1, "kept_max": 1,
                                                      "n_anchors": 2}, 16, core)
    assert not any(edges_view.CORE_SINGLE_ANCHOR in n for n in notes) and "1-D span" in notes[0]
    # the same item twice among the target anchors: the core's rank message is not restated, so kept
    ax, ay = rng.normal(size=(10, 8)), rng.normal(size=(10, 16))
    ay[1] = ay[0]
    core = _core_messages(ax, ay, delta=0.0, omega=1)
    rank = [c for c in core if "rank deficient" in c]
    assert rank, core
    notes = edges_view.edge_notes(Settings(n_anchors=10, delta=0.0, omega=1), {**TYPICAL, "n_anchors": 10}, 16, core)
    assert rank[0] in notes and notes[0].startswith("K = 10 <") and len(notes) == 2


def test_pairs_extremes_ignore_failed_pairs():
    res = {"kept_min": np.array([[4.0, np.nan], [9.0, 12.0]]), "kept_max": np.array([[5.0, np.nan], [11, 14]]),
           "cond_max": np.array([[2.0, np.nan], [3.0, 7.0]])}
    assert pairs_view.pairs_extremes(res) == {"kept_min": 4.0, "kept_max": 14.0, "cond_max": 7.0}
    assert pairs_view.pairs_extremes({"kept_min": np.full((2, 2), np.nan)})["kept_min"] is None


def test_fmt_never_prints_nan_or_inf():
    assert fmt(float("inf")) == "∞" and fmt(float("-inf")) == "-∞" and fmt(float("nan")) == "n/a"


# --------------------------------------------------------------------------------------------
# The pages at the edges, through the URL
# --------------------------------------------------------------------------------------------
NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?")


def _finite_or_na(value: str) -> bool:
    if any(bad in value.lower() for bad in ("nan", "inf", "∞")):
        return False
    if value.startswith("n/a"):
        return True
    nums = NUMBER.findall(value)
    return bool(nums) and all(math.isfinite(float(x)) for x in nums)


def _run(page: str, **params) -> AppTest:
    return open_page(page, TIMEOUT, **params)


EDGES = [  # page, URL params, what a warning must say (a regular expression: the facts, not the prose)
    # whitened anchors are nearly orthogonal, so only the centred ones are pruned this far; how many
    # are kept depends on the data: any count the note is shown for (at most FEW_KEPT) will do
    ("translate", {"delta": "0.95", "center": "anchor_mean"}, r"δ = 0\.95 keeps only \d+(–\d+)? of 1500 anchors"),
    ("translate", {"omega": "1", "delta": "0.7"}, r"^ω = 1: .*single"),
    ("translate", {"omega": str(defaults.OMEGA_MAX)}, rf"^ω = {defaults.OMEGA_MAX} \(the maximum\)"),
    ("translate", {"n_anchors": "10"}, r"^K = 10 < target dim 1280"),
    ("translate", {"n_anchors": "2", "center": "anchor_mean"}, r"keeps only [12] of 2 anchors"),
    ("translate", {"delta": "0.1", "center": "anchor_mean"}, r"colinear"),  # the core's own warning
    ("scale", {"omega": "1", "delta": "0.7"}, r"^ω = 1: .*single"),
    ("sensitivity", {"n_anchors": "50"}, r"^K = 50 < target dim 1280"),
    # every target space of the dataset is wider than K = 100, however many it has
    ("all_pairs", {"n_anchors": "100", "delta": "0.95"}, r"^K = 100 < the dimension of (\d+) of \1 target spaces"),
    ("crosslingual", {"n_anchors": "10"}, r"^K = 10 < target dim \d+"),
]


@pytest.mark.parametrize(("page", "params", "reason"), [
    pytest.param(p, q, r, id=f"{p}-{'-'.join(f'{k}{v}' for k, v in q.items())}",
                 marks=[pytest.mark.slow] if p == "sensitivity" else [])  # its sweep: about 10 s
    for p, q, r in EDGES])
def test_page_at_the_edge_warns_and_stays_finite(page, params, reason):
    at = _run(page, **params)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    warned = [w.value for w in at.warning]
    assert any(re.search(reason, w) for w in warned), warned
    shown = {m.label: m.value for m in at.metric}
    assert shown, "the page showed no numbers"
    assert {k: v for k, v in shown.items() if not _finite_or_na(v)} == {}


def test_translate_at_the_defaults_warns_of_nothing():
    at = _run("translate")
    assert not at.exception and not at.error
    assert [w.value for w in at.warning] == []


def test_delta_zero_dropping_duplicates_is_not_pruning():
    """At δ = 0 only near-duplicate anchors go (the cross-lingual strings have 3): ω = 1 loses
    nothing, and a larger ω averages subsets that are all but the same."""
    dup = {**TYPICAL, "kept_min": 1497, "kept_max": 1497}
    assert edges_view.edge_notes(Settings(omega=1, delta=0.0), dup, 512) == []
    (same,) = edges_view.edge_notes(Settings(omega=2, delta=0.0), dup, 512)
    assert "1497 of 1500 kept" in same and "ω changes nothing" in same


@pytest.mark.parametrize("page", ["crosslingual", "all_pairs", "scale"])
def test_other_pages_at_the_defaults_warn_of_no_omega_or_delta_edge(page):
    """Every warning must hold for the setting shown: at ω = 1, δ = 0 nothing is pruned."""
    at = _run(page)
    assert not at.exception and not at.error
    assert [w.value for w in at.warning if w.value.startswith(("ω", "δ"))] == []


# --------------------------------------------------------------------------------------------
# The paper preset: every warning on every page holds for the setting shown
# --------------------------------------------------------------------------------------------
PAPER_PAGES = [p.name for p in PAGES if p.numbers]  # every page that shows the setting's numbers


def _kept_by_source(dataset: str, encoders) -> dict[str, tuple[int, int]]:
    """Anchors kept per subspace (min, max) at the paper preset, per source encoder, from irp_core
    directly (pruned on the source side, so the target does not matter)."""
    from dashboard.precomputed import preset
    from irp_core.cache import load_dataset

    ds = load_dataset(dataset)
    s = preset(dataset, "paper")
    out = {}
    for enc in encoders:
        a = ds.space(enc).anchors
        kept = IRP(**s.irp_kwargs()).fit(a, a).n_anchors_kept_
        out[enc] = (int(min(kept)), int(max(kept)))
    return out


@pytest.mark.parametrize("page", [pytest.param(p, marks=[pytest.mark.slow] if p == "sensitivity" else [])
                                  for p in PAPER_PAGES])  # Sensitivity's grid computes 10 cells live: ~10 s
def test_every_warning_holds_at_the_paper_preset(page):
    """ω 8, δ 0.7, no centring, no ridge: pruning keeps a handful of raw anchors. Any warning the
    page shows must state this setting's facts, and none may claim the opposite (δ keeping every
    anchor, ω = 1, ω changing nothing)."""
    from irp_core.cache import load_dataset

    at = _run(page, preset="paper")
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.sidebar.slider(key="omega").value == 8 and at.sidebar.selectbox(key="center").value == "none"
    warned = [w.value for w in at.warning]
    for w in warned:
        assert not w.startswith("ω = 1") and "keeps every anchor" not in w and "ω changes nothing" not in w, w
        assert "ill-conditioned" not in w or "condition number up to" in w, w
    dataset = defaults.XL_DATASET if page == "crosslingual" else defaults.DATASET
    encs = list(load_dataset(dataset).encoders)
    kept = _kept_by_source(dataset, encs if page == "all_pairs" else encs[:1])
    lo, hi = min(k for k, _ in kept.values()), max(k for _, k in kept.values())
    few = [w for w in warned if "keeps only" in w]
    if lo <= edges_view.FEW_KEPT and page not in ("method", "crosslingual"):  # pages that show edge notes
        stated = f"{lo}" if lo == hi else f"{lo}–{hi}"
        assert any(f"δ = 0.70 keeps only {stated} of" in w for w in few), (kept, warned)
    for w in few:  # whatever count a page states is the one irp_core keeps
        counts = re.search(r"keeps only (\d+)(?:–(\d+))? of", w)
        assert counts and int(counts.group(1)) >= lo and int(counts.group(2) or counts.group(1)) <= hi, (kept, w)
