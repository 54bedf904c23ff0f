"""The method preset picker: a radio in the sidebar, bound to the URL (``?preset=paper``).

What each preset holds, and how a change of it or of a method control is reconciled, is session
state: :mod:`dashboard.state.presets`.
"""

from __future__ import annotations

from dashboard.state import presets

CAPTIONS = {
    "defaults": "this tool's defaults: whitened, ridge 0.3, ω 1, δ 0",
    "paper": "the paper as written: no centring, ridge 0, ω 8, δ 0.7",
    presets.CUSTOM: "any other setting of the controls below",
}


def draw(sb) -> str:
    """The preset control (a radio bound to the URL); returns the preset it shows."""
    return sb.radio("method preset", presets.OPTIONS, key=presets.KEY, bind="query-params",
                    on_change=presets.apply, captions=[CAPTIONS[o] for o in presets.OPTIONS],
                    help="a preset sets ω, δ, centring, ridge and the advanced method controls; "
                         "changing any of them selects custom")
