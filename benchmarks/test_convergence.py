"""Time-to-target for every model of the report (targets: ex3.bench.targets).

Each benchmark trains through ``ex3.training.loop.train`` until the first
record that meets its declared target, once per declared seed; it reports
the first seed's steps, epochs, training time and throughput (the only run
timed) and gates the median of the seeds' steps against
``baseline_steps.json``.
"""

from __future__ import annotations

from functools import partial

import pytest

from ex3.bench import targets as T
from ex3.bench import time_to_target as ttt
from ex3.bench.time_to_target import TargetResult
from ex3.data.toy import FUNCTIONS


def assert_consistent(result: TargetResult) -> None:
    """The measurement trained within its budget and reports what its readings say.

    A run reached its target exactly when its best reading met it (training
    stops at the first such reading, the one before any step included, so a met
    reading in an unreached run, or a reached run without one, is a broken
    measurement); a reached run reports the steps it stopped at, an unreached
    one none.
    """
    name = result.target.name
    assert 0 <= result.steps_run <= result.budget_steps, (
        f"{name}: {result.steps_run} steps run, budget {result.budget_steps}")
    assert result.steps_run > 0 or result.reached, f"{name}: nothing trained"
    assert result.reached == result.target.met(result.best), (
        f"{name}: reached={result.reached} but best reading {result.best} "
        f"({result.target.describe()})")
    if result.reached:
        assert result.steps is not None and 0 <= result.steps <= result.steps_run, name
    else:
        assert result.steps is None and result.seconds is None, name


@pytest.mark.parametrize("function", FUNCTIONS)
@pytest.mark.parametrize("model", T.TOY_MODELS)
def test_toy(time_to_target, model, function):
    result = time_to_target(partial(ttt.toy_plan, model, function), T.TOY_SEEDS)
    assert_consistent(result)


@pytest.mark.parametrize("model", list(T.MNIST_ACCURACY))
def test_mnist(time_to_target, mnist, bench_mode, model):
    result = time_to_target(partial(ttt.mnist_plan, model, mnist, bench_mode), T.MNIST_SEEDS)
    assert_consistent(result)


def test_autoencoder(time_to_target, mnist, bench_mode):
    reason = ttt.autoencoder_available()
    if reason is not None:
        pytest.skip(reason)
    result = time_to_target(partial(ttt.autoencoder_plan, mnist, bench_mode),
                            T.AUTOENCODER_SEEDS)
    assert_consistent(result)
