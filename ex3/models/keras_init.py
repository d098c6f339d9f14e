"""Keras' default initialisation, which the report's Keras code used.

``Dense`` and ``Conv2D`` layers start with Glorot-uniform kernels and zero
biases in Keras; torch's layers start otherwise (Kaiming-uniform with a
fan-in bias). CLAIMS.md counts Keras' defaults as part of the report's
protocol, so every MNIST model here starts the Keras way.
"""

from __future__ import annotations

from torch import nn


def keras_init_(model: nn.Module) -> nn.Module:
    """Glorot-uniform weights and zero biases for every dense and conv layer, in place."""
    for module in model.modules():
        if isinstance(module, nn.Linear | nn.Conv2d):
            nn.init.xavier_uniform_(module.weight)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
    return model
