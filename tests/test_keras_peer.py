"""The Keras peer's plumbing: skip reasons, the child process, and a tiny run per backend."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from importlib import metadata

import pytest
import torch

from ex3.bench import peers
from ex3.data.mnist import MnistData
from ex3.training.loop import train_threads


def _tiny() -> MnistData:
    generator = torch.Generator().manual_seed(0)
    return MnistData(torch.rand(96, 1, 28, 28, generator=generator),
                     torch.randint(0, 10, (96,), generator=generator),
                     torch.rand(40, 1, 28, 28, generator=generator),
                     torch.randint(0, 10, (40,), generator=generator),
                     "random images", "sample", "tiny")


def test_unknown_backend_is_refused() -> None:
    with pytest.raises(ValueError, match="backend"):
        peers.keras_unavailable("jax")


def test_missing_keras_skips_every_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(name: str) -> str:
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(peers.metadata, "version", missing)
    for backend in peers.KERAS_BACKENDS:
        assert "pip install -e '.[peers]'" in (peers.keras_unavailable(backend) or "")


def test_keras_2_is_not_the_peer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(peers.metadata, "version", lambda name: "2.15.0")
    assert "not Keras 3" in (peers.keras_unavailable("torch") or "")


def test_missing_tensorflow_skips_only_tensorflow(monkeypatch: pytest.MonkeyPatch) -> None:
    find_spec = importlib.util.find_spec
    monkeypatch.setattr(peers.metadata, "version", lambda name: "3.15.1")
    monkeypatch.setattr(peers.importlib.util, "find_spec",
                        lambda name, *args: None if name == "tensorflow"
                        else find_spec(name, *args))
    assert peers.keras_unavailable("torch") is None
    assert "TensorFlow is not installed" in (peers.keras_unavailable("tensorflow") or "")


def test_child_imports_no_framework_before_its_request() -> None:
    code = ("import sys, ex3.bench.keras_peer; "
            "print(sorted(m for m in ('torch', 'tensorflow', 'keras') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"


def test_child_failure_raises_with_its_error() -> None:
    data = _tiny()
    with pytest.raises(RuntimeError, match="backend must be one of"):
        peers._run_keras("jax", "epoch", data.train_x, data.train_y, data, batch_size=32,
                         repeats=1, seed=0)


@pytest.mark.parametrize("backend", peers.KERAS_BACKENDS)
def test_tiny_epoch_on_each_backend(backend: str) -> None:
    reason = peers.keras_unavailable(backend)
    if reason is not None:
        pytest.skip(reason)
    times = peers.convnet_epoch_times(_tiny(), 96, backend, batch_size=32, repeats=2)
    assert len(times.keras_s) == len(times.keras_cpu_s) == len(times.ours_s) == 2
    assert all(s > 0 for s in times.keras_s + times.ours_s)
    assert 0.0 <= times.keras_test_acc <= 1.0
    assert set(times.keras_threads.values()) == {train_threads()}
    assert backend in times.versions
