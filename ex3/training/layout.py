"""Where the runs of one training program lie in its tensors: the loop's layout-dependent steps.

The training loop (``ex3.training.loop``) is written once against
:class:`Layout`. :class:`OneRun` is the plain case: one model, splits of
[examples, ...], a scalar loss. The stacked case (many runs trained as one
program, ``train_runs``) is ``ex3.training.stacked.RunStack``; its tensors
carry a leading run dimension. Every method here does exactly what the loop
did inline before the two cases were separated, so results are unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import torch
from torch import nn

from ex3.training.records import LossFn, Split


class Layout(Protocol):
    """The operations of the loop that depend on how many runs a tensor holds."""

    #: The shape of a per-run value: () for one run, (runs,) for a stack.
    shape: tuple[int, ...]

    def examples(self, split: Split) -> int:
        """Examples per run in ``split``."""
        ...

    def order(self, generators: Sequence[torch.Generator], n: int) -> torch.Tensor:
        """This epoch's shuffled indices, drawn from each run's own generator."""
        ...

    def batch(self, split: Split, order: torch.Tensor, start: int, size: int
              ) -> tuple[torch.Tensor, torch.Tensor]:
        """Inputs and targets of the mini-batch at ``order[start:start + size]``."""
        ...

    def step_loss(self, loss_fn: LossFn) -> LossFn:
        """``loss_fn`` (written for one run) as the per-run loss of a batch."""
        ...

    def objective(self, loss: torch.Tensor) -> torch.Tensor:
        """The scalar the gradient is taken of."""
        ...

    def finite(self, value: torch.Tensor) -> list[bool]:
        """Per run, whether ``value`` is finite."""
        ...

    def values(self, value: torch.Tensor | None) -> list[float | None]:
        """A per-run value as one Python number per run (None: None for every run)."""
        ...

    def evaluate(self, model: nn.Module, split: Split, loss_fn: LossFn, classify: bool,
                 chunk: int) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Mean loss (and accuracy) over ``split``, per run."""
        ...


class OneRun:
    """One model trained alone: splits of [examples, ...], a scalar loss."""

    shape: tuple[int, ...] = ()

    def examples(self, split: Split) -> int:
        return int(split.x.shape[0])

    def order(self, generators: Sequence[torch.Generator], n: int) -> torch.Tensor:
        return torch.randperm(n, generator=generators[0])

    def batch(self, split: Split, order: torch.Tensor, start: int, size: int
              ) -> tuple[torch.Tensor, torch.Tensor]:
        idx = order[start:start + size].to(split.x.device)  # the order is drawn on the CPU
        return split.x[idx], split.y[idx]

    def step_loss(self, loss_fn: LossFn) -> LossFn:
        return loss_fn

    def objective(self, loss: torch.Tensor) -> torch.Tensor:
        return loss

    def finite(self, value: torch.Tensor) -> list[bool]:
        return [bool(torch.isfinite(value))]

    def values(self, value: torch.Tensor | None) -> list[float | None]:
        return [None if value is None else float(value)]

    @torch.inference_mode()
    def evaluate(self, model: nn.Module, split: Split, loss_fn: LossFn, classify: bool,
                 chunk: int) -> tuple[torch.Tensor, torch.Tensor | None]:
        was_training = model.training
        model.eval()
        n = int(split.x.shape[0])
        total = torch.zeros((), dtype=torch.float64, device=split.x.device)
        correct = torch.zeros((), dtype=torch.int64, device=split.x.device)
        for i in range(0, n, chunk):
            x, target = split.x[i:i + chunk], split.y[i:i + chunk]
            out = model(x)
            total += loss_fn(out, target).double() * target.shape[0]
            if classify:
                correct += (out.argmax(dim=-1) == target).sum()
        model.train(was_training)
        return total / max(n, 1), (correct.double() / n if classify else None)
