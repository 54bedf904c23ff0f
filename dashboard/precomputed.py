"""Precomputed tables: the numbers the dashboard would otherwise compute at page open, read once.

``python -m dashboard.tables_build`` writes ``<dataset>/tables.json`` next to the embeddings and
lists it, with its sha256, in ``manifest.json``. Per dataset it holds what does not move with the
sliders (the full-anchor condition number of every target, the Procrustes and linear-map baselines
of every ordered pair) and the light metrics of the two presets (:data:`PRESETS`): every ordered
pair (the All pairs matrices) and the ω x δ grid of the Sensitivity page. Each entry is keyed by
every field of :class:`dashboard.views.settings.Settings` (or by every argument of the function it
caches), so a hit returns what the live computation at those settings returns, to float rounding
(another CPU's BLAS sums in another order: ``tests/agreement.py`` holds the tolerances, far below
the three decimals a page shows); anything else is a miss (``None``) and the caller computes it
live.

The file is checked against the manifest's sha256 when it is first read, and the embedding and
head files it was computed from against the sha256 it recorded: a missing, altered or stale table is
not used (every number is then computed live) and the reason is logged. Uploaded datasets
(``upload:…``) are never looked up. No Streamlit here: ``dashboard/state/caches.py`` wraps
:func:`load_tables` in ``st.cache_resource``.
"""

from __future__ import annotations

import copy
import logging
import os
from collections.abc import Iterable
from dataclasses import fields, replace
from typing import Any

from dashboard import defaults
from dashboard.uploads import PREFIX as UPLOAD_PREFIX  # uploads are never in the tables
from dashboard.views import translate as translate_view
from dashboard.views.settings import Settings, default_pair
from irp_core.scoring import METRICS

log = logging.getLogger(__name__)

FORMAT = "irp-explorer-tables/1"
TABLES_FILE = "tables.json"

# The presets whose pages open from the tables: every Settings field not named here is its default.
PRESETS: dict[str, dict[str, Any]] = {
    "defaults": {},  # IRP's defaults: whiten, ridge 0.3, ω 1, δ 0
    "paper": {"center": "none", "ridge": 0.0, "omega": 8, "delta": 0.7},  # the paper as written
}
GRID_OMEGAS: tuple[int, ...] = tuple(defaults.SWEEP_OMEGAS)
# each preset's grid spans the δ where its centring prunes (dashboard.defaults.sweep_deltas)
GRID_DELTAS: dict[str, tuple[float, ...]] = {
    name: tuple(defaults.sweep_deltas(p.get("center", defaults.CENTER))) for name, p in PRESETS.items()}
BASELINE_HEADS: tuple[str, ...] = tuple(defaults.HEAD_OPTIONS)


def settings_fields() -> list[str]:
    return [f.name for f in fields(Settings)]


def metric_keys() -> list[str]:
    """The metrics a table entry may hold: a table written before a metric was added is stale."""
    return list(METRICS)


def rel_path(dataset: str) -> str:
    """The tables' path under the cache root, as the manifest lists it."""
    return f"{dataset}/{TABLES_FILE}"


def input_files(ds) -> list[str]:
    """The manifest-listed files the tables are computed from: every encoder's space and heads."""
    out = []
    for enc in ds.encoders:
        out.append(ds.encoder_info[enc]["file"])
        out.extend(f"{ds.name}/heads/{enc}_{kind}.npz" for kind in BASELINE_HEADS)
    return out


def preset(dataset: str, name: str, source: str = "", target: str = "") -> Settings:
    return replace(Settings(dataset=dataset, source=source, target=target), **PRESETS[name])


def _unique(items: Iterable) -> list:
    return list(dict.fromkeys(items))


def plan(ds, grid_pairs: str = "default") -> dict[str, list]:
    """Every entry of ``ds``'s tables, in the order they are written.

    ``grid_pairs``: ``"default"`` (the ω x δ grid for the dataset's default pair, the one a page
    first opens; other pairs fill their grid live, cell by cell) or ``"all"`` (every ordered pair).
    Pairs include the diagonal (X = Y), which the All pairs page shows too.
    """
    encs = list(ds.encoders)
    pairs = [(src, tgt) for tgt in encs for src in encs]  # all_pairs' order (dashboard.views.pairs)
    if grid_pairs not in ("all", "default"):
        raise ValueError(f"grid_pairs must be 'all' or 'default', got {grid_pairs!r}")
    grid = pairs if grid_pairs == "all" else [default_pair(encs)]
    cells: list[Settings] = []
    for name in PRESETS:
        base = preset(ds.name, name)
        cells += [replace(base, source=a, target=b) for a, b in pairs]
        cells += [replace(base, source=a, target=b, omega=int(w), delta=float(d))
                  for a, b in grid for w in GRID_OMEGAS for d in GRID_DELTAS[name]]
    frames = _unique((s.n_anchors, s.center, s.whiten_floor) for s in cells)
    return {
        "cond_full": [(t, k, c, wf) for k, c, wf in frames for t in encs],
        "baselines": [(a, b, defaults.N_ANCHORS, h) for a, b in pairs for h in BASELINE_HEADS],
        "metrics": _unique(cells),
        "grid_pairs": [list(p) for p in grid],
    }


