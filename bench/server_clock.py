"""``streamlit`` with a clock on the server's part of each move, for the load test.

    python -m bench.server_clock run dashboard/app.py [streamlit's options]

The app is unchanged: this wraps two methods of Streamlit's ``AppSession`` in the server process.
From a session's rerun request (the BackMsg, as the server reads it) to the first element of that
rerun that shows the numbers (the text in :data:`MARKERS`, queued for the browser) is the server's
part of a move: its queueing, the script, the fit when the setting is new. What the browser adds
(taking the key, drawing) and the socket are outside it. One line per such rerun is appended to the
file named by ``$IRP_SERVER_CLOCK``: the seconds taken and the request's ``time.perf_counter()``
(CLOCK_MONOTONIC, so comparable with the load test's own clock).
"""

from __future__ import annotations

import os
import threading
import time

# Texts of the elements a move waits for: the Translate page's caption, the Method page's metric
# (bench/load_session.py: PAGES).
MARKERS = ("Numbers above: ω = ", "anchors kept per subspace (ω = ")
ENV = "IRP_SERVER_CLOCK"


def shows_numbers(msg) -> bool:
    """Whether a ForwardMsg adds an element whose text holds one of :data:`MARKERS`."""
    if msg.WhichOneof("type") != "delta" or msg.delta.WhichOneof("type") != "new_element":
        return False
    element = msg.delta.new_element
    kind = element.WhichOneof("type")
    text = element.markdown.body if kind == "markdown" else element.metric.label if kind == "metric" else ""
    return any(m in text for m in MARKERS)


def install(path: str) -> None:
    """Clock every session's reruns into ``path`` (see the module docstring)."""
    from streamlit.runtime.app_session import AppSession

    out = open(path, "a", buffering=1)  # noqa: SIM115 - open for the server's life
    lock = threading.Lock()
    asked: dict[int, float] = {}  # id of a session -> when its last unanswered rerun was asked for
    handle_backmsg, enqueue = AppSession.handle_backmsg, AppSession._enqueue_forward_msg

    def clocked_handle_backmsg(self, msg) -> None:
        if msg.WhichOneof("type") == "rerun_script":
            asked[id(self)] = time.perf_counter()
        return handle_backmsg(self, msg)

    def clocked_enqueue(self, msg) -> None:
        t0 = asked.get(id(self))
        if t0 is not None and shows_numbers(msg):
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
