"""How many intra-op threads training uses, and a block run under a given count.

Training and ``evaluate`` run on one intra-op thread unless ``EX3_THREADS``
(read by ``ex3.config``) says otherwise; see ``ex3.training.loop`` for why.
This module is part of the run cache key (``ex3.training.cache``), so a change
of the default retrains every cached run.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import torch

from ex3.config import threads_from_env

#: Intra-op threads when ``EX3_THREADS`` is unset.
DEFAULT_THREADS = 1


def train_threads() -> int:
    """The intra-op threads training uses: ``EX3_THREADS``, else :data:`DEFAULT_THREADS`."""
    threads = threads_from_env()
    return DEFAULT_THREADS if threads is None else threads


@contextlib.contextmanager
def intra_op_threads(threads: int | None) -> Iterator[None]:
    """Run a block with ``threads`` torch intra-op threads (None: unchanged), then restore."""
    before = torch.get_num_threads()
    if threads is not None and threads != before:
        torch.set_num_threads(threads)
    try:
        yield
    finally:
        if torch.get_num_threads() != before:
            torch.set_num_threads(before)
