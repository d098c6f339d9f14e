"""The autoencoder section's open choices: "Loss and optimiser are not given".

CLAIMS.md gives the architectures and asks to "choose and state" the loss
and the optimiser; the report gives no batch size or epoch count either.
Declared before measuring, with the protocol's value first:

* loss: binary cross-entropy per pixel | mean squared error per pixel (the
  two losses the Keras autoencoder tutorials use);
* batch size: 256 | 128 (the tutorial's and half of it);
* epochs: 50 | 25 in ``full`` (12 in ``quick``, not varied there).

The ``quick`` profile varies the documented subset {loss, batch size}: the
two most likely to matter, at a cost it can afford (each neighbour retrains
both autoencoders for every seed). The optimiser stays Adam at 1e-3, the
default of the Keras tutorials the protocol follows: the training loop's
other optimiser is plain SGD, which is not a choice a practitioner makes for
a ten-layer autoencoder trained for 50 epochs (a judgement, stated here, not
a measurement).

Fixed, never varied: the two architectures, PCA with 2 components, the
data, the seeds, the measurements (k-NN k = 5, silhouette, the ten images)
and the recognisability judge (the MNIST study's convnet of the same
profile: a neighbour changes the autoencoders, never the judge).
"""

from __future__ import annotations

from ex3.studies.autoencoder.study import BCE_LOSS, EPOCHS, MSE_LOSS
from ex3.studies.neighbourhood import Choice, Neighbourhood, Option

FIXED = ("seeds", "n_train", "models", "optimizer", "lr", "pca_components", "knn_k",
         "silhouette_on", "ten_images", "judge_model", "judge_seed", "judge_profile",
         "substitutions")

LOSS = Choice("loss", "BCE", (Option("MSE", (("loss", MSE_LOSS),)),),
              f"not given: {BCE_LOSS} or {MSE_LOSS}")
BATCH = Choice("batch size", "256", (Option("128", (("batch_size", 128),)),),
               "not given: the tutorial's 256, and half")


def neighbourhood(profile: str) -> Neighbourhood:
    """The declared neighbourhood of A1-A5 in ``profile`` (quick: loss and batch size only)."""
    choices: tuple[Choice, ...] = (LOSS, BATCH)
    if profile == "full":
        epochs = Choice("epochs", str(EPOCHS["full"]), (Option("25", (("epochs", 25),)),),
                        "not given: half the protocol's")
        choices = (*choices, epochs)
    return Neighbourhood(claims=("A1", "A2", "A3", "A4", "A5"), choices=choices,
                         design="one_at_a_time", fixed=FIXED,
                         notes=("optimiser fixed at Adam 1e-3 (see the module docstring)",))
