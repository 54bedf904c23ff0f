"""Run joblib sweeps on a Dask cluster: ``scheduler`` (or ``$IRP_DASK_SCHEDULER``) -> joblib's Dask backend.

Every sweep cell is an independent fit + score, so the sweeps only need a joblib backend that ships
tasks to other machines; ``dask.distributed`` provides one and a scheduler (we write none). dask is
imported only when an address is given, so the library and the local runs do not need it.

>>> with parallel_backend(None):  # no address, no variable: joblib's local processes, as before
...     pass
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

ENV_VAR = "IRP_DASK_SCHEDULER"
INSTALL_HINT = "pip install 'dask[distributed]'"


def scheduler_address(scheduler: str | None = None) -> str | None:
    """The address to use: ``scheduler`` if given, else ``$IRP_DASK_SCHEDULER``, else None (local)."""
    address = scheduler if scheduler is not None else os.environ.get(ENV_VAR, "")
    address = address.strip()
    return address or None


@contextlib.contextmanager
def parallel_backend(scheduler: str | None = None, timeout: float = 30.0) -> Iterator[object | None]:
    """While open, joblib's ``Parallel`` runs on the Dask cluster at ``scheduler`` (see
    :func:`scheduler_address`); yields the ``distributed.Client``, or None for a local run.

    Raises ValueError (the command line's clear one-line error) when dask is missing or the
    scheduler cannot be reached within ``timeout`` seconds.
    """
    address = scheduler_address(scheduler)
    if address is None:
        yield None
        return
    try:
        from distributed import Client
    except ImportError as err:
        raise ValueError(f"a Dask scheduler was given ({address}) but dask.distributed is not installed: "
                         f"{INSTALL_HINT}") from err
    import joblib

    try:
        client = Client(address, timeout=f"{timeout}s")
    except (OSError, TimeoutError) as err:
        raise ValueError(f"cannot reach the Dask scheduler at {address} within {timeout:g} s "
                         f"({type(err).__name__}: {err}); is it running, and is the address right?") from err
    try:
        with joblib.parallel_config(backend="dask"):
            yield client
    finally:
        client.close()
