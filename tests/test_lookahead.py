"""The server's work ahead for a lone user (dashboard/state/lookahead.py): which step it fits, when
its worker runs, and that it changes no number the page shows."""

from __future__ import annotations

import time
import warnings
from dataclasses import replace

import numpy as np
import pytest

from dashboard import defaults
from dashboard.state import lookahead
from dashboard.views import translate as translate_view
from dashboard.views.settings import Settings
from irp_core import IRP, IRPWarning, functional

BASE = Settings(dataset="mnist", source="efficientnet_lite0", target="efficientnet_lite1", omega=8, delta=0.5,
                ridge=0.3)


@pytest.mark.parametrize(("field", "before", "after", "ahead"), [
    ("omega", 8, 9, 10), ("omega", 8, 7, 6),
    ("delta", 0.5, 0.55, 0.6), ("delta", 0.55, 0.5, 0.45),
    ("ridge", 0.3, 0.35, 0.4), ("ridge", 0.35, 0.3, 0.25),
    ("omega", 2, 5, 6),  # a jump: one more step the same way
])
def test_next_step_follows_the_move_one_more_step(field, before, after, ahead):
    nxt = lookahead.next_step(replace(BASE, **{field: before}), replace(BASE, **{field: after}))
    assert nxt == replace(BASE, **{field: ahead})


def test_next_step_rounds_as_the_sidebar_does():
    """0.15 + 0.05 is 0.19999999999999998 in floats; the sidebar's setting is 0.2."""
    nxt = lookahead.next_step(replace(BASE, delta=0.1), replace(BASE, delta=0.15))
    assert nxt is not None and nxt.delta == 0.2 and nxt == replace(BASE, delta=0.2)


@pytest.mark.parametrize("previous", [
    None,  # the page just opened: no move to follow
    BASE,  # the same setting (a tab switched, a pin)
    replace(BASE, omega=7, delta=0.45),  # two sliders moved
    replace(BASE, omega=7, random_state=2),  # a slider and another option
    replace(BASE, random_state=2),  # not a slider
    replace(BASE, source="efficientnet_lite2"),  # another pair
])
def test_no_step_ahead_unless_one_slider_moved(previous):
    assert lookahead.next_step(previous, BASE) is None


@pytest.mark.parametrize(
    ("field", "before", "after"),
    [
        ("omega", defaults.OMEGA_MAX - 1, defaults.OMEGA_MAX),
        ("omega", defaults.OMEGA_MIN + 1, defaults.OMEGA_MIN),
        ("delta", defaults.DELTA_MAX - defaults.DELTA_STEP, defaults.DELTA_MAX),
        ("ridge", defaults.RIDGE_MIN + defaults.RIDGE_STEP, defaults.RIDGE_MIN),
    ],
)
def test_no_step_ahead_past_the_slider_s_end(field, before, after):
    before, after = (round(v, 4) for v in (before, after))
    assert lookahead.next_step(replace(BASE, **{field: before}), replace(BASE, **{field: after})) is None


def _worker(lone: bool = True) -> lookahead.Lookahead:
    return lookahead.Lookahead(lambda: lone, grace_s=0.01, give_up_s=30.0)


def wait_logged(w: lookahead.Lookahead, name: object, timeout: float) -> str | None:
    """How the worker's job ``name`` ended, once it has (None after ``timeout`` seconds)."""
    deadline = time.monotonic() + timeout
    with w._cond:  # the worker notifies it when it logs an outcome
        while True:
            for logged, outcome in reversed(w.log):
                if logged == name:
                    return outcome
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            w._cond.wait(left)


def test_worker_waits_while_a_script_runs_then_runs_the_steps_in_order():
    w, ran = _worker(), []
    with w.script_running():
        w.submit("job", [lambda: ran.append(1), lambda: ran.append(2)])
        assert wait_logged(w, "job", 0.3) is None, "the job ended while a script was running"
        assert ran == []
    assert wait_logged(w, "job", 10) == "done"
    assert ran == [1, 2]


