"""Command line: ``python -m irp_core translate|evaluate|sweep ...``.

IRP without the dashboard, for scripts. Bad input ends with exit status 2 and one line on stderr
naming the problem, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path

from . import IRP, params
from .io import load_matrix, save_matrix
from .scoring import score_pair
from .sweep_cli import add_parser as add_sweep_parser
from .sweep_cli import read_labels


class _DeprecatedAlias(argparse.Action):
    """Stores like the option it aliases, with a deprecation warning (shown on stderr at the end)."""

    def __call__(self, parser, namespace, values, option_string=None):
        warnings.warn(f"{option_string} is deprecated; use {self.option_strings[0]}", FutureWarning, stacklevel=2)
        setattr(namespace, self.dest, values)


ALIASES = {"random_state": ("--seed",)}  # deprecated spellings, still read


def _irp_options(parser: argparse.ArgumentParser) -> None:
    """The method's options, from :mod:`irp_core.params` (one per parameter with ``cli=True``); every
    default is ``IRP()``'s, so it is written once, in the estimator."""
    defaults = IRP().get_params()
    group = parser.add_argument_group("IRP options")
    for p in params.PARAMS:
        if not p.cli:
            continue
        default = defaults[p.name]
        if p.value_type is bool:
            group.add_argument(p.flag, action="store_true", default=default, help=p.help.replace("%", "%%"))
            continue
        kwargs = {"choices": p.options} if p.options else {"type": p.value_type}
        text = p.help.replace("%", "%%")  # argparse formats help with %
        if default is None and p.none_means:
            help_text = f"{text} (default: {p.none_means})"
        else:
            help_text = f"{text} (default %(default)s)"
        group.add_argument(p.flag, dest=p.name, default=default, help=help_text, **kwargs)
        for alias in ALIASES.get(p.name, ()):
            group.add_argument(alias, dest=p.name, default=default, action=_DeprecatedAlias,
                               help=f"deprecated alias of {p.flag}", **kwargs)


# IRP's parameters that the command line sets (the rest, e.g. rtol, keep IRP's defaults)
CLI_PARAMS = tuple(p.name for p in params.PARAMS if p.cli)


def _build_irp(args: argparse.Namespace) -> IRP:
    return IRP(**{name: getattr(args, name) for name in CLI_PARAMS})


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m irp_core", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)
    files = "(.npy, .npz [file.npz:KEY], .csv or .parquet)"

    t = sub.add_parser("translate", help="translate source vectors into the target space")
    t.add_argument("--source-anchors", required=True, help=f"source space anchors {files}")
    t.add_argument("--target-anchors", required=True, help=f"target space anchors, same rows {files}")
    t.add_argument("--input", required=True, help=f"source vectors to translate {files}; .npy to .npy is "
                   "streamed in chunks (bounded memory, any size)")
    t.add_argument("--output", required=True, help="where to write the translation (.npy, .npz or .csv)")
    _irp_options(t)

    e = sub.add_parser("evaluate", help="translate a test set and print metrics against the true targets")
    e.add_argument("--source-anchors", required=True)
    e.add_argument("--target-anchors", required=True)
    e.add_argument("--source-test", required=True, help="source embeddings of the test items")
    e.add_argument("--target-test", required=True, help="target embeddings of the same items, same rows")
    e.add_argument("--labels", help="test labels (.npy/.csv, one integer per row) for stitching accuracy")
    e.add_argument("--head", help="target-space classifier head (.npz from irp_core.heads)")
    e.add_argument("--json", action="store_true", help="print the metrics as JSON")
    _irp_options(e)
    add_sweep_parser(sub)
    return p


# what ``evaluate`` prints, in this order (names as in irp_core.scoring.METRICS)
EVALUATE_METRICS = ("recon", "recon_centred", "retrieval_top1", "kept_mean", "cond_mean", "cond_full",
                    "zero_shot", "non_stitch")


def run(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command == "sweep":
        from . import sweep_cli

        return sweep_cli.run(args)
    anchor_keys = ("anchors",)
    source_anchors = load_matrix(args.source_anchors, default_keys=anchor_keys)
    target_anchors = load_matrix(args.target_anchors, default_keys=anchor_keys)
    if args.command == "translate":
        irp = _build_irp(args).fit(source_anchors, target_anchors)
        if Path(args.input).suffix.lower() == ".npy" and Path(args.output).suffix.lower() == ".npy":
            from .chunked import translate_npy

            n, d = translate_npy(irp, args.input, args.output)  # in bounded memory, with a progress bar
            print(f"translated {n} vectors into {d} dims -> {args.output}")
            return 0
        translated = irp.transform(load_matrix(args.input, default_keys=("test",)))
        save_matrix(args.output, translated)
        print(f"translated {translated.shape[0]} vectors into {translated.shape[1]} dims -> {args.output}")
        return 0

    source_test = load_matrix(args.source_test, default_keys=("test",))
    target_test = load_matrix(args.target_test, default_keys=("test",))
    if source_test.shape[0] != target_test.shape[0]:
        raise ValueError(
            f"source test has {source_test.shape[0]} rows but target test has {target_test.shape[0]}: "
            "they must be the same items"
        )
    head = labels = None
    if args.head or args.labels:
        if not (args.head and args.labels):
            raise ValueError("stitching accuracy needs both --head and --labels")
        from .heads import load_head

        head = load_head(args.head)
        labels = read_labels(args.labels, source_test.shape[0])
    score = score_pair(_build_irp(args), source_anchors, target_anchors, source_test, target_test,
                       labels=labels, head=head, absolute=False, cond_full=True)
    result = {key: score.metrics[key] for key in EVALUATE_METRICS if key in score.metrics}
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for key, value in result.items():
            print(f"{key:36s} {value:.4f}")
    return 0


def main(argv: list[str] | None = None) -> int:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            status = run(argv)
        except (ValueError, OSError) as err:
            print(f"error: {err}", file=sys.stderr)
            status = 2
        except MemoryError:
            print("error: out of memory; translate a .npy input into a .npy output to work in chunks",
                  file=sys.stderr)
            status = 2
    for warning in caught:
        print(f"warning: {warning.message}", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
