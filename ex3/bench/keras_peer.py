"""The Keras peer's own process: the report's convnet trained by ``keras.Model.fit``.

Keras picks its backend from ``KERAS_BACKEND`` once, when it is first
imported, so one pytest process cannot run Keras on torch and on TensorFlow.
``ex3.bench.peers`` therefore starts ``python -m ex3.bench.keras_peer
REQUEST.json`` once per backend: this module reads the request (what to
measure, the backend, the thread count, the batch size, ...) and the arrays
in ``data.npz`` beside it, limits the backend's threads, trains, and writes
``result.json`` beside the request.

It imports neither torch (unless the backend is torch) nor the project's
training code, so a TensorFlow child holds one framework's runtime only.

Every measurement starts the same way: the model is built and seeded, the
optimiser's state is built, both are saved, one warm-up ``fit`` on a slice
runs the first-call costs (TensorFlow's tracing of the train step into a
graph, oneDNN's kernel setup), and the saved weights and optimiser state are
put back. The timed ``fit`` then trains from the initial weights, as ours
does after its own warm-up run.
"""

from __future__ import annotations

import json
import os
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

BACKENDS = ("torch", "tensorflow")
EVAL_BATCH = 512


def limit_threads(backend: str, threads: int) -> dict[str, int]:
    """Give the backend ``threads`` threads, as the training loop has; return what was set.

    torch: intra-op threads (``torch.set_num_threads``), as ours trains with.
    TensorFlow: its intra-op pool (the threads one op's kernel is split
    over) and its inter-op pool (the threads that run independent ops of a
    graph at once), both before its runtime starts.
    """
    if backend == "torch":
        import torch

        torch.set_num_threads(threads)
        return {"torch_intra_op": torch.get_num_threads()}
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(threads)
    return {"tf_intra_op": tf.config.threading.get_intra_op_parallelism_threads(),
            "tf_inter_op": tf.config.threading.get_inter_op_parallelism_threads()}


def lenet(keras: Any, seed: int) -> Any:
    """The report's convnet (``ex3.models.mnist.lenet``) in Keras: same layers, Keras' defaults.

    Conv 5x5 x6 (same padding) + ReLU + max-pool 2, conv 5x5 x16 + ReLU +
    max-pool 2, dense 120 and 84 with ReLU, 10 logits; Adam lr 1e-3 and
    cross-entropy from logits, as the study. Initialisation is Keras' own
    (Glorot uniform), as a Keras user would get. The optimiser's state is
    built here, so :class:`Restart` can save it.
    """
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
    model.optimizer.build(model.trainable_variables)
    return model


class Restart:
    """A model's initial weights and optimiser state, to train from them again after a warm-up."""

    def __init__(self, keras: Any, model: Any, seed: int) -> None:
        self.keras, self.model, self.seed = keras, model, seed
        self.weights = [np.array(w) for w in model.get_weights()]
        self.optimizer = [np.array(v) for v in model.optimizer.variables]

    def __call__(self) -> Any:
        self.model.set_weights(self.weights)
        for variable, value in zip(self.model.optimizer.variables, self.optimizer, strict=True):
            variable.assign(value)
        self.keras.utils.set_random_seed(self.seed)  # the same shuffling for every restart
        return self.model


def warm_up_images(n_train: int, batch_size: int) -> int:
    """Images of a warm-up: 20 full batches plus the remainder of an epoch of ``n_train``."""
    return min(n_train, batch_size * 20 + n_train % batch_size)


def warmed_up(keras: Any, x: np.ndarray, y: np.ndarray, batch_size: int,
              seed: int) -> tuple[Restart, float]:
    """A fresh model after one warm-up fit, and that fit's seconds.

    The warm-up takes 20 full batches and then a last batch as short as the
    last batch of an epoch of ``x`` (none when ``batch_size`` divides it), so
    the timed epoch meets no batch shape the warm-up did not: TensorFlow
    traces its train step again for a new shape.
    """
    model = lenet(keras, seed)
    restart = Restart(keras, model, seed)
    n = warm_up_images(len(x), batch_size)
    start = time.perf_counter()
    model.fit(x[:n], y[:n], batch_size=batch_size, epochs=1, verbose=0)
    return restart, time.perf_counter() - start


