"""The spectrum view's widgets: Translate's "spectrum" tab and the Method page's section.

Drawn only where it is open (a lazy tab), so it costs a slider move nothing elsewhere. Its numbers
and figures come from :mod:`dashboard.state.caches` (the spectra are the core's memoised ones, and
the δ curve, the one new computation, is cached on what fixes it).
"""

from __future__ import annotations

import streamlit as st

from dashboard.state import caches
from dashboard.views import spectrum as spectrum_view
from dashboard.views.common import fmt
from dashboard.views.settings import Settings


def draw(s: Settings, key: str = "spectrum") -> None:
    """The three pictures with their captions, for the current setting; errors as a message."""
    try:
        p = caches.cached_pair_spectrum(s)
        spectrum_fig, curve_fig, subsets_fig = caches.cached_spectrum_figures(s)
    except Exception as exc:  # noqa: BLE001 - the core's message, never a traceback
        st.warning(f"no spectrum at these settings: {exc}")
        return
    raw, damped = max(p.raw()), max(p.damped())
    c = st.container(key=f"{key}_numbers").columns(4)
    c[0].metric("condition number, raw (worst subset)", fmt(raw, 1),
                help="s_max / s_min of the kept target anchors: what the plain pseudo-inverse pays")
    c[1].metric("condition number, damped", fmt(damped, 2),
                help="largest gain of the decoding relative to the strongest direction's, at this ridge")
    c[2].metric(f"anchors kept per subspace (ω = {s.omega})", f"{min(p.kept)}–{max(p.kept)}",
                help=f"of {p.n_anchors} anchors; the target's working dimension is {p.rank}")
    c[3].metric("mean overlap of the subsets", fmt(spectrum_view.mean_overlap(p), 2),
                help="Jaccard |Si ∩ Sj| / |Si ∪ Sj| over pairs of subspaces; 1: ω adds nothing")
    st.plotly_chart(spectrum_fig, key=f"{key}_eig", width="stretch")
    st.caption(
        "Decoding inverts the target anchors' Gram matrix. Each eigen-direction's part of the cosines "
        "is multiplied by 1/s (s = √λ): where λ is tiny, any disagreement between the two spaces' "
        "cosines (noise) is blown up along that direction. The pseudo-inverse drops only directions "
        "below its cut (dotted); the ridge adds ρ·λ_max to every eigenvalue, so directions below the "
        "dashed line are shrunk instead. " + spectrum_view.damped_caption(p))
    left, right = st.columns(2)
    left.plotly_chart(curve_fig, key=f"{key}_delta", width="stretch")
    left.caption("δ prunes near-colinear anchors (|cos| > 1 − δ): fewer, more orthogonal anchors, so "
                 "the smallest singular value rises and the raw condition number falls, once fewer "
                 "anchors are kept than the target has dimensions. The ridge caps the damped figure "
                 "whatever δ is: with it, δ has little left to fix.")
    right.plotly_chart(subsets_fig, key=f"{key}_subsets", width="stretch")
    right.caption("ω runs the pruning from ω seeded starts and averages the decodings. Subsets that "
                  "overlap little decode with different anchors, so their errors partly cancel; at "
                  "δ = 0 every subset is the whole set (overlap 1) and ω changes nothing.")
