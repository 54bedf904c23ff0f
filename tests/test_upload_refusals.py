"""Uploads that must be refused: one class of bad input each, with a message naming where and what,
then a fuzz that feeds over 500 generated malformed uploads through ``build_dataset``, the function
the Upload page calls: each must raise ``UploadError`` with a message, nothing else, and none may
run code (pickle payloads would create a marker file)."""

from __future__ import annotations

import io
import os
import pathlib

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from threadpoolctl import threadpool_limits
from upload_files import csv, npy, npz, parquet, refused

from dashboard import uploads

# One BLAS thread, as the app runs: threaded BLAS on a busy 2-core machine is 30x slower here.
threadpool_limits(limits=1, user_api="blas")


# --------------------------------------------------------------------------------------------
# Refusals: one class of bad input each, with a message naming where and what
# --------------------------------------------------------------------------------------------
X = np.random.default_rng(7).normal(size=(40, 6)).astype(np.float32)
Y = X[:, ::-1] * 2


def with_a(name: str, data: bytes) -> list[tuple[str, bytes]]:
    """A bad file ``a`` next to a good space ``b``."""
    return [(name, data), ("b.npy", npy(Y))]


def with_value(v, fmt="npy"):
    bad = X.copy()
    bad[3, 5] = v
    return [("a.npy", npy(bad)) if fmt == "npy" else ("a.csv", csv(bad)), ("b.npy", npy(Y))]


def csv_cell(line: int, col: int, text: bytes, x=X) -> bytes:
    """``csv(x)`` with one cell (1-based line, 0-based column) replaced by ``text``."""
    lines = csv(x).split(b"\n")
    cells = lines[line - 1].split(b",")
    cells[col] = text
    lines[line - 1] = b",".join(cells)
    return b"\n".join(lines)


def npy_declaring(x, shape) -> bytes:
    """A well-formed .npy header that declares ``shape``, followed by the bytes of ``x``."""
    buf = io.BytesIO()
    header = np.lib.format.header_data_from_array_1_0(x)
    header["shape"] = shape
    np.lib.format.write_array_header_1_0(buf, header)
    buf.write(np.ascontiguousarray(x).tobytes())
    return buf.getvalue()


