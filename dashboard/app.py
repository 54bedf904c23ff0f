"""IRP Explorer: ``streamlit run dashboard/app.py``.

The entry point only wires the shared sidebar (bound to the URL) and the pages together; the pages
are listed once, in :mod:`dashboard.pages`. The page scripts live in ``app_pages/`` rather than
``pages/``: a ``pages/`` folder next to the entry point is also picked up by Streamlit's older
multipage discovery, which made AppTest reruns execute a page without the entry point (and so
without the sidebar).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `streamlit run dashboard/app.py` puts only dashboard/ on the path
    sys.path.append(str(ROOT))

import streamlit as st


@st.cache_resource(show_spinner=False)
def _one_blas_thread() -> None:
    """One BLAS thread for the server process, set once (this script reruns on every move, and
    each threadpoolctl call scans the loaded libraries). Sessions run in threads of one process,
    so their matrix products share the cores instead of each spawning threads that spin; on a
    shared 2-core machine OpenBLAS's spinning threads made a 1280 x 34 SVD ~400x slower.
    The core's large products are split across the cores in Python threads instead, which do
    not spin: one session's move still gets every core."""
    import os

    from irp_core.threads import serve_from_threads

    serve_from_threads(min(4, os.cpu_count() or 1))


_one_blas_thread()

from dashboard.pages import PAGES
from dashboard.state import classroom, lookahead
from dashboard.widgets import sidebar
from dashboard.widgets.classroom import style as classroom_style

CLASSROOM = classroom.active()  # ?classroom=1: a projector's layout, larger type, sidebar collapsed
st.set_page_config(page_title="IRP Explorer", layout="wide",
                   initial_sidebar_state="collapsed" if CLASSROOM else "auto")
# Streamlit animates widgets, charts and stale elements with CSS transitions. On a slider move
# they were about a quarter of the browser's work (Chromium: 280 -> 208 ms of tasks per move), and
# a live page should change at once; twenty students' browsers on one machine feel it most.
st.html("<style>*, *::before, *::after { transition: none !important; }</style>")
if CLASSROOM:
    classroom_style()

HERE = Path(__file__).resolve().parent
NAVIGATION = [st.Page(str(HERE / p.script), title=p.title, url_path=p.url_path or None, default=p.default)
              for p in PAGES]

with lookahead.script_run():  # work ahead for a lone user waits while any script runs
    page = st.navigation(NAVIGATION)
    try:
        sidebar.draw()
    except Exception as exc:  # noqa: BLE001 - never a traceback in the UI
        st.sidebar.error(f"Sidebar failed: {exc}")
    page.run()
