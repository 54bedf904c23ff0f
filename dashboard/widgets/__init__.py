"""The dashboard's reusable widgets: what draws controls and panels shared by the pages.

- ``sidebar``: the shared sidebar, every method control bound to the URL (one file)
- ``preset_picker``: the method preset radio of the sidebar (``?preset=paper``)
- ``pin_controls``: the sidebar's pin, re-pin and unpin buttons (A itself is ``state.pin``)
- ``share``: deferred download buttons, the "export and share" panel, the link box, notes
- ``details``: the Translate page's details tab (distributions, conditioning, confusion, norms)
- ``spectrum``: the spectrum view, Translate's "spectrum" tab and the Method page's section
- ``classroom``: classroom mode's larger type and the Method page's step-through

Session state, caches and background work are :mod:`dashboard.state`; the numbers and figures they
draw are :mod:`dashboard.views`.
"""
