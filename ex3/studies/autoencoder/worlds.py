"""Falsification worlds for A1-A5, on a tiny protocol (2,000 images, 3 epochs, 1 seed).

Each world makes its claim false and the claim's real measure and judge
must then say NOT REPRODUCED:

* A1 false: Adam at learning rate 10, a rate at which the autoencoder does
  not learn, so its loss does not keep falling;
* A2, A3, A4 false: PCA in the autoencoder's slot (the autoencoder replaced
  by PCA), so it is not better than PCA at anything;
* A5 false: the shallow autoencoder in the deep one's slot (same seed, so the
  same run), so the shallow one cannot beat it.

The recognisability judge is the MNIST convnet trained on the same tiny
protocol; a world only changes the autoencoders, never the judge.
"""

from __future__ import annotations

from ex3.studies.autoencoder.claims import CLAIMS
from ex3.studies.contract import Verdict, World, overridden

MEASURES = {c.id: c.measure for c in CLAIMS}

TINY = {"n_train": 2000, "epochs": 3}
PCA_IN_THE_AUTOENCODER_SLOT = (("autoencoder", "pca"),)


def worlds() -> list[World]:
    def w(claim: str, text: str, **overrides: object) -> World:
        return World(claim, text, Verdict.NOT_REPRODUCED,
                     overridden(MEASURES[claim], {**TINY, **overrides}))

    return [
        w("A1", "Adam at learning rate 10: the autoencoder does not learn", lr=10.0),
        *(w(claim, "PCA in the autoencoder's slot", substitutions=PCA_IN_THE_AUTOENCODER_SLOT)
          for claim in ("A2", "A3", "A4")),
        w("A5", "the shallow autoencoder in the deep one's slot",
          substitutions=(("autoencoder_deep", "autoencoder"),)),
    ]
