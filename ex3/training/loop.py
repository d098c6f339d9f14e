"""The one training loop every model of the project is trained with.

Mini-batch training with SGD or Adam, evaluation of loss (and accuracy, for
classifiers) on the whole train and test splits every ``eval_every`` epochs,
and divergence detection. Design choices, for speed without changing what is
measured:

* data are whole tensors, batched by indexing a seeded permutation: no
  DataLoader, no per-item transforms;
* the loss is checked for NaN/inf once per epoch (one host sync), not per
  step; a diverged run stops and is recorded as diverged, never raised;
* evaluation runs under ``torch.inference_mode`` in chunks of 512, which
  measured fastest on CPU (larger chunks fall out of cache: 8192 was 2.7x slower);
* ``elapsed_s`` counts training time only, so time-to-target excludes
  evaluation, as MLPerf's rules do;
* training and ``evaluate`` run on one intra-op thread (``EX3_THREADS``
  overrides): on the shared 2-core machines this project runs on, torch's
  default of two OpenMP threads, which busy-wait for each other while other
  processes hold the cores, made a LeNet epoch at batch 128 5 to 9 times
  slower than one thread, and epochs at batch 32 up to 60 times (load
  average 6 to 7); a fixed count, rather than one picked from the load,
  keeps a run's rounding independent of what else the machine does;
* Adam runs fused (one kernel updates every parameter; the same update as
  the default implementation up to rounding), and a model with 2-D
  convolutions is trained in the channels-last memory format; both measured
  faster for a LeNet epoch (``benchmarks/test_speed.py``) and leave the
  values computed unchanged up to rounding;
* many small runs that share a configuration (the toy study's seeds,
  functions and models) can be trained as one program by ``train_runs``: the
  model carries a leading run dimension (see ``ex3.training.stacked``), each
  run keeps its own shuffling generator, and the summed per-run losses give
  each run exactly its own gradient, so per-step Python overhead is paid
  once for all runs instead of once per run.

``train`` and ``train_runs`` are two entry points of the same loop
(``_loop``); there is no other.
"""

from __future__ import annotations

import contextlib
import math
import os
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import Literal

import torch
from torch import nn

LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]

THREADS_ENV = "EX3_THREADS"


def train_threads() -> int:
    """The intra-op threads training uses: ``EX3_THREADS``, else 1 (see the module docstring)."""
    value = os.environ.get(THREADS_ENV, "").strip()
    if not value:
        return 1
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"{THREADS_ENV} must be a positive integer, not {value!r}")
    return int(value)


@contextlib.contextmanager
def intra_op_threads(threads: int | None) -> Iterator[None]:
    """Run a block with ``threads`` torch intra-op threads (None: unchanged), then restore."""
    before = torch.get_num_threads()
    if threads is not None and threads != before:
        torch.set_num_threads(threads)
    try:
        yield
    finally:
        if torch.get_num_threads() != before:
            torch.set_num_threads(before)


@dataclass(frozen=True)
class TrainConfig:
    """How to train: optimiser, learning rate, batch size, epochs, seed.

    ``weight_decay`` is the L2 penalty lambda of ``loss + lambda/2 ||theta||^2``
    (for SGD this is exactly torch's ``weight_decay``).
    """

    optimizer: Literal["sgd", "adam"]
    lr: float
    batch_size: int
    epochs: int
    seed: int
    weight_decay: float = 0.0
    eval_every: int = 1

    def __post_init__(self) -> None:
        if self.optimizer not in ("sgd", "adam"):
            raise ValueError(f"optimizer must be 'sgd' or 'adam', not {self.optimizer!r}")
        if not (self.lr > 0 and self.batch_size > 0 and self.epochs >= 0 and self.eval_every > 0):
            raise ValueError(f"invalid training configuration: {self}")


@dataclass(frozen=True)
class Split:
    """Inputs and targets of one split, as whole tensors."""

    x: torch.Tensor
    y: torch.Tensor

    def __len__(self) -> int:
        return int(self.x.shape[0])


@dataclass(frozen=True)
class EpochRecord:
    """Metrics after ``epoch`` epochs (epoch 0: before any training).

    With ``eval_every_steps`` records are taken every that many steps; a record
    inside an epoch carries the number of the epoch in progress, and ``step``
    is then the exact position.
    """

    epoch: int
    step: int
    train_loss: float
    test_loss: float
    train_acc: float | None
    test_acc: float | None
    elapsed_s: float


