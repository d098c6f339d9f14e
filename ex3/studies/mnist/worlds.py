"""Falsification worlds for M1-M3, on tiny protocols (a few thousand images, 1 seed).

* M1 false: the linear model trained on 1,000 images for one epoch;
* M2 false: a linear model in the MLP's slot (equal, so not better);
* M3 false: a linear model in the convnet's slot;
* M3 true: a linear model in the MLP's slot (the convnet must beat it on all
  four metrics).
"""

from __future__ import annotations

from ex3.studies.contract import Verdict, World, overridden
from ex3.studies.mnist.claims import CLAIMS

MEASURES = {c.id: c.measure for c in CLAIMS}

TINY = {"n_train": 1000, "n_test": 1000, "epochs": 1}
SMALL = {"n_train": 5000, "n_test": 2000, "epochs": 2}


def worlds() -> list[World]:
    def w(claim: str, text: str, expected: Verdict, size: dict, **overrides: object) -> World:
        return World(claim, text, expected, overridden(MEASURES[claim], {**size, **overrides}))

    return [
        w("M1", "1,000 training images, one epoch", Verdict.NOT_REPRODUCED, TINY),
        w("M2", "a linear model in the MLP slot", Verdict.NOT_REPRODUCED, TINY,
          substitutions=(("mlp", "linear"),)),
        w("M3", "a linear model in the convnet slot", Verdict.NOT_REPRODUCED, TINY,
          substitutions=(("convnet", "linear"),)),
        w("M3", "a linear model in the MLP slot", Verdict.REPRODUCED, SMALL,
          substitutions=(("mlp", "linear"),)),
    ]
