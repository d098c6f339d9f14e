"""Measuring the toy experiment: both models on all three functions, per seed.

The protocol is declared here, before any measurement, and is the same in
both profiles because the whole study takes seconds:

* data: 1,000 train / 200 test points per seed (CLAIMS.md's setup);
* optimiser: plain mini-batch gradient descent (SGD, no momentum), as the
  assignment says; learning rate 0.01, a round value well below the linear
  model's stability bound (2 / lambda_max of 2 E[x x^T] ~ 0.48); batch 32
  (Keras' default, which the report used); 100 epochs; no L2 penalty
  (lambda = 0: the report does not mention one);
* five seeds; seed s draws W, the data, the noise and the initial weights.
* SLOTS names the two slots ("linear", "cnn"); ``substitutions`` and
  ``targets`` may put another model in a slot or another target behind a
  function, only to build falsification worlds.

Losses are reported as *normalised* MSE (MSE / Var(y) of the same split,
i.e. 1 - R^2), so thresholds are free of the targets' scale.

How the runs are executed (not part of the protocol): ``run_study`` trains
every seed, function and model as one stacked program
(``ex3.training.loop.train_runs`` on an ``ex3.training.stacked.StackedRuns``),
because one run is 3,200 steps of a model with at most 10 weights and almost
all of its time is per-step overhead. Nothing a run sees changes: each run
starts from the weights ``build_seeded`` gives it alone, is shuffled by its
own generator seeded with its seed (the order ``train`` would use), and gets
exactly its own gradient. Only floating-point rounding differs from training
the runs one by one with ``run_one`` (relative differences of about 1e-6 in
the NMSE curves), far below every threshold of ``ex3.studies.toy.judge``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np
import torch

from ex3.data.toy import FUNCTIONS, ToyData, make_toy_data
from ex3.models.toy import TOY_MODELS, squared_loss
from ex3.studies.contract import RunContext, SessionCache, study_seeds, with_overrides
from ex3.studies.toy.evidence import NEAR_ZERO, PLATEAU_WINDOW, ToyEvidence, ToyRun
from ex3.training.loop import History, Split, TrainConfig, train, train_runs
from ex3.training.seeding import build_seeded
from ex3.training.stacked import StackedRuns
from ex3.training.threads import intra_op_threads

SLOTS = ("linear", "cnn")


@dataclass(frozen=True)
class ToyProtocol:
    """Everything needed to reproduce the toy study."""

    seeds: tuple[int, ...] = (0, 1, 2, 3, 4)
    n_train: int = 1000
    n_test: int = 200
    noise: float = 0.01
    optimizer: str = "sgd"
    lr: float = 0.01
    batch_size: int = 32
    epochs: int = 100
    weight_decay: float = 0.0
    #: (function, slot, model): train ``model`` in ``slot`` for ``function``
    #: instead of the slot's own model; (function, source): that function's
    #: targets come from ``source``. Both empty in the declared protocol; they
    #: build falsification worlds.
    substitutions: tuple[tuple[str, str, str], ...] = ()
    targets: tuple[tuple[str, str], ...] = ()

    def model_for(self, function: str, slot: str) -> str:
        return next((m for f, s, m in self.substitutions if (f, s) == (function, slot)), slot)

    def target_for(self, function: str) -> str:
        return dict(self.targets).get(function, function)


def protocol_for(ctx: RunContext) -> ToyProtocol:
    """The declared protocol, with the context's seed count, master seed and overrides."""
    protocol = ToyProtocol(seeds=study_seeds(ctx, len(ToyProtocol.seeds)))
    return with_overrides(protocol, ctx)


@dataclass(frozen=True)
class Curves:
    """Normalised train and test MSE after each epoch (index 0: before training)."""

    train: tuple[float, ...]
    test: tuple[float, ...]
    diverged: bool


def _as_split(x: np.ndarray, y: np.ndarray) -> Split:
    return Split(torch.as_tensor(x, dtype=torch.float32), torch.as_tensor(y, dtype=torch.float32))


def toy_splits(data: ToyData, target: str) -> tuple[Split, Split]:
    """The float32 train and test splits of one target function of a seed's data."""
    return (_as_split(data.x_train, data.y_train[target]),
            _as_split(data.x_test, data.y_test[target]))


def train_config(protocol: ToyProtocol, seed: int) -> TrainConfig:
    """The training configuration of every run of ``seed`` (the loop shuffles with ``seed``)."""
    return TrainConfig(protocol.optimizer, protocol.lr, protocol.batch_size, protocol.epochs,  # type: ignore[arg-type]
                       seed, protocol.weight_decay)


def _curves(history: History, y_train: np.ndarray, y_test: np.ndarray) -> Curves:
    var_train, var_test = float(np.var(y_train)), float(np.var(y_test))
    return Curves(tuple(v / var_train for v in history.series("train_loss")),
                  tuple(v / var_test for v in history.series("test_loss")),
                  history.diverged)