def epoch_times(keras: Any, arrays: dict[str, np.ndarray], request: dict[str, Any]
                ) -> dict[str, Any]:
    """``repeats`` one-epoch fits from the initial weights: wall and CPU seconds, accuracy after.

    ``fit`` gets no validation data, so it trains only; the test accuracy is
    evaluated after the last repeat, untimed.
    """
    x, y = arrays["x"], arrays["y"]
    batch, seed = request["batch_size"], request["seed"]
    restart, warm_up_s = warmed_up(keras, x, y, batch, seed)
    seconds, cpu_seconds = [], []
    model = None
    for _ in range(request["repeats"]):
        model = restart()
        cpu, start = time.process_time(), time.perf_counter()
        model.fit(x, y, batch_size=batch, epochs=1, verbose=0, shuffle=True)
        seconds.append(time.perf_counter() - start)
        cpu_seconds.append(time.process_time() - cpu)
    _, accuracy = model.evaluate(arrays["x_test"], arrays["y_test"], batch_size=EVAL_BATCH,
                                 verbose=0)
    return {"seconds": seconds, "cpu_seconds": cpu_seconds, "warm_up_s": warm_up_s,
            "test_acc": float(accuracy)}


def to_accuracy(keras: Any, arrays: dict[str, np.ndarray], request: dict[str, Any]
                ) -> dict[str, Any]:
    """Train until test accuracy >= ``target``, read every ``interval`` batches.

    The evaluations are timed apart and subtracted, so the time is training
    only, as ours.
    """
    xt, yt = arrays["x_test"], arrays["y_test"]
    target, interval = request["target"], request["interval"]

    class StopAtTarget(keras.callbacks.Callback):
        def __init__(self) -> None:
            super().__init__()
            self.batches = 0
            self.eval_s = 0.0
            self.reached_at: int | None = None
            self.accuracy = 0.0

        def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
            self.batches += 1
            if self.batches % interval:
                return
            start = time.perf_counter()
            logits = self.model.predict(xt, batch_size=EVAL_BATCH, verbose=0)
            self.accuracy = float((np.asarray(logits).argmax(axis=1) == yt).mean())
            self.eval_s += time.perf_counter() - start
            if self.accuracy >= target:
                self.reached_at = self.batches
                self.model.stop_training = True

    batch, seed = request["batch_size"], request["seed"]
    restart, warm_up_s = warmed_up(keras, arrays["x"], arrays["y"], batch, seed)
    model = restart()
    callback = StopAtTarget()
    start = time.perf_counter()
    model.fit(arrays["x"], arrays["y"], batch_size=batch, epochs=request["epochs"], verbose=0,
              shuffle=True, callbacks=[callback])
    seconds = time.perf_counter() - start - callback.eval_s
    return {"seconds": seconds, "batches": callback.batches, "reached_at": callback.reached_at,
            "test_acc": callback.accuracy, "warm_up_s": warm_up_s}


TASKS = {"epoch": epoch_times, "to_accuracy": to_accuracy}


def run(request_path: Path) -> dict[str, Any]:
    """Carry out the request at ``request_path``; the result as ``result.json`` would hold it."""
    request = json.loads(request_path.read_text())
    backend = request["backend"]
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}, not {backend!r}")
    os.environ["KERAS_BACKEND"] = backend
    threads = limit_threads(backend, request["threads"])
    import keras
    from threadpoolctl import threadpool_limits

    if keras.backend.backend() != backend:
        raise RuntimeError(f"Keras started on {keras.backend.backend()}, not {backend}")
    with np.load(request_path.parent / "data.npz") as npz:
        arrays = {name: npz[name] for name in npz.files}
    with warnings.catch_warnings(), threadpool_limits(limits=request["threads"]):
        # Keras 3.15 on numpy 2 warns about ``__array__`` on every batch; recorded, the
        # warnings would be timed as Keras' cost.
        warnings.filterwarnings("ignore", message="__array__ implementation",
                                category=DeprecationWarning)
        result = TASKS[request["task"]](keras, arrays, request)
    framework = "torch" if backend == "torch" else "tensorflow"
    version = sys.modules[framework].__version__
    return {**result, "backend": backend, "threads": threads, "keras_version": keras.__version__,
            "backend_version": version}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m ex3.bench.keras_peer REQUEST.json", file=sys.stderr)
        return 2
    request_path = Path(args[0])
    result = run(request_path)
    (request_path.parent / "result.json").write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
