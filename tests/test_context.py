"""One run context per session (``RunContext.resolve``): arguments, then the environment."""

from __future__ import annotations

import dataclasses
import pickle

import pytest
import torch

from ex3.cli import main
from ex3.errors import UsageError
from ex3.studies.contract import RunContext, SessionCache, resolve_device


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("EX3_PROFILE", "EX3_SEEDS", "EX3_DATA_DIR", "EX3_DEVICE"):
        monkeypatch.delenv(name, raising=False)


def test_arguments_win_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EX3_PROFILE", "full")
    monkeypatch.setenv("EX3_SEEDS", "4")
    monkeypatch.setenv("EX3_DATA_DIR", "/env/mnist")
    from_env = RunContext.resolve()
    assert (from_env.profile, from_env.seeds, from_env.data_dir) == ("full", 4, "/env/mnist")
    assert from_env.data_origin == "EX3_DATA_DIR=/env/mnist"
    given = RunContext.resolve(profile="quick", seeds=2, data_dir="/arg/mnist")
    assert (given.profile, given.seeds, given.data_dir) == ("quick", 2, "/arg/mnist")
    assert given.data_origin == "--data-dir /arg/mnist"


def test_a_blank_data_dir_is_not_given_and_download_conflicts_with_the_environment(
        monkeypatch: pytest.MonkeyPatch) -> None:
    assert RunContext.resolve(data_dir="  ").data_dir is None
    monkeypatch.setenv("EX3_DATA_DIR", "/env/mnist")
    with pytest.raises(UsageError, match="--download conflicts with EX3_DATA_DIR"):
        RunContext.resolve(download=True)


def test_the_device_resolves_auto_and_refuses_a_missing_gpu(monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert resolve_device("auto") == "cpu" and RunContext.resolve().device == "cpu"
    assert resolve_device("cpu") == "cpu"
    with pytest.raises(UsageError, match="torch sees none here"):
        resolve_device("cuda")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert resolve_device("auto") == "cuda"
    monkeypatch.setenv("EX3_DEVICE", "gpu")
    with pytest.raises(UsageError, match="EX3_DEVICE='gpu' is not a device"):
        RunContext.resolve()


def test_device_cuda_without_a_gpu_is_one_line_and_exit_2(monkeypatch: pytest.MonkeyPatch,
                                                          tmp_path, capsys) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    code = main(["verify", "--only", "S1", "--device", "cuda", "--out", str(tmp_path)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "--device cpu" in err[0]


def test_the_session_cache_is_shared_by_derived_contexts_and_not_pickled() -> None:
    ctx = RunContext()
    assert ctx.cache.get("k", lambda: 1) == 1
    derived = dataclasses.replace(ctx, overrides=(("epochs", 2),))
    assert derived.cache is ctx.cache and derived.cache.get("k", lambda: 2) == 1
    assert derived != ctx and RunContext() == RunContext(cache=SessionCache())
    copy = pickle.loads(pickle.dumps(ctx))
    assert copy == ctx and "k" not in copy.cache and copy.on_epoch is None
