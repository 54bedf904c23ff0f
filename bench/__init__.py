"""Benchmarks and the load test: they print figures, and assert nothing (run from the repository
root, as ``python -m bench.<module>``).

- ``browser``: Playwright helpers that drive the app in Chromium, finding elements by their keys
- ``bench_dashboard``: a new user's first render, every page's first open and slider series
- ``bench_spectrum``: what Translate's spectrum tab adds to a slider move
- ``load_test``: concurrent browser sessions on one server (``tests/browser/test_load.py``)
- ``load_session``: one browser session of the load test
- ``load_report``: the load test's figures and their one-line summary
- ``server_clock``: ``streamlit`` with a clock on the server's part of each move
- ``procfs``: a process tree's RSS, CPU seconds and niceness, from ``/proc``
- ``scaling``: fit time against K and d, throughput and memory (docs/SCALING.md)
"""
