"""Markers applied by path, so that a new test file under ``tests/browser`` cannot forget them.

- ``browser``: drives a real ``streamlit run`` with Chromium (everything under ``tests/browser``)
- ``load``: the 10-session load test (``tests/browser/test_load.py``)
- ``rebuild``: rebuilds the embedding cache with torch/timm (``tests/test_rebuild_smoke.py``)
- ``slow``: all of the above, plus the tests marked ``@pytest.mark.slow`` in their own file

``python -m pytest -m "not slow"`` is the inner loop; plain ``python -m pytest`` runs everything.
"""

from __future__ import annotations

from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
# --doctest-modules would import the conftests as modules, and two of them named ``conftest`` (no
# packages here) collide: "import file mismatch". They hold no doctests.
collect_ignore = ["conftest.py", "browser/conftest.py"]
BY_PATH = {  # a path under tests/ -> the markers of every test in it
    "browser": ("browser", "slow"),
    "browser/test_load.py": ("load",),
    "test_rebuild_smoke.py": ("rebuild", "slow"),
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        try:
            rel = Path(item.path).resolve().relative_to(TESTS)
        except ValueError:  # the doctests of irp_core
            continue
        for prefix, marks in BY_PATH.items():
            if rel == Path(prefix) or Path(prefix) in rel.parents:
                for mark in marks:
                    item.add_marker(getattr(pytest.mark, mark))
