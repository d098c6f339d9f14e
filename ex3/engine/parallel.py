"""Training the runs of the selected claims in parallel, before evaluating them serially.

A claim's measurement trains its runs one after another. Each run trains on
the thread count its spec carries (``RunSpec.threads``), which the command
decided from ``--workers`` before any training (``ex3.training.threads``:
the cores shared among the workers, at most two per run), never from how the
runs happen to be scheduled, so a run's rounding is the same whether it is
trained by a worker or by the main process, and whatever the cache already
held. With N workers, the runs the selected claims will ask for are trained
first, N at a time, each in its own process (spawn: no state inherited from
the parent) whose torch default is ``cores // N`` threads, so that whatever
runs outside the loop's own setting shares the cores too.
Every worker calls ``runner.run``, so the file-locked run cache guarantees no
run is trained twice, even by another ``ex3`` or pytest process. The claims
are then evaluated serially in the main process, where every run is a cache
hit, so evaluation, judging and verdicts are exactly the serial code path.
The workers (``ex3.engine.workers``) stop at once on Ctrl-C or SIGTERM and
die with the parent, so an interrupted or killed ``ex3`` leaves none behind.
With ``executor="dask"`` the same runs are trained on a Dask cluster instead
and come back to be stored in this process's run cache
(``ex3.engine.dask_executor``); evaluation is the same serial path.

A study takes part through ``Study.planned_runs(ctx)``; one that plans no
runs (seconds of work) is simply not prefetched and trains during
evaluation as usual.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import queue
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ex3.config import NO_CACHE_ENV, data_dir_from_env
from ex3.data.mnist import MnistData, load_mnist
from ex3.engine.claim import Claim, RunContext
from ex3.engine.registry import study_of
from ex3.engine.workers import WorkerPool
from ex3.errors import UsageError
from ex3.training import cache, entries, runner, runs
from ex3.training.cache import runs_dir
from ex3.training.runs import RunSpec
from ex3.training.threads import threads_per_worker

if TYPE_CHECKING:
    from ex3.engine.progress_sink import ProgressSink


@dataclass(frozen=True)
class PrefetchReport:
    """What the parallel stage did: runs planned, already cached, trained, and its wall time."""

    planned: int
    cached: int
    trained: int
    workers: int
    threads_per_worker: int
    seconds: float
    #: Runs trained by a worker under a cache key this process does not see (the training
    #: code changed on disk meanwhile, or a Dask worker runs other code or reads other
    #: data); evaluation trains them again.
    unseen: int = 0
    #: ``"local"`` (spawned processes) or ``"dask"``.
    executor: str = "local"


def planned_runs(claims: Iterable[Claim], ctx: RunContext | Sequence[RunContext]
                 ) -> list[RunSpec]:
    """The runs the claims will ask for under ``ctx`` (one context or several), each once.

    Several contexts (the protocols of a robustness neighbourhood, say) share
    one plan, so their runs fill the workers together.
    """
    contexts = [ctx] if isinstance(ctx, RunContext) else list(ctx)
    claims = list(claims)
    planned: dict[RunSpec, None] = {}
    owners = {study_of(claim).name: study_of(claim) for claim in claims
              if claim.measure is not None}
    for context in contexts:
        for study in owners.values():
            planned.update(dict.fromkeys(study.planned_runs(context)))
    return list(planned)


def is_cached(spec: RunSpec, data: MnistData) -> bool:
    """True when the run cache holds ``spec`` trained on ``data`` in an entry that verifies.

    A damaged entry counts as not cached, so a worker retrains it (and reports it).
    """
    if not runs.cache_enabled():
        return False
    key = runs.run_key_for(spec, data)
    try:
        entries.verify_entry(runs_dir() / key, key)
    except entries.Damaged:
        return False
    return True


def training_images(spec: RunSpec, data: MnistData) -> int:
    """Images per epoch of ``spec``: its training subset, or the whole training split."""
    full = int(data.train_x.shape[0])
    return full if spec.n_train is None else min(spec.n_train, full)


def runs_to_train(claims: Iterable[Claim], ctx: RunContext | Sequence[RunContext]
                  ) -> tuple[int, list[tuple[RunSpec, int]]]:
    """How many runs the claims plan, and those not yet cached with their images per epoch.

    The runs to train come longest first, so that in parallel the last runs to
    finish are short ones and the workers end together.
    """
    planned = planned_runs(claims, ctx)
    if not planned:
        return 0, []
    first = ctx if isinstance(ctx, RunContext) else ctx[0]
    data = load_mnist(first.data_dir, download=first.download)
    todo = [(s, training_images(s, data)) for s in planned if not is_cached(s, data)]
    todo.sort(key=lambda item: item[0].config.epochs * item[1], reverse=True)
    return len(planned), todo


#: Where ``prefetch`` trains: spawned processes here, or a Dask cluster
#: (``ex3.engine.dask_executor``).
EXECUTORS = ("local", "dask")


def kept_executor(executor: str) -> contextlib.AbstractContextManager[None]:
    """A block in which every ``prefetch`` on Dask reuses one cluster (one per master seed
    would start it again each time); nothing for local processes, which are cheap to start."""
    if executor != "dask":
        return contextlib.nullcontext()
    from ex3.engine.dask_executor import keep_clusters

    return keep_clusters()


def prefetch(claims: Iterable[Claim], ctx: RunContext | Sequence[RunContext], workers: int,
             progress: ProgressSink | None = None, executor: str = "local",
             scheduler: str | None = None) -> PrefetchReport:
    """Train every planned run of ``claims`` not yet in the cache, ``workers`` at a time.

    ``ctx`` may be several contexts that share one data source (a robustness
    neighbourhood): their runs are planned and trained together. ``executor``
    ``"dask"`` trains them on a Dask cluster instead of local processes: a
    LocalCluster of ``workers`` processes, or the scheduler at ``scheduler``;
    each run comes back and is stored in this machine's run cache.
    """
    if executor not in EXECUTORS:
        raise UsageError(f"--executor must be one of {', '.join(EXECUTORS)}, not {executor!r}")
    if workers < 1:
        raise UsageError(f"--workers must be a positive number of processes, not {workers}")
    start = time.perf_counter()
    claims = list(claims)
    contexts = [ctx] if isinstance(ctx, RunContext) else list(ctx)
    if not contexts:
        return PrefetchReport(0, 0, 0, workers, threads_per_worker(workers), 0.0,
                              executor=executor)
    first = contexts[0]
    if not runs.cache_enabled() and planned_runs(claims, contexts):
        what = "--executor dask" if executor == "dask" else "--workers above 1"
        fix = "drop --executor dask" if executor == "dask" else "use --workers 1"
        raise UsageError(f"{what} trains runs into the run cache, which {NO_CACHE_ENV} "
                         f"turns off; unset {NO_CACHE_ENV} or {fix}")
    n_planned, pending = runs_to_train(claims, contexts)
    todo = [spec for spec, _ in pending]
    if not todo:
        return PrefetchReport(n_planned, n_planned, 0, workers, threads_per_worker(workers),
                              time.perf_counter() - start, executor=executor)
    data = load_mnist(first.data_dir, download=first.download)
    if executor == "dask":
        from ex3.engine.dask_executor import train_on_dask

        env = data_dir_from_env()
        data_dir = first.data_dir or (env.value if env else None)
        outcome = train_on_dask(pending, data, data_dir, first.download, workers, scheduler,
                                progress)
        trained, n_procs, threads = outcome.trained, outcome.workers, outcome.threads_per_worker
    else:
        n_procs = min(workers, len(todo))
        threads = threads_per_worker(n_procs)
        trained = _train_locally(pending, first, n_procs, threads, progress)
    unseen = sum(not is_cached(spec, data) for spec in todo)
    return PrefetchReport(n_planned, n_planned - len(todo), trained, n_procs, threads,
                          time.perf_counter() - start, unseen, executor)


def _train_locally(pending: Sequence[tuple[RunSpec, int]], first: RunContext, n_procs: int,
                   threads: int, progress: ProgressSink | None) -> int:
    """Train ``pending`` in ``n_procs`` spawned processes; how many were trained (not hits)."""
    todo = [spec for spec, _ in pending]
    if progress is not None:
        progress.plan(pending, concurrency=n_procs)
        progress.stage(f"training runs 0/{len(todo)} on {n_procs} workers")
    events = multiprocessing.get_context("spawn").Queue() if progress is not None else None
    trained = 0
    work = [(spec, first.data_dir, first.download) for spec in todo]
    with WorkerPool(n_procs, _train, initializer=_init_worker,
                    initargs=(threads, events)) as pool:
        finished = pool.map_unordered(work, on_idle=lambda: _drain(events, progress))
        for done, (index, (hit, retrained)) in enumerate(finished, 1):
            _drain(events, progress)
            trained += not hit
            for entry in retrained:
                cache.record_retrained(**entry)
            if progress is not None:
                progress.run_finished(todo[index])
                progress.stage(f"training runs {done}/{len(todo)} on {n_procs} workers")
    _drain(events, progress)
    return trained


def _drain(events: Any, progress: ProgressSink | None) -> None:
    if events is None or progress is None:
        return
    while True:
        try:
            spec, record = events.get_nowait()
        except queue.Empty:
            return
        progress.on_epoch(spec, record)


#: In a worker process: the queue its epochs go to the parent by (set once, at start-up,
#: by ``_init_worker``, the pool's initializer; the parent never sets it).
_WORKER_EVENTS: Any = None


def _init_worker(threads: int, events: Any) -> None:
    """Runs once in each worker: share the cores, and report epochs to the parent."""
    import torch

    global _WORKER_EVENTS
    torch.set_num_threads(threads)
    _WORKER_EVENTS = events


def _report_epoch(spec: RunSpec, record: Any) -> None:
    _WORKER_EVENTS.put((spec, record))


def _train(spec: RunSpec, data_dir: str | None, download: bool
           ) -> tuple[bool, list[dict[str, str]]]:
    """Train one run into the cache (in a worker).

    Returns whether it was already there, and the damaged entries this call
    retrained, for the parent's :func:`~ex3.training.cache.retrained_entries`.
    """
    before = len(cache.retrained_entries())
    progress = _report_epoch if _WORKER_EVENTS is not None else None
    hit = runner.run(spec, load_mnist(data_dir, download=download), progress).from_cache
    return hit, cache.retrained_entries()[before:]
