"""IRP Explorer: the Streamlit dashboard (run with ``streamlit run dashboard/app.py``).

- ``app``: the entry point: page config, the sidebar, the navigation
- ``pages``: the list of pages, declared once (``app_pages/`` holds one script per page)
- ``defaults``: every default of the dashboard
- ``precomputed``: reads the precomputed tables, and the live computations they stand for
- ``tables_build``: writes those tables (``python -m dashboard.tables_build``)
- ``exports``: the file builders of the downloads
- ``uploads``: uploaded files -> a dataset of this session
- ``views``: pure functions, settings -> numbers and plotly figures (no Streamlit)
- ``state``: session state, caches and background work
- ``widgets``: the widgets the pages share (sidebar, presets, pin, share, details, spectrum)
"""
