"""The load test's server clock (``bench/server_clock.py``) recognises the elements a move waits for."""

from __future__ import annotations

from pathlib import Path

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from bench.server_clock import MARKERS, shows_numbers
from dashboard.views.settings import Settings
from dashboard.views.translate import settings_caption

ROOT = Path(__file__).resolve().parents[1]


def _markdown(body: str) -> ForwardMsg:
    msg = ForwardMsg()
    msg.delta.new_element.markdown.body = body
    return msg


def _metric(label: str) -> ForwardMsg:
    msg = ForwardMsg()
    msg.delta.new_element.metric.label = label
    msg.delta.new_element.metric.body = "12–40"
    return msg


def test_the_elements_the_load_test_waits_for_are_clocked():
    from bench.load_session import PAGES

    s = Settings(omega=3, delta=0.05)
    caption = settings_caption(s)  # the Translate page's
    assert PAGES["Translate"].format(o=3, d=0.05) in caption
    assert shows_numbers(_markdown(caption))
    label = f"anchors kept per subspace {PAGES['Method'].format(o=3, d=0.05)}"  # the Method page's
    assert MARKERS[1] in label and MARKERS[1] in (ROOT / "dashboard" / "app_pages" / "method.py").read_text()
    assert shows_numbers(_metric(label))


def test_other_elements_and_messages_are_not():
    assert not shows_numbers(_markdown("δ: pruning threshold"))
    assert not shows_numbers(_metric("recon. similarity (centred)"))
    finished = ForwardMsg()
    finished.script_finished = ForwardMsg.FINISHED_SUCCESSFULLY
    assert not shows_numbers(finished)
