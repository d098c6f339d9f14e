"""One epoch of the two workloads the speed targets name: ours, and a plain torch loop.

* ``lenet``: the convnet (LeNet) on all 60,000 training images, batch 128,
  Adam, training only;
* ``autoencoder``: the dense autoencoder on all 60,000 training images, batch
  256, Adam, binary cross-entropy, with the evaluation the studies record
  after every epoch (the loss over the 60,000 training and 10,000 test images).

``ours`` is the project's loop as a command trains one run: on
``run_threads(1)`` intra-op threads (``ex3.training.threads``), fused Adam,
channels-last for the convnet and its max-pools before their ReLUs
(``ex3.models.mnist``), the vectorised binary cross-entropy
(``ex3.models.losses``), OpenMP's waiting as ``ex3`` sets it. ``plain`` is a
hand-written loop with torch's defaults: torch's default thread count and
OpenMP waiting, ``torch.optim.Adam`` as constructed by default, the layers in
their written order and torch's own ``binary_cross_entropy``, a
``loss.item()`` per step, and evaluation under ``torch.no_grad`` in batches of
the training batch size (a test ``DataLoader``'s habit). Both forms train the
same function with the same gradients.

Each form runs in a fresh process (:func:`epoch_in_subprocess`), one timed
epoch after a warm-up: OpenMP reads its settings once, when torch loads it,
so the plain form's process imports torch before ``ex3`` and gets none of
ex3's OpenMP settings. ``python -m ex3.bench.epochs WORKLOAD FORM`` prints
the epoch as one JSON line.
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from torch import nn

from ex3.bench import targets as T
from ex3.config import OPENMP_WAIT_VARIABLES
from ex3.data.mnist import MnistData, load_mnist
from ex3.models.autoencoder import autoencoder, reconstruction_loss
from ex3.models.mnist import lenet
from ex3.training.loop import Split, TrainConfig, train
from ex3.training.seeding import build_seeded
from ex3.training.threads import run_threads

FORMS = ("plain", "ours")


@dataclass(frozen=True)
class Workload:
    """A model and its batch size and loss, each as ours and as the plain loop writes it
    (the same function and gradients), and whether its epoch includes the evaluation."""

    build: Callable[[], nn.Module]
    plain_build: Callable[[], nn.Module]
    batch_size: int
    loss: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
    plain_loss: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
    classify: bool
    evaluated: bool


def torch_reconstruction_loss(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """The autoencoder's loss as torch computes it (``F.binary_cross_entropy`` per pixel)."""
    return F.binary_cross_entropy(pred, target.flatten(1))


WORKLOADS = {
    "lenet": Workload(lenet, functools.partial(lenet, pool_first=False), T.LENET_EPOCH_BATCH,
                      F.cross_entropy, F.cross_entropy, classify=True, evaluated=False),
    "autoencoder": Workload(autoencoder, autoencoder, T.AUTOENCODER_BATCH, reconstruction_loss,
                            torch_reconstruction_loss, classify=False, evaluated=True),
}


@dataclass(frozen=True)
class Epoch:
    """One timed epoch: ``seconds`` is training plus, where the workload has it, evaluation.

    ``train_loss`` is the evaluated training loss after the epoch (the
    autoencoder) or the mean mini-batch loss (LeNet); ``plain_eval_gap`` is,
    for our autoencoder epoch, the largest relative difference between our
    recorded losses and the plain evaluation of the same trained model.
    """

    workload: str
    form: str
    seconds: float
    train_seconds: float
    threads: int
    steps: int
    train_loss: float
    test_loss: float | None
    plain_eval_gap: float | None
    load_average_1m: float

    @property
    def eval_seconds(self) -> float:
        return self.seconds - self.train_seconds


def splits(workload: Workload, data: MnistData) -> tuple[Split, Split]:
    """All training and test images, with labels (LeNet) or as their own flat targets."""
    if workload.classify:
        return Split(data.train_x, data.train_y), Split(data.test_x, data.test_y)
    train_x, test_x = data.train_x.flatten(1), data.test_x.flatten(1)
    return Split(train_x, train_x), Split(test_x, test_x)


def plain_loss(model: nn.Module, split: Split, loss_fn: Callable, batch_size: int) -> float:
    """The mean loss over ``split`` as a plain loop computes it: no_grad, batch by batch."""
    model.eval()
    total = 0.0
    with torch.no_grad():
        for i in range(0, len(split), batch_size):
            x, y = split.x[i:i + batch_size], split.y[i:i + batch_size]
            total += loss_fn(model(x), y).item() * len(x)
    model.train()
    return total / len(split)


