"""What the learning-rate sweep measures: per seed and rate, one run's curves."""

from __future__ import annotations

from dataclasses import dataclass

from ex3.studies.contract import Evidence


def rate_key(rate: float) -> str:
    """How a learning rate names its runs in the evidence (``str``: 1.0 -> "1.0", 1e-4 -> "0.0001").

    The measurement and the judges both name a rate through this one function.
    """
    return str(rate)


@dataclass(frozen=True, kw_only=True)
class SweepRun:
    """Loss and accuracy after each epoch (index 0: before training; None: not finite)."""

    train_loss: list[float | None]
    test_loss: list[float | None]
    train_acc: list[float | None]
    test_acc: list[float | None]
    diverged: bool

    def curve(self, name: str) -> list[float | None]:
        """A curve by name (``train_loss``, ``test_acc``, ...)."""
        return list(getattr(self, name))


@dataclass(frozen=True, kw_only=True)
class SweepEvidence(Evidence):
    """``per_seed[seed][rate_key(rate)]`` for one optimiser, and which MNIST the runs read."""

    per_seed: dict[str, dict[str, SweepRun]]
    data_kind: str
    data_source: str

    def seeds(self) -> list[dict[str, SweepRun]]:
        """Each seed's runs by rate, in order."""
        return list(self.per_seed.values())
