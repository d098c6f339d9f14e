"""The MNIST classifiers' open choice: how long to train.

The report says Adam and names the three models; CLAIMS.md makes Keras'
defaults part of the report's protocol (Adam at 1e-3 with its betas and
epsilon, batch 32, Glorot-uniform kernels and zero biases), and the data are
the official 60,000/10,000 images. So the only training choice left open is
the number of epochs (the report plots "per epoch" but gives no count).
Declared before measuring, with the protocol's value first:

* ``full``: epochs 10 | 5, 20 (half and double);
* ``quick``: epochs 3 | 2, 6 (the quick protocol's own, halved and doubled).

Fixed, never varied: the models (architectures and widths), the optimiser,
learning rate, batch size, initialisation, the data and the seeds. One
choice, so the design is one at a time (here: every value).
"""

from __future__ import annotations

from ex3.studies.mnist.study import EPOCHS
from ex3.studies.neighbourhood import Choice, Neighbourhood, Option

FIXED = ("seeds", "models", "optimizer", "lr", "batch_size", "n_train", "n_test",
         "substitutions")
ALTERNATIVE_EPOCHS = {"full": (5, 20), "quick": (2, 6)}


def neighbourhood(profile: str) -> Neighbourhood:
    """The declared neighbourhood of M1-M3 in ``profile``."""
    return Neighbourhood(
        claims=("M1", "M2", "M3"),
        choices=(Choice("epochs", str(EPOCHS[profile]),
                        tuple(Option(str(e), (("epochs", e),))
                              for e in ALTERNATIVE_EPOCHS[profile]),
                        "not given by the report: half and double the protocol's"),),
        design="one_at_a_time", fixed=FIXED,
        notes=("Keras' defaults (Adam 1e-3, batch 32, Glorot) are the report's protocol "
               "(CLAIMS.md), not open choices",))
