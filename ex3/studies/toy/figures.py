"""The toy study's figure: train and test loss per function and model, like the report's."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from ex3.data.toy import FUNCTIONS
from ex3.studies.contract import RunContext
from ex3.studies.toy.judge import NEAR_ZERO
from ex3.studies.toy.study import SLOTS, protocol_for, run_study

COLOURS = {"linear": "tab:blue", "cnn": "tab:red"}


def toy_loss_curves(ctx: RunContext) -> Figure:
    """Normalised MSE per epoch: one panel per function, thin lines per seed, bold median."""
    protocol = protocol_for(ctx)
    study = run_study(ctx, protocol)
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8), sharey=True)
    for ax, f in zip(axes, FUNCTIONS, strict=True):
        for m in SLOTS:
            for split, style in (("train", "--"), ("test", "-")):
                runs = np.array([getattr(study[s][f][m], split) for s in protocol.seeds])
                epochs = np.arange(runs.shape[1])
                for r in runs:
                    ax.plot(epochs, r, style, color=COLOURS[m], alpha=0.15, lw=0.7)
                ax.plot(epochs, np.median(runs, axis=0), style, color=COLOURS[m], lw=1.8,
                        label=f"{m} {split}")
        ax.axhline(NEAR_ZERO, color="grey", lw=0.8, ls=":", label=f"near zero ({NEAR_ZERO})")
        ax.set_yscale("log")
        ax.set_title(f"{f}")
        ax.set_xlabel("epoch")
    axes[0].set_ylabel("normalised MSE (MSE / Var y)")
    axes[-1].legend(fontsize=7)
    fig.suptitle(f"Toy study: linear vs CNN, {len(protocol.seeds)} seeds "
                 f"(SGD lr {protocol.lr}, batch {protocol.batch_size})")
    return fig


FIGURES = {"toy_loss_curves": toy_loss_curves}
