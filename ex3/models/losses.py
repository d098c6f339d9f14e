"""Losses a run may train with instead of its model's own (``RunSpec.loss``).

The autoencoder's loss is one of the choices the report leaves open
("Loss and optimiser are not given"): it trains with binary cross-entropy
per pixel (its model table entry), and a robustness neighbour trains the
same network with the mean squared error per pixel. A run that names no
loss trains with its model's own, so this table never changes one.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def mse_per_pixel(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean squared error per pixel, averaged (Keras' ``mean_squared_error``)."""
    return F.mse_loss(pred, target.flatten(1))


#: Losses by the name a RunSpec gives.
LOSSES: dict[str, LossFn] = {"mse": mse_per_pixel}


def named_loss(name: str) -> LossFn:
    try:
        return LOSSES[name]
    except KeyError:
        raise ValueError(f"unknown loss {name!r}; known: {', '.join(LOSSES)}") from None
