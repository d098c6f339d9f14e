"""Measuring the MNIST classifiers: linear, MLP and convnet, trained with Adam.

Declared protocol (CLAIMS.md; the report used Keras' defaults):
Adam, learning rate 1e-3, batch 32, cross-entropy, pixels in [0, 1].

* ``full``: 60,000 / 10,000 images, 10 epochs, 3 seeds;
* ``quick``: the same data and model, 3 epochs, 2 seeds (measured: 101 s
  from a cold run cache on one core).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from ex3.studies.contract import RunContext, with_overrides
from ex3.studies.mnist.data import data_for, seeds_for
from ex3.studies.mnist.evidence import ClassifierRun, MnistEvidence
from ex3.training.loop import History, TrainConfig
from ex3.training.runner import run
from ex3.training.runs import RunResult, RunSpec

CLASSIFIERS = ("linear", "mlp", "convnet")


@dataclass(frozen=True)
class MnistProtocol:
    """Everything needed to reproduce the classifier comparison."""

    seeds: tuple[int, ...]
    epochs: int
    models: tuple[str, ...] = CLASSIFIERS
    optimizer: str = "adam"
    lr: float = 1e-3
    batch_size: int = 32
    n_train: int | None = None
    n_test: int | None = None
    #: (slot, model): train ``model`` where the protocol names ``slot``; empty
    #: in the declared protocol, used to build falsification worlds.
    substitutions: tuple[tuple[str, str], ...] = ()

    def spec(self, model: str, seed: int, threads: int = 1, device: str = "cpu") -> RunSpec:
        """The run for the model slot ``model`` and ``seed``, on ``threads`` of ``device``."""
        config = TrainConfig(self.optimizer, self.lr, self.batch_size, self.epochs, seed)  # type: ignore[arg-type]
        return RunSpec(dict(self.substitutions).get(model, model), config, self.n_train,
                       self.n_test, threads=threads, device=device)


EPOCHS = {"quick": 3, "full": 10}
SEEDS = {"quick": 2, "full": 3}


def protocol_for(ctx: RunContext) -> MnistProtocol:
    protocol = MnistProtocol(seeds=seeds_for(ctx, SEEDS[ctx.profile]), epochs=EPOCHS[ctx.profile])
    return with_overrides(protocol, ctx)


def planned_runs(ctx: RunContext) -> list[RunSpec]:
    """Every run ``measure`` asks for, so ``ex3 verify --workers`` can train them in parallel."""
    protocol = protocol_for(ctx)
    return [protocol.spec(m, seed, ctx.threads, ctx.device) for seed in protocol.seeds
            for m in protocol.models]


def runs(ctx: RunContext) -> dict[int, dict[str, RunResult]]:
    """Every run of the study (from the run cache when already trained)."""
    protocol = protocol_for(ctx)
    data = data_for(ctx)
    return {seed: {m: run(protocol.spec(m, seed, ctx.threads, ctx.device), data, ctx.on_epoch)
                   for m in protocol.models}
            for seed in protocol.seeds}


def final_metrics(history: History) -> ClassifierRun:
    """The last epoch's metrics, and the test accuracy curve, of one run."""
    last = history.final
    return ClassifierRun(
        train_loss=last.train_loss, test_loss=last.test_loss,  # type: ignore[arg-type]
        train_acc=last.train_acc, test_acc=last.test_acc,  # type: ignore[arg-type]
        train_loss_first_epoch=history.records[1].train_loss
        if len(history.records) > 1 else None,
        test_acc_curve=history.series("test_acc"), diverged=history.diverged,
        train_seconds=round(history.train_seconds, 2))


def measure(ctx: RunContext) -> MnistEvidence:
    """Per seed and model, the final train/test loss and accuracy."""
    data = data_for(ctx)
    per_seed = {str(seed): {m: final_metrics(r.history) for m, r in by_model.items()}
                for seed, by_model in runs(ctx).items()}
    return MnistEvidence(protocol=asdict(protocol_for(ctx)), per_seed=per_seed,
                         data_kind=data.kind, data_source=data.source)