BAD = {
    "nan": (lambda: with_value(np.nan), r"a\.npy: 1 value\(s\) .*not finite.* row 3, column 5"),
    "inf": (lambda: with_value(-np.inf), r"a\.npy: .* first at row 3, column 5: NaN or Inf"),
    "inf_csv": (lambda: with_value(np.inf, "csv"),
                r"a\.csv: line 5, column 'd5' holds 'inf'.* finite"),
    "text_cell": (lambda: with_a("a.csv", csv_cell(5, 2, b"oops")),
                  r"a\.csv: line 5, column 'd2' holds 'oops'.* finite"),
    "ragged_long": (lambda: with_a("a.csv", csv_cell(3, 5, b"0.5,9")),
                    r"a\.csv: .*6 fields in line 3, saw 7"),
    "ragged_short": (lambda: [("a.csv", b"\n".join(csv(X).split(b"\n")[:5] + [b"1,2,3"] + csv(X).split(b"\n")[6:])),
                              ("b.npy", npy(Y))], r"a\.csv: line 6, column 'd3' holds an empty cell"),
    "rows": (lambda: [("a.npy", npy(X)), ("b.npy", npy(Y[:39]))],
             r"not parallel: a\.npy has 40 rows \(shape \(40, 6\)\) but b\.npy has 39"),
    "empty": (lambda: with_a("a.npy", npy(np.zeros((0, 6), np.float32))),
              r"a\.npy: has no rows \(shape \(0, 6\)\)"),
    "few": (lambda: [("a.npy", npy(X[:12])), ("b.npy", npy(Y[:12]))], r"a\.npy: 12 items .* at least 30"),
    "one_space": (lambda: [("a.npy", npy(X))], r"two or more embedding spaces \(found only 'a\.npy'\)"),
    "strings": (lambda: with_a("a.npy", npy(X.astype(str))), r"a\.npy: .*real numbers.* dtype <U"),
    "complex": (lambda: with_a("a.npy", npy(X.astype(complex))), r"dtype complex128 \(complex numbers\)"),
    "bool": (lambda: with_a("a.npy", npy(X > 0)), r"dtype bool \(booleans\)"),
    "datetime": (lambda: with_a("a.npy", npy(X.astype("datetime64[s]"))), r"dtype datetime64\[s\] \(dates\)"),
    "structured": (lambda: with_a("a.npy", npy(np.zeros(40, dtype=[("x", "f4"), ("y", "f4")]))),
                   r"a\.npy: has a structured or empty dtype"),
    "object_npz": (lambda: with_a("a.npz", npz(a=X.astype(object))), r"a\.npz:a: holds Python objects"),
    "one_dim": (lambda: with_a("a.npy", npy(X[:, :1])), r"a\.npy: has 1 column\(s\) \(shape \(40, 1\)\)"),
    "huge_dim": (lambda: with_a("a.npy", npy(np.ones((2, uploads.MAX_DIM + 1), np.float16))),
                 r"a\.npy: has 16385 columns \(shape \(2, 16385\)\); at most 16384"),
    "three_d": (lambda: with_a("a.npy", npy(X.reshape(40, 2, 3))), r"2-D array .* shape \(40, 2, 3\)"),
    "zeros": (lambda: with_a("a.npy", npy(np.zeros_like(X))), r"a\.npy: every row is all zeros"),
    "float32_range": (lambda: with_a("a.npy", npy(X.astype(np.float64) * 1e300)),
                      r"beyond float32's range"),
    "dup_ids": (lambda: [("a.npy", npy(X)), ("b.npy", npy(Y)), ("ids.npy", npy(np.r_[np.arange(39), 5]))],
                r"ids\.npy: duplicate id 5 \(rows 5 and 39\)"),
    "ids_order": (lambda: [("a.csv", csv(X, id=np.arange(40))), ("b.csv", csv(Y, id=np.r_[1, 0, np.arange(2, 40)]))],
                  r"different order: row 0 is id 0 in a\.csv:id but 1 in b\.csv:id"),
    "ids_set": (lambda: [("a.csv", csv(X, id=np.arange(40))), ("b.csv", csv(Y, id=np.arange(1, 41)))],
                r"ids differ: 1 ids of a\.csv:id are not in b\.csv:id \(e\.g\. 0\)"),
    "labels_len": (lambda: [("a.npy", npy(X)), ("b.npy", npy(Y)), ("labels.npy", npy(np.arange(39) % 3))],
                   r"labels\.npy: 39 labels for 40 items"),
    "labels_float": (lambda: [("a.npy", npy(X)), ("b.npy", npy(Y)), ("labels.npy", npy(np.linspace(0, 1, 40)))],
                     r"labels\.npy: .*integers or strings.* float64"),
    "one_class": (lambda: [("a.npy", npy(X)), ("b.npy", npy(Y)), ("labels.npy", npy(np.zeros(40, int)))],
                  r"labels\.npy: every label is 0.* two classes"),
    "too_many_classes": (lambda: [("a.npy", npy(np.tile(X, (4, 1)))), ("b.npy", npy(np.tile(Y, (4, 1)))),
                                  ("labels.npy", npy(np.arange(160)))],
                         r"labels\.npy: 160 distinct labels; at most 100 classes"),
    "class_names": (lambda: [("a.npy", npy(X)), ("b.npy", npy(Y)), ("labels.npy", npy(np.arange(40) % 4)),
                             ("classes.txt", b"cat\ndog\n")],
                    r"classes\.txt: 2 class names.* 0\.\.1"),
    "texts_len": (lambda: [("a.npy", npy(X)), ("b.npy", npy(Y)), ("texts.txt", b"one\ntwo\n")],
                  r"texts\.txt: 2 texts for 40 items"),
    "same_name": (lambda: [("a.npy", npy(X)), ("a.csv", csv(Y))], r"two spaces are named 'a' \(a\.npy, a\.csv\)"),
    "suffix": (lambda: with_a("a.pkl", b"\x80\x04K\x01."), r"a\.pkl: unsupported file type \.pkl"),
    "txt_space": (lambda: with_a("a.txt", b"1 2 3"), r"a\.txt: a \.txt file must be texts\.txt"),
    "garbage_npy": (lambda: with_a("a.npy", b"\x93NUMPY garbage"), r"a\.npy: not a valid \.npy array"),
    "garbage_parquet": (lambda: with_a("a.parquet", b"PAR1 not really"), r"a\.parquet: not a valid Parquet file"),
    "truncated_npz": (lambda: with_a("a.npz", npz(a=X)[:-30]), r"a\.npz: not a valid \.npz archive"),
    "truncated_npy": (lambda: with_a("a.npy", npy(X)[:-4]),
                      r"a\.npy: .*shape \(40, 6\) of float32 \(960 bytes\).* 956"),
    "lying_header": (lambda: with_a("a.npy", npy_declaring(X, (4000000000, 600000))),
                     r"declares shape \(4000000000, 600000\) .* but the file holds 960 bytes"),
    "not_utf8": (lambda: with_a("a.csv", b"\xff\xfe1,2\n"), r"a\.csv: is not UTF-8 text"),
    "split": (lambda: [("a.npz", npz(anchors=X[:20], test=X[20:])), ("b.npz", npz(anchors=Y[:25], test=Y[25:]))],
              r"anchor/test splits differ"),
    "cache_extra": (lambda: with_a("a.npz", npz(anchors=X[:20], test=X[20:], secret=X)),
                    r"a\.npz: unexpected keys \['secret'\]"),
    "bad_layout": (lambda: [("a.npz", npz(anchors=X[:20], test=X[20:], layout=X[:20, :3])),
                            ("b.npz", npz(anchors=Y[:20], test=Y[20:]))], r"a\.npz:layout must be a \(20, 2\) array"),
    "parquet_bool": (lambda: with_a("a.parquet", parquet(X > 0)), r"a\.parquet: column 'd0' has type bool"),
    "parquet_rows": (lambda: with_a("a.parquet", parquet(np.ones((uploads.MAX_ITEMS + 1, 2)))),
                     rf"a\.parquet: {uploads.MAX_ITEMS + 1} rows; at most {uploads.MAX_ITEMS}"),
    "parquet_null": (lambda: with_a("a.parquet", _parquet_null()),
                     r"a\.parquet: column 'd1' has 1 empty \(null\) values, first at row 2"),
}


