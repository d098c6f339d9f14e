"""Measuring the autoencoders against PCA: reconstruction, code separation, recognisability.

Declared protocol (CLAIMS.md, "Autoencoder versus PCA"; the report gives no
training settings, see ``ex3.models.autoencoder`` for why these):

* models: ``autoencoder`` (784-512-128-2-128-512-784) and ``autoencoder_deep``
  (encoder 784-512-256-128-64-32-16-8-4-2, mirror decoder), ReLU everywhere
  including the 2-unit code, sigmoid output; binary cross-entropy, Adam
  lr 1e-3, batch 256, trained through the shared run cache;
* baseline: scikit-learn ``PCA(n_components=2)`` fit on the same training
  images as the autoencoders (exact covariance eigendecomposition in float64,
  so the fit is deterministic), reconstruction by ``inverse_transform``;
* ``full``: all 60,000 / 10,000 images, 50 epochs (the epochs of the Keras
  autoencoder tutorial the report's code follows; the evidence shows the
  training loss's relative change over the last 10 epochs, so whether it has
  flattened is visible), 3 seeds;
* ``quick``: a stratified 10,000-image training subset per seed (its own
  PCA fit on that subset), all 10,000 test images, 12 epochs, 2 seeds
  (measured: 83 s from a cold run cache on one core; ``ex3 verify --workers
  2`` trains these runs alongside the MNIST study's).

Measured on the 10,000 test images, per seed: mean squared error per pixel
of the reconstructions (pixels in [0, 1]); separation of the 2-D codes by
k-nearest-neighbour accuracy (k = 5, scikit-learn's default, fit on the
training codes, scored on the test codes) and by the silhouette score of
the digit labels (Euclidean, all test codes); recognisability as the share
of test reconstructions that the study's judge classifies as the true digit;
dead code units (0 on every test image). The judge is the MNIST study's
convnet of the same profile (its first seed), reused from the run cache and
never retrained here: one judge for every seed, so differences between seeds
are the autoencoders', not the judge's. The ten-image panel uses the first
ten test images, the ones Keras' tutorial plots (digits 7 2 1 0 4 1 4 9 5 9,
which is where a 9/4 confusion like the report's can happen).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Protocol

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.decomposition import PCA
from sklearn.metrics import silhouette_score
from sklearn.neighbors import KNeighborsClassifier
from torch import nn

from ex3.data.mnist import MnistData
from ex3.studies.autoencoder.evidence import (
    FLATTEN_WINDOW,
    AutoencoderEvidence,
    JudgeReading,
    PcaCoderMetrics,
    TenImages,
    TrainedCoder,
)
from ex3.studies.autoencoder.pca import pca_for
from ex3.studies.contract import RunContext, with_overrides
from ex3.studies.mnist import study as mnist_study
from ex3.studies.mnist.data import data_for, seeds_for
from ex3.training.loop import History, Split, TrainConfig, evaluate
from ex3.training.runner import run
from ex3.training.runs import RunResult, RunSpec

AUTOENCODERS = ("autoencoder", "autoencoder_deep")
METHODS = (*AUTOENCODERS, "pca")
BCE_EPS = 1e-7  # Keras' clipping of probabilities in binary_crossentropy

#: The protocol's ``loss`` (as the report would word it) -> the run's loss: None trains with
#: the autoencoders' own, binary cross-entropy; "mse" is a robustness neighbour's choice.
BCE_LOSS, MSE_LOSS = "binary cross-entropy per pixel", "mean squared error per pixel"
LOSS_NAMES: dict[str, str | None] = {BCE_LOSS: None, MSE_LOSS: "mse"}


@dataclass(frozen=True)
class AutoencoderProtocol:
    """Everything needed to reproduce the autoencoder-versus-PCA comparison."""

    seeds: tuple[int, ...]
    epochs: int
    n_train: int | None
    models: tuple[str, ...] = AUTOENCODERS
    optimizer: str = "adam"
    lr: float = 1e-3
    batch_size: int = 256
    loss: str = BCE_LOSS
    pca_components: int = 2
    knn_k: int = 5
    silhouette_on: str = "all test codes, digit labels, Euclidean"
    ten_images: tuple[int, ...] = tuple(range(10))
    judge_model: str = "convnet"
    judge_seed: int = 0
    judge_profile: str = "quick"
    #: (slot, model): ``model`` fills the slot ``slot`` of ``models``; ``"pca"``
    #: puts the PCA baseline there. Empty in the declared protocol, used to
    #: build falsification worlds.
    substitutions: tuple[tuple[str, str], ...] = ()

    def model_for(self, slot: str) -> str:
        """What fills ``slot``: the slot's own model unless a substitution says otherwise."""
        return dict(self.substitutions).get(slot, slot)

    def trained_slots(self) -> tuple[str, ...]:
        """The slots filled by a trained network (not by PCA)."""
        return tuple(s for s in self.models if self.model_for(s) != "pca")

    def spec(self, slot: str, seed: int, threads: int = 1, device: str = "cpu") -> RunSpec:
        """The run for ``slot`` and ``seed``, trained on ``threads`` threads of ``device``."""
        config = TrainConfig(self.optimizer, self.lr, self.batch_size, self.epochs, seed)  # type: ignore[arg-type]
        return RunSpec(self.model_for(slot), config, self.n_train, None, LOSS_NAMES[self.loss],
                       threads=threads, device=device)


