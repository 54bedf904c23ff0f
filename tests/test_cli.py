"""The command-line twin: real subprocesses, real files, one-line errors and exit status 2."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from irp_core import IRP
from irp_core.heads import LinearHead
from irp_core.io import load_matrix

ROOT = Path(__file__).resolve().parents[1]


def cli(*args, cwd):
    return subprocess.run(
        [sys.executable, "-m", "irp_core", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )


@pytest.fixture
def files(tmp_path):
    rng = np.random.default_rng(0)
    q, _ = np.linalg.qr(rng.normal(size=(16, 16)))
    centres = rng.normal(scale=4, size=(3, 16))
    labels = rng.integers(3, size=700)
    x = centres[labels] + rng.normal(size=(700, 16))
    y = 3 * x @ q
    np.save(tmp_path / "A.npy", x[:300])
    np.savez(tmp_path / "B.npz", anchors=y[:300], test=y[300:500])
    np.savetxt(tmp_path / "X.csv", x[300:500], delimiter=",", header=",".join(f"f{i}" for i in range(16)), comments="")
    np.save(tmp_path / "labels.npy", labels[300:500])
    LinearHead().fit(y[500:], labels[500:]).save(tmp_path / "head.npz")
    return tmp_path, y[300:500]


def test_translate_writes_a_faithful_translation(files):
    tmp, truth = files
    done = cli(
        "translate",
        "--source-anchors",
        "A.npy",
        "--target-anchors",
        "B.npz",
        "--input",
        "X.csv",
        "--output",
        "Y.npz",
        "--omega",
        "4",
        "--delta",
        "0.0",
        cwd=tmp,
    )
    assert done.returncode == 0, done.stderr
    y = load_matrix(tmp / "Y.npz")
    c = truth.mean(0)
    cos = np.sum((y - c) * (truth - c), 1) / np.linalg.norm(y - c, axis=1) / np.linalg.norm(truth - c, axis=1)
    assert cos.mean() > 0.99


def test_evaluate_prints_metrics_and_accuracy(files):
    tmp, _ = files
    done = cli(
        "evaluate",
        "--source-anchors",
        "A.npy",
        "--target-anchors",
        "B.npz:anchors",
        "--source-test",
        "X.csv",
        "--target-test",
        "B.npz:test",
        "--labels",
        "labels.npy",
        "--head",
        "head.npz",
        "--json",
        "--delta",
        "0.2",
        cwd=tmp,
    )
    assert done.returncode == 0, done.stderr
    import json

    result = json.loads(done.stdout)
    assert result["recon"] > 0.95 and result["zero_shot"] > 0.95


@pytest.mark.parametrize(
    "make_bad, expected",
    [
        (lambda p: np.save(p / "bad.npy", np.full((5, 16), np.nan)), "contains NaN or Inf"),
        (lambda p: np.save(p / "bad.npy", np.array([{"x": 1}], dtype=object)), "Python objects"),
        (lambda p: np.save(p / "bad.npy", np.zeros(16)), "2-D"),
        (lambda p: np.save(p / "bad.npy", np.zeros((299, 16))), "parallel"),
        (lambda p: (p / "bad.npy").write_bytes(b"garbage"), "bad.npy"),
    ],
)
def test_bad_input_one_line_error(files, make_bad, expected):
    tmp, _ = files
    make_bad(tmp)
    done = cli(
        "translate",
        "--source-anchors",
        "bad.npy",
        "--target-anchors",
        "B.npz",
        "--input",
        "X.csv",
        "--output",
        "Y.npy",
        cwd=tmp,
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and expected in lines[0], done.stderr
    assert "Traceback" not in done.stderr and not (tmp / "Y.npy").exists()


def test_method_options_reach_the_translator(files):
    tmp, _ = files
    args = ["translate", "--source-anchors", "A.npy", "--target-anchors", "B.npz", "--input", "X.csv"]
    done = cli(*args, "--output", "Y.npy", "--center", "anchor_mean", "--ridge", "0", "--prune-on", "both",
               "--omega", "3", "--delta", "0.3", cwd=tmp)
    assert done.returncode == 0, done.stderr
    x, ax, ay = load_matrix(tmp / "X.csv"), np.load(tmp / "A.npy"), load_matrix(f"{tmp}/B.npz:anchors")
    expected = IRP(omega=3, delta=0.3, center="anchor_mean", ridge=0.0, prune_on="both").fit(ax, ay).transform(x)
    np.testing.assert_allclose(np.load(tmp / "Y.npy"), expected, atol=1e-8)
    bad = cli(*args, "--output", "Z.npy", "--ridge", "-1", cwd=tmp)
    assert bad.returncode == 2 and bad.stderr.startswith("error:") and "ridge" in bad.stderr
    assert "Traceback" not in bad.stderr and not (tmp / "Z.npy").exists()


def test_help_shows_irps_defaults():
    """The command line's defaults are IRP()'s: --help shows them, written nowhere else."""
    done = cli("translate", "--help", cwd=ROOT)
    assert done.returncode == 0, done.stderr
    text = " ".join(done.stdout.split()).split("IRP options:")[1]
    params = IRP().get_params()
    for option, key in (("--omega", "omega"), ("--delta", "delta"), ("--center", "center"),
                        ("--ridge", "ridge"), ("--whiten-floor", "whiten_floor"), ("--rescale", "rescale")):
        after = text[text.index(option + " "):]
        assert f"(default {params[key]})" in after[:300], (option, after[:300])


def test_no_method_options_is_irp_at_its_defaults():
    from irp_core.__main__ import _build_irp, parser

    required = ["--source-anchors", "a.npy", "--target-anchors", "b.npy", "--input", "x.npy", "--output", "y.npy"]
    args = parser().parse_args(["translate", *required])
    assert _build_irp(args).get_params() == IRP().get_params()


def test_the_cli_reads_with_the_uploads_checks(tmp_path):
    """One reader (irp_core.io): Parquet list columns, CSV cells named by line, zip bombs refused."""
    import io
    import zipfile

    import pyarrow as pa
    import pyarrow.parquet as pq

    from irp_core.io import ReadError, read_npz

    x = np.arange(12.0).reshape(4, 3)
    pq.write_table(pa.table({"emb": pa.array(list(x), type=pa.list_(pa.float64()))}), tmp_path / "x.parquet")
    np.testing.assert_array_equal(load_matrix(tmp_path / "x.parquet"), x)
    (tmp_path / "x.csv").write_text("a,b\n1,2\n3,oops\n")
    with pytest.raises(ReadError, match=r"x\.csv: line 3, column 'b' holds 'oops'"):
        load_matrix(tmp_path / "x.csv")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.npy", b"\0" * (2 * 2**20 + 1))
    with pytest.raises(ReadError, match=r"bomb\.npz: its arrays unpack to 2 MB; the limit is 1 MB"):
        read_npz(buf.getvalue(), "bomb.npz", max_unpacked_mb=1)
