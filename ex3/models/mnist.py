"""The report's three MNIST classifiers (they return logits; softmax is in the loss).

* linear: flatten, one dense layer to 10 classes (softmax regression);
* MLP: two fully connected ReLU layers of 512 units, then the output layer.
  The report gives no widths; 512-512 is Keras' own ``mnist_mlp`` example,
  the nearest reference for a Keras user;
* convnet: "similar to LeNet-5": conv 5x5 (6 maps, same padding) + ReLU +
  max-pool 2, conv 5x5 (16 maps) + ReLU + max-pool 2, dense 120 and 84 with
  ReLU, then the output layer. ReLU rather than LeNet's tanh, as the report's
  other models use ReLU. The layers apply the max-pool before the ReLU: the
  same function and the same gradients, bit for bit (ReLU is monotone, so
  the ReLU of a window's maximum is the maximum of its ReLUs, and a window
  whose maximum is not positive passes no gradient either way), with the
  ReLU and its backward on a quarter of the elements: about 8% of a
  training step. Neither layer has parameters, so the ``state_dict`` keys
  are those of the written order.

Every layer starts as Keras' defaults do (Glorot-uniform kernels, zero
biases; ``ex3.models.keras_init``), as the report's Keras code did.
"""

from __future__ import annotations

from torch import nn

from ex3.models.keras_init import keras_init_


def mnist_linear() -> nn.Module:
    return keras_init_(nn.Sequential(nn.Flatten(), nn.Linear(784, 10)))


def mnist_mlp(width1: int = 512, width2: int = 512) -> nn.Module:
    return keras_init_(nn.Sequential(nn.Flatten(), nn.Linear(784, width1), nn.ReLU(),
                                     nn.Linear(width1, width2), nn.ReLU(),
                                     nn.Linear(width2, 10)))


def lenet(pool_first: bool = True) -> nn.Module:
    """The convnet; ``pool_first=False`` is the written order (ReLU, then max-pool), the
    same function and gradients, which the speed benchmarks' plain loop trains."""
    def conv_block(conv: nn.Conv2d) -> list[nn.Module]:
        return [conv, nn.MaxPool2d(2), nn.ReLU()] if pool_first else [conv, nn.ReLU(),
                                                                       nn.MaxPool2d(2)]
    return keras_init_(nn.Sequential(
        *conv_block(nn.Conv2d(1, 6, 5, padding=2)),
        *conv_block(nn.Conv2d(6, 16, 5)),
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.ReLU(),
        nn.Linear(120, 84), nn.ReLU(),
        nn.Linear(84, 10),
    ))
