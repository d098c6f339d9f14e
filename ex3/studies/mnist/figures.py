"""The MNIST learning curves: loss and accuracy per epoch, train and test, per model."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from ex3.studies.contract import RunContext
from ex3.studies.mnist.study import runs

COLOURS = {"linear": "tab:blue", "mlp": "tab:orange", "convnet": "tab:green"}


def mnist_learning_curves(ctx: RunContext) -> Figure:
    """Two panels (loss, accuracy); solid test, dashed train; median over seeds."""
    all_runs = runs(ctx)
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(11, 4))
    for model, colour in COLOURS.items():
        histories = [by_model[model].history for by_model in all_runs.values()]
        for split, style in (("train", "--"), ("test", "-")):
            loss = np.median([h.series(f"{split}_loss") for h in histories], axis=0)
            acc = np.median([h.series(f"{split}_acc") for h in histories], axis=0)
            epochs = np.arange(len(loss))
            ax_loss.plot(epochs, loss, style, color=colour, label=f"{model} {split}")
            ax_acc.plot(epochs, acc, style, color=colour, label=f"{model} {split}")
    ax_loss.set(xlabel="epoch", ylabel="cross-entropy", yscale="log", title="loss")
    ax_acc.set(xlabel="epoch", ylabel="accuracy", title="accuracy", ylim=(0.85, 1.0))
    ax_acc.axhline(0.92, color="grey", ls=":", lw=0.8)
    ax_acc.legend(fontsize=7)
    fig.suptitle(f"MNIST classifiers, Adam 1e-3, median of {len(all_runs)} seeds "
                 f"({ctx.profile} profile)")
    return fig


FIGURES = {"mnist_learning_curves": mnist_learning_curves}