EPOCHS = {"quick": 12, "full": 50}
N_TRAIN = {"quick": 10_000, "full": None}
SEEDS = {"quick": 2, "full": 3}


def protocol_for(ctx: RunContext) -> AutoencoderProtocol:
    """The declared protocol; on the bundled sample (3,000 images) the whole sample is used."""
    n_train = N_TRAIN[ctx.profile]
    if n_train is not None and data_for(ctx).kind == "sample":
        n_train = None
    protocol = AutoencoderProtocol(seeds=seeds_for(ctx, SEEDS[ctx.profile]),
                                   epochs=EPOCHS[ctx.profile], n_train=n_train,
                                   judge_seed=mnist_study.protocol_for(judge_context(ctx)).seeds[0],
                                   judge_profile=ctx.profile)
    return with_overrides(protocol, ctx)


def planned_runs(ctx: RunContext) -> list[RunSpec]:
    """Every run ``measure`` asks for, the judge included, for ``ex3 verify --workers``."""
    protocol = protocol_for(ctx)
    mnist = mnist_study.protocol_for(judge_context(ctx))
    return [*(protocol.spec(slot, seed, ctx.threads, ctx.device) for seed in protocol.seeds
              for slot in protocol.trained_slots()),
            mnist.spec("convnet", mnist.seeds[0], ctx.threads, ctx.device)]


def runs(ctx: RunContext) -> dict[int, dict[str, RunResult]]:
    """Every autoencoder run of the study, ``result[seed][model]`` (from the run cache)."""
    protocol = protocol_for(ctx)
    data = data_for(ctx)
    return {seed: {m: run(protocol.spec(m, seed, ctx.threads, ctx.device), data, ctx.on_epoch)
                   for m in protocol.trained_slots()}
            for seed in protocol.seeds}


#: The overrides the recognisability judge shares with a world that shrinks the data:
#: its size (a tiny world gets a tiny judge), never what the world changes about the
#: autoencoders (learning rate, substitutions).
JUDGE_OVERRIDES = ("n_train", "epochs")


def judge_context(ctx: RunContext) -> RunContext:
    """``ctx`` as the MNIST study sees it when it trains the judge.

    Only a context that shrinks the training set (a tiny world) gives the
    judge its size; one that changes the autoencoders' epochs, loss or batch
    (a robustness neighbour) keeps the declared judge, which is not a choice
    of the autoencoder section.
    """
    names = {k for k, _ in ctx.overrides}
    shared = (tuple((k, v) for k, v in ctx.overrides if k in JUDGE_OVERRIDES)
              if "n_train" in names else ())
    return dataclasses.replace(ctx, overrides=shared)


def judge_model(ctx: RunContext) -> nn.Module:
    """The MNIST study's trained convnet (its first seed), the recognisability judge.

    Loaded once per session (``ctx.cache``): every seed and claim reads with the same one.
    """
    mnist = mnist_study.protocol_for(judge_context(ctx))
    spec = mnist.spec("convnet", mnist.seeds[0], ctx.threads, ctx.device)
    return ctx.cache.get(("autoencoder.judge_model", spec, ctx.data_dir, ctx.download),
                         lambda: run(spec, data_for(ctx), ctx.on_epoch).model)


