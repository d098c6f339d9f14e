"""The autoencoder figures: learning curves, 2-D codes against PCA, the ten-image panel.

They draw from the study's memoised analysis and the run cache, so drawing
after the claims have been measured retrains nothing.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from ex3.studies.autoencoder.study import analyse, measure, protocol_for, runs
from ex3.studies.contract import RunContext
from ex3.studies.mnist.data import data_for

COLOURS = {"autoencoder": "tab:blue", "autoencoder_deep": "tab:orange"}
LABELS = {"autoencoder": "autoencoder 784-512-128-2", "autoencoder_deep": "deep 784-...-4-2",
          "pca": "PCA, 2 components"}


def ae_learning_curves(ctx: RunContext) -> Figure:
    """Train (dashed) and test (solid) loss per epoch for both variants; median over seeds."""
    all_runs = runs(ctx)
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for model, colour in COLOURS.items():
        histories = [by_model[model].history for by_model in all_runs.values()]
        for split, style in (("train", "--"), ("test", "-")):
            series = [np.array(h.series(f"{split}_loss"), dtype=float) for h in histories]
            length = min(len(s) for s in series)
            curve = np.median([s[:length] for s in series], axis=0)
            ax.plot(np.arange(1, length), curve[1:], style, color=colour,
                    label=f"{LABELS[model]} {split}")
    ax.set(xlabel="epoch", ylabel="binary cross-entropy per pixel", yscale="log",
           title=f"Autoencoder learning curves, Adam 1e-3, batch 256, median of "
                 f"{len(all_runs)} seeds ({ctx.profile} profile)")
    ax.legend(fontsize=8)
    return fig


def ae_codes_scatter(ctx: RunContext) -> Figure:
    """The 2-D test codes of the autoencoder and of PCA side by side, coloured by digit."""
    protocol = protocol_for(ctx)
    seed = protocol.seeds[0]
    analysis = analyse(ctx, seed)
    labels = data_for(ctx).test_y.numpy()
    fig, axes = plt.subplots(1, 2, figsize=(12, 5.5))
    cmap = plt.get_cmap("tab10")
    for ax, method in zip(axes, ("autoencoder", "pca"), strict=True):
        codes = analysis.test_codes[method]
        for digit in range(10):
            mask = labels == digit
            ax.scatter(codes[mask, 0], codes[mask, 1], s=2, alpha=0.5, color=cmap(digit),
                       label=str(digit), rasterized=True)
        m = analysis.metrics[method]
        ax.set(title=f"{LABELS[method]}: kNN acc {m.knn_acc:.3f}, "
                     f"silhouette {m.silhouette:.3f}",
               xlabel="code 1", ylabel="code 2")
    axes[1].legend(title="digit", markerscale=5, fontsize=8, loc="best")
    fig.suptitle(f"2-D codes of the 10,000 test images (seed {seed}, {ctx.profile} profile)")
    return fig


def ae_ten_images(ctx: RunContext) -> Figure:
    """Rows: original, autoencoder, PCA; each reconstruction titled with the convnet's reading."""
    protocol = protocol_for(ctx)
    seed = protocol.seeds[0]
    analysis = analyse(ctx, seed)
    evidence = measure(ctx)
    data = data_for(ctx)
    ten = list(protocol.ten_images)
    originals = data.test_x[ten].flatten(1).numpy()
    truth = data.test_y[ten].tolist()
    rows = [("original", originals, evidence.judge.ten_read_originals),
            ("autoencoder", analysis.ten_reconstructions["autoencoder"],
             analysis.ten_read["autoencoder"]),
            ("pca", analysis.ten_reconstructions["pca"], analysis.ten_read["pca"])]
    fig, axes = plt.subplots(3, len(ten), figsize=(1.3 * len(ten), 4.6))
    for r, (name, images, read) in enumerate(rows):
        for c in range(len(ten)):
            ax = axes[r][c]
            ax.imshow(np.clip(images[c], 0, 1).reshape(28, 28), cmap="gray", vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
            ok = read[c] == truth[c]
            ax.set_title(f"reads {read[c]}", fontsize=8, color="green" if ok else "red")
            if c == 0:
                ax.set_ylabel(name, fontsize=9)
        correct = sum(p == t for p, t in zip(read, truth, strict=True))
        axes[r][-1].text(1.1, 0.5, f"{correct}/10", transform=axes[r][-1].transAxes,
                         va="center", fontsize=10)
    fig.suptitle(f"First ten test images and their reconstructions, read by the MNIST convnet "
                 f"(seed {seed}, {ctx.profile} profile)", fontsize=10)
    return fig


FIGURES = {"ae_learning_curves": ae_learning_curves, "ae_codes_scatter": ae_codes_scatter,
           "ae_ten_images": ae_ten_images}