def test_a_newer_job_replaces_one_waiting():
    w, ran = _worker(), []
    with w.script_running():
        w.submit("old", [lambda: ran.append("old")])
        w.submit("new", [lambda: ran.append("new")])
    assert wait_logged(w, "new", 10) == "done"
    assert ran == ["new"]
    assert wait_logged(w, "old", 0) in (None, "superseded")  # taken and dropped, or never taken


def test_nothing_runs_unless_the_session_is_alone():
    w, ran = _worker(lone=False), []
    w.submit("job", [lambda: ran.append(1)])
    assert wait_logged(w, "job", 10) == "not alone"
    assert ran == []


def test_a_failing_step_ends_its_job_only():
    w, ran = _worker(), []
    w.submit("bad", [lambda: 1 / 0, lambda: ran.append("after the failure")])
    assert wait_logged(w, "bad", 10).startswith("failed: ZeroDivisionError")
    w.submit("good", [lambda: ran.append("good")])
    assert wait_logged(w, "good", 10) == "done"
    assert ran == ["good"]


def test_no_runtime_means_no_connected_session():
    """AppTest and plain imports run without a Streamlit runtime: nothing is done ahead."""
    seen = {"a-session"}
    assert lookahead.connected_sessions(seen) == 0


def test_quiet_fit_warns_nothing_and_fits_the_same():
    rng = np.random.default_rng(0)
    ax, ay = rng.normal(size=(10, 20)), rng.normal(size=(10, 20))  # 10 anchors for a 20-d target
    with warnings.catch_warnings(record=True) as loud:
        warnings.simplefilter("always")
        a = IRP(center="none", ridge=0.0).fit(ax, ay)
    with warnings.catch_warnings(record=True) as quiet:
        warnings.simplefilter("always")
        b = IRP(center="none", ridge=0.0).fit(ax, ay, quiet=True)
    assert any(issubclass(w.category, IRPWarning) for w in loud)
    assert quiet == []
    np.testing.assert_array_equal(a.matrix_, b.matrix_)


@pytest.fixture(scope="module")
def mnist():
    from irp_core.cache import load_dataset

    return load_dataset("mnist")


def _core_cache_sizes() -> dict[str, int]:
    return {name: len(cache) for name, cache in (("maps", functional.MAPS), ("accumulated", functional.ACCUMULATED),
                                                 ("spectra", functional.SPECTRA), ("subsets", functional.SUBSETS))}


def test_work_ahead_leaves_the_move_nothing_to_decompose_and_changes_no_number(mnist):
    """The real MNIST pair: after the steps ahead for ridge 0.35 (from a move 0.25 -> 0.30 at ω 3,
    δ 0.5), the move's own fit and condition numbers add no decomposition, map or spectrum to the
    core's caches, and its numbers equal those of a cold fit to the bit."""
    functional.clear_caches()
    previous, current = replace(BASE, omega=3, ridge=0.25), replace(BASE, omega=3, ridge=0.3)
    ahead = lookahead.next_step(previous, current)
    assert ahead == replace(current, ridge=0.35)
    for step in lookahead.fit_steps(mnist, ahead):
        step()
    sizes = _core_cache_sizes()
    warm = translate_view.add_conditioning(mnist, translate_view.translate(mnist, ahead, conditioning=False))
    assert _core_cache_sizes() == sizes
    functional.clear_caches()
    cold = translate_view.add_conditioning(mnist, translate_view.translate(mnist, ahead, conditioning=False))
    np.testing.assert_array_equal(warm.pred, cold.pred)
    for key in ("recon", "recon_centred", "retrieval_top1", "zero_shot", "cond_mean", "cond_max",
                "cond_damped_mean", "cond_damped_max"):
        assert warm.metrics[key] == cold.metrics[key], key
    assert warm.metrics["zero_shot"] > 0.5  # a real translation, not a degenerate one