# -- the live computations: what the tables hold, and what the dashboard computes on a miss ----
def live_cond_full(ds, target: str, n_anchors: int, center: str, whiten_floor: float,
                   random_state: int = defaults.RANDOM_STATE) -> float:
    """``random_state`` picks the K anchors (none when K is all of them: the tables hold only that)."""
    return translate_view.full_condition_number(ds, target, n_anchors, center, whiten_floor, random_state)


def live_baselines(
    ds, source: str, target: str, n_anchors: int, head: str, random_state: int = defaults.RANDOM_STATE
) -> dict:
    return translate_view.baselines(ds, source, target, n_anchors, head, random_state)


def live_metrics(ds, s: Settings, cond_full: float | None = None) -> dict[str, Any]:
    """A translation's light metrics, ``cond_full`` the target's :func:`live_cond_full`."""
    return translate_view.translate(ds, s, light=True, cond_full=cond_full).metrics


# -- reading --------------------------------------------------------------------------------
class Tables:
    """One dataset's tables: exact-key lookups, ``None`` on a miss."""

    def __init__(self, dataset: str, doc: dict):
        self.dataset = dataset
        self.grid_pairs = [tuple(p) for p in doc.get("grid_pairs", [])]
        self._cond = {(e["target"], int(e["n_anchors"]), e["center"], float(e["whiten_floor"])): e["value"]
                      for e in doc["cond_full"] if "value" in e}
        self._base = {(e["source"], e["target"], int(e["n_anchors"]), e["head"]): e["value"]
                      for e in doc["baselines"] if "value" in e}
        self._metrics = {Settings(**e["settings"]): e["metrics"]
                         for e in doc["metrics"] if "metrics" in e}

    def __repr__(self) -> str:
        return (f"Tables({self.dataset!r}: {len(self._metrics)} settings, {len(self._base)} "
                f"baselines, {len(self._cond)} condition numbers)")

    def metrics(self, s: Settings) -> dict[str, Any] | None:
        m = self._metrics.get(s)
        return None if m is None else copy.deepcopy(m)

    def baselines(self, source: str, target: str, n_anchors: int, head: str) -> dict | None:
        b = self._base.get((source, target, int(n_anchors), head))
        return None if b is None else copy.deepcopy(b)

    def cond_full(self, target: str, n_anchors: int, center: str, whiten_floor: float) -> float | None:
        return self._cond.get((target, int(n_anchors), center, float(whiten_floor)))

    def settings(self) -> list[Settings]:
        return list(self._metrics)


def _check(name: str, doc: Any, ds) -> str | None:
    """Why ``doc`` cannot serve ``ds``, or None when it can."""
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        return f"not a {FORMAT} file"
    if doc.get("dataset") != name:
        return f"it holds dataset {doc.get('dataset')!r}"
    if sorted(doc.get("settings_fields", [])) != sorted(settings_fields()):
        return "it was written for other Settings fields (rebuild it)"
    if doc.get("metric_keys") != metric_keys():
        return "it was written for other metrics than irp_core.scoring.METRICS (rebuild it)"
    stale = [rel for rel, sha in doc.get("inputs", {}).items() if ds.file_sha256(rel) != sha]
    if stale or not doc.get("inputs"):
        return f"it was computed from other files than the cache's ({', '.join(stale[:3])}; rebuild it)"
    return None


_ERRORS: dict[str, str] = {}


def load_tables(dataset: str, root: str | os.PathLike | None = None) -> Tables | None:
    """``dataset``'s tables, or None (with the reason in :func:`load_error`) if it has none usable.

    Never raises: a missing, corrupted or stale table only means every number is computed live.
    """
    from irp_core.cache import load_dataset

    _ERRORS.pop(dataset, None)
    if not isinstance(dataset, str) or dataset.startswith(UPLOAD_PREFIX):
        return None
    try:
        ds = load_dataset(dataset, root=root)
        rel = rel_path(dataset)
        if ds.file_sha256(rel) is None:
            _ERRORS[dataset] = f"{rel} is not listed in the manifest"
            return None
        doc = ds.read_json(rel)  # CacheError when missing, altered or unreadable
        why = _check(dataset, doc, ds)
        if why:
            raise ValueError(f"{rel} is not used: {why}")
        return Tables(dataset, doc)
    except Exception as exc:  # noqa: BLE001 - the tables only speed things up
        _ERRORS[dataset] = str(exc)
        log.warning("precomputed tables of %s unused, computing live: %s", dataset, exc)
        return None


def load_error(dataset: str) -> str | None:
    """Why the last :func:`load_tables` of ``dataset`` gave None (None if it loaded or was never read)."""
    return _ERRORS.get(dataset)
