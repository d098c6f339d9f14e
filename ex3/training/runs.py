"""What an MNIST training run is: its spec, its result, its cache key and its restore.

Trained by :mod:`ex3.training.runner`; kept apart from it so that the split
builder (``ex3.training.splits``), which needs the spec, and the runner,
which needs the splits, do not import each other.
"""

from __future__ import annotations

import inspect
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from torch import nn

from ex3.data.mnist import MnistData
from ex3.models.losses import LossFn, named_loss
from ex3.models.registry import model_spec
from ex3.training import cache
from ex3.training.cache import run_key
from ex3.training.loop import History, TrainConfig
from ex3.training.seeding import build_seeded


@dataclass(frozen=True)
class RunSpec:
    """A model trained under a config on (a seeded subset of) MNIST.

    ``n_train``/``n_test`` of None use the whole split; a subset is drawn with
    ``config.seed`` so each seed sees its own subset.
    """

    model: str
    config: TrainConfig
    n_train: int | None = None
    n_test: int | None = None
    #: A loss from ``ex3.models.losses`` instead of the model's own (None: the model's).
    loss: str | None = None
    #: Intra-op threads the run trains (and evaluates its records) on: they change its
    #: rounding, so they are part of what the run is, of its cache key and of its record
    #: (``ex3.training.threads.run_threads`` decides them from the command's inputs).
    threads: int = 1
    #: Where the run trains (``cpu`` or ``cuda``): another device rounds differently, so a
    #: run trained on a GPU is cached apart from the same run on the CPU.
    device: str = "cpu"

    def __post_init__(self) -> None:
        if self.threads < 1:
            raise ValueError(f"threads must be positive, not {self.threads}")
        if self.device not in ("cpu", "cuda"):
            raise ValueError(f"device must be 'cpu' or 'cuda', not {self.device!r}")

    def as_dict(self) -> dict:
        """The spec as plain data: what the cache key hashes and an entry records.

        ``loss`` appears only when set, ``threads`` only when not 1 and
        ``device`` only when not ``cpu``, so every run that trains with its
        model's own loss on one CPU thread keeps the key and record it had
        before the fields existed.
        """
        out = asdict(self)
        if self.loss is None:
            del out["loss"]
        if self.threads == 1:
            del out["threads"]
        if self.device == "cpu":
            del out["device"]
        return out


@dataclass
class RunResult:
    """A finished run: its history, trained model and where it came from."""

    spec: RunSpec
    history: History
    model: nn.Module
    from_cache: bool


def run_key_for(spec: RunSpec, data: MnistData) -> str:
    """The run cache key of ``spec`` on ``data``, so callers can tell what is already trained.

    The loss a run names is in its spec, and the losses' source is one of the
    modules every key hashes (``ex3.training.cache.RUN_MODULES``).
    """
    return run_key(spec.as_dict(), data.identity,
                   Path(inspect.getfile(model_spec(spec.model).build)))


def loss_for(spec: RunSpec) -> LossFn:
    """The loss ``spec`` trains with: the one it names, else its model's own."""
    return model_spec(spec.model).loss if spec.loss is None else named_loss(spec.loss)


def cache_enabled() -> bool:
    """The run cache is on unless the environment turns it off (``ex3.config.cache_enabled``)."""
    return cache.cache_enabled()


def _as_json(value: object) -> object:
    """``value`` as it reads back from JSON (tuples become lists), for comparing specs."""
    return json.loads(json.dumps(value))


def restore(spec: RunSpec, meta: dict, state: dict[str, torch.Tensor]
            ) -> tuple[History, nn.Module]:
    """The history and trained model a cache entry (or a fresh run) holds for ``spec``.

    Raises when they do not belong to ``spec``: a spec recorded for another
    run, a history without its fields, a state_dict of another model.
    """
    if _as_json(meta["spec"]) != _as_json(spec.as_dict()):
        raise ValueError("the entry records another run's spec")
    history = History.from_json(meta["history"])
    model = build_seeded(model_spec(spec.model).build, spec.config.seed)
    model.load_state_dict(state)
    model.eval()
    return history, model
