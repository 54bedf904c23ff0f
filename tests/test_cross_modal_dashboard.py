"""The dashboard on paired image+text data (the emoji): pairs marked by modality, a table per
direction, each emoji's picture with its name, and the emoji names as a second cross-lingual corpus."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.views import layouts as layouts_view
from dashboard.views import pairs as pairs_view
from dashboard.views import translate as translate_view
from dashboard.views.settings import Settings
from irp_core.cache import load_dataset

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")


@pytest.fixture(scope="module")
def emoji():
    return load_dataset("emoji")


def test_encoder_labels_mark_the_modality_only_where_there_are_two(emoji):
    labels = pairs_view.encoder_labels(emoji, emoji.encoders)
    assert labels[0] == "efficientnet_lite0 [image]" and "minilm [text]" in labels
    mnist = load_dataset("mnist")
    assert pairs_view.encoder_labels(mnist, mnist.encoders) == list(mnist.encoders)


def test_direction_table_averages_each_block_of_pairs(emoji):
    """Four directions over 3 image and 4 text encoders; each cell holds a value that names its
    block, so every mean must come out as that block's value (the diagonal left out)."""
    encs = list(emoji.encoders)
    kinds = np.array([emoji.encoder_modality(e) for e in encs])
    value = {("image", "text"): 0.1, ("text", "image"): 0.2, ("image", "image"): 0.3, ("text", "text"): 0.4}
    zero_shot = np.array([[value[(a, b)] for b in kinds] for a in kinds])
    np.fill_diagonal(zero_shot, 9.0)  # intra-space: must not count
    res = {"encoders": encs, "zero_shot": zero_shot, "recon": zero_shot / 2,
           "absolute": np.full_like(zero_shot, np.nan), "non_stitch": np.where(kinds == "image", 0.7, 0.8)}
    rows = {r["direction"]: r for r in pairs_view.direction_table(emoji, res)}
    assert list(rows) == ["image → text", "text → image", "image → image", "text → text"]
    assert [rows[d]["pairs"] for d in rows] == ["12", "12", "6", "12"]
    for (a, b), v in value.items():
        row = rows[f"{a} → {b}"]
        assert row["zero-shot"] == f"{v:.2f} ± 0.00" and row["recon. similarity"] == f"{v / 2:.2f} ± 0.00"
        assert row["non-stitch"] == ("0.70 ± 0.00" if b == "image" else "0.80 ± 0.00")
        assert row["absolute"] == "n/a"
    mnist = load_dataset("mnist")
    assert pairs_view.direction_table(mnist, {**res, "encoders": list(mnist.encoders)}) == []


def test_a_selection_shows_each_emoji_picture_and_name(emoji):
    s = Settings(dataset="emoji", source="efficientnet_lite0", target="minilm")
    t = translate_view.translate(emoji, s)
    panel = layouts_view.layout_panel_data(emoji, t)
    rows = [int(r) for r in panel["rows"][:3]]
    info = layouts_view.selected_items(emoji, t, panel, rows)
    assert info["images"].shape == (3, 48, 48, 3) and info["images"].dtype == np.uint8
    ids = np.asarray(emoji.space("minilm").test_ids)[rows]
    assert info["texts"] == emoji.item_texts(ids) and all(": " in text for text in info["texts"])


def test_all_pairs_page_on_emoji_has_a_table_per_direction():
    at = AppTest.from_file(APP, default_timeout=240)
    at.query_params["dataset"] = "emoji"
    at.switch_page("app_pages/all_pairs.py")
    at.run()
    assert not at.exception and not at.error, [e.value for e in [*at.exception, *at.error]]
    assert any(h.value == "By direction" for h in at.subheader)
    directions = [t.value for t in at.dataframe if "direction" in t.value.columns]
    assert len(directions) == 1 and list(directions[0]["direction"]) == [
        "image → text", "text → image", "image → image", "text → text"]


def test_crosslingual_page_offers_the_emoji_names():
    at = AppTest.from_file(APP, default_timeout=240)
    at.switch_page("app_pages/crosslingual.py")
    at.run()
    assert at.selectbox(key="xl_corpus").options == ["UI messages in en/es/fr/ja (gettext)",
                                                      "Emoji names in en/es/fr/ja (CLDR)"]  # the titles
    at.selectbox(key="xl_corpus").set_value("emoji_names").run()
    assert not at.exception and not at.error, [e.value for e in [*at.exception, *at.error]]
    assert set(at.selectbox(key="xl_target_emoji_names").options) == {"use_m_en", "e5_small_en"}
    cos = next(m for m in at.metric if m.label.startswith("IRP: cos to true English"))
    assert 0.3 < float(cos.value) < 1.0  # measured 0.6-0.8 at the defaults
