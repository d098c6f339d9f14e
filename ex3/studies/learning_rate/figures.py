"""The learning-rate sweep figure: one curve per rate, like the report's."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from ex3.studies.contract import RunContext
from ex3.studies.learning_rate.study import runs

COLOURS = ("tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple")  # the report's order


def _sweep(ctx: RunContext, optimizer: str) -> Figure:
    all_runs = runs(ctx, optimizer)
    fig, axes = plt.subplots(2, 2, figsize=(11, 7), sharex=True)
    rates = next(iter(all_runs.values())).keys()
    for colour, lr in zip(COLOURS, rates, strict=False):
        histories = [by_lr[lr].history for by_lr in all_runs.values()]
        for metric, ax_row in zip(("loss", "acc"), axes, strict=True):
            for col, split in enumerate(("train", "test")):
                series = [np.array(h.series(f"{split}_{metric}"), dtype=float)
                          for h in histories]
                length = min(len(s) for s in series)
                curve = np.median([s[:length] for s in series], axis=0)
                ax_row[col].plot(np.arange(length), curve, color=colour, label=f"lr {lr:g}")
                ax_row[col].set_title(f"{split} {metric}")
    for ax in axes[0]:
        ax.set_yscale("log")
    for ax in axes[1]:
        ax.set_xlabel("epoch")
    axes[0][1].legend(fontsize=8)
    fig.suptitle(f"Convnet, {optimizer.upper()} learning-rate sweep, median of "
                 f"{len(all_runs)} seeds ({ctx.profile} profile; missing points: diverged)")
    return fig


def lr_sweep_sgd(ctx: RunContext) -> Figure:
    return _sweep(ctx, "sgd")


def lr_sweep_adam(ctx: RunContext) -> Figure:
    return _sweep(ctx, "adam")


FIGURES = {"lr_sweep_sgd": lr_sweep_sgd, "lr_sweep_adam": lr_sweep_adam}
