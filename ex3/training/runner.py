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

#: Called with the run and each epoch record it trains (never for a run loaded from the
#: cache): how a session's progress display is passed in.
ProgressFn = Callable[[RunSpec, EpochRecord], None]


def run_entry(spec: RunSpec, data: MnistData,
              on_epoch: Callable[[EpochRecord], None] | None = None
              ) -> tuple[dict, dict[str, torch.Tensor], bool]:
    """Train ``spec`` on ``data`` (or load it from the cache) as a cache entry holds it.

    Returns ``(meta, state_dict, from_cache)``: exactly what the run cache
    stores, so a run trained on another machine (a Dask worker) can travel
    back and be stored in this machine's cache under the same key.
    """
    kind = model_spec(spec.model)

    def compute() -> tuple[dict, dict[str, torch.Tensor]]:
        train_split, test_split = splits(spec, data)
        model = build_seeded(kind.build, spec.config.seed)
        history = train(model, train_split, test_split, spec.config, loss_for(spec),
                        classify=kind.classify, on_epoch=on_epoch, threads=spec.threads,
                        device=spec.device)
        # The weights come back to the CPU: an entry loads on any machine, and everything
        # after training (restoring, analysing, judging) runs on the CPU.
        state = {k: v.detach().cpu() for k, v in model.state_dict().items()}
        return {"history": history.to_json(), "spec": spec.as_dict()}, state

    return cached(run_key_for(spec, data), compute, enabled=cache_enabled(),
                  validate=lambda m, s: restore(spec, m, s))


def run(spec: RunSpec, data: MnistData, progress: ProgressFn | None = None) -> RunResult:
    """Train ``spec`` on ``data`` (or load the identical run from the cache).

    ``progress`` is told each epoch trained (a session passes its display's callback).
    """
    on_epoch = None if progress is None else (lambda record: progress(spec, record))
    meta, state, hit = run_entry(spec, data, on_epoch)
    history, model = restore(spec, meta, state)
    return RunResult(spec, history, model, hit)
