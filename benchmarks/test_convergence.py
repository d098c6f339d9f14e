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
from ex3.data.toy import FUNCTIONS


@pytest.mark.parametrize("function", FUNCTIONS)
@pytest.mark.parametrize("model", T.TOY_MODELS)
def test_toy(time_to_target, model, function):
    result = time_to_target(partial(ttt.toy_plan, model, function), T.TOY_SEEDS)
    assert result.steps_run > 0 or result.reached


@pytest.mark.parametrize("model", list(T.MNIST_ACCURACY))
def test_mnist(time_to_target, mnist, bench_mode, model):
    result = time_to_target(partial(ttt.mnist_plan, model, mnist, bench_mode), T.MNIST_SEEDS)
    assert result.steps_run > 0


def test_autoencoder(time_to_target, mnist, bench_mode):
    reason = ttt.autoencoder_available()
    if reason is not None:
        pytest.skip(reason)
    result = time_to_target(partial(ttt.autoencoder_plan, mnist, bench_mode),
                            T.AUTOENCODER_SEEDS)
    assert result.steps_run > 0
