"""The toy CNN in numpy, with the backward pass derived by hand as on the report's page.

This is the second, independent implementation of ``ex3.models.toy.ToyCNN``:
the forward pass has the same layout (cross-correlation of the zero-padded
input with two 3-tap filters, ReLU, max-pool of width 2 and stride 2,
m = (o1 window 0, o1 window 1, o2 window 0, o2 window 1), p = u^T m), and the
gradients follow the page's chain rule step by step instead of autograd:

* p = u^T m, l = (p - y)^2, so dl/dp = 2 (p - y);
* dl/du = 2 (p - y) m and dl/dm = 2 (p - y) u;
* the max-pool routes dl/dm to the argmax position of each window of width 2
  (positions (0, 1) and (2, 3) of a filter's four outputs);
* the ReLU passes the gradient only where the pre-activation r = w^T x_{i-1:i+1}
  is > 0 (the page: do/dr = 1 if o > 0, 0 if o = 0);
* do/dw_j = x_{i-1:i+1}, the zero-padded 3-tap patch; dl/dw_j sums over the
  positions i.

Batched inputs have shape [B, 4] and the loss is the batch mean of
(p - y)^2, as ``ex3.models.toy.squared_loss``; a single sample [4] is a batch
of one. Everything is float64 so that agreement with autograd can be checked
to rounding level.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class ToyCNNParams:
    """The toy CNN's weights (or a gradient of the same shape): filters [2, 3], u [4]."""

    filters: np.ndarray
    u: np.ndarray

    def __post_init__(self) -> None:
        object.__setattr__(self, "filters", np.asarray(self.filters, dtype=np.float64))
        object.__setattr__(self, "u", np.asarray(self.u, dtype=np.float64))
        if self.filters.shape != (2, 3) or self.u.shape != (4,):
            raise ValueError(f"expected filters [2, 3] and u [4], got {self.filters.shape} "
                             f"and {self.u.shape}")

    @classmethod
    def random(cls, rng: np.random.Generator) -> ToyCNNParams:
        """N(0, 1) draws, the model's initialisation."""
        return cls(rng.standard_normal((2, 3)), rng.standard_normal(4))

    @classmethod
    def zeros(cls) -> ToyCNNParams:
        """All-zero weights."""
        return cls(np.zeros((2, 3)), np.zeros(4))


@dataclass(frozen=True, eq=False)
class Forward:
    """The forward pass with everything the backward pass reads.

    ``patches`` [B, 4 positions, 3 taps]; ``pre`` (r) and ``o`` [B, 2 filters,
    4 positions]; ``argmax`` [B, 2 filters, 2 windows], the position (0..3) that
    wins each window; ``m`` [B, 4]; ``p`` [B].
    """

    patches: np.ndarray
    pre: np.ndarray
    o: np.ndarray
    argmax: np.ndarray
    m: np.ndarray
    p: np.ndarray


def _batch(x: np.ndarray | list, y: np.ndarray | float | None = None
           ) -> tuple[np.ndarray, np.ndarray | None]:
    xb = np.atleast_2d(np.asarray(x, dtype=np.float64))
    if xb.ndim != 2 or xb.shape[1] != 4:
        raise ValueError(f"x must have shape [4] or [B, 4], got {np.shape(x)}")
    if y is None:
        return xb, None
    yb = np.atleast_1d(np.asarray(y, dtype=np.float64))
    if yb.shape != (xb.shape[0],):
        raise ValueError(f"y must have shape [{xb.shape[0]}], got {np.shape(y)}")
    return xb, yb


def patches_of(x: np.ndarray) -> np.ndarray:
    """The zero-padded 3-tap patches x_{i-1:i+1}, shape [B, 4, 3] (torch's pad + unfold)."""
    padded = np.pad(x, ((0, 0), (1, 1)))
    return np.stack([padded[:, i:i + 3] for i in range(4)], axis=1)


