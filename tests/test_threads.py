"""The thread policy: a run's thread count comes from declared inputs and is part of the run."""

from __future__ import annotations

import os

import pytest

from ex3 import config
from ex3.cli import build_parser
from ex3.cli.common import context
from ex3.data.mnist import load_mnist
from ex3.engine.claim import RunContext
from ex3.studies.mnist import study as mnist_study
from ex3.training import threads
from ex3.training.loop import TrainConfig
from ex3.training.runner import run
from ex3.training.runs import RunSpec, run_key_for


@pytest.fixture(autouse=True)
def _no_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(config.THREADS_ENV, raising=False)


@pytest.mark.parametrize(("cores", "workers", "expected"),
                         [(2, 1, 2), (2, 2, 1), (2, 3, 1), (1, 1, 1), (16, 1, 2), (16, 8, 2),
                          (16, 16, 1)])
def test_cores_are_shared_among_the_workers_at_most_two_per_run(cores, workers, expected):
    assert threads.run_threads(workers, cores=cores) == expected


def test_ex3_threads_overrides_the_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(config.THREADS_ENV, "3")
    assert threads.run_threads(2, cores=2) == 3
    assert threads.train_threads() == 3


def test_training_no_command_sizes_runs_on_one_thread() -> None:
    assert threads.train_threads() == 1


def test_the_command_decides_the_threads_from_workers_and_the_allowed_cores() -> None:
    parser = build_parser()
    cores = len(os.sched_getaffinity(0))
    for workers in (1, 2):
        args = parser.parse_args(["verify", "--workers", str(workers)])
        assert context(args).threads == max(1, min(2, cores // workers))
    on_cluster = parser.parse_args(["verify", "--executor", "dask", "--scheduler", "tcp://h:1"])
    assert context(on_cluster).threads == 1


def test_the_context_threads_reach_every_planned_run() -> None:
    ctx = RunContext(threads=2, overrides=(("n_train", 100),))
    assert {spec.threads for spec in mnist_study.planned_runs(ctx)} == {2}
    assert {spec.threads for spec in mnist_study.planned_runs(RunContext())} == {1}


def test_threads_are_part_of_the_key_and_the_record(monkeypatch, tmp_path):
    monkeypatch.delenv("EX3_DATA_DIR", raising=False)
    monkeypatch.setenv("EX3_CACHE_DIR", str(tmp_path))
    data = load_mnist()
    one = RunSpec("linear", TrainConfig("adam", 1e-3, 32, 1, seed=0), n_train=300, n_test=100)
    two = RunSpec("linear", one.config, 300, 100, threads=2)
    assert "threads" not in one.as_dict() and two.as_dict()["threads"] == 2
    assert run_key_for(one, data) != run_key_for(two, data)
    trained = run(two, data)
    assert not trained.from_cache and run(two, data).from_cache
    assert not run(one, data).from_cache  # a one-thread request is not served the two-thread run
    with pytest.raises(ValueError, match="threads"):
        RunSpec("linear", one.config, threads=0)


def test_openmp_waits_briefly_unless_the_user_chose(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in config.OPENMP_WAIT_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    config.prefer_short_openmp_waits()
    assert os.environ["GOMP_SPINCOUNT"] == "1000"
    monkeypatch.delenv("GOMP_SPINCOUNT")
    monkeypatch.setenv("OMP_WAIT_POLICY", "ACTIVE")
    config.prefer_short_openmp_waits()
    assert os.environ["OMP_WAIT_POLICY"] == "ACTIVE" and "GOMP_SPINCOUNT" not in os.environ


def test_an_imported_ex3_has_set_how_openmp_waits() -> None:
    assert any(os.environ.get(name) for name in config.OPENMP_WAIT_VARIABLES)
