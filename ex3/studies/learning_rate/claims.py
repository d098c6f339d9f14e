"""The claims of the report's "Hyper-Parameter Exploration" section (L1-L4)."""

from __future__ import annotations

from ex3.studies.contract import Claim
from ex3.studies.learning_rate import judge
from ex3.studies.learning_rate.study import measure_adam, measure_sgd

SECTION = "Hyper-Parameter Exploration (learning rate)"
SGD_FIG, ADAM_FIG = ("lr_sweep_sgd",), ("lr_sweep_adam",)

CLAIMS = (
    Claim("L1", SECTION,
          "the highest learning rate 1 (purple line) which doesn't converge",
          "SGD with learning rate 1 does not converge.",
          f"no seed ends finite with train loss <= {judge.CONVERGED} x initial",
          measure_sgd, judge.judge_l1, figures=SGD_FIG),
    Claim("L2", SECTION,
          "the lowest learning rate 0.0001 (blue line) which shows a very slow tendency for "
          "convergence",
          "SGD with learning rate 1e-4 converges very slowly.",
          f"loss falls, but by < {judge.SLOW} of the best rate's reduction, every seed",
          measure_sgd, judge.judge_l2, figures=SGD_FIG),
    Claim("L3", SECTION,
          "The best learning rate in term of fast convergence and best results ... is 0.1 "
          "(red line).",
          "Learning rate 0.1 is the best: fastest, best loss and accuracy, train and test.",
          f"best final train/test loss and accuracy and fewest epochs to "
          f"{judge.TARGET_ACC:.0%} test accuracy, every seed",
          measure_sgd, judge.judge_l3, figures=SGD_FIG, comparisons=judge.comparisons_l3),
    Claim("L4", SECTION,
          "the adam optimizer ... automatically figures out the best learning rate throughout "
          "the gradient descent process",
          "Adam needs no learning-rate choice.",
          f"Adam's final test accuracy within {judge.SPREAD:.0%} points across the grid, every "
          "seed",
          measure_adam, judge.judge_l4, figures=ADAM_FIG),
)
