"""Many independent copies of small models as one module with a leading run dimension.

The toy study trains 30 runs of models with 4 to 10 weights; trained one at
a time, nearly all of its time is Python and dispatch overhead per step.
``StackedRuns`` holds the runs' parameters stacked along a leading dimension
and evaluates every run's own, unmodified ``forward`` through
``torch.func.vmap`` over ``torch.func.functional_call``, so the model code
is the one the single-run path uses and one step of the stack is one step of
every run. Runs of different architectures (the linear model and the CNN)
form separate groups whose outputs are concatenated in run order.

``RunStack`` is the training loop's layout for such a stack
(``ex3.training.layout``): splits with a leading run dimension, each run
shuffled by its own generator, the one-run loss applied per run by
``torch.func.vmap``, and the gradient taken of the sum of the per-run losses,
which gives each run exactly its own gradient.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field

import torch
from torch import nn
from torch.func import functional_call, stack_module_state, vmap

from ex3.training.records import LossFn, Split


class _Group(nn.Module):
    """Runs of one architecture: stacked parameters and a parameter-free template."""

    def __init__(self, modules: Sequence[nn.Module]) -> None:
        super().__init__()
        params, buffers = stack_module_state(list(modules))
        if buffers:
            raise ValueError("StackedRuns supports models without buffers only")
        self.names = list(params)
        self.stacked = nn.ParameterList(nn.Parameter(params[name]) for name in self.names)
        # The template only supplies forward(); keeping it out of the module tree keeps its
        # own parameters out of .parameters() and state_dict().
        self._template = (copy.deepcopy(modules[0]).to("meta"),)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        template = self._template[0]

        def one(params: dict[str, torch.Tensor], xs: torch.Tensor) -> torch.Tensor:
            return functional_call(template, params, (xs,))

        return vmap(one)(dict(zip(self.names, self.stacked, strict=True)), x)

    def run_state(self, index: int) -> dict[str, torch.Tensor]:
        """The parameters of run ``index`` of this group, as its own model's state_dict."""
        return {name: p[index].detach().clone()
                for name, p in zip(self.names, self.stacked, strict=True)}


class StackedRuns(nn.Module):
    """Groups of same-architecture runs, evaluated as one [runs, batch, ...] -> [runs, ...] map.

    ``groups[g]`` lists the (already initialised) modules of group ``g``; run
    order is group by group. Each module's initial parameters are copied, so
    a run starts exactly where the module built alone would start.
    """

    def __init__(self, groups: Sequence[Sequence[nn.Module]]) -> None:
        super().__init__()
        if not groups or any(len(g) == 0 for g in groups):
            raise ValueError("StackedRuns needs at least one non-empty group")
        self.groups = nn.ModuleList(_Group(g) for g in groups)
        self.sizes = [len(g) for g in groups]

    @property
    def n_runs(self) -> int:
        return sum(self.sizes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.shape[0] != self.n_runs:
            raise ValueError(f"input has {x.shape[0]} runs, the stack {self.n_runs}")
        parts = torch.split(x, self.sizes)
        outs = [group(part) for group, part in zip(self.groups, parts, strict=True)]
        return outs[0] if len(outs) == 1 else torch.cat(outs)

    def run_state(self, run: int) -> dict[str, torch.Tensor]:
        """The parameters of run ``run`` (in stack order), loadable into its own model."""
        index = run
        for group, size in zip(self.groups, self.sizes, strict=True):
            if index < size:
                return group.run_state(index)  # type: ignore[operator]
            index -= size
        raise IndexError(f"run {run} out of range for {self.n_runs} runs")


@dataclass(frozen=True)
class RunStack:
    """The loop's layout for ``runs`` runs stacked along a leading dimension."""

    runs: int
    shape: tuple[int, ...] = field(init=False)
    _rows: torch.Tensor = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "shape", (self.runs,))
        object.__setattr__(self, "_rows", torch.arange(self.runs).unsqueeze(1))

    def examples(self, split: Split) -> int:
        return int(split.x.shape[1])

    def order(self, generators: Sequence[torch.Generator], n: int) -> torch.Tensor:
        return torch.stack([torch.randperm(n, generator=g) for g in generators])

    def batch(self, split: Split, order: torch.Tensor, start: int, size: int
              ) -> tuple[torch.Tensor, torch.Tensor]:
        idx = order[:, start:start + size]
        return split.x[self._rows, idx], split.y[self._rows, idx]

    def step_loss(self, loss_fn: LossFn) -> LossFn:
        return vmap(loss_fn)

    def objective(self, loss: torch.Tensor) -> torch.Tensor:
        return loss.sum()

    def finite(self, value: torch.Tensor) -> list[bool]:
        return torch.isfinite(value).tolist()

    def values(self, value: torch.Tensor | None) -> list[float | None]:
        return [None] * self.runs if value is None else value.tolist()

    @torch.inference_mode()
    def evaluate(self, model: nn.Module, split: Split, loss_fn: LossFn, classify: bool,
                 chunk: int) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Mean loss (and accuracy) of every run; ``model`` maps [runs, batch, ...] to
        [runs, batch, ...]."""
        was_training = model.training
        model.eval()
        n = int(split.x.shape[1])
        per_run = vmap(loss_fn)
        total = torch.zeros(self.shape, dtype=torch.float64)
        correct = torch.zeros(self.shape, dtype=torch.int64)
        for i in range(0, n, chunk):
            x, target = split.x[:, i:i + chunk], split.y[:, i:i + chunk]
            out = model(x)
            total += per_run(out, target).double() * target.shape[1]
            if classify:
                correct += (out.argmax(dim=-1) == target).sum(dim=-1)
        model.train(was_training)
        return total / max(n, 1), (correct.double() / n if classify else None)
