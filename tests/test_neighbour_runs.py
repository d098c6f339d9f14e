"""What a robustness neighbour trains: stacked toy protocols, a run's own loss, the AE judge."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from ex3.engine.claim import RunContext
from ex3.studies.toy.neighbourhood import NORMAL_START
from ex3.studies.toy.study import ToyProtocol, run_many, run_stacked
from ex3.training.loop import TrainConfig
from ex3.training.runs import RunSpec, loss_for


def test_protocols_stacked_with_per_run_rates_train_as_each_alone():
    """run_many's per-run SGD rate and L2 lambda give each protocol its own curves."""
    base = ToyProtocol(seeds=(0, 1), epochs=4)
    protocols = [dataclasses.replace(base, lr=0.003),
                 dataclasses.replace(base, lr=0.03, weight_decay=0.1),
                 dataclasses.replace(base, substitutions=NORMAL_START)]
    together = run_many(protocols)
    for protocol, stacked in zip(protocols, together, strict=True):
        alone = run_stacked(protocol)
        assert stacked.keys() == alone.keys()
        for key, curves in alone.items():
            np.testing.assert_allclose(stacked[key].test, curves.test, rtol=2e-4, atol=1e-7)
            np.testing.assert_allclose(stacked[key].train, curves.train, rtol=2e-4, atol=1e-7)


def test_the_rates_reach_the_runs_they_belong_to():
    """Swapping two protocols' rates in the stack must swap their curves (no misalignment)."""
    base = ToyProtocol(seeds=(0,), epochs=3)
    slow, fast = dataclasses.replace(base, lr=0.001), dataclasses.replace(base, lr=0.05)
    a_slow, a_fast = run_many([slow, fast])
    key = (0, "y1", "linear")
    assert a_fast[key].train[-1] < a_slow[key].train[-1]


def test_a_spec_without_its_own_loss_keeps_the_key_it_always_had():
    spec = RunSpec("autoencoder", TrainConfig("adam", 1e-3, 256, 1, 0), 100)
    assert "loss" not in spec.as_dict()
    mse = dataclasses.replace(spec, loss="mse")
    assert mse.as_dict()["loss"] == "mse"
    assert loss_for(mse).__name__ == "mse_per_pixel"
    assert loss_for(spec).__name__ == "reconstruction_loss"
    with pytest.raises(ValueError, match="unknown loss"):
        loss_for(dataclasses.replace(spec, loss="hinge"))


def test_the_autoencoder_protocol_maps_its_loss_to_the_runs():
    from ex3.studies.autoencoder.study import MSE_LOSS, protocol_for

    ctx = RunContext(overrides=(("loss", MSE_LOSS), ("n_train", 100)))
    protocol = protocol_for(ctx)
    assert protocol.spec("autoencoder", 0).loss == "mse"
    assert protocol_for(RunContext(overrides=(("n_train", 100),))).spec("autoencoder", 0).loss \
        is None


def test_a_neighbour_keeps_the_declared_recognisability_judge():
    from ex3.studies.autoencoder.study import judge_context

    neighbour = RunContext(overrides=(("epochs", 25), ("batch_size", 128)))
    assert judge_context(neighbour).overrides == ()
    tiny_world = RunContext(overrides=(("n_train", 2000), ("epochs", 3), ("lr", 0.5)))
    assert judge_context(tiny_world).overrides == (("n_train", 2000), ("epochs", 3))
