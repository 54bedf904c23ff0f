"""Shipped embedding cache: the data files (one folder per dataset, ``manifest.json``) and the code
that rebuilds them. It imports nothing from ``dashboard/``; the experiments on it are in ``experiments/``.

- ``builder``: rebuilds the cache (``python -m cached_embeddings.builder``): sources, encoders, pipeline, manifest
"""
