"""Falsification worlds for L1-L4: the quick sweep with one seed and one rate replaced.

The runs at the substituted rates are the quick protocol's own, so they come
from the run cache when the quick claims have run.

* L1 false: learning rate 1 made harmless (0.1 is trained in its place);
* L2 false: 0.1 trained in the place of 1e-4 (so it is not slow);
* L3 false: 1e-3 trained in the place of 0.1 (so it is not best);
* L4 true: Adam at 1e-3 in every place of the grid (no dependence on the rate).
"""

from __future__ import annotations

from ex3.studies.contract import Verdict, World, overridden
from ex3.studies.learning_rate.claims import CLAIMS

MEASURES = {c.id: c.measure for c in CLAIMS}


def worlds() -> list[World]:
    def w(claim: str, text: str, expected: Verdict, subs: tuple) -> World:
        return World(claim, text, expected, overridden(MEASURES[claim], {"substitutions": subs}))

    grid = (1e-4, 1e-3, 1e-2, 1e-1, 1.0)
    return [
        w("L1", "learning rate 1 made harmless (0.1 trained in its place)",
          Verdict.NOT_REPRODUCED, ((1.0, 0.1),)),
        w("L2", "0.1 trained in the place of 1e-4", Verdict.NOT_REPRODUCED, ((1e-4, 0.1),)),
        w("L3", "1e-3 trained in the place of 0.1", Verdict.NOT_REPRODUCED, ((0.1, 1e-3),)),
        w("L4", "Adam at 1e-3 at every rate of the grid", Verdict.REPRODUCED,
          tuple((lr, 1e-3) for lr in grid)),
    ]
