"""Peers measured beside our models, on the same data: the ratios say what our code costs.

* the hand-derived numpy toy CNN (``ex3.models.toy_numpy``) against the torch
  ``ToyCNN`` trained by the loop: SGD steps per second on the same batches;
* scikit-learn's ``LogisticRegression`` (lbfgs) against the linear MNIST
  model: time to 92% test accuracy and final accuracy;
* scikit-learn's ``PCA`` fit against the autoencoder's training time;
* Keras 3 on its torch backend (the optional ``peers`` extra) running the
  report's convnet, against ours: time per epoch and time to 98%.

A peer's own driving code (the numpy descent, ``LogisticRegression.fit``,
``keras.Model.fit``) is the peer's; our side always goes through
``ex3.training.loop.train``. Every peer runs with the loop's thread count
(``ex3.training.loop.train_threads``: torch threads for Keras, BLAS threads
through threadpoolctl for numpy and scikit-learn), so a ratio compares
implementations, not thread policies.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from ex3.bench import targets as T
from ex3.data.mnist import MnistData
from ex3.data.toy import make_toy_data
from ex3.models import toy_numpy
from ex3.models.toy import ToyCNN, squared_loss
from ex3.studies.toy import study as toy_study
from ex3.training.loop import Split, TrainConfig, intra_op_threads, train, train_threads
from ex3.training.seeding import build_seeded

# --------------------------------------------------------------------------- numpy toy CNN


@dataclass(frozen=True)
class StepRate:
    """Steps per second of one implementation, and the NMSE it ended at (a sanity check)."""

    steps: int
    seconds: float
    final_test_nmse: float

    @property
    def per_s(self) -> float:
        return self.steps / self.seconds


def toy_cnn_step_rates(function: str = "y1", epochs: int = 10,
                       seed: int = T.TOY_SEED) -> tuple[StepRate, StepRate]:
    """(numpy, torch) SGD steps/s of the toy CNN on the toy study's protocol and batches.

    Both start from the same weights and take the same mini-batches in the
    same order (the loop's seeded permutation), so they descend the same
    path; numpy in float64, torch in float32.
    """
    protocol = toy_study.ToyProtocol(seeds=(seed,), epochs=epochs)
    data = make_toy_data(seed, protocol.n_train, protocol.n_test, protocol.noise)
    tr, te = toy_study.toy_splits(data, function)
    config = toy_study.train_config(protocol, seed)
    var_test = float(np.var(data.y_test[function]))

    model = build_seeded(ToyCNN, seed)
    params = toy_numpy.ToyCNNParams(model.filters.detach().double().numpy(),
                                    model.u.detach().double().numpy())
    generator = torch.Generator().manual_seed(seed)
    orders = [torch.randperm(len(tr), generator=generator).numpy() for _ in range(epochs)]
    x, y = data.x_train, data.y_train[function]
    steps = 0
    with same_threads():
        start = time.perf_counter()
        for order in orders:
            for i in range(0, len(order), config.batch_size):
                idx = order[i:i + config.batch_size]
                params = toy_numpy.sgd_step(params, x[idx], y[idx], config.lr)
                steps += 1
        numpy_s = time.perf_counter() - start
    numpy_nmse = toy_numpy.loss(params, data.x_test, data.y_test[function]) / var_test

    history = train(model, tr, te, config, squared_loss, evaluate_train=False)
    return (StepRate(steps, numpy_s, numpy_nmse),
            StepRate(history.steps, history.train_seconds, history.final.test_loss / var_test))


# --------------------------------------------------------------------------- scikit-learn


@dataclass(frozen=True)
class PeerToTarget:
    """A peer's time to a target (None: not reached), its final metric and its cost."""

    seconds_to_target: float | None
    iterations_to_target: int | None
    final_metric: float
    seconds_total: float
    iterations_total: int


def logistic_regression_to_accuracy(data: MnistData, target: float, max_iter: int,
                                    chunk: int = 5) -> PeerToTarget:
    """scikit-learn LogisticRegression (lbfgs, C=1) on all training images, to ``target``.

    lbfgs is resumed ``chunk`` iterations at a time with ``warm_start`` and the
    test accuracy read between chunks (untimed), so the time to target is
    read at a fixed interval of ``chunk`` iterations, as ours is every 100
    steps. Restarting lbfgs drops its curvature memory, which costs it a few
    iterations; the final accuracy is after ``max_iter`` iterations.
    """
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression

    x = data.train_x.flatten(1).numpy().astype(np.float64)
    y = data.train_y.numpy()
    xt = data.test_x.flatten(1).numpy().astype(np.float64)
    yt = data.test_y.numpy()
    clf = LogisticRegression(max_iter=chunk, warm_start=True)
    fitted, seconds = 0, 0.0
    reached_s: float | None = None
    reached_it: int | None = None
    accuracy = 0.0
    with warnings.catch_warnings(), same_threads():
        warnings.simplefilter("ignore", ConvergenceWarning)
        while fitted < max_iter:
            start = time.perf_counter()
            clf.fit(x, y)
            seconds += time.perf_counter() - start
            fitted += chunk
            accuracy = float((clf.predict(xt) == yt).mean())
            if reached_s is None and accuracy >= target:
                reached_s, reached_it = seconds, fitted
    return PeerToTarget(reached_s, reached_it, accuracy, seconds, fitted)


def pca_fit_seconds(train_x: torch.Tensor, components: int = T.PCA_COMPONENTS) -> float:
    """Seconds to fit scikit-learn's PCA as the autoencoder study does (covariance eigh)."""
    from ex3.studies.autoencoder.pca import fit_pca

    x = train_x.flatten(1).numpy().astype(np.float64)
    with same_threads():
        start = time.perf_counter()
        fit_pca(x, components)
        return time.perf_counter() - start


# --------------------------------------------------------------------------- Keras


def keras_unavailable() -> str | None:
    """None when Keras 3 can run on the torch backend here, else why not."""
    if importlib.util.find_spec("keras") is None:
        return "Keras is not installed (pip install -e '.[peers]')"
    backend = os.environ.setdefault("KERAS_BACKEND", "torch")
    if backend != "torch":
        return f"KERAS_BACKEND={backend}; the Keras peer runs on the torch backend only"
    import keras

    if int(keras.__version__.split(".")[0]) < 3:
        return f"Keras {keras.__version__} is not Keras 3"
    if keras.backend.backend() != "torch":
        return f"Keras was already imported with the {keras.backend.backend()} backend"
    return None


def keras_lenet(seed: int) -> object:
    """The report's convnet (``ex3.models.mnist.lenet``) in Keras: same layers, Keras' defaults.

    Conv 5x5 x6 (same padding) + ReLU + max-pool 2, conv 5x5 x16 + ReLU +
    max-pool 2, dense 120 and 84 with ReLU, 10 logits; Adam lr 1e-3 and
    cross-entropy from logits, as the study. Initialisation is Keras' own
    (Glorot uniform), as a Keras user would get.
    """
    import keras

    keras.utils.set_random_seed(seed)
    model = keras.Sequential([
        keras.Input((28, 28, 1)),
        keras.layers.Conv2D(6, 5, padding="same", activation="relu"),
        keras.layers.MaxPooling2D(2),
        keras.layers.Conv2D(16, 5, activation="relu"),
        keras.layers.MaxPooling2D(2),
        keras.layers.Flatten(),
        keras.layers.Dense(120, activation="relu"),
        keras.layers.Dense(84, activation="relu"),
        keras.layers.Dense(10),
    ])
    model.compile(optimizer=keras.optimizers.Adam(1e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    return model


def _nhwc(x: torch.Tensor) -> np.ndarray:
    return np.ascontiguousarray(x.permute(0, 2, 3, 1).numpy())


@contextlib.contextmanager
def same_threads() -> Iterator[None]:
    """Torch and BLAS limited to the loop's thread count for the duration of a peer's run."""
    from threadpoolctl import threadpool_limits

    threads = train_threads()
    with intra_op_threads(threads), threadpool_limits(limits=threads):
        yield


@contextlib.contextmanager
def _quiet_keras() -> Iterator[None]:
    """Silence Keras 3.15's per-batch numpy-2 ``__array__`` DeprecationWarning.

    Left on, pytest records four warnings per batch, and recording them
    would be timed as Keras' cost.
    """
    with warnings.catch_warnings(), same_threads():
        warnings.filterwarnings("ignore", message="__array__ implementation",
                                category=DeprecationWarning)
        yield


@dataclass(frozen=True)
class EpochTimes:
    """Seconds per training epoch of ours and of Keras, on the same images and batch size."""

    ours_s: float
    keras_s: float
    n_train: int
    ours_test_acc: float | None
    keras_test_acc: float


def convnet_epoch_times(data: MnistData, n_train: int, batch_size: int = 32,
                        seed: int = T.MNIST_SEED) -> EpochTimes:
    """One epoch of our convnet (the loop) and of Keras' on the first ``n_train`` images.

    Each side runs one warm-up epoch on a slice first, so first-call costs
    are not timed; ours is the loop's training time, Keras' the wall time of
    ``fit`` (which trains only: no validation data is passed).
    """
    from ex3.models.mnist import lenet

    x, y = data.train_x[:n_train], data.train_y[:n_train]
    tr, te = Split(x, y), Split(data.test_x, data.test_y)
    config = TrainConfig("adam", 1e-3, batch_size, 1, seed)
    warm = Split(x[:batch_size * 20], y[:batch_size * 20])
    train(build_seeded(lenet, seed), warm, te, config, nn.functional.cross_entropy,
          classify=True, evaluate_train=False)
    ours = train(build_seeded(lenet, seed), tr, te, config, nn.functional.cross_entropy,
                 classify=True, evaluate_train=False)

    kx, ky = _nhwc(x), y.numpy()
    with _quiet_keras():
        model = keras_lenet(seed)
        model.fit(kx[:batch_size * 20], ky[:batch_size * 20], batch_size=batch_size, epochs=1,
                  verbose=0)
        model = keras_lenet(seed)
        start = time.perf_counter()
        model.fit(kx, ky, batch_size=batch_size, epochs=1, verbose=0, shuffle=True)
        keras_s = time.perf_counter() - start
        _, keras_acc = model.evaluate(_nhwc(data.test_x), data.test_y.numpy(), batch_size=512,
                                      verbose=0)
    return EpochTimes(ours.train_seconds, keras_s, n_train, ours.final.test_acc,
                      float(keras_acc))


def keras_convnet_to_accuracy(data: MnistData, target: float, epochs: int,
                              interval: int = T.MNIST_INTERVAL,
                              seed: int = T.MNIST_SEED) -> PeerToTarget:
    """Keras' convnet on all training images until test accuracy >= ``target``.

    Read every ``interval`` batches as ours is; the evaluations are timed
    apart and subtracted, so the time is training only, as ours.
    """
    import keras

    xt, yt = _nhwc(data.test_x), data.test_y.numpy()

    class StopAtTarget(keras.callbacks.Callback):
        def __init__(self) -> None:
            super().__init__()
            self.batches = 0
            self.eval_s = 0.0
            self.reached_at: int | None = None
            self.accuracy = 0.0
            self.start = time.perf_counter()

        def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
            self.batches += 1
            if self.batches % interval:
                return
            start = time.perf_counter()
            logits = self.model.predict(xt, batch_size=512, verbose=0)
            self.accuracy = float((np.asarray(logits).argmax(axis=1) == yt).mean())
            self.eval_s += time.perf_counter() - start
            if self.accuracy >= target:
                self.reached_at = self.batches
                self.model.stop_training = True

    with _quiet_keras():
        model = keras_lenet(seed)
        model.fit(_nhwc(data.train_x[:640]), data.train_y[:640].numpy(), batch_size=32,
                  epochs=1, verbose=0)
        model = keras_lenet(seed)
        callback = StopAtTarget()
        start = time.perf_counter()
        model.fit(_nhwc(data.train_x), data.train_y.numpy(), batch_size=32, epochs=epochs,
                  verbose=0, shuffle=True, callbacks=[callback])
        total = time.perf_counter() - start - callback.eval_s
    reached = callback.reached_at is not None
    return PeerToTarget(total if reached else None, callback.reached_at, callback.accuracy,
                        total, callback.batches)
