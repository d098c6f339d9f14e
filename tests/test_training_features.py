"""The loop's optional features: stacked runs, stopping at a target, step-interval records.

Each feature must leave what a step computes unchanged, so each is checked
against the plain single-run loop.
"""

from __future__ import annotations

import math

import pytest
import torch

from ex3.models.toy import ToyCNN, ToyLinear, squared_loss
from ex3.training.loop import EpochRecord, History, Split, TrainConfig, train, train_runs
from ex3.training.seeding import build_seeded
from ex3.training.stacked import StackedRuns


def problem(seed: int, n_train: int = 96, n_test: int = 40) -> tuple[Split, Split]:
    g = torch.Generator().manual_seed(seed)
    w = torch.randn(4, generator=g)
    x = torch.rand(n_train + n_test, 4, generator=g) * 5 - 2.5
    y = x @ w + torch.relu(x).sum(dim=1)
    return Split(x[:n_train], y[:n_train]), Split(x[n_train:], y[n_train:])


def stacked_splits(splits: list[tuple[Split, Split]]) -> tuple[Split, Split]:
    tr = Split(torch.stack([s[0].x for s in splits]), torch.stack([s[0].y for s in splits]))
    te = Split(torch.stack([s[1].x for s in splits]), torch.stack([s[1].y for s in splits]))
    return tr, te


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_stacked_runs_match_runs_trained_alone(optimizer):
    seeds = [3, 4, 5]
    factories = [ToyLinear, ToyCNN, lambda: ToyCNN(relu=False)]
    data = [problem(s) for s in seeds]
    config = TrainConfig(optimizer, 0.01, 16, 4, 0)
    alone = [train(build_seeded(f, s), d[0], d[1], TrainConfig(optimizer, 0.01, 16, 4, s),
                   squared_loss) for f, s, d in zip(factories, seeds, data, strict=True)]
    model = StackedRuns([[build_seeded(f, s)] for f, s in zip(factories, seeds, strict=True)])
    together = train_runs(model, *stacked_splits(data), config, squared_loss, seeds)
    for a, b in zip(alone, together, strict=True):
        assert a.steps == b.steps and len(a.records) == len(b.records)
        for name in ("train_loss", "test_loss"):
            assert b.series(name) == pytest.approx(a.series(name), rel=1e-5, abs=1e-7)


def test_stacked_run_state_loads_into_its_own_model():
    modules = [build_seeded(ToyCNN, s) for s in (0, 1)]
    model = StackedRuns([modules])
    fresh = ToyCNN()
    fresh.load_state_dict(model.run_state(1))
    x = torch.randn(5, 4)
    assert torch.allclose(fresh(x), modules[1](x))
    assert torch.allclose(model(x.expand(2, 5, 4))[1], modules[1](x))


def test_a_diverging_stacked_run_stops_alone():
    seeds = [0, 1]
    data = [problem(0), problem(1)]
    model = StackedRuns([[build_seeded(ToyLinear, 0), build_seeded(ToyLinear, 1)]])
    with torch.no_grad():
        model.groups[0].stacked[0][1].fill_(1e30)  # run 1 starts far: its loss overflows
    histories = train_runs(model, *stacked_splits(data), TrainConfig("sgd", 0.01, 16, 5, 0),
                           squared_loss, seeds)
    assert not histories[0].diverged and len(histories[0].records) == 6
    assert histories[1].diverged
    assert len(histories[1].records) == histories[1].diverged_at_epoch + 1


def test_stop_when_ends_the_run_at_the_first_record_that_meets_it():
    tr, te = problem(0)
    seen: list[EpochRecord] = []
    full = train(build_seeded(ToyLinear, 0), tr, te, TrainConfig("sgd", 0.01, 16, 20, 0),
                 squared_loss)
    target = full.records[5].test_loss
    history = train(build_seeded(ToyLinear, 0), tr, te, TrainConfig("sgd", 0.01, 16, 20, 0),
                    squared_loss, on_epoch=seen.append,
                    stop_when=lambda r: r.test_loss <= target)
    first = next(r for r in full.records if r.test_loss <= target)
    assert history.stopped_early and history.final.epoch == first.epoch
    assert history.steps == first.step and seen == history.records
    assert history.series("test_loss") == full.series("test_loss")[:first.epoch + 1]


def test_step_interval_records_sit_at_multiples_of_the_interval():
    tr, te = problem(0, n_train=100)
    history = train(build_seeded(ToyLinear, 0), tr, te, TrainConfig("sgd", 0.01, 16, 3, 0),
                    squared_loss, eval_every_steps=5)
    steps_per_epoch = math.ceil(100 / 16)
    total = 3 * steps_per_epoch
    assert [r.step for r in history.records] == [*range(0, total + 1, 5), total]
    assert history.records[2].epoch == 2  # step 10 lies in the second epoch
    plain = train(build_seeded(ToyLinear, 0), tr, te, TrainConfig("sgd", 0.01, 16, 3, 0),
                  squared_loss)
    assert history.final.test_loss == plain.final.test_loss


def test_without_train_evaluation_train_loss_is_the_mean_batch_loss():
    tr, te = problem(0)
    history = train(build_seeded(ToyLinear, 0), tr, te, TrainConfig("sgd", 0.01, 16, 2, 0),
                    squared_loss, evaluate_train=False)
    assert math.isnan(history.records[0].train_loss)
    assert all(math.isfinite(r.train_loss) and r.train_acc is None for r in history.records[1:])


def test_untuned_and_tuned_adam_agree_to_rounding():
    tr, te = problem(0)
    runs = [train(build_seeded(ToyCNN, 0), tr, te, TrainConfig("adam", 0.01, 16, 3, 0),
                  squared_loss, tuned=tuned) for tuned in (False, True)]
    assert runs[1].series("test_loss") == pytest.approx(runs[0].series("test_loss"), rel=1e-5)


def test_history_with_stop_flag_round_trips_and_old_json_loads():
    tr, te = problem(0)
    history = train(build_seeded(ToyLinear, 0), tr, te, TrainConfig("sgd", 0.01, 16, 3, 0),
                    squared_loss, stop_when=lambda r: r.epoch == 2)
    assert History.from_json(history.to_json()) == history
    old = history.to_json()
    del old["stopped_early"]
    assert not History.from_json(old).stopped_early


def test_evaluation_chunks_change_rounding_only():
    """Convolutional models evaluate in small chunks, dense ones in large; both measure the
    same mean loss and accuracy whatever the chunk."""
    import torch.nn.functional as F

    from ex3.models.autoencoder import autoencoder
    from ex3.models.mnist import lenet
    from ex3.training.loop import CONV_EVAL_CHUNK, EVAL_CHUNK, eval_chunk, evaluate

    convnet = build_seeded(lenet, 0)
    assert eval_chunk(convnet) == CONV_EVAL_CHUNK and eval_chunk(autoencoder()) == EVAL_CHUNK
    g = torch.Generator().manual_seed(0)
    split = Split(torch.rand(700, 1, 28, 28, generator=g), torch.randint(0, 10, (700,),
                                                                         generator=g))
    small = evaluate(convnet, split, F.cross_entropy, classify=True)
    large = evaluate(convnet, split, F.cross_entropy, classify=True, chunk=EVAL_CHUNK)
    assert small[0] == pytest.approx(large[0], rel=1e-6) and small[1] == large[1]
