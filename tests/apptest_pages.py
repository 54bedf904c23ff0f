"""What the AppTest files share: the app, a page opened from URL parameters, the no-error check."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from dashboard.pages import BY_NAME

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")


def open_page(page: str, timeout: float, **params) -> AppTest:
    """Run the page named ``page`` (:data:`dashboard.pages.BY_NAME`) as a URL with ``params`` would open it."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    for k, v in params.items():
        at.query_params[k] = v
    at.switch_page(BY_NAME[page].script)
    return at.run()


def assert_clean(at: AppTest) -> None:
    """No exception and no error element on the page."""
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
