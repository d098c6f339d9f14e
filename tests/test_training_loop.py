"""The one training loop: it learns, is reproducible, and ends diverged runs cleanly."""

from __future__ import annotations

import math

import pytest
import torch

from ex3.models.toy import ToyLinear, squared_loss
from ex3.training.loop import History, Split, TrainConfig, train
from ex3.training.seeding import build_seeded


def linear_problem(seed: int = 0) -> tuple[Split, Split]:
    g = torch.Generator().manual_seed(seed)
    w = torch.tensor([1.0, -2.0, 0.5, 3.0])
    x = torch.rand(256, 4, generator=g) * 5 - 2.5
    return Split(x[:200], x[:200] @ w), Split(x[200:], x[200:] @ w)


def test_sgd_learns_a_linear_target():
    tr, te = linear_problem()
    model = build_seeded(ToyLinear, 0)
    history = train(model, tr, te, TrainConfig("sgd", 0.01, 16, 30, 0), squared_loss)
    assert history.final.test_loss < 1e-3 * history.records[0].test_loss
    assert not history.diverged
    assert history.steps == 30 * math.ceil(200 / 16)
    assert [r.epoch for r in history.records] == list(range(31))


def test_same_seed_same_history_different_seed_different_history():
    tr, te = linear_problem()
    runs = [train(build_seeded(ToyLinear, s), tr, te, TrainConfig("adam", 0.01, 16, 3, s),
                  squared_loss) for s in (1, 1, 2)]
    losses = [h.series("test_loss") for h in runs]
    assert losses[0] == losses[1]
    assert losses[0] != losses[2]


def test_a_diverging_run_stops_and_is_recorded_not_raised():
    tr, te = linear_problem()
    history = train(build_seeded(ToyLinear, 0), tr, te, TrainConfig("sgd", 10.0, 16, 50, 0),
                    squared_loss)
    assert history.diverged
    assert history.diverged_at_epoch is not None and history.diverged_at_epoch < 50
    assert len(history.records) == history.diverged_at_epoch + 1
    assert not math.isfinite(history.final.train_loss)


def test_history_round_trips_through_json():
    tr, te = linear_problem()
    history = train(build_seeded(ToyLinear, 0), tr, te, TrainConfig("sgd", 0.01, 32, 2, 0),
                    squared_loss)
    assert History.from_json(history.to_json()) == history


@pytest.mark.parametrize("kwargs", [dict(optimizer="rmsprop"), dict(lr=0.0), dict(batch_size=0),
                                    dict(epochs=-1)])
def test_invalid_configurations_are_refused(kwargs):
    base = dict(optimizer="sgd", lr=0.1, batch_size=8, epochs=1, seed=0)
    with pytest.raises(ValueError):
        TrainConfig(**{**base, **kwargs})
