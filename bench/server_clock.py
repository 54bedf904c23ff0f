"""``streamlit`` with a clock on the server's part of each move, for the load test.

    python -m bench.server_clock run dashboard/app.py [streamlit's options]

The app is unchanged: this wraps two methods of Streamlit's ``AppSession`` in the server process.
From a session's rerun request (the BackMsg, as the server reads it) to the first element of that
rerun inside the page's container keyed :data:`MARKER` (every page keeps its numbers there; the
Translate page fills it as soon as the new setting is scored), queued for the browser, is the
server's part of a move: its queueing, the script, the fit when the setting is new. What the
browser adds (taking the key, drawing) and the socket are outside it. One line per such rerun is
appended to the file named by ``$IRP_SERVER_CLOCK``: the seconds taken and the request's
``time.perf_counter()`` (CLOCK_MONOTONIC, so comparable with the load test's own clock).
"""

from __future__ import annotations

import os
import threading
import time

MARKER = "headline"  # the key of the container that holds a page's numbers (dashboard.pages.Page.numbers)
ENV = "IRP_SERVER_CLOCK"


class Watch:
    """One session's view of its ForwardMsgs: where its page put the container keyed :data:`MARKER`
    in this rerun, and whether a message adds the first element inside it."""

    def __init__(self) -> None:
        self.path: tuple[int, ...] | None = None

    def rerun(self) -> None:
        """A new rerun: the container is placed anew."""
        self.path = None

    def shows_numbers(self, msg) -> bool:
        """Whether ``msg`` adds an element (not an empty placeholder) inside the keyed container."""
        if msg.WhichOneof("type") != "delta":
            return False
        path, kind = tuple(msg.metadata.delta_path), msg.delta.WhichOneof("type")
        if kind == "add_block":
            if msg.delta.add_block.id.endswith(f"-{MARKER}"):  # a keyed block's id ends in its key
                self.path = path
            return False
        return (kind == "new_element" and self.path is not None and path[:len(self.path)] == self.path
                and msg.delta.new_element.WhichOneof("type") != "empty")


def install(path: str) -> None:
    """Clock every session's reruns into ``path`` (see the module docstring)."""
    from streamlit.runtime.app_session import AppSession

    out = open(path, "a", buffering=1)  # noqa: SIM115 - open for the server's life
    lock = threading.Lock()
    asked: dict[int, float] = {}  # id of a session -> when its last unanswered rerun was asked for
    watches: dict[int, Watch] = {}  # id of a session -> where its numbers go
    handle_backmsg, enqueue = AppSession.handle_backmsg, AppSession._enqueue_forward_msg

    def clocked_handle_backmsg(self, msg) -> None:
        if msg.WhichOneof("type") == "rerun_script":
            asked[id(self)] = time.perf_counter()
        return handle_backmsg(self, msg)

    def clocked_enqueue(self, msg) -> None:
        watch = watches.setdefault(id(self), Watch())
        if msg.WhichOneof("type") == "new_session":  # a rerun starts: its deltas are placed anew
            watch.rerun()
        t0 = asked.get(id(self))
        if watch.shows_numbers(msg) and t0 is not None:
            asked.pop(id(self), None)
            with lock:
                out.write(f"{time.perf_counter() - t0:.4f} {t0:.4f}\n")
        return enqueue(self, msg)

    AppSession.handle_backmsg = clocked_handle_backmsg
    AppSession._enqueue_forward_msg = clocked_enqueue


def read(path: str) -> list[tuple[float, float]]:
    """The clocked reruns in ``path``: (seconds taken, perf_counter at the request)."""
    with open(path) as f:
        return [(float(a), float(b)) for a, b in (line.split() for line in f if line.strip())]


if __name__ == "__main__":
    if os.environ.get(ENV):
        install(os.environ[ENV])
    from streamlit.web.cli import main

    main(prog_name="streamlit")  # as ``python -m streamlit`` does
