"""IRP's parameters, declared once: what each accepts, and how a UI or the command line presents it.

Each :class:`Param` carries scikit-learn's constraint list for the parameter (``IRP`` derives its
``_parameter_constraints`` from them and validates with ``_validate_params``), a short label and
one sentence of help, and, for a UI, the widget and its range. The defaults are *not* here: they are
written once, in :class:`irp_core.IRP`'s signature (scikit-learn requires them there);
:func:`defaults` reads them from it.

>>> [p.name for p in PARAMS if p.widget and not p.advanced]
['omega', 'delta', 'center', 'ridge']
>>> options("center")
('whiten', 'anchor_mean', 'none')
>>> param("delta").low, param("delta").high, param("delta").step
(0.0, 0.95, 0.05)
>>> param("random_state").flag, param("n_anchors").value_type.__name__
('--random-state', 'int')
"""

from __future__ import annotations

import functools
import inspect
from dataclasses import dataclass
from numbers import Integral, Real
from typing import Any

from sklearn.utils._param_validation import Interval, StrOptions, validate_parameter_constraints

WIDGETS = ("slider", "select", "number", "checkbox")


class Choices(StrOptions):
    """scikit-learn's ``StrOptions`` that also keeps its options in the order they are declared
    (``StrOptions`` holds a set): the order a UI lists them in."""

    def __init__(self, *choices: str) -> None:
        super().__init__(set(choices))
        self.ordered = tuple(choices)


@dataclass(frozen=True)
class Param:
    """One parameter of :class:`irp_core.IRP`.

    ``constraints`` is scikit-learn's constraint list (``Interval``, ``StrOptions`` (here
    :class:`Choices`), ``"boolean"``, ``None`` for "None allowed"). ``widget`` is how a UI shows it
    (one of :data:`WIDGETS`; None: not shown), with ``low``/``high``/``step`` its range and ``fmt``
    a printf format; ``advanced`` puts it under an "advanced" expander. Where the parameter accepts
    None, a number widget shows None as ``low`` (0), and ``none_means`` says what None does.
    ``cli``: offered on the command line, as :attr:`flag`.
    """

    name: str
    constraints: tuple
    label: str
    help: str
    widget: str | None = None
    low: float | None = None
    high: float | None = None
    step: float | None = None
    fmt: str | None = None
    advanced: bool = False
    cli: bool = True
    none_means: str | None = None

    @property
    def flag(self) -> str:
        """The command line option: ``--random-state`` for ``random_state``."""
        return "--" + self.name.replace("_", "-")

    @property
    def value_type(self) -> type:
        """The Python type of a value (None aside): int, float, str or bool."""
        for c in self.constraints:
            if c == "boolean":
                return bool
            if isinstance(c, StrOptions):
                return str
            if isinstance(c, Interval):
                return int if c.type is Integral else float
        raise TypeError(f"{self.name}: no value type in {self.constraints}")  # pragma: no cover

    @property
    def options(self) -> tuple[str, ...]:
        """The choices of a :class:`Choices` parameter, in their declared order; () otherwise."""
        return next((c.ordered for c in self.constraints if isinstance(c, Choices)), ())

    @property
    def allows_none(self) -> bool:
        return None in self.constraints


def _positive_int() -> Interval:
    return Interval(Integral, 1, None, closed="left")


def _non_negative() -> Interval:
    return Interval(Real, 0, None, closed="left")


