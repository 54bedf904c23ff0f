"""Upload: bring your own parallel embeddings; they live in this browser session only."""

from __future__ import annotations

import streamlit as st

from dashboard import uploads as uploads_module
from dashboard.state import session

FLASH_KEY = "_upload_flash"

st.title("Upload")
st.markdown(uploads_module.FORMATS)

files = st.file_uploader("embedding files", type=list(uploads_module.SUFFIXES), accept_multiple_files=True,
                         key="upload_files", max_upload_size=uploads_module.UPLOAD_MAX_MB,
                         help="all the files of one dataset at once: its spaces, and optional labels, ids, texts")
layouts = list(uploads_module.LAYOUTS)
c = st.columns(3)
n_anchors = c[0].number_input(
    f"anchors (0 = min({uploads_module.DEFAULT_MAX_ANCHORS}, {uploads_module.ANCHOR_FRACTION:.0%} of the items))",
    0,
    uploads_module.MAX_ITEMS,
    0,
    50,
    key="upload_anchors",
    help="the seeded anchor/test split; a file in the cache's layout keeps its own",
)
seed = c[1].number_input("split seed", 0, 100000, 0, 1, key="upload_seed")
layout = c[2].selectbox("2-D layout of each space", layouts, index=layouts.index(uploads_module.default_layout()),
                        key="upload_layout", format_func={"umap": "UMAP (slower)", "pca": "PCA (fast)"}.get)

if st.button("Build dataset", type="primary", disabled=not files, key="upload_build"):
    bar = st.progress(0.0, text="Reading the files…")
    try:
        ds = uploads_module.build_dataset(
            [(f.name, f.getvalue()) for f in files],
            n_anchors=int(n_anchors),
            seed=int(seed),
            layout=layout,
            progress=lambda frac, text: bar.progress(min(max(frac, 0.0), 1.0), text=text),
        )
    except uploads_module.UploadError as exc:
        bar.empty()
        st.error(f"Upload refused: {exc}")
        st.stop()
    except Exception as exc:  # noqa: BLE001 - never a traceback in the UI
        bar.empty()
        st.error(f"Could not build a dataset from these files ({type(exc).__name__}: {exc})")
        st.stop()
    bar.empty()
    session.add_upload(ds)
    st.session_state[FLASH_KEY] = f"Built **{ds.name}** and selected it in the sidebar: {ds.summary()}."
    st.rerun()

flash = st.session_state.pop(FLASH_KEY, None)
if flash:
    st.container(key="upload_flash").success(flash)

uploads = session.session_uploads()
if uploads:
    st.subheader("Your uploads (this session only)")
for name, ds in list(uploads.items()):
    with st.container(border=True):
        st.markdown(f"**{name}**: {ds.summary()}")
        if ds.description:
            st.caption(ds.description)
        st.button("remove upload", key=f"remove_{name}", on_click=session.remove_upload, args=(name,))
st.caption("Translate, All pairs, Sensitivity and Scale work on an upload as on the shipped data; Cross-lingual "
           "needs the shipped cross-lingual set. Heads are trained on the anchors when labels are uploaded.")
