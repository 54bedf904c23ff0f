"""Fixtures for browser tests: a real ``streamlit run`` on a free loopback port, and Chromium.

Playwright drives the system Chromium (``CHROMIUM_PATH``, default ``/usr/bin/chromium``, Debian's
``chromium`` package); ``playwright install`` is not needed.
"""

from __future__ import annotations

import pytest

from bench.browser import CHROMIUM, CHROMIUM_ARGS, start_app, stop_app


@pytest.fixture(scope="session")
def app_url():
    proc, base, _ = start_app()
    try:
        yield base
    finally:
        stop_app(proc)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1500, "height": 1000})
    pg = ctx.new_page()
    pg.set_default_timeout(60_000)
    try:
        yield pg
    finally:
        ctx.close()


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory):
    """Where the tests put their screenshots: a temporary folder, never ``docs/screenshots``
    (``python -m scripts.screenshots`` retakes those)."""
    return tmp_path_factory.mktemp("screenshots")
