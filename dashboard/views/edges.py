"""Edges of the controls: what a setting does to the numbers, in words, and what to move."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from dashboard import defaults
from dashboard.views.common import fmt
from dashboard.views.settings import Settings

FEW_KEPT = 5  # a subspace keeping this many anchors or fewer decodes into a span this thin
COND_HIGH = 100.0  # above this, the pruned anchor matrices amplify noise in the cosines visibly
# core messages that a note below restates in terms of the controls (tests/test_app_edges.py
# checks them against the core's real messages)
CORE_FEW_ANCHORS = "anchors for a"
CORE_SINGLE_ANCHOR = "kept a single anchor"


def edge_notes(s: Settings, m: dict[str, Any], target_dims: int | Sequence[int],
               core: Sequence[str] = ()) -> list[str]:
    """Warnings for a setting at the edge of the controls, saying what happens and what to move.

    ``m`` holds ``kept_min``, ``kept_max``, ``n_anchors`` and ``cond_max`` (a translation's
    metrics, or their extremes over several pairs); ``target_dims`` the target dimension(s);
    ``core`` the core's own warnings, kept unless a note here already says the same.
    """
    dims = [int(d) for d in np.atleast_1d(target_dims)]
    notes: list[str] = []
    superseded: list[str] = []
    n = int(m.get("n_anchors") or 0)
    kmin, kmax = m.get("kept_min"), m.get("kept_max")
    if kmin is not None and kmax is not None and np.isfinite(kmin) and 0 < kmin <= FEW_KEPT:
        kmin, kmax = int(kmin), int(kmax)
        kept = str(kmin) if kmin == kmax else f"{kmin}–{kmax}"
        span = "a 1-D span (a single direction)" if kmax == 1 else f"a span of at most {kmax} dimensions"
        reach = min(s.omega * kmax, n, max(dims))
        fixes = (["lower δ"] if s.delta > defaults.DELTA_MIN else []) + (["raise K"] if s.n_anchors else [])
        why = (" or ".join(fixes) if fixes else
               "at δ = 0 only colinear anchors are dropped, so these anchors are (nearly) colinear")
        if s.completion:  # the rest of the span comes from every anchor, unpruned
            notes.append(f"δ = {s.delta:.2f} keeps only {kept} of {n} anchors per subspace, so anchor "
                         "completion supplies almost all of the translation from the full, unpruned "
                         f"anchor set: pruning does little here ({why}).")
        else:
            notes.append(f"δ = {s.delta:.2f} keeps only {kept} of {n} anchors per subspace: each subspace "
                         f"decodes into {span}, and the average of ω = {s.omega} reaches at most {reach} "
                         f"of the target's {max(dims)} dimensions; expect lower accuracy ({why}).")
        if kmax == 1:
            superseded.append(CORE_SINGLE_ANCHOR)
    below = [d for d in dims if 0 < n < d]
    if below:
        who = f"K = {n}" if s.n_anchors else f"The dataset's {n} anchors"
        than = (f"target dim {below[0]}" if len(dims) == 1
                else f"the dimension of {len(below)} of {len(dims)} target spaces (up to {max(below)})")
        fix = "raise K (0 = all anchors)" if s.n_anchors else "only more anchors would help"
        notes.append(f"{who} < {than}: every translation lies in the span of the {n} target anchors, "
                     f"so at most {n} directions of the target space can be reached; {fix}.")
        superseded.append(CORE_FEW_ANCHORS)
    # at δ = 0 farthest-point sampling drops only (near-)duplicate anchors: every subset is all but
    # the same, so ω has nothing to average whether or not a duplicate went
    full = kmax is not None and np.isfinite(kmax) and 0 < n <= kmax
    prunes = not full and s.delta > defaults.DELTA_MIN
    keeps = (f"δ = {s.delta:.2f} keeps every anchor" if full or kmax is None or not np.isfinite(kmax)
             else f"δ = {s.delta:.2f} drops only near-duplicate anchors ({int(kmax)} of {n} kept)")
    same = "one and the same set" if full else "all but the same set"
    if s.omega <= 1 and prunes:
        notes.append("ω = 1: a single pruned anchor subset and nothing to average, so the translation "
                     "rests on the anchors this seed's farthest-point sampling happens to keep; raise ω "
                     "to average several subsets.")
    elif 1 < s.omega < defaults.OMEGA_MAX and not prunes:
        notes.append(f"{keeps}, so the ω = {s.omega} subsets are {same}: ω changes nothing here. Raise δ "
                     "to prune and give ω different subsets to average.")
    elif s.omega >= defaults.OMEGA_MAX:
        what = ("anchor subsets are fitted and averaged for every translation" if prunes else
                f"subsets are fitted, all the same: {keeps}, so ω only costs time")
        notes.append(f"ω = {s.omega} (the maximum): {s.omega} {what}; each fit costs that many "
                     "pseudo-inverses and pages that translate many pairs are slower.")
    cmax = m.get("cond_max")
    # with a ridge the decoding is damped: the undamped condition number no longer bounds its error
    if cmax is not None and not np.isnan(cmax) and cmax > COND_HIGH and not s.ridge:
        notes.append(f"The pruned anchor matrices are ill-conditioned (condition number up to "
                     f"{fmt(cmax, 0)}): near-duplicate or colinear anchors, whose inverse amplifies "
                     "small differences in the cosines; raise δ to prune them.")
    notes += [c for c in core if not any(x in c for x in superseded)]
    return list(dict.fromkeys(notes))


def target_dim(ds, enc: str) -> int:
    return int(ds.space(enc).test.shape[1])


def anchors_used(ds, enc: str, k: int) -> int:
    """How many anchors a fit with ``K = k`` sees (0: all)."""
    n = int(ds.space(enc).anchors.shape[0])
    return min(int(k), n) if k else n
