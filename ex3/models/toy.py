"""The two models of the toy experiment, in torch.

``ToyLinear``: p = w^T x, no bias. ``ToyCNN``: two 3-tap filters applied as a
1-D convolution (cross-correlation, as the handwritten page writes
w^T x_{i-1:i+1}) with zero padding, ReLU, max-pooling of width 2 and stride 2
over each filter's 4 outputs, then p = u^T m with
m = (max o1[0:2], max o1[2:4], max o2[0:2], max o2[2:4]). No biases. The
linear model starts at w = 0 (the assignment's template); the CNN's filters
and u from N(0, 1) (the template leaves it to the student; N(0, 1) is the
common choice, and a CNN started at zero never moves: see claim G2).
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn


class ToyLinear(nn.Module):
    """p = w^T x, started at w = 0 as the assignment's ``learn_linear`` template does.

    ``init_scale`` > 0 starts it from ``init_scale`` x N(0, 1) instead: a
    neighbouring choice (robustness) and the far start of a falsification world.
    """

    def __init__(self, init_scale: float = 0.0) -> None:
        super().__init__()
        start = torch.randn(4) * init_scale if init_scale else torch.zeros(4)
        self.w = nn.Parameter(start)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x @ self.w


def toy_cnn_features(x: torch.Tensor, filters: torch.Tensor, relu: bool = True) -> torch.Tensor:
    """The pooled feature vector m of the toy CNN, shape [batch, 4].

    ``filters`` has shape [2, 3]; ``x`` shape [batch, 4]. ``relu=False``
    removes the non-linearity (a falsification world, not the report's model).
    """
    patches = F.pad(x, (1, 1)).unfold(1, 3, 1)           # [B, 4 positions, 3 taps]
    o = patches @ filters.T                               # [B, 4 positions, 2 filters]
    if relu:
        o = torch.relu(o)
    pooled = o.reshape(x.shape[0], 2, 2, 2).amax(dim=2)    # [B, 2 windows, 2 filters]
    return pooled.transpose(1, 2).reshape(x.shape[0], 4)  # (o1 w0, o1 w1, o2 w0, o2 w1)


class ToyCNN(nn.Module):
    """Two 3-tap filters, ReLU, max-pool 2/2, linear read-out u."""

    def __init__(self, relu: bool = True) -> None:
        super().__init__()
        self.filters = nn.Parameter(torch.randn(2, 3))
        self.u = nn.Parameter(torch.randn(4))
        self.relu = relu

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return toy_cnn_features(x, self.filters, self.relu) @ self.u


def squared_loss(p: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """The mean of (p - y)^2 over the batch, the report's loss."""
    return ((p - y) ** 2).mean()


#: The toy models by name. "linear" and "cnn" are the report's; the others
#: exist only to build falsification worlds (a CNN without its ReLU, a linear
#: model started far from the solution) or a neighbouring choice (the
#: linear model started from N(0, 1)).
TOY_MODELS: dict[str, Callable[[], nn.Module]] = {
    "linear": ToyLinear,
    "cnn": ToyCNN,
    "cnn_no_relu": lambda: ToyCNN(relu=False),
    "linear_normal": lambda: ToyLinear(init_scale=1.0),
    "linear_far": lambda: ToyLinear(init_scale=30.0),
}
