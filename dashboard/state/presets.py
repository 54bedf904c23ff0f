"""Method presets: what each preset holds, and how the preset and the method's controls agree.

A preset is one control that sets the method's controls, bound to the URL (``?preset=paper``); the
picker itself is :mod:`dashboard.widgets.preset_picker`. The ``on_change`` callbacks only note
what changed (:func:`apply`, :func:`sync`); :func:`resolve` acts before the widgets are drawn.
Choosing a preset writes its values into the controls, so they show it and the URL follows;
changing any method control selects the preset the controls now match, else ``custom``. When a run
sees both change, the controls win: the browser sent a preset value it had not yet seen the server
replace (rapid key presses on a slider start a run before the previous one has reached the
browser), and applying it would throw the user's move away.

A URL that names a preset but not the controls (a hand-written ``?preset=paper``) has the
preset's values written into the URL before the controls are first drawn (bound then, the controls
read them as from any link, and a link copied later carries them).
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from dashboard.precomputed import PRESETS  # the presets the precomputed tables hold
from dashboard.views.settings import KNOBS, knob_default

KEY = "preset"
CUSTOM = "custom"
OPTIONS = ("defaults", "paper", CUSTOM)  # the URL's values; "defaults" is the widget's default
# The method's controls (sidebar keys: the knobs of the parameter schema) and their defaults: a
# preset sets every one of them, so a preset's Settings are exactly the precomputed tables'
# (dashboard.precomputed.preset).
FIELDS: dict[str, Any] = {p.name: knob_default(p) for p in KNOBS}
_INIT = "_preset_url_applied"  # set once per session, after the URL's preset was applied
_CHANGED = "_preset_changes"  # what this run's callbacks saw change: "preset", "controls"
_FIX, _FIXED = "_preset_fix", "_preset_fixed"  # reconcile's request, and the last one applied


def values(name: str) -> dict[str, Any]:
    """Every method control's value under preset ``name``."""
    return {**FIELDS, **PRESETS[name]}


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        try:
            return abs(float(a) - float(b)) < 1e-9
        except (TypeError, ValueError):
            return False
    return a == b


def match(state: dict[str, Any]) -> str:
    """The preset whose values ``state`` holds (missing keys count as defaults), else ``custom``."""
    for name in PRESETS:
        if all(_same(state.get(k, FIELDS[k]), v) for k, v in values(name).items()):
            return name
    return CUSTOM


def apply() -> None:
    """``on_change`` of the preset control (acted on by :func:`resolve`)."""
    st.session_state.setdefault(_CHANGED, set()).add("preset")


def sync() -> None:
    """``on_change`` of every method control (acted on by :func:`resolve`)."""
    st.session_state.setdefault(_CHANGED, set()).add("controls")


def resolve() -> None:
    """Before the preset control and the method controls are drawn: a changed control selects the
    preset the controls now match (and wins over a preset changed in the same run: a stale value);
    a preset chosen alone writes its values into the controls."""
    changed = st.session_state.pop(_CHANGED, set())
    if "controls" in changed:
        st.session_state[KEY] = match({k: st.session_state.get(k, v) for k, v in FIELDS.items()})
    elif "preset" in changed and st.session_state.get(KEY) in PRESETS:
        st.session_state.update(values(st.session_state[KEY]))


def seed_from_url() -> None:
    """Before the first draw of a session: a URL naming a preset fills the controls it omits."""
    if st.session_state.get(_INIT):
        return
    st.session_state[_INIT] = True
    name = st.query_params.get(KEY)
    if name in PRESETS:
        for k, v in values(name).items():
            if k not in st.query_params:
                st.session_state[k] = v  # what the control shows (it seeds from the URL as it came)
                if not _same(v, FIELDS[k]):  # and the address, for a link copied later
                    st.query_params[k] = str(v).lower() if isinstance(v, bool) else str(v)


def reconcile(shown: str, state: dict[str, Any]) -> None:
    """After the controls are drawn: if the named preset shown is not what they hold (a hand-edited
    URL such as ``?preset=paper&omega=4``), select the right one and rerun once. A ``custom``
    chosen by hand stands."""
    want = match(state)
    if shown != CUSTOM and shown != want and st.session_state.get(_FIXED) != want:
        st.session_state[_FIX] = want
        st.rerun()


def fix_pending() -> None:
    """Before the preset control is drawn: apply what :func:`reconcile` asked for."""
    want = st.session_state.pop(_FIX, None)
    if want is not None:
        st.session_state[KEY] = st.session_state[_FIXED] = want  # once: never a rerun loop