def plain_epoch(name: str, data: MnistData, seed: int) -> Epoch:
    """One epoch of the hand-written loop, torch's defaults throughout."""
    workload = WORKLOADS[name]
    tr, te = splits(workload, data)
    model = build_seeded(workload.plain_build, seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    generator = torch.Generator().manual_seed(seed)
    start = time.perf_counter()
    model.train()
    order = torch.randperm(len(tr), generator=generator)
    running, steps = 0.0, 0
    for i in range(0, len(tr), workload.batch_size):
        idx = order[i:i + workload.batch_size]
        optimizer.zero_grad()
        loss = workload.plain_loss(model(tr.x[idx]), tr.y[idx])
        loss.backward()
        optimizer.step()
        running += loss.item()
        steps += 1
    train_seconds = time.perf_counter() - start
    train_loss, test_loss = running / steps, None
    if workload.evaluated:
        train_loss = plain_loss(model, tr, workload.plain_loss, workload.batch_size)
        test_loss = plain_loss(model, te, workload.plain_loss, workload.batch_size)
    return Epoch(name, "plain", time.perf_counter() - start, train_seconds,
                 torch.get_num_threads(), steps, train_loss, test_loss, None,
                 os.getloadavg()[0])


def ours_epoch(name: str, data: MnistData, seed: int) -> Epoch:
    """One epoch of the project's loop, as a command trains one run."""
    workload = WORKLOADS[name]
    tr, te = splits(workload, data)
    model = build_seeded(workload.build, seed)
    config = TrainConfig("adam", 1e-3, workload.batch_size, 1, seed)
    marks: list[float] = []
    used: list[int] = []

    def mark(_record: object) -> None:
        marks.append(time.perf_counter())
        used.append(torch.get_num_threads())  # inside the loop: the threads it trains on

    if not workload.evaluated:
        small = Split(te.x[:512], te.y[:512])
        history = train(model, tr, small, config, workload.loss, classify=workload.classify,
                        on_epoch=mark, evaluate_train=False, threads=run_threads(1))
        return Epoch(name, "ours", history.train_seconds, history.train_seconds, used[-1],
                     history.steps, history.final.train_loss, None, None, os.getloadavg()[0])
    history = train(model, tr, te, config, workload.loss, classify=workload.classify,
                    on_epoch=mark, threads=run_threads(1))
    seconds = marks[1] - marks[0]  # from the record before training to the one after it
    final = history.final
    gap = max(abs(ours - plain_loss(model, split, workload.plain_loss, workload.batch_size))
              / abs(ours) for ours, split in ((final.train_loss, tr), (final.test_loss, te)))
    return Epoch(name, "ours", seconds, history.train_seconds, used[-1], history.steps,
                 final.train_loss, final.test_loss, gap, os.getloadavg()[0])


def warm_up(name: str, form: str, data: MnistData) -> None:
    """A few steps of the form, so oneDNN's first-call setup is not timed."""
    n = WORKLOADS[name].batch_size * 20
    (plain_epoch if form == "plain" else ours_epoch)(name, data.subset(n, n, seed=0), 0)


def epoch_command(name: str, form: str, seed: int) -> list[str]:
    """The command that times one epoch in a fresh process (torch first for the plain form)."""
    args = [name, form, "--seed", str(seed)]
    if form == "plain":
        code = ("import sys, runpy, torch; sys.argv[0] = 'ex3.bench.epochs'; "
                "runpy.run_module('ex3.bench.epochs', run_name='__main__', alter_sys=True)")
        return [sys.executable, "-c", code, *args]
    return [sys.executable, "-m", "ex3.bench.epochs", *args]


def epoch_in_subprocess(name: str, form: str, seed: int = 0, timeout_s: float = 900) -> Epoch:
    """One timed epoch of ``form`` in a fresh process (the plain one without ex3's OpenMP
    settings in its environment)."""
    env = dict(os.environ)
    if form == "plain":
        for variable in OPENMP_WAIT_VARIABLES:
            env.pop(variable, None)
    proc = subprocess.run(epoch_command(name, form, seed), env=env, capture_output=True,
                          text=True, timeout=timeout_s, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{name} {form} epoch exited {proc.returncode}: {proc.stderr[-600:]}")
    return Epoch(**json.loads(proc.stdout.strip().splitlines()[-1]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ex3.bench.epochs")
    parser.add_argument("workload", choices=sorted(WORKLOADS))
    parser.add_argument("form", choices=FORMS)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    data = load_mnist()
    warm_up(args.workload, args.form, data)
    epoch = (plain_epoch if args.form == "plain" else ours_epoch)(args.workload, data, args.seed)
    out = {k: (None if isinstance(v, float) and not math.isfinite(v) else v)
           for k, v in asdict(epoch).items()}
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
