"""The toy regression data of the report's first experiment.

Inputs x in R^4 with coordinates uniform on [-2.5, 2.5]; a random matrix
W = 4 (U[0,1]^{4x4} - 0.5); targets y0 = sum(xW), y1 = max_i x_i,
y2 = logsumexp(xW), each with 1% multiplicative Gaussian noise. Everything is
drawn from one numpy Generator seeded by ``seed``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import logsumexp

FUNCTIONS = ("y0", "y1", "y2")


@dataclass(frozen=True, eq=False)
class ToyData:
    """Train and test inputs with the three targets, float64 numpy arrays."""

    w: np.ndarray
    x_train: np.ndarray
    x_test: np.ndarray
    y_train: dict[str, np.ndarray]
    y_test: dict[str, np.ndarray]


def targets(x: np.ndarray, w: np.ndarray) -> dict[str, np.ndarray]:
    """The three noiseless target functions of ``x`` (rows are points)."""
    xw = x @ w
    return {"y0": xw.sum(axis=1), "y1": x.max(axis=1), "y2": logsumexp(xw, axis=1)}


def make_toy_data(seed: int, n_train: int = 1000, n_test: int = 200,
                  noise: float = 0.01) -> ToyData:
    """Draw W, inputs and noisy targets from ``seed``."""
    if n_train < 1 or n_test < 1:
        raise ValueError("n_train and n_test must be positive")
    rng = np.random.default_rng(seed)
    w = 4.0 * (rng.uniform(0.0, 1.0, size=(4, 4)) - 0.5)
    x_train = rng.uniform(-2.5, 2.5, size=(n_train, 4))
    x_test = rng.uniform(-2.5, 2.5, size=(n_test, 4))

    def noisy(x: np.ndarray) -> dict[str, np.ndarray]:
        return {k: v * (1.0 + noise * rng.standard_normal(v.shape))
                for k, v in targets(x, w).items()}

    return ToyData(w, x_train, x_test, noisy(x_train), noisy(x_test))
