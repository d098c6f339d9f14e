"""Same protocol and seed, same evidence; the cache never serves another code's or data's run."""

from __future__ import annotations

import dataclasses

import pytest

from ex3.data.mnist import load_mnist
from ex3.engine.claim import RunContext
from ex3.studies.toy.study import ToyProtocol, run_one
from ex3.training.loop import TrainConfig
from ex3.training.runner import run
from ex3.training.runs import RunSpec, run_key_for


def metrics(records: list) -> list:
    """Records without their wall-clock times, which no seed controls."""
    return [dataclasses.replace(r, elapsed_s=0.0) for r in records]


@pytest.fixture
def sample(monkeypatch, tmp_path):
    monkeypatch.delenv("EX3_DATA_DIR", raising=False)
    monkeypatch.setenv("EX3_CACHE_DIR", str(tmp_path))
    return load_mnist()


def test_a_toy_run_is_identical_when_repeated():
    protocol = ToyProtocol(seeds=(3,), epochs=5)
    assert run_one(protocol, 3, "y2", "cnn") == run_one(protocol, 3, "y2", "cnn")
    assert run_one(protocol, 3, "y2", "cnn") != run_one(protocol, 4, "y2", "cnn")


@pytest.mark.parametrize("model", ["linear", "convnet"])
def test_an_mnist_run_is_identical_when_repeated_without_the_cache(sample, monkeypatch, model):
    monkeypatch.setenv("EX3_NO_CACHE", "1")
    spec = RunSpec(model, TrainConfig("sgd", 0.05, 64, 1, seed=7), n_train=500, n_test=200)
    first, second = run(spec, sample), run(spec, sample)
    assert not first.from_cache and not second.from_cache
    assert metrics(first.history.records) == metrics(second.history.records)


def test_the_cache_key_follows_the_data(sample):
    spec = RunSpec("linear", TrainConfig("adam", 1e-3, 32, 1, seed=0), n_train=300, n_test=100)
    other = sample.subset(2000, 500, seed=1)
    assert run_key_for(spec, sample) != run_key_for(spec, other)


def test_the_cache_serves_an_identical_request_only(sample):
    spec = RunSpec("linear", TrainConfig("adam", 1e-3, 32, 1, seed=0), n_train=300, n_test=100)
    trained, served = run(spec, sample), run(spec, sample)
    assert not trained.from_cache and served.from_cache
    assert trained.history.records == served.history.records
    changed = RunSpec("linear", TrainConfig("adam", 1e-3, 32, 1, seed=1), n_train=300, n_test=100)
    assert not run(changed, sample).from_cache


def test_overrides_are_recorded_in_the_protocol():
    from ex3.studies.toy.study import protocol_for

    ctx = RunContext(overrides=(("epochs", 3),))
    assert protocol_for(ctx).epochs == 3
    with pytest.raises(ValueError, match="no field"):
        protocol_for(RunContext(overrides=(("epochz", 3),)))