def run_one(protocol: ToyProtocol, seed: int, function: str, model_name: str) -> Curves:
    """Train one model on one function for one seed; return its NMSE curves.

    The straightforward, one-run-at-a-time form of the study: ``run_study``
    must agree with it up to rounding, and the benchmarks time one against
    the other.
    """
    data = make_toy_data(seed, protocol.n_train, protocol.n_test, protocol.noise)
    target = protocol.target_for(function)
    train_split, test_split = toy_splits(data, target)
    model = build_seeded(TOY_MODELS[protocol.model_for(function, model_name)], seed)
    history = train(model, train_split, test_split, train_config(protocol, seed), squared_loss)
    return _curves(history, data.y_train[target], data.y_test[target])


def run_stacked(protocol: ToyProtocol) -> dict[tuple[int, str, str], Curves]:
    """Every run of the study trained together: ``result[(seed, function, slot)]``.

    Runs are grouped by the model they train (one group per architecture of
    ``TOY_MODELS``); see the module docstring for why this is the same
    protocol as ``run_one`` for each run.
    """
    return _train_stack([protocol], per_run_rates=False)[0]


#: Protocol fields that may differ between protocols trained in one stack (with per-run
#: rates): the learning rate, the L2 lambda and which model fills a slot.
PER_RUN_FIELDS = ("lr", "weight_decay", "substitutions")


def stack_key(protocol: ToyProtocol) -> ToyProtocol:
    """What protocols trained in one stack share: everything but ``PER_RUN_FIELDS``."""
    return dataclasses.replace(protocol, lr=1.0, weight_decay=0.0, substitutions=())


def run_many(protocols: list[ToyProtocol]) -> list[dict[tuple[int, str, str], Curves]]:
    """The curves of several protocols, those that share a ``stack_key`` trained as one stack.

    The robustness neighbourhood of the toy claims is dozens of protocols of
    30 tiny runs each; protocols that differ only in learning rate, L2 lambda
    or the linear model's start share the batches' schedule, so they train
    together under plain SGD with each run's own rate and lambda
    (``per_run_sgd``): one program instead of one per protocol. A protocol
    alone in its group trains exactly as ``run_stacked`` trains it.
    """
    groups: dict[ToyProtocol, list[int]] = {}
    for i, protocol in enumerate(protocols):
        groups.setdefault(stack_key(protocol), []).append(i)
    out: list[dict[tuple[int, str, str], Curves]] = [{} for _ in protocols]
    for members in groups.values():
        batch = [protocols[i] for i in members]
        shared = len(batch) > 1 and all(p.optimizer == "sgd" for p in batch)
        results = (_train_stack(batch, per_run_rates=True) if shared
                   else [_train_stack([p], per_run_rates=False)[0] for p in batch])
        for i, result in zip(members, results, strict=True):
            out[i] = result
    return out


def per_run_sgd(model: StackedRuns, rates: list[float], lambdas: list[float]) -> None:
    """Make SGD at learning rate 1 step each run by its own rate and L2 lambda.

    A gradient hook on every stacked parameter turns run r's gradient g into
    ``rate_r * (g + lambda_r * theta_r)``, so the step of SGD(lr=1) is exactly
    the step SGD(lr=rate_r, weight_decay=lambda_r) takes for that run alone
    (up to floating-point rounding).
    """
    offset = 0
    for group, size in zip(model.groups, model.sizes, strict=True):
        rate = torch.tensor(rates[offset:offset + size])
        lam = torch.tensor(lambdas[offset:offset + size])
        for param in group.stacked:  # type: ignore[attr-defined]
            shape = (size,) + (1,) * (param.dim() - 1)
            param.register_hook(_scaled_gradient(param, rate.view(shape), lam.view(shape)))
        offset += size


def _scaled_gradient(param: torch.Tensor, rate: torch.Tensor, lam: torch.Tensor
                     ) -> Callable[[torch.Tensor], torch.Tensor]:
    """The hook of ``per_run_sgd`` for one stacked parameter."""
    def hook(grad: torch.Tensor) -> torch.Tensor:
        return rate * (grad + lam * param.detach())
    return hook