@dataclass(frozen=True)
class SeedAnalysis:
    """One seed's outputs: typed metrics for the evidence, arrays for the figures."""

    metrics: dict[str, TrainedCoder | PcaCoderMetrics]
    test_codes: dict[str, np.ndarray]
    ten_reconstructions: dict[str, np.ndarray]
    ten_read: dict[str, list[int]]


class Coder(Protocol):
    """Anything that maps flattened images to 2-D codes and back: an autoencoder, or PCA."""

    def encode(self, x: torch.Tensor) -> torch.Tensor: ...

    def decode(self, code: torch.Tensor) -> torch.Tensor: ...


class PcaCoder:
    """PCA seen as an encoder/decoder pair, so it is measured by the very same code."""

    def __init__(self, pca: PCA) -> None:
        self.pca = pca

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return torch.from_numpy(self.pca.transform(x.flatten(1).numpy().astype(np.float64)))

    def decode(self, code: torch.Tensor) -> torch.Tensor:
        return torch.from_numpy(self.pca.inverse_transform(code.numpy()))


@torch.inference_mode()
def _in_chunks(fn: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor,
               chunk: int = 2048) -> torch.Tensor:
    return torch.cat([fn(x[i:i + chunk]) for i in range(0, len(x), chunk)])


def _mse(reconstruction: torch.Tensor, images: torch.Tensor) -> float:
    return float(((reconstruction.double() - images.flatten(1).double()) ** 2).mean())


def _bce(reconstruction: torch.Tensor, images: torch.Tensor) -> float:
    clipped = reconstruction.double().clamp(BCE_EPS, 1 - BCE_EPS)
    return float(F.binary_cross_entropy(clipped, images.flatten(1).double()))


def _recognisable(judge: nn.Module, reconstruction: torch.Tensor, labels: torch.Tensor) -> float:
    images = reconstruction.float().reshape(-1, 1, 28, 28)
    _, share = evaluate(judge, Split(images, labels), F.cross_entropy, classify=True)
    return float(share)  # type: ignore[arg-type]


def _read(judge: nn.Module, images: torch.Tensor) -> list[int]:
    was_training = judge.training
    judge.eval()
    with torch.inference_mode():
        read = judge(images.float().reshape(-1, 1, 28, 28)).argmax(dim=1).tolist()
    judge.train(was_training)
    return read


def _separation(train_codes: np.ndarray, train_y: np.ndarray, test_codes: np.ndarray,
                test_y: np.ndarray, k: int) -> dict[str, float | None]:
    """kNN accuracy and silhouette; the silhouette is None (undefined) when all codes coincide."""
    knn = KNeighborsClassifier(n_neighbors=k).fit(train_codes, train_y)
    distinct = len(np.unique(test_codes, axis=0)) > 1
    silhouette = float(silhouette_score(test_codes, test_y)) if distinct else None
    return {"knn_acc": float(knn.score(test_codes, test_y)), "silhouette": silhouette}


@dataclass(frozen=True)
class MethodOutputs:
    """What one coder did on one data set: metrics, test codes, the ten images."""

    metrics: dict
    test_codes: np.ndarray
    ten_reconstructions: np.ndarray
    ten_read: list[int]


def method_outputs(coder: Coder, data: MnistData, judge: nn.Module, ten: list[int],
                   knn_k: int) -> MethodOutputs:
    """Reconstruction error, code separation, recognisability and dead units of one coder.

    Autoencoders and PCA go through this one function, so a difference
    between them can only come from the coders themselves.
    """
    train_x, test_x = data.train_x.flatten(1), data.test_x.flatten(1)
    train_codes = _in_chunks(coder.encode, train_x)
    codes = _in_chunks(coder.encode, test_x)
    train_rec = _in_chunks(coder.decode, train_codes)
    test_rec = _in_chunks(coder.decode, codes)
    read_ten = _read(judge, test_rec[ten])
    labels_ten = data.test_y[ten].tolist()
    metrics = {"train_mse": _mse(train_rec, train_x), "test_mse": _mse(test_rec, test_x),
               "test_bce": _bce(test_rec, test_x),
               **_separation(train_codes.numpy(), data.train_y.numpy(), codes.numpy(),
                             data.test_y.numpy(), knn_k),
               "recognisable_share": _recognisable(judge, test_rec, data.test_y),
               "ten_correct": sum(p == y for p, y in zip(read_ten, labels_ten, strict=True)),
               "ten_read": read_ten,
               "dead_code_units": int((codes == 0).all(dim=0).sum()),
               "code_dim": int(codes.shape[1])}
    return MethodOutputs(metrics, codes.numpy(), test_rec[ten].numpy(), read_ten)


