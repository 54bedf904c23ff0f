"""The translation setting every page shares, derived from IRP's parameter schema, and the default
encoder pair of a dataset.

:data:`KNOBS` are IRP's parameters that have a widget (:mod:`irp_core.params`); :class:`Settings`
holds the dataset, the pair, every knob under IRP's own name, and the head. The sidebar's controls,
the presets, the pin, the URL and the caption of a setting all iterate over :data:`KNOBS`, so a new
knob is declared once, in ``irp_core/params.py`` (and ``IRP.__init__``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, field, make_dataclass, replace
from typing import Any

from dashboard import defaults
from irp_core import params

KNOBS: tuple[params.Param, ...] = tuple(p for p in params.PARAMS if p.widget)


def knob_default(p: params.Param) -> Any:
    """``p``'s default as a control holds it: IRP's, with None (e.g. "all anchors") as 0."""
    value = params.default(p.name)
    return p.value_type(p.low) if value is None else value


def knob_value(p: params.Param, value: Any) -> Any:
    """A control's value in the type and precision a setting holds (floats to 6 decimals, so a
    slider's 0.35000000000000003 is the tables' 0.35)."""
    kind = p.value_type
    if kind is float:
        return round(float(value), 6)
    if kind is int:
        return int(value or 0)
    return bool(value) if kind is bool else str(value)


def short_name(p: params.Param) -> str:
    """How a caption or a pin names the knob: its label up to the colon (``ω``, ``K``, ``centring``)."""
    return p.label.split(":")[0]


def _means_none(p: params.Param, value: Any) -> bool:
    """Whether a control's ``value`` stands for IRP's None (a number box shows None as 0)."""
    return p.allows_none and params.default(p.name) is None and not value


def shown(p: params.Param, value: Any) -> str:
    """A knob's value as a caption writes it (``0.50``, ``all anchors``, ``on``)."""
    if _means_none(p, value):
        return p.none_means or "none"
    if isinstance(value, bool):
        return "on" if value else "off"
    return p.fmt % value if p.fmt and isinstance(value, float) else str(value)


class _SettingsMethods:
    def irp_kwargs(self) -> dict[str, Any]:
        """IRP's keyword arguments for this setting (a control's 0 back to IRP's None)."""
        out = {}
        for p in KNOBS:
            value = getattr(self, p.name)
            out[p.name] = None if _means_none(p, value) else value
        return out

    def with_pair(self, source: str, target: str) -> Settings:
        return replace(self, source=source, target=target)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


Settings = make_dataclass(
    "Settings",
    [("dataset", str, field(default=defaults.DATASET)), ("source", str, field(default="")),
     ("target", str, field(default="")),
     *[(p.name, p.value_type, field(default=knob_default(p))) for p in KNOBS],
     ("head", str, field(default=defaults.HEAD))],
    bases=(_SettingsMethods,), frozen=True,
    namespace={"__doc__": "One translation setting: what the sidebar (and the URL) holds. Hashable, small.",
               "__module__": __name__},
)


# Streamlit hashes a dataclass argument of a cached function through dataclasses.asdict, ~0.2 ms
# each: with ten cached calls per rerun, ~2 ms of every slider move. A frozen Settings is equal
# exactly when its repr (every field) is, so the dashboard's caches hash that (~6 µs) instead.
BY_REPR = {Settings: repr}


def default_pair(encoders: Sequence[str]) -> tuple[str, str]:
    """The default (source, target): the dataset's first two encoders."""
    if not encoders:
        raise ValueError("dataset has no encoders")
    src = encoders[min(defaults.SOURCE_INDEX, len(encoders) - 1)]
    tgt = encoders[min(defaults.TARGET_INDEX, len(encoders) - 1)]
    return src, tgt


MetricsFn = Callable[[Settings], dict]  # a setting -> its metrics: how sweeps get (cached) cells
