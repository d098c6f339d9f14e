"""The claims of the report's "Toy Convnet" section (T1-T4).

The toy protocol is the same in every profile and needs no MNIST, so no run
of these claims is a reduced budget (``budget_free``).
"""

from __future__ import annotations

from ex3.studies.contract import Claim
from ex3.studies.toy import judge
from ex3.studies.toy.study import measure

SECTION = "Toy Convnet"


CLAIMS = (
    Claim("T1", SECTION,
          "Learn cnn was able to learn all three functions well with fast convergence of the "
          "loss to zero loss.",
          "The CNN learns y0, y1 and y2 to near-zero loss, fast.",
          f"test NMSE <= {judge.NEAR_ZERO} on every function and seed, reached within the "
          f"first {judge.FAST:.0%} of epochs",
          measure, judge.judge_t1, figures=("toy_loss_curves",), budget_free=True),
    Claim("T2", SECTION,
          "Learn cnn was better on all three functions and we can say that it is equal to the "
          "linear model on the linear function y0",
          "The CNN beats the linear model on y1 and y2 and equals it on y0.",
          f"CNN test NMSE lower in every seed on y1, y2; both <= {judge.NEAR_ZERO} on y0",
          measure, judge.judge_t2, figures=("toy_loss_curves",),
          comparisons=judge.comparisons_t2, budget_free=True),
    Claim("T3", SECTION,
          "were also there linear model achieved zero loss but more slowly / able to learn well "
          "only the linear function y0 ... the loss converges to zero, on both train data and "
          "test data",
          "The linear model reaches near-zero loss on y0 (train and test), more slowly than the "
          "CNN.",
          f"linear train and test NMSE <= {judge.NEAR_ZERO} on y0, reached later than the CNN "
          "in every seed",
          measure, judge.judge_t3, figures=("toy_loss_curves",), budget_free=True),
    Claim("T4", SECTION,
          "The loss of the linear model reduces on the other two functions (y1, y2) and also "
          "converges ... but to values not close to zero.",
          "On y1 and y2 the linear model's loss decreases and levels off far from zero.",
          f"final train NMSE below the initial one, last-{judge.PLATEAU_WINDOW}-epoch change "
          f"< {judge.PLATEAU_TOL:.0%}, final NMSE >= {judge.FAR_FROM_ZERO}, every seed "
          f"(halving and the test loss shown as sub-checks)",
          measure, judge.judge_t4, figures=("toy_loss_curves",), budget_free=True),
)
