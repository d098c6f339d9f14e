"""The train and test splits of an MNIST run: which images, in which shape.

Kept apart from the run cache's bookkeeping so that the cache key covers the
code that decides what a run computes (this module, the loop, seeding, the
model) and nothing else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ex3.data.mnist import MnistData
from ex3.models.registry import model_spec
from ex3.training.loop import Split

if TYPE_CHECKING:
    from ex3.training.runs import RunSpec


def splits(spec: RunSpec, data: MnistData) -> tuple[Split, Split]:
    """The train and test splits a run uses (inputs flattened for dense autoencoders)."""
    if spec.n_train is not None or spec.n_test is not None:
        data = data.subset(spec.n_train, spec.n_test, seed=spec.config.seed)
    kind = model_spec(spec.model)
    if kind.target == "inputs":
        xtr, xte = data.train_x.flatten(1), data.test_x.flatten(1)
        return Split(xtr, xtr), Split(xte, xte)
    return Split(data.train_x, data.train_y), Split(data.test_x, data.test_y)
