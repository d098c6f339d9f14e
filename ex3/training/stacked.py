"""Many independent copies of small models as one module with a leading run dimension.

The toy study trains 30 runs of models with 4 to 10 weights; trained one at
a time, nearly all of its time is Python and dispatch overhead per step.
``StackedRuns`` holds the runs' parameters stacked along a leading dimension
and evaluates every run's own, unmodified ``forward`` through
``torch.func.vmap`` over ``torch.func.functional_call``, so the model code
is the one the single-run path uses and one step of the stack is one step of
every run. Runs of different architectures (the linear model and the CNN)
form separate groups whose outputs are concatenated in run order.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence

import torch
from torch import nn
from torch.func import functional_call, stack_module_state, vmap


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
