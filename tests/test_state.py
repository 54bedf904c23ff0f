"""The per-session cache of uploads (:func:`dashboard.state.caches.session_cached`), in AppTest.

An upload's results must stay in its session (Streamlit's caches are shared by every session),
bounded and least-recently-used first, and outlive the run whose page script defined the function.
"""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from dashboard.state import session


def _script():
    import streamlit as st

    from dashboard.state import caches

    calls = st.session_state.setdefault("calls", [])

    @caches.session_cached(st.cache_data(show_spinner=False), max_entries=2)
    def square(name: str, x: int) -> int:
        calls.append((name, x))
        return x * x

    st.session_state["results"] = [square(name, x) for name, x in st.session_state.get("args", [])]


def _session(args) -> AppTest:
    at = AppTest.from_function(_script, default_timeout=60)
    at.session_state["args"] = args
    return at.run()


def test_an_upload_is_cached_per_session_least_recently_used_first():
    up = "upload:toy"
    at = _session([(up, 1), (up, 2), (up, 1), (up, 3), (up, 1), (up, 2)])
    assert not at.exception
    assert at.session_state["results"] == [1, 4, 1, 9, 1, 4]
    assert at.session_state["calls"] == [(up, 1), (up, 2), (up, 3), (up, 2)]  # 2 left when 3 came
    assert up in at.session_state[session.UPLOAD_CACHE_KEY]
    at.session_state["args"] = [(up, 1), (up, 2)]
    at.run()  # a rerun defines the function anew: the session's cache still holds both
    assert at.session_state["calls"] == [(up, 1), (up, 2), (up, 3), (up, 2)]
    other = _session([(up, 1)])  # another session computes its own
    assert other.session_state["calls"] == [(up, 1)]


def test_shipped_data_goes_to_the_shared_cache():
    first = _session([("shipped_toy", 5), ("shipped_toy", 5)])
    assert first.session_state["calls"] == [("shipped_toy", 5)]
    assert session.UPLOAD_CACHE_KEY not in first.session_state
    second = _session([("shipped_toy", 5)])  # st.cache_data: every session shares it
    assert second.session_state["calls"] == []


def _settings_script():
    from dataclasses import replace

    import streamlit as st

    from dashboard.views.settings import BY_REPR, Settings

    calls = st.session_state.setdefault("calls", [])

    @st.cache_data(hash_funcs=BY_REPR, show_spinner=False)
    def fit(s: Settings) -> float:
        calls.append(s)
        return s.delta

    s = Settings(dataset="mnist", source="a", target="b")
    for other in (s, replace(s), replace(s, delta=0.55), replace(s, completion=not s.completion),
                  replace(s, head="mlp"), replace(s, delta=0.55)):
        fit(other)


def test_the_caches_key_settings_on_every_field():
    """Settings are hashed by repr (cheaper than Streamlit's dataclass walk): an equal setting is a
    hit, a setting that differs in any field, a boolean or a string included, is a miss."""
    at = AppTest.from_function(_settings_script, default_timeout=60).run()
    assert not at.exception
    calls = at.session_state["calls"]
    assert len(calls) == 4  # the equal copy and the repeated δ 0.55 were hits
    assert calls[1].delta == 0.55
    assert calls[2].completion != calls[0].completion
    assert calls[3].head == "mlp"
