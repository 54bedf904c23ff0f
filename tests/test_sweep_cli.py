"""``python -m irp_core sweep`` on three uploaded-style files of real MNIST embeddings: real subprocesses.

Every ordered pair times every grid cell lands in a tidy CSV (and Parquet) and a table; a sweep
killed mid-run resumes without recomputing what it wrote; a bad file gets ``translate``'s error.
"""

import csv
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from agreement import agree, read_csv_rows

from irp_core.cache import load_dataset
from irp_core.split import seeded_split

ROOT = Path(__file__).resolve().parents[1]
GRID = ["--grid", "omega=1,4", "delta=0,0.5", "ridge=0.3"]
N_ITEMS = 400


def cli(*args, cwd, wait=True):
    cmd = [sys.executable, "-m", "irp_core", *map(str, args)]
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    if not wait:
        return subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, env=env)


@pytest.fixture(scope="module")
def spaces(tmp_path_factory):
    """Three MNIST encoders' vectors of the same 400 items as .npy, .npz and .csv, and their labels."""
    tmp = tmp_path_factory.mktemp("spaces")
    ds = load_dataset("mnist")
    names = ds.encoders[:3]
    x = {e: np.concatenate([ds.space(e).anchors, ds.space(e).test])[:N_ITEMS].astype(np.float32) for e in names}
    sp = ds.space(names[0])
    labels = np.concatenate([sp.anchor_labels, sp.test_labels])[:N_ITEMS]
    np.save(tmp / f"{names[0]}.npy", x[names[0]])
    np.savez(tmp / "second.npz", **{names[1]: x[names[1]]})
    np.savetxt(tmp / f"{names[2]}.csv", x[names[2]], delimiter=",", fmt="%.9g")
    np.save(tmp / "labels.npy", labels)
    files = [f"{names[0]}.npy", f"second.npz:{names[1]}", f"{names[2]}.csv"]  # an .npz key names its space
    return tmp, files, names, x, labels


def main(*args, cwd, capsys, monkeypatch):
    """The command line in this process (what ``python -m irp_core`` runs): (status, stderr)."""
    from irp_core.__main__ import main as run

    monkeypatch.chdir(cwd)
    capsys.readouterr()
    status = run([str(a) for a in args])
    return status, capsys.readouterr().err


