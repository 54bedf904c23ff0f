"""Shipped embedding cache (data files) and the code that rebuilds it (``python -m cached_embeddings.builder``)."""
