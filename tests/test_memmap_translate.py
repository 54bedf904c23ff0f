"""``translate`` of a .npy into a .npy in bounded memory: chunked, exact, safe on bad files, and able
to translate a file larger than the process's address-space limit (``ulimit -v``)."""

import resource
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from irp_core import IRP
from irp_core.cache import load_dataset
from irp_core.chunked import npy_layout, translate_npy
from irp_core.io import ReadError

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def fitted():
    ds = load_dataset("mnist")
    src, tgt = ds.space("resnet10t_128"), ds.space("efficientnet_lite2")
    return IRP().fit(src.anchors, tgt.anchors), src.test, tgt.test


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_chunks_give_the_in_memory_translation(fitted, tmp_path, dtype, capsys):
    irp, test, truth = fitted
    x = np.asarray(test, dtype=dtype)
    np.save(tmp_path / "x.npy", x)
    shape = translate_npy(irp, tmp_path / "x.npy", tmp_path / "y.npy", chunk_rows=97)  # 21 chunks, a ragged last
    y = np.load(tmp_path / "y.npy", allow_pickle=False)
    assert shape == y.shape == (2000, truth.shape[1]) and y.dtype == dtype
    np.testing.assert_allclose(y, irp.transform(x), rtol=1e-5 if dtype == np.float32 else 1e-12, atol=1e-6)
    cos = np.sum(y * truth, 1) / np.linalg.norm(y, axis=1) / np.linalg.norm(truth, axis=1)
    assert cos.mean() > 0.6  # a real translation of real MNIST vectors
    assert "translate x.npy" in capsys.readouterr().err and not list(tmp_path.glob("*.part"))


@pytest.mark.parametrize("make_bad, expected", [
    (lambda p: np.save(p, np.array([{"x": 1}], dtype=object)), "holds Python objects"),
    (lambda p: p.write_bytes(b"garbage"), "not a valid .npy array"),
    (lambda p: p.write_bytes(_npy_bytes(np.ones((50, 128), np.float32))[:-40]), "truncated or corrupt"),
    (lambda p: np.save(p, np.ones((50, 64), np.float32)), "has 64 columns, but the source anchors have 128"),
    (lambda p: np.save(p, np.asfortranarray(np.ones((50, 128)))), "Fortran"),
    (lambda p: np.save(p, np.ones(128)), "2-D"),
    (lambda p: np.save(p, np.where(np.arange(300)[:, None] == 211, np.nan, np.ones((300, 128)))),
     "contains NaN or Inf (first at row 211, column 0)"),
])
def test_bad_inputs_are_named_and_leave_no_output(fitted, tmp_path, make_bad, expected):
    irp = fitted[0]
    make_bad(tmp_path / "bad.npy")
    with pytest.raises(ReadError, match=None) as err:
        translate_npy(irp, tmp_path / "bad.npy", tmp_path / "y.npy", chunk_rows=100, progress=False)
    assert expected in str(err.value) and "bad.npy" in str(err.value)
    assert not (tmp_path / "y.npy").exists() and not (tmp_path / "y.npy.part").exists()


def _npy_bytes(a: np.ndarray) -> bytes:
    import io

    buf = io.BytesIO()
    np.save(buf, a)
    return buf.getvalue()


def test_header_is_read_without_loading(tmp_path):
    np.save(tmp_path / "x.npy", np.zeros((7, 3), np.float32))
    shape, dtype, offset = npy_layout(tmp_path / "x.npy")
    assert shape == (7, 3) and dtype == np.float32 and offset == (tmp_path / "x.npy").stat().st_size - 84


LIMIT_MB = 1024  # the command line's own address space needs about 800 MB (libraries, thread arenas)


@pytest.mark.slow  # writes and translates a 1.2 GB file, twice under the limit: about 30 s
def test_a_file_larger_than_the_address_space_limit(tmp_path):
    rng = np.random.default_rng(0)
    ax = rng.normal(size=(1500, 256)).astype(np.float32)
    q, _ = np.linalg.qr(rng.normal(size=(256, 256)))
    np.save(tmp_path / "ax.npy", ax)
    np.save(tmp_path / "ay.npy", (ax @ q).astype(np.float32))
    n = 1_200_000  # 1.23 GB of float32: more than the whole address space the process may use
    big = np.lib.format.open_memmap(tmp_path / "x.npy", mode="w+", dtype=np.float32, shape=(n, 256))
    for start in range(0, n, 100_000):
        big[start:start + 100_000] = rng.normal(size=(100_000, 256))
    probe = big[[0, 654_321, n - 1]].copy()
    del big
    assert (tmp_path / "x.npy").stat().st_size > LIMIT_MB * 2**20

    def limited():
        resource.setrlimit(resource.RLIMIT_AS, (LIMIT_MB * 2**20, LIMIT_MB * 2**20))

    def translate(output):
        return subprocess.run(
            [sys.executable, "-m", "irp_core", "translate", "--source-anchors", "ax.npy", "--target-anchors", "ay.npy",
             "--input", "x.npy", "--output", output], cwd=tmp_path, capture_output=True, text=True,
            preexec_fn=limited, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})

    done = translate("y.npy")
    assert done.returncode == 0, done.stderr[-2000:]
    assert f"translated {n} vectors" in done.stdout and "rows" in done.stderr  # the progress bar
    y = np.load(tmp_path / "y.npy", mmap_mode="r", allow_pickle=False)
    irp = IRP().fit(np.load(tmp_path / "ax.npy"), np.load(tmp_path / "ay.npy"))
    np.testing.assert_allclose(y[[0, 654_321, n - 1]], irp.transform(probe), rtol=1e-4, atol=1e-5)
    del y
    (tmp_path / "y.npy").unlink()
    whole = translate("y.npz")  # the in-memory path cannot: the limit is real
    assert whole.returncode == 2 and "out of memory" in whole.stderr and "Traceback" not in whole.stderr
    assert not (tmp_path / "y.npz").exists()
