"""Experiments on the shipped embedding cache; each writes or prints what a page of ``docs/`` shows.

- ``ablation``: one IRP knob at a time against the defaults (``python -m experiments.ablation``; docs/ABLATION.md)
- ``measure``: IRP on every ordered pair of a dataset, the data card's tables (``python -m experiments.measure``)
- ``cross_modal``: image <-> text stitching on the emoji (``python -m experiments.cross_modal``; docs/CROSS_MODAL.md)
"""
