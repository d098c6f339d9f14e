"""Stratified subsets of a split: which images a subset of a given size keeps.

What a subset picks decides what every run on it computes, so the draw lives
in one place and is covered by its own tests.
"""

from __future__ import annotations

import numpy as np
import torch

from ex3.config import DATA_DIR_ENV
from ex3.errors import DataError, UsageError


def normalise_count(n: int | None, available: int, split: str, kind: str,
                    source: str) -> int | None:
    """Validate a requested subset size; ``None`` means the whole split.

    ``kind`` and ``source`` describe the data the subset is taken from, for the message.
    """
    if n is None:
        return None
    if isinstance(n, bool) or not isinstance(n, int) or n <= 0:
        raise UsageError(
            f"subset size for the {split} split must be a positive integer, not {n!r}."
        )
    if n == available:
        return None
    if n > available:
        hint = (
            f"point {DATA_DIR_ENV} at the official MNIST files or load with download=True "
            "to get the full data"
            if kind == "sample"
            else f"ask for at most {available:,}"
        )
        raise DataError(
            f"A subset of {n:,} {split} images was requested but the data ({source}) holds "
            f"only {available:,}; {hint}."
        )
    return n


def stratified_indices(labels: np.ndarray, n: int, rng: np.random.Generator) -> torch.Tensor:
    """Pick ``n`` indices so each class gets its proportional share (largest remainder)."""
    total = len(labels)
    classes, counts = np.unique(labels, return_counts=True)
    quota = [n * int(c) // total for c in counts]
    remainders = [n * int(c) % total for c in counts]
    short = n - sum(quota)
    # Ties in the remainder go to the lower class, so the allocation is deterministic.
    for i in sorted(range(len(classes)), key=lambda i: (-remainders[i], i))[:short]:
        quota[i] += 1
    picked = [
        rng.permutation(np.flatnonzero(labels == cls))[:q]
        for cls, q in zip(classes, quota, strict=True)
    ]
    return torch.from_numpy(np.sort(np.concatenate(picked)).astype(np.int64))
