"""The MNIST data a run context asks for, loaded once per process."""

from __future__ import annotations

from ex3.data.mnist import MnistData, load_mnist
from ex3.engine.claim import RunContext


def data_for(ctx: RunContext) -> MnistData:
    """MNIST from the context's source (``load_mnist`` caches the decoded tensors)."""
    return load_mnist(ctx.data_dir, download=ctx.download, origin=ctx.data_origin)


def seeds_for(ctx: RunContext, default: int) -> tuple[int, ...]:
    """The seeds of a study: ``default`` of them (or ``ctx.seeds``), shifted by the master seed."""
    return tuple(ctx.master_seed * 1000 + s for s in range(ctx.seeds or default))
