"""What the training loop takes and gives: its configuration, splits and history.

Kept apart from the loop (``ex3.training.loop``) so that the loop module is
the loop; the loop re-exports these names, which every caller imports from it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

import torch

from ex3.models.losses import LossFn

__all__ = ["EpochRecord", "History", "LossFn", "Split", "TrainConfig"]


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
    """Metrics after ``epoch`` epochs (epoch 0: before any training).

    With ``eval_every_steps`` records are taken every that many steps; a record
    inside an epoch carries the number of the epoch in progress, and ``step``
    is then the exact position.
    """

    epoch: int
    step: int
    train_loss: float
    test_loss: float
    train_acc: float | None
    test_acc: float | None
    elapsed_s: float


@dataclass
class History:
    """What a training run produced, epoch by epoch.

    ``stopped_early`` is True when a ``stop_when`` callback ended the run
    before its configured epochs (a time-to-target run that got there).
    """

    records: list[EpochRecord] = field(default_factory=list)
    diverged: bool = False
    diverged_at_epoch: int | None = None
    steps: int = 0
    train_seconds: float = 0.0
    stopped_early: bool = False

    def series(self, name: str) -> list[float | None]:
        """One metric across the recorded epochs, e.g. ``series("test_loss")``."""
        return [getattr(r, name) for r in self.records]

    @property
    def final(self) -> EpochRecord:
        return self.records[-1]

    def to_json(self) -> dict:
        return {"records": [asdict(r) for r in self.records], "diverged": self.diverged,
                "diverged_at_epoch": self.diverged_at_epoch, "steps": self.steps,
                "train_seconds": self.train_seconds, "stopped_early": self.stopped_early}

    @classmethod
    def from_json(cls, data: dict) -> History:
        return cls(records=[EpochRecord(**r) for r in data["records"]],
                   diverged=data["diverged"], diverged_at_epoch=data["diverged_at_epoch"],
                   steps=data["steps"], train_seconds=data["train_seconds"],
                   stopped_early=data.get("stopped_early", False))
