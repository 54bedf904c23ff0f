"""Sweeps on a real ``dask.distributed`` cluster (2 worker processes on loopback) give the local rows.

The cluster is started here, as a user would start one (``LocalCluster``); joblib's Dask backend
ships the cells to it. Rows must come back in the same order, with the same keys, settings and
counts, and with metrics that agree to the tolerances of ``tests/agreement.py``: not bit for bit.
A worker is another process, and on a cluster another machine, whose kernels may sum in another
order (measured here: 1.8e-12 on ``recon`` in one run of two, between two processes of one machine).
"""

import time

import distributed  # dask[distributed], in requirements-dev.txt
import numpy as np
import pytest
from agreement import agree, read_csv_rows

from irp_core.cache import load_dataset
from irp_core.distributed import ENV_VAR, parallel_backend, scheduler_address
from irp_core.sweeps import sweep_grid, sweep_pairs


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1, host="127.0.0.1",
                                  dashboard_address=None) as lc:
        yield lc.scheduler_address


def same_rows(a: list[dict], b: list[dict], n_items: int | None = None) -> bool:
    """Same keys in the same order, values that agree (``tests/agreement.py``), row for row; prints
    what differs."""
    if len(a) != len(b):
        print(f"{len(a)} rows against {len(b)}")
        return False
    return all([agree(ra, rb, n_items=n_items) for ra, rb in zip(a, b)])


@pytest.mark.slow  # the MNIST all-pairs sweep twice (20 fits each) and a 2-process cluster: about 40 s
def test_mnist_all_pairs_on_dask_equal_the_local_run(cluster):
    ds = load_dataset("mnist")
    spaces = {e: (ds.space(e).anchors, ds.space(e).test) for e in ds.encoders}
    heads = {e: ds.head(e, "linear") for e in ds.encoders}
    labels = ds.space(ds.encoders[0]).test_labels
    t0 = time.perf_counter()
    local = sweep_pairs(spaces, labels=labels, heads=heads, n_jobs=2)
    t1 = time.perf_counter()
    done = []
    remote = sweep_pairs(spaces, labels=labels, heads=heads, scheduler=cluster, progress=done.append)
    t2 = time.perf_counter()
    print(f"MNIST all pairs ({len(local)} pairs): joblib local {t1 - t0:.1f} s, Dask {t2 - t1:.1f} s")
    n = len(ds.encoders)
    assert len(local) == n * (n - 1) and len(done) == len(local)  # progress: one call per finished cell
    assert same_rows(local, remote, n_items=len(labels))
    assert [(r["source"], r["target"]) for r in local] == [(r["source"], r["target"]) for r in remote]
    assert np.mean([r["zero_shot"] for r in remote]) > 0.9  # the real sweep, not empty rows


def test_grid_sweep_through_the_environment_variable(cluster, monkeypatch):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(500, 12))
    q, _ = np.linalg.qr(rng.normal(size=(12, 12)))
    args = (x[:300], x[:300] @ q, x[300:], x[300:] @ q)
    local = sweep_grid(*args, omegas=[1, 3], deltas=[0.0, 0.4], n_jobs=1, ridge=0.0)
    monkeypatch.setenv(ENV_VAR, cluster)
    assert scheduler_address() == cluster
    remote = sweep_grid(*args, omegas=[1, 3], deltas=[0.0, 0.4], ridge=0.0)
    assert [(r["omega"], r["delta"]) for r in remote] == [(1, 0.0), (1, 0.4), (3, 0.0), (3, 0.4)]
    assert same_rows(local, remote, n_items=200) and all(r["recon"] > 0.99 for r in remote)


def test_no_address_runs_locally_and_a_dead_scheduler_is_a_clear_error(monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    with parallel_backend(None) as client:
        assert client is None
    monkeypatch.setenv(ENV_VAR, "  ")
    assert scheduler_address() is None  # an empty variable is no address
    with pytest.raises(ValueError, match=r"cannot reach the Dask scheduler at tcp://127\.0\.0\.1:9 "):
        with parallel_backend("tcp://127.0.0.1:9", timeout=2):
            pass


@pytest.mark.slow  # two small sweeps of the command line (6 cells and 3 heads each): about 15 s
def test_the_sweep_command_on_dask_writes_the_local_rows(cluster, tmp_path, capsys):
    from irp_core.__main__ import main

    ds = load_dataset("mnist")
    files = []
    for e in ds.encoders[:3]:
        np.save(tmp_path / f"{e}.npy", np.concatenate([ds.space(e).anchors, ds.space(e).test])[:300])
        files.append(str(tmp_path / f"{e}.npy"))
    sp = ds.space(ds.encoders[0])
    np.save(tmp_path / "labels.npy", np.concatenate([sp.anchor_labels, sp.test_labels])[:300])
    args = ["sweep", *files, "--labels", str(tmp_path / "labels.npy"), "--grid", "omega=1,4", "ridge=0"]
    assert main([*args, "--out", str(tmp_path / "local")]) == 0
    assert main([*args, "--out", str(tmp_path / "dask"), "--scheduler", cluster]) == 0
    local, remote = (read_csv_rows(tmp_path / d / "rows.csv") for d in ("local", "dask"))
    assert len(local) == 6 * 2 and same_rows(local, remote, n_items=300)
    assert "12/12" in capsys.readouterr().err