def read_rows(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.mark.slow  # two sweeps of 24 translations in subprocesses, one killed and resumed: about 30 s
def test_sweep_writes_every_pair_and_cell_and_resumes_after_a_kill(spaces):
    tmp, files, names, x, labels = spaces
    done = cli("sweep", *files, "--labels", "labels.npy", *GRID, "--out", "full", "--parquet", cwd=tmp)
    assert done.returncode == 0, done.stderr
    rows = read_rows(tmp / "full/rows.csv")
    assert len(rows) == 6 * 4  # 3 x 2 ordered pairs, 2 x 2 x 1 cells
    assert [(r["source"], r["target"], r["omega"], r["delta"]) for r in rows[:5]] == [
        (names[0], names[1], "1", "0.0", ), (names[0], names[1], "1", "0.5"), (names[0], names[1], "4", "0.0"),
        (names[0], names[1], "4", "0.5"), (names[0], names[2], "1", "0.0")]
    assert {r["ridge"] for r in rows} == {"0.3"} and {r["n_anchors"] for r in rows} == {"160"}  # 40 % of 400
    zero_shot = np.array([float(r["zero_shot"]) for r in rows])
    non_stitch = np.array([float(r["non_stitch"]) for r in rows])  # heads trained on 160 anchors
    assert zero_shot.min() > 0.7 and np.mean(zero_shot) > 0.9 * np.mean(non_stitch) > 0.7  # real stitching
    absolute = [float(r["absolute"]) for r in rows if r["absolute"]]  # raw vectors, where the dims match
    assert absolute and max(absolute) < 0.5
    parquet = pd.read_parquet(tmp / "full/rows.parquet")
    np.testing.assert_allclose(parquet["zero_shot"].to_numpy(), zero_shot)
    table = (tmp / "full/table.md").read_text()
    assert "## zero_shot: omega = 4, delta = 0.5, ridge = 0.3" in table
    assert sum(line.startswith(f"| {names[0]} | —") for line in table.splitlines()) == 4  # a matrix per cell
    assert "sweep" in done.stderr and "24/24" in done.stderr  # the progress bar

    # kill -9 after a few cells, tear the last line as a kill mid-write would, resume
    proc = cli("sweep", *files, "--labels", "labels.npy", *GRID, "--out", "resumed", "--jobs", "1", cwd=tmp, wait=False)
    out = tmp / "resumed/rows.csv"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not (out.is_file() and len(out.read_text().splitlines()) >= 4):
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    written = len(read_rows(out))
    assert 3 <= written < 24  # killed mid-run
    with open(out, "a", encoding="utf-8") as f:
        f.write(f"{names[2]},{names[0]},4,0.5,0.3,0.81")  # a torn row, no newline
    again = cli("sweep", *files, "--labels", "labels.npy", *GRID, "--out", "resumed", cwd=tmp)
    assert again.returncode == 0, again.stderr
    assert f"24 translations, {written} already in" in again.stderr
    resumed = read_rows(out)  # same rows, same order, same values as the uninterrupted run
    assert [list(r.items())[:5] for r in resumed] == [list(r.items())[:5] for r in rows]
    # another process: to tests/agreement.py's tolerances, not bit for bit
    full = read_csv_rows(tmp / "full/rows.csv")
    assert all([agree(a, b, n_items=len(labels) - 160) for a, b in zip(read_csv_rows(out), full)])


def test_bad_files_get_the_translate_errors(spaces, tmp_path, capsys, monkeypatch):
    tmp, files, names, x, labels = spaces
    np.save(tmp_path / "objects.npy", np.array([{"x": 1}], dtype=object))
    np.save(tmp_path / "nan.npy", np.full((N_ITEMS, 8), np.nan))
    np.save(tmp_path / "short.npy", x[names[0]][:300])
    np.save(tmp_path / "A.npy", x[names[0]])
    for bad, expected in [("objects.npy", "Python objects"), ("nan.npy", "contains NaN or Inf"),
                          ("missing.npy", "no such file"), ("short.npy", "300 rows, but A has 400")]:
        status, err = main("sweep", "A.npy", bad, "--out", "o", cwd=tmp_path, capsys=capsys, monkeypatch=monkeypatch)
        assert status == 2 and expected in err, err
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error:") and "Traceback" not in err
        if bad != "short.npy":  # the same message as translate's for the same file
            t_status, t_err = main("translate", "--source-anchors", bad, "--target-anchors", "A.npy", "--input",
                                   "A.npy", "--output", "y.npy", cwd=tmp_path, capsys=capsys, monkeypatch=monkeypatch)
            assert t_status == 2 and t_err == err
    assert not (tmp_path / "o/rows.csv").exists()
    done = cli("sweep", "A.npy", "objects.npy", cwd=tmp_path)  # and through a real subprocess
    assert done.returncode == 2 and done.stderr.startswith("error: objects.npy: holds Python objects")
    assert "Traceback" not in done.stderr


def test_bad_grids_and_a_foreign_output_folder_are_refused(spaces, capsys, monkeypatch):
    tmp, files, names, x, labels = spaces
    for grid, expected in [("omgea=1", "not an IRP parameter"), ("omega=1,x", "'x' is not a valid value (int)"),
                           ("center=median", "not a valid value (whiten, anchor_mean, none)"),
                           ("delta", "expected NAME=V1,V2")]:
        status, err = main("sweep", *files[:2], "--grid", grid, "--out", "g", cwd=tmp, capsys=capsys,
                           monkeypatch=monkeypatch)
        assert status == 2 and expected in err and "Traceback" not in err, err
    (tmp / "other").mkdir()
    (tmp / "other/sweep.json").write_text('{"spaces": []}')
    status, err = main("sweep", *files[:2], "--out", "other", cwd=tmp, capsys=capsys, monkeypatch=monkeypatch)
    assert status == 2 and "holds a sweep of other files or settings" in err


def test_the_split_is_the_upload_pages(spaces):
    """The same files split the same way on the Upload page and in the sweep."""
    from dashboard.uploads.dataset import build_dataset

    tmp, files, names, x, labels = spaces
    uploaded = build_dataset([(f"{n}.npy", (tmp / f"{names[0]}.npy").read_bytes()) for n in ("a", "b")])
    anchor_rows, test_rows = seeded_split(N_ITEMS)
    np.testing.assert_array_equal(uploaded.space("a").anchors, x[names[0]][anchor_rows])
    np.testing.assert_array_equal(uploaded.space("a").test, x[names[0]][test_rows])


def test_a_cell_that_fails_is_an_empty_row_not_a_dead_sweep():
    from irp_core.sweep_cli import _cell

    x = np.random.default_rng(0).normal(size=(60, 4))
    bad = x.copy()
    bad[3, 1] = np.inf
    row = _cell("a", "b", x[:40], x[40:], bad[:40], x[40:], None, None, {"omega": 2})
    assert row["omega"] == 2 and "recon" not in row
    assert row["warnings"] == ["no result: anchors_y contains NaN or Inf (1 values; first at row 3, column 1)"]
    assert _cell("a", "b", x[:40], x[40:], x[:40], x[40:], None, None, {"omega": 2})["recon"] > 0.99