def forward(params: ToyCNNParams, x: np.ndarray | list) -> Forward:
    """The forward pass on a batch x [B, 4] (or one sample [4])."""
    xb, _ = _batch(x)
    patches = patches_of(xb)
    pre = np.einsum("bit,kt->bki", patches, params.filters)   # r = w_k^T x_{i-1:i+1}
    o = np.maximum(pre, 0.0)
    windows = o.reshape(xb.shape[0], 2, 2, 2)                  # [B, filter, window, 2 positions]
    inside = np.argmax(windows, axis=3)                         # first position on a tie
    argmax = 2 * np.arange(2)[None, None, :] + inside
    m = np.take_along_axis(windows, inside[..., None], axis=3)[..., 0].reshape(-1, 4)
    return Forward(patches, pre, o, argmax, m, m @ params.u)


def predict(params: ToyCNNParams, x: np.ndarray | list) -> np.ndarray:
    """p = u^T m for each sample."""
    return forward(params, x).p


def loss(params: ToyCNNParams, x: np.ndarray | list, y: np.ndarray | float) -> float:
    """The batch mean of (p - y)^2."""
    xb, yb = _batch(x, y)
    return float(np.mean((forward(params, xb).p - yb) ** 2))


def gradients(params: ToyCNNParams, x: np.ndarray | list, y: np.ndarray | float,
              relu_grad_at_zero: float = 0.0) -> ToyCNNParams:
    """dl/dfilters and dl/du of the batch-mean squared loss, by the page's chain rule.

    ``relu_grad_at_zero`` is the value taken for dReLU/dr at r = 0 exactly. The
    page (and torch) take 0; another choice is a different, equally valid
    subgradient, exposed because claim G2 rests on it: with w = 0 every r is 0.
    """
    xb, yb = _batch(x, y)
    fw = forward(params, xb)
    batch = xb.shape[0]
    dl_dp = 2.0 * (fw.p - yb) / batch                        # [B]; 1/B from the batch mean
    dl_du = dl_dp @ fw.m                                      # sum_b 2 (p - y) m / B
    dl_dm = (dl_dp[:, None] * params.u[None, :]).reshape(batch, 2, 2)  # [B, filter, window]
    dl_do = np.zeros_like(fw.o)                               # [B, filter, position]
    np.put_along_axis(dl_do, fw.argmax, dl_dm, axis=2)        # the max routes to its argmax
    relu_grad = np.where(fw.pre > 0, 1.0, np.where(fw.pre == 0, relu_grad_at_zero, 0.0))
    dl_dr = dl_do * relu_grad
    dl_dw = np.einsum("bki,bit->kt", dl_dr, fw.patches)       # do/dw = x_{i-1:i+1}, sum over i
    return ToyCNNParams(dl_dw, dl_du)


GradientFn = Callable[[ToyCNNParams, np.ndarray, np.ndarray], ToyCNNParams]


def sgd_step(params: ToyCNNParams, x: np.ndarray | list, y: np.ndarray | float, lr: float,
             gradient_fn: GradientFn = gradients) -> ToyCNNParams:
    """One step of gradient descent, theta - lr * dl/dtheta (the page's w = w - lambda dl/dw).

    ``gradient_fn`` lets a study run the same descent with another derivation
    (a deliberately wrong one, to show the check can fail).
    """
    xb, yb = _batch(x, y)
    g = gradient_fn(params, xb, yb)
    return ToyCNNParams(params.filters - lr * g.filters, params.u - lr * g.u)


def tie_margin(params: ToyCNNParams, x: np.ndarray | list) -> float:
    """How far the batch is from a kink: the smallest |r| and max-pool gap that matter.

    The loss is not differentiable where a pre-activation is exactly 0 or where
    the two outputs of a window tie at a positive value; there the hand
    derivation and autograd may pick different subgradients. Ties between two
    zero outputs do not count: the ReLU blocks both. Returns +inf when nothing
    is near a kink.
    """
    fw = forward(params, x)
    kink = float(np.min(np.abs(fw.pre)))
    windows = fw.o.reshape(fw.o.shape[0], 2, 2, 2)
    gap = np.abs(windows[..., 0] - windows[..., 1])
    live = windows.max(axis=3) > 0
    pool = float(np.min(gap[live])) if live.any() else np.inf
    return min(kink, pool)
