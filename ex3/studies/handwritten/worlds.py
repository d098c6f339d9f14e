"""Falsification worlds for S1, G1, G2: the page's formulas replaced by wrong ones.

* S1: the sigmoid's derivative off by a factor 1.5;
* G1: dl/du with the wrong sign;
* G2: the ReLU's slope at 0 taken as 1 (so w = 0 is no longer a fixed point).
"""

from __future__ import annotations

import functools

import numpy as np

from ex3.models import toy_numpy
from ex3.models.sigmoid import sigmoid_derivative_product
from ex3.models.toy_numpy import ToyCNNParams
from ex3.studies.contract import Verdict, World
from ex3.studies.handwritten.dead_filters import measure_g2
from ex3.studies.handwritten.gradients import measure_g1
from ex3.studies.handwritten.sigmoid_identity import measure_s1


def _off_by_a_factor(x: np.ndarray) -> np.ndarray:
    return 1.5 * sigmoid_derivative_product(x)


def _wrong_sign_du(params: ToyCNNParams, x: np.ndarray, y: np.ndarray) -> ToyCNNParams:
    g = toy_numpy.gradients(params, x, y)
    return ToyCNNParams(g.filters, -g.u)


def worlds() -> list[World]:
    relu_one = functools.partial(toy_numpy.gradients, relu_grad_at_zero=1.0)
    return [
        World("S1", "sigma' off by a factor 1.5", Verdict.NOT_REPRODUCED,
              lambda ctx: measure_s1(ctx, _off_by_a_factor)),
        World("G1", "dl/du with the wrong sign", Verdict.NOT_REPRODUCED,
              lambda ctx: measure_g1(ctx, _wrong_sign_du)),
        World("G2", "ReLU slope 1 at 0", Verdict.NOT_REPRODUCED,
              lambda ctx: measure_g2(ctx, relu_one)),
    ]
