"""The Streamlit side of the dashboard's state, one module per concern.

- ``session``: this browser session's datasets (the shipped ones, shared, and its uploads, not)
  and the settings the sidebar produced in this run
- ``caches``: the cached numbers every page reads (precomputed tables first, else computed once),
  and :func:`~dashboard.state.caches.session_cached`, which keeps an upload's results per session
- ``sweeps``: :class:`~dashboard.state.sweeps.Progressive`, a sweep drawn as its cells become known
- ``sidebar``: the shared sidebar, every control bound to the URL
- ``classroom``: classroom mode (``?classroom=1``) and the Method page's step-through

The pure computations live in :mod:`dashboard.views`; this package only caches and draws them.
"""
