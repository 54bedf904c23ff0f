"""The translation setting every page shares, and the default encoder pair of a dataset."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

from dashboard import defaults as D


@dataclass(frozen=True)
class Settings:
    """One translation setting: what the sidebar (and the URL) holds. Hashable, small."""

    dataset: str = D.DATASET
    source: str = ""
    target: str = ""
    omega: int = D.OMEGA
    delta: float = D.DELTA
    k: int = D.K  # 0: all anchors
    seed: int = D.SEED
    center: str = D.CENTER
    whiten_floor: float = D.WHITEN_FLOOR
    ridge: float = D.RIDGE
    prune_on: str = D.PRUNE_ON
    rescale: str = D.RESCALE
    completion: bool = D.COMPLETION
    head: str = D.HEAD

    def irp_kwargs(self) -> dict[str, Any]:
        return {
            "omega": int(self.omega), "delta": float(self.delta), "random_state": int(self.seed),
            "center": self.center, "whiten_floor": float(self.whiten_floor), "ridge": float(self.ridge),
            "prune_on": self.prune_on, "rescale": self.rescale,
            "completion": bool(self.completion),
        }

    def with_pair(self, source: str, target: str) -> Settings:
        return replace(self, source=source, target=target)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# Streamlit hashes a dataclass argument of a cached function through dataclasses.asdict, ~0.2 ms
# each: with ten cached calls per rerun, ~2 ms of every slider move. A frozen Settings is equal
# exactly when its repr (every field) is, so the dashboard's caches hash that (~6 µs) instead.
BY_REPR = {Settings: repr}


def default_pair(encoders: Sequence[str]) -> tuple[str, str]:
    """The default (source, target): the dataset's first two encoders."""
    if not encoders:
        raise ValueError("dataset has no encoders")
    src = encoders[min(D.SOURCE_INDEX, len(encoders) - 1)]
    tgt = encoders[min(D.TARGET_INDEX, len(encoders) - 1)]
    return src, tgt


MetricsFn = Callable[[Settings], dict]  # a setting -> its metrics: how sweeps get (cached) cells
