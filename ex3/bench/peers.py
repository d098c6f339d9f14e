"""Peers measured beside our models, on the same data: the ratios say what our code costs.

* the hand-derived numpy toy CNN (``ex3.models.toy_numpy``) against the torch
  ``ToyCNN`` trained by the loop: SGD steps per second on the same batches;
* scikit-learn's ``LogisticRegression`` (lbfgs) against the linear MNIST
  model: time to 92% test accuracy and final accuracy;
* scikit-learn's ``PCA`` fit against the autoencoder's training time;
* Keras 3 (the optional ``peers`` extra) running the report's convnet on its
  torch backend and on TensorFlow, the report's own stack, against ours: time
  per epoch and time to 98%. Keras fixes its backend when first imported, so
  each backend runs in a child process (``ex3.bench.keras_peer``).

A peer's own driving code (the numpy descent, ``LogisticRegression.fit``,
``keras.Model.fit``) is the peer's; our side always goes through
``ex3.training.loop.train``. Every peer runs with the loop's thread count
(``ex3.training.loop.train_threads``: torch threads for Keras on torch,
TensorFlow's intra-op and inter-op pools for Keras on TensorFlow, BLAS threads
through threadpoolctl for numpy, scikit-learn and the Keras process), so a
ratio compares implementations, not thread policies.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from ex3.bench import targets as T
from ex3.bench.keras_peer import warm_up_images
from ex3.data.mnist import MnistData
from ex3.data.toy import make_toy_data
from ex3.models import toy_numpy
from ex3.models.toy import ToyCNN, squared_loss
from ex3.studies.toy import study as toy_study
from ex3.training.loop import Split, TrainConfig, intra_op_threads, train, train_threads
from ex3.training.seeding import build_seeded


@contextlib.contextmanager
def same_threads() -> Iterator[None]:
    """Torch and BLAS limited to the loop's thread count for the duration of a peer's run."""
    from threadpoolctl import threadpool_limits

    threads = train_threads()
    with intra_op_threads(threads), threadpool_limits(limits=threads):
        yield


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

KERAS_BACKENDS = ("torch", "tensorflow")
KERAS_TIMEOUT_S = 3600.0


def keras_unavailable(backend: str) -> str | None:
    """None when Keras 3 can run the peer on ``backend`` here, else why not (a skip's reason).

    Asks the installed packages' metadata only: Keras is never imported in
    this process, since its backend is fixed at its first import (the peer
    runs in a process of its own, see ``ex3.bench.keras_peer``).
    """
    if backend not in KERAS_BACKENDS:
        raise ValueError(f"backend must be one of {KERAS_BACKENDS}, not {backend!r}")
    no_tensorflow = backend == "tensorflow" and importlib.util.find_spec("tensorflow") is None
    try:
        version = metadata.version("keras")
    except metadata.PackageNotFoundError:
        missing = "Keras and TensorFlow are" if no_tensorflow else "Keras is"
        return f"{missing} not installed (pip install -e '.[peers]')"
    if int(version.split(".")[0]) < 3:
        return f"Keras {version} is not Keras 3 (pip install -e '.[peers]')"
    if no_tensorflow:
        return ("TensorFlow is not installed, so Keras cannot run on it "
                "(pip install -e '.[peers]' installs tensorflow-cpu)")
    return None


def _nhwc(x: torch.Tensor) -> np.ndarray:
    return np.ascontiguousarray(x.permute(0, 2, 3, 1).numpy())


def _run_keras(backend: str, task: str, x: torch.Tensor, y: torch.Tensor, data: MnistData,
               **request: object) -> dict[str, Any]:
    """Run ``task`` of ``ex3.bench.keras_peer`` on ``backend`` in a child process; its result.

    The child gets the images (NHWC, as Keras takes them) and the loop's
    thread count (``train_threads``) through files in a temporary folder, and
    ``KERAS_BACKEND`` through its environment.
    """
    threads = train_threads()
    with tempfile.TemporaryDirectory(prefix="ex3-keras-peer-") as tmp:
        folder = Path(tmp)
        np.savez(folder / "data.npz", x=_nhwc(x), y=y.numpy(), x_test=_nhwc(data.test_x),
                 y_test=data.test_y.numpy())
        request_path = folder / "request.json"
        request_path.write_text(json.dumps({"task": task, "backend": backend,
                                            "threads": threads, **request}))
        root = str(Path(__file__).resolve().parents[2])
        path = os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p)
        env = {**os.environ, "KERAS_BACKEND": backend, "PYTHONPATH": path,
               "TF_CPP_MIN_LOG_LEVEL": os.environ.get("TF_CPP_MIN_LOG_LEVEL", "2")}
        done = subprocess.run([sys.executable, "-m", "ex3.bench.keras_peer", str(request_path)],
                              env=env, capture_output=True, text=True, timeout=KERAS_TIMEOUT_S,
                              check=False)
        if done.returncode != 0:
            raise RuntimeError(f"the Keras peer on {backend} exited with {done.returncode}:\n"
                               f"{done.stderr[-4000:]}")
        return json.loads((folder / "result.json").read_text())


@dataclass(frozen=True)
class EpochTimes:
    """Seconds per training epoch of ours and of Keras on one backend, same images and batch.

    ``ours_s`` and ``keras_s`` hold one entry per repeat; ``keras_cpu_s``
    the CPU seconds (all threads) of each Keras epoch, which show how many
    cores it kept busy. Accuracies are on the test set after the last repeat.
    """

    backend: str
    n_train: int
    batch_size: int
    ours_s: tuple[float, ...]
    keras_s: tuple[float, ...]
    keras_cpu_s: tuple[float, ...]
    ours_test_acc: float | None
    keras_test_acc: float
    keras_warm_up_s: float
    keras_threads: dict[str, int]
    versions: dict[str, str]

    @property
    def ratio(self) -> float:
        """Keras' best epoch over ours (above 1: Keras is slower)."""
        return min(self.keras_s) / min(self.ours_s)

    @property
    def median_ratio(self) -> float:
        return statistics.median(self.keras_s) / statistics.median(self.ours_s)


def convnet_epoch_times(data: MnistData, n_train: int, backend: str, batch_size: int = 32,
                        repeats: int = 1, seed: int = T.MNIST_SEED) -> EpochTimes:
    """Epochs of our convnet (the loop) and of Keras' on the first ``n_train`` images.

    Each side runs a warm-up first (20 batches and a last batch as short as
    the epoch's, ``keras_peer.warm_up_images``), so first-call costs are not
    timed, then ``repeats`` epochs, each from the same initial weights:
    ours is the loop's training time of a freshly built model, Keras' the
    wall time of ``fit`` (which trains only: no validation data is passed)
    from its saved initial weights (``ex3.bench.keras_peer``).
    """
    from ex3.models.mnist import lenet

    x, y = data.train_x[:n_train], data.train_y[:n_train]
    tr, te = Split(x, y), Split(data.test_x, data.test_y)
    config = TrainConfig("adam", 1e-3, batch_size, 1, seed)
    n_warm = warm_up_images(n_train, batch_size)
    warm = Split(x[:n_warm], y[:n_warm])
    train(build_seeded(lenet, seed), warm, te, config, nn.functional.cross_entropy,
          classify=True, evaluate_train=False)
    ours = [train(build_seeded(lenet, seed), tr, te, config, nn.functional.cross_entropy,
                  classify=True, evaluate_train=False) for _ in range(repeats)]
    peer = _run_keras(backend, "epoch", x, y, data, batch_size=batch_size, repeats=repeats,
                      seed=seed)
    return EpochTimes(backend, n_train, batch_size, tuple(h.train_seconds for h in ours),
                      tuple(peer["seconds"]), tuple(peer["cpu_seconds"]),
                      ours[-1].final.test_acc, peer["test_acc"], peer["warm_up_s"],
                      peer["threads"], {"keras": peer["keras_version"],
                                        backend: peer["backend_version"]})


def keras_convnet_to_accuracy(data: MnistData, target: float, epochs: int, backend: str,
                              interval: int = T.MNIST_INTERVAL,
                              seed: int = T.MNIST_SEED) -> PeerToTarget:
    """Keras' convnet on ``backend``, all training images, until test accuracy >= ``target``.

    Batch 32, read every ``interval`` batches as ours is; the evaluations are
    timed apart and subtracted, so the time is training only, as ours.
    """
    peer = _run_keras(backend, "to_accuracy", data.train_x, data.train_y, data, batch_size=32,
                      epochs=epochs, target=target, interval=interval, seed=seed)
    reached = peer["reached_at"] is not None
    return PeerToTarget(peer["seconds"] if reached else None, peer["reached_at"],
                        peer["test_acc"], peer["seconds"], peer["batches"])
