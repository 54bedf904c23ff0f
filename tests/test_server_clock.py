"""The load test's server clock (``bench/server_clock.py``) recognises the element a move waits for:
the first one inside the page's container keyed ``headline``, whatever its text."""

from __future__ import annotations

from pathlib import Path

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from bench.server_clock import MARKER, Watch
from dashboard.pages import PAGES

ROOT = Path(__file__).resolve().parents[1]
ROOT_PATH = (0, 4)  # where a page put its keyed container in the main area


def _block(path: tuple[int, ...], block_id: str = "") -> ForwardMsg:
    msg = ForwardMsg()
    msg.metadata.delta_path[:] = path
    msg.delta.add_block.id = block_id
    return msg


def _metric(path: tuple[int, ...], label: str = "anything") -> ForwardMsg:
    msg = ForwardMsg()
    msg.metadata.delta_path[:] = path
    msg.delta.new_element.metric.label = label
    msg.delta.new_element.metric.body = "0.883"
    return msg


def _empty(path: tuple[int, ...]) -> ForwardMsg:
    msg = ForwardMsg()
    msg.metadata.delta_path[:] = path
    msg.delta.new_element.empty.SetInParent()
    return msg


def test_the_first_element_in_the_keyed_container_is_clocked():
    w = Watch()
    assert not w.shows_numbers(_metric((0, 2)))  # before the container: another element
    assert not w.shows_numbers(_block(ROOT_PATH, f"$$ID-0123abcd-{MARKER}"))
    assert not w.shows_numbers(_block((*ROOT_PATH, 0)))  # a row of tiles inside it, not an element
    assert not w.shows_numbers(_empty((*ROOT_PATH, 0, 0)))  # a placeholder still to fill
    assert w.shows_numbers(_metric((*ROOT_PATH, 0, 1)))
    assert not w.shows_numbers(_metric((0, 5)))  # after it


def test_other_containers_elements_and_messages_are_not():
    w = Watch()
    w.shows_numbers(_block(ROOT_PATH, "$$ID-0123abcd-settings_caption"))
    assert not w.shows_numbers(_metric((*ROOT_PATH, 0)))
    w.shows_numbers(_block(ROOT_PATH, f"$$ID-0123abcd-{MARKER}"))
    w.rerun()  # a new rerun: the container must be placed again first
    assert not w.shows_numbers(_metric((*ROOT_PATH, 0)))
    finished = ForwardMsg()
    finished.script_finished = ForwardMsg.FINISHED_SUCCESSFULLY
    assert not w.shows_numbers(finished)


def test_the_pages_the_load_test_moves_on_keep_their_numbers_under_that_key():
    from bench.load_session import PAGES as LOAD_PAGES

    scripts = {p.name: p.script for p in PAGES if p.numbers}
    for name in LOAD_PAGES:
        assert f'key="{MARKER}"' in (ROOT / "dashboard" / scripts[name]).read_text(), name
