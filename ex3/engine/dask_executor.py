"""Training the planned runs on a Dask cluster, for when one machine is not enough.

``ex3 verify --executor dask`` hands each run that is not yet cached to a
Dask worker: a ``distributed.LocalCluster`` of ``--workers`` processes on this
machine, or the workers of the scheduler named by ``--scheduler`` (started by
hand or by ``dask-jobqueue`` on SLURM or PBS). A worker trains the run with
the same code as a local run (:func:`ex3.training.runner.run_entry`, through its
own run cache) and returns what a cache entry holds: the meta document
(history and spec) and the state_dict as bytes. The client stores each
returned run in *its* run cache with the ordinary cache code
(:func:`ex3.training.cache.cached`: same key, checksummed entry, atomic
rename, file lock), so the claims are then evaluated here exactly as after a
local prefetch, every run a cache hit. Results travel over the Dask
connection, so no shared file system is needed; where the workers do share
the cache folder, the client finds each entry already written and stores
nothing a second time.

A run is stored only under the key the worker computed for it, and only when
that equals this machine's key for the same spec: a worker that runs other
training code or reads other MNIST files computes another key, and its run
is left out (evaluation trains it here instead) rather than passed off as
this machine's run.

``distributed`` is an optional dependency (the ``dask`` extra); this module
imports it only inside its functions, and only when ``--executor dask`` is
chosen.
"""

from __future__ import annotations

import contextlib
import io
import logging
import socket
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from ex3.errors import UsageError
from ex3.training import cache, runner, runs
from ex3.training.runs import RunSpec

if TYPE_CHECKING:
    from ex3.data.mnist import MnistData
    from ex3.engine.progress_sink import ProgressSink

#: How to install what ``--executor dask`` needs.
INSTALL_FIX = 'pip install -e ".[dask]"'
#: Seconds to wait for a scheduler named by ``--scheduler`` to answer and to have a worker.
CONNECT_TIMEOUT_S = 10