PARAMS: tuple[Param, ...] = (
    Param("omega", (_positive_int(),), "ω: anchor subspaces",
          "number of seeded prunings whose decodings are averaged",
          widget="slider", low=1, high=32, step=1),
    Param("delta", (Interval(Real, 0, 1, closed="left"),), "δ: pruning threshold",
          "kept anchors satisfy |cos| ≤ 1 − δ: higher δ, fewer anchors",
          widget="slider", low=0.0, high=0.95, step=0.05, fmt="%.2f"),
    Param("random_state", (Interval(Integral, 0, None, closed="left"),), "seed",
          "seeds the pruning starts and the anchor subsample (an int: fits are reproducible and memoised)",
          widget="number", low=0, high=100000, step=1, advanced=True),
    Param("center", (Choices("whiten", "anchor_mean", "none"),), "centring",
          "whiten: each side centred and whitened in its own anchors' principal axes before cosines "
          "(the default); anchor_mean: centred only; none: raw cosines, the paper as written",
          widget="select"),
    Param("prune_on", (Choices("source", "target", "both"),), "prune on",
          "which side's anchors the pruning looks at (both: a pair is close when close in either "
          "space); the indices found are used on both sides",
          widget="select", advanced=True),
    Param("rescale", (Choices("anchor_mean_norm", "anchor_median_norm", "none"),), "rescale",
          "target scale statistic of the output: mean or median norm of the centred target anchors, "
          "or none (unit-scale, centred output)",
          widget="select", advanced=True),
    Param("completion", ("boolean",), "anchor completion",
          "recover the directions a pruned subset cannot reach from the full anchor set (docs/METHOD.md)",
          widget="checkbox", advanced=True),
    Param("n_anchors", (_positive_int(), None), "K: anchors used",
          "a seeded subsample of this many anchor rows (irp_core.anchor_rows)",
          widget="number", low=0, step=50, advanced=True, none_means="all anchors"),
    Param("max_kept", (_positive_int(), None), "max anchors kept per subspace",
          "cap on the anchors each pruning keeps", none_means="only δ decides"),
    Param("whiten_floor", (_non_negative(),), "whitening variance floor",
          "added to every principal variance, as a fraction of the largest (used with centring = whiten)",
          widget="number", low=0.0, high=1.0, step=0.001, fmt="%.4f", advanced=True),
    Param("ridge", (_non_negative(),), "ridge: decoding damping",
          "Tikhonov damping of the pseudo-inverse, as a fraction of the largest eigenvalue of the "
          "target anchors' Gram matrix; 0 is the plain pseudo-inverse",
          widget="slider", low=0.0, high=2.0, step=0.05, fmt="%.2f"),
    Param("rtol", (Interval(Real, 0, 1, closed="neither"),), "pseudo-inverse tolerance",
          "relative tolerance of the float64 pseudo-inverse: singular values below rtol × s_max count as zero",
          cli=False),
)

_BY_NAME = {p.name: p for p in PARAMS}
NAMES: tuple[str, ...] = tuple(_BY_NAME)


def param(name: str) -> Param:
    """The :class:`Param` called ``name`` (KeyError naming the known ones otherwise)."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise KeyError(f"{name!r} is not an IRP parameter (one of {', '.join(NAMES)})") from None


def options(name: str) -> tuple[str, ...]:
    """The choices of a string-option parameter, in a stable (declared) order."""
    found = param(name).options
    if not found:
        raise ValueError(f"{name} is not a string-option parameter")
    return found


def constraints() -> dict[str, list]:
    """``{name: constraint list}``: scikit-learn's ``_parameter_constraints`` of IRP."""
    return {p.name: list(p.constraints) for p in PARAMS}


def defaults() -> dict[str, Any]:
    """IRP's defaults, read from its signature (where they are written); a fresh dict each call."""
    return dict(_signature_defaults())


@functools.cache
def _signature_defaults() -> dict[str, Any]:
    """Read once: the dashboard asks for a knob's default several times per rerun."""
    from .translator import IRP

    signature = inspect.signature(IRP.__init__)
    return {name: signature.parameters[name].default for name in NAMES}


def default(name: str) -> Any:
    """IRP's default for ``name``."""
    param(name)
    return _signature_defaults()[name]


def resolve(given: dict[str, Any], caller: str = "translation_map") -> dict[str, Any]:
    """IRP's defaults updated with ``given``, validated: TypeError for an unknown name, scikit-learn's
    ``InvalidParameterError`` (a ValueError) naming the parameter for a bad value."""
    unknown = sorted(set(given) - set(NAMES))
    if unknown:
        raise TypeError(f"{caller}() got unexpected keyword argument(s) {', '.join(unknown)}; IRP's "
                        f"parameters are {', '.join(NAMES)}")
    values = {**defaults(), **given}
    validate_parameter_constraints(constraints(), values, caller_name=caller)
    return values
