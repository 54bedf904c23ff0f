"""Pure views: parameters -> numbers and plotly figures, one module per concern.

No Streamlit here: every function takes a loaded dataset (``irp_core.cache.load_dataset`` or an
upload) and plain settings, calls ``irp_core``, and returns numbers (dicts, arrays) or ``plotly``
figures. The pages in ``dashboard/app_pages`` only wire widgets to them, and
``tests/test_dashboard_views.py`` tests them without Streamlit. Import the module you need
(``from dashboard.views import translate as translate_view``); this package re-exports nothing.

- ``settings``: :class:`~dashboard.views.settings.Settings`, the setting every page shares
- ``common``: number formatting, the palette, dataset look-ups (anchors, heads)
- ``translate``: one translation, its baselines, tiles, table and figures (Translate page)
- ``layouts``: the 2-D layouts and their linked selection (Translate page)
- ``edges``: warnings for settings at the edges of the controls (every page)
- ``spectrum``: the target anchors' spectrum, condition number against δ, subsets' overlap (spectrum views)
- ``classroom``: the Method page's step-through (classroom mode)
- ``compare``: a pinned setting A: its encoding in the URL, the differences to it, its figures
- ``pairs``: every ordered encoder pair (All pairs page)
- ``sensitivity``: the ω × δ grid and reconstruction against accuracy (Sensitivity page)
- ``scale``: norms and head accuracy against input scale (Scale page)
- ``crosslingual``: other languages into English (Cross-lingual page)

File builders for the downloads are in :mod:`dashboard.exports`.
"""