@dataclass
class History:
    """What a training run produced, epoch by epoch.

    ``stopped_early`` is True when a ``stop_when`` callback ended the run
    before its configured epochs (a time-to-target run that got there).
    """

    records: list[EpochRecord] = field(default_factory=list)
    diverged: bool = False
    diverged_at_epoch: int | None = None
    steps: int = 0
    train_seconds: float = 0.0
    stopped_early: bool = False

    def series(self, name: str) -> list[float | None]:
        """One metric across the recorded epochs, e.g. ``series("test_loss")``."""
        return [getattr(r, name) for r in self.records]

    @property
    def final(self) -> EpochRecord:
        return self.records[-1]

    def to_json(self) -> dict:
        return {"records": [asdict(r) for r in self.records], "diverged": self.diverged,
                "diverged_at_epoch": self.diverged_at_epoch, "steps": self.steps,
                "train_seconds": self.train_seconds, "stopped_early": self.stopped_early}

    @classmethod
    def from_json(cls, data: dict) -> History:
        return cls(records=[EpochRecord(**r) for r in data["records"]],
                   diverged=data["diverged"], diverged_at_epoch=data["diverged_at_epoch"],
                   steps=data["steps"], train_seconds=data["train_seconds"],
                   stopped_early=data.get("stopped_early", False))


#: Keras' Adam epsilon (torch's default is 1e-8).
KERAS_ADAM_EPS = 1e-7


def make_optimizer(model: nn.Module, config: TrainConfig,
                   fused: bool = True) -> torch.optim.Optimizer:
    """SGD (plain, no momentum) or Adam (Keras' defaults: betas 0.9 / 0.999, epsilon 1e-7; fused).

    Keras' Adam adds epsilon 1e-7 where torch's default is 1e-8; CLAIMS.md
    counts Keras' defaults as the report's protocol.
    """
    params = list(model.parameters())
    if config.optimizer == "sgd":
        return torch.optim.SGD(params, lr=config.lr, weight_decay=config.weight_decay)
    return torch.optim.Adam(params, lr=config.lr, betas=(0.9, 0.999), eps=KERAS_ADAM_EPS,
                            weight_decay=config.weight_decay, fused=fused or None)


def prefer_channels_last(model: nn.Module) -> nn.Module:
    """Put a model with 2-D convolutions (4-D weights) in channels-last format, in place.

    The oneDNN convolutions run faster on channels-last activations; the
    model's values and ``state_dict`` keys are unchanged (only strides
    differ), so a run trained this way loads into a freshly built model.
    """
    if any(p.dim() == 4 for p in model.parameters()):
        model.to(memory_format=torch.channels_last)
    return model


@torch.inference_mode()
def _evaluate(model: nn.Module, split: Split, loss_fn: LossFn, classify: bool, chunk: int,
              runs: bool) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Mean loss (and accuracy) over a split as tensors: scalars, or one value per run.

    With ``runs`` the split has a leading run dimension, the model maps
    [runs, batch, ...] to [runs, batch, ...], and ``loss_fn`` (written for one
    run) is applied to each run by ``torch.func.vmap``.
    """
    was_training = model.training
    model.eval()
    n = int(split.x.shape[1 if runs else 0])
    per_run = torch.func.vmap(loss_fn) if runs else loss_fn
    shape = (split.x.shape[0],) if runs else ()
    total = torch.zeros(shape, dtype=torch.float64)
    correct = torch.zeros(shape, dtype=torch.int64)
    for i in range(0, n, chunk):
        x = split.x[:, i:i + chunk] if runs else split.x[i:i + chunk]
        target = split.y[:, i:i + chunk] if runs else split.y[i:i + chunk]
        out = model(x)
        size = target.shape[1 if runs else 0]
        total += per_run(out, target).double() * size
        if classify:
            correct += (out.argmax(dim=-1) == target).sum(dim=-1 if runs else None)
    model.train(was_training)
    return total / max(n, 1), (correct.double() / n if classify else None)


def evaluate(model: nn.Module, split: Split, loss_fn: LossFn, classify: bool,
             chunk: int = 512) -> tuple[float, float | None]:
    """Mean loss (and accuracy) over a whole split, in large chunks, on the loop's threads."""
    with intra_op_threads(train_threads()):
        loss, acc = _evaluate(model, split, loss_fn, classify, chunk, runs=False)
    return float(loss), (float(acc) if acc is not None else None)


