"""What the toy study measures: per seed, function and model, one run's summary numbers.

Each run's curves are summarised at two declared points, which the judges
read as their thresholds of the same name (``ex3.studies.toy.judge``):

* NEAR_ZERO = 0.01: the first epoch whose test NMSE is at most this level
  (``epochs_to_near_zero``);
* PLATEAU_WINDOW = 10: the relative change of the mean NMSE over the last
  10 epochs against the 10 before (``plateau_change``, test;
  ``train_plateau_change``, train).
"""

from __future__ import annotations

from dataclasses import dataclass

from ex3.studies.contract import Evidence

NEAR_ZERO = 0.01
PLATEAU_WINDOW = 10


@dataclass(frozen=True, kw_only=True)
class ToyRun:
    """One run's curves summarised (NMSE = MSE / Var(y); index 0 of a curve: before training)."""

    initial_train_nmse: float
    initial_test_nmse: float
    final_train_nmse: float
    final_test_nmse: float
    epochs_to_near_zero: int | None
    plateau_change: float
    train_plateau_change: float
    epochs: int
    diverged: bool


@dataclass(frozen=True, kw_only=True)
class ToyEvidence(Evidence):
    """``per_seed[seed][function][model]``: every run of the toy protocol."""

    per_seed: dict[str, dict[str, dict[str, ToyRun]]]

    def runs(self, function: str, model: str) -> list[ToyRun]:
        """The runs of ``model`` on ``function``, one per seed in order."""
        return [seed[function][model] for seed in self.per_seed.values()]
