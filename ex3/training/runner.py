"""One MNIST training run from its spec, through the run cache.

Every MNIST model of the project (classifiers and autoencoders) is trained
here with the one training loop, so claims and benchmarks share runs.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from ex3.data.mnist import MnistData
from ex3.models.registry import model_spec
from ex3.training.cache import cached
from ex3.training.loop import EpochRecord, train
from ex3.training.runs import (
    RunResult,
    RunSpec,
    cache_enabled,
    loss_for,
    restore,
    run_key_for,
)
from ex3.training.seeding import build_seeded
from ex3.training.splits import splits

#: Called as ``progress_hook(spec, record)`` after each epoch a run trains (never for a run
#: loaded from the cache); the ``ex3`` command points it at its progress display.
progress_hook: Callable[[RunSpec, EpochRecord], None] | None = None


def run_entry(spec: RunSpec, data: MnistData,
              on_epoch: Callable[[EpochRecord], None] | None = None
              ) -> tuple[dict, dict[str, torch.Tensor], bool]:
    """Train ``spec`` on ``data`` (or load it from the cache) as a cache entry holds it.

    Returns ``(meta, state_dict, from_cache)``: exactly what the run cache
    stores, so a run trained on another machine (a Dask worker) can travel
    back and be stored in this machine's cache under the same key.
    """
    kind = model_spec(spec.model)

    def epoch(record: EpochRecord) -> None:
        if on_epoch is not None:
            on_epoch(record)
        if progress_hook is not None:
            progress_hook(spec, record)

    def compute() -> tuple[dict, dict[str, torch.Tensor]]:
        train_split, test_split = splits(spec, data)
        model = build_seeded(kind.build, spec.config.seed)
        history = train(model, train_split, test_split, spec.config, loss_for(spec),
                        classify=kind.classify, on_epoch=epoch, threads=spec.threads)
        return {"history": history.to_json(), "spec": spec.as_dict()}, model.state_dict()

    return cached(run_key_for(spec, data), compute, enabled=cache_enabled(),
                  validate=lambda m, s: restore(spec, m, s))


def run(spec: RunSpec, data: MnistData,
        on_epoch: Callable[[EpochRecord], None] | None = None) -> RunResult:
    """Train ``spec`` on ``data`` (or load the identical run from the cache)."""
    meta, state, hit = run_entry(spec, data, on_epoch)
    history, model = restore(spec, meta, state)
    return RunResult(spec, history, model, hit)
