"""Working ahead for a lone user: while the page waits, the server fits the next step of the slider
that was just moved.

Someone stepping a slider (arrow keys, or clicks along its track) asks next for the setting one
more step the same way; a step back is a setting already seen, and cached. So once a page that
shows the live setting (Translate, Method) has drawn a session's move of ω, δ or the ridge, the
server's idle cores fit that next setting in the background: the core's memoised pruning,
decodings and map (``irp_core.functional``), then the subsets' spectra for the condition numbers.
The move itself then costs only the scoring.

Only for a lone session: with two or more connected (a class), the cores are theirs, and nothing is
done ahead. A job waits until no script runs (and a moment more, for the browser to draw), and a
newer request replaces one not started. Nothing shown changes: the core's caches key on content,
so the foreground fit reads the very values it would have computed, and a foreground fit of a
setting the background is computing waits for that result instead of repeating it.
``IRP_LOOKAHEAD=0`` in the server's environment turns it off (the benchmark's A/B).
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace

from dashboard import defaults
from dashboard.views.settings import KNOBS, Settings, knob_value

# slider (a Settings field) -> its knob (irp_core.params: step, lowest, highest), as the sidebar draws it
SLIDERS = {p.name: p for p in KNOBS if p.widget == "slider"}
GRACE_S = 0.15  # idle this long after the last script run before starting: the browser draws first
GIVE_UP_S = 30.0  # a job that found no idle moment in this long is dropped
PREVIOUS_KEY = "_lookahead_previous"  # st.session_state: the settings this session last showed
ENABLED = os.environ.get("IRP_LOOKAHEAD", "1") != "0"


def next_step(previous: Settings | None, current: Settings) -> Settings | None:
    """The setting one more step along the move ``previous`` -> ``current``, if that move changed
    one slider only (ω, δ or ridge) and the step stays on the slider; else None."""
    if previous is None:
        return None
    moved = [name for name in SLIDERS if getattr(previous, name) != getattr(current, name)]
    if len(moved) != 1 or replace(previous, **{moved[0]: getattr(current, moved[0])}) != current:
        return None
    name = moved[0]
    knob = SLIDERS[name]
    sign = 1 if getattr(current, name) > getattr(previous, name) else -1
    value = knob_value(knob, getattr(current, name) + sign * knob.step)  # as the sidebar rounds it
    if not knob.low - 1e-9 <= value <= knob.high + 1e-9:
        return None
    return replace(current, **{name: value})


def connected_sessions(seen: set[str]) -> int:
    """How many of the ``seen`` session ids are still connected to this server (``seen`` is pruned
    of the others); 0 without a Streamlit runtime (AppTest, a plain import)."""
    try:
        from streamlit.runtime import Runtime

        if not Runtime.exists():
            return 0
        runtime = Runtime.instance()
        for session_id in list(seen):
            if not runtime.is_active_session(session_id):
                seen.discard(session_id)
        return len(seen)
    except Exception:  # noqa: BLE001 - should Streamlit's runtime change, do nothing ahead
        return 0


class Lookahead:
    """One background worker: at most one job waiting (the newest), run when the server is idle.

    ``lone()`` says whether one session alone is connected; a job runs only then. A job is a list
    of steps: before each, the worker checks again that no script runs, so a move that comes in
    meanwhile shares the cores with the step in progress at most.
    """

    def __init__(self, lone: Callable[[], bool], grace_s: float = GRACE_S, give_up_s: float = GIVE_UP_S):
        self.lone, self.grace_s, self.give_up_s = lone, grace_s, give_up_s
        self._cond = threading.Condition()
        self._job: tuple[object, list[Callable[[], object]]] | None = None
        self._running = 0  # script runs in progress, all sessions
        self._last_end = 0.0
        self._thread: threading.Thread | None = None
        self.log: list[tuple[object, str]] = []  # the last jobs' (name, how it ended), newest last

    @contextlib.contextmanager
    def script_running(self):
        """Wrap a script run: no job step starts while any runs."""
        with self._cond:
            self._running += 1
        try:
            yield
        finally:
            with self._cond:
                self._running -= 1
                self._last_end = time.monotonic()
                self._cond.notify_all()

    def submit(self, name: object, steps: list[Callable[[], object]]) -> None:
        """Run ``steps`` in order when the server is idle, replacing a job not started yet."""
        with self._cond:
            self._job = (name, steps)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="irp-lookahead", daemon=True)
                self._thread.start()
            self._cond.notify_all()

    def _wait_idle(self) -> str | None:
        """Wait until no script has run for ``grace_s``: None, or why the job ends instead."""
        deadline = time.monotonic() + self.give_up_s
        with self._cond:
            while True:
                if self._job is not None:
                    return "superseded"
                quiet = time.monotonic() - self._last_end
                if self._running == 0 and quiet >= self.grace_s:
                    return None
                left = deadline - time.monotonic()
                if left <= 0:
                    return "no idle moment"
                self._cond.wait(min(left, self.grace_s - quiet) if self._running == 0 else left)

    def _run(self, steps: list[Callable[[], object]]) -> str:
        for step in steps:
            why = self._wait_idle() or (None if self.lone() else "not alone")
            if why:
                return why
            try:
                step()
            except Exception as exc:  # noqa: BLE001 - work ahead only saves time; the move computes it anew
                return f"failed: {exc!r}"
        return "done"

    def _loop(self) -> None:
        while True:
            with self._cond:
                while self._job is None:
                    self._cond.wait()
                name, steps = self._job
                self._job = None
            outcome = self._run(steps)
            with self._cond:
                self.log = [*self.log[-15:], (name, outcome)]
                self._cond.notify_all()


_SEEN: set[str] = set()  # session ids that ran a script (pruned of the disconnected ones)
_SHOWN: OrderedDict[Settings, None] = OrderedDict()  # settings drawn lately: as many as the caches hold
_LOCK = threading.Lock()  # guards _SEEN and _SHOWN


def _lone() -> bool:
    with _LOCK:
        return connected_sessions(_SEEN) == 1


WORKER = Lookahead(_lone)


@contextlib.contextmanager
def script_run():
    """Wrap the app's script: counts the session as connected and the run as in progress."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    if ctx is not None:
        with _LOCK:
            _SEEN.add(ctx.session_id)
    with WORKER.script_running():
        yield


def after_move(ds, current: Settings) -> None:
    """Call when a page has drawn ``current`` (last, after its figures): if the session just moved
    one slider, fit the next step of that move ahead (see the module docstring)."""
    import streamlit as st

    if not ENABLED:
        return
    previous = st.session_state.get(PREVIOUS_KEY)
    st.session_state[PREVIOUS_KEY] = current
    with _LOCK:
        _SHOWN[current] = None
        _SHOWN.move_to_end(current)
        while len(_SHOWN) > defaults.CACHE_ENTRIES:
            _SHOWN.popitem(last=False)
        ahead = next_step(previous, current)
        if ahead is None or ahead in _SHOWN:  # shown: the page's caches hold it
            return
    if WORKER.lone():
        WORKER.submit(ahead, fit_steps(ds, ahead))


def fit_steps(ds, s: Settings) -> list[Callable[[], object]]:
    """The work ahead for ``s``: its fit (memoised in the core), then its subsets' spectra (what
    the condition numbers read). Quiet: a warning raised here would be recorded by whichever
    session's script catches warnings at that moment; the move's own fit raises it for its page."""
    from dashboard.views.translate import fit_irp

    fitted: list = []
    return [lambda: fitted.append(fit_irp(ds, s, quiet=True)),
            lambda: fitted[0].damped_condition_numbers_]  # the same memoised spectra, without a warning
