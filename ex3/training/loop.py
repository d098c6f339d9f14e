"""The one training loop every model of the project is trained with.

Mini-batch training with SGD or Adam, evaluation of loss (and accuracy, for
classifiers) on the whole train and test splits every ``eval_every`` epochs,
and divergence detection. Design choices, for speed without changing what is
measured:

* data are whole tensors, batched by indexing a seeded permutation: no
  DataLoader, no per-item transforms;
* the loss is checked for NaN/inf once per epoch (one host sync), not per
  step; a diverged run stops and is recorded as diverged, never raised;
* evaluation runs under ``torch.inference_mode`` in chunks (``eval_chunk``):
  128 examples for a model with 2-D convolutions, 512 for any other. On 2
  cores, LeNet's evaluation of 70,000 images took 1.53 s in chunks of 128
  against 2.37 s in chunks of 512 on one thread (0.78 s against 1.45 s on
  two); the dense autoencoder's changed by under 5% from 512 to 4,096 and was
  10% slower at 128. The chunk changes only the rounding of a record's mean;
  the model's trajectory does not depend on evaluation at all;
* ``elapsed_s`` counts training time only, so time-to-target excludes
  evaluation, as MLPerf's rules do;
* a run trains and evaluates on the intra-op thread count its caller gives
  (``threads``), fixed before training and never picked from the load, since
  the count changes a run's rounding: the runs a command trains carry it in
  their spec and cache key (``RunSpec.threads``), decided from ``--workers``
  and the cores the process may use (``ex3.training.threads.run_threads``:
  2 per run on 2 cores with one worker, 1 with two); other training runs on
  ``train_threads()``, 1 unless the environment says otherwise. OpenMP's
  threads spin only briefly before they sleep (``GOMP_SPINCOUNT=1000``, set
  when ``ex3`` is imported; ``ex3.config.prefer_short_openmp_waits``).
  Measured on 2 cores, LeNet epoch at batch 128 (best of 3): idle, 1 thread
  3.54 s, 2 threads 2.13 s (1.95 s with torch's default spin, 3.01 s with
  ``OMP_WAIT_POLICY=PASSIVE``); with one busy process on a core, 1 thread
  3.41 s and 2 threads 7 to 9 s whatever the waiting; with other processes
  keeping the load average near 3, torch's default spin took 64 to 77 s
  where the short spin took 2.3 to 12 s. Two threads are worth it on free
  cores only: on a machine other work keeps busy, ``--workers`` equal to
  the cores trains each run on one thread;
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
(``_loop``); there is no other. What differs between one run and a stack of
runs (how a batch is indexed, how the loss is reduced, how a split is
evaluated) is the layout's (``ex3.training.layout.OneRun`` and
``ex3.training.stacked.RunStack``), so the loop's body has no branch on it.
The loop's inputs and outputs (``TrainConfig``, ``Split``, ``History``) live
in ``ex3.training.records`` and are re-exported here.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence

import torch
from torch import nn

from ex3.training.layout import Layout, OneRun
from ex3.training.records import EpochRecord, History, LossFn, Split, TrainConfig
from ex3.training.stacked import RunStack
from ex3.training.threads import intra_op_threads, train_threads

__all__ = ["EpochRecord", "History", "LossFn", "Split", "TrainConfig", "eval_chunk", "evaluate",
           "intra_op_threads", "make_optimizer", "prefer_channels_last", "train",
           "train_runs", "train_threads"]


#: Examples per evaluation chunk (see the module docstring): for a model with 2-D
#: convolutions, and for any other.
CONV_EVAL_CHUNK = 128
EVAL_CHUNK = 512


def eval_chunk(model: nn.Module) -> int:
    """The evaluation chunk for ``model``: small for convolutions (4-D weights), else large."""
    return CONV_EVAL_CHUNK if any(p.dim() == 4 for p in model.parameters()) else EVAL_CHUNK

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


def evaluate(model: nn.Module, split: Split, loss_fn: LossFn, classify: bool,
             chunk: int | None = None, threads: int | None = None
             ) -> tuple[float, float | None]:
    """Mean loss (and accuracy) over a whole split, in chunks (None: ``eval_chunk(model)``), on
    ``threads`` intra-op threads (None: ``train_threads()``)."""
    with intra_op_threads(threads or train_threads()):
        loss, acc = OneRun().evaluate(model, split, loss_fn, classify, chunk or eval_chunk(model))
    return float(loss), (float(acc) if acc is not None else None)


def train(model: nn.Module, train_split: Split, test_split: Split, config: TrainConfig,
          loss_fn: LossFn, *, classify: bool = False,
          on_epoch: Callable[[EpochRecord], None] | None = None,
          stop_when: Callable[[EpochRecord], bool] | None = None,
          eval_every_steps: int | None = None, evaluate_train: bool = True,
          threads: int | None = None, tuned: bool = True,
          device: str | torch.device = "cpu") -> History:
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
    None of these change what a step computes. ``threads`` is the intra-op
    thread count (None: ``train_threads()``, one unless the environment says
    otherwise); it changes rounding, so a caller that stores the run records
    it (``RunSpec.threads``). ``tuned=False`` ignores ``threads`` and turns
    off the fused Adam and the channels-last format (see the module
    docstring), leaving torch's defaults: the straightforward configuration
    the speed benchmarks compare against. ``device`` is where the run trains
    and evaluates: the model and both splits move there once, before the first
    step (and the model stays there); the shuffling order is still drawn on
    the CPU, so a run sees the same batches on every device.
    """
    def forward(_run: int, rec: EpochRecord) -> None:
        if on_epoch is not None:
            on_epoch(rec)

    model.to(device)
    train_split, test_split = (Split(s.x.to(device), s.y.to(device))
                               for s in (train_split, test_split))

    return _fit(model, train_split, test_split, config, loss_fn, OneRun(), [config.seed],
                classify=classify, on_record=forward, stop_when=stop_when,
                eval_every_steps=eval_every_steps, evaluate_train=evaluate_train,
                threads=threads, tuned=tuned)[0]