def train(model: nn.Module, train_split: Split, test_split: Split, config: TrainConfig,
          loss_fn: LossFn, *, classify: bool = False,
          on_epoch: Callable[[EpochRecord], None] | None = None,
          stop_when: Callable[[EpochRecord], bool] | None = None,
          eval_every_steps: int | None = None, evaluate_train: bool = True,
          tuned: bool = True) -> History:
    """Train ``model`` in place and return its history.

    The shuffling order comes from ``config.seed``; seed the model's
    initialisation before building it (see ``ex3.training.seeding``).

    ``stop_when(record)`` is asked after every record; True ends the run there
    (time-to-target). ``eval_every_steps`` records every that many steps (and
    after the last step) instead of every ``config.eval_every`` epochs, so a
    target can be read at a fixed, stated interval. ``evaluate_train=False``
    skips the pass over the whole training split at each record, whose cost
    would dominate frequent records: ``train_loss`` is then the mean
    mini-batch loss since the previous record (NaN before any step) and
    ``train_acc`` is None.
    None of these change what a step computes. ``tuned=False`` turns off the
    one-thread policy, the fused Adam and the channels-last format (see the
    module docstring), leaving torch's defaults: the straightforward
    configuration the speed benchmarks compare against.
    """
    def forward(_run: int, rec: EpochRecord) -> None:
        if on_epoch is not None:
            on_epoch(rec)

    return _fit(model, train_split, test_split, config, loss_fn, classify=classify,
                run_seeds=None, on_record=forward, stop_when=stop_when,
                eval_every_steps=eval_every_steps, evaluate_train=evaluate_train,
                tuned=tuned)[0]


def train_runs(model: nn.Module, train_split: Split, test_split: Split, config: TrainConfig,
               loss_fn: LossFn, run_seeds: Sequence[int], *, classify: bool = False,
               on_record: Callable[[int, EpochRecord], None] | None = None,
               stop_when: Callable[[EpochRecord], bool] | None = None,
               eval_every_steps: int | None = None,
               evaluate_train: bool = True) -> list[History]:
    """Train several runs of one configuration as one program; one history per run.

    ``model`` maps [runs, batch, ...] to [runs, batch, ...] with independent
    parameters per run (``ex3.training.stacked.StackedRuns``); the splits'
    tensors have the same leading run dimension. Run ``r`` is shuffled by its
    own generator seeded with ``run_seeds[r]`` (``config.seed`` is not used),
    exactly as ``train`` would shuffle it alone. ``loss_fn`` is the one-run
    loss; the loop applies it per run and steps on the sum of the per-run
    losses, whose gradient with respect to run ``r``'s parameters is run
    ``r``'s own gradient (SGD and Adam act elementwise, so each run's update
    is the one it would get alone, up to floating-point rounding).

    A run that diverges or meets ``stop_when`` stops being recorded (its
    history ends there, as in ``train``) while the others go on; the batch
    ends when every run has stopped. ``train_seconds`` is the wall time of
    the whole batch, shared by its runs. ``on_record(run, record)`` sees every
    record.
    """
    if len(run_seeds) != train_split.x.shape[0] or len(run_seeds) != test_split.x.shape[0]:
        raise ValueError(f"{len(run_seeds)} run seeds but splits with "
                         f"{train_split.x.shape[0]} and {test_split.x.shape[0]} runs")
    return _fit(model, train_split, test_split, config, loss_fn, classify=classify,
                run_seeds=run_seeds, on_record=on_record, stop_when=stop_when,
                eval_every_steps=eval_every_steps, evaluate_train=evaluate_train, tuned=True)


def _fit(model: nn.Module, train_split: Split, test_split: Split, config: TrainConfig,
         loss_fn: LossFn, *, classify: bool, run_seeds: Sequence[int] | None,
         on_record: Callable[[int, EpochRecord], None] | None,
         stop_when: Callable[[EpochRecord], bool] | None, eval_every_steps: int | None,
         evaluate_train: bool, tuned: bool) -> list[History]:
    """Train one run (``run_seeds`` None) or a stack of runs, under the chosen thread count."""
    if eval_every_steps is not None and eval_every_steps <= 0:
        raise ValueError(f"eval_every_steps must be positive, not {eval_every_steps}")
    with intra_op_threads(train_threads() if tuned else None):
        return _loop(model, train_split, test_split, config, loss_fn, classify=classify,
                     run_seeds=run_seeds, on_record=on_record, stop_when=stop_when,
                     eval_every_steps=eval_every_steps, evaluate_train=evaluate_train,
                     tuned=tuned)


