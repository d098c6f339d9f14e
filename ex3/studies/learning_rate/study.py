"""Measuring the learning-rate sweep: the convnet at each rate, SGD (and Adam for L4).

Declared protocol (the report's: the convnet, plain SGD, 5 epochs at each
learning rate in {1e-4, 1e-3, 1e-2, 1e-1, 1}; batch 32 as before). L4 runs
the same grid with Adam.

* ``full``: 60,000 / 10,000 images, 3 seeds;
* ``quick``: a stratified 5,000-image training subset per seed (all 10,000
  test images), 2 seeds.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from ex3.studies.contract import RunContext, with_overrides
from ex3.studies.learning_rate.evidence import SweepEvidence, SweepRun, rate_key
from ex3.studies.mnist.data import data_for, seeds_for
from ex3.training.loop import TrainConfig
from ex3.training.runner import run
from ex3.training.runs import RunResult, RunSpec

RATES = (1e-4, 1e-3, 1e-2, 1e-1, 1.0)


@dataclass(frozen=True)
class SweepProtocol:
    """One optimiser swept over the learning-rate grid."""

    optimizer: str
    seeds: tuple[int, ...]
    rates: tuple[float, ...] = RATES
    model: str = "convnet"
    epochs: int = 5
    batch_size: int = 32
    n_train: int | None = None
    n_test: int | None = None
    #: (rate, actual): train at ``actual`` where the grid names ``rate``; empty
    #: in the declared protocol, used to build falsification worlds.
    substitutions: tuple[tuple[float, float], ...] = ()

    def spec(self, lr: float, seed: int, threads: int = 1, device: str = "cpu") -> RunSpec:
        """The run for the grid's rate ``lr`` and ``seed``, on ``threads`` threads of ``device``."""
        actual = dict(self.substitutions).get(lr, lr)
        config = TrainConfig(self.optimizer, actual, self.batch_size, self.epochs, seed)  # type: ignore[arg-type]
        return RunSpec(self.model, config, self.n_train, self.n_test, threads=threads,
                       device=device)


N_TRAIN = {"quick": 5000, "full": None}
SEEDS = {"quick": 2, "full": 3}


def protocol_for(ctx: RunContext, optimizer: str) -> SweepProtocol:
    """The declared sweep; on the bundled sample (3,000 images) the whole sample is used."""
    n_train = N_TRAIN[ctx.profile]
    if n_train is not None and data_for(ctx).kind == "sample":
        n_train = None
    protocol = SweepProtocol(optimizer, seeds_for(ctx, SEEDS[ctx.profile]), n_train=n_train)
    return with_overrides(protocol, ctx)


OPTIMIZERS = ("sgd", "adam")


def planned_runs(ctx: RunContext) -> list[RunSpec]:
    """Every run of both sweeps (SGD for L1-L3, Adam for L4), for ``ex3 verify --workers``."""
    planned = []
    for optimizer in OPTIMIZERS:
        protocol = protocol_for(ctx, optimizer)
        planned += [protocol.spec(lr, seed, ctx.threads, ctx.device) for seed in protocol.seeds
                    for lr in protocol.rates]
    return planned


def runs(ctx: RunContext, optimizer: str) -> dict[int, dict[float, RunResult]]:
    """Every run of the sweep, ``result[seed][lr]``."""
    protocol = protocol_for(ctx, optimizer)
    data = data_for(ctx)
    return {seed: {lr: run(protocol.spec(lr, seed, ctx.threads, ctx.device), data, ctx.on_epoch)
                   for lr in protocol.rates}
            for seed in protocol.seeds}


def measure(ctx: RunContext, optimizer: str) -> SweepEvidence:
    """Per seed and learning rate, the loss/accuracy curves and whether the run diverged."""
    data = data_for(ctx)
    per_seed = {}
    for seed, by_lr in runs(ctx, optimizer).items():
        per_seed[str(seed)] = {
            rate_key(lr): SweepRun(train_loss=r.history.series("train_loss"),
                                   test_loss=r.history.series("test_loss"),
                                   train_acc=r.history.series("train_acc"),
                                   test_acc=r.history.series("test_acc"),
                                   diverged=r.history.diverged)
            for lr, r in by_lr.items()}
    return SweepEvidence(protocol=asdict(protocol_for(ctx, optimizer)), per_seed=per_seed,
                         data_kind=data.kind, data_source=data.source)


def measure_sgd(ctx: RunContext) -> SweepEvidence:
    return measure(ctx, "sgd")


def measure_adam(ctx: RunContext) -> SweepEvidence:
    return measure(ctx, "adam")
