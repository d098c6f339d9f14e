"""The MNIST data a run context asks for, loaded once per process."""

from __future__ import annotations

from ex3.data.mnist import MnistData, load_mnist
from ex3.studies.contract import RunContext, study_seeds


def data_for(ctx: RunContext) -> MnistData:
    """MNIST from the context's source (``load_mnist`` caches the decoded tensors)."""
    return load_mnist(ctx.data_dir, download=ctx.download, origin=ctx.data_origin)


def seeds_for(ctx: RunContext, default: int) -> tuple[int, ...]:
    """The seeds of a study (``ex3.studies.contract.study_seeds``)."""
    return study_seeds(ctx, default)