def _parquet_null() -> bytes:
    buf = io.BytesIO()
    pq.write_table(pa.table({"d0": list(range(40)), "d1": [1.0, 2.0, None] + [0.5] * 37}), buf)
    return buf.getvalue()


@pytest.mark.parametrize("case", list(BAD))
def test_each_bad_input_is_refused_with_a_specific_message(case):
    make, match = BAD[case]
    msg = refused(make(), match)
    assert "Traceback" not in msg


def test_size_caps_per_file_and_in_total():
    big = b"\0" * (uploads.UPLOAD_MAX_MB * 2**20 + 1)
    refused(with_a("a.npy", big), r"a\.npy: 50\.0 MB; the limit is 50 MB per file")
    half = b"\0" * (uploads.UPLOAD_MAX_MB * 2**20 - 10)
    refused([("a.npy", half), ("b.npy", half), ("c.npy", half)], r"150\.0 MB in all; the limit is 100 MB per upload")
    refused([], "no files")


def test_zip_bomb_is_refused_before_it_is_unpacked():
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.npy", b"\0" * (uploads.UPLOAD_MAX_UNPACKED_MB * 2**20 + 1))
    assert len(buf.getvalue()) < 2**20
    refused([("bomb.npz", buf.getvalue()), ("b.npy", npy(Y))], r"bomb\.npz: its arrays unpack to 256 MB")


class Payload:
    """Unpickling this creates ``path``: the test that nothing is ever unpickled."""

    def __init__(self, path: str):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


@pytest.mark.parametrize("container", ["npy", "npz"])
def test_pickle_payloads_are_refused_without_being_run(tmp_path, container):
    marker = tmp_path / "pwned"
    arr = np.array([Payload(str(marker))] * 3, dtype=object)
    np.load(io.BytesIO(npy(arr)), allow_pickle=True)  # the payload does work when unpickled ...
    assert marker.exists()
    marker.unlink()
    data = npy(arr) if container == "npy" else npz(a=arr)
    refused([(f"a.{container}", data), ("b.npy", npy(Y))], "holds Python objects")
    assert not marker.exists()  # ... and the upload never unpickled it


# --------------------------------------------------------------------------------------------
# The fuzz: >= 500 generated malformed uploads through build_dataset
# --------------------------------------------------------------------------------------------
N = 40
SPACE_FORMATS = ("npy", "npz", "csv", "parquet")
CORRUPTIONS = ("nonfinite", "rows", "empty", "few_items", "dtype", "dims", "header_dims", "truncated",
               "garbage", "object", "dup_ids", "ids_order", "ids_set", "labels_len", "labels_kind",
               "ragged_csv", "bad_cell", "one_space", "suffix", "same_name", "split")


def encode(name: str, fmt: str, x, **extra) -> tuple[str, bytes]:
    x = np.asarray(x)
    if fmt == "npy":
        return f"{name}.npy", npy(x)
    if fmt == "npz":
        return f"{name}.npz", npz(emb=x)
    if fmt == "csv":
        return f"{name}.csv", csv(x, **extra)
    return f"{name}.parquet", parquet(x, **extra)