def _loop(model: nn.Module, train_split: Split, test_split: Split, config: TrainConfig,
          loss_fn: LossFn, *, classify: bool, run_seeds: Sequence[int] | None,
          on_record: Callable[[int, EpochRecord], None] | None,
          stop_when: Callable[[EpochRecord], bool] | None, eval_every_steps: int | None,
          evaluate_train: bool, tuned: bool) -> list[History]:
    """The loop itself (``_fit`` has set the thread count)."""
    stacked = run_seeds is not None
    seeds = list(run_seeds) if run_seeds is not None else [config.seed]
    optimizer = make_optimizer(prefer_channels_last(model) if tuned else model, config,
                               fused=tuned)
    generators = [torch.Generator().manual_seed(s) for s in seeds]
    histories = [History() for _ in seeds]
    live = list(range(len(seeds)))
    n = int(train_split.x.shape[1 if stacked else 0])
    step_loss = torch.func.vmap(loss_fn) if stacked else loss_fn
    rows = torch.arange(len(seeds)).unsqueeze(1)
    shape = (len(seeds),) if stacked else ()
    steps, seconds = 0, 0.0
    since, since_steps = torch.zeros(shape), 0

    def as_list(value: torch.Tensor | None) -> list[float | None]:
        if value is None:
            return [None] * len(seeds)
        return value.tolist() if stacked else [float(value)]

    def record(epoch: int, which: list[int]) -> None:
        """Evaluate, append a record to each run in ``which``, retire finished runs.

        Divergence is not looked for before training (epoch 0): a run that
        starts from a non-finite loss is stopped by its first epoch's check.
        """
        nonlocal since, since_steps
        if not which:
            return
        te_loss, te_acc = _evaluate(model, test_split, loss_fn, classify, 512, stacked)
        if evaluate_train:
            tr_loss, tr_acc = _evaluate(model, train_split, loss_fn, classify, 512, stacked)
        elif since_steps:
            tr_loss, tr_acc = since.double() / since_steps, None
        else:
            tr_loss, tr_acc = torch.full(shape, math.nan, dtype=torch.float64), None
        since, since_steps = torch.zeros(shape), 0
        columns = [as_list(v) for v in (tr_loss, te_loss, tr_acc, te_acc)]
        for r in which:
            history = histories[r]
            history.steps, history.train_seconds = steps, seconds
            rec = EpochRecord(epoch, steps, columns[0][r], columns[1][r], columns[2][r],  # type: ignore[arg-type]
                              columns[3][r], round(seconds, 6))
            history.records.append(rec)
            if on_record is not None:
                on_record(r, rec)
            if history.diverged or (epoch > 0 and not math.isfinite(rec.train_loss)):
                history.diverged = True
                if history.diverged_at_epoch is None:
                    history.diverged_at_epoch = epoch
                live.remove(r)
            elif stop_when is not None and stop_when(rec):
                history.stopped_early = True
                live.remove(r)

    record(0, list(live))
    model.train()
    for epoch in range(1, config.epochs + 1):
        if not live:
            break
        start = time.perf_counter()
        if stacked:
            order = torch.stack([torch.randperm(n, generator=g) for g in generators])
        else:
            order = torch.randperm(n, generator=generators[0])
        running = torch.zeros(shape)
        for i in range(0, n, config.batch_size):
            if stacked:
                idx = order[:, i:i + config.batch_size]
                xb, yb = train_split.x[rows, idx], train_split.y[rows, idx]
            else:
                idx = order[i:i + config.batch_size]
                xb, yb = train_split.x[idx], train_split.y[idx]
            optimizer.zero_grad(set_to_none=True)
            loss = step_loss(model(xb), yb)
            (loss.sum() if stacked else loss).backward()
            optimizer.step()
            running += loss.detach()
            steps += 1
            if not evaluate_train:
                since += loss.detach()
                since_steps += 1
            if eval_every_steps is not None and steps % eval_every_steps == 0:
                seconds += time.perf_counter() - start
                record(epoch, list(live))
                start = time.perf_counter()
                if not live:
                    break
        finite = torch.isfinite(running).tolist() if stacked else [bool(torch.isfinite(running))]
        seconds += time.perf_counter() - start
        for r in live:
            histories[r].steps, histories[r].train_seconds = steps, seconds
        newly = [r for r in live if not finite[r]]
        for r in newly:
            histories[r].diverged, histories[r].diverged_at_epoch = True, epoch
        last = epoch == config.epochs
        if eval_every_steps is None:
            due = epoch % config.eval_every == 0 or last
        else:
            due = last and steps % eval_every_steps != 0
        if due or newly:
            record(epoch, list(live) if due else newly)
    return histories
