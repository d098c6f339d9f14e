"""MNIST runs on the context's device: one code path, the device in the spec and its key.

No test here needs a GPU to pass; the one that compares a GPU run with the
CPU's runs where torch sees one (``scripts/gpu_check.sh`` checks the verdicts).
"""

from __future__ import annotations

import pytest
import torch

from ex3.data.mnist import MnistData, load_mnist
from ex3.models.toy import ToyLinear, squared_loss
from ex3.training.loop import Split, TrainConfig, train
from ex3.training.runner import run
from ex3.training.runs import RunSpec, run_key_for
from ex3.training.seeding import build_seeded

CONFIG = TrainConfig("sgd", 0.05, 16, 3, seed=0)


def _problem() -> tuple[Split, Split]:
    g = torch.Generator().manual_seed(0)
    x = torch.rand(64, 4, generator=g) * 2 - 1
    y = x @ torch.tensor([1.0, -2.0, 0.5, 3.0])
    return Split(x[:48], y[:48]), Split(x[48:], y[48:])


def test_the_cpu_device_is_the_default_path() -> None:
    tr, te = _problem()
    default = train(build_seeded(ToyLinear, 0), tr, te, CONFIG, squared_loss)
    on_cpu = train(build_seeded(ToyLinear, 0), tr, te, CONFIG, squared_loss, device="cpu")
    for name in ("train_loss", "test_loss"):
        assert default.series(name) == on_cpu.series(name)


def test_the_device_is_part_of_a_gpu_runs_spec_and_key_only(sample: MnistData) -> None:
    data = sample
    config = TrainConfig("adam", 1e-3, 32, 1, seed=0)
    cpu, gpu = RunSpec("linear", config, 200, 100), RunSpec("linear", config, 200, 100,
                                                            device="cuda")
    assert "device" not in cpu.as_dict() and gpu.as_dict()["device"] == "cuda"
    assert run_key_for(cpu, data) != run_key_for(gpu, data)
    with pytest.raises(ValueError, match="device must be"):
        RunSpec("linear", config, device="gpu")


def test_a_trained_run_comes_back_on_the_cpu(sample: MnistData) -> None:
    result = run(RunSpec("linear", TrainConfig("adam", 1e-3, 32, 1, seed=0), 200, 100), sample)
    assert all(p.device.type == "cpu" for p in result.model.parameters())


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_a_gpu_run_agrees_with_the_cpu_run_up_to_rounding(sample: MnistData) -> None:
    config = TrainConfig("adam", 1e-3, 32, 2, seed=0)
    data = sample
    cpu = run(RunSpec("linear", config, 500, 200), data).history.final
    gpu = run(RunSpec("linear", config, 500, 200, device="cuda"), data).history.final
    assert gpu.test_acc == pytest.approx(cpu.test_acc, abs=0.02)
    assert gpu.train_loss == pytest.approx(cpu.train_loss, rel=0.05)


@pytest.fixture
def sample(monkeypatch: pytest.MonkeyPatch, tmp_path) -> MnistData:
    """The bundled sample, with a run cache of this test's own."""
    monkeypatch.delenv("EX3_DATA_DIR", raising=False)
    monkeypatch.setenv("EX3_CACHE_DIR", str(tmp_path))
    data = load_mnist()
    assert data.kind == "sample"
    return data