def _train_stack(protocols: list[ToyProtocol], per_run_rates: bool
                 ) -> list[dict[tuple[int, str, str], Curves]]:
    """Train every run of ``protocols`` (one ``stack_key``) as one stack, grouped by model."""
    first = protocols[0]
    keys = [(i, seed, f, slot) for i in range(len(protocols)) for seed in first.seeds
            for f in FUNCTIONS for slot in SLOTS]
    data = {seed: make_toy_data(seed, first.n_train, first.n_test, first.noise)
            for seed in first.seeds}
    by_model: dict[str, list[tuple[int, int, str, str]]] = {}
    for key in keys:
        by_model.setdefault(protocols[key[0]].model_for(key[2], key[3]), []).append(key)
    order = [key for group in by_model.values() for key in group]
    model = StackedRuns([[build_seeded(TOY_MODELS[name], seed) for _, seed, _, _ in group]
                         for name, group in by_model.items()])
    config = train_config(first, first.seeds[0])
    if per_run_rates:
        per_run_sgd(model, [protocols[i].lr for i, *_ in order],
                    [protocols[i].weight_decay for i, *_ in order])
        config = dataclasses.replace(config, lr=1.0, weight_decay=0.0)

    def target(key: tuple[int, int, str, str]) -> str:
        return protocols[key[0]].target_for(key[2])

    def stack(split: str) -> Split:
        xs = [getattr(data[key[1]], f"x_{split}") for key in order]
        ys = [getattr(data[key[1]], f"y_{split}")[target(key)] for key in order]
        return _as_split(np.stack(xs), np.stack(ys))

    histories = train_runs(model, stack("train"), stack("test"), config, squared_loss,
                           [seed for _, seed, _, _ in order])
    out: list[dict[tuple[int, str, str], Curves]] = [{} for _ in protocols]
    for key, history in zip(order, histories, strict=True):
        i, seed, f, slot = key
        out[i][(seed, f, slot)] = _curves(history, data[seed].y_train[target(key)],
                                          data[seed].y_test[target(key)])
    return out


Study = dict[int, dict[str, dict[str, Curves]]]


def _key(protocol: ToyProtocol) -> tuple[str, ToyProtocol]:
    """The session-cache key of a protocol's curves."""
    return ("toy", protocol)


def _as_study(protocol: ToyProtocol, curves: dict[tuple[int, str, str], Curves]) -> Study:
    return {seed: {f: {m: curves[(seed, f, m)] for m in SLOTS} for f in FUNCTIONS}
            for seed in protocol.seeds}


def train_study(protocol: ToyProtocol) -> Study:
    """Train the whole study now (no memo): ``result[seed][function][model]``."""
    with intra_op_threads(1):  # tiny models: more threads only add overhead
        return _as_study(protocol, run_stacked(protocol))


def run_study(ctx: RunContext, protocol: ToyProtocol) -> Study:
    """Curves for every seed, function and model, trained once per protocol and session.

    The toy claims share one study; the session's cache (``ctx.cache``) keeps it.
    """
    return ctx.cache.get(_key(protocol), lambda: train_study(protocol))


def is_measured(cache: SessionCache, protocol: ToyProtocol) -> bool:
    """True when the session already holds the protocol's curves."""
    return _key(protocol) in cache


def run_many_one_thread(protocols: list[ToyProtocol]
                        ) -> list[dict[tuple[int, str, str], Curves]]:
    """``run_many`` on one intra-op thread (picklable: a process pool runs it)."""
    with intra_op_threads(1):  # tiny models: more threads only add overhead
        return run_many(protocols)


def store(cache: SessionCache, protocols: list[ToyProtocol],
          curves: list[dict[tuple[int, str, str], Curves]]) -> None:
    """Keep curves ``run_many`` trained (here or in a worker), so ``run_study`` finds them."""
    for protocol, result in zip(protocols, curves, strict=True):
        cache.put(_key(protocol), _as_study(protocol, result))


def summarise(curves: Curves) -> ToyRun:
    """The numbers the judges read from one run's curves (at the evidence's declared points)."""
    test = np.asarray(curves.test)
    train_ = np.asarray(curves.train)
    below = np.nonzero(test <= NEAR_ZERO)[0]
    return ToyRun(
        initial_train_nmse=float(train_[0]),
        initial_test_nmse=float(test[0]),
        final_train_nmse=float(train_[-1]),
        final_test_nmse=float(test[-1]),
        epochs_to_near_zero=int(below[0]) if below.size else None,
        plateau_change=_plateau_change(test, PLATEAU_WINDOW),
        train_plateau_change=_plateau_change(train_, PLATEAU_WINDOW),
        epochs=len(test) - 1,
        diverged=curves.diverged,
    )


def _plateau_change(curve: np.ndarray, window: int) -> float:
    """Relative change of the mean over the last ``window`` epochs against the ``window`` before."""
    last, before = curve[-window:], curve[-2 * window:-window]
    return float(abs(last.mean() - before.mean()) / max(before.mean(), 1e-12))


def measure(ctx: RunContext) -> ToyEvidence:
    """Evidence for the toy claims: per seed, function and model, the summary numbers."""
    protocol = protocol_for(ctx)
    study = run_study(ctx, protocol)
    per_seed = {
        str(seed): {f: {m: summarise(study[seed][f][m]) for m in SLOTS} for f in FUNCTIONS}
        for seed in protocol.seeds
    }
    return ToyEvidence(protocol=asdict(protocol), per_seed=per_seed)
