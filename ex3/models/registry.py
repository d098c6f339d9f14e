"""Every trainable model by name, with its loss and whether it classifies.

Claims and benchmarks ask for a model by name, so there is one definition of
each model in the project.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch.nn.functional as F
from torch import nn

from ex3.models import mnist
from ex3.models.losses import LossFn


@dataclass(frozen=True)
class ModelSpec:
    """How to build a model and what it is trained on."""

    build: Callable[[], nn.Module]
    loss: LossFn
    classify: bool
    target: str  # "labels" (classifiers) or "inputs" (autoencoders)


def _autoencoders() -> dict[str, ModelSpec]:
    try:
        from ex3.models import autoencoder
    except ImportError:
        return {}
    return {name: ModelSpec(build, autoencoder.reconstruction_loss, False, "inputs")
            for name, build in autoencoder.BUILDERS.items()}


MODELS: dict[str, ModelSpec] = {
    "linear": ModelSpec(mnist.mnist_linear, F.cross_entropy, True, "labels"),
    "mlp": ModelSpec(mnist.mnist_mlp, F.cross_entropy, True, "labels"),
    "convnet": ModelSpec(mnist.lenet, F.cross_entropy, True, "labels"),
    **_autoencoders(),
}


def model_spec(name: str) -> ModelSpec:
    try:
        return MODELS[name]
    except KeyError:
        raise ValueError(f"unknown model {name!r}; known: {', '.join(MODELS)}") from None