@st.composite
def malformed_upload(draw, kind: str):
    """A valid two-space upload with exactly one thing wrong, of the class ``kind``: (kind, files)."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    fa, fb = draw(st.sampled_from(SPACE_FORMATS)), draw(st.sampled_from(SPACE_FORMATS))
    da, db = draw(st.integers(2, 9)), draw(st.integers(2, 9))
    xa, xb = rng.normal(size=(N, da)).astype(np.float32), rng.normal(size=(N, db)).astype(np.float32)
    files = []
    if kind == "nonfinite":
        xa[draw(st.integers(0, N - 1)), draw(st.integers(0, da - 1))] = draw(st.sampled_from([np.nan, np.inf, -np.inf]))
    elif kind == "rows":
        xb = xb[: N - draw(st.integers(1, N - 1))] if draw(st.booleans()) else np.vstack([xb, xb[:3]])
    elif kind == "empty":
        xa = np.zeros((0, da), np.float32) if draw(st.booleans()) or fa == "csv" else np.zeros((N, 0), np.float32)
    elif kind == "few_items":
        m = draw(st.integers(1, uploads.MIN_ITEMS - 1))
        xa, xb = xa[:m], xb[:m]
    elif kind == "dtype":
        fa = draw(st.sampled_from(["npy", "npz"]))
        xa = draw(st.sampled_from([
            xa > 0, xa.astype(np.complex64), xa.astype(str), xa.astype("S8"), xa.astype("datetime64[ms]"),
            xa.astype("timedelta64[s]"), np.zeros(N, dtype=[("a", "f4"), ("b", "i4")]), xa.astype("V4"),
        ]))
    elif kind == "dims":
        fa = draw(st.sampled_from(["npy", "npz", "parquet"]))
        xa = draw(st.sampled_from([xa[:, :1], np.ones((3, uploads.MAX_DIM + draw(st.integers(1, 40))), np.float16),
                                   xa[:, 0], xa.reshape(N, da, 1)]))
        if fa == "parquet" and (xa.ndim != 2 or xa.shape[1] > uploads.MAX_DIM):
            fa = "npy"
    files.append(encode("a", fa, xa))
    files.append(encode("b", fb, xb))
    if kind == "header_dims":  # a header that declares a huge (or just wrong) shape over too few bytes
        shape = draw(st.sampled_from([(10**9, 10**5), (N, 17000), (N, da + 1), (N - 1, da), (2, 3, 4), (N * da,)]))
        raw = npy_declaring(xa, shape)
        files[0] = ("a.npy", raw) if draw(st.booleans()) else ("a.npz", _npz_member("emb", raw))
    elif kind == "truncated":
        name, raw = encode("a", draw(st.sampled_from(["npy", "npz", "parquet"])), xa)
        files[0] = (name, raw[: draw(st.integers(0, len(raw) - 1))])
    elif kind == "garbage":
        prefix = draw(st.sampled_from([b"", b"\x93NUMPY", b"PK\x03\x04", b"PAR1"]))
        suffix = draw(st.sampled_from(["npy", "npz", "parquet", "csv"]))
        junk = draw(st.one_of(st.binary(min_size=1, max_size=200), st.text(min_size=1, max_size=200).map(str.encode)))
        files[0] = (f"a.{suffix}", prefix + junk)
    elif kind == "object":
        payload = np.array([Payload(str(MARKER))] * draw(st.integers(1, 5)), dtype=object)
        ragged = np.empty(2, dtype=object)
        ragged[0], ragged[1] = xa, xb[:, :1]
        obj = draw(st.sampled_from([payload, xa.astype(object), ragged]))
        files[0] = ("a.npy", npy(obj)) if draw(st.booleans()) else ("a.npz", npz(emb=obj))
    elif kind in ("dup_ids", "ids_order", "ids_set"):
        ids = rng.permutation(10 * N)[:N]
        other = ids.copy()
        i, j = draw(st.integers(0, N - 1)), draw(st.integers(0, N - 2))
        j = j + (j >= i)
        if kind == "dup_ids":
            other[j] = other[i]
        elif kind == "ids_order":
            other[[i, j]] = other[[j, i]]
        else:
            other[i] = 10 * N + 1
        fa, fb = draw(st.sampled_from(["csv", "parquet"])), draw(st.sampled_from(["csv", "parquet"]))
        files = [encode("a", fa, xa, id=ids), encode("b", fb, xb, id=other)]
        if draw(st.booleans()):  # the same fault as a separate ids file against a space's id column
            files = [encode("a", fa, xa, id=ids), encode("b", "npy", xb), ("ids.npy", npy(other))]
    elif kind == "labels_len":
        m = draw(st.integers(1, 2 * N).filter(lambda v: v != N))
        files.append(("labels.npy", npy(rng.integers(0, 3, size=m))))
    elif kind == "labels_kind":
        files.append(("labels.npy", npy(draw(st.sampled_from([
            rng.normal(size=N), rng.integers(0, 3, size=(N, 2)), np.zeros(N, int), np.ones(N, bool),
            rng.normal(size=N).astype(np.complex64)])))))
    elif kind == "ragged_csv":
        lines = csv(xa).split(b"\n")
        row = draw(st.integers(1, N))
        cells = lines[row].split(b",")
        longer = draw(st.booleans())
        lines[row] = b",".join(cells + [b"1"] * draw(st.integers(1, 3)) if longer else cells[:-1])
        files[0] = ("a.csv", b"\n".join(lines))
    elif kind == "bad_cell":
        lines = csv(xa).split(b"\n")
        row, col = draw(st.integers(1, N)), draw(st.integers(0, da - 1))
        cells = lines[row].split(b",")
        cells[col] = draw(st.sampled_from([b"", b"abc", b"nan", b"inf", b"-inf", b"1+2j", b"True", b"0x1F", b"1e999"]))
        lines[row] = b",".join(cells)
        files[0] = ("a.csv", b"\n".join(lines))
    elif kind == "one_space":
        files = files[:1] + draw(st.sampled_from([[], [("labels.npy", npy(np.arange(N) % 2))]]))
    elif kind == "suffix":
        files[0] = (draw(st.sampled_from(["a.pkl", "a.pickle", "a.json", "a", "a.npy.exe", "a.joblib"])), files[0][1])
    elif kind == "same_name":
        files[1] = encode("a", draw(st.sampled_from([f for f in SPACE_FORMATS if f != fa])), xb)
    elif kind == "split":
        ka, kb = draw(st.integers(10, 20)), draw(st.integers(21, 30))
        files = [("a.npz", npz(anchors=xa[:ka], test=xa[ka:])), ("b.npz", npz(anchors=xb[:kb], test=xb[kb:]))]
    return kind, files


def _npz_member(key: str, raw: bytes) -> bytes:
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(f"{key}.npy", raw)
    return buf.getvalue()


MARKER = pathlib.Path(os.environ.get("TMPDIR", "/tmp")) / f"irp_upload_fuzz_marker_{os.getpid()}"


def test_generated_well_formed_uploads_are_accepted():
    """The fuzz's base uploads are valid: a refusal in the fuzz is due to its one corruption."""
    rng = np.random.default_rng(0)
    for fa in SPACE_FORMATS:
        for fb in SPACE_FORMATS:
            xa, xb = rng.normal(size=(N, 3)).astype(np.float32), rng.normal(size=(N, 5)).astype(np.float32)
            ds = uploads.build_dataset([encode("a", fa, xa), encode("b", fb, xb)])
            np.testing.assert_array_equal(np.vstack([ds.space("a").anchors, ds.space("a").test])[
                np.argsort(np.concatenate([ds.space("a").anchor_ids, ds.space("a").test_ids]))], xa)
    ids = rng.permutation(10 * N)[:N]
    uploads.build_dataset(
        [encode("a", "csv", xa, id=ids), encode("b", "parquet", xb, id=ids), ("labels.npy", npy(ids % 3))]
    )


EXAMPLES_PER_CLASS = 25  # x 21 classes = 525 malformed uploads


@pytest.mark.slow  # 525 generated uploads: about 12 s
def test_fuzz_500_malformed_uploads_all_raise_upload_error():
    seen: list[str] = []
    MARKER.unlink(missing_ok=True)

    def check(case):
        kind, files = case
        try:
            uploads.build_dataset(files)
        except uploads.UploadError as exc:
            assert type(exc) is uploads.UploadError and str(exc).strip(), kind
        else:
            raise AssertionError(f"{kind}: accepted {[f for f, _ in files]}")
        seen.append(kind)

    for kind in CORRUPTIONS:
        settings(max_examples=EXAMPLES_PER_CLASS, deadline=None, database=None, derandomize=True,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])(
            given(malformed_upload(kind))(check))()
    assert len(seen) >= 500, len(seen)
    counts = {k: seen.count(k) for k in CORRUPTIONS}
    assert min(counts.values()) >= 20, counts  # every class of corruption, well sampled
    assert not MARKER.exists()  # no pickle payload ran
