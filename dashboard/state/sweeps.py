"""Sweeps drawn as their cells become known: what the tables hold at once, the rest as it is computed."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import streamlit as st

from dashboard.state.caches import cached_metrics, table_metrics
from dashboard.views.settings import MetricsFn, Settings


class _Pending(Exception):
    """A cell not computed yet: the partial result shows it as n/a."""


class Progressive:
    """The metrics of every cell, drawn as they become known; :meth:`finish` gives the result.

    ``assemble(metrics_fn)`` builds a result (``all_pairs``, ``sensitivity_grid`` of
    :mod:`dashboard.views`) from a per-cell function; ``draw(result, final)`` renders it with
    plain ``st`` calls, which land in a placeholder here, so that each draw replaces the last
    (give keyed elements a key only when ``final``: a key may appear once per run). Cells in the
    precomputed tables are looked up at once: when they are all there, the final result is drawn
    at once. Otherwise the known cells are drawn straight away (the others n/a), and
    :meth:`finish` computes the rest under a progress bar above them, redrawing every ``every_s``
    seconds as cells finish. A page can create several before finishing any, so that nothing
    known waits for a fit.
    """

    def __init__(self, cells: Sequence[Settings], assemble: Callable[[MetricsFn], dict],
                 draw: Callable[[dict, bool], None], label: str, every_s: float = 1.0):
        self.assemble, self.draw, self.label, self.every_s = assemble, draw, label, every_s
        self.bar_slot, self.box = st.empty(), st.empty()
        self.known: dict[Settings, dict] = {}
        self.failed: dict[Settings, Exception] = {}
        for c in cells:
            m = table_metrics(c)
            if m is not None:
                self.known[c] = m
        self.missing = [c for c in dict.fromkeys(cells) if c not in self.known]
        self.result = None
        if not self.missing:
            self.result = self._show(True)
        else:
            self._show(False)

    def _lookup(self, c: Settings) -> dict:
        if c in self.known:
            return self.known[c]
        if c in self.failed:
            raise self.failed[c]
        raise _Pending("not computed yet")

    def _show(self, final: bool) -> dict:
        res = self.assemble(self._lookup)
        with self.box.container():
            self.draw(res, final)
        return res

    def finish(self) -> dict:
        """Compute the cells the tables lack (cached per cell), then draw and return the result."""
        if self.result is not None:
            return self.result
        n_all = len(self.missing)
        bar = self.bar_slot.progress(0.0, text=f"{self.label} {n_all} to compute"
                                     + (f" ({len(self.known)} from the tables)" if self.known else ""))
        last = time.monotonic()
        for n, c in enumerate(self.missing, 1):
            try:
                self.known[c] = cached_metrics(c)
            except Exception as exc:  # noqa: BLE001 - assemble reports it, as it would live
                self.failed[c] = exc
            bar.progress(n / n_all, text=f"{self.label} {n} of {n_all} computed ({c.source} → "
                                         f"{c.target}, ω={c.omega}, δ={c.delta:.2f})")
            if n < n_all and time.monotonic() - last >= self.every_s:
                self._show(False)
                last = time.monotonic()
        self.bar_slot.empty()
        self.result = self._show(True)
        return self.result


def progressive(cells: Sequence[Settings], assemble: Callable[[MetricsFn], dict],
                draw: Callable[[dict, bool], None], label: str, every_s: float = 1.0) -> dict:
    """:class:`Progressive` at once: draws what the tables hold, computes the rest, returns the result."""
    return Progressive(cells, assemble, draw, label, every_s).finish()
