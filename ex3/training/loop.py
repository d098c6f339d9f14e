"""The one training loop every model of the project is trained with.

Mini-batch training with SGD or Adam, evaluation of loss (and accuracy, for
classifiers) on the whole train and test splits every ``eval_every`` epochs,
and divergence detection. Design choices, for speed without changing what is
measured:

* data are whole tensors, batched by indexing a seeded permutation: no
  DataLoader, no per-item transforms;
* the loss is checked for NaN/inf once per epoch (one host sync), not per
  step; a diverged run stops and is recorded as diverged, never raised;
* evaluation runs under ``torch.inference_mode`` in chunks of 512, which
  measured fastest on CPU (larger chunks fall out of cache: 8192 was 2.7x slower);
* ``elapsed_s`` counts training time only, so time-to-target excludes
  evaluation, as MLPerf's rules do.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Literal

import torch
from torch import nn

LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


@dataclass(frozen=True)
class TrainConfig:
    """How to train: optimiser, learning rate, batch size, epochs, seed.

    ``weight_decay`` is the L2 penalty lambda of ``loss + lambda/2 ||theta||^2``
    (for SGD this is exactly torch's ``weight_decay``).
    """

    optimizer: Literal["sgd", "adam"]
    lr: float
    batch_size: int
    epochs: int
    seed: int
    weight_decay: float = 0.0
    eval_every: int = 1

    def __post_init__(self) -> None:
        if self.optimizer not in ("sgd", "adam"):
            raise ValueError(f"optimizer must be 'sgd' or 'adam', not {self.optimizer!r}")
        if not (self.lr > 0 and self.batch_size > 0 and self.epochs >= 0 and self.eval_every > 0):
            raise ValueError(f"invalid training configuration: {self}")


@dataclass(frozen=True)
class Split:
    """Inputs and targets of one split, as whole tensors."""

    x: torch.Tensor
    y: torch.Tensor

    def __len__(self) -> int:
        return int(self.x.shape[0])


@dataclass(frozen=True)
class EpochRecord:
    """Metrics after ``epoch`` epochs (epoch 0: before any training)."""

    epoch: int
    step: int
    train_loss: float
    test_loss: float
    train_acc: float | None
    test_acc: float | None
    elapsed_s: float


@dataclass
class History:
    """What a training run produced, epoch by epoch."""

    records: list[EpochRecord] = field(default_factory=list)
    diverged: bool = False
    diverged_at_epoch: int | None = None
    steps: int = 0
    train_seconds: float = 0.0

    def series(self, name: str) -> list[float | None]:
        """One metric across the recorded epochs, e.g. ``series("test_loss")``."""
        return [getattr(r, name) for r in self.records]

    @property
    def final(self) -> EpochRecord:
        return self.records[-1]

    def to_json(self) -> dict:
        return {"records": [asdict(r) for r in self.records], "diverged": self.diverged,
                "diverged_at_epoch": self.diverged_at_epoch, "steps": self.steps,
                "train_seconds": self.train_seconds}

    @classmethod
    def from_json(cls, data: dict) -> History:
        return cls(records=[EpochRecord(**r) for r in data["records"]],
                   diverged=data["diverged"], diverged_at_epoch=data["diverged_at_epoch"],
                   steps=data["steps"], train_seconds=data["train_seconds"])


def make_optimizer(model: nn.Module, config: TrainConfig) -> torch.optim.Optimizer:
    """SGD (plain, no momentum) or Adam (torch defaults, as Keras' defaults)."""
    params = list(model.parameters())
    if config.optimizer == "sgd":
        return torch.optim.SGD(params, lr=config.lr, weight_decay=config.weight_decay)
    return torch.optim.Adam(params, lr=config.lr, weight_decay=config.weight_decay)


@torch.inference_mode()
def evaluate(model: nn.Module, split: Split, loss_fn: LossFn, classify: bool,
             chunk: int = 512) -> tuple[float, float | None]:
    """Mean loss (and accuracy) over a whole split, in large chunks."""
    was_training = model.training
    model.eval()
    total = torch.zeros((), dtype=torch.float64)
    correct = torch.zeros((), dtype=torch.int64)
    n = len(split)
    for i in range(0, n, chunk):
        out = model(split.x[i:i + chunk])
        target = split.y[i:i + chunk]
        total += loss_fn(out, target).double() * target.shape[0]
        if classify:
            correct += (out.argmax(dim=1) == target).sum()
    model.train(was_training)
    loss = float(total / max(n, 1))
    return loss, (float(correct) / n if classify else None)


def train(model: nn.Module, train_split: Split, test_split: Split, config: TrainConfig,
          loss_fn: LossFn, *, classify: bool = False,
          on_epoch: Callable[[EpochRecord], None] | None = None) -> History:
    """Train ``model`` in place and return its history.

    The shuffling order comes from ``config.seed``; seed the model's
    initialisation before building it (see ``ex3.training.seeding``).
    """
    optimizer = make_optimizer(model, config)
    generator = torch.Generator().manual_seed(config.seed)
    history = History()
    n = len(train_split)

    def record(epoch: int) -> bool:
        tr_loss, tr_acc = evaluate(model, train_split, loss_fn, classify)
        te_loss, te_acc = evaluate(model, test_split, loss_fn, classify)
        rec = EpochRecord(epoch, history.steps, tr_loss, te_loss, tr_acc, te_acc,
                          round(history.train_seconds, 6))
        history.records.append(rec)
        if on_epoch is not None:
            on_epoch(rec)
        return math.isfinite(tr_loss)

    record(0)
    model.train()
    for epoch in range(1, config.epochs + 1):
        start = time.perf_counter()
        order = torch.randperm(n, generator=generator)
        running = torch.zeros(())
        for i in range(0, n, config.batch_size):
            idx = order[i:i + config.batch_size]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(train_split.x[idx]), train_split.y[idx])
            loss.backward()
            optimizer.step()
            running += loss.detach()
            history.steps += 1
        finite = bool(torch.isfinite(running))
        history.train_seconds += time.perf_counter() - start
        if not finite:
            history.diverged, history.diverged_at_epoch = True, epoch
            record(epoch)
            break
        if (epoch % config.eval_every == 0 or epoch == config.epochs) and not record(epoch):
            history.diverged, history.diverged_at_epoch = True, epoch
            break
    return history
