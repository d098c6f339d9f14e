"""The declared targets of the convergence benchmarks, in one place, before any measurement.

Every model of the report gets one target on a held-out metric, read at a
fixed, stated interval of training steps; time-to-target is the training
time (evaluation excluded, as in MLPerf) until the first record that meets
it. A target a model does not meet within its step budget is reported as
"not reached", never timed as if it had been.

* toy models (``ex3.studies.toy``'s declared protocol: SGD lr 0.01, batch 32,
  1,000 / 200 points per seed): test NMSE <= 0.01, the studies' "near zero"
  (``ex3.studies.toy.judge.NEAR_ZERO``), read every epoch (32 steps), at most
  the study's 100 epochs, one thread (as the study runs);
* MNIST classifiers (``ex3.studies.mnist``'s protocol: Adam lr 1e-3, batch
  32, all 60,000 training images): test accuracy on all 10,000 test
  images >= 92% (linear; the report's M1), 97% (MLP) and 98% (convnet),
  read every 100 steps;
* the autoencoder (``ex3.models.autoencoder``, BCE, Adam lr 1e-3, batch 256):
  test reconstruction error (mean squared error per pixel) below
  that of a 2-component PCA fit on the same training images, read every 50
  steps.

Short mode (the default; CI) keeps the same targets and intervals but caps
the step budgets (MNIST: the quick profile's 3 epochs for the classifiers;
autoencoder: a 10,000-image training subset, as the quick profile of its
study, and 10 epochs); full mode (``--ex3-bench-full``) uses the studies' full budgets
(10 epochs for the classifiers; 50 epochs of all 60,000 images for the
autoencoder).

Every target is measured for each of ``GATE_SEEDS``: one seed's steps to a
target move with the rounding of the CPU's kernels (a record an interval or
a few hundred steps later on another machine), so the regression gate
(``ex3.bench.gate``) compares the median over the seeds, with a tolerance
from their spread. Only the first seed (``TOY_SEED``, ``MNIST_SEED``,
``AUTOENCODER_SEED``; the peers' seed too) is timed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ex3.data.toy import FUNCTIONS
from ex3.studies.toy.judge import NEAR_ZERO

Mode = Literal["short", "full"]
MODES: tuple[Mode, ...] = ("short", "full")


@dataclass(frozen=True)
class Target:
    """A held-out metric threshold, read every ``interval_steps`` training steps.

    ``higher_is_better`` says which side of ``threshold`` meets the target
    (accuracy: at or above; errors: at or below, or strictly below when
    ``strict``).
    """

    name: str
    metric: str
    threshold: float
    higher_is_better: bool
    interval_steps: int | None  # None: every epoch
    strict: bool = False

    def met(self, value: float | None) -> bool:
        """Whether a measured value meets the target (a missing or NaN value never does)."""
        if value is None or value != value:
            return False
        if self.higher_is_better:
            return value > self.threshold if self.strict else value >= self.threshold
        return value < self.threshold if self.strict else value <= self.threshold

    def describe(self) -> str:
        side = (">" if self.strict else ">=") if self.higher_is_better else \
            ("<" if self.strict else "<=")
        every = f"every {self.interval_steps} steps" if self.interval_steps else "every epoch"
        return f"{self.metric} {side} {self.threshold:g}, read {every}"


# --------------------------------------------------------------------------- seeds

#: The seeds every gated target is measured with; an odd count keeps the median one of them.
GATE_SEEDS: tuple[int, ...] = (0, 1, 2)

# --------------------------------------------------------------------------- toy

TOY_MODELS = ("linear", "cnn")
TOY_SEEDS: tuple[int, ...] = GATE_SEEDS
TOY_SEED = TOY_SEEDS[0]


def toy_target(model: str, function: str) -> Target:
    """Test NMSE <= NEAR_ZERO for one toy model on one function, read every epoch."""
    return Target(f"toy/{model}/{function}", "test_nmse", NEAR_ZERO, higher_is_better=False,
                  interval_steps=None)


TOY_TARGETS = tuple(toy_target(m, f) for m in TOY_MODELS for f in FUNCTIONS)


# --------------------------------------------------------------------------- MNIST

MNIST_ACCURACY = {"linear": 0.92, "mlp": 0.97, "convnet": 0.98}
MNIST_INTERVAL = 100
MNIST_SEEDS: tuple[int, ...] = GATE_SEEDS
MNIST_SEED = MNIST_SEEDS[0]
MNIST_EPOCHS: dict[Mode, int] = {"short": 3, "full": 10}

MNIST_TARGETS = tuple(
    Target(f"mnist/{model}", "test_acc", acc, higher_is_better=True,
           interval_steps=MNIST_INTERVAL)
    for model, acc in MNIST_ACCURACY.items())


def mnist_target(model: str) -> Target:
    return next(t for t in MNIST_TARGETS if t.name == f"mnist/{model}")


# --------------------------------------------------------------------------- autoencoder

AUTOENCODER_MODEL = "autoencoder"
AUTOENCODER_INTERVAL = 50
AUTOENCODER_SEEDS: tuple[int, ...] = GATE_SEEDS
AUTOENCODER_SEED = AUTOENCODER_SEEDS[0]
AUTOENCODER_BATCH = 256
AUTOENCODER_LR = 1e-3
AUTOENCODER_EPOCHS: dict[Mode, int] = {"short": 10, "full": 50}
AUTOENCODER_N_TRAIN: dict[Mode, int | None] = {"short": 10_000, "full": None}
PCA_COMPONENTS = 2


def autoencoder_target(pca_test_mse: float) -> Target:
    """Test MSE per pixel strictly below PCA's (measured on the same images)."""
    return Target(f"autoencoder/{AUTOENCODER_MODEL}", "test_mse", pca_test_mse,
                  higher_is_better=False, interval_steps=AUTOENCODER_INTERVAL, strict=True)


# --------------------------------------------------------------------------- speed targets

#: Seconds on these 2-core machines, idle (the project's issues): one LeNet epoch on the
#: full 60k at batch 128 (training only), one autoencoder epoch at batch 256 with its
#: evaluation, the whole toy study, the quick claims suite.
LENET_EPOCH_TARGET_S = 2.0
LENET_EPOCH_BATCH = 128
AUTOENCODER_EPOCH_TARGET_S = 2.5
TOY_STUDY_TARGET_S = 5.0
CLAIMS_QUICK_TARGET_S = 120.0
#: ``ex3 robustness --only T1,T2,T3,T4`` on 2 cores (the robustness issue's target).
TOY_ROBUSTNESS_TARGET_S = 60.0
