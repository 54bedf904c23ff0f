"""The Streamlit side of export and sharing: deferred download buttons, the link box, notes.

Files are built by :mod:`dashboard.exports` only when a button is clicked (``data`` is a
callable), so a slider move registers the buttons but builds nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import partial
from typing import Any

import streamlit as st

from dashboard import exports


def download(label: str, build: Callable[[], bytes], file_name: str, mime: str, key: str,
             help: str | None = None) -> None:
    """A download button whose file ``build()`` makes on click; clicking does not rerun the page."""
    st.download_button(label, data=build, file_name=file_name, mime=mime, key=key, help=help,
                       on_click="ignore", icon=":material/download:")


def figures_button(build: Callable[[], Mapping[str, Any]], title: str, file_name: str, key: str) -> None:
    """The page's figures as one offline HTML file (plotly.js embedded; PNG: the plot's modebar)."""
    download("figures (.html)", lambda: exports.figures_html(build(), title), file_name, exports.HTML_MIME, key,
             help="interactive plotly figures in one self-contained page (opens offline, ~5 MB); "
                  "for a PNG use the camera icon above each plot")


def translation_download(ds, t, stem: str) -> None:
    """The translated test embeddings of ``t`` as ``.npz`` (Translate and Scale pages)."""
    download("translated test embeddings (.npz)", partial(exports.translation_file, ds, t), stem + ".npz",
             exports.NPZ_MIME, "dl_npz", help="translated vectors, test item ids, labels, per-item cosine and "
                                        "the settings; np.load(path, allow_pickle=False)")


@contextmanager
def export_panel(n_columns: int) -> Iterator[list]:
    """Every page's "export and share" expander: the link box, then ``n_columns`` columns for the
    page's download buttons."""
    with st.expander("export and share", key="export"):
        link_box()
        yield st.columns(n_columns)


def view_link() -> str:
    """This view's address: the page URL plus the query string the bound controls keep."""
    try:
        base = st.context.url
    except Exception:  # noqa: BLE001 - no browser context: a bare query string
        base = None
    return exports.share_link(base, st.query_params.to_dict())


def link_box() -> None:
    """The link in ``st.code``, whose copy button puts it on the clipboard."""
    st.markdown("**Link to this view**: opening it restores every control (copy with the icon).")
    st.code(view_link(), language=None)


def notes(messages: Sequence[str]) -> None:
    for msg in messages:
        st.warning(msg)


PAPER_SIMILARITY = ("The paper's reconstruction similarity is the plain cosine between the translated and "
                    "the true target vector, so its r > 0.7 is compared with the raw figure here. The "
                    "centred figure first subtracts the true target vectors' mean, which raw cosines share "
                    "and which inflates them.")


def similarity_toggle() -> bool:
    """Raw or centred reconstruction similarity in the page's matrices (bound to the URL); True: centred."""
    return st.radio("reconstruction similarity shown", ("raw", "centred"), key="similarity",
                    bind="query-params", horizontal=True, help=PAPER_SIMILARITY) == "centred"
