"""The report's dense autoencoders: a 2-unit code between mirrored stacks of ReLU layers.

* ``autoencoder``: 784-512-128-2-128-512-784, the architecture the report
  ended with;
* ``autoencoder_deep``: encoder 784-512-256-128-64-32-16-8-4-2 and the mirror
  decoder, the one it started from (its commented-out layers switched back on).

As in the report's Keras code, every hidden layer and the 2-unit code layer
use ReLU and the output layer a sigmoid, so pixels come back in (0, 1).
Weights start as Keras' ``Dense`` defaults do (Glorot-uniform weights, zero
biases) rather than torch's, because the report's code used Keras and a
2-unit ReLU code is sensitive to how many units start inactive.

The report gives neither loss nor optimiser. Its code follows Keras'
"Building Autoencoders in Keras" tutorial, which compiles with
``optimizer='adam', loss='binary_crossentropy'`` and fits with
``batch_size=256``, so the declared training is: binary cross-entropy per
pixel (mean over pixels and images), Adam with learning rate 1e-3 (Keras'
default), batch size 256. The studies state the epochs.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import torch
from torch import nn

from ex3.models.keras_init import keras_init_
from ex3.models.losses import binary_cross_entropy

N_PIXELS = 784
CODE_DIM = 2
SHALLOW_ENCODER = (N_PIXELS, 512, 128, CODE_DIM)
DEEP_ENCODER = (N_PIXELS, 512, 256, 128, 64, 32, 16, 8, 4, CODE_DIM)


def _dense_relu_stack(widths: Sequence[int]) -> list[nn.Module]:
    layers: list[nn.Module] = []
    for fan_in, fan_out in itertools.pairwise(widths):
        layers += [nn.Linear(fan_in, fan_out), nn.ReLU()]
    return layers


class DenseAutoencoder(nn.Module):
    """A dense autoencoder whose decoder mirrors its encoder widths.

    ``encoder_widths`` runs from the input size to the code size; every layer
    but the last decoder layer is ReLU (the code layer included), the last
    is a sigmoid.
    """

    def __init__(self, encoder_widths: Sequence[int]) -> None:
        super().__init__()
        widths = tuple(encoder_widths)
        if len(widths) < 2:
            raise ValueError(f"an autoencoder needs at least input and code widths, got {widths}")
        self.encoder_widths = widths
        self.encoder = nn.Sequential(*_dense_relu_stack(widths))
        mirror = widths[::-1]
        self.decoder = nn.Sequential(*_dense_relu_stack(mirror[:-1]),
                                     nn.Linear(mirror[-2], mirror[-1]), nn.Sigmoid())
        keras_init_(self)

    @property
    def code_dim(self) -> int:
        return self.encoder_widths[-1]

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """The code of each image ([B, code_dim]); images may come as [B, 784] or [B, 1, 28, 28]."""
        return self.encoder(x.flatten(1))

    def decode(self, code: torch.Tensor) -> torch.Tensor:
        """Reconstructed images, flattened [B, 784], from codes."""
        return self.decoder(code)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The reconstruction of ``x``, flattened to [B, 784]."""
        return self.decode(self.encode(x))


def autoencoder() -> DenseAutoencoder:
    """The report's final autoencoder, 784-512-128-2-128-512-784."""
    return DenseAutoencoder(SHALLOW_ENCODER)


def autoencoder_deep() -> DenseAutoencoder:
    """The deeper autoencoder the report started from (encoder 784-512-...-4-2)."""
    return DenseAutoencoder(DEEP_ENCODER)


def reconstruction_loss(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Binary cross-entropy per pixel, averaged, as Keras' ``binary_crossentropy``.

    torch's binary cross-entropy, gradient for gradient; its value is computed
    vectorised (``ex3.models.losses.binary_cross_entropy``), because the
    per-epoch evaluation passes spend much of their time in it.
    """
    return binary_cross_entropy(pred, target.flatten(1))


BUILDERS = {"autoencoder": autoencoder, "autoencoder_deep": autoencoder_deep}