def train_runs(model: nn.Module, train_split: Split, test_split: Split, config: TrainConfig,
               loss_fn: LossFn, run_seeds: Sequence[int], *, classify: bool = False,
               on_record: Callable[[int, EpochRecord], None] | None = None,
               stop_when: Callable[[EpochRecord], bool] | None = None,
               eval_every_steps: int | None = None, evaluate_train: bool = True,
               threads: int | None = None) -> list[History]:
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
    record. ``threads`` is as in ``train``.
    """
    if len(run_seeds) != train_split.x.shape[0] or len(run_seeds) != test_split.x.shape[0]:
        raise ValueError(f"{len(run_seeds)} run seeds but splits with "
                         f"{train_split.x.shape[0]} and {test_split.x.shape[0]} runs")
    return _fit(model, train_split, test_split, config, loss_fn, RunStack(len(run_seeds)),
                list(run_seeds), classify=classify, on_record=on_record, stop_when=stop_when,
                eval_every_steps=eval_every_steps, evaluate_train=evaluate_train,
                threads=threads, tuned=True)


def _fit(model: nn.Module, train_split: Split, test_split: Split, config: TrainConfig,
         loss_fn: LossFn, layout: Layout, seeds: list[int], *, classify: bool,
         on_record: Callable[[int, EpochRecord], None] | None,
         stop_when: Callable[[EpochRecord], bool] | None, eval_every_steps: int | None,
         evaluate_train: bool, threads: int | None, tuned: bool) -> list[History]:
    """Train the runs ``layout`` lays out (one per seed), under the chosen thread count."""
    if eval_every_steps is not None and eval_every_steps <= 0:
        raise ValueError(f"eval_every_steps must be positive, not {eval_every_steps}")
    if threads is not None and threads < 1:
        raise ValueError(f"threads must be positive, not {threads}")
    with intra_op_threads((threads or train_threads()) if tuned else None):
        return _loop(model, train_split, test_split, config, loss_fn, layout, seeds,
                     classify=classify, on_record=on_record, stop_when=stop_when,
                     eval_every_steps=eval_every_steps, evaluate_train=evaluate_train,
                     tuned=tuned)


def _loop(model: nn.Module, train_split: Split, test_split: Split, config: TrainConfig,
          loss_fn: LossFn, layout: Layout, seeds: list[int], *, classify: bool,
          on_record: Callable[[int, EpochRecord], None] | None,
          stop_when: Callable[[EpochRecord], bool] | None, eval_every_steps: int | None,
          evaluate_train: bool, tuned: bool) -> list[History]:
    """The loop itself (``_fit`` has set the thread count); ``layout`` does the steps that
    depend on how many runs the tensors hold."""
    optimizer = make_optimizer(prefer_channels_last(model) if tuned else model, config,
                               fused=tuned)
    generators = [torch.Generator().manual_seed(s) for s in seeds]
    histories = [History() for _ in seeds]
    live = list(range(len(seeds)))
    n = layout.examples(train_split)
    step_loss = layout.step_loss(loss_fn)
    chunk = eval_chunk(model)
    steps, seconds = 0, 0.0
    on = train_split.x.device  # every value the loop keeps lives where the data do
    since, since_steps = torch.zeros(layout.shape, device=on), 0

    def record(epoch: int, which: list[int]) -> None:
        """Evaluate, append a record to each run in ``which``, retire finished runs.

        Divergence is not looked for before training (epoch 0): a run that
        starts from a non-finite loss is stopped by its first epoch's check.
        """
        nonlocal since, since_steps
        if not which:
            return
        te_loss, te_acc = layout.evaluate(model, test_split, loss_fn, classify, chunk)
        if evaluate_train:
            tr_loss, tr_acc = layout.evaluate(model, train_split, loss_fn, classify, chunk)
        elif since_steps:
            tr_loss, tr_acc = since.double() / since_steps, None
        else:
            tr_loss, tr_acc = torch.full(layout.shape, math.nan, dtype=torch.float64), None
        since, since_steps = torch.zeros(layout.shape, device=on), 0
        columns = [layout.values(v) for v in (tr_loss, te_loss, tr_acc, te_acc)]
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
        order = layout.order(generators, n)
        running = torch.zeros(layout.shape, device=on)
        for i in range(0, n, config.batch_size):
            xb, yb = layout.batch(train_split, order, i, config.batch_size)
            optimizer.zero_grad(set_to_none=True)
            loss = step_loss(model(xb), yb)
            layout.objective(loss).backward()
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
        finite = layout.finite(running)
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
