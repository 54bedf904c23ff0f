"""Sweeps over (ω, δ) and over ordered pairs of spaces, parallel through joblib, locally or on Dask.

Each cell is an independent fit + evaluation. Locally the cells run in joblib's worker processes;
given a Dask scheduler address (``scheduler=`` or ``$IRP_DASK_SCHEDULER``, see
:mod:`irp_core.distributed`) the same cells run on that cluster through joblib's Dask backend.
Either way the rows come back in the same order with the same values, to float rounding: a cell runs
on one BLAS thread wherever it runs, but another CPU's kernels may sum in another order.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping, Sequence

import numpy as np
from joblib import Parallel, delayed

from .distributed import parallel_backend
from .scoring import score_pair
from .threads import one_thread
from .translator import IRP


def _indexed(i: int, func: Callable, *args) -> tuple[int, object]:
    return i, func(*args)


def iter_tasks(func: Callable, tasks: Sequence[tuple], n_jobs: int = 1,
               scheduler: str | None = None) -> Iterator[tuple[int, object]]:
    """``(i, func(*tasks[i]))`` as each task finishes (any order), locally or on the Dask cluster.

    ``func`` must be importable by name (a module-level function) so that workers can load it.
    Arrays are passed as the task's own arguments (not inside a dict or tuple): joblib's Dask
    backend then sends each one to the cluster once, not once per task.
    """
    with parallel_backend(scheduler) as client:
        jobs = -1 if client is not None else n_jobs  # on a cluster: every worker
        run = Parallel(n_jobs=jobs, return_as="generator_unordered")
        yield from run(delayed(_indexed)(i, func, *args) for i, args in enumerate(tasks))


def map_tasks(func: Callable, tasks: Sequence[tuple], n_jobs: int = 1, scheduler: str | None = None,
              progress: Callable[[int], None] | None = None) -> list:
    """``[func(*t) for t in tasks]`` in task order; ``progress(1)`` is called as each one finishes."""
    out: list = [None] * len(tasks)
    for i, result in iter_tasks(func, tasks, n_jobs, scheduler):
        out[i] = result
        if progress:
            progress(1)
    return out


def _grid_cell(omega, delta, anchors_x, anchors_y, test_x, test_y, labels, head, params) -> dict:
    irp = IRP(omega=omega, delta=delta, **params)
    # the head's bounds (non-stitch, absolute) do not depend on (ω, δ): not repeated per cell
    with one_thread():  # independent of the process's thread count; workers are one per core
        row = score_pair(irp, anchors_x, anchors_y, test_x, test_y, labels=labels, head=head, non_stitch=False,
                         absolute=False).metrics
    return {"omega": omega, "delta": delta, **row}


def sweep_grid(
    anchors_x,
    anchors_y,
    test_x,
    test_y,
    omegas: Sequence[int],
    deltas: Sequence[float],
    labels=None,
    head=None,
    n_jobs: int = 1,
    scheduler: str | None = None,
    progress: Callable[[int], None] | None = None,
    **irp_params,
) -> list[dict]:
    """One row per (ω, δ): reconstruction, retrieval, conditioning, anchors kept, zero-shot accuracy."""
    tasks = [(o, d, anchors_x, anchors_y, test_x, test_y, labels, head, irp_params)
             for o, d in itertools.product(omegas, deltas)]
    return map_tasks(_grid_cell, tasks, n_jobs, scheduler, progress)


def _pair_cell(source, target, ax, tx, ay, ty, labels, head, params) -> dict:
    with one_thread():
        scores = score_pair(IRP(**params), ax, ay, tx, ty, labels=labels, head=head)
    return {"source": source, "target": target, **scores.metrics}


def sweep_pairs(
    spaces: Mapping[str, tuple[np.ndarray, np.ndarray]],
    labels=None,
    heads: Mapping | None = None,
    n_jobs: int = 1,
    scheduler: str | None = None,
    progress: Callable[[int], None] | None = None,
    **irp_params,
) -> list[dict]:
    """Every ordered pair (source != target) of ``spaces`` = {name: (anchors, test)}.

    With ``labels`` and ``heads`` = {name: head trained on that space}, each row also carries the
    ``zero_shot`` accuracy, the ``non_stitch`` upper bound and ``absolute`` (None if dims differ).
    """
    tasks = [(s, t, *spaces[s], *spaces[t], labels, heads.get(t) if heads else None, irp_params)
             for s in spaces for t in spaces if s != t]
    return map_tasks(_pair_cell, tasks, n_jobs, scheduler, progress)
