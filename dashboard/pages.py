"""The dashboard's pages, declared once.

``app.py`` builds ``st.navigation`` from :data:`PAGES`, the Method page links to the pages with a
``blurb``, and the tests and benchmarks open them from here. Adding a page is its script in
``app_pages/`` and one line in :data:`PAGES`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath


@dataclass(frozen=True)
class Page:
    """One page of the navigation, in sidebar order.

    ``script``: its file relative to ``dashboard/`` (what ``st.Page``, ``st.page_link`` and AppTest's
    ``switch_page`` take); ``url_path``: its address ("" for the default page, served at the root);
    ``blurb``: what the Method page's link to it says after the title (None: no link there);
    ``numbers``: whether it shows the sidebar setting's numbers, in a container keyed ``headline``.
    """

    script: str
    title: str
    url_path: str
    default: bool = False
    blurb: str | None = None
    numbers: bool = True

    @property
    def name(self) -> str:
        """The script's name without ``.py``: ``translate``, ``all_pairs``, …"""
        return PurePosixPath(self.script).stem


PAGES: tuple[Page, ...] = (
    Page("app_pages/translate.py", "Translate", "", default=True, blurb="one pair, live on ω and δ"),
    Page("app_pages/all_pairs.py", "All pairs", "all_pairs", blurb="every encoder → decoder"),
    Page("app_pages/sensitivity.py", "Sensitivity", "sensitivity", blurb="ω × δ heatmaps, recon vs accuracy"),
    Page("app_pages/scale.py", "Scale", "scale", blurb="norms and head accuracy vs input scale"),
    Page("app_pages/crosslingual.py", "Cross-lingual", "crosslingual", blurb="other languages → English"),
    Page("app_pages/method.py", "Method", "method"),
    Page("app_pages/upload.py", "Upload", "upload", numbers=False),
)
BY_NAME: dict[str, Page] = {p.name: p for p in PAGES}
