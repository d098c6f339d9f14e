"""The claims of the report's "MNIST classifiers" section (M1-M3)."""

from __future__ import annotations

from ex3.studies.contract import Claim
from ex3.studies.mnist import judge
from ex3.studies.mnist.study import measure

SECTION = "MNIST classifiers"
FIGURES = ("mnist_learning_curves",)

CLAIMS = (
    Claim("M1", SECTION,
          "convergence of the accuracy to 92%+ on test and train data",
          "The linear model generalises: its loss converges and accuracy reaches 92%+ on train "
          "and test.",
          f"train and test accuracy >= {judge.ACCURACY_BAR:.0%} in every seed; full MNIST only",
          measure, judge.judge_m1, figures=FIGURES),
    Claim("M2", SECTION,
          "it is better than the linear model as we can see from comparing the graphs",
          "The MLP is better than the linear model (loss and accuracy, train and test).",
          "better on train/test loss and accuracy in every seed",
          measure, judge.judge_m2, figures=FIGURES, comparisons=judge.comparisons_m2),
    Claim("M3", SECTION,
          "The convnet achieved better results than MLP and the linear model",
          "The convnet is better than the MLP and the linear model.",
          "lower test loss and higher test accuracy than each, in every seed (train-set "
          "margins shown as sub-checks)",
          measure, judge.judge_m3, figures=FIGURES, comparisons=judge.comparisons_m3),
)
