"""Time-to-target through the one training loop.

A ``Plan`` holds everything a measurement needs that must not be timed
(data, splits, the seeded model builder, the declared target); ``Plan.run``
trains with ``ex3.training.loop.train`` and a ``stop_when`` callback that
reads the target metric at each record, so the run ends at the first record
that meets the target. The loop's ``elapsed_s`` counts training only, so the
time-to-target excludes the evaluations that read the metric; the wall time
of ``run`` (what pytest-benchmark times) includes them.

A plan is for one seed (the plan functions take it as a parameter); the
benchmarks build one per seed of ``targets.GATE_SEEDS`` and the gate
compares the median of their steps.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ex3.bench import targets as T
from ex3.bench.targets import Mode, Target
from ex3.data.mnist import MnistData
from ex3.data.toy import make_toy_data
from ex3.models.registry import model_spec
from ex3.models.toy import TOY_MODELS, squared_loss
from ex3.studies.mnist.study import MnistProtocol
from ex3.studies.toy import study as toy_study
from ex3.training.loop import (
    EpochRecord,
    LossFn,
    Split,
    TrainConfig,
    evaluate,
    intra_op_threads,
    train,
    train_threads,
)
from ex3.training.runs import RunSpec
from ex3.training.seeding import build_seeded
from ex3.training.splits import splits

MetricFn = Callable[[nn.Module, EpochRecord], float | None]


@dataclass
class TargetResult:
    """One time-to-target measurement; ``steps``/``seconds`` are None when not reached."""

    target: Target
    reached: bool
    steps: int | None
    epochs: float | None
    seconds: float | None
    steps_run: int
    budget_steps: int
    train_seconds: float
    wall_seconds: float
    best: float | None
    final: dict[str, float | int | None]
    train_samples_per_s: float
    eval_samples_per_s: float | None = None
    threads: int = field(default_factory=train_threads)

    def summary(self) -> str:
        """One line for the terminal: steps and time to target, or 'not reached' and the best."""
        best = "n/a" if self.best is None else f"{self.best:.4g}"
        if not self.reached:
            return (f"{self.target.name}: not reached ({self.target.describe()}); best "
                    f"{best} in {self.steps_run} steps (budget {self.budget_steps})")
        return (f"{self.target.name}: reached {self.target.describe()} in {self.steps} steps "
                f"({self.epochs:.2f} epochs), {self.seconds:.2f} s of training "
                f"({self.wall_seconds:.2f} s wall with evaluation); "
                f"{self.train_samples_per_s:,.0f} train samples/s"
                + (f", {self.eval_samples_per_s:,.0f} eval samples/s"
                   if self.eval_samples_per_s else ""))

    def extra_info(self) -> dict[str, object]:
        """What pytest-benchmark stores beside the timing."""
        return {"target": self.target.describe(), "reached": self.reached,
                "steps_to_target": self.steps, "epochs_to_target": self.epochs,
                "train_seconds_to_target": self.seconds, "steps_run": self.steps_run,
                "budget_steps": self.budget_steps, "best": self.best, "final": self.final,
                "train_samples_per_s": round(self.train_samples_per_s, 1),
                "eval_samples_per_s": (round(self.eval_samples_per_s, 1)
                                       if self.eval_samples_per_s else None),
                "interval_steps": self.target.interval_steps, "threads": self.threads}


@dataclass
class Plan:
    """A prepared time-to-target measurement (setup done, nothing trained yet)."""

    target: Target
    build: Callable[[], nn.Module]
    train_split: Split
    test_split: Split
    config: TrainConfig
    loss_fn: LossFn
    classify: bool
    metric: MetricFn
    threads: int | None = None
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def n_train(self) -> int:
        return len(self.train_split)

    @property
    def steps_per_epoch(self) -> int:
        return math.ceil(self.n_train / self.config.batch_size)

    def samples(self, steps: int) -> int:
        """Training samples seen in ``steps`` steps (the last batch of an epoch may be short)."""
        full, rest = divmod(steps, self.steps_per_epoch)
        return full * self.n_train + min(rest * self.config.batch_size, self.n_train)

    def warm_up(self, steps: int = 20) -> None:
        """A few untimed steps on a throwaway model: first-call costs are not timed."""
        model = self.build()
        threads = self.threads or train_threads()
        with intra_op_threads(threads):
            train(model, self.train_split, self.test_split, self.config, self.loss_fn,
                  classify=self.classify, eval_every_steps=steps, evaluate_train=False,
                  stop_when=lambda r: r.step >= steps, threads=threads)
            evaluate(model, self.test_split, self.loss_fn, self.classify, threads=threads)

    def run(self) -> TargetResult:
        """Train until the target is met or the budget is spent; the timed part."""
        model = self.build()
        values: list[float | None] = []

        def stop(record: EpochRecord) -> bool:
            values.append(self.metric(model, record))
            return self.target.met(values[-1])

        threads = self.threads or train_threads()
        start = time.perf_counter()
        with intra_op_threads(threads):
            history = train(model, self.train_split, self.test_split, self.config, self.loss_fn,
                            classify=self.classify, stop_when=stop, evaluate_train=False,
                            eval_every_steps=self.target.interval_steps, threads=threads)
            wall = time.perf_counter() - start
            eval_start = time.perf_counter()
            evaluate(model, self.test_split, self.loss_fn, self.classify, threads=threads)
            eval_rate = len(self.test_split) / (time.perf_counter() - eval_start)
        last = history.final
        reached = history.stopped_early
        finite = [v for v in values if v is not None and math.isfinite(v)]
        best = (max(finite) if self.target.higher_is_better else min(finite)) if finite else None
        return TargetResult(
            target=self.target, reached=reached,
            steps=last.step if reached else None,
            epochs=last.step / self.steps_per_epoch if reached else None,
            seconds=last.elapsed_s if reached else None,
            steps_run=history.steps, budget_steps=self.config.epochs * self.steps_per_epoch,
            train_seconds=history.train_seconds, wall_seconds=wall, best=best,
            final={"step": last.step, "epoch": last.epoch, "test_loss": last.test_loss,
                   "test_acc": last.test_acc, self.target.metric: values[-1]},
            train_samples_per_s=self.samples(history.steps) / max(history.train_seconds, 1e-9),
            eval_samples_per_s=eval_rate,
            threads=threads)


# --------------------------------------------------------------------------- plans


def toy_plan(model: str, function: str, seed: int = T.TOY_SEED) -> Plan:
    """The toy study's declared protocol for one model, function and seed.

    As in the study, the seed draws the data (W, inputs, noise), the initial
    weights and the shuffling.
    """
    protocol = toy_study.ToyProtocol(seeds=(seed,))
    data = make_toy_data(seed, protocol.n_train, protocol.n_test, protocol.noise)
    train_split, test_split = toy_study.toy_splits(data, function)
    var_test = float(np.var(data.y_test[function]))

    def metric(_model: nn.Module, record: EpochRecord) -> float:
        return record.test_loss / var_test

    return Plan(T.toy_target(model, function), lambda: build_seeded(TOY_MODELS[model], seed),
                train_split, test_split, toy_study.train_config(protocol, seed), squared_loss,
                classify=False, metric=metric, threads=1)


def mnist_plan(model: str, data: MnistData, mode: Mode, seed: int = T.MNIST_SEED) -> Plan:
    """The MNIST study's protocol (Adam 1e-3, batch 32) for one classifier and seed.

    The seed draws the initial weights and the shuffling; the images are all of MNIST's.
    """
    protocol = MnistProtocol(seeds=(seed,), epochs=T.MNIST_EPOCHS[mode])
    spec = protocol.spec(model, seed)
    kind = model_spec(spec.model)
    train_split, test_split = splits(spec, data)

    def metric(_model: nn.Module, record: EpochRecord) -> float | None:
        return record.test_acc

    return Plan(T.mnist_target(model), lambda: build_seeded(kind.build, seed),
                train_split, test_split, spec.config, kind.loss, classify=True, metric=metric)


def pca_test_mse(train_x: torch.Tensor, test_x: torch.Tensor,
                 components: int = T.PCA_COMPONENTS) -> float:
    """Test MSE per pixel of a PCA fit on ``train_x`` (the autoencoder study's configuration)."""
    from ex3.studies.autoencoder.pca import fit_pca

    pca = fit_pca(train_x.numpy(), components)
    test = test_x.numpy().astype(np.float64)
    reconstruction = pca.inverse_transform(pca.transform(test))
    return float(((reconstruction - test) ** 2).mean())


def autoencoder_available() -> str | None:
    """None when the autoencoder can be benchmarked, else the reason it cannot."""
    try:
        model_spec(T.AUTOENCODER_MODEL)
    except ValueError:
        return ("ex3.models.autoencoder is absent or defines no "
                f"{T.AUTOENCODER_MODEL!r} model")
    return None


def autoencoder_plan(data: MnistData, mode: Mode, seed: int = T.AUTOENCODER_SEED) -> Plan:
    """The report's autoencoder (BCE, Adam 1e-3, batch 256) until it beats PCA's test MSE.

    The seed draws the initial weights, the shuffling and, in short mode, the
    training subset (as in the autoencoder study), so PCA is fitted per seed
    on the same images the autoencoder trains on.
    """
    config = TrainConfig("adam", T.AUTOENCODER_LR, T.AUTOENCODER_BATCH,
                         T.AUTOENCODER_EPOCHS[mode], seed)
    spec = RunSpec(T.AUTOENCODER_MODEL, config, T.AUTOENCODER_N_TRAIN[mode], None)
    kind = model_spec(spec.model)
    train_split, test_split = splits(spec, data)
    pca_mse = pca_test_mse(train_split.x, test_split.x)

    def metric(model: nn.Module, _record: EpochRecord) -> float:
        return evaluate(model, test_split, F.mse_loss, classify=False)[0]

    return Plan(T.autoencoder_target(pca_mse), lambda: build_seeded(kind.build, config.seed),
                train_split, test_split, config, kind.loss, classify=False, metric=metric,
                extra={"pca_test_mse": pca_mse, "n_train": len(train_split)})