def _curve_metrics(history: History) -> dict:
    train_curve = [float(v) for v in history.series("train_loss")]
    tail = train_curve[-FLATTEN_WINDOW - 1:]
    return {"train_loss_curve": train_curve,
            "test_loss_curve": [float(v) for v in history.series("test_loss")],
            "train_loss": train_curve[-1],
            "train_loss_first_epoch": train_curve[1] if len(train_curve) > 1 else None,
            "test_loss": float(history.final.test_loss),  # type: ignore[arg-type]
            "train_loss_rel_change_last_10_epochs":
                (tail[-1] - tail[0]) / tail[0] if len(tail) > 1 and tail[0] else None,
            "diverged": history.diverged, "train_seconds": round(history.train_seconds, 2)}


def analyse(ctx: RunContext, seed: int) -> SeedAnalysis:
    """Both autoencoders and PCA measured on one seed's data (once per session: ``ctx.cache``)."""
    return ctx.cache.get(("autoencoder.analyse", ctx, seed), lambda: _analyse(ctx, seed))


def _analyse(ctx: RunContext, seed: int) -> SeedAnalysis:
    protocol = protocol_for(ctx)
    data = data_for(ctx).subset(protocol.n_train, None, seed=seed)
    judge = judge_model(ctx)
    ten = list(protocol.ten_images)
    outputs: dict[str, MethodOutputs] = {}
    metrics: dict[str, TrainedCoder | PcaCoderMetrics] = {}
    pca = pca_for(data, protocol.pca_components, ctx.cache)
    trained = runs(ctx)[seed]
    for name in (*protocol.models, "pca"):
        if name in trained:
            result = trained[name]
            outputs[name] = method_outputs(result.model, data, judge, ten, protocol.knn_k)
            metrics[name] = TrainedCoder(**_curve_metrics(result.history),
                                         **outputs[name].metrics)
        else:
            outputs[name] = method_outputs(PcaCoder(pca), data, judge, ten, protocol.knn_k)
            metrics[name] = PcaCoderMetrics(
                explained_variance_ratio=[float(v) for v in pca.explained_variance_ratio_],
                **outputs[name].metrics)
    return SeedAnalysis(metrics,
                        {m: o.test_codes for m, o in outputs.items()},
                        {m: o.ten_reconstructions for m, o in outputs.items()},
                        {m: o.ten_read for m, o in outputs.items()})


def measure(ctx: RunContext) -> AutoencoderEvidence:
    """Per seed, every metric of both autoencoders and PCA, plus the judge's own reading.

    Measured once per session (``ctx.cache``): A1-A5 share it.
    """
    return ctx.cache.get(("autoencoder.measure", ctx), lambda: _measure(ctx))


def _measure(ctx: RunContext) -> AutoencoderEvidence:
    protocol = protocol_for(ctx)
    data = data_for(ctx)
    judge = judge_model(ctx)
    ten = list(protocol.ten_images)
    originals = data.test_x[ten]
    _, judge_acc = evaluate(judge, Split(data.test_x, data.test_y), F.cross_entropy,
                            classify=True)
    per_seed = {str(seed): analyse(ctx, seed).metrics for seed in protocol.seeds}
    return AutoencoderEvidence(
        protocol=asdict(protocol), per_seed=per_seed,
        judge=JudgeReading(model=protocol.judge_model, seed=protocol.judge_seed,
                           test_acc_on_originals=judge_acc,  # type: ignore[arg-type]
                           ten_read_originals=_read(judge, originals)),
        ten_images=TenImages(indices=ten, labels=data.test_y[ten].tolist()),
        data_kind=data.kind, data_source=data.source)
