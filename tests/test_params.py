"""irp_core.params: IRP's parameters declared once, and everything that presents them derived from it."""

from __future__ import annotations

import inspect
from dataclasses import fields

import pytest

from irp_core import IRP, params


def test_every_irp_parameter_has_exactly_one_schema_entry_and_vice_versa():
    signature = [name for name in inspect.signature(IRP.__init__).parameters if name != "self"]
    declared = [p.name for p in params.PARAMS]
    assert sorted(declared) == sorted(signature)
    assert len(set(declared)) == len(declared)
    assert set(IRP._parameter_constraints) == set(signature)


def test_the_schema_does_not_restate_the_defaults():
    assert "default" not in {f.name for f in fields(params.Param)}
    assert params.defaults() == IRP().get_params()
    assert params.default("ridge") == IRP().ridge


def test_constraints_are_the_estimators_and_options_keep_their_order():
    from irp_core import relative, translator

    for p in params.PARAMS:
        assert IRP._parameter_constraints[p.name] == list(p.constraints)
    assert params.options("center") == ("whiten", "anchor_mean", "none")
    assert translator.CENTER_OPTIONS is relative.CENTER_OPTIONS is params.options("center")
    assert translator.PRUNE_ON_OPTIONS == params.options("prune_on") == ("source", "target", "both")
    assert translator.RESCALE_OPTIONS == params.options("rescale")
    for p in params.PARAMS:  # every default satisfies its own constraints, and is among the options
        params.resolve({p.name: params.default(p.name)})
        if p.options:
            assert params.default(p.name) in p.options
    with pytest.raises(ValueError, match="not a string-option"):
        params.options("omega")
    with pytest.raises(KeyError, match="seed"):
        params.param("seed")


def test_what_a_ui_needs_is_there():
    for p in params.PARAMS:
        assert p.label and p.help and p.widget in (*params.WIDGETS, None)
        if p.widget == "slider":
            assert None not in (p.low, p.high, p.step) and p.low < p.high
            assert p.low <= params.default(p.name) <= p.high
        if p.widget == "select":
            assert p.options
        if p.widget == "checkbox":
            assert p.value_type is bool
        if p.allows_none:
            assert p.none_means
    # the dashboard's ranges, as its sidebar draws them today
    assert (params.param("omega").low, params.param("omega").high) == (1, 32)
    assert (params.param("delta").low, params.param("delta").high, params.param("delta").step) == (0.0, 0.95, 0.05)
    assert (params.param("ridge").low, params.param("ridge").high, params.param("ridge").step) == (0.0, 2.0, 0.05)
    main = [p.name for p in params.PARAMS if p.widget and not p.advanced]
    assert main == ["omega", "delta", "center", "ridge"]


def test_the_command_line_offers_the_schema():
    from irp_core.__main__ import CLI_PARAMS, parser

    assert CLI_PARAMS == tuple(p.name for p in params.PARAMS if p.cli) and "rtol" not in CLI_PARAMS
    required = ["--source-anchors", "a.npy", "--target-anchors", "b.npy", "--input", "x.npy", "--output", "y.npy"]
    args = parser().parse_args(["translate", *required, "--random-state", "3", "--prune-on", "both"])
    assert args.random_state == 3 and args.prune_on == "both"
    with pytest.warns(FutureWarning, match="--seed is deprecated"):
        assert parser().parse_args(["translate", *required, "--seed", "4"]).random_state == 4