@dataclass(frozen=True)
class RemoteRun:
    """One run as a worker returns it: what a run-cache entry holds, and where it came from."""

    #: The run-cache key the worker computed (its code version and data identity).
    key: str
    meta: dict[str, Any]
    #: The trained state_dict, as ``torch.save`` writes it.
    state: bytes
    from_cache: bool
    host: str
    #: Damaged entries the worker found in its own cache and trained again.
    retrained: list[dict[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class DaskOutcome:
    """What the cluster did: runs trained there, runs stored here, and the cluster's size."""

    trained: int
    stored: int
    #: Runs whose worker computed another cache key than this machine (not stored).
    foreign: int
    workers: int
    threads_per_worker: int


def require_distributed() -> None:
    """Raise a UsageError naming the fix when ``distributed`` cannot be imported.

    Called while the arguments are checked, so a missing package costs one
    line before anything is trained.
    """
    try:
        import distributed  # noqa: F401
    except ImportError as exc:
        raise UsageError(f"--executor dask needs the 'distributed' package ({exc}); install "
                         f"it with {INSTALL_FIX}, or use --executor local") from None


def train_remote(spec: RunSpec, data_dir: str | None, download: bool, threads: int | None,
                 topic: str | None = None, index: int = 0) -> RemoteRun:
    """Train one run on a Dask worker (or load it from the worker's cache) and return it.

    ``threads`` sets torch's default thread count where the client knows the
    machine (its own LocalCluster); ``topic`` names the Dask event topic that
    carries each epoch back to the client's progress display.
    """
    import torch

    from ex3.data.mnist import load_mnist

    if threads is not None:
        torch.set_num_threads(threads)
    on_epoch = None
    if topic is not None:
        from distributed import get_worker

        worker = get_worker()

        def on_epoch(record: Any) -> None:
            worker.log_event(topic, {"index": index, "record": asdict(record)})

    data = load_mnist(data_dir, download=download)
    before = len(cache.retrained_entries())
    meta, state, hit = runner.run_entry(spec, data, on_epoch)
    buffer = io.BytesIO()
    torch.save(state, buffer)
    return RemoteRun(runs.run_key_for(spec, data), meta, buffer.getvalue(), hit,
                     socket.gethostname(), cache.retrained_entries()[before:])


def store(spec: RunSpec, remote: RemoteRun, data: MnistData) -> bool:
    """Put a run a worker returned into this machine's run cache; False when not stored.

    Not stored: the worker's key differs from this machine's (other code or
    data there). An entry already in place (workers sharing the cache folder)
    is kept; the run cache's own lock and checks decide, as for a local run.
    """
    import torch

    key = runs.run_key_for(spec, data)
    if remote.key != key:
        return False
    state = torch.load(io.BytesIO(remote.state), map_location="cpu", weights_only=True)
    runs.restore(spec, remote.meta, state)  # a run that does not fit its spec is an error
    for entry in remote.retrained:
        if entry["key"] == key:
            cache.record_retrained(key, f"on Dask worker {remote.host}: {entry['reason']}")
    cache.cached(key, lambda: (remote.meta, state),
                 validate=lambda m, s: runs.restore(spec, m, s))
    return True


def train_on_dask(pending: Sequence[tuple[RunSpec, int]], data: MnistData,
                  data_dir: str | None, download: bool, workers: int,
                  scheduler: str | None, progress: ProgressSink | None = None) -> DaskOutcome:
    """Train ``pending`` (runs with their images per epoch) on Dask; store each here as it ends.

    Without ``scheduler`` a LocalCluster of ``workers`` processes (one thread
    each) is started and stopped; with it, the scheduler's workers are used
    and ``workers`` is ignored.
    """
    import distributed

    from ex3.training.threads import threads_per_worker

    todo = [spec for spec, _ in pending]
    trained = stored = foreign = 0
    with _session(distributed, workers, len(todo), scheduler) as client:
        n_workers = max(1, sum(w.get("nthreads", 1) for w in
                               client.scheduler_info()["workers"].values()))
        threads = None if scheduler else threads_per_worker(n_workers)
        where = f"{n_workers} Dask workers" + (f" at {scheduler}" if scheduler else "")
        topic = None
        if progress is not None:
            progress.plan(pending, concurrency=n_workers)
            progress.stage(f"training runs 0/{len(todo)} on {where}")
            topic = f"ex3-epochs-{uuid.uuid4().hex}"
            client.subscribe_topic(topic, _epoch_handler(todo, progress))
        futures = {client.submit(train_remote, spec, data_dir, download, threads, topic, i,
                                 pure=False): i for i, spec in enumerate(todo)}
        try:
            for done, future in enumerate(distributed.as_completed(futures), 1):
                spec = todo[futures[future]]
                remote = future.result()
                trained += not remote.from_cache
                if store(spec, remote, data):
                    stored += 1
                else:
                    foreign += 1
                if progress is not None:
                    progress.run_finished(spec)
                    progress.stage(f"training runs {done}/{len(todo)} on {where}")
        except BaseException:
            client.cancel(list(futures))
            raise
        finally:
            if topic is not None:
                client.unsubscribe_topic(topic)
    return DaskOutcome(trained, stored, foreign, n_workers, threads or 0)


def _epoch_handler(todo: Sequence[RunSpec], progress: ProgressSink) -> Any:
    """A topic handler that feeds the workers' epoch events to the progress display."""
    from ex3.training.loop import EpochRecord

    def handle(event: tuple[float, dict[str, Any]]) -> None:
        _, message = event
        with contextlib.suppress(KeyError, TypeError, IndexError):
            progress.on_epoch(todo[message["index"]], EpochRecord(**message["record"]))

    return handle


#: The open clusters of the innermost :func:`keep_clusters` block, by (workers, scheduler).
_KEPT: list[tuple[contextlib.ExitStack, dict[tuple[int, str | None], Any]]] = []


@contextlib.contextmanager
def keep_clusters() -> Iterator[None]:
    """Inside the block, a cluster started for one prefetch serves the next ones too.

    ``ex3 stability`` prefetches once per master seed; starting a LocalCluster
    (and importing torch in each worker) every time would cost seconds each.
    The cluster is started only when a prefetch has runs to train, and
    stopped when the block ends.
    """
    with contextlib.ExitStack() as stack:
        _KEPT.append((stack, {}))
        try:
            yield
        finally:
            _KEPT.pop()


def _session(distributed: Any, workers: int, n_runs: int,
             scheduler: str | None) -> contextlib.AbstractContextManager[Any]:
    """A client for one prefetch: the kept one, or one opened and closed around it."""
    if not _KEPT:
        return _client(distributed, min(workers, n_runs), scheduler)
    stack, kept = _KEPT[-1]
    if (workers, scheduler) not in kept:
        kept[workers, scheduler] = stack.enter_context(_client(distributed, workers, scheduler))
    return contextlib.nullcontext(kept[workers, scheduler])


@contextlib.contextmanager
def _client(distributed: Any, workers: int, scheduler: str | None) -> Iterator[Any]:
    """A Client of the named scheduler, or of a LocalCluster started here and stopped after.

    An unreachable scheduler, or one without workers, is a UsageError after
    at most :data:`CONNECT_TIMEOUT_S` seconds each.
    """
    if scheduler is None:
        with distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                      dashboard_address=None, silence_logs=logging.CRITICAL
                                      ) as cluster, distributed.Client(cluster) as client:
            yield client
        return
    try:
        client = distributed.Client(scheduler, timeout=CONNECT_TIMEOUT_S)
    except (OSError, TimeoutError, ValueError, TypeError) as exc:
        raise UsageError(f"--scheduler {scheduler}: no Dask scheduler answered within "
                         f"{CONNECT_TIMEOUT_S} s ({_first_line(exc)}); start one with "
                         "`dask scheduler` and pass the address it prints, e.g. "
                         "tcp://HOST:8786") from None
    with client:
        try:
            client.wait_for_workers(1, timeout=CONNECT_TIMEOUT_S)
        except TimeoutError:
            raise UsageError(f"--scheduler {scheduler}: the scheduler has no workers after "
                             f"{CONNECT_TIMEOUT_S} s; start some with `dask worker "
                             f"{scheduler}`") from None
        yield client


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:200] if text else type(exc).__name__
