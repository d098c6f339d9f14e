"""Falsification worlds for T1-T4, on a tiny protocol (2 seeds, 40 epochs).

All four claims measure NOT REPRODUCED under the declared protocol, so each
world makes its claim *true* and checks the measurement says so:
* T1: every "function" linear and a linear model in the CNN's slot;
* T2: on y0 the CNN's slot holds a linear model (so both reach near zero);
* T3: on y0 a linear model in the CNN's slot and a far-started linear model
  (slower) in the linear slot;
* T4: on y1 and y2 the linear model starts far away, so its loss halves;
and one world makes a claim false in a new way: T2 with the CNN's ReLU
removed (a piecewise-linear map cannot beat the linear model by much).
"""

from __future__ import annotations

from ex3.studies.contract import Verdict, World, overridden
from ex3.studies.toy.claims import CLAIMS

MEASURES = {c.id: c.measure for c in CLAIMS}

TINY = {"epochs": 40}


def worlds() -> list[World]:
    def w(claim: str, text: str, expected: Verdict, **overrides: object) -> World:
        return World(claim, text, expected,
                     overridden(MEASURES[claim], {**TINY, **overrides}, seeds=2))

    return [
        w("T1", "all three targets linear, a linear model in the CNN slot",
          Verdict.REPRODUCED, targets=(("y1", "y0"), ("y2", "y0")),
          substitutions=tuple((f, "cnn", "linear") for f in ("y0", "y1", "y2"))),
        w("T2", "on y0 a linear model in the CNN slot", Verdict.REPRODUCED,
          substitutions=(("y0", "cnn", "linear"),)),
        w("T3", "on y0 a linear model in the CNN slot, a far-started linear model in the "
          "linear slot", Verdict.REPRODUCED,
          substitutions=(("y0", "cnn", "linear"), ("y0", "linear", "linear_far"))),
        w("T4", "on y1, y2 the linear model starts 30x further away", Verdict.REPRODUCED,
          substitutions=(("y1", "linear", "linear_far"), ("y2", "linear", "linear_far"))),
        w("T2", "the CNN's ReLU removed", Verdict.NOT_REPRODUCED,
          substitutions=tuple((f, "cnn", "cnn_no_relu") for f in ("y0", "y1", "y2"))),
    ]
