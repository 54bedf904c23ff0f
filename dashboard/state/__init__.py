"""The Streamlit side of the dashboard's state: session state, caches and background work.

- ``session``: this session's datasets (shipped ones shared, uploads its own) and this run's settings
- ``caches``: the cached numbers and figures the pages read (tables first, else computed once, per session for uploads)
- ``sweeps``: :class:`~dashboard.state.sweeps.Progressive`, a sweep drawn as its cells become known
- ``lookahead``: the next step of a moved slider, fitted ahead for a lone user
- ``presets``: what each method preset holds, and how it and the method's controls agree
- ``pin``: the pinned setting A (``?pin=``), its numbers and figures
- ``classroom``: whether classroom mode (``?classroom=1``) is on

The pure computations live in :mod:`dashboard.views`; the widgets that draw them in
:mod:`dashboard.widgets`.
"""
