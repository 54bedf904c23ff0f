"""Load: 10 concurrent browser sessions for 2 minutes on one real server (``bench/load_test.py``);
one of them uploads a dataset that no other may see.

Asserts correctness under load, never speed: latency and memory figures are printed (``pytest -s``,
or in the failure message) for the record.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from bench.load_test import run_load, table

SESSIONS, SECONDS = 10, 120
GB = 2**30


@pytest.mark.timeout(480)
def test_ten_sessions_moving_sliders_for_two_minutes():
    # In a thread of its own: conftest's session-wide sync Playwright may be active in this one.
    with ThreadPoolExecutor(1) as pool:
        res = pool.submit(run_load, SESSIONS, SECONDS).result()
    figures = table(res)
    print(figures)
    assert res.errors == [], figures
    assert res.opened == res.alive == SESSIONS, figures
    assert len(res.moves) == SESSIONS and min(res.moves) >= 1, figures  # every session progressed
    # all sessions start at the default setting, so each later one is compared at least there
    assert res.compared >= SESSIONS - 1, figures
    # session 0 uploaded a dataset; every other session read its own selector after that, at least
    # at the end, and a selector offering an upload not its own is an error (so is the owner's lacking it)
    assert res.upload is not None, figures
    assert res.isolation_checks >= SESSIONS - 1, figures
    # the server's own clock (bench/server_clock.py) timed the reruns that showed the moves' numbers
    assert len(res.server_answers) >= 0.8 * sum(res.moves), figures
    assert all(0 <= seconds < 180 for seconds, _ in res.server_answers), figures
    assert res.peak_rss < 3 * GB, figures
    assert res.rss_growth_last(30.0) < 0.2 * res.peak_rss, figures  # bounded caches: a plateau
