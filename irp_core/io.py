"""Reading and writing embedding matrices safely: .npy, .npz, .csv, .parquet.

Never unpickles (``allow_pickle=False``); every failure is a ``ValueError`` whose message names the
file, the key and what is wrong, so the command line and the dashboard can show it as it is.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from .validation import check_embeddings

SUFFIXES = (".npy", ".npz", ".csv", ".parquet")


def split_key(spec: str) -> tuple[Path, str | None]:
    """``"file.npz:anchors"`` -> (Path("file.npz"), "anchors"); a plain path has no key."""
    head, sep, tail = spec.rpartition(":")
    if sep and head.lower().endswith(".npz") and tail:
        return Path(head), tail
    return Path(spec), None


def load_matrix(spec: str | os.PathLike, key: str | None = None, default_keys: tuple[str, ...] = ()) -> np.ndarray:
    """A finite 2-D float array from ``spec`` (``file.npz:key`` picks an array of an .npz)."""
    path, spec_key = split_key(os.fspath(spec))
    key = key or spec_key
    name = f"{path.name}:{key}" if key else path.name
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ValueError(f"{path.name}: unsupported file type {suffix or '(none)'}; use one of {', '.join(SUFFIXES)}")
    if not path.is_file():
        raise ValueError(f"{path}: no such file")
    try:
        if suffix == ".npy":
            raw = np.load(path, allow_pickle=False)
        elif suffix == ".npz":
            raw, name = _npz_array(path, key, default_keys)
        elif suffix == ".csv":
            raw = _csv_array(path)
        else:
            import pandas as pd

            raw = _frame_array(pd.read_parquet(path), path.name)
    except ValueError as err:
        message = str(err)
        if message.startswith(path.name):
            raise
        if "allow_pickle" in message:
            message = "holds Python objects; only plain numeric arrays are read"
        raise ValueError(f"{name}: {message}") from err
    except (OSError, EOFError) as err:
        raise ValueError(f"{name}: cannot be read ({err})") from err
    except Exception as err:  # malformed zip or parquet internals raise their own types
        raise ValueError(f"{name}: cannot be read ({type(err).__name__}: {err})") from err
    return check_embeddings(name, raw)


def _npz_array(path: Path, key: str | None, default_keys: tuple[str, ...]) -> tuple[np.ndarray, str]:
    with np.load(path, allow_pickle=False) as archive:
        keys = list(archive.files)
        if key is None:
            found = [k for k in default_keys if k in keys]
            if found:
                key = found[0]
            elif len(keys) == 1:
                key = keys[0]
            else:
                raise ValueError(f"{path.name}: holds {keys}; pick one with {path.name}:KEY")
        if key not in keys:
            raise ValueError(f"{path.name}: no key {key!r} (keys: {keys})")
        return archive[key], f"{path.name}:{key}"


def _csv_array(path: Path) -> np.ndarray:
    import pandas as pd

    frame = pd.read_csv(path, header=None)
    first = pd.to_numeric(frame.iloc[0], errors="coerce") if len(frame) else None
    if first is not None and first.isna().any():  # a header row
        frame = pd.read_csv(path)
    return _frame_array(frame, path.name)


def _frame_array(frame, name: str) -> np.ndarray:
    import pandas as pd

    for column in frame.columns:
        values = pd.to_numeric(frame[column], errors="coerce")
        bad = values.isna() & frame[column].notna()
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise ValueError(f"{name}: column {column!r} row {row} is not a number ({frame[column].iloc[row]!r})")
        frame[column] = values
    return frame.to_numpy(dtype=np.float64)


def save_matrix(path: str | os.PathLike, array: np.ndarray, key: str = "translated") -> None:
    """Write ``array`` as .npy, .npz (under ``key``) or .csv, chosen by the suffix."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".npy":
        np.save(path, array)
    elif suffix == ".npz":
        np.savez(path, **{key: array})
    elif suffix == ".csv":
        np.savetxt(path, array, delimiter=",", fmt="%.8g")
    else:
        raise ValueError(f"{path.name}: cannot write {suffix or '(no suffix)'}; use .npy, .npz or .csv")
