"""What the MNIST classifier study measures: per seed and model, the final metrics of one run."""

from __future__ import annotations

from dataclasses import dataclass

from ex3.studies.contract import Evidence


@dataclass(frozen=True, kw_only=True)
class ClassifierRun:
    """The last epoch's loss and accuracy, train and test, and the test accuracy per epoch."""

    train_loss: float
    test_loss: float
    train_acc: float
    test_acc: float
    #: The train loss after the first epoch (None when the run trained no epoch).
    train_loss_first_epoch: float | None
    test_acc_curve: list[float | None]
    diverged: bool
    train_seconds: float

    def metric(self, name: str) -> float:
        """A final metric by name (``train_loss``, ``test_acc``, ...)."""
        return float(getattr(self, name))


@dataclass(frozen=True, kw_only=True)
class MnistEvidence(Evidence):
    """``per_seed[seed][model]``, and which MNIST the runs read (``full`` or ``sample``)."""

    per_seed: dict[str, dict[str, ClassifierRun]]
    data_kind: str
    data_source: str

    def seeds(self) -> list[dict[str, ClassifierRun]]:
        """Each seed's runs by model, in order."""
        return list(self.per_seed.values())
